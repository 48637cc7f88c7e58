"""A month left blank on the targets form has no target, and every report that compares sell-in with targets reads
the account page's rule (accounts.selectors.compared_with_targets): a period compares its actual with its targets
only over the months that have one, an account with none shows none (not 0), and a period not begun shows no
shortfall — in the performance report (page, API, Excel), the chain page (page, API, Excel) and the manager's home.

QA: a chain with targets for January–March only read, over 2026, an achievement of the whole year's sell-in against
the first quarter's target (276.67 %) on the performance report and the chain page, 90.00 % on its own page.

The worked example, 2026 asked on 3 December 2026:
    Q1    targets Jan–Mar 10,000 each = 30,000, none after; invoiced Jan 8,000, Feb 10,000, Mar 9,000 (27,000) and
          Jun 50,000 → actual 77,000; over Jan–Mar 27,000 against 30,000: difference −3,000, achievement 90.00 %
    FULL  every month 1,000 = 12,000; invoiced Jan 6,000 → difference −6,000, achievement 50.00 %
    NONE  no target; invoiced 5,000 → no target, no difference, no achievement
    total target 42,000; actual 88,000, of it 33,000 in months with a target → −9,000, 78.57 %
"""

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.selectors import Performance, Period, account_performance, account_year_by_month, compared_with_targets
from analytics.chain import chain_overview
from analytics.dashboards import manager_dashboard
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, SalesTargetFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
YEAR = {"start": "2026-01", "end": "2026-12"}
D = Decimal


@pytest.fixture
def accounts(manager):
    q1 = KeyAccountFactory(owner=manager, code="Q1", name="一季度", name_en="First quarter")
    full = KeyAccountFactory(owner=manager, code="FULL", name="全年", name_en="Full year")
    none = KeyAccountFactory(owner=manager, code="NONE", name="无指标", name_en="No target")
    for month in (1, 2, 3):
        SalesTargetFactory(account=q1, year=2026, month=month, amount=D("10000"))
    for month in range(1, 13):
        SalesTargetFactory(account=full, year=2026, month=month, amount=D("1000"))
    for account, day, amount in (
        (q1, date(2026, 1, 10), "8000"), (q1, date(2026, 2, 10), "10000"), (q1, date(2026, 3, 10), "9000"),
        (q1, date(2026, 6, 10), "50000"), (full, date(2026, 1, 10), "6000"), (none, date(2026, 5, 10), "5000"),
    ):  # fmt: skip
        InvoiceFactory(account=account, date=day, amount=D(amount))
    return {"Q1": q1, "FULL": full, "NONE": none}


