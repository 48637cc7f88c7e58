"""A contract's status, dates or key account changed — on its page, through the API or in the admin — reach its
chain's trade-spend ledger at once, in the same transaction, as a term's change does (contracts.services
.contract_update → _ledger_follows): the open months move when finance saves, not the next morning; a closed month
keeps its figure and the difference lands as a true-up in an open month."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import Contract
from tests.factories import KeyAccountFactory, make_user
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine, AccrualRun, ClosedMonth

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def month():
    return timezone.localdate().replace(day=1)


def _contract(account, month, status=Contract.Status.ACTIVE):
    return ContractFactory(
        account=account,
        number="HT-LEDGER",
        status=status,
        signed_on=date(month.year, 1, 5),
        valid_from=date(month.year, 1, 1),
        valid_to=date(month.year, 12, 31),
    )


def _dm_fee(contract, amount="2900.00"):
    return services.contract_term_create(
        contract=contract, kind="dm", basis="fixed", period="month", amount=D(amount), settlement="deducted"
    )


def _form(contract, **fields) -> dict:
    """The contract's edit page as finance sends it: every field as stored, then what is changed."""
    return {
        "number": contract.number, "account": contract.account_id, "kind": contract.kind, "status": contract.status,
        "signed_on": contract.signed_on.isoformat(), "valid_from": contract.valid_from.isoformat(),
        "valid_to": contract.valid_to.isoformat(), "total_amount": str(contract.total_amount),
        "rebate_percent": str(contract.rebate_percent), "listing_fee": str(contract.listing_fee),
        "payment_terms_days": str(contract.payment_terms_days), "execution_notes": contract.execution_notes, **fields,
    }  # fmt: skip


def _ledger(api_client, user, account) -> dict[tuple[int, str], Decimal]:
    """The chain's ledger as a finance clerk reads it (the accrual-lines API): (term, month) → amount."""
    api_client.force_authenticate(user)
    answer = api_client.get("/api/v1/accrual-lines/", {"account": account.code, "page_size": 100})
    assert answer.status_code == 200, answer.json()
    return {(row["term"], row["month"]): D(row["amount"]) for row in answer.json()["results"] if row["term"]}


def test_a_draft_made_active_on_its_page_is_in_the_ledger_when_it_is_saved(client, api_client, finance, account, month):
    # given a contract still in draft with a DM fee of 2,900 a month: a draft's terms accrue nothing
    contract = _contract(account, month, status=Contract.Status.DRAFT)
    fee = _dm_fee(contract)
    accruals_compute(as_of=timezone.localdate())
    assert not AccrualLine.objects.exists()
    # when finance makes it active on its page
    client.force_login(finance)
    saved = client.post(reverse("contracts:contract-edit", args=[contract.pk]), _form(contract, status="active"))
    # then the ledger finance reads right after saving holds the fee in this month, and in every open month before it
    assert saved.status_code == 302
    ledger = _ledger(api_client, finance, account)
    assert ledger[(fee.pk, f"{month:%Y-%m}")] == D("2900.00")
    assert len(ledger) == month.month  # January through this month, each 2,900
    assert set(ledger.values()) == {D("2900.00")}
    # and it is what the nightly run computes: a run now writes nothing
    assert accruals_compute(as_of=timezone.localdate()).lines_written == 0


def test_a_contract_made_a_draft_through_the_api_leaves_the_open_months_at_once(api_client, finance, account, month):
    # given an active contract's DM fee in the ledger since January, January closed
    contract = _contract(account, month)
    fee = _dm_fee(contract)
    accruals_compute(as_of=timezone.localdate())
    january = date(month.year, 1, 1)
    if month == january:
        pytest.skip("needs an open month after a closed January")
    ClosedMonth.objects.create(month=january, closed_by=make_user("finance", username="closer"))
    # when finance takes it back to draft through the API
    api_client.force_authenticate(finance)
    answer = api_client.patch(f"/api/v1/contracts/{contract.pk}/", {"status": "draft"}, format="json")
    # then the open months hold nothing of it any more, January keeps its 2,900 and a true-up takes it back
    assert answer.status_code == 200, answer.json()
    accrued = dict(AccrualLine.objects.filter(term=fee, stage=AccrualLine.Stage.ACCRUED).values_list("month", "amount"))
    assert accrued == {january: D("2900.00")}
    true_up = AccrualLine.objects.get(term=fee, stage=AccrualLine.Stage.TRUE_UP)
    assert true_up.amount == D("-2900.00") and true_up.month > january


