"""Promotion expense ratio by type and by account (SPEC §5 Evaluation, §7; issue 15): a worked example checked by
hand, the existing evaluation reused (kept figures for evaluated plans, the same sell-in for the others), page, API
and Excel agree, scope and a fixed number of queries."""

from datetime import date
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import KeyAccount
from accounts.roles import Role
from analytics.promotion_expense import plan_figures, promotion_expense
from promotions.models import PromotionEvaluation, PromotionPlan
from promotions.selectors import evaluation_sales
from promotions.services import evaluation_figures
from tests.factories import DeliveryFactory, KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.promoters.factories_appraisal import promoter, shift
from tests.promotions.factories import PromotionItemFactory, PromotionPlanFactory, promotion_type

from .tables import table

pytestmark = pytest.mark.django_db

JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)
PAGE = "/analysis/promotion-expense/"
API = "/api/v1/reports/promotion-expense-ratio/"
PERIOD = {"month_from": "2025-01", "month_to": "2025-01"}
API_PERIOD = {"from": "2025-01", "to": "2025-01"}
Status = PromotionPlan.Status


def _plan(account, kind, start, end, status, *, stores=None, product, **costs):
    plan = PromotionPlanFactory(
        account=account, type=promotion_type(kind), start_on=start, end_on=end, status=status,
        all_stores=stores is None, owner=account.owner or make_user(Role.MANAGER), **costs,
    )  # fmt: skip
    if stores:
        plan.stores.set(stores)
    PromotionItemFactory(plan=plan, product=product)
    return plan


def _kept(plan, days, units, amount, base_units, base_amount, cost):
    PromotionEvaluation.objects.create(
        plan=plan, days=days, sales_units=units, sales_amount=Decimal(amount), baseline_units=base_units,
        baseline_amount=Decimal(base_amount), total_cost=Decimal(cost),
    )  # fmt: skip


def _deliver(store, product, day, quantity, unit_price=None):
    DeliveryFactory(store=store, product=product, date=day, quantity=quantity, unit_price=unit_price)


@pytest.fixture
def plans(manager):
    """January 2025:

    A  Walmart (the manager's), in-store, 01-11 – 01-20 (10 days), ENDED, not evaluated: TG 100 + promoter 200 =
       cost 300; sold in during: 150 × 4.20 + 100 × 4.00 (listing price) = 1,030.00 for 250 packs; baseline
       01-01 – 01-10: 100 packs × 4.00 = 400.00 (the numbers of tests/promotions/test_promotion_evaluate.py).
    E  Walmart, in-store, 01-25 – 01-31, EVALUATED: kept 50 packs 200.00 against 60 packs 240.00, cost 100.
    B  Lianhua (another manager's), DM, 01-15 – 01-28 at one store, EVALUATED: kept 300 packs 1,200.00 against 200
       packs 800.00, actual cost 500 (DM fee 400 + 100 more in the evaluation).
    Not counted: a draft and a rejected plan in January, an approved plan starting in February.
    """
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛", name_en="Walmart", tier="GKA", owner=manager)
    lh = KeyAccountFactory(code="LH", name="联华", name_en="Lianhua", tier="NKA", owner=make_user(Role.MANAGER))
    beer = ProductFactory(code="P001", name="纯生啤酒")
    wmt_store, lh_store = StoreFactory(account=wmt), StoreFactory(account=lh)
    ListingFactory(store=wmt_store, product=beer, purchase_price=Decimal("4.00"))
    ListingFactory(store=lh_store, product=beer, purchase_price=Decimal("4.00"))
    a = _plan(wmt, "in_store", date(2025, 1, 11), date(2025, 1, 20), Status.ENDED, product=beer,
              tg_fee=Decimal("100.00"), promoter_fee=Decimal("200.00"), total_cost=Decimal("300.00"))  # fmt: skip
    _deliver(wmt_store, beer, date(2025, 1, 1), 60, Decimal("4.00"))
    _deliver(wmt_store, beer, date(2025, 1, 10), 40, Decimal("4.00"))
    _deliver(wmt_store, beer, date(2025, 1, 11), 150, Decimal("4.20"))
    _deliver(wmt_store, beer, date(2025, 1, 20), 100)
    _deliver(wmt_store, beer, date(2024, 12, 31), 999, Decimal("4.00"))  # before the baseline
    e = _plan(wmt, "in_store", date(2025, 1, 25), date(2025, 1, 31), Status.EVALUATED, product=beer,
              promoter_fee=Decimal("100.00"), total_cost=Decimal("100.00"))  # fmt: skip
    _kept(e, 7, 50, "200.00", 60, "240.00", "100.00")
    b = _plan(lh, "dm", date(2025, 1, 15), date(2025, 1, 28), Status.EVALUATED, stores=[lh_store], product=beer,
              dm_fee=Decimal("400.00"), total_cost=Decimal("450.00"))  # fmt: skip
    _kept(b, 14, 300, "1200.00", 200, "800.00", "500.00")
    _deliver(lh_store, beer, date(2025, 1, 16), 7777, Decimal("4.00"))  # the kept figures win, not a recount
    _plan(wmt, "dm", date(2025, 1, 5), date(2025, 1, 12), Status.DRAFT, product=beer, total_cost=Decimal("9999"))
    _plan(lh, "dm", date(2025, 1, 5), date(2025, 1, 12), Status.REJECTED, product=beer, total_cost=Decimal("9999"))
    _plan(wmt, "dm", date(2025, 2, 3), date(2025, 2, 9), Status.APPROVED, product=beer,
          dm_fee=Decimal("999.00"), total_cost=Decimal("999.00"))  # fmt: skip
    return SimpleNamespace(wmt=wmt, lh=lh, a=a, e=e, b=b)


