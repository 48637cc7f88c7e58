"""The chain page (客户经营全景, issue 15 item 1) on a worked example checked by hand: performance by month,
gross to net against the norm, promotions with uplift and cost per extra pack, aging and DSO, store coverage and
visit compliance, suggested-order flags, contracts expiring, open disputes — the same on the page, in its Excel
and by API; scope (a KA manager their own chains; reps and supervisors 404); a fixed number of queries."""

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from analytics.chain import chain_overview
from promotions.models import PromotionEvaluation, PromotionPlan
from tests.analytics.chain_example import FEB, JAN, MAR, at, chain_example
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.promotions.factories import PromotionPlanFactory
from tests.tradespend.g2n_helpers import invoice
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)  # the period is long past: receivables are read on its last day, 2025-03-31
Status = PromotionPlan.Status


@pytest.fixture
def example(manager, rep):
    return chain_example(manager, rep)


def test_worked_example(example, manager):
    o = chain_overview(user=manager, account=example, month_from=JAN, month_to=MAR, today=TODAY)
    p = o.performance
    assert (p.target, p.actual, p.last_year) == (Decimal("40000"), Decimal("34000"), Decimal("20000"))
    assert p.achievement == Decimal("0.85") and p.growth == Decimal("0.7")
    assert [(m.label, m.actual, m.target) for m in o.trend] == [
        ("2025-01-01", Decimal("8000"), Decimal("10000")),
        ("2025-02-01", Decimal("12000"), Decimal("10000")),
        ("2025-03-01", Decimal("14000"), Decimal("20000")),
    ]
    assert [m.last_year for m in o.trend] == [Decimal("20000"), 0, 0]

    f = o.figures
    assert (f.gross, f.rebates, f.promotion, f.unsupported) == (34000, Decimal("1020"), Decimal("2380"), 680)
    assert (f.spend, f.net, f.ratio) == (Decimal("4080"), Decimal("29920"), Decimal("0.12"))
    assert o.spend_source == "ledger" and o.norm == Decimal("0.20") and o.ratio_gap == Decimal("-0.08")

    assert [line.plan.title for line in o.promotions.lines] == ["春节堆头", "三月店促"]
    spring, march = o.promotions.lines
    assert spring.evaluated and spring.cost == Decimal("1900") and spring.incremental_units == 200
    assert spring.uplift == Decimal("0.5") and spring.cost_per_incremental_unit == Decimal("9.50")
    assert not march.evaluated and march.cost == Decimal("1000") and march.uplift is None
    assert o.promotions.cost == Decimal("2900") and o.promotions.cost_per_incremental_unit == Decimal("9.50")
    # planned and actual apart: the evaluated plan was planned at 2,000 and cost 1,900; the other is planned only
    assert [(line.planned_cost, line.actual_cost) for line in o.promotions.lines] == [
        (Decimal("2000"), Decimal("1900")), (Decimal("1000"), None)
    ]  # fmt: skip
    assert (o.promotions.planned_cost, o.promotions.evaluated_cost) == (Decimal("3000"), Decimal("1900"))

    assert o.as_of == date(2025, 3, 31)
    assert o.aging.buckets == {
        "not_due": Decimal("26320"), "1_30": Decimal("8000"), "31_60": 0, "61_90": 0, "over_90": Decimal("20000")
    }  # fmt: skip
    assert o.aging.total == Decimal("54320") and o.aging.dso == Decimal("139.7")

    c = o.coverage
    assert (c.stores, c.visited, c.planned, c.done) == (3, 2, 4, 1)
    assert c.coverage == Decimal(2) / 3 and c.compliance == Decimal("0.25")
    assert o.flags_date == date(2025, 3, 30)
    assert o.flags == {"no_previous_count": 2, "negative_sales": 1}
    assert [contract.number for contract in o.contracts_expiring] == ["HT-WMT-END"]
    assert (o.disputes_open, o.disputes_amount) == (1, Decimal("680"))


