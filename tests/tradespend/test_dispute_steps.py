"""A dispute's steps are kept (finding: the dispute's note was overwritten at each step, so a finance clerk lost what
had been said to the chain). Every step taken through tradespend.disputes — the deduction's page, the API, the demo —
logs who, when, the status before and after and what was typed; the deduction's page, the deductions API's detail,
the disputes API and the admin show them newest first."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from ka_portal.errors import DomainError
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.disputes import (
    dispute_close,
    dispute_open,
    dispute_recover,
    dispute_write_off,
    dispute_write_off_reject,
)
from tradespend.matching import deduction_match_add, deduction_match_remove
from tradespend.models import Dispute, DisputeStep

pytestmark = pytest.mark.django_db
SEP = date(2026, 9, 1)


@pytest.fixture
def talked_over(finance, manager, matching_invoice):
    """A TG fee of 8,000.00 (above the write-off threshold) disputed by finance, part recovered, its write-off asked
    for and rejected by the account's KA manager, then asked for again: four notes typed over the weeks."""
    manager.first_name, manager.last_name = "敏", "王"
    manager.save()
    finance.first_name, finance.last_name = "洋", "刘"
    finance.save()
    deduction = matching_deduction(matching_invoice, "8000.00")
    dispute = dispute_open(deduction=deduction, reason="无合同依据，已发函沃尔玛", owner=finance, by=finance)
    dispute = dispute_recover(
        dispute=dispute, amount=Decimal("1000.00"), on=date(2026, 10, 5), note="总部退回1000", by=finance
    )
    dispute = dispute_write_off(dispute=dispute, note="卖场坚持扣款", by=finance)
    dispute = dispute_write_off_reject(dispute=dispute, reason="先找门店核对", by=manager)
    dispute = dispute_write_off(dispute=dispute, note="门店确认无误，请批准", by=finance)
    return dispute


def _steps(dispute):
    return list(
        DisputeStep.objects.filter(dispute=dispute)
        .order_by("-at", "-pk")
        .values_list("action", "from_status", "to_status", "note", "by__username", "amount")
    )


def test_every_step_keeps_its_note_who_and_the_change_of_status(talked_over, finance, manager):
    assert talked_over.status == Dispute.Status.WRITE_OFF_REQUESTED
    assert talked_over.outcome_note == "门店确认无误，请批准"  # the dispute holds the latest note only
    asked, seven = "write_off_requested", Decimal("7000.00")
    assert _steps(talked_over) == [
        (asked, "open", asked, "门店确认无误，请批准", finance.username, seven),
        ("write_off_rejected", asked, "open", "先找门店核对", manager.username, None),
        (asked, "open", asked, "卖场坚持扣款", finance.username, seven),
        ("recovered", "open", "open", "总部退回1000", finance.username, Decimal("1000.00")),
        ("opened", "", "open", "无合同依据，已发函沃尔玛", finance.username, None),
    ]
    assert DisputeStep.objects.get(dispute=talked_over, action="recovered").on == date(2026, 10, 5)


def test_a_refused_step_logs_nothing(talked_over, finance):
    before = _steps(talked_over)
    with pytest.raises(DomainError):
        dispute_recover(dispute=talked_over, amount=Decimal("7000.01"), on=date(2026, 10, 6), note="多退", by=finance)
    with pytest.raises(DomainError):
        dispute_close(dispute=talked_over, note="已核对", by=finance)
    assert _steps(talked_over) == before


def test_closed_as_supported_then_taken_up_again_keeps_both_reasons(finance, matching_account, matching_invoice):
    deduction = matching_deduction(matching_invoice, "600.00")
    dispute = dispute_open(deduction=deduction, reason="无TG协议", owner=finance, by=finance)
    line = matching_line(matching_account, SEP, "600.00")
    match = deduction_match_add(deduction=deduction, line=line, amount=Decimal("600.00"), by=finance)
    dispute = dispute_close(dispute=dispute, note="补录TG费用后已支持", by=finance)
    deduction_match_remove(match=match, by=finance)
    dispute = dispute_open(deduction=deduction, reason="TG费用记错门店，重新追讨", owner=finance, by=finance)
    assert [(action, before, after, note) for action, before, after, note, _by, _amount in _steps(dispute)] == [
        ("taken_up_again", "supported", "open", "TG费用记错门店，重新追讨"),
        ("closed", "open", "supported", "补录TG费用后已支持"),
        ("opened", "", "open", "无TG协议"),
    ]


