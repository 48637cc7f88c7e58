"""A number in a request body is read only as digits: Python's Decimal reads "1e5" as 100000 and "1_000" as 1000, and
an integration's "1e5" stored an invoice of ¥100,000.00 where the pages refuse it (ka_portal.api_fields.DecimalField,
for a model's decimal in every ModelSerializer and for the fields serializers declare)."""

import uuid

import pytest

from contracts.models import Invoice
from promotions.models import Budget
from tests.factories import KeyAccountFactory
from tradespend.models import AccrualLine

pytestmark = pytest.mark.django_db


def _post(client, url, body, language="en"):
    return client.post(url, body, format="json", HTTP_ACCEPT_LANGUAGE=language, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


@pytest.mark.parametrize("typed", ["1e5", "5E3", "1_000", " 1e2 "])
def test_an_amount_not_in_digits_is_refused_naming_the_field(api_client, finance, typed):
    KeyAccountFactory(code="WMT")
    api_client.force_authenticate(finance)
    body = {"number": "INV-1", "account": "WMT", "date": "2026-12-01", "amount": typed}

    refused = _post(api_client, "/api/v1/invoices/", body)

    assert refused.status_code == 400
    assert refused.json()["errors"]["amount"] == ["Write the number in digits, e.g. 12000.50."]
    assert _post(api_client, "/api/v1/invoices/", body, "zh-hans").json()["errors"]["amount"] == [
        "请用数字书写，例如 12000.50。"
    ]
    assert not Invoice.objects.exists()


def test_digits_as_text_or_a_json_number_are_read_and_what_is_no_number_is_said_so(api_client, finance):
    KeyAccountFactory(code="WMT")
    api_client.force_authenticate(finance)
    body = {"account": "WMT", "date": "2026-12-01"}
    for number, amount in (("INV-1", "12000.50"), ("INV-2", 300), ("INV-3", "-0.5")):
        made = _post(api_client, "/api/v1/invoices/", {**body, "number": number, "amount": amount})
        assert made.status_code in (201, 400), made.json()
        if made.status_code == 400:  # a negative amount: refused by its rule, not as a way of writing
            assert "digits" not in str(made.json())
    assert Invoice.objects.get(number="INV-1").amount == 12000.50
    assert Invoice.objects.get(number="INV-2").amount == 300
    nonsense = _post(api_client, "/api/v1/invoices/", {**body, "number": "INV-4", "amount": "abc"})
    assert nonsense.json()["errors"]["amount"] == ["A valid number is required."]


def test_a_budget_and_a_declared_amount_refuse_it_too(api_client, manager, finance):
    KeyAccountFactory(code="WMT", owner=manager)
    api_client.force_authenticate(manager)
    body = {"account": "WMT", "period_start": "2027-01-01", "period_end": "2027-01-31", "amount": "1e5"}
    refused = _post(api_client, "/api/v1/budgets/", body)
    assert refused.status_code == 400 and "amount" in refused.json()["errors"]
    assert not Budget.objects.exists()
    # the ledger's adjustment declares its amount on the serializer (not a ModelSerializer's mapping)
    api_client.force_authenticate(finance)
    body = {"account": "WMT", "kind": "other", "month": "2026-12-01", "amount": "5e3", "reason": "QA"}
    adjusted = _post(api_client, "/api/v1/accrual-lines/", body)
    assert adjusted.json()["errors"]["amount"] == ["Write the number in digits, e.g. 12000.50."]
    assert not AccrualLine.objects.exists()
