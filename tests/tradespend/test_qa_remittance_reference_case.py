"""QA (finance clerk): QA3P-2026-12-01 recorded by hand, then a remittance qa3p-2026-12-01 was accepted — the same
bank payment booked twice. A reference is the same whatever its case and the spaces around it, at the remittance's
doors too (contracts.services.check_payment_reference; an earlier remittance is found alike), and nothing is booked.
The hand-payment doors: tests/contracts/test_qa_payment_reference_case.py."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.roles import Role
from contracts import services as contract_services
from contracts.models import Deduction, Invoice, Payment
from ka_portal.errors import DomainConflict
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tradespend.models import Remittance
from tradespend.remittances import DeductionLine, InvoiceLine, remittance_record

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to("2026-12-06 10:00 +08:00")


@pytest.fixture
def world():
    finance = make_user(Role.FINANCE)
    account = KeyAccountFactory(code="WMT")
    InvoiceFactory(number="B-1", account=account, date=date(2026, 10, 1), amount=D("8000.00"))
    c1 = InvoiceFactory(number="C-1", account=account, date=date(2026, 10, 5), amount=D("3000.00"))
    return {"finance": finance, "account": account, "c1": c1}


def _books():
    return (
        list(Payment.objects.order_by("pk").values_list("pk", "amount")),
        list(Invoice.objects.order_by("pk").values_list("number", "open_amount")),
        Deduction.objects.count(),
        Remittance.objects.count(),
    )


def _remit(world, reference, cash="7700.00"):
    return remittance_record(
        account=world["account"],
        date=date(2026, 12, 2),
        reference=reference,
        cash=D(cash),
        invoices=[InvoiceLine("B-1", D("8000.00"), 1)],
        deductions=[DeductionLine("dm", D("300.00"), row=2)],
        by=world["finance"],
    )


def test_a_remittance_in_another_case_than_a_hand_payment_is_refused_naming_it(world):
    hand = contract_services.payment_record(
        account=world["account"], date=date(2026, 12, 1), amount=D("2000.00"), reference="QA3P-2026-12-01",
        allocations=[(world["c1"], D("2000.00"))], by=world["finance"],
    )  # fmt: skip
    before = _books()

    with translation.override("en"), pytest.raises(DomainConflict) as refused:
        _remit(world, " qa3p-2026-12-01 ")

    assert (refused.value.code, refused.value.field) == ("payment.reference_used", "reference")
    assert refused.value.params["payment"] == hand.pk
    with translation.override("en"):
        assert refused.value.detail.startswith(
            "Reference qa3p-2026-12-01 is already recorded, as QA3P-2026-12-01, for a payment of WMT on 2026-12-01 "
            "of 2,000.00"
        )
    assert _books() == before


def test_the_remittance_api_refuses_it_too(api_client, world):
    contract_services.payment_record(
        account=world["account"], date=date(2026, 12, 1), amount=D("2000.00"), reference="QA3P-2026-12-01"
    )
    before = _books()
    api_client.force_authenticate(world["finance"])
    body = {
        "account": "WMT", "date": "2026-12-02", "reference": "qa3p-2026-12-01", "cash": "7700.00",
        "invoices": [{"invoice": "B-1", "amount": "8000.00"}],
        "deductions": [{"kind": "dm", "amount": "300.00"}],
    }  # fmt: skip

    answer = api_client.post("/api/v1/remittances/", body, format="json")

    assert answer.status_code == 409 and answer.json()["code"] == "payment.reference_used"
    assert answer.json()["params"]["recorded"] == "QA3P-2026-12-01"
    assert _books() == before


def test_the_same_advice_again_in_another_case_is_the_remittance_already_recorded(world):
    first = _remit(world, "RT-0912")
    before = _books()

    again = _remit(world, "rt-0912")
    other = None
    with pytest.raises(DomainConflict) as refused:
        other = _remit(world, "Rt-0912", cash="7600.00")

    assert (again.created, again.remittance.pk) == (False, first.remittance.pk)  # answered as the first
    assert other is None and refused.value.code == "remittance.reference_used"
    assert _books() == before