def test_the_deductions_page_shows_the_steps_newest_first(client, talked_over, finance):
    client.force_login(finance)
    page = client.get(
        reverse("tradespend:deduction-sheet", args=[talked_over.deduction_id]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    history = page.split('data-testid="dispute-steps"')[1].split("</ol>")[0]
    actions = [part.split("<")[0].strip() for part in history.split('data-testid="dispute-step-action">')[1:]]
    assert actions == [
        "Write-off requested",
        "Write-off rejected",
        "Write-off requested",
        "Recovery recorded",
        "Dispute opened",
    ]
    notes = [part.split("<")[0] for part in history.split('data-testid="dispute-step-note">')[1:]]
    assert notes == ["门店确认无误，请批准", "先找门店核对", "卖场坚持扣款", "总部退回1000", "无合同依据，已发函沃尔玛"]
    assert "王敏" in history and "刘洋" in history
    assert "Write-off awaiting approval → Open" in history and "7,000.00" in history


def test_the_deductions_api_detail_and_the_disputes_api_give_the_steps(api_client, talked_over, finance, manager):
    api_client.force_authenticate(finance)
    detail = api_client.get(f"/api/v1/deductions/{talked_over.deduction_id}/", HTTP_ACCEPT_LANGUAGE="en").json()
    steps = detail["dispute_steps"]
    assert [(s["action"], s["note"], s["by"]) for s in steps] == [
        ("write_off_requested", "门店确认无误，请批准", finance.username),
        ("write_off_rejected", "先找门店核对", manager.username),
        ("write_off_requested", "卖场坚持扣款", finance.username),
        ("recovered", "总部退回1000", finance.username),
        ("opened", "无合同依据，已发函沃尔玛", finance.username),
    ]
    assert steps[1]["step"] == "Write-off rejected"
    assert (steps[1]["from_status"], steps[1]["to_status"]) == ("write_off_requested", "open")
    assert (steps[3]["amount"], steps[3]["on"]) == ("1000.00", "2026-10-05")
    # a page of the list does without them (its queries stay fixed)
    listed = api_client.get("/api/v1/deductions/").json()["results"]
    assert listed and "dispute_steps" not in listed[0]
    dispute = api_client.get(f"/api/v1/disputes/{talked_over.pk}/").json()
    assert [s["note"] for s in dispute["steps"]] == [s["note"] for s in steps]
    # a step through the API is logged as the page's are, and answered with the others
    refused = api_client.post(f"/api/v1/disputes/{talked_over.pk}/reject/", {"reason": "x"}, format="json")
    assert refused.json()["code"] == "dispute.approval_needs_owner"  # the approver rejects, not finance
    assert len(api_client.get(f"/api/v1/disputes/{talked_over.pk}/").json()["steps"]) == len(steps)
    api_client.force_authenticate(manager)
    answer = api_client.post(f"/api/v1/disputes/{talked_over.pk}/reject/", {"reason": "金额太大"}, format="json")
    assert answer.status_code == 200
    assert [(s["action"], s["note"], s["by"]) for s in answer.json()["steps"][:2]] == [
        ("write_off_rejected", "金额太大", manager.username),
        ("write_off_requested", "门店确认无误，请批准", finance.username),
    ]


def test_a_deduction_never_disputed_has_no_steps(api_client, finance, matching_invoice, client):
    deduction = matching_deduction(matching_invoice, "300.00")
    api_client.force_authenticate(finance)
    assert api_client.get(f"/api/v1/deductions/{deduction.pk}/").json()["dispute_steps"] == []
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).content.decode()
    assert 'data-testid="dispute-steps"' not in page


def test_the_admin_shows_the_steps_of_a_dispute(client, admin_user, talked_over):
    client.force_login(admin_user)
    page = client.get(reverse("admin:tradespend_dispute_change", args=[talked_over.pk])).content.decode()
    steps = page.split('id="steps-group"')[1]
    for note in ("无合同依据，已发函沃尔玛", "总部退回1000", "卖场坚持扣款", "先找门店核对", "门店确认无误，请批准"):
        assert note in steps
    assert steps.index("门店确认无误，请批准") < steps.index("无合同依据，已发函沃尔玛")  # newest first


def test_the_migration_gives_disputes_recorded_before_it_the_steps_their_fields_tell(talked_over, finance, manager):
    DisputeStep.objects.all().delete()
    migration = importlib.import_module("tradespend.migrations.0014_dispute_steps")
    migration.steps_from_disputes(apps, None)
    steps = _steps(talked_over)
    assert [(action, before, after, note) for action, before, after, note, _by, _amount in steps] == [
        ("write_off_requested", "open", "write_off_requested", "门店确认无误，请批准"),
        ("write_off_rejected", "write_off_requested", "open", ""),
        ("opened", "", "open", "无合同依据，已发函沃尔玛"),
    ]
    opened = DisputeStep.objects.get(dispute=talked_over, action="opened")
    assert opened.at == talked_over.created_at and opened.by == finance
