"""The matching and dispute API (issue 12 item 5): the deductions endpoint's new fields and filter, manual matches,
the automatic run, disputes with their steps; scope (another manager's account is not found, reps 404)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from contracts.models import Deduction
from tests.factories import make_user
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.models import AccrualLine, Dispute

pytestmark = pytest.mark.django_db
SEP = date(2026, 9, 1)


def test_deductions_carry_state_period_and_matches(api_client, finance, matching_account, matching_invoice):
    line = matching_line(matching_account, SEP, "1000.00")
    api_client.force_authenticate(finance)
    body = {
        "invoice": matching_invoice.pk,
        "date": "2026-09-20",
        "kind": "tg",
        "amount": "3000.00",
        "reason": "堆头费",
        "reference": "FY-0001",
        "period_start": "2026-09",
        "period_end": "2026-10",
        "state": "matched",  # read-only: a create naming it is refused, naming it, and nothing is recorded
    }
    refused = api_client.post("/api/v1/deductions/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["state"]
    del body["state"]
    created = api_client.post("/api/v1/deductions/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["state"], data["matched_amount"], data["period_start"], data["period_end"]) == (
        "partly_matched",
        "1000.00",
        "2026-09",
        "2026-10",
    )
    listed = api_client.get("/api/v1/deductions/", {"state": "partly_matched"}).json()["results"]
    assert [d["reference"] for d in listed] == ["FY-0001"]
    assert listed[0]["matches"][0]["line"] == line.pk and listed[0]["matches"][0]["line_over_deducted"] is False
    assert api_client.get("/api/v1/deductions/", {"state": "matched"}).json()["results"] == []
    bad = api_client.post("/api/v1/deductions/", {**body, "period_start": "2026/09"}, format="json")
    assert bad.status_code == 400 and "period_start" in str(bad.json())


def test_manual_match_remove_and_run(api_client, finance, matching_account, matching_invoice):
    listing = matching_line(matching_account, SEP, "500.00", kind="listing")
    deduction = matching_deduction(matching_invoice, "800.00")
    api_client.force_authenticate(finance)
    url = f"/api/v1/deductions/{deduction.pk}/matches/"
    refused = api_client.post(url, {"line": listing.pk, "amount": "600.00"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "match.beyond_accrued"
    key = str(uuid.uuid4())
    made = api_client.post(url, {"line": listing.pk, "amount": "500.00"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api_client.post(url, {"line": listing.pk, "amount": "500.00"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert made.status_code == 201 and made.json()["state"] == "partly_matched"
    assert again.json() == made.json() and deduction.matches.get().amount == Decimal("500.00")
    match_id = made.json()["matches"][0]["id"]
    removed = api_client.post(f"/api/v1/deductions/{deduction.pk}/matches/{match_id}/remove/")
    assert removed.status_code == 200 and removed.json()["state"] == "unsupported"
    matching_line(matching_account, SEP, "800.00")
    run = api_client.post("/api/v1/deduction-matching/", {"account": matching_account.code}, format="json")
    assert run.status_code == 200  # finance changed its matches by hand: the automatic run leaves them alone
    assert (run.json()["changed"], run.json()["counts"]["unsupported"]) == (0, 1)
    back = api_client.post(f"/api/v1/deductions/{deduction.pk}/match-automatically/", format="json")
    assert back.status_code == 200 and back.json()["state"] == "matched"
    assert api_client.post("/api/v1/deduction-matching/", {}, format="json").json()["changed"] == 0


def test_a_manager_reads_but_cannot_match(api_client, manager, matching_account, matching_invoice):
    line = matching_line(matching_account, SEP, "500.00", kind="listing")
    deduction = matching_deduction(matching_invoice, "800.00")
    api_client.force_authenticate(manager)
    assert api_client.get(f"/api/v1/deductions/{deduction.pk}/").json()["state"] == "unsupported"
    refused = api_client.post(f"/api/v1/deductions/{deduction.pk}/matches/", {"line": line.pk, "amount": "1"})
    assert refused.status_code == 403
    assert api_client.post("/api/v1/deduction-matching/", {}).status_code == 403


def test_line_of_another_account_is_not_found(api_client, finance, matching_invoice):
    manager2 = make_user("manager")
    from tests.factories import KeyAccountFactory

    other = matching_line(KeyAccountFactory(owner=manager2), SEP, "500.00")
    deduction = matching_deduction(matching_invoice, "800.00")
    api_client.force_authenticate(finance)
    refused = api_client.post(f"/api/v1/deductions/{deduction.pk}/matches/", {"line": other.pk, "amount": "100.00"})
    assert refused.status_code == 400 and refused.json()["code"] == "match.other_account"


def test_dispute_steps_and_scope(api_client, finance, manager, rep, matching_account, matching_invoice):
    deduction = matching_deduction(matching_invoice, "8000.00")
    api_client.force_authenticate(finance)
    opened = api_client.post(
        "/api/v1/disputes/",
        {"deduction": deduction.pk, "reason": "无合同依据"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert opened.status_code == 201, opened.json()
    dispute = opened.json()
    assert (dispute["status"], dispute["unsupported"], dispute["owner"]) == ("open", "8000.00", finance.username)
    url = f"/api/v1/disputes/{dispute['id']}/"
    recovered = api_client.post(url + "recover/", {"amount": "1000.00", "on": "2026-10-02"}, format="json")
    assert recovered.json()["recovered_amount"] == "1000.00"
    matching_invoice.refresh_from_db()
    assert matching_invoice.open_amount == Decimal("93000.00")
    requested = api_client.post(url + "write-off/", {"note": "接受"}, format="json")
    assert requested.json()["status"] == "write_off_requested"
    refused = api_client.post(url + "approve/")
    assert refused.status_code == 400 and refused.json()["code"] == "dispute.approval_needs_owner"
    other_manager = make_user("manager")
    api_client.force_authenticate(other_manager)
    assert api_client.post(url + "approve/").status_code == 404
    assert api_client.get("/api/v1/disputes/").json()["results"] == []
    api_client.force_authenticate(rep)
    assert api_client.get("/api/v1/disputes/").status_code == 404
    assert api_client.get(f"/api/v1/deductions/{deduction.pk}/").status_code == 404
    api_client.force_authenticate(manager)
    assert api_client.post(url + "approve/").json()["status"] == "written_off"
    assert Dispute.objects.get().status == Dispute.Status.WRITTEN_OFF
    assert Deduction.objects.get().recovered_amount == Decimal("1000.00")
    assert AccrualLine.objects.count() == 0


def test_a_claimed_month_is_read_and_refused_in_the_clients_language(
    api_client, finance, matching_account, matching_invoice
):
    api_client.force_authenticate(finance)
    body = {"invoice": matching_invoice.pk, "date": "2026-09-20", "kind": "tg", "amount": "300.00", "reason": "堆头费"}
    refused = api_client.post(
        "/api/v1/deductions/", {**body, "period_start": "2026-13"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["period_start"] == ["“2026-13”不是月份：请按 YYYY-MM 填写，例如 2026-05。"]
    assert not Deduction.objects.filter(reason="堆头费", amount=Decimal("300.00")).exists()
    made = api_client.post(
        "/api/v1/deductions/",
        {**body, "period_start": "2026-09", "period_end": "2026-10"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert made.status_code == 201, made.json()
    assert (made.json()["period_start"], made.json()["period_end"]) == ("2026-09", "2026-10")