def _figures(group):
    f = group.figures
    return (len(group.plans), group.evaluated, f.total_cost, f.sales_amount, f.expense_ratio, f.incremental_units,
            f.cost_per_incremental_unit, f.incremental_amount, f.payback)  # fmt: skip


IN_STORE = (2, 1, Decimal("400.00"), Decimal("1230.00"), Decimal("0.3252"), 140, Decimal("2.86"),
            Decimal("590.00"), Decimal("1.4750"))  # fmt: skip
DM = (1, 1, Decimal("500.00"), Decimal("1200.00"), Decimal("0.4167"), 100, Decimal("5.00"),
      Decimal("400.00"), Decimal("0.8000"))  # fmt: skip


def test_the_live_figures_are_the_evaluations(plans):
    # a plan not yet evaluated reads the sell-in its evaluation will read
    sales = evaluation_sales([plans.a])[plans.a.pk]
    figures = evaluation_figures(plans.a)
    assert (sales.units, sales.amount) == (figures.sales_units, figures.sales_amount) == (250, Decimal("1030.00"))
    assert (sales.baseline_units, sales.baseline_amount) == (figures.baseline_units, figures.baseline_amount)
    assert (sales.baseline_units, sales.baseline_amount) == (100, Decimal("400.00"))


@pytest.mark.parametrize(
    ("today", "sold", "baseline"),
    [
        ("2025-01-10", (0, "0.00"), (0, "0.00")),  # yet to start: nothing either side, not 100 packs short
        ("2025-01-13", (150, "630.00"), (40, "160.00")),  # day 3 of 10: 01-11..13 against 01-08..10
        ("2025-02-01", (250, "1030.00"), (100, "400.00")),  # ended: the whole plan, as its evaluation reads it
    ],
)
def test_a_plan_not_evaluated_counts_its_days_so_far_against_as_many_before(plans, today, sold, baseline):
    # Given plan A (01-11 – 01-20, not evaluated) read on a day before, during or after it
    with time_machine.travel(f"{today} 10:00 +0800"):
        # When the report reads its sell-in
        (a,) = [
            item for item in plan_figures(accounts=[plans.wmt], month_from=JAN, month_to=JAN) if item.plan == plans.a
        ]
    # Then the plan's days so far are set against as many days just before its start
    f = a.figures
    assert ((f.sales_units, f.sales_amount), (f.baseline_units, f.baseline_amount)) == (
        (sold[0], Decimal(sold[1])), (baseline[0], Decimal(baseline[1])),
    )  # fmt: skip
    # and a plan yet to start has no payback (no figure, not 0 %); one begun has
    assert (f.payback is None) == (today == "2025-01-10")


