"""A contract moved to another chain left its invoices on the old one (QA): WMT's invoices, and what was paid and
deducted on them, stayed in WMT's receivables and statement under a contract that now named CR Vanguard. A contract
with invoices stays with their key account — refused with `contract.has_invoices` naming the account field, on the
page, in the API and in the admin (every door: tests/ka_portal/write_path_matrix.py) — while one without invoices
still moves, and the invoiced one's other terms still change."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import Contract, Invoice, Payment
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory

from .factories import ContractFactory

pytestmark = [pytest.mark.django_db, pytest.mark.english]
D = Decimal
STAYS = (
    "Contract HT-MOVE already has invoices at WMT (2): it stays with that key account, where its invoices and their "
    "payments and deductions are. For another key account, enter a new contract."
)
HINT = "This contract has invoices: it stays with its key account."


@pytest.fixture
def other_chain(db):
    return KeyAccountFactory(code="CRV", name="华润万家")


@pytest.fixture
def contract(account):
    return ContractFactory(account=account, number="HT-MOVE", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))


@pytest.fixture
def invoiced(account, contract):
    """Two invoices under the contract, one of them partly paid."""
    first = services.invoice_create(account=account, number="INV-M1", date=date(2026, 7, 1), amount=D("1000.00"),
                                    contract=contract)  # fmt: skip
    services.invoice_create(account=account, number="INV-M2", date=date(2026, 8, 1), amount=D("500.00"),
                            contract=contract)  # fmt: skip
    services.payment_record(account=account, date=date(2026, 9, 1), amount=D("400.00"), allocations=[(first, D("400"))])
    return contract


def _form(contract, **fields) -> dict:
    form = {"number": contract.number, "account": contract.account_id, "kind": "annual", "status": "active",
            "signed_on": "2026-01-05", "valid_from": "2026-01-01", "valid_to": "2026-12-31",
            "total_amount": "1200000.00", "rebate_percent": "3.00", "listing_fee": "20000.00",
            "payment_terms_days": "60", "execution_notes": ""}  # fmt: skip
    return {**form, **fields}


def _books_stay(account, contract) -> None:
    contract.refresh_from_db()
    assert contract.account == account
    assert set(Invoice.objects.filter(contract=contract).values_list("account__code", flat=True)) == {"WMT"}
    assert Invoice.objects.get(number="INV-M1").open_amount == D("600.00")
    assert Payment.objects.get().account == account


def test_the_page_refuses_to_move_an_invoiced_contract_saying_why(client, finance, account, other_chain, invoiced):
    client.force_login(finance)
    url = reverse("contracts:contract-edit", args=[invoiced.pk])
    # given the edit page, which says the contract stays with its chain before anything is tried
    assert HINT in client.get(url).content.decode()
    # when finance chooses another chain for it
    response = client.post(url, _form(invoiced, account=other_chain.pk))
    # then the page says why next to the key account, and nothing moves
    assert response.status_code == 400
    assert response.context["form"].errors == {"account": [STAYS]}
    _books_stay(account, invoiced)


def test_the_api_refuses_it_with_the_rules_code(api_client, finance, account, other_chain, invoiced):
    api_client.force_authenticate(finance)

    response = api_client.patch(
        f"/api/v1/contracts/{invoiced.pk}/", {"account": "CRV"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["field"], body["detail"]) == ("contract.has_invoices", "account", STAYS)
    assert body["params"] == {"contract": "HT-MOVE", "account": "WMT", "invoices": 2}
    _books_stay(account, invoiced)


def test_the_admin_refuses_it_next_to_the_key_account(client, admin_user, account, other_chain, invoiced):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:contracts_contract_change", args=[invoiced.pk]), _form(invoiced, account=other_chain.pk)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"account": [STAYS]}
    _books_stay(account, invoiced)


def test_an_invoiced_contracts_other_terms_still_change(client, finance, account, invoiced):
    client.force_login(finance)

    response = client.post(
        reverse("contracts:contract-edit", args=[invoiced.pk]), _form(invoiced, execution_notes="续签谈判中")
    )

    assert response.status_code == 302
    invoiced.refresh_from_db()
    assert (invoiced.account, invoiced.execution_notes) == (account, "续签谈判中")


def test_a_contract_without_invoices_still_moves(client, api_client, finance, account, other_chain, contract):
    client.force_login(finance)
    url = reverse("contracts:contract-edit", args=[contract.pk])
    assert HINT not in client.get(url).content.decode()

    response = client.post(url, _form(contract, account=other_chain.pk))

    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.account == other_chain
    # and back again through the API
    api_client.force_authenticate(finance)
    moved = api_client.patch(f"/api/v1/contracts/{contract.pk}/", {"account": "WMT"}, format="json")
    assert moved.status_code == 200 and moved.json()["account"] == "WMT"


def test_a_contract_moved_meanwhile_is_not_invoiced_on_its_old_chain(account, other_chain, contract):
    # given the invoice form opened on WMT with the contract in it, and the contract then moved to CR Vanguard
    opened = Contract.objects.get(pk=contract.pk)
    services.contract_update(contract=contract, account=other_chain)
    # when the invoice is raised from the form opened before
    with pytest.raises(DomainError) as refused:
        services.invoice_create(account=account, number="INV-LATE", date=date(2026, 9, 1), amount=D("10.00"),
                                contract=opened)  # fmt: skip
    # then it is refused (the contract is now another chain's) and nothing is written
    assert refused.value.code == "invoice.contract_other_account"
    assert not Invoice.objects.exists()
