"""Gross to net per chain (issue 12 item 7): worked examples per step, contract execution, the pages, the Excel
export and the API, scope (a KA manager their own chains, reps and supervisors 404) and a fixed query count."""

import html
import json
import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import KeyAccount, SalesTarget
from contracts.models import Deduction
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory, make_user
from tradespend import reports
from tradespend.closing import month_close

from .g2n_helpers import credit_note, deducted_term, deduction, invoice, line

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


@pytest.fixture
def g2n_wmt(manager):
    return KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager, tier=KeyAccount.Tier.GKA)


@pytest.fixture
def g2n_other(db):
    return KeyAccountFactory(code="CRF", name="家乐福", tier=KeyAccount.Tier.NKA)


@pytest.fixture
def g2n_contract(g2n_wmt):
    contract = ContractFactory(account=g2n_wmt, number="HT-WMT-2025", valid_from=JAN, valid_to=date(2025, 12, 31))
    rebate = deducted_term(contract, "rebate", "percent", "month", rate="3.00")
    listing = deducted_term(contract, "dm", "fixed", "quarter", amount="600.00")
    per_store = deducted_term(contract, "listing", "per_store_sku", "once", amount="50.00")
    return contract, rebate, listing, per_store


@pytest.fixture
def g2n_january(g2n_wmt, g2n_contract):
    """January 2025 of WMT, one record per step:
    gross 10,000 + 5,000 − 1,000 credit note = 14,000; rebate 420 (3 %); fixed fees: DM 500 + barcode 200 = 700;
    promotion 300; a deduction of 800 of which 500 matched and 100 recovered → 200 unsupported;
    net = 14,000 − 420 − 700 − 300 − 200 = 12,380; ratio 1,620 ÷ 14,000 = 11.57 %."""
    _contract, rebate, dm, _per_store = g2n_contract
    first = invoice(g2n_wmt, date(2025, 1, 5), "10000.00")
    invoice(g2n_wmt, date(2025, 1, 20), "5000.00")
    credit_note(g2n_wmt, date(2025, 1, 25), "1000.00")
    line(g2n_wmt, JAN, "rebate", "420.00", term=rebate)
    line(g2n_wmt, JAN, "dm", "500.00", term=dm)
    line(g2n_wmt, JAN, "barcode", "200.00")
    line(g2n_wmt, JAN, "promotion", "300.00")
    deduction(first, date(2025, 1, 28), "800.00", matched="500.00", recovered="100.00")
    return first


def test_worked_example_every_step(g2n_wmt, g2n_january):
    report = reports.gross_to_net(accounts=KeyAccount.objects.filter(pk=g2n_wmt.pk), month_from=JAN, month_to=JAN)
    figures = report.rows[0].figures
    assert figures.gross == Decimal("14000.00")
    assert figures.rebates == Decimal("420.00")
    assert figures.fixed_fees == Decimal("700.00")
    assert figures.promotion == Decimal("300.00")
    assert figures.unsupported == Decimal("200.00")
    assert figures.net == Decimal("12380.00")
    assert figures.spend == Decimal("1620.00")
    assert figures.ratio == Decimal("0.1157")
    by_kind = {kind: (amount, share) for kind, _label, amount, share in figures.kinds()}
    assert by_kind == {
        "rebate": (Decimal("420.00"), Decimal("0.0300")),
        "barcode": (Decimal("200.00"), Decimal("0.0143")),
        "dm": (Decimal("500.00"), Decimal("0.0357")),
        "promotion": (Decimal("300.00"), Decimal("0.0214")),
    }


def test_each_month_counts_only_what_is_dated_in_it(g2n_wmt, g2n_january):
    invoice(g2n_wmt, date(2025, 2, 3), "2000.00")
    line(g2n_wmt, FEB, "promotion", "100.00")
    accounts = KeyAccount.objects.filter(pk=g2n_wmt.pk)
    feb = reports.gross_to_net(accounts=accounts, month_from=FEB, month_to=FEB).rows[0].figures
    assert (feb.gross, feb.promotion, feb.unsupported, feb.net) == (
        Decimal("2000.00"), Decimal("100.00"), Decimal("0.00"), Decimal("1900.00"),
    )  # fmt: skip
    both = reports.gross_to_net(accounts=accounts, month_from=JAN, month_to=FEB).rows[0].figures
    assert both.gross == Decimal("16000.00") and both.net == Decimal("14280.00")


