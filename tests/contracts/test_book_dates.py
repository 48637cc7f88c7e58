"""The books take dates a finance clerk could mean: an invoice, payment, deduction or credit note dated before the
books start (2000-01-01) or more than KA.books_days_ahead days after today is refused at every door — page, API,
remittance — naming the field and why, in the reader's language, and nothing is written. A due date more than the
longest payment terms after the invoice's date is refused naming the due date (9999-12-31 used to overflow into an
error that named nothing)."""

import dataclasses
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from contracts import rules, services
from contracts.models import CreditNote, Deduction, Invoice, Payment
from ka_portal.errors import DomainError
from tests.contracts.factories import InvoiceFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 23)
LATEST = "2026-12-24"  # TODAY + 31 days (KA.books_days_ahead)
BEFORE = "Date: 1900-01-01 is before the books start on 2000-01-01."
AHEAD = "Date: 9999-12-31 is more than 31 days after today; the books take dates up to 2026-12-24."


@pytest.fixture(autouse=True)
def on_today(time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def books(account):
    return InvoiceFactory(account=account, number="OPEN-1", date=date(2026, 10, 1), amount=D("1000.00"))


# --- the rule ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, code",
    [
        (date(1999, 12, 31), "books.date_before_start"),
        (date(2000, 1, 1), None),
        (date(2026, 12, 24), None),  # today + 31 days
        (date(2026, 12, 25), "books.date_too_far_ahead"),
        (date(9999, 12, 31), "books.date_too_far_ahead"),
    ],
)
def test_a_books_date_lies_between_the_books_start_and_the_days_ahead(day, code):
    def check():
        rules.check_book_date(day, today=TODAY, days_ahead=31, field="date")

    if code is None:
        check()
    else:
        with pytest.raises(DomainError) as refused:
            check()
        assert (refused.value.code, refused.value.field) == (code, "date")


@pytest.mark.parametrize("days, refused", [(3660, False), (3661, True)])
def test_a_due_date_is_at_most_the_longest_payment_terms_after_the_invoice(days, refused):
    invoice_date = date(2026, 1, 1)
    due_on = date.fromordinal(invoice_date.toordinal() + days)

    if not refused:
        rules.check_invoice_due(invoice_date=invoice_date, due_on=due_on)
        return
    with pytest.raises(DomainError) as error:
        rules.check_invoice_due(invoice_date=invoice_date, due_on=due_on)
    assert (error.value.code, error.value.field) == ("invoice.due_too_late", "due_on")


def test_the_days_ahead_are_a_setting(settings, account):
    settings.KA = dataclasses.replace(settings.KA, books_days_ahead=0)

    with pytest.raises(DomainError) as refused:
        services.invoice_create(account=account, number="TOMORROW", date=date(2026, 11, 24), amount=D("1.00"))

    assert refused.value.code == "books.date_too_far_ahead"
    assert services.invoice_create(account=account, number="TODAY", date=TODAY, amount=D("1.00")).date == TODAY


