"""Sums of money that subtract one amount from another in the database are exact on either engine: on SQLite such an
expression is computed in floating point and Django reads an aggregate back unrounded: 1.10 − 0.10 − 0.20 came back
as 0.8000000000000003, an "unsupported" figure, a reconciliation, a total off by a hair, until rounded to cents."""

from datetime import date

import pytest

from tests.factories import KeyAccountFactory
from tradespend.reports import live_figures

from .g2n_helpers import deduction, invoice

pytestmark = pytest.mark.django_db
JANUARY = date(2025, 1, 1)


def test_the_unsupported_deductions_of_a_month_sum_exactly():
    account = KeyAccountFactory(code="CRF")
    on = invoice(account, date(2025, 1, 5), "100.00")
    deduction(on, date(2025, 1, 20), "1.10", matched="0.10", recovered="0.20")  # 0.80 left
    deduction(on, date(2025, 1, 21), "0.70", matched="0.10", recovered="0.20")  # 0.40 left
    figures = live_figures([account.pk], [JANUARY])[account.pk, JANUARY]
    assert str(figures.unsupported) == "1.20"
