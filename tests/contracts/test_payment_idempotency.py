"""A payment's request_key means one payment: the same key and body replay the first answer, another
account or amount is 422 naming the fields; invoices and deductions take the Idempotency-Key header."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from contracts import services
from contracts.models import Allocation, Deduction, Invoice, Payment
from ka_portal.errors import DomainConflict, KeyReused
from tests.concurrency import at_once
from tests.factories import KeyAccountFactory, make_user

D = Decimal


@pytest.fixture
def books(db, account):
    other = KeyAccountFactory(code="CRF", name="家乐福")
    services.invoice_create(account=account, number="INV1", date=date(2026, 9, 1), amount=D("300.00"))
    services.invoice_create(account=other, number="CRF1", date=date(2026, 9, 1), amount=D("900.00"))
    return account, other


@pytest.fixture
def cashier(finance):
    client = APIClient()
    client.force_authenticate(finance)
    return client


def _payment(account, **fields):
    key = str(uuid.uuid4())
    return {"account": account.code, "date": "2026-10-01", "amount": "100.00", "request_key": key, **fields}


@pytest.mark.django_db
def test_the_same_request_key_and_body_twenty_times_make_one_payment(cashier, books):
    account, _other = books
    body = _payment(account)

    responses = [cashier.post("/api/v1/payments/", body, format="json") for _ in range(20)]

    assert Payment.objects.count() == 1
    assert {r.status_code for r in responses} == {201}
    assert {r.content for r in responses} == {responses[0].content}
    assert Invoice.objects.get(number="INV1").open_amount == D("200.00")  # allocated once


@pytest.mark.django_db
def test_the_request_key_with_another_account_and_amount_is_422(cashier, books):
    account, other = books
    body = _payment(account)
    first = cashier.post("/api/v1/payments/", body, format="json")

    changed = cashier.post("/api/v1/payments/", {**body, "account": other.code, "amount": "900.00"}, format="json")

    assert first.status_code == 201
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency.key_reused"
    assert changed.json()["differs"] == ["account", "amount"]
    assert "家乐福" not in changed.content.decode() and "CRF" not in changed.content.decode()
    assert Payment.objects.count() == 1
    assert Invoice.objects.get(number="CRF1").open_amount == D("900.00")


@pytest.mark.django_db
def test_after_the_key_expires_the_request_key_still_names_its_payment(cashier, books, time_machine):
    account, _other = books
    body = _payment(account)
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    first = cashier.post("/api/v1/payments/", body, format="json")
    time_machine.move_to(start + timedelta(hours=25), tick=False)

    same = cashier.post("/api/v1/payments/", body, format="json")
    more = cashier.post("/api/v1/payments/", {**body, "amount": "150.00"}, format="json")

    assert same.status_code == 201 and same.json()["id"] == first.json()["id"]
    assert more.status_code == 422 and more.json()["differs"] == ["amount"]
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_the_service_refuses_a_request_key_reused_for_another_payment(books, finance):
    account, other = books
    key = uuid.uuid4()
    services.payment_record(account=account, date=date(2026, 10, 1), amount=D("10.00"), request_key=key, by=finance)

    with pytest.raises(KeyReused) as refused:
        services.payment_record(account=other, date=date(2026, 10, 2), amount=D("10.00"), request_key=key, by=finance)
    assert refused.value.differs == ["account", "date"]

    colleague = make_user(Role.FINANCE, username="fin_b")
    with pytest.raises(DomainConflict) as taken:
        services.payment_record(
            account=account, date=date(2026, 10, 1), amount=D("10.00"), request_key=key, by=colleague
        )
    assert taken.value.code == "payment.request_key_taken"
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_the_page_refuses_a_request_key_reused_with_another_amount(client, finance, books):
    account, _other = books
    client.force_login(finance)
    url = reverse("contracts:receivables-account", args=[account.pk])
    form = {
        "action": "payment",
        "payment-date": timezone.localdate().isoformat(),
        "payment-amount": "100.00",
        "payment-reference": "HK1",
        "payment-mode": "oldest_first",
        "payment-request_key": str(uuid.uuid4()),
    }
    client.post(url, form)
    client.post(url, form)  # a double tap: still one payment

    changed = client.post(url, {**form, "payment-amount": "120.00"})

    assert Payment.objects.count() == 1
    assert Payment.objects.get().amount == D("100.00")
    assert changed.status_code == 200  # the form comes back with the refusal
    refusal = changed.context["payment_form"].non_field_errors()
    assert len(refusal) == 1 and refusal[0] in changed.content.decode()  # shown above the form


@pytest.mark.django_db
def test_invoice_and_deduction_creates_take_the_idempotency_key_header(cashier, books):
    account, _other = books
    invoice_key, deduction_key = str(uuid.uuid4()), str(uuid.uuid4())
    invoice = {"number": "FP9", "account": account.code, "date": "2026-10-01", "amount": "50.00"}
    deduction = {"invoice": Invoice.objects.get(number="INV1").pk, "date": "2026-10-01", "kind": "barcode"}
    deduction |= {"amount": "30.00", "reason": "条码费"}

    invoices = [cashier.post("/api/v1/invoices/", invoice, format="json", headers={"Idempotency-Key": invoice_key})]
    invoices.append(cashier.post("/api/v1/invoices/", invoice, format="json", headers={"Idempotency-Key": invoice_key}))
    deductions = [
        cashier.post("/api/v1/deductions/", deduction, format="json", headers={"Idempotency-Key": deduction_key})
        for _ in range(2)
    ]
    changed = cashier.post(
        "/api/v1/deductions/",
        {**deduction, "amount": "31.00"},
        format="json",
        headers={"Idempotency-Key": deduction_key},
    )

    assert [r.status_code for r in invoices + deductions] == [201, 201, 201, 201]
    assert invoices[0].content == invoices[1].content and deductions[0].content == deductions[1].content
    assert Invoice.objects.filter(number="FP9").count() == 1
    assert Deduction.objects.count() == 1
    assert Invoice.objects.get(number="INV1").open_amount == D("270.00")  # deducted once
    assert changed.status_code == 422 and changed.json()["differs"] == ["amount"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_posts_of_one_request_key_make_one_payment(finance, books):
    account, _other = books
    body = _payment(account)

    def post():
        client = APIClient()
        client.force_authenticate(finance)
        response = client.post("/api/v1/payments/", body, format="json")
        return response.status_code, response.content

    answers, errors = at_once(*[post] * 20)

    assert errors == []
    assert Payment.objects.count() == 1
    assert Invoice.objects.get(number="INV1").open_amount == D("200.00")
    assert {status for status, _content in answers} <= {201, 409}
    created = {content for status, content in answers if status == 201}
    assert len(created) == 1
    after = APIClient()
    after.force_authenticate(finance)
    assert after.post("/api/v1/payments/", body, format="json").content == created.pop()


@pytest.mark.django_db
def test_allocate_reverse_and_write_off_take_the_idempotency_key_header(cashier, books):
    account, _other = books
    payment = services.payment_record(account=account, date=date(2026, 10, 1), amount=D("50.00"), auto_allocate=False)
    invoice = Invoice.objects.get(number="INV1")
    steps = [
        (f"/api/v1/payments/{payment.pk}/allocate/", {"allocations": [{"invoice": invoice.pk, "amount": "20.00"}]}),
        (f"/api/v1/payments/{payment.pk}/reverse/", {"reason": "退票"}),
        (f"/api/v1/invoices/{invoice.pk}/write-off/", {"reason": "坏账"}),
    ]

    for url, body in steps:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        first = cashier.post(url, body, format="json", headers=key)
        again = cashier.post(url, body, format="json", headers=key)
        assert (first.status_code, again.status_code) == (200, 200), (url, again.json())
        assert first.content == again.content
        assert again.headers["Idempotent-Replayed"] == "true"

    assert Allocation.objects.filter(payment=payment).count() == 1
    invoice.refresh_from_db()
    assert (invoice.status, invoice.written_off_amount) == (Invoice.Status.WRITTEN_OFF, invoice.amount)


@pytest.mark.django_db
def test_one_key_sent_to_two_payments_allocates_each(cashier, books):
    """A client that reuses a key across records gets each record's own answer, not the first one's replayed."""
    account, _other = books
    first, second = (
        services.payment_record(account=account, date=date(2026, 10, 1), amount=D("10.00"), auto_allocate=False)
        for _ in range(2)
    )
    invoice = Invoice.objects.get(number="INV1")
    body = {"allocations": [{"invoice": invoice.pk, "amount": "10.00"}]}
    key = {"Idempotency-Key": "same-key-for-both"}

    answers = [
        cashier.post(f"/api/v1/payments/{p.pk}/allocate/", body, format="json", headers=key) for p in (first, second)
    ]

    assert [a.status_code for a in answers] == [200, 200]
    assert "Idempotent-Replayed" not in answers[1].headers
    assert Allocation.objects.filter(payment__in=[first, second]).count() == 2