def test_no_gross_means_no_ratio(g2n_wmt):
    line(g2n_wmt, JAN, "listing", "300.00")
    figures = reports.gross_to_net(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=JAN).rows[0].figures
    assert figures.net == Decimal("-300.00")
    assert figures.ratio is None
    assert figures.kinds()[0][3] is None


def test_a_fixed_number_of_queries_whatever_the_accounts_and_months(g2n_wmt, g2n_other, g2n_january, finance):
    def queries(count_accounts, month_to):
        for index in range(count_accounts):
            extra = KeyAccountFactory()
            invoice(extra, date(2025, 2 + index % 3, 10), "100.00")
            line(extra, date(2025, 2 + index % 3, 1), "dm", "10.00")
        with CaptureQueriesContext(connection) as captured:
            reports.gross_to_net(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=month_to)
        return len(captured)

    few = queries(1, JAN)
    month_close(month=JAN, by=finance, today=date(2025, 4, 1))
    many = queries(6, date(2025, 12, 1))
    assert few <= 9 and many <= 9  # the over-deducted lines: one query more (reports.live_figures)


def test_contract_execution_against_target_and_terms(g2n_wmt, g2n_contract, g2n_january):
    contract, rebate, dm, per_store = g2n_contract
    for month in range(1, 13):
        SalesTarget.objects.create(account=g2n_wmt, year=2025, month=month, amount=Decimal("10000.00"))
    line(g2n_wmt, FEB, "rebate", "60.00", term=rebate)  # within the period
    line(g2n_wmt, MAR, "rebate", "999.00", term=rebate)  # after the period's end: not yet spent "to date"
    invoice(g2n_wmt, date(2025, 3, 2), "7000.00")  # after the period's end
    [execution] = reports.contract_execution(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=FEB)
    assert execution.contract == contract
    assert execution.target == Decimal("120000.00")  # the year's SalesTarget months, not total_amount
    assert execution.sell_in == Decimal("14000.00")
    assert execution.achievement == Decimal("0.1167")
    terms = {item.term.kind: item for item in execution.terms}
    assert terms["rebate"].agreed == Decimal("3600.00")  # 3 % of 120,000
    assert terms["rebate"].spent == Decimal("480.00")
    assert terms["rebate"].share == Decimal("0.1333")
    assert terms["dm"].agreed == Decimal("2400.00")  # 600 a quarter × 4 quarters
    assert terms["dm"].spent == Decimal("500.00")
    assert terms["listing"].agreed is None and terms["listing"].share is None  # per listing


def test_a_percent_terms_agreed_amount_rounds_half_up_as_its_accruals(g2n_wmt, g2n_contract):
    """3 % of a year's target of 120,005.50 is 3,600.165: the accruals (percent_of) book half a cent up, 3,600.17;
    the execution report rounded it to the even cent, 3,600.16, a cent apart from the ledger on the same term."""
    for month in range(1, 13):
        amount = Decimal("10005.50") if month == 1 else Decimal("10000.00")
        SalesTarget.objects.create(account=g2n_wmt, year=2025, month=month, amount=amount)
    [execution] = reports.contract_execution(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=FEB)
    rebate = next(item for item in execution.terms if item.term.kind == "rebate")
    assert rebate.term.rate == Decimal("3") and execution.target == Decimal("120005.50")
    assert rebate.agreed == Decimal("3600.17")


