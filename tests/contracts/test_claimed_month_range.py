"""The months a deduction claims, sent to the API, read as every month input reads them (ka_portal/months.py): a month
written right but outside the months the portal holds (1999-01) is said to be so, with the range and the code
`month.out_of_range`, naming the field — not called "not a month"; a month that is none (2026-13) still is."""

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
    [("period_start", "1999-01"), ("period_start", "1999-12-31"), ("period_end", "2101-01")],
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


@pytest.mark.parametrize("typed", ["2026-13", "26/3", "May 2026"])
def test_what_is_no_month_is_still_not_a_month(api_client, finance, invoice, typed):
    api_client.force_authenticate(finance)

    answer = api_client.post(URL, _deduction(invoice, period_start=typed), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert answer.json()["errors"] == {"period_start": ["Enter a month as YYYY-MM, for example 2026-05."]}
    assert not Deduction.objects.exists()


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
