"""Who recorded a remittance reads as the person's name on its page, as on every other page and in the export
(ka_portal.formatting.display_name: 刘洋), never the login name (finance1)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tests.imports.xlsx import read_xlsx
from tradespend.models import Remittance

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(client):
    finance = make_user(Role.FINANCE, username="finance1", first_name="洋", last_name="刘")
    InvoiceFactory(number="A-1", account=KeyAccountFactory(code="WMT"), date=date(2026, 7, 1), amount=Decimal("5000"))
    client.force_login(finance)
    data = {
        "account": "WMT", "date": "2026-10-08", "reference": "PAY-1008", "cash": "5000.00", "mode": "key",
        "invoices-TOTAL_FORMS": "1", "invoices-INITIAL_FORMS": "0", "invoices-0-invoice": "A-1",
        "invoices-0-amount": "5000.00", "deductions-TOTAL_FORMS": "0", "deductions-INITIAL_FORMS": "0",
    }  # fmt: skip
    client.post(reverse("tradespend:remittance-new"), data, HTTP_ACCEPT_LANGUAGE="en")
    return Remittance.objects.get()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_remittance_page_names_who_recorded_it(client, recorded, language):
    page = client.get(reverse("tradespend:remittance-detail", args=[recorded.pk]), HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()

    assert recorded.recorded_by.username == "finance1"
    assert '<span data-testid="recorded-by">刘洋</span>' in html
    assert "finance1" not in html


def test_the_page_and_the_export_name_the_same_person(client, recorded):
    export = client.get(reverse("tradespend:remittances"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    (rows,) = read_xlsx(b"".join(export.streaming_content)).values()
    page = client.get(reverse("tradespend:remittance-detail", args=[recorded.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert "刘洋" in rows[1] and "Recorded by" in rows[0]
    assert "Recorded by <span" in page.content.decode()
