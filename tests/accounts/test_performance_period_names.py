"""The performance page reads its months as month_from and month_to, as the chain page and the other analyses do (QA:
a shared link with month_from=2026-01&month_to=2026-05 was silently ignored and showed the whole year). Its older
links' start and end, and its API's from and to, are read too; the month given twice, differently, is refused beside
its box, never one of the two silently taken. The Excel and the API read the same names."""

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, SalesTargetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.english]
URL = "/api/v1/reports/account-performance/"
JAN_TO_MAY = "2026-01 to 2026-05, in CNY."


@pytest.fixture
def chain(manager):
    account = KeyAccountFactory(code="A", owner=manager)
    for month in (2, 7):
        SalesTargetFactory(account=account, year=2026, month=month, amount=Decimal("100.00"))
    InvoiceFactory(account=account, date=date(2026, 2, 10), amount=Decimal("80.00"))
    InvoiceFactory(account=account, date=date(2026, 7, 10), amount=Decimal("30.00"))
    return account


def _page(client, query):
    return client.get(reverse("accounts:performance"), query)


def _actual(html: str) -> str:
    """The account's actual on the page (its first figure: a line under it may say the months with a target)."""
    row = next(line for line in html.split("<tr") if 'data-account="A"' in line)
    return re.search(r'data-col="actual">(?:<span[^>]*>)?([\d,.]+)', row).group(1)


@pytest.mark.parametrize(
    "query",
    [
        {"month_from": "2026-01", "month_to": "2026-05"},  # as the chain page and the analyses name them
        {"start": "2026-01", "end": "2026-05"},  # an older link to this page
        {"from": "2026-01", "to": "2026-05"},  # as its API names them
        {"month_from": "2026-01", "start": "2026-01", "month_to": "2026-05"},  # the same month under two names
    ],
)
def test_the_page_reads_the_months_a_link_gives_under_any_of_their_names(client, manager, chain, query):
    client.force_login(manager)

    response = _page(client, query)

    html = response.content.decode()
    assert response.status_code == 200
    assert JAN_TO_MAY in html
    assert _actual(html) == "80.00"  # February's invoice, not July's: not the year so far
    # the boxes hold the months, under the names the form sends them by
    assert 'name="month_from" value="2026-01"' in html and 'name="month_to" value="2026-05"' in html
    assert 'name="start"' not in html and 'name="end"' not in html


def test_an_older_links_sort_and_export_keep_its_months(client, manager, chain):
    client.force_login(manager)
    older = {"start": "2026-01", "end": "2026-05"}

    sorted_ = _page(client, {**older, "sort": "code"})
    workbook = _page(client, {**older, "export": "xlsx"})

    assert JAN_TO_MAY in sorted_.content.decode()
    assert workbook.status_code == 200
    assert "account-performance-2026-01-2026-05.xlsx" in workbook["Content-Disposition"]
    rows = list(load_workbook(BytesIO(b"".join(workbook.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("2026-01 to 2026-05, in CNY.")


def test_the_export_reads_month_from_and_month_to(client, manager, chain):
    client.force_login(manager)

    workbook = _page(client, {"month_from": "2026-07", "month_to": "2026-07", "export": "xlsx"})

    assert "account-performance-2026-07-2026-07.xlsx" in workbook["Content-Disposition"]
    sheet = list(load_workbook(BytesIO(b"".join(workbook.streaming_content))).active.iter_rows(values_only=True))
    account_row = next(row for row in sheet if row and row[0] == "A")
    assert Decimal(str(account_row[4])) == Decimal("30.00")  # July's actual alone


@pytest.mark.parametrize(
    ("query", "field", "error"),
    [
        (
            {"month_from": "2026-03", "start": "2026-01", "month_to": "2026-05"},
            "month_from",
            "The month is given twice, as month_from=2026-03, start=2026-01, and the two differ: give it once.",
        ),
        (
            {"month_from": "2026-01", "end": "2026-04", "to": "2026-05"},
            "month_to",
            "The month is given twice, as end=2026-04, to=2026-05, and the two differ: give it once.",
        ),
    ],
)
def test_a_month_given_twice_differently_is_refused_beside_its_box(client, manager, chain, query, field, error):
    client.force_login(manager)

    response = _page(client, query)
    export = _page(client, {**query, "export": "xlsx"})

    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [error]}
    assert 'data-testid="performance-table"' not in html  # no figures of either month
    assert export.status_code == 400 and export["Content-Type"].startswith("text/html")


def test_the_api_takes_month_from_and_month_to_as_the_analyses_apis_do(api_client, manager, chain):
    api_client.force_authenticate(manager)

    named = api_client.get(URL, {"month_from": "2026-01", "month_to": "2026-05"}).json()
    short = api_client.get(URL, {"from": "2026-01", "to": "2026-05"}).json()

    assert (named["from"], named["to"]) == ("2026-01", "2026-05")
    assert named["results"] == short["results"]
    assert [row["actual"] for row in named["results"]] == ["80.00"]


def test_the_api_refuses_under_the_name_the_month_was_given_by(api_client, manager, chain):
    api_client.force_authenticate(manager)

    unreadable = api_client.get(URL, {"month_from": "2026-13", "to": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en")
    twice = api_client.get(
        URL, {"from": "2026-01", "month_from": "2026-02", "to": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert unreadable.status_code == twice.status_code == 400
    assert unreadable.json()["errors"] == {
        "month_from": ["month_from: “2026-13” is not a month: enter it as YYYY-MM, for example 2026-05."]
    }
    assert twice.json()["errors"] == {
        "from": ["The month is given twice, as from=2026-01, month_from=2026-02, and the two differ: give it once."]
    }
