"""The key-account performance table (SPEC §7): the demo data gives SPEC §8's figures in page, API and Excel;
actual sell-in is invoiced, net of credit notes (SPEC §2), never delivered."""

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import Period, account_performance, account_year_by_month
from contracts import services
from tests.contracts.factories import InvoiceFactory
from tests.factories import DeliveryFactory, KeyAccountFactory, SalesTargetFactory, StoreFactory
from tradespend.models import ClosedMonth

pytestmark = pytest.mark.django_db

# SPEC §8: account, target, actual, difference (10,000 CNY), achievement %, growth %
SPEC_8 = [
    ("WMT", "19.97", "32.03", "12.06", "160.39", "89.30"),
    ("TIMES", "8.89", "12.67", "3.78", "142.52", "68.26"),
    ("NGS", "85.77", "118.00", "32.23", "137.58", "37.58"),
    ("LH", "132.55", "124.20", "-8.35", "93.70", "10.57"),
    ("RTM", "77.58", "71.81", "-5.77", "92.56", "9.22"),
    ("CRF", "117.28", "83.18", "-34.10", "70.92", "-16.31"),
    ("TESCO", "161.37", "104.33", "-57.04", "64.65", "-23.71"),
    ("TRUST", "112.15", "70.93", "-41.22", "63.25", "-25.37"),
    ("LOTUS", "213.75", "134.70", "-79.05", "63.02", "-25.64"),
    ("AUCHAN", "76.01", "46.79", "-29.22", "61.56", "-27.37"),
    ("PNS", "4.57", "0.42", "-4.15", "9.19", "-89.15"),
]


def _wan(value: str) -> str:
    return f"{Decimal(value) * 10000:,.2f}"


@pytest.fixture
def demo_admin(demo_company):
    return get_user_model().objects.get(username="admin")


def test_page_shows_spec_8_for_january_to_may(client, demo_admin):
    client.force_login(demo_admin)

    response = client.get(reverse("accounts:performance"), {"month_from": "2026-01", "month_to": "2026-05"})

    html = response.content.decode()
    rows = [line for line in html.split("<tr") if "data-account=" in line]
    assert [r.split('data-account="')[1].split('"')[0] for r in rows][:11] == [s[0] for s in SPEC_8]  # by achievement
    for code, target, actual, difference, achievement, growth in SPEC_8:
        row = next(r for r in rows if f'data-account="{code}"' in r)
        assert f'data-col="target">{_wan(target)}<' in row
        assert f'data-col="actual">{_wan(actual)}<' in row
        assert f">{_wan(difference)}<" in row
        assert f'data-col="achievement">{achievement} %<' in row
        assert f"{growth} %<" in row
    total = next(r for r in rows if 'data-account="total"' in r)
    assert f">{_wan('1009.89')}<" in total and f">{_wan('799.06')}<" in total


def test_api_gives_spec_8_and_total(api_client, demo_admin, django_assert_max_num_queries):
    api_client.force_authenticate(demo_admin)

    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/reports/account-performance/", {"from": "2026-01", "to": "2026-05"})

    assert response.status_code == 200
    body = response.json()
    by_code = {row["account"]: row for row in body["results"]}
    for code, target, actual, difference, achievement, growth in SPEC_8:
        row = by_code[code]
        assert Decimal(row["target"]) == Decimal(target) * 10000
        assert Decimal(row["actual"]) == Decimal(actual) * 10000
        assert Decimal(row["difference"]) == Decimal(difference) * 10000
        assert row["achievement"] == achievement
        assert row["growth"] == growth
    assert Decimal(body["total"]["target"]) == sum(Decimal(s[1]) for s in SPEC_8) * 10000


def test_excel_export_opens_with_the_same_figures(client, demo_admin):
    client.force_login(demo_admin)

    response = client.get(
        reverse("accounts:performance"),
        {"month_from": "2026-01", "month_to": "2026-05", "sort": "code", "export": "xlsx"},
    )

    assert response["Content-Disposition"].endswith('account-performance-2026-01-2026-05.xlsx"')
    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active
    # above the header, the months it covers; a period over has no "so far" (截至)
    assert sheet["A1"].value.startswith("2026-01 至 2026-05，单位：元。") and sheet["A2"].value == "编码"
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]}
    assert len(rows) == 11
    walmart = rows["WMT"]
    assert Decimal(str(walmart[3])) == Decimal("199700") and Decimal(str(walmart[4])) == Decimal("320300")
    assert round(Decimal(str(walmart[6])) * 100, 2) == Decimal("160.39")
    assert round(Decimal(str(rows["PNS"][7])) * 100, 2) == Decimal("-89.15")


