"""Factories for contracts and receivables. Invoices, payments and deductions that change open amounts
are made through the services in tests; these give the plain records."""

from datetime import date, timedelta
from decimal import Decimal

import factory

from contracts.models import Contract, Invoice
from tests.factories import KeyAccountFactory


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"HT-2026-{n:04d}")
    account = factory.SubFactory(KeyAccountFactory)
    kind = Contract.Kind.ANNUAL
    signed_on = date(2026, 1, 5)
    valid_from = date(2026, 1, 1)
    valid_to = date(2026, 12, 31)
    total_amount = Decimal("1200000.00")
    rebate_percent = Decimal("3.00")
    listing_fee = Decimal("20000.00")
    payment_terms_days = 60
    status = Contract.Status.ACTIVE


class InvoiceFactory(factory.django.DjangoModelFactory):
    """An untouched invoice: open amount = amount."""

    class Meta:
        model = Invoice

    number = factory.Sequence(lambda n: f"INV{n:06d}")
    account = factory.SubFactory(KeyAccountFactory)
    date = date(2026, 9, 1)
    due_on = factory.LazyAttribute(lambda o: o.date + timedelta(days=60))
    amount = Decimal("10000.00")
    open_amount = factory.LazyAttribute(lambda o: o.amount)
