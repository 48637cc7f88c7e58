"""Optimistic concurrency on the API's records (ka_portal/record_etags.py): a record's GET answers an ETag, a write
sending it back in If-Match is done only while the record is as read (else 412 `record.changed` with the current
record, nothing written), and a write without If-Match works as ever. QA's case: two PATCHes, then a PUT built from a
GET read before them put both back; now that PUT is refused."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from contracts import services as contract_services
from contracts.models import Contract, Invoice
from stores.models import Store
from tests.concurrency import at_once
from tests.contracts.factories import ContractFactory, InvoiceFactory
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.promotions.factories import promotion_type

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _if_match(etag: str) -> dict:
    return {"HTTP_IF_MATCH": etag, **EN}


# --- the same header on records of different kinds: each a URL, a write a client sends, another client's change ------


@dataclass
class Case:
    """A record endpoint: `given(user)` makes the record and its URL; `write` is the write the test sends (with
    headers); `other_write` another client's change of the same record (no If-Match: a phone); `state` what the
    database holds of it."""

    name: str
    role: str
    given: object
    write: object
    other_write: object
    state: object


def _store():
    store = StoreFactory()
    return store, f"/api/v1/stores/{store.code}/"


def _contract():
    contract = ContractFactory()
    return contract, f"/api/v1/contracts/{contract.pk}/"


def _promotion_type():
    kind = promotion_type("dm")
    return kind, f"/api/v1/promotion-types/{kind.pk}/"


def _invoice():
    invoice = InvoiceFactory(date=date(2026, 9, 1))
    return invoice, f"/api/v1/invoices/{invoice.pk}/"


def _pay_part_of(invoice):
    """Another client's change of the invoice: a payment settling part of it (its open amount goes down)."""
    contract_services.payment_record(
        account=invoice.account,
        date=date(2026, 10, 8),
        amount=Decimal("1000.00"),
        allocations=[(invoice, Decimal("1000.00"))],
    )


CASES = [
    Case(
        "stores",
        Role.ADMIN,
        _store,
        lambda client, url, headers: client.patch(url, {"name": "我的店名"}, format="json", **headers),
        lambda client, url, record: client.patch(url, {"city": "杭州"}, format="json", **EN),
        lambda store: Store.objects.values_list("name", "city").get(pk=store.pk),
    ),
    Case(
        "contracts",
        Role.FINANCE,
        _contract,
        lambda client, url, headers: client.patch(url, {"number": "HT-MINE-01"}, format="json", **headers),
        lambda client, url, record: client.patch(url, {"number": "HT-THEIRS-01"}, format="json", **EN),
        lambda contract: Contract.objects.values_list("number", flat=True).get(pk=contract.pk),
    ),
    Case(
        "promotion-types",
        Role.ADMIN,
        _promotion_type,
        lambda client, url, headers: client.patch(url, {"max_days": 12}, format="json", **headers),
        lambda client, url, record: client.patch(url, {"max_days": 10}, format="json", **EN),
        lambda kind: type(kind).objects.values_list("max_days", flat=True).get(pk=kind.pk),
    ),
    Case(
        "invoices",
        Role.FINANCE,
        _invoice,
        lambda client, url, headers: client.post(f"{url}write-off/", {"reason": "客户破产"}, format="json", **headers),
        lambda client, url, invoice: _pay_part_of(invoice),
        lambda invoice: Invoice.objects.values_list("open_amount", "status", "written_off_amount").get(pk=invoice.pk),
    ),
]


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
def endpoint(request, api_client):
    case = request.param
    user = make_user(case.role, username=f"etag_{case.role}")
    api_client.force_authenticate(user)
    record, url = case.given()
    return case, record, url


def test_a_write_with_the_etag_of_an_older_read_is_refused_412_and_changes_nothing(api_client, endpoint):
    case, record, url = endpoint
    read = api_client.get(url, **EN)
    assert read.status_code == 200 and read["ETag"]
    case.other_write(api_client, url, record)  # another client's change meanwhile, sent without If-Match
    before = case.state(record)

    refused = case.write(api_client, url, _if_match(read["ETag"]))

    assert refused.status_code == 412, refused.content
    body = refused.json()
    now = api_client.get(url, **EN)
    assert body["code"] == "record.changed"
    assert "changed since you read it" in body["detail"]
    assert body["current"] == now.json()  # what stands now, for the client to merge into
    assert refused["ETag"] == body["params"]["etag"] == now["ETag"] != read["ETag"]
    assert case.state(record) == before


def test_a_write_with_the_current_etag_is_done_and_answers_the_new_etag(api_client, endpoint):
    case, record, url = endpoint
    read = api_client.get(url, **EN)
    before = case.state(record)

    done = case.write(api_client, url, _if_match(read["ETag"]))

    assert done.status_code == 200, done.content
    assert case.state(record) != before
    again = api_client.get(url, **EN)
    assert done["ETag"] == again["ETag"] != read["ETag"]  # the record as a GET now reads it


def test_a_write_without_if_match_works_as_ever_and_reads_nothing_more(api_client, endpoint):
    """A phone sends no If-Match: its write is done whatever changed meanwhile, and it is not answered an ETag (that
    would read the whole record again for a client that does not use it)."""
    case, record, url = endpoint
    read = api_client.get(url, **EN)
    case.other_write(api_client, url, record)

    done = case.write(api_client, url, EN)

    assert done.status_code == 200, done.content
    assert "ETag" not in done
    assert api_client.get(url, **EN)["ETag"] != read["ETag"]