@time_machine.travel("2026-12-03 10:00 +0800")
def test_excel_of_a_period_still_running_says_so_far_as_the_page_does(client, manager):
    # Given a chain and the year 2026 asked on 3 December
    KeyAccountFactory(owner=manager, code="MINE")
    client.force_login(manager)
    year = {"month_from": "2026-01", "month_to": "2026-12"}
    page = client.get(reverse("accounts:performance"), year, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    so_far = page.split('data-testid="so-far">')[1].split("</span>")[0]
    # When the manager exports it, in English and in Chinese
    for language, first_line, code in (
        ("en", "2026-01 to 2026-12, in CNY.", "Code"),
        ("zh-hans", "2026-01 至 2026-12，单位：元。", "编码"),
    ):
        answer = client.get(reverse("accounts:performance"), {**year, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language)
        sheet = openpyxl.load_workbook(BytesIO(b"".join(answer.streaming_content))).active
        # Then the workbook says what the page says: the months, then "so far, to 3 December"
        assert sheet["A1"].value.startswith(first_line)
        if language == "en":
            assert sheet["A2"].value == so_far and so_far.startswith("So far, to 2026-12-03: achievement")
        else:
            assert sheet["A2"].value.startswith("截至 2026-12-03：达成率为至今实际")
        assert [row[0] for row in sheet.iter_rows(min_row=3, max_row=4, values_only=True)] == [code, "MINE"]


def test_growth_and_achievement_without_a_base_are_empty_not_errors(manager):
    account = KeyAccountFactory(owner=manager)
    InvoiceFactory(account=account, date=date(2026, 3, 5), amount=Decimal("100.00"))

    rows, total = account_performance(user=manager, period=Period(date(2026, 1, 1), date(2026, 5, 1)))

    assert rows[0].actual == Decimal("100.00")
    assert rows[0].achievement is None and rows[0].growth is None
    assert total.actual == Decimal("100.00")


def test_period_bounds_are_whole_months(manager):
    account = KeyAccountFactory(owner=manager)
    for day in (date(2025, 12, 31), date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 1)):
        InvoiceFactory(account=account, date=day, amount=Decimal("10.00"))
    SalesTargetFactory(account=account, year=2026, month=1, amount=Decimal("20.00"))
    SalesTargetFactory(account=account, year=2026, month=2, amount=Decimal("20.00"))
    SalesTargetFactory(account=account, year=2026, month=3, amount=Decimal("999.00"))

    rows, _total = account_performance(user=manager, period=Period(date(2026, 1, 1), date(2026, 2, 1)))

    assert rows[0].actual == Decimal("20.00") and rows[0].target == Decimal("40.00")
    assert rows[0].achievement == Decimal("0.5")


def test_manager_sees_only_own_accounts_and_rep_is_refused(client, manager, rep):
    mine = KeyAccountFactory(owner=manager, code="MINE")
    KeyAccountFactory(code="OTHER")
    client.force_login(manager)
    html = client.get(reverse("accounts:performance")).content.decode()
    assert 'data-account="MINE"' in html and 'data-account="OTHER"' not in html
    assert mine.code in html
    # no period asked: January to this month, and the month fields say so (not empty above the figures)
    this_year, this_month = timezone.localdate().year, timezone.localdate().month
    assert (
        f'name="month_from" value="{this_year}-01"' in html
        and f'name="month_to" value="{this_year}-{this_month:02}"' in html
    )

    client.force_login(rep)
    assert client.get(reverse("accounts:performance")).status_code == 403


@pytest.mark.parametrize(
    "params, message",
    [
        ({"month_from": "2026-13"}, "YYYY-MM"),
        ({"month_from": "2026-05", "month_to": "2026-01"}, "is before the first month"),
    ],
)
def test_bad_period_is_named_and_kept(client, manager, params, message):
    client.force_login(manager)
    with time_machine.travel("2026-11-23 10:00 +0800"):
        response = client.get(reverse("accounts:performance"), {**params, "lang": "en"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{params["month_from"]}"' in html


def test_api_names_a_bad_month(api_client, manager):
    api_client.force_authenticate(manager)
    response = api_client.get("/api/v1/reports/account-performance/", {"from": "2026-1x", "to": "2026-05"})
    assert response.status_code == 400
    assert "from" in response.json()["errors"]


def test_actual_is_invoiced_net_of_credit_notes_and_deliveries_do_not_count(manager, finance):
    # given March invoiced 1,000 and a 150 credit note in March, April invoiced 500, and a delivery never invoiced;
    # March still open (the demo, when this module loaded it, has closed every month before November)
    ClosedMonth.objects.all().delete()
    account = KeyAccountFactory(owner=manager, code="NET")
    march = InvoiceFactory(account=account, date=date(2026, 3, 10), amount=Decimal("1000.00"))
    InvoiceFactory(account=account, date=date(2026, 4, 2), amount=Decimal("500.00"))
    DeliveryFactory(store=StoreFactory(account=account), date=date(2026, 3, 12), quantity=99, unit_price=Decimal("9"))
    SalesTargetFactory(account=account, year=2026, month=3, amount=Decimal("1000.00"))
    InvoiceFactory(account=account, date=date(2025, 3, 3), amount=Decimal("425.00"))

    # when finance issues a credit note in March against the March invoice
    services.credit_note_record(
        account=account, number="CN-1", date=date(2026, 3, 20), amount=Decimal("150.00"), reason="退货",
        invoice=march, by=finance,
    )  # fmt: skip

    # then March's actual is 850 (not 1,000 and not the delivery's 891), achievement 85 %, growth against last March
    rows, _total = account_performance(user=manager, period=Period(date(2026, 3, 1), date(2026, 3, 1)))
    assert rows[0].actual == Decimal("850.00")
    assert rows[0].achievement == Decimal("0.85")
    assert rows[0].growth == Decimal("1")  # 850 / 425 − 1
    year = account_year_by_month(account=account, year=2026, today=date(2026, 11, 23))
    months, total = year.months, year.total
    assert [m.actual for m in months[2:4]] == [Decimal("850.00"), Decimal("500.00")]
    assert months[2].last_year == Decimal("425.00")
    assert total.actual == Decimal("1350.00")

    # and a month in progress (3 December) meets the same days a year before, not the whole month
    InvoiceFactory(account=account, date=date(2026, 12, 1), amount=Decimal("300.00"))
    InvoiceFactory(account=account, date=date(2025, 12, 2), amount=Decimal("200.00"))
    InvoiceFactory(account=account, date=date(2025, 12, 4), amount=Decimal("5000.00"))
    december = Period(date(2026, 12, 1), date(2026, 12, 1))
    rows, _total = account_performance(user=manager, period=december, today=date(2026, 12, 3))
    assert (rows[0].last_year, rows[0].growth) == (Decimal("200.00"), Decimal("0.5"))
    year = account_year_by_month(account=account, year=2026, today=date(2026, 12, 3))
    months, total = year.months, year.total
    assert (months[11].last_year, months[11].growth) == (Decimal("200.00"), Decimal("0.5"))
    assert total.last_year == Decimal("625.00")
    # a month to come keeps last year's whole month as a reference, compares nothing and counts in no total
    year = account_year_by_month(account=account, year=2026, today=date(2026, 11, 23))
    months, total = year.months, year.total
    assert (months[11].last_year, months[11].growth, months[11].achievement) == (Decimal("5200.00"), None, None)
    assert total.last_year == Decimal("425.00")


def test_account_page_shows_invoiced_actual(client, manager):
    account = KeyAccountFactory(owner=manager, code="PAGE")
    InvoiceFactory(account=account, date=date(2026, 2, 10), amount=Decimal("4321.00"))
    InvoiceFactory(account=account, date=date(2025, 2, 10), amount=Decimal("8642.00"))
    DeliveryFactory(store=StoreFactory(account=account), date=date(2026, 2, 11), quantity=7, unit_price=Decimal("1"))
    client.force_login(manager)

    with time_machine.travel("2026-11-23 10:00 +0800"):
        html = client.get(reverse("accounts:account-detail", args=[account.pk])).content.decode()
        table = client.get(
            reverse("accounts:performance"), {"month_from": "2026-02", "month_to": "2026-11"}
        ).content.decode()

    # the total's negative growth (−50 %) is red like the rows', and the period still running says so
    assert re.search(r'text-danger" data-label="[^"]+" data-col="growth">-50.00', table.split("<tfoot>")[1])
    assert 'data-testid="so-far"' in table

    assert "4,321.00" in html
    assert 'data-testid="so-far"' in html  # November, in progress, says it is so far
