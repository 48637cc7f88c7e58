"""Trade spend's parts working together: a month close brings the ledger and the deductions' states up to date
before it freezes the figures; a term with spend in the ledger is not removed at any door."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import services as contract_services
from contracts.models import ContractTerm
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory, make_user
from tests.tradespend.test_accruals import contract, invoice, term
from tradespend.accruals import accruals_compute
from tradespend.closing import month_close
from tradespend.models import AccrualLine, ClosedFigure

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    return KeyAccountFactory(code="TOG", name="合并连锁")


def test_a_month_close_accrues_and_matches_before_it_freezes(chain):
    finance = make_user("finance")
    rebate = term(contract(chain, status="active"), "rebate", "percent", rate="2.00")
    bill = invoice(chain, date(2026, 3, 5), "50000.00")
    # the chain takes the March rebate (1,000.00) before the nightly job ever ran: nothing to match it to yet
    deduction = contract_services.deduction_record(
        invoice=bill, date=date(2026, 3, 20), kind="rebate", amount=Decimal("1000.00"), reason="3月返利"
    )
    assert deduction.state == "unsupported"
    assert not AccrualLine.objects.filter(account=chain).exists()

    month_close(month=date(2026, 3, 1), by=finance, today=date(2026, 4, 2))

    line = AccrualLine.objects.get(account=chain, term=rebate, month=date(2026, 3, 1))
    assert line.amount == Decimal("1000.00")
    deduction.refresh_from_db()
    assert (deduction.state, deduction.matched_amount) == ("matched", Decimal("1000.00"))
    frozen = ClosedFigure.objects.get(account=chain, closed_month__month=date(2026, 3, 1))
    assert (frozen.gross, frozen.rebates, frozen.unsupported) == (Decimal("50000.00"), Decimal("1000.00"), 0)
    assert frozen.net == Decimal("49000.00")


def test_a_term_with_spend_in_the_ledger_stays_at_every_door(chain, client):
    finance = make_user("finance")
    agreed = contract(chain, status="active")
    fee = term(agreed, "dm", "fixed", "month", amount="3000.00")
    accruals_compute(as_of=date(2026, 2, 10))
    assert AccrualLine.objects.filter(term=fee).count() == 2

    with pytest.raises(DomainError) as refused:
        contract_services.contract_term_delete(term=fee)
    assert refused.value.code == "term.has_accruals"

    client.force_login(finance)
    page = client.post(reverse("contracts:term-delete", args=[fee.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "2 lines in the trade-spend ledger" in page.content.decode()
    api = client.delete(f"/api/v1/contract-terms/{fee.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert (api.status_code, api.json()["code"]) == (409, "term.has_accruals")
    assert ContractTerm.objects.filter(pk=fee.pk).exists()
