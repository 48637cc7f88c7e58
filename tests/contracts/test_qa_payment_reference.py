"""QA: a payment whose reference is already on a standing payment of the same key account is refused, naming the
earlier payment (its date and amount), at the page and the API; an empty reference is never compared."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from contracts import services
from contracts.models import Invoice, Payment
from ka_portal.errors import DomainConflict
from tests.factories import KeyAccountFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def books(account, today):
    services.invoice_create(account=account, number="INV-QA1", date=today - timedelta(days=5), amount=D("5000.00"))
    return account


def _record(account, day, amount="1200.00", reference="BACK-1", **fields):
    return services.payment_record(account=account, date=day, amount=D(amount), reference=reference, **fields)


def test_the_same_reference_again_is_refused_naming_the_earlier_payment_and_nothing_is_written(books, today):
    # given a payment recorded with reference BACK-1
    _record(books, today - timedelta(days=1))
    open_before = Invoice.objects.get(number="INV-QA1").open_amount
    # when the same reference is recorded again (Back and submit, or the advice typed twice)
    with translation.override("en"), pytest.raises(DomainConflict) as refused:
        _record(books, today, amount="999.00")
        # then it is refused, naming the earlier payment's date and amount, next to the reference
    assert refused.value.code == "payment.reference_used"
    assert refused.value.field == "reference"
    with translation.override("en"):
        detail = refused.value.detail
    assert "BACK-1" in detail and f"{today - timedelta(days=1)}" in detail and "1,200.00" in detail
    # and nothing is written
    assert Payment.objects.count() == 1
    assert Invoice.objects.get(number="INV-QA1").open_amount == open_before


def test_the_reference_is_compared_as_typed_without_the_spaces_around_it(books, today):
    _record(books, today)

    with pytest.raises(DomainConflict):
        _record(books, today, reference="  BACK-1 ")

    assert Payment.objects.get().reference == "BACK-1"


def test_payments_without_a_reference_are_never_compared(books, today):
    _record(books, today, reference="")
    _record(books, today, reference="   ")

    assert Payment.objects.count() == 2


def test_another_key_account_may_carry_the_same_reference(books, today):
    other = KeyAccountFactory(code="CRF", name="家乐福")
    _record(books, today)

    _record(other, today)

    assert Payment.objects.filter(reference="BACK-1").count() == 2


def test_a_reversed_payment_frees_its_reference(books, today, finance):
    # given a payment booked with the wrong amount, then reversed
    wrong = _record(books, today, amount="12000.00")
    services.payment_reverse(payment=wrong, by=finance, reason="金额录错")
    # when it is recorded again right, under the same reference
    right = _record(books, today, amount="1200.00")
    # then it is taken
    assert right.pk != wrong.pk and Payment.objects.count() == 2


def test_a_repeated_request_key_still_answers_the_first_payment(books, today, finance):
    key = uuid.uuid4()
    first = _record(books, today, by=finance, request_key=key)

    again = _record(books, today, by=finance, request_key=key)

    assert again.pk == first.pk and Payment.objects.count() == 1


@pytest.mark.english
def test_the_page_refuses_the_second_submit_after_back_next_to_the_reference(client, finance, books, today):
    # given the clerk recorded a payment, pressed Back (a fresh form key) and submits it again
    client.force_login(finance)
    url = reverse("contracts:receivables-account", args=[books.pk])

    def submit():
        return client.post(
            url,
            {"action": "payment", "payment-date": f"{today}", "payment-amount": "1200.00",
             "payment-reference": "BACK-1", "payment-mode": "oldest_first",
             "payment-request_key": str(uuid.uuid4())},
        )  # fmt: skip

    assert submit().status_code == 302
    page = submit()
    # then the page says the reference is already recorded, on which day and for how much, under the field
    assert page.status_code == 200
    errors = page.context["payment_form"].errors
    assert "reference" in errors
    assert "Reference BACK-1 is already recorded for a payment of WMT on" in errors["reference"][0]
    assert "1,200.00" in errors["reference"][0]
    assert Payment.objects.count() == 1


def test_the_api_answers_409_with_the_code_and_the_earlier_payment(finance, books, today):
    api = APIClient()
    api.force_authenticate(finance)
    body = {"account": books.code, "date": f"{today}", "amount": "1200.00", "reference": "BACK-1"}
    assert api.post("/api/v1/payments/", body, format="json").status_code == 201

    again = api.post("/api/v1/payments/", {**body, "amount": "300.00"}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert again.status_code == 409
    answer = again.json()
    assert answer["code"] == "payment.reference_used"
    assert answer["field"] == "reference"
    assert answer["params"]["amount"] == "1200.00" and answer["params"]["date"] == f"{today}"
    assert Payment.objects.count() == 1
