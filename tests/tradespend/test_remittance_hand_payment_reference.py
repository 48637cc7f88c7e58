"""A remittance under a reference a payment recorded by hand already holds is refused, naming that payment (finding:
the remittance checked only earlier remittances, so a head office's payment a clerk had keyed in on the receivables
page could be booked again from its advice). The rule is contracts' own (payment.reference_used,
contracts.services.check_payment_reference), asked by tradespend.remittances at every door: the service, the page
(keyed in or uploaded), the API (JSON or Excel)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from contracts import services as contract_services
from contracts.models import Allocation, Deduction, Invoice, Payment
from ka_portal.errors import DomainError
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tests.imports.xlsx import xlsx_upload
from tradespend.models import Remittance
from tradespend.remittances import DeductionLine, InvoiceLine, remittance_record

pytestmark = pytest.mark.django_db
D = Decimal
REFUSAL = "Reference WMT-1008 is already recorded for a payment of WMT on 2026-10-07 of 2,000.00"


@pytest.fixture
def hand_paid():
    """WMT's invoices B-1 (8,000.00) and C-1 (3,000.00); a clerk recorded by hand the head office's 2,000.00 of
    2026-10-07 under the chain's reference WMT-1008, allocated to C-1."""
    finance = make_user(Role.FINANCE)
    account = KeyAccountFactory(code="WMT")
    other = KeyAccountFactory(code="CRF")
    InvoiceFactory(number="B-1", account=account, date=date(2026, 8, 1), amount=D("8000.00"))
    c1 = InvoiceFactory(number="C-1", account=account, date=date(2026, 8, 5), amount=D("3000.00"))
    InvoiceFactory(number="X-1", account=other, date=date(2026, 8, 5), amount=D("1000.00"))
    payment = contract_services.payment_record(
        account=account,
        date=date(2026, 10, 7),
        amount=D("2000.00"),
        reference="WMT-1008",
        allocations=[(c1, D("2000.00"))],
        by=finance,
    )
    return {"finance": finance, "account": account, "other": other, "payment": payment}


def _books():
    return (
        list(Payment.objects.order_by("pk").values_list("pk", "amount", "reversed_at")),
        list(Allocation.objects.order_by("pk").values_list("pk", "amount")),
        list(Invoice.objects.order_by("pk").values_list("number", "open_amount")),
        Deduction.objects.count(),
        Remittance.objects.count(),
    )


def _remit(world, *, reference="WMT-1008", account=None):
    return remittance_record(
        account=account or world["account"],
        date=date(2026, 10, 8),
        reference=reference,
        cash=D("7700.00"),
        invoices=[InvoiceLine("B-1", D("8000.00"), 1)],
        deductions=[DeductionLine("dm", D("300.00"), row=2)],
        by=world["finance"],
    )


def test_the_service_refuses_a_reference_a_hand_payment_holds_and_names_it(hand_paid):
    before = _books()
    with translation.override("en"), pytest.raises(DomainError) as refused:
        _remit(hand_paid)
    assert (refused.value.code, refused.value.field) == ("payment.reference_used", "reference")
    with translation.override("en"):
        assert refused.value.detail.startswith(REFUSAL)
    assert refused.value.params["payment"] == hand_paid["payment"].pk
    assert _books() == before  # nothing booked: no second payment, no allocation, no deduction


def test_another_reference_or_another_chain_or_a_reversed_payment_is_not_held(hand_paid):
    assert _remit(hand_paid, reference="WMT-1009").created
    other = InvoiceFactory(number="X-2", account=hand_paid["other"], date=date(2026, 8, 5), amount=D("8000.00"))
    crf = remittance_record(
        account=hand_paid["other"],
        date=date(2026, 10, 8),
        reference="WMT-1008",  # the same text is another chain's reference: not this payment
        cash=D("8000.00"),
        invoices=[InvoiceLine(other.number, D("8000.00"), 1)],
        by=hand_paid["finance"],
    )
    assert crf.created
    contract_services.payment_reverse(payment=hand_paid["payment"], by=hand_paid["finance"], reason="录错账户")
    InvoiceFactory(number="B-2", account=hand_paid["account"], date=date(2026, 8, 1), amount=D("8000.00"))
    again = remittance_record(
        account=hand_paid["account"],
        date=date(2026, 10, 8),
        reference="WMT-1008",  # reversed: its reference is free again
        cash=D("8000.00"),
        invoices=[InvoiceLine("B-2", D("8000.00"), 1)],
        by=hand_paid["finance"],
    )
    assert again.created and again.remittance.payment.reference == "WMT-1008"


def test_the_page_keyed_in_and_uploaded_says_it_beside_the_reference(client, hand_paid):
    client.force_login(hand_paid["finance"])
    before = _books()
    header = {"account": "WMT", "date": "2026-10-08", "reference": "WMT-1008", "cash": "7700.00"}
    keyed = {
        **header,
        "mode": "key",
        "invoices-TOTAL_FORMS": "1",
        "invoices-INITIAL_FORMS": "0",
        "invoices-0-invoice": "B-1",
        "invoices-0-amount": "8000.00",
        "deductions-TOTAL_FORMS": "1",
        "deductions-INITIAL_FORMS": "0",
        "deductions-0-kind": "dm",
        "deductions-0-amount": "300.00",
    }
    page = client.post(reverse("tradespend:remittance-new"), keyed, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and page.context["form"].errors["reference"][0].startswith(REFUSAL)
    upload = xlsx_upload(["invoice number", "amount settled"], [["B-1", 7700]], name="advice.xlsx")
    uploaded = client.post(
        reverse("tradespend:remittance-new"),
        {**header, "mode": "upload", "file": upload, **{k: v for k, v in keyed.items() if k.endswith("FORMS")}},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert uploaded.context["form"].errors["reference"][0].startswith(REFUSAL)
    assert _books() == before


def test_the_api_json_and_excel_answer_409_naming_it(api_client, hand_paid):
    api_client.force_authenticate(hand_paid["finance"])
    before = _books()
    body = {
        "account": "WMT",
        "date": "2026-10-08",
        "reference": "WMT-1008",
        "cash": "8000.00",
        "invoices": [{"invoice": "B-1", "amount": "8000.00"}],
    }
    answer = api_client.post("/api/v1/remittances/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 409
    assert answer.json()["code"] == "payment.reference_used" and answer.json()["detail"].startswith(REFUSAL)
    upload = xlsx_upload(["invoice number", "amount settled"], [["B-1", 8000]])
    fields = {"account": "WMT", "date": "2026-10-08", "reference": "WMT-1008", "cash": "8000.00", "file": upload}
    imported = api_client.post("/api/v1/remittances/import/", fields, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert imported.status_code == 409 and imported.json()["code"] == "payment.reference_used"
    assert _books() == before
