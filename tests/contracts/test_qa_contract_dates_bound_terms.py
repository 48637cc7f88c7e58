"""QA (finance clerk): shortening a contract's dates left its trade-term lines running past them — December kept its TG
fee and rebate line in the ledger, and every later edit of those lines (even a note) was refused as outside the
contract, while the contract's own change had been accepted without a word. The same rule, term.outside_contract,
now refuses the contract's change from its side while a line would fall outside the new dates, naming each line and
its dates and saying what to do (end or move the lines first) — at the page, the API and the admin alike; nothing
is written, and the ledger keeps what it had. Ending the lines first, then the contract, goes through."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from contracts import services
from contracts.models import Contract, ContractTerm
from ka_portal.errors import DomainError
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 12, 6)
DEC = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to("2026-12-06 10:00 +08:00")


@pytest.fixture
def trust(account):
    """HT-DEMO-2026-TRUST as the demo has it: active all 2026, a TG fee of 4,500 a month and a rebate of 2 %, both
    running the contract's whole year, in the ledger through December."""
    contract = ContractFactory(
        account=account, number="HT-DEMO-2026-TRUST", rebate_percent=D("0"), listing_fee=D("0"), total_amount=D("0")
    )
    tg = services.contract_term_create(
        contract=contract, kind="end_cap", basis="fixed", period="month", amount=D("4500.00"), settlement="deducted"
    )
    rebate = services.contract_term_create(
        contract=contract, kind="rebate", basis="percent", period="year", rate=D("2.00"), settlement="credit_note"
    )
    accruals_compute(as_of=TODAY)
    return contract, tg, rebate


def _ledger() -> dict:
    return dict(AccrualLine.objects.filter(month=DEC).values_list("term_id", "amount"))


def _form(contract, **fields) -> dict:
    """The contract's edit page (and the admin's form) as finance sends it: every field as stored, then a change."""
    return {
        "number": contract.number, "account": contract.account_id, "kind": contract.kind, "status": contract.status,
        "signed_on": contract.signed_on.isoformat(), "valid_from": contract.valid_from.isoformat(),
        "valid_to": contract.valid_to.isoformat(), "total_amount": str(contract.total_amount),
        "rebate_percent": str(contract.rebate_percent), "listing_fee": str(contract.listing_fee),
        "payment_terms_days": str(contract.payment_terms_days), "execution_notes": contract.execution_notes, **fields,
    }  # fmt: skip


REFUSAL = (
    "Contract HT-DEMO-2026-TRUST would run 2026-01-01 – 2026-11-30, but these trade-term lines run outside those "
    "dates: TG fee (2026-01-01 – 2026-12-31), Rebate on invoiced sell-in (2026-01-01 – 2026-12-31). End or move "
    "those lines first (their valid from and valid to), then change the contract's dates."
)


def test_the_api_refuses_a_contract_shortened_under_its_lines_naming_each_line_and_what_to_do(
    api_client, finance, trust
):
    contract, tg, rebate = trust
    december = _ledger()
    assert december[tg.pk] == D("4500.00")
    api_client.force_authenticate(finance)

    answer = api_client.patch(
        f"/api/v1/contracts/{contract.pk}/", {"valid_to": "2026-11-30"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert answer.status_code == 400
    body = answer.json()
    assert (body["code"], body["field"]) == ("term.outside_contract", "valid_to")
    assert body["detail"] == REFUSAL
    assert body["params"]["contract_to"] == "2026-11-30"
    # nothing moved: the contract, its lines, December's ledger
    contract.refresh_from_db()
    assert contract.valid_to == date(2026, 12, 31)
    assert set(ContractTerm.objects.values_list("valid_to", flat=True)) == {date(2026, 12, 31)}
    assert _ledger() == december


@pytest.mark.english
def test_the_edit_page_says_it_next_to_valid_to_and_keeps_what_was_typed(client, finance, trust):
    contract, _tg, _rebate = trust
    client.force_login(finance)

    page = client.post(reverse("contracts:contract-edit", args=[contract.pk]), _form(contract, valid_to="2026-11-30"))

    assert page.status_code == 400
    assert page.context["form"].errors["valid_to"] == [REFUSAL]
    assert 'value="2026-11-30"' in page.content.decode()
    contract.refresh_from_db()
    assert contract.valid_to == date(2026, 12, 31)


@pytest.mark.english
def test_the_admin_refuses_it_too(client, admin_user, trust):
    contract, _tg, _rebate = trust
    client.force_login(admin_user)

    page = client.post(
        reverse("admin:contracts_contract_change", args=[contract.pk]), _form(contract, valid_from="2026-02-01")
    )

    assert page.status_code == 200  # the admin's form drawn again with its errors
    errors = page.context["adminform"].form.errors
    assert errors["valid_from"] == [
        "Contract HT-DEMO-2026-TRUST would run 2026-02-01 – 2026-12-31, but these trade-term lines run outside those "
        "dates: TG fee (2026-01-01 – 2026-12-31), Rebate on invoiced sell-in (2026-01-01 – 2026-12-31). End or move "
        "those lines first (their valid from and valid to), then change the contract's dates."
    ]
    contract.refresh_from_db()
    assert contract.valid_from == date(2026, 1, 1)


def test_only_the_lines_outside_are_named(trust):
    contract, tg, rebate = trust
    services.contract_term_update(term=rebate, valid_to=date(2026, 11, 30))

    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.contract_update(contract=contract, valid_to=date(2026, 11, 30))
    with translation.override("en"):
        detail = refused.value.detail

    assert "TG fee (2026-01-01 – 2026-12-31)" in detail and "Rebate" not in detail


def test_ending_the_lines_first_then_the_contract_goes_through_and_december_leaves_the_ledger(trust):
    contract, tg, rebate = trust
    assert _ledger()[tg.pk] == D("4500.00")

    for term in (tg, rebate):
        services.contract_term_update(term=term, valid_to=date(2026, 11, 30))
    services.contract_update(contract=contract, valid_to=date(2026, 11, 30))

    contract.refresh_from_db()
    assert contract.valid_to == date(2026, 11, 30)
    assert tg.pk not in _ledger()  # December no longer holds the TG fee
    # and each line is still editable (its note), within its contract
    services.contract_term_update(term=tg, note="ended with the contract")
    assert ContractTerm.objects.get(pk=tg.pk).note == "ended with the contract"


def test_a_contract_made_longer_or_edited_without_its_dates_is_not_refused(trust):
    contract, _tg, _rebate = trust

    services.contract_update(contract=contract, valid_to=date(2027, 3, 31))
    services.contract_update(contract=contract, execution_notes="续签中")

    contract.refresh_from_db()
    assert (contract.valid_to, contract.execution_notes) == (date(2027, 3, 31), "续签中")


def test_a_contract_stored_with_a_line_outside_it_keeps_its_other_edits(trust):
    # given a contract shortened before the rule (its lines still run to December)
    contract, _tg, _rebate = trust
    Contract.objects.filter(pk=contract.pk).update(valid_to=date(2026, 11, 30))
    contract.refresh_from_db()

    # then its status and notes still change (its dates are not asked again) ...
    services.contract_update(contract=contract, status=Contract.Status.TERMINATED, execution_notes="提前终止")
    # ... and a date change that still leaves a line outside is refused, naming it
    with pytest.raises(DomainError) as refused:
        services.contract_update(contract=contract, valid_to=date(2026, 12, 15))
    assert refused.value.code == "term.outside_contract"
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.TERMINATED