@pytest.mark.parametrize(
    ("period", "months", "expected"),
    [("month", 12, 12), ("quarter", 12, 4), ("quarter", 7, 3), ("year", 12, 1), ("year", 18, 2), ("once", 12, 1)],
)
def test_term_period_count(period, months, expected):
    start = date(2025, 1, 1)
    end = date(2025 + (months - 1) // 12, (months - 1) % 12 + 1, 28)
    assert reports.term_period_count(period, start, end) == expected


def test_presets():
    today = date(2026, 5, 14)
    assert reports.preset_period("this_month", today) == (date(2026, 5, 1), date(2026, 5, 1))
    assert reports.preset_period("last_month", today) == (date(2026, 4, 1), date(2026, 4, 1))
    assert reports.preset_period("this_quarter", today) == (date(2026, 4, 1), date(2026, 6, 1))
    assert reports.preset_period("year_to_date", today) == (date(2026, 1, 1), date(2026, 5, 1))
    assert reports.preset_period("last_year", today) == (date(2025, 1, 1), date(2025, 12, 1))
    assert reports.preset_period("last_month", date(2026, 1, 3)) == (date(2025, 12, 1), date(2025, 12, 1))


# --- pages ------------------------------------------------------------------------------------------------------


def _period(start=JAN, end=JAN):
    return {"month_from": f"{start:%Y-%m}", "month_to": f"{end:%Y-%m}"}


def test_page_shows_one_row_per_chain_with_totals(client, finance, g2n_wmt, g2n_other, g2n_january):
    invoice(g2n_other, date(2025, 1, 9), "1000.00")
    client.force_login(finance)
    page = client.get(reverse("tradespend:gross-to-net"), _period()).content.decode()
    assert 'data-account="WMT"' in page and 'data-account="CRF"' in page
    assert "12,380.00" in page  # WMT's net
    assert "13,380.00" in page  # the total net
    assert "11.57 %" in page


def test_page_filters_by_account_and_tier(client, finance, g2n_wmt, g2n_other, g2n_january):
    client.force_login(finance)
    page = client.get(reverse("tradespend:gross-to-net"), {**_period(), "tier": "NKA"}).content.decode()
    assert 'data-account="CRF"' in page and 'data-account="WMT"' not in page
    page = client.get(reverse("tradespend:gross-to-net"), {**_period(), "account": "WMT"}).content.decode()
    assert 'data-account="WMT"' in page and 'data-account="CRF"' not in page


def test_excel_export_has_the_figures(client, finance, g2n_wmt, g2n_january):
    client.force_login(finance)
    response = client.get(reverse("tradespend:gross-to-net"), {**_period(), "account": "WMT", "export": "xlsx"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:9] == ("WMT", "沃尔玛", 14000, 420, 700, 300, 200, 12380, pytest.approx(0.1157))


def test_chain_page_waterfall_kinds_execution_and_links(client, manager, g2n_wmt, g2n_january):
    client.force_login(manager)
    page = client.get(reverse("tradespend:gross-to-net-account", args=["WMT"]), _period(), HTTP_ACCEPT_LANGUAGE="en")
    page = page.content.decode()
    # the waterfall is drawn by the portal's charts (as on the chain page), its figures the table's: no second table
    assert 'data-testid="chart-waterfall"' in page and "chart.umd.min.js" in page and "js/charts.js" in page
    config = json.loads(
        page.split('data-testid="chart-waterfall"')[1].split('type="application/json">')[1].split("<")[0]
    )
    assert config["kind"] == "waterfall" and config["labels"][0] == "Gross invoiced" and config["labels"][-1] == "Net"
    assert config["series"][0]["values"][0] == "14000.00" and config["series"][0]["values"][-1] == "12380.00"
    assert config["series"][0]["alarming"] == [config["labels"].index("Unsupported deductions")]  # drawn in red
    assert 'data-testid="chart-table-waterfall"' not in page
    assert "12,380.00" in page and "11.57 %" in page
    assert 'data-kind="dm"' in page and 'data-kind="unsupported"' in page
    assert "HT-WMT-2025" in page and "per listing" in page
    assert "/trade-spend/ledger/?account=WMT&amp;month_from=2025-01&amp;month_to=2025-01&amp;category=rebate" in page
    assert "/trade-spend/deductions/?account=WMT&amp;date_from=2025-01-01&amp;date_to=2025-01-31" in page
    assert "?month_from=2025-01&amp;month_to=2025-01&amp;export=xlsx" in page


def test_chain_page_marks_closed_months(client, finance, g2n_wmt, g2n_january):
    month_close(month=JAN, by=finance, today=date(2025, 3, 1))
    client.force_login(finance)
    page = client.get(reverse("tradespend:gross-to-net-account", args=["WMT"]), _period(JAN, FEB)).content.decode()
    assert 'data-month="2025-01" data-closed="1"' in page
    assert 'data-month="2025-02">' in page


@pytest.mark.parametrize("role", ["rep", "supervisor"])
def test_reps_and_supervisors_get_404(client, role, g2n_wmt, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("tradespend:gross-to-net")).status_code == 404
    assert client.get(reverse("tradespend:gross-to-net-account", args=["WMT"])).status_code == 404
    assert client.get(reverse("tradespend:months")).status_code == 404
    assert client.get("/api/v1/reports/gross-to-net/").status_code == 404
    assert client.get("/api/v1/closed-months/").status_code == 404


def test_manager_sees_only_own_chains(client, manager, g2n_wmt, g2n_other, g2n_january):
    invoice(g2n_other, date(2025, 1, 9), "1000.00")
    client.force_login(manager)
    page = client.get(reverse("tradespend:gross-to-net"), _period()).content.decode()
    assert 'data-account="WMT"' in page and "家乐福" not in page
    assert client.get(reverse("tradespend:gross-to-net-account", args=["CRF"])).status_code == 404
    other = make_user("manager", username="g2n_other_manager")
    client.force_login(other)
    assert client.get(reverse("tradespend:gross-to-net-account", args=["WMT"])).status_code == 404


# --- API --------------------------------------------------------------------------------------------------------


def test_api_gives_the_same_figures(api_client, finance, g2n_wmt, g2n_january):
    api_client.force_authenticate(finance)
    query = {"from": "2025-01", "to": "2025-01", "account": "WMT"}
    body = api_client.get("/api/v1/reports/gross-to-net/", query).json()
    [row] = body["rows"]
    assert row["account"]["code"] == "WMT"
    figures = row["figures"]
    assert figures["gross"] == "14000.00" and figures["net"] == "12380.00" and figures["unsupported"] == "200.00"
    assert figures["ratio"] == "0.1157"
    assert figures["by_kind"]["rebate"] == {"amount": "420.00", "ratio": "0.0300"}
    assert row["months"][0]["month"] == "2025-01" and row["months"][0]["closed"] is False
    assert body["total"]["net"] == "12380.00"


def test_api_scope_and_bad_months(api_client, manager, g2n_wmt, g2n_other):
    api_client.force_authenticate(manager)
    response = api_client.get("/api/v1/reports/gross-to-net/", {"account": "CRF"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (400, 404) and "Not found." in response.content.decode()
    body = api_client.get("/api/v1/reports/gross-to-net/", {"from": "2025-01", "to": "2025-02"}).json()
    assert [row["account"]["code"] for row in body["rows"]] == ["WMT"]
    assert api_client.get("/api/v1/reports/gross-to-net/", {"from": "2025-13"}).status_code == 400
    assert api_client.get("/api/v1/reports/gross-to-net/", {"from": "2025-03", "to": "2025-01"}).status_code == 400


def test_chain_pages_unsupported_link_lists_the_deductions_behind_its_figure(client, finance, g2n_wmt, g2n_january):
    # given January's deduction of 800 (500 matched, 100 recovered: 200 unsupported, so partly matched) and an
    # unsupported deduction of 999 dated in March
    g2n_january.deductions.update(state=Deduction.State.PARTLY_MATCHED)
    deduction(invoice(g2n_wmt, date(2025, 3, 3), "3000.00"), date(2025, 3, 10), "999.00")

    # when finance follows the chain page's "Unsupported deductions" link for January
    client.force_login(finance)
    page = client.get(reverse("tradespend:gross-to-net-account", args=["WMT"]), _period(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["figures"].unsupported == Decimal("200.00")
    link = html.unescape(re.search(r'href="(/trade-spend/deductions/\?[^"]*)"', page.content.decode()).group(1))
    listed = client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # then the list shows January's deduction, and not March's, which the January figure does not count
    assert "800.00" in listed
    assert "999.00" not in listed


def test_in_chinese_the_report_is_not_called_gross_profit(client, finance, g2n_wmt, g2n_january):
    # given finance reading gross to net in Chinese, overall and for one chain
    client.force_login(finance)
    for url in (reverse("tradespend:gross-to-net"), reverse("tradespend:gross-to-net-account", args=["WMT"])):
        page = client.get(url, _period(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

        # then it is named for what it starts from, gross invoiced (开票总额), never gross profit (毛利): the
        # portal holds no cost of goods
        assert "毛利" not in page
        assert "总额到净额" in page
