"""An invoice number is one invoice's whatever its case and the spaces around it, company-wide: the service says so
first (invoice.number_taken, naming the invoice), and the database holds it too (invoice_number_unique_ignoring_case),
so two invoices raised at the same moment under INV-9 and inv-9 cannot both be saved."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from contracts import services
from contracts.models import Invoice
from ka_portal.errors import DomainError
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("again", ["inv-0001", " INV-0001 ", "Inv-0001"])
def test_the_database_refuses_a_number_another_invoice_has_in_another_case(again):
    InvoiceFactory(number="INV-0001")

    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceFactory(number=again, account=KeyAccountFactory())  # another chain's: numbers are company-wide

    assert Invoice.objects.count() == 1


def test_numbers_that_differ_otherwise_are_saved():
    InvoiceFactory(number="INV-0001")
    InvoiceFactory(number="INV-00010")
    InvoiceFactory(number="INV 0001")

    assert Invoice.objects.count() == 3


def test_the_service_still_refuses_first_in_its_own_words():
    account = KeyAccountFactory(code="WMT")
    services.invoice_create(account=account, number="ERP-INV-7", date=date(2026, 9, 1), amount=Decimal("100.00"))

    with translation.override("en"):
        with pytest.raises(DomainError) as refused:
            services.invoice_create(
                account=account, number=" erp-inv-7", date=date(2026, 9, 2), amount=Decimal("50.00")
            )

        assert refused.value.code == "invoice.number_taken"
        assert "as ERP-INV-7" in refused.value.detail


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_invoices_raised_at_once_under_one_number_in_two_cases_make_one():
    """Both pass the service's check before either is saved; the database lets one through, and the other is the
    service's refusal (invoice.number_taken), not an error."""
    accounts = [KeyAccountFactory(code="WMT"), KeyAccountFactory(code="CRF")]
    start = threading.Barrier(2)
    outcomes = []

    def raise_invoice(account, number):
        try:
            start.wait(timeout=30)
            with transaction.atomic():
                services.invoice_create(account=account, number=number, date=date(2026, 9, 1), amount=Decimal("1.00"))
            outcomes.append("ok")
        except DomainError as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=raise_invoice, args=(account, number))
        for account, number in zip(accounts, ["INV-9", "inv-9"], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["invoice.number_taken", "ok"]
    assert Invoice.objects.count() == 1
