"""What an ERP integrator found in the finance API (QA): invoice numbers the same whatever their case, an amount cap,
the statement's parameters named as sent, refusals pointing at the field that is wrong, a reversed payment's
allocations said as they are, and a payment's allocation asked two ways or naming an invoice twice refused."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from contracts import services
from contracts.models import Allocation, Invoice, Payment
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.english]  # api_client asks for English: the refusals are read in it
D = Decimal


@pytest.fixture
def invoice(account):
    return services.invoice_create(account=account, number="ERP-INV-0001", date=date(2026, 11, 2), amount=D("500.00"))


def _invoice_body(account, **more):
    return {"account": account.code, "number": "erp-inv-0001", "date": "2026-11-03", "amount": "100.00", **more}


# --- 3: invoice numbers are unique whatever their case, trimmed ---------------------------------------------------


def test_an_invoice_number_in_another_case_is_refused_naming_the_invoice(api_client, finance, account, invoice):
    api_client.force_authenticate(finance)
    with translation.override("en"):
        refused = api_client.post("/api/v1/invoices/", _invoice_body(account, number="  erp-inv-0001 "), format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "invoice.number_taken" and body["field"] == "number"
    assert body["detail"] == (
        "Invoice number erp-inv-0001 already exists, as ERP-INV-0001: the invoice of WMT dated 2026-11-02 for 500.00 "
        "(invoice numbers are the same whatever their case). Check the number."
    )
    assert body["params"]["invoice"] == invoice.pk
    assert Invoice.objects.count() == 1


def test_the_exact_number_again_names_the_invoice_too(account, invoice, finance):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.invoice_create(
            account=account, number="ERP-INV-0001 ", date=date(2026, 11, 3), amount=D("1"), by=finance
        )
    with translation.override("en"):  # the detail is lazy: read in English
        assert refused.value.detail == (
            "Invoice number ERP-INV-0001 already exists. It is the invoice of WMT dated 2026-11-02 for 500.00: "
            "check the number."
        )


def test_a_number_is_stored_trimmed(account):
    made = services.invoice_create(account=account, number=" ERP-INV-0009 ", date=date(2026, 11, 3), amount=D("1"))
    assert Invoice.objects.get(pk=made.pk).number == "ERP-INV-0009"


def test_a_number_taken_by_an_invoice_the_user_cannot_see_says_only_that_it_is_in_use(account, invoice):
    theirs = KeyAccountFactory(code="CRF", owner=make_user("manager", username="mgr_other"))
    manager = make_user("manager", username="mgr_x")
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.invoice_create(
            account=theirs, number="Erp-Inv-0001", date=date(2026, 11, 3), amount=D("1"), by=manager
        )
    assert refused.value.code == "invoice.number_taken"
    with translation.override("en"):  # the detail is lazy: read in English
        assert refused.value.detail == (
            "Invoice number Erp-Inv-0001 is already in use (invoice numbers are the same whatever their case): "
            "check the number."
        )
    assert "invoice" not in refused.value.params


def test_the_page_refuses_the_number_in_another_case(client, finance, account, invoice):
    client.force_login(finance)
    with translation.override("en"):
        response = client.post(
            reverse("contracts:receivables-account", args=[account.pk]),
            {
                "action": "invoice",
                "invoice-number": "erp-inv-0001",
                "invoice-date": "2026-11-03",
                "invoice-amount": "100.00",
            },  # fmt: skip
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert "already exists, as ERP-INV-0001" in response.content.decode()
    assert Invoice.objects.count() == 1


# --- 4: an amount has a cap ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "written"), [("1000000000.00", True), ("1000000000.01", False), ("999999999999.99", False)]
)
def test_an_invoice_amount_is_at_most_a_billion(api_client, finance, account, amount, written):
    api_client.force_authenticate(finance)
    with translation.override("en"):
        response = api_client.post(
            "/api/v1/invoices/", _invoice_body(account, number="BIG", amount=amount), "json", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert (response.status_code == 201) is written
    if not written:
        body = response.json()
        assert body["code"] == "invoice.amount_too_large" and body["field"] == "amount"
        assert body["params"]["max"] == "1000000000.00"
        assert body["detail"].startswith(f"Amount: {D(amount):,} is above 1,000,000,000.00, the largest amount")
    assert Invoice.objects.filter(number="BIG").exists() is written


def test_a_payment_and_a_deduction_have_the_same_cap(account, invoice):
    with pytest.raises(DomainError) as payment:
        services.payment_record(account=account, date=date(2026, 11, 3), amount=D("1000000000.01"))
    with pytest.raises(DomainError) as deduction:
        services.deduction_record(
            invoice=invoice, date=date(2026, 11, 3), kind="listing", amount=D("1000000000.01"), reason="进场费"
        )
    assert (payment.value.code, deduction.value.code) == ("payment.amount_too_large", "deduction.amount_too_large")


# --- 5: the statement's parameters are named as sent ------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"account": "WMT", "from": "2026-11-01"}, {"to": ["Give the period's end: to=YYYY-MM-DD."]}),
        ({"from": "2026-11-01", "to": "2026-11-30"}, {"account": ["Give the key account, by its code: account=WMT."]}),
        (
            {"account": "WMT", "to": "2026-11-30", "from": ""},
            {"from": ["Give the period's first day: from=YYYY-MM-DD."]},
        ),
        ({"account": "WMT", "from": "2026-11-01", "to": "30.11.2026"}, {"to": "YYYY-MM-DD"}),
    ],
)
def test_the_statement_names_the_parameter_the_client_sends(api_client, finance, account, query, errors):
    api_client.force_authenticate(finance)
    with translation.override("en"):
        response = api_client.get("/api/v1/reports/statement/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    got = response.json()["errors"]
    assert list(got) == list(errors)
    for name, words in errors.items():  # a date not read: the project's words for it, under the name sent
        assert got[name] == words if isinstance(words, list) else words in got[name][0]


def test_the_statement_is_read_with_all_three(api_client, finance, account, invoice):
    api_client.force_authenticate(finance)
    response = api_client.get(
        "/api/v1/reports/statement/", {"account": "WMT", "from": "2026-11-01", "to": "2026-11-30"}
    )
    assert response.status_code == 200 and response.json()["invoiced"] == "500.00"


# --- 6: a refusal points at the field that is wrong -----------------------------------------------------------


def test_a_deduction_over_the_open_amount_points_at_its_amount(api_client, finance, account, invoice):
    api_client.force_authenticate(finance)
    body = {"invoice": invoice.pk, "date": "2026-11-03", "kind": "listing", "amount": "500.01", "reason": "进场费"}
    response = api_client.post("/api/v1/deductions/", body, format="json")
    assert response.json()["code"] == "allocation.exceeds_invoice" and response.json()["field"] == "amount"


def _payment_body(account, allocations, **more):
    return {"account": account.code, "date": "2026-11-03", "amount": "300.00", "allocations": allocations, **more}


def test_a_negative_allocation_points_at_its_line(api_client, finance, account, invoice):
    api_client.force_authenticate(finance)
    second = services.invoice_create(account=account, number="ERP-INV-0002", date=date(2026, 11, 2), amount=D("50"))
    lines = [{"invoice": invoice.pk, "amount": "10.00"}, {"invoice": second.pk, "amount": "-5.00"}]
    response = api_client.post("/api/v1/payments/", _payment_body(account, lines), format="json")
    assert response.json()["code"] == "allocation.amount_not_positive"
    assert response.json()["field"] == "allocations.1.amount"
    assert not Payment.objects.exists()


def test_an_allocation_to_another_accounts_invoice_names_it(account, invoice):
    other = KeyAccountFactory(code="CRF")
    theirs = services.invoice_create(account=other, number="CRF-9", date=date(2026, 11, 2), amount=D("50.00"))
    payment = services.payment_record(account=account, date=date(2026, 11, 3), amount=D("100"), auto_allocate=False)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.payment_allocate(payment=payment, allocations=[(invoice, D("10")), (theirs, D("10"))])
    assert refused.value.code == "allocation.other_account"
    assert refused.value.field == "allocations.1.invoice"
    assert refused.value.params == {"number": "CRF-9", "invoice": theirs.pk, "invoice_account": "CRF", "account": "WMT"}
    with translation.override("en"):  # the detail is lazy: read in English
        assert (
            refused.value.detail
            == "Invoice CRF-9 is CRF's: a payment from WMT settles only that key account's invoices."
        )


# --- 7: a reversed payment allocates nothing -------------------------------------------------------------------


def test_a_reversed_payment_reads_allocated_nothing_and_its_allocations_reversed(
    api_client, client, finance, account, invoice
):
    payment = services.payment_record(account=account, date=date(2026, 11, 3), amount=D("500.00"), by=finance)
    api_client.force_authenticate(finance)
    before = api_client.get(f"/api/v1/payments/{payment.pk}/").json()
    assert before["allocated_amount"] == "500.00" and before["allocations"][0]["reversed"] is False

    reversed_ = api_client.post(f"/api/v1/payments/{payment.pk}/reverse/", {"reason": "退票"}, format="json").json()

    for body in (reversed_, api_client.get(f"/api/v1/payments/{payment.pk}/").json()):
        assert body["allocated_amount"] == "0.00" and body["unallocated_amount"] == "0.00"
        assert [(a["invoice_number"], a["amount"], a["reversed"]) for a in body["allocations"]] == [
            ("ERP-INV-0001", "500.00", True)
        ]
    listed = api_client.get("/api/v1/payments/").json()["results"][0]  # a page written from values() rows
    assert listed["allocated_amount"] == "0.00" and listed["allocations"][0]["reversed"] is True
    assert Invoice.objects.get(pk=invoice.pk).open_amount == D("500.00")
    client.force_login(finance)
    with translation.override("en"):
        page = client.get(reverse("contracts:receivables-account", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="allocations-reversed"' in page.content.decode()


# --- 9: allocation asked two ways, an invoice twice --------------------------------------------------------------


def test_auto_allocate_with_allocations_is_refused(api_client, finance, account, invoice):
    api_client.force_authenticate(finance)
    lines = [{"invoice": invoice.pk, "amount": "100.00"}]
    with translation.override("en"):
        both = api_client.post("/api/v1/payments/", _payment_body(account, lines, auto_allocate=True), format="json")
    assert both.status_code == 400
    assert both.json()["code"] == "payment.allocation_mode_conflict" and both.json()["field"] == "auto_allocate"
    assert "not both" in both.json()["detail"]
    assert not Payment.objects.exists()
    by_hand = api_client.post("/api/v1/payments/", _payment_body(account, lines), format="json")
    assert by_hand.status_code == 201 and by_hand.json()["allocated_amount"] == "100.00"


def test_an_invoice_named_twice_is_refused(api_client, finance, account, invoice):
    api_client.force_authenticate(finance)
    lines = [{"invoice": invoice.pk, "amount": "100.00"}, {"invoice": invoice.pk, "amount": "50.00"}]
    with translation.override("en"):
        twice = api_client.post("/api/v1/payments/", _payment_body(account, lines), format="json")
    assert twice.status_code == 400
    body = twice.json()
    assert body["code"] == "allocation.invoice_twice" and body["field"] == "allocations.1.invoice"
    assert body["detail"] == (
        "Invoice ERP-INV-0001 is named twice in the allocations (lines 1 and 2): give one line per invoice, with the "
        "whole amount to allocate to it."
    )
    assert not Allocation.objects.exists() and not Payment.objects.exists()
