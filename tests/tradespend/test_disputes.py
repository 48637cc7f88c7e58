"""Disputes over unsupported deductions (issue 12 item 5): recovery re-opens the invoice and keeps the books
reconciled; write-offs up to the threshold at once, above it only with the account's KA manager's approval."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from contracts.models import Invoice
from contracts.selectors import account_balance, account_reconciliation, invoices_open_as_of, statement
from ka_portal.errors import DomainError
from tests.factories import make_user
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.disputes import (
    dispute_open,
    dispute_recover,
    dispute_write_off,
    dispute_write_off_approve,
    dispute_write_off_reject,
)
from tradespend.models import ClosedMonth, Dispute

pytestmark = pytest.mark.django_db
SEP = date(2026, 9, 1)


def _open(deduction, finance, **extra):
    return dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance, **extra)


def test_open_needs_an_unsupported_part(matching_account, matching_invoice, finance):
    matching_line(matching_account, SEP, "1000.00")
    matched = matching_deduction(matching_invoice, "1000.00")
    with pytest.raises(DomainError) as refused:
        _open(matched, finance)
    assert refused.value.code == "dispute.nothing_unsupported"
    partly = matching_deduction(matching_invoice, "600.00", kind="dm")
    dispute = _open(partly, finance)
    assert dispute.status == Dispute.Status.OPEN
    assert dispute.due_on == timezone.localdate() + timedelta(days=30)
    with pytest.raises(DomainError) as refused:
        _open(partly, finance)
    assert refused.value.code == "dispute.exists"


def test_recover_reopens_the_invoice_and_keeps_the_reconciliation(matching_account, matching_invoice, finance):
    matching_line(matching_account, SEP, "1000.00")
    deduction = matching_deduction(matching_invoice, "3000.00")  # 1000 matched, 2000 unsupported
    assert deduction.state == "partly_matched"
    matching_invoice.refresh_from_db()
    assert matching_invoice.open_amount == Decimal("97000.00")
    dispute = _open(deduction, finance)
    with pytest.raises(DomainError) as refused:
        dispute_recover(dispute=dispute, amount=Decimal("2000.01"), on=date(2026, 10, 5), note="", by=finance)
    assert refused.value.code == "dispute.beyond_unsupported" and "2,000.00" in str(refused.value.detail)
    dispute = dispute_recover(dispute=dispute, amount=Decimal("500.00"), on=date(2026, 10, 5), note="退回", by=finance)
    assert dispute.status == Dispute.Status.OPEN and dispute.recovered_amount == Decimal("500.00")
    matching_invoice.refresh_from_db()
    assert (matching_invoice.open_amount, matching_invoice.status) == (Decimal("97500.00"), Invoice.Status.PARTLY_PAID)
    totals = account_reconciliation(matching_account)
    assert totals.deducted == Decimal("2500.00") and totals.reconciles
    # As of dates: open again only from the day it was recovered.
    invoices = Invoice.objects.filter(pk=matching_invoice.pk)
    assert invoices_open_as_of(invoices, date(2026, 10, 4)).get().open_as_of == Decimal("97000.00")
    assert invoices_open_as_of(invoices, date(2026, 10, 5)).get().open_as_of == Decimal("97500.00")
    assert account_balance(matching_account, date(2026, 10, 5)) - account_balance(
        matching_account, date(2026, 10, 4)
    ) == Decimal("500.00")
    with translation.override("en"):
        sheet = statement(matching_account, date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    line = next(line for line in sheet.lines if line.kind == "recovery")
    assert (line.date, line.debit, str(line.label)) == (date(2026, 10, 5), Decimal("500.00"), "Deduction recovered")
    assert sheet.closing == sheet.opening + Decimal("500.00") and sheet.recovered == Decimal("500.00")
    # the statement's page and API say what came back, beside the deductions
    client = Client()
    client.force_login(finance)
    period = {"account": matching_account.code, "date_from": "2026-10-01", "date_to": "2026-10-31"}
    page = client.get(reverse("contracts:statement"), period, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Deductions recovered" in page and "500.00" in page
    api = client.get(
        "/api/v1/reports/statement/", {"account": matching_account.code, "from": "2026-10-01", "to": "2026-10-31"}
    ).json()
    assert api["recovered"] == "500.00"
    dispute = dispute_recover(dispute=dispute, amount=Decimal("1500.00"), on=date(2026, 10, 9), note="", by=finance)
    deduction.refresh_from_db()
    assert dispute.status == Dispute.Status.RECOVERED
    assert (deduction.recovered_amount, deduction.recovered_on, deduction.state) == (
        Decimal("2000.00"),
        date(2026, 10, 9),
        "matched",
    )
    assert account_reconciliation(matching_account).reconciles


def test_no_recovery_in_a_closed_month(matching_invoice, finance):
    dispute = _open(matching_deduction(matching_invoice, "800.00"), finance)
    ClosedMonth.objects.create(month=date(2026, 10, 1))
    with pytest.raises(DomainError) as refused:
        dispute_recover(dispute=dispute, amount=Decimal("100"), on=date(2026, 10, 3), note="", by=finance)
    assert refused.value.code == "month.closed"


def test_write_off_at_or_below_the_threshold_is_immediate(matching_invoice, finance, settings):
    dispute = _open(matching_deduction(matching_invoice, "5000.00"), finance)
    dispute = dispute_write_off(dispute=dispute, note="金额小，接受", by=finance)
    assert dispute.status == Dispute.Status.WRITTEN_OFF and dispute.resolved_by == finance


def test_write_off_above_the_threshold_needs_the_owner(matching_invoice, finance, manager):
    dispute = _open(matching_deduction(matching_invoice, "5000.01"), finance)
    dispute = dispute_write_off(dispute=dispute, note="接受", by=finance)
    assert dispute.status == Dispute.Status.WRITE_OFF_REQUESTED
    other_manager = make_user("manager")
    for refused_user in (finance, other_manager):
        with pytest.raises(DomainError) as refused:
            dispute_write_off_approve(dispute=dispute, by=refused_user)
        assert refused.value.code == "dispute.approval_needs_owner"
        assert "5,000.00" in str(refused.value.detail)  # as the pages write amounts
    dispute = dispute_write_off_reject(dispute=dispute, reason="先再谈", by=manager)
    assert (dispute.status, dispute.outcome_note) == (Dispute.Status.OPEN, "先再谈")
    dispute = dispute_write_off(dispute=dispute, note="接受", by=finance)
    dispute = dispute_write_off_approve(dispute=dispute, by=manager)
    assert (dispute.status, dispute.resolved_by) == (Dispute.Status.WRITTEN_OFF, manager)
    with pytest.raises(DomainError) as refused:
        dispute_recover(dispute=dispute, amount=Decimal("1"), on=date(2026, 10, 3), note="", by=finance)
    assert refused.value.code == "dispute.status"


def test_an_admin_may_approve(matching_invoice, finance, admin_user):
    dispute = _open(matching_deduction(matching_invoice, "9000.00"), finance)
    dispute = dispute_write_off(dispute=dispute, note="接受", by=finance)
    assert dispute_write_off_approve(dispute=dispute, by=admin_user).status == Dispute.Status.WRITTEN_OFF


def test_the_deduction_sheet_offers_the_approval_to_whoever_may_approve(matching_invoice, finance, admin_user, manager):
    """The button follows the service's rule (tradespend.disputes.may_approve_write_off): the account's KA manager
    and an administrator see it; another KA manager and finance do not; and an administrator's press approves."""
    matching_invoice.account.owner = manager
    matching_invoice.account.save(update_fields=["owner"])
    deduction = matching_deduction(matching_invoice, "9000.00")
    dispute_write_off(dispute=_open(deduction, finance), note="接受", by=finance)
    sheet = reverse("tradespend:deduction-sheet", args=[deduction.pk])

    def offered(user) -> bool:
        client = Client()
        client.force_login(user)
        page = client.get(sheet)
        return page.status_code == 200 and 'data-testid="approve"' in page.content.decode()

    assert offered(manager) and offered(admin_user)
    assert not offered(finance) and not offered(make_user("manager"))
    client = Client()
    client.force_login(admin_user)
    client.post(sheet, {"action": "approve"})
    assert Dispute.objects.get(deduction=deduction).status == Dispute.Status.WRITTEN_OFF


