"""A terminated contract stops accruing (contracts.services.settle_termination / check_termination,
contracts.rules.check_termination, tradespend.rules.term_accrues_until): terminating asks for the day it ends —
today when none is given, within its validity, in an open month —, its terms accrue nothing after that day's month
(that month whole, as every month a term touches), the ledger follows at once, the page, the list and the API show
the date, and taking the contract back from terminated restores its accruals. Page, API and admin alike."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from contracts import services
from contracts.models import Contract
from ka_portal.errors import DomainError
from tests.factories import make_user
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine, ClosedMonth

from .factories import ContractFactory

pytestmark = [pytest.mark.django_db, pytest.mark.english]
D = Decimal
YEAR = timezone.localdate().year - 1  # a whole year behind today: every month of it is in the ledger


def _contract(account, status=Contract.Status.ACTIVE):
    return ContractFactory(
        account=account,
        number="HT-END",
        status=status,
        signed_on=date(YEAR, 1, 5),
        valid_from=date(YEAR, 1, 1),
        valid_to=date(YEAR, 12, 31),
    )


def _dm_fee(contract, amount="1000.00", **dates):
    return services.contract_term_create(
        contract=contract, kind="dm", basis="fixed", period="month", amount=D(amount), settlement="deducted", **dates
    )


def _months(term) -> list[int]:
    """The months of YEAR the term's accrued lines are in."""
    lines = AccrualLine.objects.filter(term=term, stage=AccrualLine.Stage.ACCRUED, amount__gt=0)
    return sorted(line.month.month for line in lines if line.month.year == YEAR)


def _form(contract, **fields) -> dict:
    """The contract's edit page as finance sends it: every field as stored, then what is changed."""
    return {
        "number": contract.number, "account": contract.account_id, "kind": contract.kind, "status": contract.status,
        "terminated_on": contract.terminated_on.isoformat() if contract.terminated_on else "",
        "signed_on": contract.signed_on.isoformat(), "valid_from": contract.valid_from.isoformat(),
        "valid_to": contract.valid_to.isoformat(), "total_amount": str(contract.total_amount),
        "rebate_percent": str(contract.rebate_percent), "listing_fee": str(contract.listing_fee),
        "payment_terms_days": str(contract.payment_terms_days), "execution_notes": contract.execution_notes, **fields,
    }  # fmt: skip


@pytest.fixture
def ledger(account):
    """An active contract of the whole of YEAR with a DM fee of 1,000 a month, in the ledger."""
    contract = _contract(account)
    fee = _dm_fee(contract)
    accruals_compute(as_of=timezone.localdate())
    assert _months(fee) == list(range(1, 13))
    return contract, fee


def test_terminated_on_its_page_its_terms_stop_after_that_month_and_the_pages_say_so(client, finance, ledger):
    contract, fee = ledger
    client.force_login(finance)
    # when finance terminates it on its page as of 15 June
    saved = client.post(
        reverse("contracts:contract-edit", args=[contract.pk]),
        _form(contract, status="terminated", terminated_on=f"{YEAR}-06-15"),
    )
    # then the ledger holds its fee January through June (June whole, as every month a line touches), nothing after
    assert saved.status_code == 302
    assert _months(fee) == [1, 2, 3, 4, 5, 6]
    assert not AccrualLine.objects.filter(term=fee, month__gt=date(YEAR, 6, 1)).exists()
    # and its page and the list say when it ended
    page = client.get(reverse("contracts:contract-detail", args=[contract.pk])).content.decode()
    assert f"Terminated on {YEAR}-06-15" in page
    assert f"Its terms accrue nothing after {YEAR}-06." in page
    listed = client.get(reverse("contracts:contract-list")).content.decode()
    assert f"Terminated on {YEAR}-06-15" in listed


def test_the_api_terminates_reads_the_date_and_taking_it_back_restores_the_accruals(api_client, finance, ledger):
    contract, fee = ledger
    api_client.force_authenticate(finance)
    url = f"/api/v1/contracts/{contract.pk}/"
    # when a client terminates it as of 20 March
    ended = api_client.patch(url, {"status": "terminated", "terminated_on": f"{YEAR}-03-20"}, format="json")
    # then it answers the date, in the list too, and the ledger stops after March at once
    assert ended.status_code == 200, ended.json()
    assert (ended.json()["status"], ended.json()["terminated_on"]) == ("terminated", f"{YEAR}-03-20")
    listed = api_client.get("/api/v1/contracts/", {"status": "terminated"}).json()["results"]
    assert [(row["number"], row["terminated_on"]) for row in listed] == [("HT-END", f"{YEAR}-03-20")]
    assert _months(fee) == [1, 2, 3]
    # when the termination is undone (the contract made active again)
    undone = api_client.patch(url, {"status": "active"}, format="json")
    # then it holds no termination date, and every month of its fee is back in the ledger
    assert undone.status_code == 200, undone.json()
    assert undone.json()["terminated_on"] is None
    assert _months(fee) == list(range(1, 13))


def test_terminated_without_a_date_it_ends_today(api_client, finance, account):
    today = timezone.localdate()
    contract = ContractFactory(account=account, valid_from=date(today.year, 1, 1), valid_to=date(today.year, 12, 31))
    api_client.force_authenticate(finance)

    answer = api_client.patch(f"/api/v1/contracts/{contract.pk}/", {"status": "terminated"}, format="json")

    assert answer.status_code == 200, answer.json()
    assert answer.json()["terminated_on"] == today.isoformat()
    assert Contract.objects.get(pk=contract.pk).terminated_on == today