# --- invoices: API and page -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, code, detail",
    [("1900-01-01", "books.date_before_start", BEFORE), ("9999-12-31", "books.date_too_far_ahead", AHEAD)],
)
def test_the_api_refuses_an_invoice_dated_outside_the_books_naming_the_date(api_client, finance, account, day, code,
                                                                            detail):  # fmt: skip
    api_client.force_authenticate(finance)

    response = api_client.post(
        "/api/v1/invoices/",
        {"number": "F-1", "account": account.code, "date": day, "amount": "100.00"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"], body["detail"]) == (code, "date", detail)
    assert body["params"]["day"] == day
    assert not Invoice.objects.exists()


def test_the_refusal_names_the_field_in_chinese_too(api_client, finance, account):
    api_client.force_authenticate(finance)

    response = api_client.post(
        "/api/v1/invoices/",
        {"number": "F-1", "account": account.code, "date": "1900-01-01", "amount": "100.00"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("日期") and "1900-01-01" in response.json()["detail"]


def test_the_api_refuses_a_due_date_past_the_longest_terms_naming_the_due_date(api_client, finance, account):
    api_client.force_authenticate(finance)

    response = api_client.post(
        "/api/v1/invoices/",
        {"number": "F-1", "account": account.code, "date": "2026-11-01", "due_on": "9999-12-31", "amount": "1.00"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("invoice.due_too_late", "due_on")
    assert body["detail"].startswith("Due date: 9999-12-31 is ") and "at most 3660 days" in body["detail"]
    assert not Invoice.objects.exists()


def test_the_page_shows_the_same_refusal_next_to_the_date_and_keeps_nothing(client, finance, account):
    client.force_login(finance)

    response = client.post(
        reverse("contracts:receivables-account", args=[account.pk]),
        {"action": "invoice", "invoice-number": "F-1", "invoice-date": "1900-01-01", "invoice-amount": "100.00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["invoice_form"].errors == {"date": [BEFORE]}
    assert BEFORE in response.content.decode()
    assert not Invoice.objects.exists()


def test_the_date_pickers_offer_the_days_the_books_take(client, finance, books):
    client.force_login(finance)

    html = client.get(reverse("contracts:receivables-account", args=[books.account_id])).content.decode()

    for form in ("invoice", "payment", "deduction", "credit_note"):
        (box,) = re.findall(rf'<input[^>]*name="{form}-date"[^>]*>', html)
        assert 'min="2000-01-01"' in box and f'max="{LATEST}"' in box, form


# --- payments, deductions, credit notes, remittances -------------------------------------------------------------


@pytest.mark.parametrize(
    "url, body",
    [
        ("/api/v1/payments/", {"account": "WMT", "amount": "10.00"}),
        ("/api/v1/credit-notes/", {"number": "CN-1", "account": "WMT", "amount": "10.00", "reason": "退货"}),
        ("/api/v1/deductions/", {"invoice": "books", "kind": "listing", "amount": "10.00", "reason": "进场费"}),
    ],
)
@pytest.mark.parametrize(
    "day, code, detail",
    [("1900-01-01", "books.date_before_start", BEFORE), ("9999-12-31", "books.date_too_far_ahead", AHEAD)],
)
def test_payments_deductions_and_credit_notes_keep_the_same_bounds(api_client, finance, books, url, body, day, code,
                                                                   detail):  # fmt: skip
    api_client.force_authenticate(finance)
    if body.get("invoice") == "books":
        body = {**body, "invoice": books.pk}

    response = api_client.post(url, {**body, "date": day}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    # a deduction dated 9999-12-31 was a 500 (its claimed month had no month after it)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"], response.json()["detail"]) == (code, "date", detail)
    assert not Payment.objects.exists() and not CreditNote.objects.exists() and not Deduction.objects.exists()
    books.refresh_from_db()
    assert books.open_amount == D("1000.00")


def test_the_payment_page_refuses_a_date_far_ahead_next_to_the_date(client, finance, books):
    client.force_login(finance)

    response = client.post(
        reverse("contracts:receivables-account", args=[books.account_id]),
        {"action": "payment", "payment-date": "9999-12-31", "payment-amount": "10.00", "payment-mode": "oldest_first",
         "payment-request_key": "6b0f7c1e-2f7a-4c1e-9a55-7f4f8f1f2a10"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip

    assert response.context["payment_form"].errors == {"date": [AHEAD]}
    assert not Payment.objects.exists()


def test_a_remittance_dated_far_ahead_is_refused_with_its_other_problems(api_client, finance, books):
    api_client.force_authenticate(finance)
    body = {"account": "WMT", "date": "9999-12-31", "reference": "R-1", "cash": "10.00",
            "invoices": [{"invoice": "OPEN-1", "amount": "10.00"}]}  # fmt: skip

    response = api_client.post("/api/v1/remittances/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    problem = response.json()["errors"][0]
    assert (problem["column"], problem["code"]) == ("date", "books.date_too_far_ahead")
    assert problem["message"].startswith("Date received: 9999-12-31 is more than 31 days after today")
    assert not Payment.objects.exists()


def test_the_bulk_settlement_keeps_the_bounds_itself(account, books):
    with pytest.raises(DomainError) as refused:
        services.settlement_record(
            account=account, date=date(1900, 1, 1), amount=D("10.00"), reference="R", allocations=[], deductions=[]
        )

    assert refused.value.code == "books.date_before_start"
    assert not Payment.objects.exists()


def test_a_write_off_or_reversal_on_a_day_outside_the_books_is_refused(account, books, finance):
    payment = services.payment_record(account=account, date=TODAY, amount=D("10.00"), by=finance)

    for step in (
        lambda: services.invoice_write_off(invoice=books, reason="闭店", by=finance, on=date(9999, 12, 31)),
        lambda: services.payment_reverse(payment=payment, by=finance, reason="退票", on=date(9999, 12, 31)),
    ):
        with pytest.raises(DomainError) as refused:
            step()
        assert (refused.value.code, refused.value.field) == ("books.date_too_far_ahead", "on")
    assert settings.KA.books_days_ahead == 31
