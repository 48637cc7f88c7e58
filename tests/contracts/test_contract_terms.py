"""Trade terms on the contract (issue 12 item 2): the rules of a term line, the service, the API (contract by id,
account by code, Idempotency-Key on create, nested read-only in the contract's detail) and who reaches which lines."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from contracts import rules, services
from contracts.models import Contract, ContractTerm
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def contract(account):
    return ContractFactory(
        account=account, number="HT-WMT-2026", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31)
    )


@pytest.fixture
def foreign_contract(db):
    return ContractFactory(account=KeyAccountFactory(code="CRF", name="家乐福"), number="HT-CRF-2026")


REBATE = {"kind": "rebate", "basis": "percent", "period": "year", "rate": D("2.50"), "settlement": "credit_note"}
LISTING = {
    "kind": "listing",
    "basis": "per_store_sku",
    "period": "once",
    "amount": D("800.00"),
    "settlement": "deducted",
}


# --- the rules, pure ----------------------------------------------------------------------------------------


def test_tiers_are_read_as_typed_and_written_back_the_same_way():
    tiers = rules.parse_tiers("90:1.5; 100：2.5；110:3")

    assert tiers == [
        {"achievement": "90.00", "rate": "1.50"},
        {"achievement": "100.00", "rate": "2.50"},
        {"achievement": "110.00", "rate": "3.00"},
    ]
    assert rules.tiers_text(tiers) == "90:1.5;100:2.5;110:3"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({**REBATE, "rate": None}, "term.rate_out_of_range"),
        ({**REBATE, "rate": D("100.01")}, "term.rate_out_of_range"),
        ({**REBATE, "amount": D("10")}, "term.amount_with_rate"),
        ({**LISTING, "amount": None}, "term.amount_required"),
        ({**LISTING, "amount": D("-1")}, "term.amount_required"),
        ({**LISTING, "rate": D("1")}, "term.rate_with_amount"),
        ({**REBATE, "basis": "fixed", "amount": D("5")}, "term.kind_basis"),
        ({"kind": "dm", "basis": "percent", "rate": D("1")}, "term.kind_basis"),
        ({**REBATE, "kind": "rebate_conditional"}, "term.tiers_required"),
        ({**REBATE, "tiers": [{"achievement": "90", "rate": "1"}]}, "term.tiers_unconditional"),
        (
            {**REBATE, "kind": "rebate_conditional", "tiers": rules.parse_tiers("100:2.5;90:1.5")},
            "term.tiers_not_ascending",
        ),
        (
            {**REBATE, "kind": "rebate_conditional", "tiers": rules.parse_tiers("90:3;100:2")},
            "term.tiers_not_ascending",
        ),
        ({**REBATE, "kind": "rebate_conditional", "tiers": rules.parse_tiers("90:101")}, "term.tier_out_of_range"),
        ({**REBATE, "valid_from": date(2025, 12, 1), "valid_to": date(2026, 12, 31)}, "term.outside_contract"),
        ({**REBATE, "valid_from": date(2026, 3, 1), "valid_to": date(2026, 2, 1)}, "term.validity_reversed"),
    ],
)
def test_a_term_breaking_a_rule_is_refused_with_its_code(values, code):
    with pytest.raises(DomainError) as refused:
        rules.check_term(values, contract_from=date(2026, 1, 1), contract_to=date(2026, 12, 31), contract_number="HT")
    assert refused.value.code == code


def test_a_term_outside_its_contract_names_both_periods():
    with translation.override("en"), pytest.raises(DomainError) as refused:
        rules.check_term(
            {**REBATE, "valid_from": date(2026, 6, 1), "valid_to": date(2027, 3, 31)},
            contract_from=date(2026, 1, 1),
            contract_to=date(2026, 12, 31),
            contract_number="HT-WMT-2026",
        )
    with translation.override("en"):
        detail = refused.value.detail
    assert detail == ("The term runs 2026-06-01 – 2027-03-31, outside contract HT-WMT-2026 (2026-01-01 – 2026-12-31).")
    assert refused.value.field == "valid_to"


def test_unreadable_tiers_name_the_piece():
    with pytest.raises(DomainError) as refused:
        rules.parse_tiers("90:1.5;abc")
    assert refused.value.code == "term.tiers_unreadable"
    assert "abc" in refused.value.detail


# --- the service and the database ---------------------------------------------------------------------------


def test_a_term_takes_its_contracts_validity_and_updates_the_contracts_summary(contract):
    term = services.contract_term_create(contract=contract, **REBATE)
    services.contract_term_create(contract=contract, **LISTING)

    assert (term.valid_from, term.valid_to) == (date(2026, 1, 1), date(2026, 12, 31))
    contract.refresh_from_db()
    assert contract.rebate_percent == D("2.50")
    assert contract.listing_fee == D("800.00")


def test_the_same_kind_starting_the_same_day_twice_is_refused(contract):
    services.contract_term_create(contract=contract, **REBATE)

    with pytest.raises(DomainError) as refused:
        services.contract_term_create(contract=contract, **{**REBATE, "rate": D("3")})
    assert refused.value.code == "term.duplicate"
    assert ContractTerm.objects.count() == 1


@pytest.mark.parametrize(
    "broken",
    [
        {"basis": "percent", "rate": None, "amount": D("10")},
        {"basis": "percent", "rate": D("120")},
        {"basis": "fixed", "rate": None, "amount": D("-5")},
        {"kind": "dm", "basis": "percent"},
        {"valid_to": date(2025, 1, 1)},
    ],
)
def test_the_database_refuses_what_the_rules_refuse(contract, broken):
    term = services.contract_term_create(contract=contract, **REBATE)

    with pytest.raises(IntegrityError), transaction.atomic():
        ContractTerm.objects.filter(pk=term.pk).update(**broken)


def test_a_conditional_rebate_keeps_its_tiers(contract):
    term = services.contract_term_create(
        contract=contract, **{**REBATE, "kind": "rebate_conditional", "rate": D("1.5"), "tiers": "90:1.5;100:2.5"}
    )

    term.refresh_from_db()
    assert rules.tiers_text(term.tiers) == "90:1.5;100:2.5"


def test_a_term_is_changed_and_removed_through_the_service(contract):
    term = services.contract_term_create(contract=contract, **REBATE)

    services.contract_term_update(term=term, rate=D("3.00"))
    assert ContractTerm.objects.get(pk=term.pk).rate == D("3.00")
    with pytest.raises(DomainError):
        services.contract_term_update(term=term, valid_to=date(2027, 1, 31))
    services.contract_term_delete(term=term)
    assert not ContractTerm.objects.exists()


# --- the API ------------------------------------------------------------------------------------------------

URL = "/api/v1/contract-terms/"


def _body(contract, **changes):
    return {"contract": contract.pk, "kind": "rebate", "basis": "percent", "period": "year", "rate": "2.50",
            "settlement": "credit_note", **changes}  # fmt: skip


def test_finance_adds_a_term_by_contract_id_and_reads_the_account_by_code(api_client, finance, contract):
    api_client.force_authenticate(finance)

    created = api_client.post(URL, _body(contract), format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["contract"], body["account"], body["rate"], body["amount"]) == (contract.pk, "WMT", "2.50", None)
    assert body["valid_from"] == "2026-01-01"


def test_a_conditional_rebate_is_sent_with_its_tiers(api_client, finance, contract):
    api_client.force_authenticate(finance)

    created = api_client.post(
        URL,
        _body(contract, kind="rebate_conditional", tiers=[{"achievement": "90", "rate": "1.5"},
                                                           {"achievement": "100", "rate": "2.5"}]),
        format="json",
    )  # fmt: skip

    assert created.status_code == 201, created.json()
    assert created.json()["tiers"] == [
        {"achievement": "90.00", "rate": "1.50"},
        {"achievement": "100.00", "rate": "2.50"},
    ]


def test_a_refused_term_answers_the_rules_code_and_numbers(api_client, finance, contract):
    api_client.force_authenticate(finance)

    refused = api_client.post(URL, _body(contract, valid_from="2025-12-01"), format="json")

    assert refused.status_code == 400
    assert refused.json()["code"] == "term.outside_contract"
    assert "2025-12-01" in refused.json()["detail"]
    assert not ContractTerm.objects.exists()


def test_create_with_the_same_idempotency_key_makes_one_term(api_client, finance, contract):
    api_client.force_authenticate(finance)

    first = api_client.post(URL, _body(contract), format="json", HTTP_IDEMPOTENCY_KEY="term-key-1")
    again = api_client.post(URL, _body(contract), format="json", HTTP_IDEMPOTENCY_KEY="term-key-1")

    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert ContractTerm.objects.count() == 1


def test_update_and_delete_go_through_the_service(api_client, finance, contract):
    term = services.contract_term_create(contract=contract, **REBATE)
    api_client.force_authenticate(finance)

    changed = api_client.patch(f"{URL}{term.pk}/", {"rate": "3.00"}, format="json")
    refused = api_client.patch(f"{URL}{term.pk}/", {"amount": "100.00"}, format="json")
    removed = api_client.delete(f"{URL}{term.pk}/")

    assert changed.status_code == 200 and changed.json()["rate"] == "3.00"
    assert refused.status_code == 400 and refused.json()["code"] == "term.amount_with_rate"
    assert removed.status_code == 204
    assert not ContractTerm.objects.exists()
    # its last rebate line gone, the contract's rebate % is what now accrues: nothing (not the line's stale 3.00)
    assert Contract.objects.get(pk=contract.pk).rebate_percent == D("0.00")


def test_filters_by_contract_account_code_and_kind(api_client, finance, contract, foreign_contract):
    services.contract_term_create(contract=contract, **REBATE)
    services.contract_term_create(contract=contract, **LISTING)
    services.contract_term_create(contract=foreign_contract, **REBATE)
    api_client.force_authenticate(finance)

    by_contract = api_client.get(URL, {"contract": contract.pk}).json()["results"]
    by_account = api_client.get(URL, {"account": "CRF"}).json()["results"]
    by_kind = api_client.get(URL, {"kind": "listing"}).json()["results"]

    assert len(by_contract) == 2
    assert [t["account"] for t in by_account] == ["CRF"]
    assert [t["kind"] for t in by_kind] == ["listing"]


def test_the_contract_detail_shows_its_terms_read_only(api_client, finance, contract):
    services.contract_term_create(contract=contract, **REBATE)
    api_client.force_authenticate(finance)

    detail = api_client.get(f"/api/v1/contracts/{contract.pk}/").json()
    listed = api_client.get("/api/v1/contracts/").json()["results"]

    assert [t["kind"] for t in detail["terms"]] == ["rebate"]
    assert "terms" not in listed[0]


def test_a_manager_reads_own_accounts_terms_and_writes_none(api_client, manager, contract, foreign_contract):
    mine = services.contract_term_create(contract=contract, **REBATE)
    theirs = services.contract_term_create(contract=foreign_contract, **REBATE)
    api_client.force_authenticate(manager)

    listed = api_client.get(URL).json()["results"]
    foreign = api_client.get(f"{URL}{theirs.pk}/")
    write = api_client.post(URL, _body(contract, kind="barcode", basis="fixed", rate=None, amount="5"), format="json")
    foreign_filter = api_client.get(URL, {"account": "CRF"})

    assert [t["id"] for t in listed] == [mine.pk]
    assert foreign.status_code == 404
    assert write.status_code == 403
    assert foreign_filter.status_code == 400


@pytest.mark.parametrize("role", ["rep", "supervisor"])
def test_reps_and_supervisors_reach_no_terms(request, api_client, role, contract):
    term = services.contract_term_create(contract=contract, **REBATE)
    api_client.force_authenticate(request.getfixturevalue(role))

    assert api_client.get(URL).status_code == 404
    assert api_client.get(f"{URL}{term.pk}/").status_code == 404


def test_a_contract_of_another_account_is_not_found_for_a_manager(api_client, manager, foreign_contract):
    api_client.force_authenticate(manager)

    answer = api_client.get(URL, {"contract": foreign_contract.pk})

    assert answer.status_code == 400


def test_with_rebate_lines_the_contracts_rebate_is_theirs_and_the_typed_listing_fee_stays(client, finance, contract):
    services.contract_term_create(contract=contract, **REBATE)
    client.force_login(finance)

    with pytest.raises(DomainError) as refused:  # said, not silently replaced by the lines' sum
        services.contract_update(contract=contract, rebate_percent=D("9.00"))
    updated = services.contract_update(contract=contract, listing_fee=D("1.00"))  # no listing line: as typed
    form = client.get(f"/contracts/ledger/{contract.pk}/edit/").context["form"]

    assert (refused.value.code, refused.value.field) == ("contract.figure_from_terms", "rebate_percent")
    assert (updated.rebate_percent, updated.listing_fee) == (D("2.50"), D("1.00"))
    assert form.fields["rebate_percent"].disabled and not form.fields["listing_fee"].disabled


def test_the_term_list_runs_a_fixed_number_of_queries(
    api_client, client, finance, account, django_assert_max_num_queries
):
    for n in range(6):
        other = ContractFactory(account=account, number=f"HT-Q-{n}")
        services.contract_term_create(contract=other, **REBATE)
        services.contract_term_create(contract=other, **LISTING)
    api_client.force_authenticate(finance)
    client.force_login(finance)

    with django_assert_max_num_queries(8):
        listed = api_client.get(URL)
    with django_assert_max_num_queries(12):
        page = client.get("/contracts/terms/")

    assert listed.json()["count"] == 12
    assert len(page.context["object_list"]) == 12
