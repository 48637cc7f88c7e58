"""The store P&L's promoter fees are the promoter cost the trade-spend ledger books (issue 16): the promoters' pay
for their shifts at each store (tradespend/promoter_pay.py, cut by store), a plan's planned promoter fee only while
it has no shift — worked out by hand below, and checked against the ledger month by month.

Chain A (stores SA1, SA2) and chain B (store SB), September 2026:
  plan PL at A (approved, 09-10…09-23, SA1 and SA2): promoter fee 900.00, DM 500.00 — it has shifts
  plan PN at A (approved, 09-15…09-20, all stores): promoter fee 300.00 — no shift: 150.00 planned to SA1 and SA2
  P1, daily fee 150.00: SA1 09-01 attended · SA1 09-11 attended on PL · SA2 09-12 attended on PL · SB 09-04 attended
  P2, monthly 3,000.00 from 09-01, on the roster at SA1 and SB: SA1 09-05 · SA2 09-12 on PL · SB 09-06
      → a third of the month each: A's own 1,000.00 (SA1), PL's 1,000.00 (SA2), B's 1,000.00 (SB)

              actual (shifts)                          planned     promoter fees
    SA1       150 + 150 (PL) + 1,000        = 1,300.00  150.00      1,450.00
    SA2       150 (PL) + 1,000 (PL)         = 1,150.00  150.00      1,300.00
  The ledger, A, September: PROMOTER lines 150 (P1) + 1,300 (PL: 150 + 150 + 1,000) + 1,000 (P2) = 2,450.00,
  and PN's planned fee 300.00 (PL's 900.00 is left out) → 2,750.00, the P&L's total.
  October, no shift: P2's 3,000.00 split over the roster's stores → SA1 1,500.00 (and SB 1,500.00 at B).
Today's code counted PL's planned 900.00 (450.00 to each store) and none of the shifts' pay.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from analytics.store_pnl import months_beginning, store_pnl
from promotions.models import PromotionPlan
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.imports.xlsx import read_xlsx
from tests.promoters.factories_appraisal import D, promoter, shift
from tests.promotions.factories import PromotionPlanFactory
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine

pytestmark = pytest.mark.django_db

SEPTEMBER = (date(2026, 9, 1), date(2026, 9, 30))
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
COSTS = {"tg_fee": D(0), "gift_cost": D(0), "price_support": D(0), "supply_funding": D(0)}


def day(n: int) -> date:
    return date(2026, 9, n)


@pytest.fixture
def world(manager):
    supervisor = make_user("supervisor", username="sup_pnl")
    a, b = KeyAccountFactory(code="A", owner=manager), KeyAccountFactory(code="B")
    sa1, sa2 = StoreFactory(account=a, code="SA1"), StoreFactory(account=a, code="SA2")
    sb = StoreFactory(account=b, code="SB")
    approved = {"account": a, "status": PromotionPlan.Status.APPROVED, "owner": manager, **COSTS}
    pl = PromotionPlanFactory(
        start_on=day(10), end_on=day(23), all_stores=False, dm_fee=D(500), promoter_fee=D(900),
        total_cost=D(1400), **approved,
    )  # fmt: skip
    pl.stores.set([sa1, sa2])
    PromotionPlanFactory(
        start_on=day(15), end_on=day(20), all_stores=True, dm_fee=D(0), promoter_fee=D(300), total_cost=D(300),
        **approved,
    )  # fmt: skip
    p1 = promoter(supervisor=supervisor, stores=[sa1, sa2, sb], daily_fee="150.00", code="P1")
    p2 = promoter(supervisor=supervisor, stores=[sa1, sb], monthly_pay="3000.00", started_on=day(1), code="P2")
    worked = {"check_in": "09:00", "check_out": "17:00"}
    shift(p1, sa1, day(1), **worked)
    shift(p1, sa1, day(11), plan=pl, **worked)
    shift(p1, sa2, day(12), plan=pl, **worked)
    shift(p1, sb, day(4), **worked)
    shift(p2, sa1, day(5), **worked)
    shift(p2, sa2, day(12), plan=pl)
    shift(p2, sb, day(6), **worked)
    return {"a": a, "b": b, "pl": pl}


def _promoter_fees(account, period) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    report = store_pnl(account=account, start=period[0], end=period[1])
    return {row.store.code: (row.promoter_pay, row.promoter_planned, row.promoter_fees) for row in report.rows}


def test_promoter_fees_are_the_shifts_pay_per_store_and_the_planned_fee_only_without_shifts(world):
    assert _promoter_fees(world["a"], SEPTEMBER) == {
        "SA1": (D("1300.00"), D("150.00"), D("1450.00")),
        "SA2": (D("1150.00"), D("150.00"), D("1300.00")),
    }
    assert _promoter_fees(world["b"], SEPTEMBER) == {"SB": (D("1150.00"), D("0.00"), D("1150.00"))}


def test_a_month_without_shifts_takes_the_monthly_pay_by_the_roster(world):
    assert _promoter_fees(world["a"], OCTOBER) == {
        "SA1": (D("1500.00"), D("0.00"), D("1500.00")),
        "SA2": (D("0.00"), D("0.00"), D("0.00")),
    }


def test_a_plans_other_costs_do_not_change(world):
    report = store_pnl(account=world["a"], start=SEPTEMBER[0], end=SEPTEMBER[1])

    # PL: 1,400 planned less the planned promoter fee 900 = its DM 500, split evenly (nothing sold in)
    assert {row.store.code: row.promotion_costs for row in report.rows} == {"SA1": D("250.00"), "SA2": D("250.00")}


@pytest.mark.parametrize("month", [SEPTEMBER, OCTOBER], ids=["september", "october"])
@pytest.mark.parametrize("code", ["A", "B"])
def test_the_stores_promoter_fees_add_up_to_the_ledgers(world, month, code):
    account = world[code.lower()]
    accruals_compute(as_of=date(2026, 10, 31))
    ledger = AccrualLine.objects.filter(account=account, month=month[0], kind="promoter")

    report = store_pnl(account=account, start=month[0], end=month[1])

    total = report.total
    promoter_source = ledger.filter(source="promoter").aggregate(total=Sum("amount"))["total"] or D(0)
    assert total.promoter_pay == promoter_source  # the shifts' pay: the ledger's PROMOTER lines, to the cent
    assert total.promoter_fees == ledger.aggregate(total=Sum("amount"))["total"]  # with the planned fees (PN)
    assert sum(row.promoter_fees for row in report.rows) == total.promoter_fees


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 9, 1), date(2026, 9, 30), (date(2026, 9, 1), date(2026, 9, 1))),
        (date(2026, 9, 1), date(2026, 9, 1), (date(2026, 9, 1), date(2026, 9, 1))),
        (date(2026, 9, 2), date(2026, 10, 1), (date(2026, 10, 1), date(2026, 10, 1))),
        (date(2026, 9, 2), date(2026, 9, 30), None),
    ],
    ids=["month", "first-day", "mid-month-start", "no-month-begins"],
)
def test_the_months_counted_are_those_beginning_in_the_period(start, end, months):
    assert months_beginning(start, end) == months


def test_a_period_in_which_no_month_begins_counts_no_pay_but_the_planned_fees(world):
    assert _promoter_fees(world["a"], (day(2), day(30))) == {
        "SA1": (D("0.00"), D("150.00"), D("150.00")),
        "SA2": (D("0.00"), D("150.00"), D("150.00")),
    }


def test_page_excel_and_api_say_where_the_promoter_fees_come_from(world, client, api_client, manager):
    period = {"account": "A", "from": "2026-09-01", "to": "2026-09-30"}
    client.force_login(manager)

    html = client.get(reverse("analytics:store-pnl"), period, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    zh = client.get(reverse("analytics:store-pnl"), period, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    xlsx = client.get(reverse("analytics:store-pnl"), {**period, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    api_client.force_authenticate(manager)
    body = api_client.get(reverse("api-store-pnl"), period).json()

    row = html[html.index('data-store="SA1"') : html.index("</tr>", html.index('data-store="SA1"'))]
    cell = row[row.index('data-col="promoter_fees"') :]
    cell = cell[: cell.index("</td>")]
    assert ">1,450.00<" in cell and "actual (shifts) 1,300.00" in cell and "planned 150.00" in cell
    assert "Promoter fees are what the trade-spend ledger books" in html
    assert "实际（排班） 1,300.00" in zh and "促销员费用与费用台账的计提一致" in zh
    (rows,) = read_xlsx(b"".join(xlsx.streaming_content)).values()
    assert rows[0][18:20] == ("Promoter fees: actual (shifts)", "Promoter fees: planned")
    sa1 = next(line for line in rows[1:] if line[1] == "SA1")
    assert (sa1[6], sa1[18], sa1[19]) == (1450, 1300, 150)
    (api_sa1,) = (line for line in body["results"] if line["store"] == "SA1")
    assert (api_sa1["promoter_fees"], api_sa1["promoter_fees_actual"], api_sa1["promoter_fees_planned"]) == (
        "1450.00",
        "1300.00",
        "150.00",
    )
