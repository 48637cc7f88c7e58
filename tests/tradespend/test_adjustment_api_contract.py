"""An adjustment through the API names the contract it corrects by its number, as the page does (finding: the API
took only a contract term's id, which a clerk never sees). ``contract`` takes the number (its term of the
adjustment's kind); ``term`` still takes an id, and a contract number too; a value that matches neither is a 400
naming it, and nothing is written."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.factories import KeyAccountFactory
from tradespend.models import AccrualLine

from .test_accruals import contract, term

pytestmark = pytest.mark.django_db
URL = "/api/v1/accrual-lines/"


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def lotus(manager):
    """LOTUS with contract HT-DEMO-2026-LOTUS: a TG fee term and a DM fee term; another chain's contract HT-CRF."""
    account = KeyAccountFactory(code="LOTUS", name="莲花", owner=manager)
    deal = contract(account, number="HT-DEMO-2026-LOTUS")
    other = contract(KeyAccountFactory(code="CRF"), number="HT-CRF")
    return {
        "account": account,
        "tg": term(deal, "end_cap", "fixed", amount="2400"),
        "dm": term(deal, "dm", "fixed", amount="600"),
        "other_tg": term(other, "end_cap", "fixed", amount="100"),
        "second": term(contract(account, number="HT-2026-LOTUS-B"), "end_cap", "fixed", amount="50"),
    }


def _post(api_client, finance, **changes):
    api_client.force_authenticate(finance)
    body = {"account": "LOTUS", "month": "2026-12", "kind": "end_cap", "amount": "300.00", "reason": "TG费补计"}
    return api_client.post(URL, {**body, **changes}, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_the_contract_number_names_its_term_of_the_kind(api_client, finance, lotus):
    answer = _post(api_client, finance, contract="ht-demo-2026-lotus")
    assert answer.status_code == 201, answer.json()
    line = AccrualLine.objects.get(reason="TG费补计")
    assert (line.term, line.amount, line.category) == (lotus["tg"], Decimal("300.00"), "fixed_fee")
    assert (answer.json()["term"], answer.json()["contract"]) == (lotus["tg"].pk, "HT-DEMO-2026-LOTUS")
    dm = _post(api_client, finance, kind="dm", contract="HT-DEMO-2026-LOTUS", reason="DM费补计")
    assert dm.status_code == 201 and AccrualLine.objects.get(reason="DM费补计").term == lotus["dm"]


def test_the_term_id_still_works_and_so_does_a_number_sent_as_term(api_client, finance, lotus):
    by_id = _post(api_client, finance, term=lotus["tg"].pk, reason="按ID")
    assert by_id.status_code == 201 and AccrualLine.objects.get(reason="按ID").term == lotus["tg"]
    by_number = _post(api_client, finance, term="HT-DEMO-2026-LOTUS", reason="按合同号")
    assert by_number.status_code == 201 and AccrualLine.objects.get(reason="按合同号").term == lotus["tg"]
    both = _post(api_client, finance, term=lotus["tg"].pk, contract="HT-DEMO-2026-LOTUS", reason="两者一致")
    assert both.status_code == 201 and AccrualLine.objects.get(reason="两者一致").term == lotus["tg"]


def test_an_unknown_contract_number_is_refused_naming_it(api_client, finance, lotus):
    answer = _post(api_client, finance, contract="HT-NOPE")
    assert answer.status_code == 400
    body = answer.json()
    assert (body["code"], body["field"], body["detail"]) == (
        "adjustment.contract_not_found",
        "contract",
        "No contract HT-NOPE at this chain.",
    )
    other_chain = _post(api_client, finance, contract="HT-CRF")  # another chain's contract is not this chain's
    assert other_chain.json()["code"] == "adjustment.contract_not_found"
    assert not AccrualLine.objects.exists()


@pytest.mark.parametrize("value", ["HT-NOPE", "999999", 999999])
def test_a_term_that_is_neither_an_id_nor_a_contract_number_is_refused_naming_it(api_client, finance, lotus, value):
    answer = _post(api_client, finance, term=value)
    assert answer.status_code == 400
    body = answer.json()
    assert (body["code"], body["field"]) == ("adjustment.term_not_found", "term")
    assert body["detail"] == f"“{value}” is neither the id of a contract term nor the number of a contract at LOTUS."
    assert not AccrualLine.objects.exists()


def test_what_else_does_not_fit_is_refused_and_writes_nothing(api_client, finance, lotus):
    no_term = _post(api_client, finance, kind="listing", contract="HT-DEMO-2026-LOTUS")
    assert no_term.json()["code"] == "adjustment.contract_no_term"
    assert no_term.json()["detail"] == "Contract HT-DEMO-2026-LOTUS has no term for Listing fee."
    mismatch = _post(api_client, finance, term=lotus["second"].pk, contract="HT-DEMO-2026-LOTUS")
    assert mismatch.json()["code"] == "adjustment.term_not_contract"
    assert mismatch.json()["detail"] == (
        f"Contract term {lotus['second'].pk} is of contract HT-2026-LOTUS-B, not of HT-DEMO-2026-LOTUS."
    )
    twice = _post(api_client, finance, term="HT-DEMO-2026-LOTUS", contract="HT-2026-LOTUS-B")
    assert twice.status_code == 400 and "term" in twice.json()["errors"]
    not_text = _post(api_client, finance, contract=["HT-DEMO-2026-LOTUS"])
    assert not_text.status_code == 400 and not_text.json()["errors"]["contract"] == [
        "Give the contract's number, as text."
    ]
    digits = _post(api_client, finance, contract=2026001)  # a number of digits may come as a JSON number
    assert (digits.json()["code"], digits.json()["detail"]) == (
        "adjustment.contract_not_found",
        "No contract 2026001 at this chain.",
    )
    other_chains_term = _post(api_client, finance, term=lotus["other_tg"].pk)
    assert other_chains_term.json()["code"] == "adjustment.source_other_account"
    assert not AccrualLine.objects.exists()