def test_a_record_the_client_holds_already_answers_304_until_it_changes(api_client, endpoint):
    case, record, url = endpoint
    etag = api_client.get(url, **EN)["ETag"]

    unchanged = api_client.get(url, HTTP_IF_NONE_MATCH=etag, **EN)
    case.other_write(api_client, url, record)
    changed = api_client.get(url, HTTP_IF_NONE_MATCH=etag, **EN)

    assert unchanged.status_code == 304 and unchanged.content == b""
    assert changed.status_code == 200 and changed["ETag"] != etag


# --- QA's sequence on a store: PATCH, PATCH, then a stale PUT ---------------------------------------------------------


@pytest.fixture
def store_url(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    store = StoreFactory(code="QA-001", name="老店名", city="上海")
    return store, f"/api/v1/stores/{store.code}/"


def test_a_stale_put_after_two_patches_is_refused_and_both_patches_stand(api_client, store_url):
    store, url = store_url
    first_read = api_client.get(url, **EN)
    body = first_read.json()
    patched = api_client.patch(url, {"name": "新店名"}, format="json", **_if_match(first_read["ETag"]))
    api_client.patch(url, {"city": "杭州"}, format="json", **_if_match(patched["ETag"]))

    stale = api_client.put(url, {**body, "grade": "A"}, format="json", **_if_match(first_read["ETag"]))

    assert patched.status_code == 200
    assert stale.status_code == 412
    assert Store.objects.values_list("name", "city", "grade").get(pk=store.pk) == ("新店名", "杭州", store.grade)
    assert stale.json()["current"]["name"] == "新店名" and stale.json()["current"]["city"] == "杭州"


def test_a_stale_delete_is_refused_and_the_record_stays(api_client, store_url):
    store, url = store_url
    etag = api_client.get(url, **EN)["ETag"]
    api_client.patch(url, {"name": "别人改过"}, format="json", **EN)

    refused = api_client.delete(url, **_if_match(etag))
    done = api_client.delete(url, **_if_match(refused["ETag"]))

    assert refused.status_code == 412
    assert done.status_code == 204 and not Store.objects.filter(pk=store.pk).exists()


@pytest.mark.parametrize("header", ["*", "W/{etag}", '"not-it", {etag}'])
def test_if_match_takes_any_record_a_weak_mark_and_a_list_of_etags(api_client, store_url, header):
    """`*`: the record exists; W/ is what the gzip middleware puts before the ETag of a compressed answer."""
    store, url = store_url
    etag = api_client.get(url, **EN)["ETag"]

    done = api_client.patch(url, {"name": "改名"}, format="json", **_if_match(header.format(etag=etag)))

    assert done.status_code == 200
    assert Store.objects.get(pk=store.pk).name == "改名"


def test_a_record_out_of_scope_is_not_found_whatever_if_match_says(api_client, manager):
    theirs = StoreFactory(account=KeyAccountFactory(code="THEIRS"))
    api_client.force_authenticate(manager)

    refused = api_client.patch(f"/api/v1/stores/{theirs.code}/", {"name": "x"}, format="json", **_if_match("*"))

    assert refused.status_code == 404
    assert Store.objects.get(pk=theirs.pk).name != "x"


def test_the_list_pages_keep_their_own_etag_and_304(api_client, store_url):
    store, _url = store_url
    first = api_client.get("/api/v1/stores/", **EN)

    again = api_client.get("/api/v1/stores/", HTTP_IF_NONE_MATCH=first["ETag"], **EN)

    assert first.status_code == 200 and first["ETag"]
    assert again.status_code == 304


# --- a race: two writes sent with the same ETag at the same moment --------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writes_with_the_same_etag_at_once_one_wins_the_other_is_refused():
    admin = make_user(Role.ADMIN, username="adm_race")
    store = StoreFactory(code="RACE-1", name="原名")
    url = f"/api/v1/stores/{store.code}/"
    reader = APIClient()
    reader.force_authenticate(admin)
    etag = reader.get(url, **EN)["ETag"]

    def rename(name):
        def send():
            client = APIClient()
            client.force_authenticate(admin)
            return client.patch(url, {"name": name}, format="json", **_if_match(etag)).status_code, name

        return send

    answers, errors = at_once(rename("甲改的"), rename("乙改的"))

    assert errors == []
    assert sorted(status for status, _name in answers) == [200, 412]
    winner = next(name for status, name in answers if status == 200)
    assert Store.objects.get(pk=store.pk).name == winner


# --- every record endpoint -------------------------------------------------------------------------------------------


def _api_viewsets():
    """Every viewset routed under /api/ with a record's GET (retrieve), by its route's name."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    for route, pattern in walk(get_resolver().url_patterns):
        actions = getattr(pattern.callback, "actions", None) or {}
        if route.startswith("api/") and actions.get("get") == "retrieve":
            yield pattern.name, pattern.callback.cls


def test_every_record_endpoint_answers_an_etag_and_takes_if_match():
    """A viewset with records gets the ETag and If-Match from RecordETagMixin: one added without it is named here."""
    from ka_portal.record_etags import RecordETagMixin

    viewsets = dict(_api_viewsets())

    assert len(viewsets) >= 25
    assert [name for name, cls in viewsets.items() if not issubclass(cls, RecordETagMixin)] == []
