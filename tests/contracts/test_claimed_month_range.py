"""The months a deduction claims, sent to the API: one shape, YYYY-MM, as the schema documents and the API answers
(contracts.api.YearMonthField over ka_portal/months.py). A month written right but outside the months the portal holds
(1999-01) is said to be so, with the range and the code `month.out_of_range`, naming the field — not called "not a
month"; anything else (2026-13, a day, 2026-5) is refused under the field naming what was sent."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from contracts import services
from contracts.models import Deduction, Invoice

pytestmark = pytest.mark.django_db

URL = "/api/v1/deductions/"
RANGE = "is outside the months the portal holds: enter one from 2000-01 to 2100-12."


@pytest.fixture
def invoice(account):
    return services.invoice_create(account=account, number="INV-M1", date=date(2026, 7, 1), amount=Decimal("500.00"))


def _deduction(invoice, **months) -> dict:
    return {"invoice": invoice.pk, "date": "2026-10-01", "kind": "tg", "amount": "30.00", "reason": "堆头费", **months}


@pytest.mark.parametrize(
    ("field", "typed"),
    [("period_start", "1999-01"), ("period_start", "1999-12"), ("period_end", "2101-01")],
)
def test_a_month_outside_the_portals_is_said_so_with_its_code(api_client, finance, invoice, field, typed):
    # given finance recording a deduction
    api_client.force_authenticate(finance)
    # when the month it claims is written right but before 2000-01 or after 2100-12
    answer = api_client.post(URL, _deduction(invoice, **{field: typed}), format="json", HTTP_ACCEPT_LANGUAGE="en")
    # then it is refused saying so, with the range, under the field — not "not a month"
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "month.out_of_range"
    assert body["field"] == field
    assert body["detail"] == f"{field}: {typed} {RANGE}"
    assert "not a month" not in body["detail"] and "Enter a month as" not in body["detail"]
    assert body["params"]["first"] == "2000-01" and body["params"]["last"] == "2100-12"
    # and nothing is written: the invoice's open amount stays
    assert not Deduction.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).open_amount == Decimal("500.00")


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("2026-13", "2026-13"),
        ("26/3", "26/3"),
        ("May 2026", "May 2026"),
        ("2026-10-17", "2026-10-17"),  # a day: the month is sent, not one of its days
        ("2026-10-01", "2026-10-01"),
        ("2026-1", "2026-1"),
        ("２０２６-１０", "２０２６-１０"),  # full-width digits
        ("", ""),
        (202610, "202610"),
    ],
)
def test_what_is_not_a_month_as_yyyy_mm_is_refused_naming_it(api_client, finance, invoice, typed, named):
    # given finance recording a deduction through the API
    api_client.force_authenticate(finance)
    # when the first month it claims is not written YYYY-MM
    answer = api_client.post(URL, _deduction(invoice, period_start=typed), format="json", HTTP_ACCEPT_LANGUAGE="en")
    # then it is refused under the field, saying what was sent and how to write a month
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert answer.json()["errors"] == {
        "period_start": [f"“{named}” is not a month: enter it as YYYY-MM, for example 2026-05."]
    }
    # and nothing is written: the invoice's open amount stays
    assert not Deduction.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).open_amount == Decimal("500.00")


def test_a_month_not_a_month_is_named_in_chinese_too(api_client, finance, invoice):
    api_client.force_authenticate(finance)

    answer = api_client.post(
        URL, _deduction(invoice, period_end="2026-10-31"), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert answer.status_code == 400
    (message,) = answer.json()["errors"]["period_end"]
    assert "2026-10-31" in message and "YYYY-MM" in message and "is not a month" not in message


def test_the_months_are_answered_in_the_shape_they_are_sent(api_client, finance, invoice):
    api_client.force_authenticate(finance)

    answer = api_client.post(URL, _deduction(invoice, period_start=" 2026-09 ", period_end="2026-10"), format="json")

    assert answer.status_code == 201, answer.json()
    assert (answer.json()["period_start"], answer.json()["period_end"]) == ("2026-09", "2026-10")
    assert Deduction.objects.get().period_start == date(2026, 9, 1)
    again = api_client.get(f"{URL}{answer.json()['id']}/").json()
    assert (again["period_start"], again["period_end"]) == ("2026-09", "2026-10")


def test_the_months_of_the_range_are_taken_up_to_the_last_month_the_books_take(api_client, finance, invoice):
    # the portal's first month, to a year after the month of the last day the books take (today + books_days_ahead):
    # a month past it is a year typed wrong (QA: 2099-07 was taken), refused as deduction.period_too_far_ahead
    api_client.force_authenticate(finance)
    books = timezone.localdate() + timedelta(days=settings.KA.books_days_ahead)
    last = date(books.year + 1, books.month, 1)  # a year's fees may be claimed in advance

    ahead = api_client.post(URL, _deduction(invoice, period_start="2000-01", period_end="2100-12"), format="json")
    answer = api_client.post(
        URL, _deduction(invoice, period_start="2000-01", period_end=f"{last:%Y-%m}"), format="json"
    )

    assert ahead.status_code == 400 and ahead.json()["code"] == "deduction.period_too_far_ahead"
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["period_start"], answer.json()["period_end"]) == ("2000-01", f"{last:%Y-%m}")
    assert Deduction.objects.get().period_start == date(2000, 1, 1)
