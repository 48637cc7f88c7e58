"""QA (ledger): a negative adjustment moves net and makes up no unsupported deduction; the adjustment form refuses a
month beyond what the books take and a reversal below what was accrued, and takes the contract by its number; a
month before the earliest closed one is not offered for closing."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import KeyAccount
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory
from tradespend import reports
from tradespend.accruals import accrual_adjust
from tradespend.closing import month_close_preview
from tradespend.matching import over_deducted_q
from tradespend.models import AccrualLine, ClosedMonth

from .test_accruals import contract, term

pytestmark = pytest.mark.django_db
D = Decimal
DEC = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def lotus(manager):
    """LOTUS with a TG fee of 2,400.00 the ledger holds in 2026-12, and no deduction at all."""
    account = KeyAccountFactory(code="LOTUS", name="莲花", owner=manager)
    AccrualLine.objects.create(
        account=account, month=DEC, source="adjustment", source_key="adjustment:tg-fee", kind="end_cap",
        category="fixed_fee", stage="adjustment", amount=D("2400.00"), reason="TG",
    )  # fmt: skip
    return account


def _figures(account):
    report = reports.gross_to_net(accounts=KeyAccount.objects.filter(pk=account.pk), month_from=DEC, month_to=DEC)
    return report.row_for(account).figures


def test_a_negative_adjustment_lowers_fixed_fees_and_raises_net_with_no_unsupported(finance, lotus):
    before = _figures(lotus)
    assert (before.fixed_fees, before.unsupported, before.net) == (D("2400.00"), 0, D("-2400.00"))
    accrual_adjust(account=lotus, month=DEC, kind="end_cap", amount=D("-400"), reason="TG费冲回", by=finance)
    after = _figures(lotus)
    assert (after.fixed_fees, after.unsupported, after.net) == (D("2000.00"), 0, D("-2000.00"))
    # the close preview of the month reads the same, and lists no over-deducted deduction
    preview = month_close_preview(month=DEC, by=finance, today=date(2027, 1, 5))
    row = next(figures for account, figures in preview.rows if account.pk == lotus.pk)
    assert (row.fixed_fees, row.unsupported, row.net) == (D("2000.00"), 0, D("-2000.00"))
    assert preview.over_deducted == []


def test_the_negative_line_alone_is_not_over_deducted(finance, lotus):
    accrual_adjust(account=lotus, month=DEC, kind="end_cap", amount=D("-400"), reason="TG费冲回", by=finance)
    from tradespend.matching import lines_with_matches

    flags = dict(lines_with_matches(AccrualLine.objects.filter(account=lotus)).values_list("amount", "over_deducted"))
    assert flags == {D("2400.00"): False, D("-400.00"): False}
    from contracts.models import Deduction

    assert not Deduction.objects.filter(over_deducted_q()).exists()


def test_a_reversal_beyond_what_was_accrued_is_refused_naming_the_accrued_figure(finance, lotus):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        accrual_adjust(account=lotus, month=DEC, kind="end_cap", amount=D("-2400.01"), reason="冲回", by=finance)
    assert refused.value.code == "adjustment.beyond_accrued" and refused.value.field == "amount"
    with translation.override("en"):
        assert "Only 2,400.00 accrued for TG fee at LOTUS in 2026-12" in refused.value.detail
    assert AccrualLine.objects.filter(account=lotus).count() == 1
    accrual_adjust(account=lotus, month=DEC, kind="end_cap", amount=D("-2400.00"), reason="全部冲回", by=finance)
    assert _figures(lotus).fixed_fees == 0


@pytest.mark.english
def test_the_form_refuses_a_month_too_far_ahead_and_a_reversal_below_zero(client, finance, lotus):
    client.force_login(finance)
    form = {"account": "LOTUS", "month": "2027-06", "kind": "end_cap", "amount": "100", "reason": "预提",
            "contract": "", "plan": ""}  # fmt: skip
    page = client.post(reverse("tradespend:ledger-adjust"), form).content.decode()
    # the month named as typed (YYYY-MM), not its first day
    assert "Month: 2027-06 is after 2027-01, the last month the books take" in page and 'value="2027-06"' in page
    page = client.post(reverse("tradespend:ledger-adjust"), {**form, "month": "2026-12", "amount": "-999999"})
    assert "Only 2,400.00 accrued for TG fee at LOTUS in 2026-12" in page.content.decode()
    assert AccrualLine.objects.filter(account=lotus).count() == 1
    saved = client.post(reverse("tradespend:ledger-adjust"), {**form, "month": "2027-01"})
    assert saved.status_code == 302  # 2027-01-01 is within 31 days of 2026-12-06


@pytest.mark.english
def test_the_form_takes_the_contract_number_the_clerk_sees(client, finance, lotus):
    deal = contract(lotus, number="HT-DEMO-2026-LOTUS")
    tg = term(deal, "end_cap", "fixed", amount="2400")
    client.force_login(finance)
    form = {"account": "LOTUS", "month": "2026-12", "kind": "end_cap", "amount": "-400", "reason": "TG费冲回",
            "contract": "HT-NOPE", "plan": ""}  # fmt: skip
    page = client.post(reverse("tradespend:ledger-adjust"), form).content.decode()
    assert "No contract HT-NOPE at this chain." in page and "Enter a whole number" not in page
    saved = client.post(reverse("tradespend:ledger-adjust"), {**form, "contract": "ht-demo-2026-lotus"})
    assert saved.status_code == 302
    line = AccrualLine.objects.get(reason="TG费冲回")
    assert (line.term, line.amount) == (tg, D("-400.00"))


@pytest.mark.english
def test_a_month_before_the_earliest_closed_one_is_not_offered(client, finance, lotus):
    ClosedMonth.objects.create(month=date(2026, 10, 1))
    ClosedMonth.objects.create(month=date(2026, 11, 1))
    client.force_login(finance)
    page = client.get(reverse("tradespend:month-close"), {"month": "2024-12"}).content.decode()
    # the true reason: 2024-12 is before the books begin (here, with the closes, in 2026-10), not merely "closed"
    assert "2024-12 cannot be closed: nothing is recorded in it or before it, as the books begin in 2026-10." in page
    assert "What will be frozen" not in page and 'data-testid="preview"' not in page
    refused = client.post(reverse("tradespend:month-close") + "?month=2024-12", {"month": "2024-12"})
    assert not ClosedMonth.objects.filter(month=date(2024, 12, 1)).exists()
    assert refused.status_code in (200, 302)
    months = client.get(reverse("tradespend:months")).context["rows"]
    assert [row["month"] for row in months if row["closable"]] == []  # 2026-12 is not over yet