def test_worked_example_by_type_and_by_account(plans):
    report = promotion_expense(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=JAN)
    # in-store (A + E): cost 300 + 100 = 400; sell-in 1,030 + 200 = 1,230; ratio 400 ÷ 1,230 = 32.52 %;
    # packs 250 + 50 = 300 against 100 + 60 = 160 → 140 extra, 400 ÷ 140 = 2.857 → 2.86 a pack;
    # incremental sell-in 1,230 − 640 = 590; payback 590 ÷ 400 = 1.475
    # DM (B): 500 ÷ 1,200 = 41.67 %; 100 extra packs, 5.00 a pack; (1,200 − 800) ÷ 500 = 0.8
    assert [(g.key, g.label) for g in report.by_type] == [("DM", "DM快讯"), ("IN_STORE", "店促")]
    assert [_figures(g) for g in report.by_type] == [DM, IN_STORE]
    assert [(g.key, g.label) for g in report.by_account] == [("WMT", "沃尔玛"), ("LH", "联华")]
    assert [_figures(g) for g in report.by_account] == [IN_STORE, DM]
    # in all: 900 ÷ 2,430 = 37.04 %; 240 extra packs at 3.75; (2,430 − 1,440) ÷ 900 = 1.1
    total = report.total
    assert (report.plans, report.evaluated) == (3, 2)
    assert (total.total_cost, total.sales_amount, total.expense_ratio) == (
        Decimal("900.00"), Decimal("1230.00") + Decimal("1200.00"), Decimal("0.3704"),
    )  # fmt: skip
    assert (total.incremental_units, total.cost_per_incremental_unit) == (240, Decimal("3.75"))
    assert (total.incremental_amount, total.payback) == (Decimal("990.00"), Decimal("1.1000"))