def test_a_chain_without_a_ledger_shows_its_plans_costs(manager):
    """No spend was ever accrued for the chain: its approved plans starting in the period are its promotion
    spend (a draft and a plan starting before the period are not), and the page says the figures are estimated."""
    chain = KeyAccountFactory(code="HL", owner=manager)
    invoice(chain, date(2025, 2, 3), "10000.00")
    PromotionPlanFactory(account=chain, status=Status.APPROVED, start_on=FEB, end_on=date(2025, 2, 10), total_cost=1500)
    PromotionPlanFactory(account=chain, status=Status.DRAFT, start_on=FEB, end_on=date(2025, 2, 10), total_cost=900)
    PromotionPlanFactory(
        account=chain, status=Status.ENDED, start_on=date(2025, 1, 25), end_on=date(2025, 2, 5), total_cost=700
    )
    o = chain_overview(user=manager, account=chain, month_from=FEB, month_to=FEB, today=TODAY)
    assert o.spend_source == "estimate"
    assert o.figures.promotion == Decimal("1500") and o.figures.ratio == Decimal("0.15")


def _page(client, user, code="WMT", **query):
    client.force_login(user)
    period = {"month_from": "2025-01", "month_to": "2025-03"}
    return client.get(reverse("analytics:chain", args=[code]), period | query)


def test_the_page_shows_the_figures_and_links_to_the_lists_behind_them(client, example, manager):
    page = _page(client, manager).content.decode()
    assert "沃尔玛" in page
    headline = page[page.index('data-testid="headline"') : page.index('data-testid="chart-trend"')]
    shown_figures = ("34,000.00", "40,000.00", "85.0 %", "70.0 %", "12.0 %", "20.0 %", "54,320.00", "140")
    for shown in (*shown_figures, "3家门店中2家", "4个计划拜访中1个"):
        assert shown in headline, shown
    # each figure leads to the list it summarises, filtered to the chain
    assert reverse("contracts:receivables-account", args=[example.pk]) in headline
    assert "/stores/?account=WMT" in headline
    start = page.index('data-testid="chart-table-trend"')
    trend = page[start : page.index("</table>", start)]
    assert [cell in trend for cell in ("8,000.00", "12,000.00", "14,000.00", "20,000.00")] == [True] * 4
    aging = page[page.index('data-testid="chart-table-aging"') :]
    assert "/contracts/aging/invoices/?account=WMT&amp;bucket=over_90&amp;as_of=2025-03-31" in aging
    assert "29,920.00" in page and "4,080.00" not in headline  # net in the waterfall's table
    promotions = page[page.index('data-testid="promotions"') :]
    assert "春节堆头" in promotions and "三月店促" in promotions and "草稿" not in promotions
    assert "9.50" in promotions and "50.0 %" in promotions
    attention = page[page.index('data-testid="attention"') :]
    assert "/visits/suggested-orders/?account=WMT&amp;date=2025-03-30&amp;flag=negative_sales" in attention
    assert "HT-WMT-END" in attention and "HT-WMT-LONG" not in attention
    assert "680.00" in attention
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in page or "chart.umd" in page


