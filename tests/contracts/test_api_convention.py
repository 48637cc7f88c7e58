"""The API convention on the finance endpoints: key accounts by code in bodies and filters, contracts,
invoices and payments by id; a code outside the caller's accounts is "Not found.", like one that does
not exist, and nothing is written."""

from datetime import date
from decimal import Decimal

import pytest
import yaml

from contracts import services
from contracts.models import Contract, Invoice, Payment
from tests.factories import KeyAccountFactory

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def foreign(db):
    """A key account the KA manager does not own."""
    return KeyAccountFactory(code="CRF", name="家乐福")


def test_an_invoice_is_created_and_shown_with_its_account_code(api_client, finance, account):
    contract = ContractFactory(account=account)
    api_client.force_authenticate(finance)

    created = api_client.post(
        "/api/v1/invoices/",
        {"number": "FP-CODE", "account": "WMT", "contract": contract.pk, "date": "2026-10-01", "amount": "10.00"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert created.json()["account"] == "WMT"
    assert created.json()["contract"] == contract.pk


def test_an_account_id_is_not_a_code(api_client, finance, account):
    api_client.force_authenticate(finance)

    response = api_client.post(
        "/api/v1/payments/", {"account": account.pk, "date": "2026-10-01", "amount": "1.00"}, format="json"
    )

    assert response.status_code == 400
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "url, body",
    [
        ("/api/v1/payments/", {"date": "2026-10-01", "amount": "1.00"}),
        ("/api/v1/invoices/", {"number": "FP-X", "date": "2026-10-01", "amount": "1.00"}),
        (
            "/api/v1/contracts/",
            {"number": "HT-X", "kind": "annual", "valid_from": "2026-01-01", "valid_to": "2026-12-31"},
        ),
    ],
)
def test_an_unknown_account_code_is_not_found_and_nothing_is_written(api_client, finance, foreign, url, body):
    # Finance reaches every account: a code no account has is what it cannot name.
    api_client.force_authenticate(finance)

    response = api_client.post(url, {**body, "account": "NOPE"}, format="json")

    assert response.status_code == 400
    assert "Not found." in str(response.json()) or "未找到" in str(response.json())
    assert not Payment.objects.exists() and not Invoice.objects.exists() and not Contract.objects.exists()


def test_a_managers_foreign_account_code_reads_as_not_found(api_client, manager, account, foreign):
    api_client.force_authenticate(manager)

    statement = api_client.get(
        "/api/v1/reports/statement/",
        {"account": "CRF", "from": "2026-01-01", "to": "2026-12-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    missing = api_client.get(
        "/api/v1/reports/statement/",
        {"account": "NOPE", "from": "2026-01-01", "to": "2026-12-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert statement.status_code == missing.status_code == 400
    assert statement.json() == missing.json()
    assert "Not found." in str(statement.json())


def test_list_filters_take_the_account_code(api_client, finance, account, foreign):
    services.invoice_create(account=account, number="MINE", date=date(2026, 7, 1), amount=D("5"))
    services.invoice_create(account=foreign, number="THEIRS", date=date(2026, 7, 1), amount=D("5"))
    api_client.force_authenticate(finance)

    listed = api_client.get("/api/v1/invoices/", {"account": "WMT"})
    by_id = api_client.get("/api/v1/invoices/", {"account": account.pk})

    assert [i["number"] for i in listed.json()["results"]] == ["MINE"]
    assert by_id.status_code == 400


def test_a_manager_filtering_by_a_foreign_code_is_refused_like_an_unknown_one(api_client, manager, account, foreign):
    api_client.force_authenticate(manager)

    foreign_answer = api_client.get("/api/v1/payments/", {"account": "CRF"}, HTTP_ACCEPT_LANGUAGE="en")
    unknown_answer = api_client.get("/api/v1/payments/", {"account": "NOPE"}, HTTP_ACCEPT_LANGUAGE="en")

    assert foreign_answer.status_code == unknown_answer.status_code == 400
    assert foreign_answer.json() == unknown_answer.json()


def test_the_schema_types_every_filter_and_says_accounts_go_by_code(client):
    schema = yaml.load(client.get("/api/schema/").content, Loader=yaml.CSafeLoader)

    for path in ("/api/v1/contracts/", "/api/v1/invoices/", "/api/v1/payments/", "/api/v1/deductions/"):
        parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert all("type" in p["schema"] for p in parameters.values()), path
        assert parameters["account"]["schema"]["type"] == "string", path
        assert "by code" in parameters["account"]["description"], path
    statement = {p["name"]: p for p in schema["paths"]["/api/v1/reports/statement/"]["get"]["parameters"]}
    assert statement["account"]["schema"]["type"] == "string"
    assert "by code" in statement["account"]["description"]
    invoice_filters = {p["name"]: p for p in schema["paths"]["/api/v1/invoices/"]["get"]["parameters"]}
    assert invoice_filters["contract"]["schema"]["type"] == "integer"
