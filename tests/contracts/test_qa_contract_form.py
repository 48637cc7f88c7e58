"""QA: the new-contract form names every field's problem at once (not one per submit), and takes a rebate % typed
with its sign ("2.5%", as the import does)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from contracts import services
from contracts.models import Contract
from ka_portal.errors import DomainError
from tests.factories import make_user

from .factories import ContractFactory

pytestmark = pytest.mark.django_db


def _form(account, **fields):
    return {
        "number": "HT-QA-1", "account": account.pk, "kind": "annual", "status": "active", "signed_on": "2026-01-05",
        "valid_from": "2026-01-01", "valid_to": "2026-12-31", "total_amount": "100000.00", "rebate_percent": "2",
        "listing_fee": "0", "payment_terms_days": "60", "execution_notes": "", **fields,
    }  # fmt: skip


@pytest.mark.english
def test_every_bad_figure_is_named_at_once_and_nothing_is_saved(client, finance, account):
    # given the clerk types four bad figures
    client.force_login(finance)
    bad = {"total_amount": "-5", "rebate_percent": "150", "listing_fee": "-1", "payment_terms_days": "-3"}
    # when the form is sent once
    page = client.post(reverse("contracts:contract-create"), _form(account, **bad))
    # then all four are flagged, each next to its field
    assert page.status_code == 400
    errors = page.context["form"].errors
    assert set(bad) <= set(errors), errors
    assert "greater than or equal to 0" in errors["total_amount"][0]
    assert "less than or equal to 100" in errors["rebate_percent"][0]
    assert not Contract.objects.exists()


@pytest.mark.english
def test_a_figure_and_a_rule_of_the_service_are_named_together(client, finance, account):
    # given a number already in the ledger, dates reversed and a negative listing fee
    ContractFactory(account=account, number="HT-QA-1")
    client.force_login(finance)

    page = client.post(
        reverse("contracts:contract-create"),
        _form(account, listing_fee="-1", valid_from="2026-06-01", valid_to="2026-05-31"),
    )

    errors = page.context["form"].errors
    assert "already in the ledger" in errors["number"][0]
    assert "before it starts" in errors["valid_to"][0]
    assert "listing_fee" in errors
    assert Contract.objects.count() == 1


@pytest.mark.parametrize("typed", ["2.5%", "2.5 %", "2.5％", "2.5"])
def test_a_rebate_typed_with_its_percent_sign_is_taken(client, finance, account, typed):
    client.force_login(finance)

    saved = client.post(reverse("contracts:contract-create"), _form(account, rebate_percent=typed))

    assert saved.status_code == 302
    assert Contract.objects.get(number="HT-QA-1").rebate_percent == Decimal("2.50")


def test_the_rebate_box_takes_text_so_the_browser_sends_the_sign(client, finance, account):
    client.force_login(finance)

    page = client.get(reverse("contracts:contract-create"))

    box = page.context["form"]["rebate_percent"]
    assert 'type="text"' in str(box) and 'inputmode="decimal"' in str(box)


def test_the_service_still_refuses_the_first_problem(account):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.contract_create(
            number="HT-QA-2", account=account, kind="annual", valid_from=date(2026, 6, 1), valid_to=date(2026, 5, 1),
            total_amount=Decimal("-5"),
        )  # fmt: skip
    assert refused.value.code == "contract.validity_reversed"
    assert not Contract.objects.filter(number="HT-QA-2").exists()


def test_the_admin_names_every_bad_figure_at_once(client, account):
    client.force_login(make_user(Role.ADMIN, username="qa_admin", is_staff=True, is_superuser=True))
    bad = {"total_amount": "-5", "rebate_percent": "150", "listing_fee": "-1", "payment_terms_days": "-3"}

    page = client.post(reverse("admin:contracts_contract_add"), _form(account, **bad))

    assert page.status_code == 200
    assert set(bad) <= set(page.context["adminform"].form.errors)
    assert not Contract.objects.exists()


def test_the_term_form_takes_a_rate_with_its_percent_sign(client, finance, account):
    contract = ContractFactory(account=account, status=Contract.Status.DRAFT)
    client.force_login(finance)

    saved = client.post(
        reverse("contracts:term-create", args=[contract.pk]),
        {"kind": "rebate", "basis": "percent", "period": "month", "rate": "1.5%", "amount": "", "tiers": "",
         "valid_from": "", "valid_to": "", "settlement": "deducted", "note": ""},
    )  # fmt: skip

    assert saved.status_code == 302
    assert contract.terms.get().rate == Decimal("1.50")
