"""Two cashiers allocate two payments to the same invoice at the same moment: the row lock lets one
through and refuses the other, so the invoice is never over-allocated (PostgreSQL: SQLite has no row locks)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from contracts import services
from contracts.models import Invoice
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_concurrent_allocations_never_exceed_the_invoice():
    account = KeyAccountFactory()
    invoice = services.invoice_create(account=account, number="INV1", date=date(2026, 9, 1), amount=Decimal("100.00"))
    payments = [
        services.payment_record(account=account, date=date(2026, 10, 1), amount=Decimal("80.00"), auto_allocate=False)
        for _ in range(2)
    ]
    start = threading.Barrier(2)
    outcomes = []

    def allocate(payment):
        try:
            start.wait()
            services.payment_allocate(payment=payment, allocations=[(invoice, Decimal("80.00"))])
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate, args=(p,)) for p in payments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["allocation.exceeds_invoice", "ok"]
    assert Invoice.objects.get(pk=invoice.pk).open_amount == Decimal("20.00")