def test_a_line_starting_after_the_termination_accrues_nothing(finance, account):
    contract = _contract(account)
    fee = _dm_fee(contract, valid_from=date(YEAR, 7, 1), valid_to=date(YEAR, 12, 31))

    services.contract_update(contract=contract, status="terminated", terminated_on=date(YEAR, 5, 31))
    accruals_compute(as_of=timezone.localdate())

    assert not AccrualLine.objects.filter(term=fee).exists()


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [
        ({"status": "terminated", "terminated_on": f"{YEAR - 1}-12-31"}, "contract.terminated_before_start",
         f"Contract HT-END cannot be terminated on {YEAR - 1}-12-31: it starts on {YEAR}-01-01."),
        ({"status": "terminated", "terminated_on": f"{YEAR + 1}-01-01"}, "contract.terminated_after_end",
         f"Contract HT-END cannot be terminated on {YEAR + 1}-01-01: it ends on {YEAR}-12-31."),
        ({"status": "active", "terminated_on": f"{YEAR}-05-01"}, "contract.not_terminated",
         "Contract HT-END is Active: a termination date is given only with the status Terminated."),
        ({"status": "terminated", "terminated_on": f"{YEAR}-02-10"}, "month.closed", f"{YEAR}-02 is closed"),
    ],
)  # fmt: skip
def test_a_termination_date_it_cannot_have_is_refused_at_every_door(
    client, api_client, admin_user, finance, ledger, fields, code, words
):
    contract, fee = ledger
    ClosedMonth.objects.create(month=date(YEAR, 2, 1), closed_by=make_user("finance", username="closer"))
    ClosedMonth.objects.create(month=date(YEAR, 1, 1), closed_by=make_user("finance", username="closer2"))
    # the service
    with translation.override("en"), pytest.raises(DomainError) as refused:
        day = date.fromisoformat(fields["terminated_on"])
        services.contract_update(contract=contract, **{**fields, "terminated_on": day})
    assert (refused.value.code, refused.value.field) == (code, "terminated_on")
    assert words in str(refused.value)
    # the API
    api_client.force_authenticate(finance)
    answer = api_client.patch(f"/api/v1/contracts/{contract.pk}/", fields, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400, answer.json()
    assert answer.json()["code"] == code and words in answer.json()["detail"]
    # the page: the message next to the date, the contract as it was
    client.force_login(finance)
    page = client.post(reverse("contracts:contract-edit", args=[contract.pk]), _form(contract, **fields))
    assert page.status_code == 400
    assert words in page.content.decode()
    # the admin
    client.force_login(admin_user)
    admin = client.post(reverse("admin:contracts_contract_change", args=[contract.pk]), _form(contract, **fields))
    assert admin.status_code == 200  # the admin's form drawn again with its errors
    assert words in admin.content.decode()
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.status, stored.terminated_on) == ("active", None)
    assert _months(fee) == list(range(1, 13))


def test_terminated_in_an_open_month_after_closed_ones_the_closed_months_keep_their_figures(
    api_client, finance, ledger
):
    contract, fee = ledger
    closer = make_user("finance", username="closer")
    for month in range(1, 5):  # January through April closed
        ClosedMonth.objects.create(month=date(YEAR, month, 1), closed_by=closer)
    api_client.force_authenticate(finance)

    answer = api_client.patch(
        f"/api/v1/contracts/{contract.pk}/", {"status": "terminated", "terminated_on": f"{YEAR}-05-31"}, format="json"
    )

    assert answer.status_code == 200, answer.json()
    assert _months(fee) == [1, 2, 3, 4, 5]
    assert not AccrualLine.objects.filter(term=fee, stage=AccrualLine.Stage.TRUE_UP).exists()


def test_the_admin_terminates_and_the_ledger_follows(client, admin_user, ledger):
    contract, fee = ledger
    client.force_login(admin_user)

    saved = client.post(
        reverse("admin:contracts_contract_change", args=[contract.pk]),
        _form(contract, status="terminated", terminated_on=f"{YEAR}-09-30"),
    )

    assert saved.status_code == 302
    assert Contract.objects.get(pk=contract.pk).terminated_on == date(YEAR, 9, 30)
    assert _months(fee) == list(range(1, 10))


def test_a_terminated_contract_s_end_moved_before_its_termination_is_refused(ledger):
    contract, _fee = ledger
    services.contract_update(contract=contract, status="terminated", terminated_on=date(YEAR, 8, 15))

    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.contract_update(contract=contract, valid_to=date(YEAR, 7, 31))

    assert refused.value.code == "contract.terminated_after_end"
    assert f"it ends on {YEAR}-07-31" in str(refused.value)


def test_terminated_once_over_without_a_date_it_ends_on_its_own_end(ledger):
    contract, fee = ledger  # it ended on 31 December of last year

    services.contract_update(contract=contract, status="terminated")

    assert Contract.objects.get(pk=contract.pk).terminated_on == date(YEAR, 12, 31)
    assert _months(fee) == list(range(1, 13))  # what it accrued stays