def _cells(html: str, account: str) -> dict[str, str]:
    """A performance row's cells by column, each cell's main figure (its small lines apart) and its small lines."""
    row = re.search(rf'<tr[^>]*data-account="{account}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"no row {account}"
    cells = {}
    for col, text in re.findall(r'data-col="(\w+)">(.*?)</td>', row.group(1), re.S):
        small = re.findall(r'<span class="d-block[^"]*"[^>]*>(.*?)</span>', text, re.S)
        cells[col] = re.sub(
            r"\s+", " ", re.sub(r'<span class="d-block.*?</span>|<[^>]+>', "", text, flags=re.S)
        ).strip()
        cells[f"{col}_small"] = " ".join(line.strip() for line in small)
    return cells


@time_machine.travel("2026-12-03 10:00 +0800")
def test_the_performance_page_compares_only_the_months_with_a_target(client, manager, accounts):
    client.force_login(manager)

    html = client.get(reverse("accounts:performance"), YEAR, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # Then Q1 is compared over January–March: its target, those months named, the year's actual with those months'
    q1 = _cells(html, "Q1")
    assert (q1["difference"], q1["achievement"]) == ("-3,000.00", "90.00 %")  # not 47,000.00 and 256.67 %
    assert (q1["target"], q1["target_small"]) == ("30,000.00", "2026-01–2026-03")
    assert (q1["actual"], q1["actual_small"]) == ("77,000.00", "27,000.00 in months with a target")
    # a chain with every month set reads as before, with nothing under its figures
    full = _cells(html, "FULL")
    assert (full["target"], full["target_small"], full["actual_small"]) == ("12,000.00", "", "")
    assert (full["difference"], full["achievement"]) == ("-6,000.00", "50.00 %")
    # a chain with no target shows none, not 0.00 and its whole sell-in as the difference
    none = _cells(html, "NONE")
    assert (none["target"], none["actual"], none["difference"], none["achievement"]) == ("—", "5,000.00", "—", "—")
    # the total: every target against the sell-in of the months that have one
    total = _cells(html, "total")
    assert (total["target"], total["actual"]) == ("42,000.00", "88,000.00")
    assert total["actual_small"] == "33,000.00 in months with a target"
    assert (total["difference"], total["achievement"]) == ("-9,000.00", "78.57 %")
    # the page says why, once
    assert html.count('data-testid="target-months-note"') == 1
    assert "Not every month of this period has a target (a month left blank has none)" in html
    # best achievement first, the chain without one last
    assert re.findall(r'<tr data-account="(\w+)"', html) == ["Q1", "FULL", "NONE"]


@time_machine.travel("2026-12-03 10:00 +0800")
def test_the_report_agrees_with_the_account_page_and_the_chain_page(manager, accounts):
    q1 = accounts["Q1"]
    rows, _total = account_performance(user=manager, period=Period(date(2026, 1, 1), date(2026, 12, 1)), today=TODAY)
    row = next(r for r in rows if r.account == q1)
    year = account_year_by_month(account=q1, year=2026, today=TODAY)
    chain = chain_overview(
        user=manager, account=q1, month_from=date(2026, 1, 1), month_to=date(2026, 12, 1), today=TODAY
    ).performance

    # the account page's "Months with a target: 1–3" row is the report's row and the chain page's headline
    for figures in (row.compared, chain.compared):
        assert (figures.target, figures.actual, figures.difference, figures.achievement) == (
            year.with_target.target, year.with_target.actual, year.with_target.difference,
            year.with_target.achievement,
        )  # fmt: skip
    assert year.with_target.achievement == D("0.9")
    assert row.actual == chain.actual == year.total.actual == D("77000")


def test_a_period_not_begun_shows_its_target_and_no_shortfall(client, manager):
    # Given next year's January set and nothing sold yet
    account = KeyAccountFactory(owner=manager, code="NEXT")
    SalesTargetFactory(account=account, year=2027, month=1, amount=D("10000"))
    client.force_login(manager)

    with time_machine.travel("2026-12-03 10:00 +0800"):
        html = client.get(
            reverse("accounts:performance"), {"start": "2027-01", "end": "2027-03"}, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        body = client.get("/api/v1/reports/account-performance/", {"from": "2027-01", "to": "2027-03"}).json()

    # Then its target reads, with no difference of −10,000.00 and no achievement of 0 %
    cells = _cells(html, "NEXT")
    assert (cells["target"], cells["difference"], cells["achievement"]) == ("10,000.00", "—", "—")
    row = body["results"][0]
    assert (row["target"], row["difference"], row["achievement"]) == ("10000.00", None, None)


@time_machine.travel("2026-12-03 10:00 +0800")
def test_the_api_compares_only_the_months_with_a_target_in_fixed_queries(api_client, manager, accounts):
    api_client.force_authenticate(manager)
    year = {"from": "2026-01", "to": "2026-12"}
    api_client.get("/api/v1/reports/account-performance/", year)  # the user's permissions read once

    with CaptureQueriesContext(connection) as three:
        body = api_client.get("/api/v1/reports/account-performance/", {"from": "2026-01", "to": "2026-12"}).json()

    by_code = {row["account"]: row for row in body["results"]}
    assert (by_code["Q1"]["difference"], by_code["Q1"]["achievement"]) == ("-3000.00", "90.00")
    assert {key: by_code["Q1"][key] for key in ("target", "actual", "actual_with_target", "difference")} == {
        "target": "30000.00", "actual": "77000.00", "actual_with_target": "27000.00", "difference": "-3000.00"
    }  # fmt: skip
    assert (by_code["Q1"]["achievement"], by_code["Q1"]["target_months"]) == (
        "90.00",
        ["2026-01", "2026-02", "2026-03"],
    )
    assert (by_code["FULL"]["achievement"], len(by_code["FULL"]["target_months"])) == ("50.00", 12)
    none = by_code["NONE"]
    assert (none["target"], none["actual_with_target"], none["difference"], none["achievement"]) == (None,) * 4
    assert (none["actual"], none["target_months"]) == ("5000.00", [])
    total = body["total"]
    assert (total["target"], total["actual"], total["actual_with_target"]) == ("42000.00", "88000.00", "33000.00")
    assert (total["difference"], total["achievement"]) == ("-9000.00", "78.57")

    # and as many queries for ten more chains, each with months of targets and sell-in
    for n in range(10):
        more = KeyAccountFactory(owner=manager, code=f"MORE{n}")
        SalesTargetFactory(account=more, year=2026, month=1 + n, amount=D("100"))
        InvoiceFactory(account=more, date=date(2026, 1 + n, 5), amount=D("50"))
    with CaptureQueriesContext(connection) as thirteen:
        again = api_client.get("/api/v1/reports/account-performance/", {"from": "2026-01", "to": "2026-12"})
    assert len(again.json()["results"]) == 13
    assert len(thirteen.captured_queries) == len(three.captured_queries)


@time_machine.travel("2026-12-03 10:00 +0800")
def test_the_excel_compares_only_the_months_with_a_target(client, manager, accounts):
    client.force_login(manager)

    answer = client.get(reverse("accounts:performance"), {**YEAR, "sort": "code", "export": "xlsx"},
                        HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip

    sheet = openpyxl.load_workbook(BytesIO(b"".join(answer.streaming_content))).active
    lines = list(sheet.iter_rows(values_only=True))
    header = lines.index(next(line for line in lines if line[0] == "Code"))
    q1 = next(line for line in lines if line[0] == "Q1")
    assert (q1[5], round(D(str(q1[6])), 4)) == (-3000, D("0.9"))  # not 47,000 and 256.67 %
    assert any(line[0].startswith("Not every month of this period has a target") for line in lines[:header])
    assert lines[header][3:] == (
        "Target", "Actual", "Difference", "Achievement", "Growth", "Same period last year", "Months with a target",
        "Actual in months with a target",
    )  # fmt: skip
    rows = {line[0]: line for line in lines[header + 1 :] if line[0]}
    assert (q1[3], q1[4], q1[5], round(D(str(q1[6])), 4)) == (30000, 77000, -3000, D("0.9"))
    assert (q1[9], q1[10]) == ("2026-01–2026-03", 27000)
    assert rows["NONE"][3:7] == (None, 5000, None, None) and rows["NONE"][9:] == (None, None)
    total = lines[-1]
    assert (total[1], total[3], total[4], total[5], total[10]) == ("Total", 42000, 88000, -9000, 33000)


@time_machine.travel("2026-12-03 10:00 +0800")
def test_the_chain_page_api_and_excel_compare_only_the_months_with_a_target(client, manager, accounts):
    client.force_login(manager)
    query = {"month_from": "2026-01", "month_to": "2026-12"}

    page = client.get(reverse("analytics:chain", args=["Q1"]), query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    body = client.get("/api/v1/accounts/Q1/overview/", {"from": "2026-01", "to": "2026-12"}).json()
    book = openpyxl.load_workbook(
        BytesIO(
            b"".join(
                client.get(
                    reverse("analytics:chain", args=["Q1"]), query | {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en"
                ).streaming_content
            )
        )
    )

    # Then the headline's achievement is January–March's: 90.0 %, not 256.7 %; its target theirs, named
    achievement = page.split('data-figure="achievement"')[1].split("</a>")[0]
    assert re.search(r'"stat[^"]*">([^<]*)</div>', achievement).group(1) == "90.0 %"
    target = re.sub(r"<[^>]+>|\s+", " ", page.split('data-testid="headline-target">')[1].split("</a>")[0]).split()
    assert target == ["Target", "30,000.00", "2026-01–2026-03"]
    assert "Only 2026-01–2026-03 have a target (a month left blank has none)" in page
    # the trend's table has no target of 0 for a month left blank
    trend = page.split('data-testid="chart-table-trend"')[1].split("</table>")[0]
    april = re.findall(r"<td[^>]*>(.*?)</td>", trend.split("</tr>")[4], re.S)  # header, Jan, Feb, Mar, Apr
    assert april[1] == "—"
    # the API says the same
    performance = body["performance"]
    assert (performance["target"], performance["actual"], performance["actual_with_target"]) == (
        "30000.00", "77000.00", "27000.00"
    )  # fmt: skip
    assert (performance["difference"], performance["achievement"]) == ("-3000.00", "0.9000")
    assert performance["target_months"] == ["2026-01", "2026-02", "2026-03"]
    months = {month["month"]: month for month in body["months"]}
    assert (months["2026-06"]["target"], months["2026-06"]["difference"], months["2026-06"]["achievement"]) == (
        None, None, None
    )  # fmt: skip
    assert months["2026-03"]["achievement"] == "0.9000"
    # and so does the workbook
    summary = {line[0]: line[1:] for line in book["Summary"].iter_rows(values_only=True)}
    assert summary["Target"][0] == 30000 and summary["Difference"][0] == -3000
    assert round(D(str(summary["Actual"][1])), 4) == D("0.9")
    assert (summary["Months with a target"][0], summary["Actual in months with a target"][0]) == (
        "2026-01–2026-03", 27000
    )  # fmt: skip
    assert [line[2] for line in book["Months"].iter_rows(min_row=2, values_only=True)][2:4] == [10000, None]


@time_machine.travel("2026-12-03 10:00 +0800")
def test_a_chain_without_a_target_says_so(client, manager, accounts):
    client.force_login(manager)
    query = {"month_from": "2026-01", "month_to": "2026-12"}

    page = client.get(reverse("analytics:chain", args=["NONE"]), query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    body = client.get("/api/v1/accounts/NONE/overview/", {"from": "2026-01", "to": "2026-12"}).json()

    assert page.split('data-testid="headline-target">')[1].startswith("No target</div>")
    assert 'data-testid="target-months-note"' not in page
    performance = body["performance"]
    assert (performance["target"], performance["difference"], performance["achievement"]) == (None, None, None)
    assert performance["target_months"] == []


def test_the_managers_home_reads_achievement_over_the_months_with_a_target(client, manager, accounts):
    # Given the worked example on 3 December: Q1's year to date is January–March's 90 %, not 256.7 %
    board = manager_dashboard(manager, today=TODAY)

    chart = board.achievement_chart
    values = dict(zip(chart.labels, (row["values"] for row in chart.rows), strict=True))
    assert values["一季度"] == ["—", "90.0 %"]
    assert values["无指标"] == ["—", "—"]
    # the total of the year: 33,000 of 42,000 in the months with a target
    assert board.year_total.compared.achievement == D("33000") / D("42000")


def test_the_rule_counts_a_month_to_come_by_its_target_only():
    """compared_with_targets, by hand: February of a January–March target, April left blank."""
    months = [
        Performance(month=date(2026, 1, 1), target=D("100"), actual=D("80")),
        Performance(month=date(2026, 2, 1), target=D("100"), actual=D("40")),
        Performance(month=date(2026, 3, 1), target=D("100"), future=True),
        Performance(month=date(2026, 4, 1), targeted=False, future=True),
    ]

    whole = compared_with_targets(months)

    assert (whole.targeted, whole.target, whole.actual, whole.difference, whole.achievement) == (
        False, D("300"), D("120"), None, None
    )  # fmt: skip
    part = whole.compared
    assert (part.target, part.actual, part.difference, part.achievement) == (D("300"), D("120"), D("-180"), D("0.4"))
    assert whole.target_month_runs == "2026-01–2026-03"
    # without April, the period is targeted as a whole: the same figures, on it
    whole = compared_with_targets(months[:3])
    assert whole.compared is whole and whole.with_target is None and whole.achievement == D("0.4")
    # and nothing begun: no shortfall
    assert compared_with_targets(months[2:]).compared.difference is None
