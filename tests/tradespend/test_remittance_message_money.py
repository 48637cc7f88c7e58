"""The remittance's success message writes its money as the pages do (180,250.00), not as stored (180250.00)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user

pytestmark = pytest.mark.django_db


def test_the_recorded_message_groups_the_thousands(client):
    # Given an invoice of 189,650.00 to Carrefour
    crf = KeyAccountFactory(code="CRF")
    InvoiceFactory(number="FP-1", account=crf, date=date(2026, 10, 1), amount=Decimal("189650.00"))
    client.force_login(make_user(Role.FINANCE))
    # When finance keys in a remittance: 180,250.00 received, 9,400.00 deducted as a TG fee
    data = {
        "account": "CRF", "date": "2026-10-20", "reference": "CRF-RA-202610-01", "cash": "180250.00", "mode": "key",
        "file": "", "invoices-TOTAL_FORMS": "1", "invoices-INITIAL_FORMS": "0", "deductions-TOTAL_FORMS": "1",
        "deductions-INITIAL_FORMS": "0", "invoices-0-invoice": "FP-1", "invoices-0-amount": "189650.00",
        "deductions-0-kind": "tg", "deductions-0-period": "2026-10", "deductions-0-amount": "9400.00",
        "deductions-0-reference": "TG-10",
    }  # fmt: skip
    response = client.post(reverse("tradespend:remittance-new"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    # Then the message reads the amounts as the pages write them
    said = [str(message) for message in response.context["messages"]]
    assert said == ["Remittance CRF-RA-202610-01 recorded: 180,250.00 received, 9,400.00 deducted."]