def test_a_duplicate_may_be_disputed(matching_account, matching_invoice, finance):
    matching_line(matching_account, SEP, "3000.00")
    matching_deduction(matching_invoice, "3000.00")
    twin = matching_deduction(matching_invoice, "3000.00")
    assert twin.state == "duplicate"
    dispute = _open(twin, finance)
    dispute = dispute_recover(dispute=dispute, amount=Decimal("3000.00"), on=date(2026, 9, 30), note="", by=finance)
    twin.refresh_from_db()
    assert dispute.status == Dispute.Status.RECOVERED
    assert (twin.state, twin.recovered_amount, twin.matched_amount) == ("duplicate", Decimal("3000.00"), 0)


def test_the_chain_gives_back_the_whole_unsupported_part_to_the_cent(matching_account, matching_invoice, finance):
    # matched + recovered = the deduction, in amounts SQLite's floating point does not subtract exactly
    # (6,823.16 − 6,583.33 is 239.82999999999993 there): the check on the deduction compares them in cents
    matching_line(matching_account, SEP, "239.83")
    deduction = matching_deduction(matching_invoice, "6823.16")
    dispute = dispute_recover(
        dispute=_open(deduction, finance), amount=Decimal("6583.33"), on=date(2026, 10, 5), note="退回", by=finance
    )
    deduction.refresh_from_db()
    assert (deduction.matched_amount, deduction.recovered_amount) == (Decimal("239.83"), Decimal("6583.33"))
    assert dispute.status == Dispute.Status.RECOVERED
    assert account_reconciliation(matching_account).reconciles
