"""A recovery that brings a partly matched deduction within the matching tolerance: the tolerance difference it
leaves accepted as matched is the recovery's doing, so it counts in the month the recovery is dated in, like the
amount given back. The deduction's month — closed and frozen, or still open — keeps its figure to the cent."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import KeyAccount
from contracts.models import Deduction
from tests.factories import KeyAccountFactory
from tradespend import reports
from tradespend.closing import month_close
from tradespend.disputes import dispute_open, dispute_recover
from tradespend.matching import deduction_match_remove, deductions_match
from tradespend.models import ClosedFigure, DeductionRecovery

from .g2n_helpers import deduction, invoice, line

pytestmark = pytest.mark.django_db

SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)
TODAY = date(2026, 12, 4)


@pytest.fixture
def partly(db, finance):
    """September: a 1,000.00 DM deduction against a 900.00 DM line: partly matched, 100.00 unsupported, disputed."""
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛")
    line(wmt, SEP, "dm", "900.00")
    taken = deduction(invoice(wmt, date(2026, 9, 3), "5000.00"), date(2026, 9, 20), "1000.00", kind="dm")
    deductions_match(deductions=[taken])
    taken.refresh_from_db()
    assert (taken.state, taken.matched_amount) == (Deduction.State.PARTLY_MATCHED, Decimal("900.00"))
    return dispute_open(deduction=taken, reason="无合同依据", owner=finance, by=finance)


def _unsupported(month: date) -> Decimal:
    report = reports.gross_to_net(accounts=KeyAccount.objects.all(), month_from=month, month_to=month)
    return report.rows[0].figures.unsupported


def _recover_99_50(dispute, finance):
    """The chain gives back 99.50 of the 100.00 on 5 October: the 0.50 left is within the tolerance (0.5 % of
    1,000.00), so the deduction is matched and the dispute recovered."""
    dispute = dispute_recover(dispute=dispute, amount=Decimal("99.50"), on=date(2026, 10, 5), note="退回", by=finance)
    taken = Deduction.objects.get()
    assert (taken.state, taken.matched_amount) == (Deduction.State.MATCHED, Decimal("900.50"))
    assert dispute.status == "recovered"
    return dispute


def test_the_closed_month_of_the_deduction_keeps_its_figure_to_the_cent(client, finance, partly):
    month_close(month=SEP, by=finance, today=TODAY)
    _recover_99_50(partly, finance)

    assert ClosedFigure.objects.get().unsupported == Decimal("100.00")
    assert _unsupported(SEP) == Decimal("100.00")  # live, as frozen: nothing drifted
    client.force_login(finance)
    page = client.get(reverse("tradespend:month-close"), {"month": "2026-09"}, HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="drift"' not in page.content.decode()
    # October takes the whole change: 99.50 given back and the 0.50 accepted with it
    assert _unsupported(OCT) == Decimal("-100.00")
    assert DeductionRecovery.objects.get().tolerance_difference == Decimal("0.50")


def test_the_open_month_of_the_deduction_keeps_its_figure_too(finance, partly):
    _recover_99_50(partly, finance)

    assert _unsupported(SEP) == Decimal("100.00")
    assert _unsupported(OCT) == Decimal("-100.00")
    both = reports.gross_to_net(accounts=KeyAccount.objects.all(), month_from=SEP, month_to=OCT).total
    assert both.unsupported == Decimal("0.00")
    # and the figures frozen by closing both months are the same
    month_close(month=SEP, by=finance, today=TODAY)
    month_close(month=OCT, by=finance, today=TODAY)
    frozen = {f.closed_month.month: f.unsupported for f in ClosedFigure.objects.select_related("closed_month")}
    assert frozen == {SEP: Decimal("100.00"), OCT: Decimal("-100.00")}


def test_a_recovery_in_the_deductions_own_month_counts_there_whole(finance, partly):
    dispute_recover(dispute=partly, amount=Decimal("99.50"), on=date(2026, 9, 28), note="", by=finance)
    assert _unsupported(SEP) == Decimal("0.00")
    assert DeductionRecovery.objects.get().tolerance_difference == Decimal("0.50")


def test_a_match_removed_after_the_recovery_decides_the_deduction_again_in_its_own_open_month(finance, partly):
    _recover_99_50(partly, finance)
    deduction_match_remove(match=Deduction.objects.get().matches.get(), by=finance)

    taken = Deduction.objects.get()
    assert (taken.state, taken.matched_amount) == (Deduction.State.UNSUPPORTED, Decimal("0.00"))
    assert DeductionRecovery.objects.get().tolerance_difference == Decimal("0.00")
    # the 900.50 no longer matched is September's again; October keeps what came back
    assert _unsupported(SEP) == Decimal("1000.00")
    assert _unsupported(OCT) == Decimal("-99.50")


def test_recoveries_recorded_before_get_the_difference_they_left(finance, partly):
    """The migration: a recovery recorded before the difference was kept on it gets it, so its deduction's month
    reads again as it was frozen (the close page's drift goes)."""
    from importlib import import_module

    from django.apps import apps

    _recover_99_50(partly, finance)
    DeductionRecovery.objects.update(tolerance_difference=0)  # as recorded before
    assert _unsupported(SEP) == Decimal("99.50")

    import_module("tradespend.migrations.0008_recovery_tolerance_difference").attribute_past_differences(apps, None)

    assert DeductionRecovery.objects.get().tolerance_difference == Decimal("0.50")
    assert _unsupported(SEP) == Decimal("100.00") and _unsupported(OCT) == Decimal("-100.00")
