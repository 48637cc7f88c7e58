"""What the finance clerk's month-end walk found: a closed month took payments, matches of its deductions and
changes to terms it holds; an approved write-off still counted as unsupported; import hints stayed Chinese."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from contracts.models import ContractTerm, Payment
from contracts.services import contract_term_create, contract_term_update, payment_allocate, payment_record
from ka_portal.errors import DomainError
from tests.contracts.factories import ContractFactory
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.disputes import dispute_open, dispute_write_off, dispute_write_off_approve
from tradespend.matching import deduction_match_add
from tradespend.models import ClosedMonth

pytestmark = pytest.mark.django_db
SEP = date(2026, 9, 1)


def _close(*months, by):
    for month in months:
        ClosedMonth.objects.create(month=month, closed_by=by)


def test_a_payment_dated_in_a_closed_month_is_refused_and_nothing_is_recorded(matching_invoice, finance):
    _close(SEP, by=finance)
    with pytest.raises(DomainError) as refused:
        payment_record(account=matching_invoice.account, date=date(2026, 9, 20), amount=Decimal("1000.00"), by=finance)
    assert refused.value.code == "month.closed" and "2026-09" in refused.value.detail
    assert not Payment.objects.exists()
    matching_invoice.refresh_from_db()
    assert matching_invoice.open_amount == Decimal("100000.00")


def test_the_receivables_page_refuses_a_payment_in_a_closed_month(matching_invoice, finance):
    _close(SEP, by=finance)
    client = Client()
    client.force_login(finance)
    with translation.override("zh-hans"):
        response = client.post(
            reverse("contracts:receivables-account", args=[matching_invoice.account_id]),
            {
                "action": "payment",
                "payment-date": "2026-09-20",
                "payment-amount": "1000.00",
                "payment-mode": "oldest_first",
                "payment-reference": "CLOSED-MONTH",
                "payment-request_key": str(uuid.uuid4()),
            },  # fmt: skip
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert "2026-09 已结账" in response.content.decode()
    assert not Payment.objects.exists()


def test_what_is_left_of_a_payment_dated_in_a_closed_month_is_not_allocated(matching_invoice, finance):
    payment = payment_record(
        account=matching_invoice.account, date=date(2026, 9, 20), amount=Decimal("500.00"), auto_allocate=False
    )
    _close(SEP, by=finance)
    with pytest.raises(DomainError) as refused:
        payment_allocate(payment=payment)
    assert refused.value.code == "month.closed"
    payment.refresh_from_db()
    assert payment.allocated_amount == 0


def test_a_deduction_of_a_closed_month_keeps_its_matches(matching_account, matching_invoice, finance):
    line = matching_line(matching_account, date(2026, 6, 1), "1000.00")
    deduction = matching_deduction(matching_invoice, "800.00", kind="dm")  # no DM line: unsupported
    assert deduction.state == "unsupported"
    _close(SEP, by=finance)
    with pytest.raises(DomainError) as refused:
        deduction_match_add(deduction=deduction, line=line, amount=Decimal("500.00"), by=finance)
    assert refused.value.code == "month.closed" and "2026-09" in refused.value.detail
    deduction.refresh_from_db()
    assert deduction.state == "unsupported" and deduction.matched_amount == 0


def _term_of_a_closed_year(finance) -> ContractTerm:
    """A yearly 3,200.00 fee of a contract running through 2025, every month of which is closed."""
    contract = ContractFactory(valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))
    term = contract_term_create(
        contract=contract, kind="end_cap", basis="fixed", period="year", amount=Decimal("3200.00"),
        settlement="deducted",
    )  # fmt: skip
    _close(*(date(2025, month, 1) for month in range(1, 13)), by=finance)
    return term


def test_the_fee_of_a_term_whose_months_are_all_closed_cannot_change(finance):
    term = _term_of_a_closed_year(finance)
    with pytest.raises(DomainError) as refused:
        contract_term_update(term=term, amount=Decimal("3300.00"))
    assert refused.value.code == "term.months_closed" and "2025-01-01–2025-12-31" in refused.value.detail
    assert ContractTerm.objects.get(pk=term.pk).amount == Decimal("3200.00")
    contract_term_update(term=term, note="续签时核对")  # a note changes no figure
    assert ContractTerm.objects.get(pk=term.pk).note == "续签时核对"


def test_the_term_edit_page_refuses_a_closed_terms_new_fee(finance):
    term = _term_of_a_closed_year(finance)
    client = Client()
    client.force_login(finance)
    url = reverse("contracts:term-edit", args=[term.pk])
    form = {"kind": "end_cap", "basis": "fixed", "period": "year", "amount": "3300.00", "settlement": "deducted",
            "valid_from": "2025-01-01", "valid_to": "2025-12-31"}  # fmt: skip
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="en")
    assert "those months are all closed" in response.content.decode()
    assert ContractTerm.objects.get(pk=term.pk).amount == Decimal("3200.00")


def test_a_term_still_running_into_an_open_month_may_change(finance):
    # A listing fee: a display fee's agreement in the closed month stays as finance closed it, so a change reaching it
    # is refused (agreement.source_month_closed, tests/evidence/test_agreements_source_closed_months.py).
    contract = ContractFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    term = contract_term_create(
        contract=contract,
        kind="listing",
        basis="fixed",
        period="year",
        amount=Decimal("3200.00"),
        settlement="deducted",
    )
    _close(date(2026, 1, 1), by=finance)
    assert contract_term_update(term=term, amount=Decimal("3300.00")).amount == Decimal("3300.00")


def test_an_approved_write_off_leaves_the_managers_unsupported_card(
    matching_account, matching_invoice, finance, manager
):
    deduction = matching_deduction(matching_invoice, "6800.00", kind="display")
    dispute = dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance)
    dispute_write_off(dispute=dispute, note="接受", by=finance)
    client = Client()
    client.force_login(manager)
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="fig-write-offs-count">1<' in home and "6,800.00" in home
    assert 'data-testid="fig-unsupported-count">1<' in home
    dispute_write_off_approve(dispute=dispute, by=manager)
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="fig-write-offs-count">0<' in home
    assert 'data-testid="fig-unsupported-count">0<' in home
    sheet = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-state="written_off"' in sheet.content.decode()


def test_the_import_page_explains_choice_columns_in_english(finance):
    client = Client()
    client.force_login(finance)
    with translation.override("en"):
        page = client.get(reverse("imports:import"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "One of: Deducted from payment, Paid, Credit note" in page and "以下之一" not in page
    with translation.override("zh-hans"):
        page = client.get(reverse("imports:import"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "以下之一：" in page and ">格式与取值</th>" in page and "<th>业态</th>" not in page


def test_the_nightly_matching_leaves_a_deduction_of_a_closed_month_as_it_was(
    matching_account, matching_invoice, finance
):
    """A September DM deduction claiming September–October, unsupported when September closed: a DM line written
    later in open October would support it, but matching it now would move closed September's unsupported figure
    (and land in no month). The nightly matching leaves it, as finance's hand is refused."""
    from tradespend.matching import deductions_match
    from tradespend.models import DeductionMatch

    deduction = matching_deduction(
        matching_invoice, "800.00", kind="dm", period_start=date(2026, 9, 1), period_end=date(2026, 10, 1)
    )
    assert deduction.state == "unsupported"
    _close(SEP, by=finance)
    matching_line(matching_account, date(2026, 10, 1), "1000.00", kind="dm")
    deductions_match()
    deduction.refresh_from_db()
    assert deduction.state == "unsupported" and deduction.matched_amount == 0
    assert not DeductionMatch.objects.filter(deduction=deduction).exists()
    # the same deduction, its month open, is matched by the same run
    ClosedMonth.objects.filter(month=SEP).delete()
    deductions_match()
    deduction.refresh_from_db()
    assert deduction.state == "matched" and deduction.matched_amount == Decimal("800.00")
