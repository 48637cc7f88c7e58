"""A contract called off before it starts (QA: made Terminated without a date, it was refused as "cannot be terminated
on <today>: it starts on …. Enter a termination date from its start on." — advice that, followed, terminated a
contract that never ran, its first month's fees accrued whole). A contract that has not started cannot be terminated,
whatever the date: the refusal, next to the status, says to choose Draft instead (a draft's terms accrue nothing), or
to change its end date to have it end sooner. Page, API and admin alike; once it has started it terminates as
before."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from contracts import services
from contracts.models import Contract
from evidence.models import DisplayAgreement
from ka_portal.errors import DomainError
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal
NOT_STARTED = (
    "Contract HT-LATER has not started: it starts on 2026-07-01, and a contract that has not started cannot be "
    "terminated. To call it off, choose the status Draft instead of Terminated (a draft's terms accrue nothing); to "
    "have it end sooner, change its end date."
)


@pytest.fixture(autouse=True)
def _on_june_first(time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def later(account):
    """An active contract from 1 July to the end of 2026 with an end cap of 1,000 a month."""
    contract = ContractFactory(
        account=account, number="HT-LATER", valid_from=date(2026, 7, 1), valid_to=date(2026, 12, 31)
    )
    fee = services.contract_term_create(
        contract=contract, kind="end_cap", basis="fixed", period="month", amount=D("1000.00"), settlement="deducted"
    )
    return contract, fee


def _form(contract, **fields) -> dict:
    """The contract's edit page as finance sends it: every field as stored, then what is changed."""
    return {
        "number": contract.number, "account": contract.account_id, "kind": contract.kind, "status": contract.status,
        "terminated_on": "", "signed_on": contract.signed_on.isoformat(), "valid_from": contract.valid_from.isoformat(),
        "valid_to": contract.valid_to.isoformat(), "total_amount": str(contract.total_amount),
        "rebate_percent": str(contract.rebate_percent), "listing_fee": str(contract.listing_fee),
        "payment_terms_days": str(contract.payment_terms_days), "execution_notes": contract.execution_notes, **fields,
    }  # fmt: skip


@pytest.mark.parametrize(
    "terminated_on", [None, date(2026, 5, 31), date(2026, 8, 15)], ids=["today", "before", "after"]
)
def test_the_service_refuses_it_saying_to_choose_draft(later, terminated_on):
    contract, _fee = later

    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.contract_update(contract=contract, status="terminated", terminated_on=terminated_on)

    assert (refused.value.code, refused.value.field) == ("contract.terminated_before_start", "status")
    with translation.override("en"):
        assert str(refused.value) == NOT_STARTED
    assert "Enter a termination date" not in NOT_STARTED
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.status, stored.terminated_on) == ("active", None)


def test_the_api_refuses_it_and_the_draft_it_names_calls_the_contract_off(api_client, finance, later):
    contract, fee = later
    api_client.force_authenticate(finance)
    url = f"/api/v1/contracts/{contract.pk}/"

    refused = api_client.patch(url, {"status": "terminated"}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 400, refused.json()
    assert (refused.json()["code"], refused.json()["detail"]) == ("contract.terminated_before_start", NOT_STARTED)
    assert refused.json()["params"]["valid_from"] == "2026-07-01"
    # and doing what it says: the contract made a draft accrues nothing and holds no display agreement
    assert DisplayAgreement.objects.filter(term=fee).count() == 6
    drafted = api_client.patch(url, {"status": "draft"}, format="json")
    assert drafted.status_code == 200, drafted.json()
    accruals_compute(as_of=date(2026, 12, 31))
    assert not AccrualLine.objects.filter(term=fee).exists()
    assert not DisplayAgreement.objects.filter(term=fee).exists()


def test_the_page_shows_the_refusal_next_to_the_status(client, finance, later):
    contract, _fee = later
    client.force_login(finance)

    page = client.post(
        reverse("contracts:contract-edit", args=[contract.pk]),
        _form(contract, status="terminated"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert page.status_code == 400
    assert NOT_STARTED.replace("'", "&#x27;") in page.content.decode()
    assert Contract.objects.get(pk=contract.pk).status == "active"


def test_the_admin_refuses_it_alike(client, admin_user, later):
    contract, _fee = later
    client.force_login(admin_user)

    answer = client.post(
        reverse("admin:contracts_contract_change", args=[contract.pk]),
        _form(contract, status="terminated", terminated_on="2026-08-15"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert answer.status_code == 200  # the admin's form drawn again with its errors
    assert NOT_STARTED.replace("'", "&#x27;") in answer.content.decode()
    assert Contract.objects.get(pk=contract.pk).status == "active"


def test_once_it_has_started_it_terminates_as_before(time_machine, later):
    contract, fee = later
    time_machine.move_to(datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)

    services.contract_update(contract=contract, status="terminated")

    assert Contract.objects.get(pk=contract.pk).terminated_on == date(2026, 7, 1)
    assert list(DisplayAgreement.objects.filter(term=fee).values_list("start_on", flat=True)) == [date(2026, 7, 1)]