def test_the_admin_s_status_change_reaches_the_ledger_too(client, admin_user, account, month):
    contract = _contract(account, month, status=Contract.Status.DRAFT)
    fee = _dm_fee(contract, "1200.00")
    client.force_login(admin_user)

    saved = client.post(
        reverse("admin:contracts_contract_change", args=[contract.pk]), _form(contract, status="active")
    )

    assert saved.status_code == 302
    assert AccrualLine.objects.get(term=fee, month=month, stage=AccrualLine.Stage.ACCRUED).amount == D("1200.00")


def test_a_date_changed_through_the_api_brings_the_chain_s_ledger_up_to_date(api_client, finance, account, month):
    # given an active contract whose DM fee was added today (a new line joins the ledger with the nightly run)
    contract = _contract(account, month)
    fee = _dm_fee(contract, "800.00")
    assert not AccrualLine.objects.filter(term=fee).exists()
    runs = AccrualRun.objects.count()
    # when finance corrects the day it was signed on (no date the ledger reads): the ledger is left for tonight
    api_client.force_authenticate(finance)
    signed = api_client.patch(f"/api/v1/contracts/{contract.pk}/", {"signed_on": f"{month.year}-01-06"}, format="json")
    assert signed.status_code == 200, signed.json()
    assert AccrualRun.objects.count() == runs
    # when finance moves the day it ends (later: a day before its lines' end is refused, term.outside_contract)
    later = {"valid_to": f"{month.year + 1}-01-31"}
    answer = api_client.patch(f"/api/v1/contracts/{contract.pk}/", later, format="json")
    # then the chain's ledger is computed once, as of today, in the same request: the fee is in this month now
    assert answer.status_code == 200, answer.json()
    run = AccrualRun.objects.order_by("pk").last()
    assert AccrualRun.objects.count() == runs + 1
    assert (run.account, run.run_on) == (account, timezone.localdate())
    assert AccrualLine.objects.get(term=fee, month=month, stage=AccrualLine.Stage.ACCRUED).amount == D("800.00")
    assert accruals_compute(as_of=timezone.localdate(), account=account).lines_written == 0


def test_a_contract_moved_to_another_chain_takes_its_lines_with_it(client, finance, account, month):
    # given a contract without invoices, its fee in its chain's ledger
    other = KeyAccountFactory(code="CRF", name="家乐福")
    contract = _contract(account, month)
    fee = _dm_fee(contract, "500.00")
    accruals_compute(as_of=timezone.localdate())
    assert set(AccrualLine.objects.filter(term=fee).values_list("account__code", flat=True)) == {"WMT"}
    # when finance moves it to another chain on its page
    client.force_login(finance)
    saved = client.post(reverse("contracts:contract-edit", args=[contract.pk]), _form(contract, account=other.pk))
    # then both chains' ledgers follow at once: the open months' lines are the new chain's
    assert saved.status_code == 302
    this_month = AccrualLine.objects.filter(term=fee, month=month, stage=AccrualLine.Stage.ACCRUED)
    assert list(this_month.values_list("account__code", "amount")) == [("CRF", D("500.00"))]


def test_notes_alone_leave_the_ledger_alone(client, finance, account, month):
    contract = _contract(account, month)
    _dm_fee(contract)
    runs = AccrualRun.objects.count()
    client.force_login(finance)

    saved = client.post(
        reverse("contracts:contract-edit", args=[contract.pk]), _form(contract, execution_notes="续签谈判中")
    )

    assert saved.status_code == 302
    assert AccrualRun.objects.count() == runs
    assert not AccrualLine.objects.exists()
