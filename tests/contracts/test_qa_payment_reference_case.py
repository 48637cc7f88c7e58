"""QA (finance clerk): a bank reference is the same whatever its case and the spaces around it. QA3P-2026-12-01 was
recorded by hand, then a hand payment QA3p-2026-12-01 was accepted — the same money booked twice. The reference is now
compared trimmed and without case (contracts.services.check_payment_reference, every door); the refusal names the
earlier payment (its date, amount and the reference as recorded) and says where it is shown, instead of "open that
payment" with no link. The remittance doors: tests/tradespend/test_qa_remittance_reference_case.py."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from contracts import services
from contracts.models import Invoice, Payment
from ka_portal.errors import DomainConflict

pytestmark = pytest.mark.django_db
D = Decimal
DAY = date(2026, 12, 1)
WHERE = (
    "check the reference. That payment is listed under Payments on the account's receivables page; if it was booked "
    "wrong, reverse it there first."
)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to("2026-12-06 10:00 +08:00")


@pytest.fixture
def paid(account, finance):
    """WMT's invoice INV-QA3 (5,000.00); the clerk recorded the bank's QA3P-2026-12-01 (1,200.00) by hand."""
    services.invoice_create(account=account, number="INV-QA3", date=date(2026, 11, 20), amount=D("5000.00"))
    return services.payment_record(
        account=account, date=DAY, amount=D("1200.00"), reference="QA3P-2026-12-01", by=finance
    )


@pytest.mark.parametrize("typed", ["QA3p-2026-12-01", "qa3p-2026-12-01", "  Qa3P-2026-12-01 "])
def test_the_same_reference_in_another_case_is_refused_naming_the_earlier_payment(account, paid, typed):
    open_before = Invoice.objects.get(number="INV-QA3").open_amount

    with translation.override("en"), pytest.raises(DomainConflict) as refused:
        services.payment_record(account=account, date=DAY, amount=D("300.00"), reference=typed)
    with translation.override("en"):
        detail = refused.value.detail

    assert (refused.value.code, refused.value.field) == ("payment.reference_used", "reference")
    assert detail == (
        f"Reference {typed.strip()} is already recorded, as QA3P-2026-12-01, for a payment of WMT on 2026-12-01 of "
        f"1,200.00 (a reference is the same whatever its case): {WHERE}"
    )
    assert refused.value.params["payment"] == paid.pk and refused.value.params["recorded"] == "QA3P-2026-12-01"
    assert Payment.objects.count() == 1
    assert Invoice.objects.get(number="INV-QA3").open_amount == open_before


def test_the_same_reference_as_typed_says_where_that_payment_is(account, paid):
    with translation.override("en"), pytest.raises(DomainConflict) as refused:
        services.payment_record(account=account, date=DAY, amount=D("300.00"), reference="QA3P-2026-12-01")
    with translation.override("en"):
        assert refused.value.detail == (
            f"Reference QA3P-2026-12-01 is already recorded for a payment of WMT on 2026-12-01 of 1,200.00: {WHERE}"
        )


def test_a_reversed_payment_frees_its_reference_in_any_case(account, paid, finance):
    services.payment_reverse(payment=paid, by=finance, reason="录错")

    again = services.payment_record(account=account, date=DAY, amount=D("1200.00"), reference="qa3p-2026-12-01")

    assert again.reference == "qa3p-2026-12-01" and Payment.objects.count() == 2


@pytest.mark.english
def test_the_receivables_page_refuses_it_next_to_the_reference(client, finance, account, paid):
    client.force_login(finance)
    form = {
        "action": "payment", "payment-date": "2026-12-01", "payment-amount": "300.00",
        "payment-reference": "QA3p-2026-12-01", "payment-mode": "oldest_first",
        "payment-request_key": str(uuid.uuid4()),
    }  # fmt: skip

    page = client.post(reverse("contracts:receivables-account", args=[account.pk]), form)

    errors = page.context["payment_form"].errors["reference"]
    assert errors[0].startswith("Reference QA3p-2026-12-01 is already recorded, as QA3P-2026-12-01, for a payment")
    assert errors[0].endswith(WHERE)
    # the payment it names is the one on that page, under Payments
    assert f'data-payment="{paid.pk}"' in page.content.decode()
    assert Payment.objects.count() == 1


def test_the_api_answers_409_naming_the_reference_as_recorded(api_client, finance, account, paid):
    api_client.force_authenticate(finance)
    body = {"account": "WMT", "date": "2026-12-01", "amount": "300.00", "reference": " qa3p-2026-12-01 "}

    answer = api_client.post("/api/v1/payments/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 409
    refusal = answer.json()
    assert (refusal["code"], refusal["field"]) == ("payment.reference_used", "reference")
    assert refusal["params"] == {
        "reference": "qa3p-2026-12-01", "recorded": "QA3P-2026-12-01", "account": "WMT", "date": "2026-12-01",
        "amount": "1200.00", "payment": paid.pk,
    }  # fmt: skip
    assert Payment.objects.count() == 1
