"""The finance API: same rules and scope as the pages; allocation and reversal are their own endpoints."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts import services
from contracts.models import Invoice, Payment
from tests.factories import KeyAccountFactory

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def two_invoices(account):
    return [
        services.invoice_create(account=account, number="INV1", date=date(2026, 7, 1), amount=D("300.00")),
        services.invoice_create(account=account, number="INV2", date=date(2026, 8, 1), amount=D("400.00")),
    ]


def test_record_a_payment_allocated_oldest_first(api_client, finance, account, two_invoices):
    api_client.force_authenticate(finance)
    response = api_client.post(
        "/api/v1/payments/", {"account": account.code, "date": "2026-10-01", "amount": "500.00"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["allocated_amount"] == "500.00"
    assert [(a["invoice_number"], a["amount"]) for a in body["allocations"]] == [("INV1", "300.00"), ("INV2", "200.00")]


def test_allocate_by_hand_and_over_allocation_refused(api_client, finance, account, two_invoices):
    api_client.force_authenticate(finance)
    created = api_client.post(
        "/api/v1/payments/",
        {"account": account.code, "date": "2026-10-01", "amount": "500.00", "auto_allocate": False},
        format="json",
    ).json()
    assert created["allocations"] == []
    url = f"/api/v1/payments/{created['id']}/allocate/"
    over = api_client.post(url, {"allocations": [{"invoice": two_invoices[1].pk, "amount": "400.01"}]}, format="json")
    assert over.status_code == 409
    assert over.json()["code"] == "allocation.exceeds_invoice"
    assert over.json()["params"]["open"] == "400.00"
    done = api_client.post(url, {"allocations": [{"invoice": two_invoices[1].pk, "amount": "400.00"}]}, format="json")
    assert done.status_code == 200
    assert done.json()["unallocated_amount"] == "100.00"
    assert Invoice.objects.get(number="INV1").open_amount == D("300.00")


def test_an_amount_in_a_refusal_reads_grouped_and_its_param_stays_a_number(api_client, finance, account):
    # The message is for people (12,000.00, as the pages write it); params are for programs ("12000.00").
    services.invoice_create(account=account, number="BIG", date=date(2026, 7, 1), amount=D("12000.00"))
    payment = services.payment_record(
        account=account, date=date(2026, 10, 1), amount=D("15000.00"), auto_allocate=False
    )
    api_client.force_authenticate(finance)
    invoice = account.invoices.get(number="BIG")

    over = api_client.post(
        f"/api/v1/payments/{payment.pk}/allocate/", {"allocations": [{"invoice": invoice.pk, "amount": "12500.00"}]},
        format="json", HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip

    assert over.status_code == 409
    assert over.json()["detail"] == "12,500.00 is more than the 12,000.00 still open on invoice BIG."
    assert over.json()["params"] == {"amount": "12500.00", "open": "12000.00", "number": "BIG"}


def test_reverse_endpoint_restores_open_amounts(api_client, finance, account, two_invoices):
    payment = services.payment_record(account=account, date=date(2026, 10, 1), amount=D("700.00"))
    api_client.force_authenticate(finance)
    response = api_client.post(f"/api/v1/payments/{payment.pk}/reverse/", {"reason": "退票"}, format="json")
    assert response.status_code == 200
    assert response.json()["reversed_on"] is not None
    assert [i.open_amount for i in Invoice.objects.order_by("number")] == [D("300.00"), D("400.00")]
    again = api_client.post(f"/api/v1/payments/{payment.pk}/reverse/", {"reason": "again"}, format="json")
    assert again.status_code == 409


def test_invoice_created_with_contract_terms_and_written_off(api_client, finance, account):
    contract = ContractFactory(account=account, payment_terms_days=30)
    api_client.force_authenticate(finance)
    created = api_client.post(
        "/api/v1/invoices/",
        {"number": "FP1", "account": account.code, "contract": contract.pk, "date": "2026-10-01", "amount": "99.50"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["due_on"] == "2026-10-31"
    no_reason = api_client.post(f"/api/v1/invoices/{created.json()['id']}/write-off/", {}, format="json")
    assert no_reason.status_code == 400
    done = api_client.post(f"/api/v1/invoices/{created.json()['id']}/write-off/", {"reason": "坏账"}, format="json")
    assert done.json()["status"] == "written_off"
    assert done.json()["written_off_amount"] == "99.50"


def test_deduction_reduces_the_invoice(api_client, finance, account, two_invoices):
    api_client.force_authenticate(finance)
    response = api_client.post(
        "/api/v1/deductions/",
        {"invoice": two_invoices[0].pk, "date": "2026-10-01", "kind": "barcode", "amount": "30.00", "reason": "条码费"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["account"] == "WMT"
    assert Invoice.objects.get(number="INV1").open_amount == D("270.00")


def test_contracts_list_filters_and_create(api_client, finance, account, django_assert_max_num_queries):
    today = timezone.localdate()
    ContractFactory(number="SOON", account=account, valid_from=date(2020, 1, 1), valid_to=today)
    ContractFactory(number="LATER", account=account, valid_from=date(2020, 1, 1), valid_to=date(2099, 1, 1))
    api_client.force_authenticate(finance)
    with django_assert_max_num_queries(8):
        listed = api_client.get("/api/v1/contracts/", {"expiring": "true"}).json()
    assert [c["number"] for c in listed["results"]] == ["SOON"]
    created = api_client.post(
        "/api/v1/contracts/",
        {
            "number": "HT-API",
            "account": account.code,
            "kind": "store_entry",
            "valid_from": "2026-01-01",
            "valid_to": "2025-12-31",
            "payment_terms_days": 45,
        },
        format="json",
    )
    assert created.status_code == 400
    assert created.json()["code"] == "contract.validity_reversed"


def test_list_endpoints_run_a_fixed_number_of_queries(api_client, finance, account, django_assert_max_num_queries):
    for n in range(5):
        invoice = services.invoice_create(account=account, number=f"I{n}", date=date(2026, 7, 1), amount=D("100"))
        services.payment_record(account=account, date=date(2026, 8, 1), amount=D("60"))
        services.deduction_record(invoice=invoice, date=date(2026, 8, 2), kind="dm", amount=D("10"), reason="DM")
    api_client.force_authenticate(finance)
    for url in ("/api/v1/invoices/", "/api/v1/payments/", "/api/v1/deductions/", "/api/v1/contracts/"):
        with django_assert_max_num_queries(8):
            assert api_client.get(url).status_code == 200


def test_aging_and_statement_reports(api_client, finance, account, two_invoices):
    services.payment_record(account=account, date=date(2026, 9, 10), amount=D("100.00"))
    api_client.force_authenticate(finance)
    aging = api_client.get("/api/v1/reports/aging/", {"as_of": "2026-10-15"}).json()
    # INV1 due 2026-08-30 (45 days past due: 200 left); INV2 due 2026-09-30 (15 days: 400)
    assert aging["total"]["buckets"] == {
        "not_due": "0.00",
        "1_30": "400.00",
        "31_60": "200.00",
        "61_90": "0.00",
        "over_90": "0.00",
    }
    assert aging["rows"][0]["account"]["code"] == "WMT"
    statement = api_client.get(
        "/api/v1/reports/statement/", {"account": account.code, "from": "2026-08-01", "to": "2026-09-30"}
    ).json()
    assert (statement["opening"], statement["closing"]) == ("300.00", "600.00")
    assert [line["kind"] for line in statement["lines"]] == ["invoice", "payment"]
    bad = api_client.get("/api/v1/reports/aging/", {"as_of": "yesterday"})
    assert bad.status_code == 400
    reversed_ = api_client.get(
        "/api/v1/reports/statement/", {"account": account.code, "from": "2026-09-30", "to": "2026-08-01"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # fmt: skip
    assert reversed_.status_code == 400 and "期间的结束早于开始" in str(reversed_.json())  # was English in Chinese


def test_aging_for_one_account_by_code_and_a_foreign_code_is_not_found(
    api_client, finance, manager, account, two_invoices
):
    other = KeyAccountFactory(code="OTHER")
    services.invoice_create(account=other, number="THEIRS", date=date(2026, 7, 1), amount=D("9.00"))
    api_client.force_authenticate(finance)

    everyone = api_client.get("/api/v1/reports/aging/", {"as_of": "2026-10-15"}).json()
    one = api_client.get("/api/v1/reports/aging/", {"as_of": "2026-10-15", "account": account.code}).json()
    api_client.force_authenticate(manager)
    foreign = api_client.get("/api/v1/reports/aging/", {"account": "OTHER"})

    assert sorted(row["account"]["code"] for row in everyone["rows"]) == sorted([account.code, "OTHER"])
    assert [row["account"]["code"] for row in one["rows"]] == [account.code]
    assert one["total"]["total"] == "700.00"  # INV1 300 + INV2 400, without the other account's 9
    assert foreign.status_code == 400 and list(foreign.json()["errors"]) == ["account"]  # "Not found.", naming nothing


def test_manager_reads_own_accounts_and_may_not_write(api_client, manager, account, two_invoices):
    other = KeyAccountFactory()
    theirs = services.invoice_create(account=other, number="THEIRS", date=date(2026, 7, 1), amount=D("1.00"))
    api_client.force_authenticate(manager)
    listed = api_client.get("/api/v1/invoices/").json()
    assert {i["number"] for i in listed["results"]} == {"INV1", "INV2"}
    assert api_client.get(f"/api/v1/invoices/{theirs.pk}/").status_code == 404
    response = api_client.post(
        "/api/v1/payments/", {"account": account.code, "date": "2026-10-01", "amount": "1.00"}, format="json"
    )
    assert response.status_code == 403
    assert not Payment.objects.exists()
    statement = api_client.get(
        "/api/v1/reports/statement/", {"account": other.code, "from": "2026-01-01", "to": "2026-12-31"}
    )
    assert statement.status_code == 400  # not a choice for this manager


FINANCE_ENDPOINTS = [
    ("get", "/api/v1/contracts/"),
    ("get", "/api/v1/contracts/{contract}/"),
    ("post", "/api/v1/contracts/"),
    ("get", "/api/v1/invoices/"),
    ("get", "/api/v1/invoices/{invoice}/"),
    ("post", "/api/v1/invoices/"),
    ("post", "/api/v1/invoices/{invoice}/write-off/"),
    ("get", "/api/v1/payments/"),
    ("get", "/api/v1/payments/{payment}/"),
    ("post", "/api/v1/payments/"),
    ("post", "/api/v1/payments/{payment}/allocate/"),
    ("post", "/api/v1/payments/{payment}/reverse/"),
    ("get", "/api/v1/deductions/"),
    ("post", "/api/v1/deductions/"),
    ("get", "/api/v1/reports/aging/"),
    ("get", "/api/v1/reports/statement/?account={account}&from=2026-01-01&to=2026-12-31"),
]


@pytest.mark.parametrize("role_fixture", ["rep", "supervisor"])
@pytest.mark.parametrize("method, url", FINANCE_ENDPOINTS)
def test_reps_get_404_on_every_finance_endpoint(api_client, request, role_fixture, method, url, account):
    ids = {
        "contract": ContractFactory(account=account).pk,
        "invoice": services.invoice_create(account=account, number="X1", date=date(2026, 7, 1), amount=D("5")).pk,
        "payment": services.payment_record(account=account, date=date(2026, 7, 2), amount=D("1")).pk,
        "account": account.code,
    }
    api_client.force_authenticate(request.getfixturevalue(role_fixture))
    response = getattr(api_client, method)(url.format(**ids), {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_schema_documents_the_finance_endpoints(client):
    import yaml

    schema = yaml.load(client.get("/api/schema/").content, Loader=yaml.CSafeLoader)
    paths = schema["paths"]
    for path in (
        "/api/v1/contracts/",
        "/api/v1/invoices/{id}/write-off/",
        "/api/v1/payments/{id}/allocate/",
        "/api/v1/payments/{id}/reverse/",
        "/api/v1/deductions/",
        "/api/v1/reports/aging/",
        "/api/v1/reports/statement/",
    ):
        assert path in paths, path
    assert "409" in paths["/api/v1/payments/{id}/allocate/"]["post"]["responses"]
    assert {p["name"] for p in paths["/api/v1/reports/statement/"]["get"]["parameters"]} >= {"account", "from", "to"}
