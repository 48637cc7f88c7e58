"""A generated display agreement follows its source's chain and kind of fee, as it follows its period and fee (QA: a
contract moved to another chain left its agreements in the old chain, holding the new chain's fee; a term changed
from an end cap to a display fee left its agreement an end cap, claimed by TG deductions). Moving a contract and
changing a term's kind are allowed (contracts.services: CONTRACT_FIELDS, TERM_FIELDS); in a month finance has closed
they are refused like any source change reaching its agreements (agreement.source_month_closed), and the nightly job
leaves such an agreement as it was."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from contracts import services as contract_services
from contracts.models import Contract, ContractTerm
from evidence.agreements import agreement_update, agreements_generate
from evidence.models import DisplayAgreement
from ka_portal.errors import DomainError
from tests.contracts.factories import ContractFactory
from tests.evidence.agreement_data import chain, checked
from tradespend.models import ClosedMonth

pytestmark = pytest.mark.django_db
APRIL, MAY, JULY = date(2026, 4, 1), date(2026, 5, 1), date(2026, 7, 1)


@pytest.fixture(autouse=True)
def _on_june_first_in_english(time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    with translation.override("en"):
        yield


@pytest.fixture
def chains(manager, rep):
    """沃尔玛 (two stores) and 家乐福 (one), both the manager's; a contract entered under 沃尔玛 by mistake with an
    end cap paid per quarter (April–June, July–September, October–December)."""
    walmart, walmart_stores = chain(manager, rep, code="WMT", stores=2)
    carrefour, [carrefour_store] = chain(manager, rep, code="CRF")
    contract = ContractFactory(account=walmart, number="HT-MOVE-1")
    term = contract_services.contract_term_create(
        contract=contract, kind="end_cap", basis="fixed", period="quarter", amount=Decimal("3000.00"),
        settlement="deducted", valid_from=APRIL, valid_to=date(2026, 12, 31),
    )  # fmt: skip
    return walmart, walmart_stores, carrefour, carrefour_store, term


def _rows(term) -> list[tuple]:
    rows = DisplayAgreement.objects.filter(source_key__startswith=f"term:{term.pk}").order_by("start_on")
    return [(a.account.code, a.store_id, a.kind, a.facings, a.start_on) for a in rows]


def test_a_contract_moved_to_another_chain_takes_its_agreements_with_it(manager, chains):
    walmart, [store, _other], carrefour, _carrefour_store, term = chains
    second = DisplayAgreement.objects.get(term=term, start_on=JULY)
    agreement_update(agreement=second, by=manager, store=store, evidence_visits=2)  # the manager's own choices

    contract_services.contract_update(contract=term.contract, account=carrefour)

    assert _rows(term) == [
        ("CRF", None, "end_cap", None, APRIL),
        ("CRF", None, "end_cap", None, JULY),  # 沃尔玛's store is not 家乐福's: every store of the new chain
        ("CRF", None, "end_cap", None, date(2026, 10, 1)),
    ]
    second.refresh_from_db()
    assert (second.evidence_visits, second.source_gone) == (2, False)  # the rest the manager set stays
    assert not DisplayAgreement.objects.filter(account=walmart).exists()


def test_the_moved_agreement_is_judged_on_the_new_chains_stores(manager, rep, chains):
    _walmart, [store, _other], carrefour, carrefour_store, term = chains
    first = DisplayAgreement.objects.get(term=term, start_on=APRIL)
    checked(first, store=store, rep=rep, day=date(2026, 4, 20))  # a visit to the old chain's store
    checked(first, store=store, rep=rep, day=date(2026, 4, 27))
    first = DisplayAgreement.objects.get(pk=first.pk)

    contract_services.contract_update(contract=term.contract, account=carrefour)

    first.refresh_from_db()
    assert first.account == carrefour and first.evaluated_at is not None
    assert first.evidenced_visits == 0  # 家乐福's store was never seen: the old chain's visits prove nothing there


def test_a_term_changed_to_another_kind_of_fee_changes_its_agreements_display(manager, chains):
    _walmart, [store, _other], _carrefour, _carrefour_store, term = chains

    contract_services.contract_term_update(term=term, kind="display")

    assert {row[2] for row in _rows(term)} == {"other"}  # a display fee says not which display: the manager sets it
    third = DisplayAgreement.objects.get(term=term, start_on=date(2026, 10, 1))
    agreement_update(agreement=third, by=manager, kind="facings", facings=6, store=store)
    contract_services.contract_term_update(term=term, amount=Decimal("3200.00"))  # another change of the fee
    assert _rows(term)[-1] == ("WMT", store.pk, "facings", 6, date(2026, 10, 1))  # the manager's display kept

    contract_services.contract_term_update(term=term, kind="end_cap")

    assert _rows(term) == [
        ("WMT", None, "end_cap", None, APRIL),
        ("WMT", None, "end_cap", None, JULY),
        ("WMT", store.pk, "end_cap", None, date(2026, 10, 1)),  # its store kept, its facings count gone with facings
    ]


def test_generation_for_one_chain_finds_an_agreement_its_contract_took_elsewhere(chains):
    """A run for one chain (a store's change, a button) after the contract moved behind the services' back: the
    agreement is moved, not made twice (its source key is unique) nor let go as no longer granted."""
    walmart, _stores, carrefour, _carrefour_store, term = chains
    Contract.objects.filter(pk=term.contract_id).update(account=carrefour)

    agreements_generate(account=walmart)
    assert [row[0] for row in _rows(term)] == ["CRF", "CRF", "CRF"]
    assert not DisplayAgreement.objects.filter(source_gone=True).exists()
    Contract.objects.filter(pk=term.contract_id).update(account=walmart)
    agreements_generate(account=walmart)
    assert [row[0] for row in _rows(term)] == ["WMT", "WMT", "WMT"]


# --- closed months ----------------------------------------------------------------------------------------------


@pytest.fixture
def april_closed(chains, finance):
    for month in (APRIL, MAY):
        ClosedMonth.objects.create(month=month, closed_by=finance)
    return chains


def test_moving_a_contract_whose_agreement_is_in_a_closed_month_is_refused(client, finance, april_closed):
    _walmart, _stores, carrefour, _carrefour_store, term = april_closed
    before = _rows(term)

    with pytest.raises(DomainError) as refused:
        contract_services.contract_update(contract=term.contract, account=carrefour)

    assert refused.value.code == "agreement.source_month_closed" and refused.value.field == "account"
    assert refused.value.detail.startswith("2026-04 is closed: this change would change display agreement #")
    assert Contract.objects.get(pk=term.contract_id).account.code == "WMT"
    assert _rows(term) == before
    # the contract's page says it beside the chain
    client.force_login(finance)
    contract = Contract.objects.get(pk=term.contract_id)
    form = {"number": contract.number, "account": carrefour.pk, "kind": contract.kind, "status": contract.status,
            "signed_on": "2026-01-05", "valid_from": "2026-01-01", "valid_to": "2026-12-31",
            "total_amount": "1200000.00", "rebate_percent": "3.00", "listing_fee": "20000.00",
            "payment_terms_days": "60", "execution_notes": ""}  # fmt: skip
    page = client.post(reverse("contracts:contract-edit", args=[contract.pk]), form, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "2026-04 is closed" in " ".join(str(e) for e in page.context["form"].errors.get("account", []))
    assert _rows(term) == before


def test_a_terms_kind_changed_over_a_closed_months_agreement_is_refused_next_to_the_kind(april_closed):
    _walmart, _stores, _carrefour, _carrefour_store, term = april_closed

    with pytest.raises(DomainError) as refused:
        contract_services.contract_term_update(term=term, kind="display")

    assert (refused.value.code, refused.value.field) == ("agreement.source_month_closed", "kind")
    assert ContractTerm.objects.get(pk=term.pk).kind == "end_cap"
    assert {row[2] for row in _rows(term)} == {"end_cap"}


def test_the_nightly_job_leaves_a_closed_months_agreement_in_its_chain_and_moves_the_rest(april_closed):
    from evidence.tasks import agreements_nightly

    _walmart, _stores, carrefour, _carrefour_store, term = april_closed
    Contract.objects.filter(pk=term.contract_id).update(account=carrefour)  # behind the services' back
    ContractTerm.objects.filter(pk=term.pk).update(kind="display")

    result = agreements_nightly.delay().get()

    assert result["frozen"] == 1
    assert _rows(term) == [
        ("WMT", None, "end_cap", None, APRIL),  # as finance closed it
        ("CRF", None, "other", None, JULY),
        ("CRF", None, "other", None, date(2026, 10, 1)),
    ]
