"""The store P&L's listing fees of a terminated contract (QA: a per-listing fee was counted for listings months after
the contract was terminated, though the ledger accrues none). Its per-store-per-SKU term pays for the listings of
the months up to its termination month, that month whole (tradespend.rules.term_accrues_through, as the ledger):
nothing after it; undoing the termination counts them again."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.store_pnl import store_pnl
from contracts import services as contract_services
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_JULY = {"account": "LHB", "from": "2026-06-01", "to": "2026-07-31"}


@pytest.fixture
def chain(manager, rep):
    """联华's stores A, B and C; its 2026 contract pays 200.00 per store × SKU newly listed; chips listed at A on
    3 June, at B on 28 June and at C on 2 July."""
    account = KeyAccountFactory(code="LHB", name="联华", owner=manager)
    a, b, c = (StoreFactory(account=account, code=code, name=f"门店{code}", rep=rep) for code in ("A", "B", "C"))
    chips = ProductFactory(code="P2")
    for store, day in ((a, date(2026, 6, 3)), (b, date(2026, 6, 28)), (c, date(2026, 7, 2))):
        ListingFactory(store=store, product=chips, listed_on=day, listing_fee=D("0"))
    contract = ContractFactory(account=account, number="HT-LIST-1")
    contract_services.contract_term_create(
        contract=contract, kind="listing", basis="per_store_sku", period="once", amount=D("200.00"),
        valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), settlement="deducted",
    )  # fmt: skip
    return account, contract


def _listing_fees(account) -> dict[str, Decimal]:
    report = store_pnl(account=account, start=date(2026, 6, 1), end=date(2026, 7, 31))
    return {row.store.code: row.listing_fees for row in report.rows}


def test_terminated_mid_june_the_june_listings_pay_and_the_july_one_does_not(chain):
    account, contract = chain

    contract_services.contract_update(contract=contract, status="terminated", terminated_on=date(2026, 6, 15))

    # B was listed after the 15th but in June, the termination month, which the term pays for whole; C in July
    assert _listing_fees(account) == {"A": D("200.00"), "B": D("200.00"), "C": D("0")}


def test_the_p_and_l_counts_what_the_ledger_accrues(chain):
    account, contract = chain
    contract_services.contract_update(contract=contract, status="terminated", terminated_on=date(2026, 6, 15))

    accruals_compute(as_of=date(2026, 7, 31), account=account)

    ledger = AccrualLine.objects.filter(account=account, term__kind="listing", stage=AccrualLine.Stage.ACCRUED)
    assert sorted((f"{line.month:%Y-%m}", line.amount) for line in ledger) == [("2026-06", D("400.00"))]
    assert sum(_listing_fees(account).values()) == D("400.00")


def test_undoing_the_termination_counts_the_july_listing_again(chain):
    account, contract = chain
    contract_services.contract_update(contract=contract, status="terminated", terminated_on=date(2026, 6, 15))

    contract_services.contract_update(contract=contract, status="active")

    assert _listing_fees(account) == {"A": D("200.00"), "B": D("200.00"), "C": D("200.00")}


def test_the_api_answers_the_same_listing_fees(api_client, manager, chain):
    account, contract = chain
    contract_services.contract_update(contract=contract, status="terminated", terminated_on=date(2026, 6, 15))
    api_client.force_authenticate(manager)

    answer = api_client.get(reverse("api-store-pnl"), JUNE_JULY)

    assert answer.status_code == 200, answer.json()
    fees = {row["store"]: row["listing_fees"] for row in answer.json()["results"]}
    assert fees == {"A": "200.00", "B": "200.00", "C": "0.00"}
    assert answer.json()["total"]["listing_fees"] == "400.00"
