"""A recovery counts in the month it is dated in: one of a deduction whose month is closed leaves that month's figures
as they were frozen (and its close page shows no drift) and lowers the unsupported deductions of the open month it
is recorded in, where the month figures and gross to net show it and its close freezes it."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import KeyAccount
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory
from tradespend import reports
from tradespend.closing import month_close
from tradespend.disputes import dispute_open, dispute_recover
from tradespend.models import ClosedFigure

from .g2n_helpers import deduction, invoice

pytestmark = pytest.mark.django_db

SEP, OCT, NOV = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
TODAY = date(2026, 12, 4)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


@pytest.fixture
def wmt(db):
    return KeyAccountFactory(code="WMT", name="沃尔玛")


@pytest.fixture
def disputed(wmt, finance):
    """September: 5,000.00 invoiced and a 1,000.00 TG deduction, unsupported and disputed."""
    taken = deduction(invoice(wmt, date(2026, 9, 3), "5000.00"), date(2026, 9, 20), "1000.00")
    return dispute_open(deduction=taken, reason="无合同依据", owner=finance, by=finance)


def _month(month: date) -> reports.Figures:
    report = reports.gross_to_net(accounts=KeyAccount.objects.all(), month_from=month, month_to=month)
    return report.rows[0].figures


def _month_net_cell(client, finance, month: date) -> str:
    client.force_login(finance)
    page = client.get(reverse("tradespend:months"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = page.split(f'data-month="{month:%Y-%m}"')[1].split("</tr>")[0]
    return _text(row.split('data-testid="month-net">')[1].split("</td>")[0])


def test_a_recovery_after_the_close_leaves_the_closed_month_and_lands_in_the_open_one(client, finance, disputed):
    # Given September closed with 1,000.00 unsupported (net 4,000.00)
    month_close(month=SEP, by=finance, today=TODAY)
    # When the chain gives 600.00 back, recorded on 5 October
    dispute_recover(dispute=disputed, amount=Decimal("600.00"), on=date(2026, 10, 5), note="退回", by=finance)

    # Then September reads as closed, live and frozen alike: its close page shows nothing moved
    assert ClosedFigure.objects.get(account__code="WMT").unsupported == Decimal("1000.00")
    assert _month(SEP).unsupported == Decimal("1000.00") and _month(SEP).net == Decimal("4000.00")
    client.force_login(finance)
    page = client.get(reverse("tradespend:month-close"), {"month": "2026-09"}, HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="drift"' not in page.content.decode()
    # And October shows the 600.00 given back: unsupported −600.00, net +600.00, on its row of the months page too
    assert _month(OCT).unsupported == Decimal("-600.00") and _month(OCT).net == Decimal("600.00")
    assert _month_net_cell(client, finance, OCT) == "600.00"
    assert _month_net_cell(client, finance, SEP) == "4,000.00"
    # And the two months together count the deduction once, less what came back
    both = reports.gross_to_net(accounts=KeyAccount.objects.all(), month_from=SEP, month_to=OCT).total
    assert both.unsupported == Decimal("400.00")


def test_a_recovery_counts_in_its_own_month_while_both_are_open_and_is_frozen_there(finance, disputed):
    dispute_recover(dispute=disputed, amount=Decimal("250.00"), on=date(2026, 10, 2), note="", by=finance)
    assert _month(SEP).unsupported == Decimal("1000.00")
    assert _month(OCT).unsupported == Decimal("-250.00")

    month_close(month=SEP, by=finance, today=TODAY)
    month_close(month=OCT, by=finance, today=TODAY)

    frozen = {f.closed_month.month: f.unsupported for f in ClosedFigure.objects.select_related("closed_month")}
    assert frozen == {SEP: Decimal("1000.00"), OCT: Decimal("-250.00")}


def test_a_recovery_in_the_deductions_own_month_lowers_that_month(finance, disputed):
    dispute_recover(dispute=disputed, amount=Decimal("100.00"), on=date(2026, 9, 28), note="", by=finance)
    assert _month(SEP).unsupported == Decimal("900.00")
    assert _month(OCT).is_empty


def test_a_month_holding_only_a_recovery_waits_to_be_closed_in_order(finance, disputed):
    month_close(month=SEP, by=finance, today=TODAY)
    dispute_recover(dispute=disputed, amount=Decimal("100.00"), on=date(2026, 10, 9), note="", by=finance)
    with pytest.raises(DomainError) as refused:
        month_close(month=NOV, by=finance, today=TODAY)
    assert refused.value.code == "month.earlier_open" and refused.value.params["earlier"] == "2026-10"


def test_the_chain_page_says_which_recoveries_the_deductions_list_does_not_add_up_to(client, finance, wmt, disputed):
    """Finding: a chain's October unsupported figure was 600.00 lower than the deductions its link lists (none, here:
    the deduction is September's), with nothing saying why; September's figure keeps the 600.00 that its list has
    already taken off the deduction. Each period says what it is net of, in both languages."""
    dispute_recover(dispute=disputed, amount=Decimal("600.00"), on=date(2026, 10, 5), note="退回", by=finance)
    client.force_login(finance)
    url = reverse("tradespend:gross-to-net-account", args=[wmt.code])

    october = client.get(url, {"month_from": "2026-10", "month_to": "2026-10"}, HTTP_ACCEPT_LANGUAGE="en")
    note = _text(october.content.decode().split('data-testid="recoveries-across">')[1].split("</p>")[0])
    assert note == (
        "Unsupported deductions are net of 600.00 recovered in this period on deductions dated before it, which the "
        "deductions list of the period does not show."
    )
    september = client.get(url, {"month_from": "2026-09", "month_to": "2026-09"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    note = _text(september.content.decode().split('data-testid="recoveries-across">')[1].split("</p>")[0])
    assert note.startswith("本期扣款在本期之后追回的 600.00 仍计入本期")
    # a period holding both the deduction and its recovery adds up with its list: nothing to say
    both = client.get(url, {"month_from": "2026-09", "month_to": "2026-10"}).content.decode()
    assert 'data-testid="recoveries-across"' not in both
