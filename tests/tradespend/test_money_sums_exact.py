"""Money summed or subtracted in the database is exact in cents on either engine (ka_portal.money): SQLite computes
decimals in floating point, and until such figures went through `money_sum` / `Money` an "unsupported" figure came
back as 1.20000000000000, a thousand accrued amounts of 0.10 as 99.9999999999986, and a line matched to the cent by
0.70 + 0.20 + 0.10 had 1e-16 left, so it was still offered to match a deduction against."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from tests.factories import KeyAccountFactory
from tradespend.matching import lines_with_matches, manual_match_lines
from tradespend.models import AccrualLine
from tradespend.reports import live_figures

from .g2n_helpers import deduction, invoice
from .matching_data import matching_deduction, matching_line

pytestmark = pytest.mark.django_db
JANUARY = date(2025, 1, 1)


def test_the_unsupported_deductions_of_a_month_sum_exactly():
    account = KeyAccountFactory(code="CRF")
    on = invoice(account, date(2025, 1, 5), "100.00")
    deduction(on, date(2025, 1, 20), "1.10", matched="0.10", recovered="0.20")  # 0.80 left
    deduction(on, date(2025, 1, 21), "0.70", matched="0.10", recovered="0.20")  # 0.40 left
    figures = live_figures([account.pk], [JANUARY])[account.pk, JANUARY]
    assert str(figures.unsupported) == "1.20"


def test_a_thousand_small_fees_add_up_to_the_cent():
    account = KeyAccountFactory(code="CRF")
    fee = {"month": JANUARY, "kind": "end_cap", "category": "fixed_fee", "stage": "adjustment", "source": "adjustment"}
    AccrualLine.objects.bulk_create(
        AccrualLine(account=account, amount=Decimal("0.10"), source_key=f"adjustment:{uuid.uuid4()}", **fee)
        for _ in range(1000)
    )
    figures = live_figures([account.pk], [JANUARY])[account.pk, JANUARY]
    assert str(figures.fixed_fees) == "100.00"


def test_a_line_matched_to_the_cent_is_offered_no_more(matching_account, matching_invoice):
    line = matching_line(matching_account, date(2026, 9, 1), "1.00")
    for amount in ("0.70", "0.20", "0.10"):  # each recorded deduction is matched to the line as it comes
        matching_deduction(matching_invoice, amount)
    matched = lines_with_matches(AccrualLine.objects.filter(pk=line.pk)).get()
    assert (str(matched.deducted), str(matched.remaining)) == ("1.00", "0.00")
    another = matching_deduction(matching_invoice, "5.00")
    assert line not in manual_match_lines(lines_with_matches(AccrualLine.objects.all()), another, other_kinds=True)