def _promotion_rows(page: str) -> list[list[str]]:
    start = page.index('data-testid="promotions"')
    table = page[start : page.index("</table>", start)]
    return [
        [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"(?s)<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"(?s)<tr[^>]*>(.*?)</tr>", table)
    ]


def test_the_promotion_costs_say_which_is_planned_and_which_is_actual(client, example, manager):
    # Given the worked example: 春节堆头 planned at 2,000 and evaluated at 1,900; 三月店促 planned at 1,000, running
    # When the manager opens the chain page
    page = _page(client, manager).content.decode()
    # Then each cost column says what it is, and an evaluated plan shows both its planned and its actual cost
    header, spring, march, total = _promotion_rows(page)
    # (uplift is a percentage, as the plan's own page names it: 提升率, not 增量, which the extra packs are)
    assert header[3:] == ["总费用（计划）", "总费用（实际）", "提升率", "每增量包成本"]
    assert spring[0].startswith("春节堆头") and spring[3:] == ["2,000.00", "1,900.00", "50.0 %", "9.50"]
    assert march[0].startswith("三月店促") and march[3:] == ["1,000.00", "尚未评估"]
    # and the totals: every plan's planned cost, the evaluated plans' actual cost
    assert total[3:] == ["3,000.00", "1,900.00", "", "9.50"]
    assert "实际：方案评估后的总费用" in page[page.index('data-testid="cost-basis"') :]
    # the heading says the plans are the period's, not that they have run (an approved plan may not have started)
    assert 'data-testid="promotions-heading">本期促销 <small' in page


def test_a_period_of_one_month_reads_as_that_month(client, example, manager):
    # Given a manager looking back at February alone (month-end: last month)
    page = _page(client, manager, month_from="2025-02", month_to="2025-02").content.decode()
    # Then the period reads "2025年2月", not "2025年2月 至 2025年2月"
    assert 'data-testid="period">2025年2月</p>' in page
    summary = _rows(_workbook(client, manager, month_from="2025-02", month_to="2025-02").worksheets[0])
    assert summary[2][:2] == ("期间", "2025-02")  # and so in its Excel
    # and a run of months still reads from one to the other
    assert 'data-testid="period">2025年1月 至 2025年3月</p>' in _page(client, manager).content.decode()
    assert _rows(_workbook(client, manager).worksheets[0])[2][:2] == ("期间", "2025-01–2025-03")


def test_english_reader_sees_the_english_name(client, example, manager):
    client.cookies["django_language"] = "en"
    page = _page(client, manager).content.decode()
    assert '<h1 class="mb-0">Walmart</h1>' in page
    assert "Sell-in month by month" in page


def test_the_api_returns_the_page_figures(client, example, manager):
    client.force_login(manager)
    body = client.get("/api/v1/accounts/WMT/overview/", {"from": "2025-01", "to": "2025-03"}).json()
    assert body["account"]["code"] == "WMT"
    assert body["performance"] == {
        "target": "40000.00", "actual": "34000.00", "last_year": "20000.00", "difference": "-6000.00",
        "achievement": "0.8500", "growth": "0.7000", "actual_with_target": "34000.00",
        "target_months": ["2025-01", "2025-02", "2025-03"],
    }  # fmt: skip
    assert [(m["month"], m["actual"]) for m in body["months"]] == [
        ("2025-01", "8000.00"), ("2025-02", "12000.00"), ("2025-03", "14000.00")
    ]  # fmt: skip
    spend = body["spend"]
    assert (spend["spend"], spend["net"], spend["ratio"], spend["norm"], spend["gap"]) == (
        "4080.00", "29920.00", "0.1200", "0.2000", "-0.0800"
    )  # fmt: skip
    assert spend["source"] == "ledger"
    assert body["promotions"]["cost"] == "2900.00" and body["promotions"]["cost_per_incremental_unit"] == "9.50"
    assert (body["promotions"]["planned_cost"], body["promotions"]["evaluated_cost"]) == ("3000.00", "1900.00")
    assert [plan["title"] for plan in body["promotions"]["plans"]] == ["春节堆头", "三月店促"]
    assert [(plan["planned_cost"], plan["actual_cost"]) for plan in body["promotions"]["plans"]] == [
        ("2000.00", "1900.00"), ("1000.00", None)
    ]  # fmt: skip
    receivables = body["receivables"]
    assert receivables["total"] == "54320.00" and receivables["dso"] == "139.7"
    assert receivables["buckets"]["over_90"] == "20000.00" and receivables["as_of"] == "2025-03-31"
    assert body["coverage"] | {"coverage": None} == {
        "stores": 3, "visited": 2, "coverage": None, "planned": 4, "done": 1, "compliance": "0.2500"
    }  # fmt: skip
    assert body["suggested_order_flags"] == {"no_previous_count": 2, "negative_sales": 1}
    assert [c["number"] for c in body["contracts_expiring"]] == ["HT-WMT-END"]
    assert (body["disputes_open"], body["disputes_amount"]) == (1, "680.00")
    bad = client.get("/api/v1/accounts/WMT/overview/", {"from": "2025-13"})
    assert bad.status_code == 400 and "from" in bad.json()["errors"]


def test_without_a_period_the_chain_is_read_over_the_year_so_far(client, manager):
    """Early in a month, this month alone would show a chain as empty: the page, its Excel and the API read the
    year so far, and the page's month fields say so."""
    chain = KeyAccountFactory(code="YTD", owner=manager)
    today = timezone.localdate()
    january, this_month = date(today.year, 1, 1), today.replace(day=1)
    invoice(chain, january, "1000.00")
    invoice(chain, today, "500.00")
    client.force_login(manager)

    page = client.get(reverse("analytics:chain", args=["YTD"]))
    body = client.get("/api/v1/accounts/YTD/overview/").json()
    book = load_workbook(
        BytesIO(b"".join(client.get(reverse("analytics:chain", args=["YTD"]), {"export": "xlsx"}).streaming_content))
    )

    form = page.context["form"]
    assert (form["month_from"].value(), form["month_to"].value()) == (f"{january:%Y-%m}", f"{this_month:%Y-%m}")
    assert page.context["o"].performance.actual == Decimal("1500.00") == Decimal(body["performance"]["actual"])
    assert (body["month_from"], body["month_to"]) == (f"{january:%Y-%m}", f"{this_month:%Y-%m}")
    summary = {row[0]: row[1:] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert summary["实际"][0] == 1500
    # a month asked alone is that month, as before
    alone = client.get("/api/v1/accounts/YTD/overview/", {"to": f"{this_month:%Y-%m}"}).json()
    in_this_month = Decimal("1500.00") if today.month == 1 else Decimal("500.00")
    assert alone["month_from"] == f"{this_month:%Y-%m}" and Decimal(alone["performance"]["actual"]) == in_this_month


def test_a_reversed_period_is_said_beside_its_field_with_no_figures_of_another_period(client, example, manager):
    # the default period's figures beside the message read as the ones asked for
    response = _page(client, manager, month_from="2025-03", month_to="2025-01")
    page = response.content.decode()
    assert response.status_code == 400
    # said under the To box, in Chinese (the page's default language)
    assert response.context["form"].errors == {"month_to": ["截止月份：2025-01 早于起始月份 2025-03。"]}
    assert 'data-testid="refused"' in page
    assert 'data-testid="headline"' not in page and 'data-testid="period"' not in page
    exported = _page(client, manager, month_from="2025-03", month_to="2025-01", export="xlsx")
    assert exported["Content-Type"].startswith("text/html") and 'data-testid="refused"' in exported.content.decode()


def _workbook(client, user, **query):
    return load_workbook(BytesIO(b"".join(_page(client, user, export="xlsx", **query).streaming_content)))


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_the_excel_holds_the_same_figures(client, example, manager):
    book = _workbook(client, manager)
    summary = {row[0]: row[1:] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert summary["实际"][:2] == (34000, 0.85) and summary["费用"] == (4080, None, None, 0.12)
    months = list(book.worksheets[1].iter_rows(values_only=True))[1:]
    assert [(m[0], m[1], m[2]) for m in months] == [
        ("2025-01", 8000, 10000), ("2025-02", 12000, 10000), ("2025-03", 14000, 20000)
    ]  # fmt: skip
    assert (summary["总费用（计划）"][0], summary["总费用（实际）"][0]) == (3000, 1900)
    header, *promotions, _total, _note = list(book.worksheets[3].iter_rows(values_only=True))
    assert header[5:7] == ("总费用（计划）", "总费用（实际）")
    expected = [("春节堆头", 2000, 1900, 200, 9.5), ("三月店促", 1000, None, None, None)]
    assert [(p[0], p[5], p[6], p[8], p[9]) for p in promotions] == expected


def test_the_excel_summary_gives_each_ratio_a_column_of_its_own(client, example, manager):
    # Given the worked example: achievement 85 %, growth 70 %, trade-spend ratio 12 % against the 20 % norm
    # When the manager exports the chain page
    sheet = _workbook(client, manager).worksheets[0]
    header, *rows = sheet.iter_rows()
    # Then each ratio stands under a header saying what it is, not three kinds of ratio in one "比率" column
    assert [cell.value for cell in header] == ["指标项", "数值", "达成率", "成长率", "费用率"]
    by_figure = {row[0].value: row for row in rows}
    assert [cell.value for cell in by_figure["实际"]] == ["实际", 34000, 0.85, 0.7, None]
    assert [cell.value for cell in by_figure["费用"]] == ["费用", 4080, None, None, 0.12]
    assert [cell.value for cell in by_figure["公司标准"]][1:] == [None, None, None, 0.2]
    assert [cell.value for cell in by_figure["去年"]][1:] == [20000, None, None, None]
    # numbers kept as numbers: money as money, ratios as percentages, days as days
    actual = by_figure["实际"]
    assert [cell.data_type for cell in actual[1:4]] == ["n", "n", "n"]
    assert [cell.number_format for cell in actual[1:4]] == ["#,##0.00", "0.00%", "0.00%"]
    assert by_figure["费用"][4].number_format == "0.00%"
    dso = by_figure["应收周转天数（DSO）"]
    assert (dso[1].value, dso[1].number_format) == (139.7, "0.0")
    # the stores sheet's two rates likewise apart
    stores = _rows(_workbook(client, manager)["门店与拜访"])
    assert stores[0] == ("指标项", "数量", "门店覆盖率", "拜访达成率")
    assert stores[2][2] == pytest.approx(2 / 3) and stores[4][2:] == (None, 0.25)


def test_the_excel_promotions_end_with_their_totals(client, example, manager):
    # Given the worked example: 春节堆头 planned 2,000, evaluated at 1,900 for 200 extra packs; 三月店促 planned 1,000
    # When the manager exports the chain page
    sheet = _workbook(client, manager)["促销"]
    header, *plans, total, note = sheet.iter_rows()
    # Then the last row adds the money up: every plan's planned cost, the evaluated plans' actual cost and extra
    # packs, and a cost per extra pack worked out from those totals (1,900 ÷ 200), not summed; the uplift, a plan's
    # own, is left blank
    assert [cell.value for cell in total] == [
        "全部计划", None, None, None, "2个计划，1个已评估", 3000, 1900, None, 200, 9.5
    ]  # fmt: skip
    assert total[5].value == sum(row[5].value for row in plans)
    assert [cell.number_format for cell in total[5:7]] + [total[9].number_format] == ["#,##0.00"] * 3
    assert total[0].font.b and total[5].font.b
    assert [cell.number_format for cell in plans[0][5:10]] == ["#,##0.00", "#,##0.00", "0.00%", "0", "#,##0.00"]
    assert (plans[0][7].value, plans[0][7].data_type) == (0.5, "n")
    assert header[7].value == "提升率" and header[8].value == "增量包数"
    # and says what planned and actual mean, as the page does
    assert note[0].value.startswith("计划：各方案起草并获批时的总费用")


def test_the_excel_in_english(client, example, manager):
    client.cookies["django_language"] = "en"
    book = _workbook(client, manager)
    assert _rows(book.worksheets[0])[0] == ("Figure", "Value", "Achievement", "Growth", "Trade-spend ratio")
    promotions = _rows(book["Promotions"])
    assert promotions[0][5:10] == (
        "Total cost (planned)", "Total cost (actual)", "Uplift", "Extra packs", "Cost per extra pack"
    )  # fmt: skip
    assert promotions[-2] == ("All plans", None, None, None, "2 plans, 1 evaluated", 3000, 1900, None, 200, 9.5)
    assert _rows(book["Stores and visits"])[0] == ("Figure", "Count", "Store coverage", "Visit compliance")


def test_while_the_period_runs_the_achievement_says_it_is_of_the_whole_target(client, manager, time_machine):
    """Sell-in so far against the period's whole target: the label says so, on the page and in the workbook."""
    KeyAccountFactory(code="NOW", owner=manager)
    this_month = timezone.localdate().replace(day=1)
    # the middle of the month: on its last day the period's figures are whole (as_of is its end) and it says so
    time_machine.move_to(f"{this_month:%Y-%m}-15 10:00 +0800", tick=False)
    query = {"month_from": f"{this_month:%Y-%m}", "month_to": f"{this_month:%Y-%m}"}
    client.force_login(manager)
    page = client.get(reverse("analytics:chain", args=["NOW"]), query).content.decode()
    headline = page[page.index('data-figure="achievement"') :]
    label = re.sub(r"<[^>]+>|\s+", "", headline[: headline.index("</div>", headline.index("small"))])
    assert label.endswith("至今达成率（占全期指标）"), label
    book = load_workbook(
        BytesIO(
            b"".join(client.get(reverse("analytics:chain", args=["NOW"]), query | {"export": "xlsx"}).streaming_content)
        )
    )
    assert _rows(book.worksheets[0])[0][2] == "至今达成率（占全期指标）"
    client.cookies["django_language"] = "en"
    page = client.get(reverse("analytics:chain", args=["NOW"]), query).content.decode()
    headline = page[page.index('data-figure="achievement"') :]
    assert "Achievement so far (of the period's target)" in headline


@pytest.mark.parametrize("who", ["other_manager", "rep", "supervisor"])
def test_out_of_scope_is_not_found(client, example, who, rep, supervisor):
    user = {"other_manager": make_user("manager", username="mgr_b"), "rep": rep, "supervisor": supervisor}[who]
    assert _page(client, user).status_code == 404
    assert client.get("/api/v1/accounts/WMT/overview/").status_code == 404


def test_finance_reads_every_chain(client, example, finance):
    assert _page(client, finance).status_code == 200


def test_a_fixed_number_of_queries_whatever_the_chain_size(client, example, manager, rep):
    def count() -> int:
        client.force_login(manager)
        with CaptureQueriesContext(connection) as queries:
            assert _page(client, manager).status_code == 200
        return len(queries)

    before = count()
    for n in range(5):  # five more stores, each visited, and five more plans, evaluated
        store = StoreFactory(account=example, rep=rep)
        day = date(2025, 2, 3 + n)
        VisitFactory(rep=rep, store=store, checked_in_at=at(day), checked_out_at=at(day, 11))
        plan = PromotionPlanFactory(account=example, status=Status.EVALUATED, start_on=MAR, end_on=date(2025, 3, 5))
        PromotionEvaluation.objects.create(
            plan=plan, days=5, sales_units=10, sales_amount=50, baseline_units=5, baseline_amount=25,
            total_cost=100, uplift=1,
        )  # fmt: skip
        invoice(example, date(2025, 2, 10 + n), "100.00")
    assert count() == before


def test_the_account_page_leads_to_the_chain_page(client, example, manager, supervisor):
    client.force_login(manager)
    page = client.get(reverse("accounts:account-detail", args=[example.pk])).content.decode()
    assert f'href="{reverse("analytics:chain", args=["WMT"])}?preset=year_to_date"' in page
    client.force_login(make_user("supervisor", username="sup_b"))
    assert client.get(reverse("accounts:account-detail", args=[example.pk])).status_code == 404


def test_the_period_reads_as_account_performance_does(example, manager):
    """The chain page's headline is the performance page's row for the chain, for any run of months."""
    from accounts.selectors import Period, account_performance

    for first, last in ((JAN, MAR), (FEB, FEB), (date(2024, 11, 1), date(2025, 4, 1))):
        o = chain_overview(user=manager, account=example, month_from=first, month_to=last, today=TODAY)
        rows, _ = account_performance(user=manager, period=Period(first, last), accounts=type(example).objects.all())
        row = next(r for r in rows if r.account == example)
        assert (o.performance.target, o.performance.actual, o.performance.last_year) == (
            row.target, row.actual, row.last_year
        )  # fmt: skip


def test_the_costliest_ten_plans_are_listed_and_every_plan_is_summed(example, manager):
    for n in range(11):  # eleven more plans in March, 100 … 1,100
        PromotionPlanFactory(
            account=example, status=Status.APPROVED, start_on=MAR, end_on=date(2025, 3, 5), total_cost=100 * (n + 1)
        )
    o = chain_overview(user=manager, account=example, month_from=JAN, month_to=MAR, today=TODAY)
    p = o.promotions
    assert (p.count, p.evaluated_count, len(p.lines)) == (13, 1, 10)
    assert p.cost == Decimal("2900") + sum(Decimal(100 * (n + 1)) for n in range(11))  # 9,500
    assert [line.cost for line in p.lines][:3] == [Decimal("1900"), Decimal("1100"), Decimal("1000")]
    assert p.cost_per_incremental_unit == Decimal("9.50")  # of the evaluated plan only


def test_the_excel_lists_every_plan_so_its_totals_add_up(client, example, manager):
    # Given thirteen plans in the period, more than the page's ten costliest
    for n in range(11):
        PromotionPlanFactory(
            account=example, status=Status.APPROVED, start_on=MAR, end_on=date(2025, 3, 5), total_cost=100 * (n + 1)
        )
    # When the manager exports the chain page
    _header, *plans, total, _note = _rows(_workbook(client, manager)["促销"])
    # Then the workbook lists all thirteen, and its totals row is the sum of the rows above it
    assert len(plans) == 13
    assert total[4] == "13个计划，1个已评估"
    assert total[5] == sum(row[5] for row in plans) == 3000 + sum(100 * (n + 1) for n in range(11))


def test_a_preset_fills_the_month_fields(client, example, manager):
    client.force_login(manager)
    page = client.get(reverse("analytics:chain", args=["WMT"]), {"preset": "last_year"}).content.decode()
    last = timezone.localdate().year - 1  # the preset is read on the real today
    assert f'value="{last}-01"' in page and f'value="{last}-12"' in page


@pytest.mark.parametrize(
    "url",
    [
        reverse("analytics:chain", args=["WMT"]),
        reverse("analytics:channel-mix"),
        reverse("analytics:promotion-expense"),
    ],
)
def test_without_a_period_an_analysis_reads_the_year_so_far(client, example, manager, url):
    # Given a manager opening an analysis page early in a month without choosing a period
    client.force_login(manager)
    page = client.get(url).content.decode()
    # Then it reads the year so far, not this month alone, and its period fields say so (store P&L's days too:
    # test_store_pnl.py)
    today = timezone.localdate()
    assert f'name="month_from" value="{today.year}-01"' in page and f'name="month_to" value="{today:%Y-%m}"' in page


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        (reverse("analytics:targets"), ("month",)),
        (reverse("analytics:targets-account", args=["WMT"]), ("month",)),
    ],
)
def test_without_a_period_the_fields_show_this_month(client, example, manager, url, fields):
    # Given a manager opening an analysis page without choosing a period
    client.force_login(manager)
    # When the page shows this month's figures
    page = client.get(url).content.decode()
    # Then its month fields say so, rather than standing empty above figures of an unstated period
    this_month = f"{timezone.localdate():%Y-%m}"
    for field in fields:
        assert f'name="{field}" value="{this_month}"' in page