def test_a_plan_yet_to_start_shows_its_cost_but_weighs_nothing_against_the_others_sales(client, finance, plans):
    # Given, on 21 January, an approved in-store plan at Walmart from 22 January costing 1,000.00 beside A and E
    beer = plans.a.items.get().product
    _plan(plans.wmt, "in_store", date(2025, 1, 22), date(2025, 1, 31), Status.APPROVED, product=beer,
          dm_fee=Decimal("1000.00"), total_cost=Decimal("1000.00"))  # fmt: skip
    with time_machine.travel("2025-01-21 10:00 +0800"):
        # When the report reads January
        report = promotion_expense(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=JAN)
        client.force_login(finance)
        html = client.get(PAGE, PERIOD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Then its cost is in the in-store group's cost, and its ratios are still A's and E's: 400 ÷ 1,230 = 32.52 %,
    # 400 ÷ 140 extra packs = 2.86 (not 1,400 ÷ 1,230 = 113.82 % and 10.00 a pack)
    (in_store,) = [group for group in report.by_type if group.key == "IN_STORE"]
    f = in_store.figures
    assert (f.total_cost, f.expense_ratio, f.cost_per_incremental_unit, f.payback) == (
        Decimal("1400.00"), Decimal("0.3252"), Decimal("2.86"), Decimal("1.4750"),
    )  # fmt: skip
    row = html[html.index('data-key="IN_STORE"') :]
    assert "1,400.00" in row[: row.index("</tr>")] and "32.52 %" in row[: row.index("</tr>")]


def test_a_plan_counts_in_the_month_it_starts(plans):
    report = promotion_expense(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=FEB)
    assert report.plans == 4  # the February plan too: cost 999, no sell-in yet
    assert report.total.total_cost == Decimal("1899.00")
    assert promotion_expense(accounts=KeyAccount.objects.all(), month_from=FEB, month_to=FEB).plans == 1


def _rows(html, testid):
    return table(html, testid)


def test_the_page_shows_both_tables_the_chart_and_links_to_the_plans(client, finance, plans):
    client.force_login(finance)
    html = client.get(PAGE, PERIOD).content.decode()
    by_type = _rows(html, "by-type")
    assert by_type[0] == ["促销类型", "方案数", "促销费用", "促销期间销售额", "费用率", "增量（包）", "每增量包费用",
                          "增量销售额", "投入产出比", "终端销量提升", "每终端增量包成本"]  # fmt: skip
    no_sell_out = ["未报告", "—"]  # no promoter reported at these plans' stores (issue 16)
    assert by_type[1] == ["DM快讯", "1", "500.00", "1,200.00", "41.67 %", "100", "5.00", "400.00", "80.00 %",
                          *no_sell_out]  # fmt: skip
    assert by_type[2] == [
        "店促",
        "2 (1 个已评估)",
        "400.00",
        "1,230.00",
        "32.52 %",
        "140",
        "2.86",
        "590.00",
        "147.50 %",
        *no_sell_out,
    ]
    assert by_type[3] == ["合计", "3", "900.00", "2,430.00", "37.04 %", "240", "3.75", "990.00", "110.00 %",
                          *no_sell_out]  # fmt: skip
    by_account = _rows(html, "by-account")
    assert [row[0] for row in by_account[1:]] == ["沃尔玛", "联华", "合计"]
    assert table(html, "chart-table-promotion-expense") == [
        ["促销类型", "费用率", "投入产出比"],
        ["DM快讯", "41.7 %", "80.0 %"],
        ["店促", "32.5 %", "147.5 %"],
    ]
    dm = promotion_type("dm")
    assert f'href="/promotions/?type={dm.pk}"' in html
    assert 'href="/promotions/?account=WMT"' in html


def test_the_api_gives_the_page_figures(client, api_client, finance, plans):
    api_client.force_authenticate(finance)
    body = api_client.get(API, API_PERIOD).json()
    in_store = body["by_type"][1]
    assert (in_store["key"], in_store["plans"], in_store["evaluated"]) == ("IN_STORE", 2, 1)
    assert (in_store["cost"], in_store["sell_in"], in_store["expense_ratio"]) == ("400.00", "1230.00", "0.3252")
    assert (in_store["sales_units"], in_store["baseline_units"], in_store["incremental_units"]) == (300, 160, 140)
    assert (in_store["cost_per_incremental_unit"], in_store["incremental_sell_in"]) == ("2.86", "590.00")
    assert (in_store["uplift"], in_store["payback"]) == ("0.8750", "1.4750")  # 140 ÷ 160
    assert [g["key"] for g in body["by_account"]] == ["WMT", "LH"]
    assert body["total"]["payback"] == "1.1000" and body["total"]["plans"] == 3
    client.force_login(finance)
    page = _rows(client.get(PAGE, PERIOD).content.decode(), "by-account")
    for group, row in zip(body["by_account"], page[1:], strict=False):
        assert row[2] == f"{Decimal(group['cost']):,.2f}" and row[3] == f"{Decimal(group['sell_in']):,.2f}"
        assert row[4] == f"{Decimal(group['expense_ratio']) * 100:.2f} %"
        assert row[8] == f"{Decimal(group['payback']) * 100:.2f} %"


def test_excel_rows_equal_the_page(client, finance, plans):
    client.force_login(finance)
    html = client.get(PAGE, PERIOD).content.decode()
    response = client.get(PAGE, {**PERIOD, "export": "xlsx"})
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["按促销类型", "按重点客户"]
    for sheet, testid in zip(workbook.worksheets, ("by-type", "by-account"), strict=True):
        rows = list(sheet.iter_rows(values_only=True))
        page = _rows(html, testid)
        assert len(rows) == len(page)
        for row, shown in zip(rows[1:], page[1:], strict=True):
            label, count, _evaluated, cost, sell_in, ratio, _base, _sold, extra, per_pack, extra_sales, payback = row[
                :12
            ]
            assert row[12:] == (0, None, None, None) and shown[9:] == ["未报告", "—"]  # no sell-out reported
            assert label == shown[0] and shown[1].startswith(str(count))
            assert f"{Decimal(str(cost)):,.2f}" == shown[2] and f"{Decimal(str(sell_in)):,.2f}" == shown[3]
            assert f"{Decimal(str(ratio)) * 100:.2f} %" == shown[4] and str(extra) == shown[5]
            assert f"{Decimal(str(per_pack)):,.2f}" == shown[6] and f"{Decimal(str(extra_sales)):,.2f}" == shown[7]
            assert f"{Decimal(str(payback)) * 100:.2f} %" == shown[8]


def test_a_payback_not_yet_known_is_an_empty_cell_in_the_excel(client, finance, plans):
    # Given February, whose only approved plan starts on the 3rd, read on the 1st: no payback yet (the page's "—")
    client.force_login(finance)
    with time_machine.travel("2025-02-01 10:00 +0800"):
        # When the finance user exports the period
        response = client.get(PAGE, {"month_from": "2025-02", "month_to": "2025-02", "export": "xlsx"})
    # Then the payback column holds no text: its cells are empty (a number column Excel can still sum), the row's
    # other figures as before
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    for sheet in workbook.worksheets:
        header, *rows = list(sheet.iter_rows(values_only=True))
        payback = header.index("投入产出比")
        assert [row[0] for row in rows][-1] == "合计" and [row[3] for row in rows] == [999, 999]
        assert [row[payback] for row in rows] == [None, None]


def test_a_manager_sees_only_their_chains_plans(client, api_client, manager, plans):
    api_client.force_authenticate(manager)
    body = api_client.get(API, API_PERIOD).json()
    assert [g["key"] for g in body["by_type"]] == ["IN_STORE"]
    assert [g["key"] for g in body["by_account"]] == ["WMT"]
    assert body["total"]["cost"] == "400.00"
    client.force_login(manager)
    html = client.get(PAGE, PERIOD).content.decode()
    assert "联华" not in html and "DM快讯" not in html


@pytest.mark.parametrize("role", [Role.REP, Role.SUPERVISOR])
def test_reps_and_supervisors_are_answered_404(client, api_client, role):
    user = make_user(role)
    client.force_login(user)
    api_client.force_authenticate(user)
    assert client.get(PAGE).status_code == 404
    assert api_client.get(API).status_code == 404


def test_an_empty_period_says_so(client, finance, plans):
    client.force_login(finance)
    html = client.get(PAGE, {"month_from": "2024-06", "month_to": "2024-06"}).content.decode()
    assert "本期间没有开始的已批准促销方案。" in html
    assert reverse("analytics:promotion-expense") == PAGE and reverse("report-promotion-expense-ratio") == API


def test_queries_do_not_grow_with_the_chains(client, api_client, finance):
    client.force_login(finance)
    beer = ProductFactory()

    def add_chains(count):
        for index in range(count):
            chain = KeyAccountFactory(owner=make_user(Role.MANAGER))
            store = StoreFactory(account=chain)
            ListingFactory(store=store, product=beer)
            live = _plan(chain, "in_store", date(2025, 1, 11), date(2025, 1, 20), Status.RUNNING, product=beer,
                         stores=[store] if index % 2 else None, total_cost=Decimal("100.00"))  # fmt: skip
            _deliver(store, beer, date(2025, 1, 5), 10)
            _deliver(store, beer, date(2025, 1, 12), 30, Decimal("4.00"))
            kept = _plan(chain, "dm", date(2025, 1, 3), date(2025, 1, 9), Status.EVALUATED, product=beer)
            _kept(kept, 7, 10, "40.00", 5, "20.00", "10.00")
            # promoters on both plans: their pay is the plans' promoter cost, read for all plans at once
            pays = ({"daily_fee": "150.00"}, {"monthly_pay": "3000.00"})
            for plan, pay in zip((live, kept), pays, strict=True):
                worker = promoter(supervisor=chain.owner, stores=[store], started_on=date(2025, 1, 1), **pay)
                shift(worker, store, plan.start_on, check_in="09:00", check_out="17:00", plan=plan)

    def queries():
        counts = []
        api_client.force_authenticate(type(finance).objects.get(pk=finance.pk))
        for get, url, params in (
            (client.get, PAGE, PERIOD),
            (client.get, PAGE, {**PERIOD, "export": "xlsx"}),
            (api_client.get, API, API_PERIOD),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert get(url, params).status_code == 200
            counts.append(len(captured))
        return counts

    add_chains(2)
    few = queries()
    add_chains(4)  # 6 chains, 12 plans
    assert queries() == few
