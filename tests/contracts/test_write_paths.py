"""Every door that writes a contract or the books goes through contracts/services.py: the same rule is
refused with the same message by API create, API update, the page and the admin, and nothing is written;
the admin cannot change invoices, payments or deductions by hand, and its action calls the service."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import Contract, Invoice, Payment

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal
REVERSED = "The contract ends on 2025-12-31, before it starts on 2026-01-01."


def _contract_body(**fields):
    body = {
        "number": "HT-DOOR",
        "kind": "annual",
        "status": "active",
        "valid_from": "2026-01-01",
        "valid_to": "2025-12-31",
        "total_amount": "100.00",
        "rebate_percent": "1.00",
        "listing_fee": "0.00",
        "payment_terms_days": "60",
        "execution_notes": "",
    }
    return {**body, **fields}


def test_api_create_refuses_a_reversed_validity(api_client, finance, account):
    api_client.force_authenticate(finance)

    response = api_client.post(
        "/api/v1/contracts/", _contract_body(account="WMT"), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["detail"]) == ("contract.validity_reversed", REVERSED)
    assert not Contract.objects.exists()


def test_api_update_refuses_a_reversed_validity(api_client, finance, account):
    contract = ContractFactory(account=account, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    api_client.force_authenticate(finance)

    response = api_client.patch(
        f"/api/v1/contracts/{contract.pk}/", {"valid_to": "2025-12-31"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["detail"]) == ("contract.validity_reversed", REVERSED)
    contract.refresh_from_db()
    assert contract.valid_to == date(2026, 12, 31)


def test_the_page_refuses_a_reversed_validity_with_the_same_message(client, finance, account):
    client.force_login(finance)

    response = client.post(
        reverse("contracts:contract-create"), _contract_body(account=account.pk), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"valid_to": [REVERSED]}
    assert not Contract.objects.exists()


def test_the_admin_refuses_a_reversed_validity_with_the_same_message(client, admin_user, account):
    contract = ContractFactory(account=account, number="HT-ADM", valid_from=date(2026, 1, 1))
    client.force_login(admin_user)
    url = reverse("admin:contracts_contract_change", args=[contract.pk])

    response = client.post(url, _contract_body(number="HT-ADM", account=account.pk), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"valid_to": [REVERSED]}
    contract.refresh_from_db()
    assert contract.valid_to == date(2026, 12, 31)


def test_the_admin_adds_a_contract_through_the_service(client, admin_user, account):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:contracts_contract_add"), _contract_body(account=account.pk, valid_to="2026-12-31")
    )

    assert response.status_code == 302
    contract = Contract.objects.get(number="HT-DOOR")
    assert (contract.account, contract.valid_to) == (account, date(2026, 12, 31))


def test_the_admin_refuses_a_contract_number_already_in_the_ledger(client, admin_user, account):
    ContractFactory(account=account, number="HT-TAKEN")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:contracts_contract_add"),
        _contract_body(number="HT-TAKEN", account=account.pk, valid_to="2026-12-31"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.context["adminform"].form.errors == {
        "number": ["Contract number HT-TAKEN is already in the ledger."]
    }
    assert Contract.objects.count() == 1


@pytest.mark.parametrize("model", ["invoice", "payment", "deduction"])
def test_the_admin_shows_the_books_but_changes_nothing_by_hand(client, admin_user, account, model):
    invoice = services.invoice_create(account=account, number="FP1", date=date(2026, 7, 1), amount=D("100.00"))
    records = {
        "invoice": invoice,
        "payment": services.payment_record(account=account, date=date(2026, 8, 1), amount=D("40.00")),
        "deduction": services.deduction_record(
            invoice=invoice, date=date(2026, 8, 2), kind="dm", amount=D("10.00"), reason="DM"
        ),
    }
    record = records[model]
    client.force_login(admin_user)
    change = reverse(f"admin:contracts_{model}_change", args=[record.pk])

    page = client.get(change)
    posted = client.post(change, {"amount": "1.00", "open_amount": "1.00", "account": account.pk})
    deleted = client.post(reverse(f"admin:contracts_{model}_delete", args=[record.pk]), {"post": "yes"})

    assert page.status_code == 200 and 'name="amount"' not in page.content.decode()
    assert posted.status_code == 403 and deleted.status_code == 403
    assert Invoice.objects.get().open_amount == D("50.00")
    assert client.get(reverse(f"admin:contracts_{model}_add")).status_code == 403


def test_the_admin_action_allocates_through_the_service(client, admin_user, account):
    services.invoice_create(account=account, number="FP1", date=date(2026, 7, 1), amount=D("100.00"))
    payment = services.payment_record(account=account, date=date(2026, 8, 1), amount=D("30.00"), auto_allocate=False)
    reversed_payment = services.payment_record(
        account=account, date=date(2026, 8, 1), amount=D("5.00"), auto_allocate=False
    )
    services.payment_reverse(payment=reversed_payment, by=admin_user, reason="退票")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:contracts_payment_changelist"),
        {"action": "allocate_oldest_first", "_selected_action": [payment.pk, reversed_payment.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    texts = [str(m) for m in response.context["messages"]]
    assert any("This payment was reversed; it cannot be allocated." in t for t in texts)
    assert "1 payment allocated." in texts
    assert Payment.objects.get(pk=payment.pk).allocated_amount == D("30.00")
    assert Invoice.objects.get().open_amount == D("70.00")


@pytest.mark.parametrize(
    "change, code, field",
    [
        ({"number": "HT-TAKEN"}, "contract.number_taken", "number"),
        ({"rebate_percent": "100.01"}, "contract.invalid", "rebate_percent"),
        ({"total_amount": "-1.00"}, "contract.invalid", "total_amount"),
    ],
)
def test_api_create_update_and_admin_refuse_a_contract_with_the_same_code_and_message(
    api_client, client, finance, admin_user, account, change, code, field
):
    ContractFactory(account=account, number="HT-TAKEN")
    mine = ContractFactory(account=account, number="HT-MINE", valid_from=date(2026, 1, 1))
    api_client.force_authenticate(finance)
    client.force_login(admin_user)
    valid = {"valid_to": "2026-12-31"}

    created = api_client.post(
        "/api/v1/contracts/", _contract_body(account="WMT", **valid, **change), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    updated = api_client.patch(f"/api/v1/contracts/{mine.pk}/", change, format="json", HTTP_ACCEPT_LANGUAGE="en")
    admin = client.post(
        reverse("admin:contracts_contract_change", args=[mine.pk]),
        _contract_body(**{"number": "HT-MINE", "account": account.pk, **valid, **change}),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert created.status_code == updated.status_code == 400
    assert created.json()["code"] == updated.json()["code"] == code
    assert created.json()["detail"] == updated.json()["detail"]
    assert admin.context["adminform"].form.errors == {field: [created.json()["detail"]]}
    assert Contract.objects.count() == 2
    assert Contract.objects.filter(
        number="HT-MINE", valid_to=date(2026, 12, 31), total_amount=mine.total_amount
    ).exists()


@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_a_deduction_of_nothing_or_less_is_refused_by_the_service_on_page_and_api(
    api_client, client, finance, account, amount
):
    invoice = services.invoice_create(account=account, number="FP1", date=date(2026, 7, 1), amount=D("100.00"))
    api_client.force_authenticate(finance)
    client.force_login(finance)
    body = {"date": "2026-08-01", "kind": "dm", "amount": amount, "reason": "DM"}

    api = api_client.post(
        "/api/v1/deductions/", {**body, "invoice": invoice.pk}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    page = client.post(
        reverse("contracts:receivables-account", args=[account.pk]),
        {"action": "deduction", **{f"deduction-{k}": v for k, v in body.items()}, "deduction-invoice": invoice.number},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert (api.status_code, api.json()["code"]) == (400, "deduction.amount_not_positive")
    assert page.context["deduction_form"].errors == {"amount": [api.json()["detail"]]}
    invoice.refresh_from_db()
    assert invoice.open_amount == D("100.00")
