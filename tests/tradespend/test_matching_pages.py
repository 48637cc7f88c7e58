"""The matching pages (issue 12 item 5): the deductions list with state totals and export, the validation sheet
(lines behind it, over-deducted flag, manual match, dispute box by role), the disputes list; scope by role."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract, ContractTerm
from tests.contracts.factories import ContractFactory
from tests.factories import make_user
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.disputes import dispute_open, dispute_write_off
from tradespend.models import AccrualLine, Dispute

pytestmark = [pytest.mark.django_db, pytest.mark.english]
SEP = date(2026, 9, 1)


def _term_line(account, amount):
    contract = ContractFactory(account=account, number="HT-RTM-01")
    term = ContractTerm.objects.create(
        contract=contract,
        kind="end_cap",
        basis="fixed",
        period="monthly",
        amount=Decimal("5000"),
        valid_from=contract.valid_from,
        valid_to=contract.valid_to,
    )
    return matching_line(account, SEP, amount, stage="accrued", term=term, source="term", source_key=f"term:{term.pk}")


def test_list_shows_states_totals_and_filters(client, finance, matching_account, matching_invoice):
    matching_line(matching_account, SEP, "1000.00")
    matching_deduction(matching_invoice, "1000.00", reference="FY-1")
    matching_deduction(matching_invoice, "700.00", kind="listing", reference="FY-2")
    client.force_login(finance)
    page = client.get(reverse("tradespend:deductions")).content.decode()
    assert "FY-1" in page and "FY-2" in page and "Match all automatically" in page
    assert "1,000.00" in page and "700.00" in page
    filtered = client.get(reverse("tradespend:deductions"), {"state": "unsupported"}).content.decode()
    assert "FY-2" in filtered and "FY-1" not in filtered
    by_month = client.get(reverse("tradespend:deductions"), {"period": "2026-10"}).content.decode()
    assert "No deductions match these filters." in by_month
    export = client.get(reverse("tradespend:deductions"), {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_match_all_button(client, finance, matching_account, matching_invoice):
    deduction = matching_deduction(matching_invoice, "1000.00")
    matching_line(matching_account, SEP, "1000.00")
    client.force_login(finance)
    answer = client.post(reverse("tradespend:deductions-match-all"), follow=True)
    assert "1 of 1 deductions changed" in answer.content.decode()
    deduction.refresh_from_db()
    assert deduction.state == "matched"


def test_sheet_shows_the_term_behind_the_line_and_over_deduction(client, finance, matching_account, matching_invoice):
    line = _term_line(matching_account, "5000.00")
    deduction = matching_deduction(matching_invoice, "5000.00")
    AccrualLine.objects.filter(pk=line.pk).update(amount=Decimal("4000.00"))
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).content.decode()
    assert "HT-RTM-01" in page and 'data-testid="over-deducted"' in page
    assert "-1,000.00" in page
    assert "Visit evidence" in page


def test_manual_match_on_the_sheet_and_its_refusal(client, finance, matching_account, matching_invoice):
    deduction = matching_deduction(matching_invoice, "800.00")
    listing = matching_line(matching_account, SEP, "500.00")  # its kind (TG), after automatic matching ran
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    client.force_login(finance)
    refused = client.post(url, {"action": "match_add", "match-line": listing.pk, "match-amount": "600"})
    assert "A match beyond what was accrued" in refused.content.decode()
    done = client.post(url, {"action": "match_add", "match-line": listing.pk, "match-amount": "500"}, follow=True)
    page = done.content.decode()
    assert "500.00 matched to the 2026-09 line." in page and "Partly matched" in page
    deduction.refresh_from_db()
    assert deduction.matched_amount == Decimal("500.00")


def test_dispute_on_the_sheet_and_approval_by_the_owner(client, finance, manager, matching_invoice):
    deduction = matching_deduction(matching_invoice, "8000.00")
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    client.force_login(finance)
    client.post(url, {"action": "dispute_open", "dispute-reason": "无合同依据"})
    dispute = Dispute.objects.get()
    assert dispute.due_on == timezone.localdate() + timedelta(days=30)
    client.post(url, {"action": "write_off", "writeoff-note": "接受"})
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.WRITE_OFF_REQUESTED
    answer = client.post(url, {"action": "approve"}, follow=True).content.decode()
    assert "needs the approval of the account" in answer
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert 'data-testid="approve"' in page and 'data-testid="match-form"' not in page
    client.post(url, {"action": "approve"})
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.WRITTEN_OFF
    assert client.post(url, {"action": "match_add"}).status_code == 403


def test_scope_reps_and_other_managers(client, rep, finance, matching_invoice):
    deduction = matching_deduction(matching_invoice, "800.00")
    dispute_open(deduction=deduction, reason="x", owner=finance, by=finance)
    other = make_user("manager")
    client.force_login(other)
    assert client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).status_code == 404
    assert "No disputes yet." in client.get(reverse("tradespend:disputes")).content.decode()
    client.force_login(rep)
    for name in ("tradespend:deductions", "tradespend:disputes"):
        assert client.get(reverse(name)).status_code == 404
    assert client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).status_code == 404


def test_disputes_list_overdue_first(client, finance, matching_invoice):
    late = dispute_open(
        deduction=matching_deduction(matching_invoice, "800.00"), reason="晚", owner=finance, by=finance
    )
    soon = dispute_open(
        deduction=matching_deduction(matching_invoice, "900.00", kind="dm"), reason="早", owner=finance, by=finance
    )
    Dispute.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    dispute_write_off(dispute=soon, note="接受", by=finance)
    client.force_login(finance)
    page = client.get(reverse("tradespend:disputes")).content.decode()
    assert page.index("晚") < page.index("早") and "Overdue" in page
    only_open = client.get(reverse("tradespend:disputes"), {"status": "open"}).content.decode()
    assert "晚" in only_open and "早" not in only_open
    assert Contract.objects.count() == 0


def test_an_open_dispute_reads_as_in_progress_in_chinese(client, finance, matching_invoice):
    deduction = matching_deduction(matching_invoice, "800.00")
    dispute_open(deduction=deduction, reason="无依据", owner=finance, by=finance)
    client.force_login(finance)
    page = client.get(
        reverse("tradespend:deduction-sheet", args=[deduction.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "处理中" in page and "向客户发起争议" not in page and "登记追回" in page
