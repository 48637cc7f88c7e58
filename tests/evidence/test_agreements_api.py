"""/api/v1/display-agreements/: list and filters, detail with the counting visits, a KA manager's create (with an
Idempotency-Key), update and delete, the evaluate action, refusals as coded JSON, and scope (404 outside)."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from evidence.agreements import agreements_evaluate
from evidence.models import DisplayAgreement
from tests.evidence.agreement_data import agreement, chain, checked
from tests.factories import StoreFactory, make_user

pytestmark = pytest.mark.django_db
LIST = reverse("display-agreement-list")


def _detail(pk, action="detail"):
    return reverse(f"display-agreement-{action}", args=[pk])


@pytest.fixture
def world(manager, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account, [store] = chain(manager, rep, code="CRF")
    other = StoreFactory(account=account, code="CRF9")
    payable = agreement(account, store=store)
    checked(payable, store=store, rep=rep, day=date(2026, 9, 8))
    checked(payable, store=store, rep=rep, day=date(2026, 9, 9), far=True)
    elsewhere = agreement(account, store=other, kind="floor_stack")
    agreements_evaluate(today=date(2026, 10, 5))
    return account, store, payable, elsewhere


def test_list_filters_and_detail_with_the_counting_visits(api_client, manager, world):
    account, store, payable, _elsewhere = world
    api_client.force_authenticate(manager)

    rows = api_client.get(LIST, {"status": "payable", "account": account.code}).json()["results"]
    assert [(r["id"], r["store"], r["fee"], r["evidenced_visits"]) for r in rows] == [
        (payable.pk, store.code, "4000.00", 1)
    ]
    body = api_client.get(_detail(payable.pk)).json()
    assert body["status"] == "payable"
    assert sorted((v["counts"], v["reason"], v["on_site"]) for v in body["visits"]) == [
        (False, "far", False),
        (True, None, True),
    ]


def test_a_manager_creates_once_with_a_key_updates_and_deletes(api_client, manager, world):
    account, store, *_ = world
    api_client.force_authenticate(manager)
    body = {"account": account.code, "store": store.code, "kind": "facings", "facings": 8,
            "start_on": "2026-12-01", "end_on": "2026-12-31", "fee": "900.00", "evidence_visits": 2}  # fmt: skip

    first = api_client.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="agr-1")
    again = api_client.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="agr-1")

    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert DisplayAgreement.objects.filter(kind="facings").count() == 1
    pk = first.json()["id"]
    changed = api_client.patch(_detail(pk), {"facings": 10, "note": "十个排面"}, format="json")
    assert changed.status_code == 200 and changed.json()["facings"] == 10
    assert api_client.delete(_detail(pk)).status_code == 204


def test_refusals_answer_their_code(api_client, manager, world):
    account, _store, payable, _elsewhere = world
    api_client.force_authenticate(manager)
    body = {"account": account.code, "kind": "end_cap", "facings": 3, "start_on": "2026-12-01",
            "end_on": "2026-12-31", "fee": "900.00"}  # fmt: skip
    answer = api_client.post(LIST, body, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "agreement.facings_only_for_facings"
    answer = api_client.patch(_detail(payable.pk), {"end_on": "2026-08-01"}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "agreement.period"


def test_evaluate_action(api_client, rep, world):
    _account, _store, payable, _elsewhere = world
    DisplayAgreement.objects.filter(pk=payable.pk).update(status="open", evidenced_visits=0)
    api_client.force_authenticate(rep)  # any viewer may work the status out again

    body = api_client.post(_detail(payable.pk, "evaluate")).json()

    assert (body["status"], body["evidenced_visits"], body["fee"]) == ("payable", 1, None)  # no fee for a rep


def test_scope_a_rep_sees_their_stores_and_others_find_nothing(api_client, rep, world):
    _account, _store, payable, elsewhere = world
    api_client.force_authenticate(rep)
    assert [r["id"] for r in api_client.get(LIST).json()["results"]] == [payable.pk]
    assert api_client.get(_detail(elsewhere.pk)).status_code == 404
    assert api_client.post(LIST, {}, format="json").status_code == 403

    api_client.force_authenticate(make_user(Role.MANAGER, username="mgr_z"))
    assert api_client.get(_detail(payable.pk)).status_code == 404
    assert api_client.delete(_detail(payable.pk)).status_code == 404
