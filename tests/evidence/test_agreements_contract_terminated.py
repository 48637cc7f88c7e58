"""A terminated contract's display agreements (QA: terminating a contract let go of every agreement its terms had
made, months before the termination included, so the end caps finance still pays for those months had nothing to hold
them to evidence). Its terms grant the periods up to its termination month, that month whole (as its accruals pay for
it): those agreements stay, payable when evidenced; only the months after it are let go (one a visit checked is kept,
flagged); undoing the termination grants the later months again."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from contracts import services as contract_services
from evidence.agreements import agreement_evaluate
from evidence.models import DisplayAgreement
from tests.contracts.factories import ContractFactory
from tests.evidence.agreement_data import chain, checked
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)
JUNE, JULY, AUGUST = date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1)


@pytest.fixture(autouse=True)
def _on_june_first_in_english(time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    with translation.override("en"):
        yield


@pytest.fixture
def end_cap(manager, rep):
    """沃尔玛's 2026 contract with an end cap of 2,000 a month from June to December: seven agreements."""
    account, [store] = chain(manager, rep, code="WMT")
    contract = ContractFactory(account=account, number="HT-END-CAP")
    term = contract_services.contract_term_create(
        contract=contract, kind="end_cap", basis="fixed", period="month", amount=Decimal("2000.00"),
        settlement="deducted", valid_from=JUNE, valid_to=date(2026, 12, 31),
    )  # fmt: skip
    assert len(_months(term)) == 7
    return contract, term, store


def _months(term) -> list[str]:
    """The months the term's agreements pay for, each with whether it is flagged as no longer granted."""
    rows = DisplayAgreement.objects.filter(term=term).order_by("start_on")
    return [f"{a.start_on:%Y-%m}" + (" (gone)" if a.source_gone else "") for a in rows]


def test_terminated_in_august_june_to_august_keep_their_agreements_and_the_later_months_go(end_cap):
    contract, term, _store = end_cap
    august = DisplayAgreement.objects.get(term=term, start_on=AUGUST)

    contract_services.contract_update(contract=contract, status="terminated", terminated_on=date(2026, 8, 15))

    # June, July and August stay (August whole, as its accruals pay for it); September to December are let go
    assert _months(term) == ["2026-06", "2026-07", "2026-08"]
    august.refresh_from_db()
    assert (august.start_on, august.end_on, august.fee, august.source_gone) == (
        AUGUST,
        date(2026, 8, 31),
        Decimal("2000.00"),
        False,
    )


def test_the_termination_month_s_agreement_evidenced_after_the_termination_day_is_payable(end_cap, rep):
    contract, term, store = end_cap
    contract_services.contract_update(contract=contract, status="terminated", terminated_on=date(2026, 8, 15))
    august = DisplayAgreement.objects.get(term=term, start_on=AUGUST)

    checked(august, store=store, rep=rep, day=date(2026, 8, 20))  # the end cap still up in the month paid for
    august = agreement_evaluate(august, today=date(2026, 9, 1))

    assert (august.status, august.evidenced_visits) == (DisplayAgreement.Status.PAYABLE, 1)


def test_the_ledger_and_the_agreements_pay_for_the_same_months(end_cap):
    contract, term, _store = end_cap
    contract_services.contract_update(contract=contract, status="terminated", terminated_on=date(2026, 7, 31))

    accruals_compute(as_of=date(2026, 12, 31))

    months = AccrualLine.objects.filter(term=term, stage=AccrualLine.Stage.ACCRUED).values_list("month", flat=True)
    assert sorted(f"{month:%Y-%m}" for month in months) == ["2026-06", "2026-07"] == _months(term)


def test_a_later_month_a_visit_checked_is_kept_flagged_and_undoing_the_termination_restores_them_all(end_cap, rep):
    contract, term, store = end_cap
    october = DisplayAgreement.objects.get(term=term, start_on=date(2026, 10, 1))
    checked(october, store=store, rep=rep, day=TODAY)  # checked early, before its period

    contract_services.contract_update(contract=contract, status="terminated", terminated_on=date(2026, 7, 10))
    assert _months(term) == ["2026-06", "2026-07", "2026-10 (gone)"]

    # when the termination is undone (the contract made active again)
    contract_services.contract_update(contract=contract, status="active")

    # then every month is granted again, the checked one its own again with its visit
    assert _months(term) == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    october.refresh_from_db()
    assert not october.source_gone and october.checks.count() == 1


def test_undone_through_the_api_the_later_months_come_back(api_client, finance, end_cap):
    contract, term, _store = end_cap
    api_client.force_authenticate(finance)
    url = f"/api/v1/contracts/{contract.pk}/"

    ended = api_client.patch(url, {"status": "terminated", "terminated_on": "2026-09-30"}, format="json")
    assert ended.status_code == 200, ended.json()
    assert _months(term) == ["2026-06", "2026-07", "2026-08", "2026-09"]

    undone = api_client.patch(url, {"status": "active"}, format="json")
    assert undone.status_code == 200, undone.json()
    assert _months(term) == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]


def test_a_quarter_paid_for_ends_with_the_termination_month(manager, rep):
    account, _stores = chain(manager, rep, code="CRF")
    contract = ContractFactory(account=account, number="HT-QUARTER")
    term = contract_services.contract_term_create(
        contract=contract, kind="display", basis="fixed", period="quarter", amount=Decimal("6000.00"),
        settlement="deducted", valid_from=JULY, valid_to=date(2026, 12, 31),
    )  # fmt: skip

    contract_services.contract_update(contract=contract, status="terminated", terminated_on=date(2026, 8, 10))

    # the July–September quarter's fee is due (in July, as the ledger books it): its agreement runs to August's end
    rows = DisplayAgreement.objects.filter(term=term).values_list("start_on", "end_on", "fee")
    assert list(rows) == [(JULY, date(2026, 8, 31), Decimal("6000.00"))]
