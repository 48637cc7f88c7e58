"""The API's shared conventions as an ERP integrator meets them (QA items 2–8; days are test_api_iso_days.py): a page
or a format that is not one is a 400 naming the parameter, not a 404 that reads as a wrong URL; a refusal's `params`
carry JSON types; a body's key the endpoint does not take is refused naming it (never silently ignored); a number
with more decimal places than an amount keeps is refused naming the field, and a phone's position is rounded; times
read in Asia/Shanghai; the schema documents exactly what a GET takes; master data is addressed by its code."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from accounts.roles import Role
from contracts import services as contract_services
from ka_portal.api import exception_handler
from ka_portal.api_fields import LocalTimesJSONField
from ka_portal.errors import DomainError
from stores.models import Delivery
from tests.api_schema import api_schema
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def admin_api():
    client = APIClient()
    client.force_authenticate(make_user(Role.ADMIN, username="admin_conv", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def stores():
    account = KeyAccountFactory(code="WMT", name="沃尔玛")
    return [StoreFactory(account=account, code=f"WMT-00{n}") for n in (1, 2, 3)]


# --- item 2: pages and formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "２"])
def test_a_page_that_is_no_number_is_a_400_naming_page(admin_api, stores, page):
    with translation.override("en"):
        response = admin_api.get("/api/v1/stores/", {"page": page}, **EN)

    assert response.status_code == 400, response.content
    message = f"“{page}” is not a page: give a whole number from 1."
    assert response.json() == {"code": "invalid", "detail": message, "errors": {"page": [message]}}
    chinese = admin_api.get("/api/v1/stores/", {"page": page}, **ZH)
    assert chinese.status_code == 400 and list(chinese.json()["errors"]) == ["page"]


def test_a_page_past_the_end_says_how_many_pages_there_are(admin_api, stores):
    with translation.override("en"):
        past = admin_api.get("/api/v1/stores/", {"page": "99999", "page_size": "2"}, **EN)
        one_page = admin_api.get("/api/v1/stores/", {"page": "3", "page_size": "5"}, **EN)

    assert past.status_code == 400
    assert past.json()["errors"] == {"page": ["There is no page 99999: the list has 2 pages at this page size."]}
    assert one_page.json()["errors"] == {"page": ["There is no page 3: the list has 1 page at this page size."]}
    assert admin_api.get("/api/v1/stores/", {"page": "2", "page_size": "2"}).json()["count"] == 3
    assert admin_api.get("/api/v1/stores/", {"page": "last", "page_size": "2"}).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/stores/", "/api/v1/stores/WMT-001/", "/api/v1/me/"])
def test_a_format_the_api_does_not_answer_in_is_a_400_naming_format(admin_api, stores, url):
    with translation.override("en"):
        response = admin_api.get(url, {"format": "csv"}, **EN)

    assert response.status_code == 400, response.content
    message = "“csv” is not a format this endpoint answers in: it answers in “json”, “api”."
    assert response.json() == {"code": "invalid", "detail": message, "errors": {"format": [message]}}
    assert admin_api.get(url, {"format": "json"}).status_code == 200
    assert admin_api.get(url, {"format": "csv"}, **ZH).json()["code"] == "invalid"


def test_a_list_filtering_by_its_own_format_filters_by_it(admin_api):
    KeyAccountFactory(code="HYP", format="hypermarket")
    KeyAccountFactory(code="CVS", format="convenience")

    response = admin_api.get("/api/v1/accounts/", {"format": "convenience"})

    assert response.status_code == 200, response.content  # DRF took it for a renderer: 404
    assert [row["code"] for row in response.json()["results"]] == ["CVS"]


# --- item 3: params in JSON types ---------------------------------------------------------------------------------


def test_a_refusals_params_keep_their_json_types_and_its_sentence_its_words():
    refusal = DomainError(
        "visit.incomplete",
        "%(count)s missing, no position: %(no_position)s, %(amount)s on %(day)s",
        no_position=False,
        count=3,
        ratio=0.5,
        amount=Decimal("12028.00"),
        day=date(2026, 12, 5),
        at=datetime(2026, 12, 5, 1, 30, tzinfo=UTC),
        items=["price_tag", "shelf"],
        product="P001",
        nothing=None,
    )

    response = exception_handler(refusal, {})
    body = json.loads(json.dumps(response.data))

    assert body["params"] == {
        "no_position": False,
        "count": 3,
        "ratio": 0.5,
        "amount": "12028.00",
        "day": "2026-12-05",
        "at": "2026-12-05T09:30:00+08:00",
        "items": ["price_tag", "shelf"],
        "product": "P001",
        "nothing": None,
    }
    assert body["detail"] == "3 missing, no position: False, 12,028.00 on 2026-12-05"


# --- item 4: keys a body may not send -----------------------------------------------------------------------------


def _delivery(listing, **extra):
    return {"store": listing.store.code, "product": listing.product.code, "date": str(date.today()), "quantity": 24,
            **extra}  # fmt: skip


def test_a_delivery_with_keys_it_does_not_take_is_refused_naming_each(admin_api):
    listing = ListingFactory()
    body = _delivery(listing, extra_field="x", id=5, amount="999")
    with translation.override("en"):
        response = admin_api.post("/api/v1/deliveries/", body, format="json", **EN)

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert set(errors) == {"extra_field", "id", "amount"}
    assert errors["extra_field"][0].startswith("This endpoint does not take “extra_field”: it takes store, product,")
    assert "amount" not in errors["extra_field"][0].split(": it takes ")[1].split(", ")  # only what it takes
    assert not Delivery.objects.exists()
    assert admin_api.post("/api/v1/deliveries/", _delivery(listing), format="json").status_code == 201


def test_a_write_off_with_an_amount_is_refused_not_written_off_whole():
    finance = make_user(Role.FINANCE, username="fin_conv")
    account = KeyAccountFactory()
    invoice = contract_services.invoice_create(account=account, number="FP9", date=date(2026, 10, 1),
                                               amount=Decimal("5000.00"))  # fmt: skip
    client = APIClient()
    client.force_authenticate(finance)
    with translation.override("en"):
        refused = client.post(f"/api/v1/invoices/{invoice.pk}/write-off/", {"amount": "2000", "reason": "x"},
                              format="json", **EN)  # fmt: skip

    assert refused.status_code == 400, refused.content
    assert list(refused.json()["errors"]) == ["amount"]
    assert refused.json()["errors"]["amount"][0].startswith("This endpoint does not take “amount”: it takes ")
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("5000.00")


def test_a_record_put_back_as_it_was_read_is_taken_but_an_unknown_key_is_not(admin_api, stores):
    read = admin_api.get("/api/v1/stores/WMT-001/").json()

    put = admin_api.put("/api/v1/stores/WMT-001/", {**read, "name": "沃尔玛一店"}, format="json")
    unknown = admin_api.patch("/api/v1/stores/WMT-001/", {"nmae": "x"}, format="json", **EN)

    assert put.status_code == 200, put.content
    assert put.json()["name"] == "沃尔玛一店" and put.json()["id"] == read["id"]  # id, visits_per_week…: ignored
    assert unknown.status_code == 400 and list(unknown.json()["errors"]) == ["nmae"]


def test_a_nested_rows_unknown_key_is_refused_in_its_row():
    rep = make_user(Role.REP, username="rep_conv")
    store = StoreFactory(rep=rep)
    beer = ProductFactory()
    ListingFactory(store=store, product=beer)
    client = APIClient()
    client.force_authenticate(rep)
    rows = [{"product": beer.code, "packs": 5, "colour": "red"}]

    response = client.post("/api/v1/visits/", {"store": store.code, "stock_counts": rows}, format="json", **EN)

    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]["stock_counts"]["0"]) == ["colour"]


# --- item 5: decimal places --------------------------------------------------------------------------------------


def test_an_amount_with_more_than_two_decimal_places_is_refused_naming_field_and_value(admin_api):
    listing = ListingFactory()
    with translation.override("en"):
        response = admin_api.post(
            "/api/v1/deliveries/", _delivery(listing, unit_price=0.30000000000000004), format="json", **EN
        )
    exact = admin_api.post("/api/v1/deliveries/", _delivery(listing, unit_price="3.500"), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "unit_price": ["unit_price takes at most 2 decimal places: “0.30000000000000004” has more."]
    }
    assert exact.status_code == 201 and exact.json()["unit_price"] == "3.50"  # 3.500 loses nothing


def test_a_phones_position_with_many_decimals_is_rounded_to_six_places():
    rep = make_user(Role.REP, username="rep_position")
    store = StoreFactory(rep=rep)
    client = APIClient()
    client.force_authenticate(rep)
    body = {"store": store.code, "latitude": 31.32450012, "longitude": "121.473749999999999"}

    response = client.post("/api/v1/visits/", body, format="json", **EN)

    assert response.status_code == 201, response.content
    assert (response.json()["latitude"], response.json()["longitude"]) == ("31.324500", "121.473750")


# --- item 6: times in Asia/Shanghai ------------------------------------------------------------------------------


def test_a_moment_kept_in_utc_in_a_signals_evidence_reads_in_shanghai_time():
    field = LocalTimesJSONField(read_only=True)
    kept = {"received_at": "2026-12-05T01:30:00+00:00", "hours": 5.5, "note": "T-shirt"}

    assert field.to_representation(kept) == {"received_at": "2026-12-05T09:30:00+08:00", "hours": 5.5,
                                             "note": "T-shirt"}  # fmt: skip


def test_a_late_uploads_evidence_is_written_in_shanghai_time():
    from evidence.signal_rules import late_upload

    evidence = late_upload(datetime(2026, 12, 5, 0, 0, tzinfo=UTC), datetime(2026, 12, 5, 6, 0, tzinfo=UTC), 4)

    assert evidence["received_at"] == "2026-12-05T14:00:00+08:00"


# --- item 7: the schema documents what a GET takes ---------------------------------------------------------------


def test_the_schema_documents_format_and_no_page_only_parameters():
    with translation.override("en"):
        schema = api_schema()
    operations = [op for item in schema["paths"].values() for method, op in item.items() if method == "get"]
    names = [[p["name"] for p in op.get("parameters", []) if p["in"] == "query"] for op in operations]

    assert not [n for n in names if "q" in n or "o" in n]
    assert all("format" in n for n in names)


@pytest.mark.parametrize(("name", "instead"), [("q", "search"), ("o", "ordering")])
def test_the_pages_q_and_o_are_refused_naming_the_apis_own(admin_api, stores, name, instead):
    with translation.override("en"):
        response = admin_api.get("/api/v1/stores/", {name: "WMT"}, **EN)

    assert response.status_code == 400
    message = response.json()["errors"][name][0]
    assert message.startswith(f"This list takes no parameter “{name}”: it takes ")
    assert instead in message.split(": it takes ")[1].rstrip(".").split(", ")
    assert admin_api.get("/api/v1/stores/", {instead: "WMT-001" if name == "q" else "-code"}).status_code == 200


# --- item 8: master data by its code -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/api/v1/stores/WMT-001/", "WMT-001"),
        ("/api/v1/stores/wmt-001/", "WMT-001"),
        ("/api/v1/products/P001/", "P001"),
        ("/api/v1/accounts/WMT/", "WMT"),
    ],
)
def test_master_data_is_addressed_by_its_code(admin_api, stores, url, code):
    ProductFactory(code="P001")

    response = admin_api.get(url)

    assert response.status_code == 200, response.content
    assert response.json()["code"] == code


def test_an_id_still_addresses_the_record_and_a_digit_code_wins(admin_api, stores):
    by_id = admin_api.get(f"/api/v1/stores/{stores[1].pk}/")
    digits = StoreFactory(code=str(stores[0].pk))

    assert by_id.json()["code"] == "WMT-002"
    assert admin_api.get(f"/api/v1/stores/{stores[0].pk}/").json()["code"] == digits.code


def test_a_code_outside_the_users_scope_is_404_like_one_that_does_not_exist(stores):
    rep = make_user(Role.REP, username="rep_codes")
    mine = StoreFactory(rep=rep, code="MINE-1")
    client = APIClient()
    client.force_authenticate(rep)

    assert client.get("/api/v1/stores/MINE-1/").json()["code"] == mine.code
    assert client.get("/api/v1/stores/WMT-001/").status_code == 404
    assert client.get("/api/v1/stores/NOPE/").status_code == 404
    assert client.get("/api/v1/accounts/WMT/").status_code == 404
