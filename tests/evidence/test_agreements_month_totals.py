"""The list's month: it holds every agreement whose period touches the month (what to check in the stores), and its
totals and Excel count each fee once, in the month it is payable in — the month its period starts, as the
trade-spend ledger books a display fee (QA: AUCHAN-010, Nov 16 – Jan 15, 1,200, counted 1,200 in each of three
months, cards and Excel alike)."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.evidence.agreement_data import agreement, chain

pytestmark = pytest.mark.django_db
LIST = reverse("evidence:agreement-list")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def world(manager, rep):
    account, [store] = chain(manager, rep, code="AUCHAN")
    across = agreement(account, store=store, kind="facings", facings=6, start=date(2026, 11, 16),
                       end=date(2027, 1, 15), fee="1200.00", status="payable")  # fmt: skip
    december = agreement(account, store=store, start=date(2026, 12, 1), end=date(2026, 12, 31), fee="500.00",
                         status="payable")  # fmt: skip
    return across, december


def _payable_total(client, month) -> str:
    page = client.get(LIST, {"status": "payable", "period": month}, **EN).content.decode()
    return page.split('data-testid="total-payable">')[1].split("<")[0]


@pytest.mark.parametrize(
    ("month", "total"), [("2026-11", "1,200.00"), ("2026-12", "500.00"), ("2027-01", "0.00"), ("", "1,700.00")]
)
def test_each_fee_counts_once_in_the_month_it_is_payable_in(client, manager, world, month, total):
    client.force_login(manager)
    assert _payable_total(client, month) == total


def test_the_month_lists_what_runs_in_it_and_says_where_the_others_fees_count(client, manager, world):
    across, december = world
    client.force_login(manager)

    page = client.get(LIST, {"period": "2026-12"}, **EN).content.decode()

    assert page.count('data-testid="agreement-row"') == 2  # both run in December
    assert page.count('data-testid="fee-other-month"') == 1 and "payable in 2026-11" in page
    assert "Fees payable in 2026-12: each fee counts in the month its period starts" in page


def test_the_excel_of_a_month_has_the_months_fee_column_adding_up_to_its_totals(client, manager, world):
    client.force_login(manager)

    answer = client.get(LIST, {"export": "xlsx", "status": "payable", "period": "2026-12"}, **EN)

    rows = list(load_workbook(BytesIO(b"".join(answer.streaming_content))).active.iter_rows(values_only=True))
    header = rows[0]
    assert "Payable in" in header and "Fee payable in 2026-12" in header
    month_fees = [Decimal(str(row[header.index("Fee payable in 2026-12")])) for row in rows[1:]]
    assert sorted(month_fees) == [Decimal("0"), Decimal("500")] and sum(month_fees) == Decimal("500")
    assert sorted(row[header.index("Payable in")] for row in rows[1:]) == ["2026-11", "2026-12"]
