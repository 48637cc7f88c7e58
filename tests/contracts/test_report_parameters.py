"""Aging and the statement read their parameters strictly: an as-of day that is no date or lies before the books
start, a bucket the drill-down does not know, a statement starting before the books — each is said, naming the
parameter, and no report is shown as if it had been asked for (today's aging, every bucket, a calendar overflow
answered with an error naming nothing)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import services
from contracts.selectors import aging_invoices
from ka_portal.errors import DomainError

pytestmark = pytest.mark.django_db
D = Decimal
BEFORE = "As of: 0001-01-01 is before the books start on 2000-01-01."
BUCKETS = "“31-60” is not an aging bucket: give one of not_due, 1_30, 31_60, 61_90, over_90."


@pytest.fixture
def open_invoice(account):
    return services.invoice_create(account=account, number="OPEN-1", date=date(2026, 7, 1), amount=D("100.00"))


# --- the API ----------------------------------------------------------------------------------------------------


def test_the_aging_api_refuses_an_as_of_before_the_books_naming_it(api_client, finance, open_invoice):
    api_client.force_authenticate(finance)

    response = api_client.get("/api/v1/reports/aging/", {"as_of": "0001-01-01"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"] == {"as_of": [BEFORE]}


def test_the_statement_api_refuses_a_period_starting_before_the_books_naming_from(api_client, finance, open_invoice):
    api_client.force_authenticate(finance)

    response = api_client.get(
        "/api/v1/reports/statement/",
        {"account": "WMT", "from": "0001-01-01", "to": "2026-12-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"from": ["From: 0001-01-01 is before the books start on 2000-01-01."]}


# --- the pages --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of, message", [("2026-13-45", "As of: enter a date as YYYY-MM-DD."), ("0001-01-01", BEFORE)]
)
def test_the_aging_page_says_an_as_of_it_cannot_read_and_shows_no_report(client, finance, open_invoice, as_of,
                                                                        message):  # fmt: skip
    client.force_login(finance)

    response = client.get(reverse("contracts:aging"), {"as_of": as_of}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'data-testid="aging-table"' not in html and 'data-testid="aging-total"' not in html  # not today's


def test_the_aging_excel_of_an_as_of_it_cannot_read_is_not_todays(client, finance, open_invoice):
    client.force_login(finance)

    response = client.get(reverse("contracts:aging"), {"as_of": "junk", "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "params, message",
    [
        ({"bucket": "31-60"}, BUCKETS),
        ({"as_of": "junk", "bucket": "31_60"}, "As of: enter a date as YYYY-MM-DD."),
        ({"as_of": "0001-01-01"}, BEFORE),
    ],
)
def test_the_aging_drill_down_says_what_it_does_not_take_and_lists_nothing(client, finance, open_invoice, params,
                                                                          message):  # fmt: skip
    client.force_login(finance)

    response = client.get(reverse("contracts:aging-invoices"), params, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'data-invoice="OPEN-1"' not in html


def test_the_aging_drill_down_selector_refuses_an_unknown_bucket(finance, open_invoice):
    with pytest.raises(DomainError) as refused:
        aging_invoices(finance, as_of=date(2026, 11, 1), bucket="31-60")

    assert (refused.value.code, refused.value.field) == ("aging.bucket_unknown", "bucket")


def test_the_statement_page_refuses_a_period_starting_before_the_books_next_to_from(client, finance, open_invoice):
    client.force_login(finance)

    response = client.get(
        reverse("contracts:statement"),
        {"account": "WMT", "date_from": "0001-01-01", "date_to": "2026-12-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "date_from": ["From: 0001-01-01 is before the books start on 2000-01-01."]
    }
    assert response.context["statement"] is None
