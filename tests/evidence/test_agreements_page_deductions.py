"""An agreement's page lists every deduction matched to the ledger line holding its fee, whatever its evidence status
(QA: one that said "not evidenced" hid the deduction finance had matched to its line by hand), with what is
over-deducted: the line lowered to what is owed, the match by hand kept above it."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from contracts.models import Deduction
from evidence.agreements import agreement_create, agreement_update, agreements_evaluate
from evidence.models import DisplayAgreement
from tests.contracts.factories import InvoiceFactory
from tests.evidence.agreement_data import agreement, chain, checked
from tests.tradespend.matching_data import matching_deduction
from tradespend.accruals import accruals_compute
from tradespend.matching import deduction_match_add, deduction_match_remove
from tradespend.models import AccrualLine, DeductionMatch

pytestmark = pytest.mark.django_db
SEP, SEP30, TODAY = date(2026, 9, 1), date(2026, 9, 30), date(2026, 10, 5)


@pytest.fixture(autouse=True)
def _in_october(time_machine):
    time_machine.move_to(datetime(2026, 10, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def world(manager, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account, [store] = chain(manager, rep, code="HND")
    invoice = InvoiceFactory(account=account, date=SEP, amount=Decimal("100000.00"))
    return account, store, invoice


def _by_hand(deduction, line, finance) -> None:
    """Finance takes the automatic match off and matches the deduction to the line by hand."""
    deduction_match_remove(match=deduction.matches.get(), by=finance)
    deduction_match_add(deduction=deduction, line=line, amount=deduction.amount, by=finance)


def _ledger_card(client, deal) -> str:
    page = client.get(reverse("evidence:agreement-detail", args=[deal.pk]), HTTP_ACCEPT_LANGUAGE="en")
    return page.content.decode().split('data-testid="agreement-ledger"')[1].split('data-testid="store-evidence"')[0]


def test_a_fee_not_evidenced_lists_the_deduction_finance_matched_to_it_by_hand_as_over_deducted(
    client, manager, finance, rep, world
):
    account, store, invoice = world
    deal = agreement_create(by=manager, account=account, store=store, kind="end_cap", start_on=SEP, end_on=SEP30,
                            fee=Decimal("3600.00"))  # fmt: skip
    checked(deal, store=store, rep=rep, day=date(2026, 9, 8))
    agreements_evaluate(ids=[deal.pk])  # payable: its fee is in the ledger, and the chain's deduction matched to it
    deduction = matching_deduction(invoice, "3600.00", kind="tg", period_start=SEP, period_end=SEP)
    line = AccrualLine.objects.get(agreement=deal)
    _by_hand(deduction, line, finance)

    deal = agreement_update(agreement=deal, by=manager, evidence_visits=2)  # two visits were agreed: not evidenced

    assert deal.status == DisplayAgreement.Status.NOT_EVIDENCED
    line.refresh_from_db()
    assert line.amount == Decimal("0.00")  # not owed; kept for finance's match, which stays
    assert [(m.amount, m.automatic) for m in DeductionMatch.objects.filter(deduction=deduction)] == [
        (Decimal("3600.00"), False)
    ]
    client.force_login(finance)
    card = _ledger_card(client, deal)
    assert "Not evidenced: its fee is not owed" in card
    assert 'data-testid="ledger-still-matched"' in card
    sheet = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    assert card.count(sheet) == 1  # under its line, not again among those claiming it
    deducted = card.split('data-testid="ledger-deducted"')[1].split("</div>")[0]
    assert 'data-testid="line-over-deducted"' in deducted
    assert "Deducted 3,600.00, more than the 0.00 the ledger holds" in deducted
    assert 'data-testid="match-by-hand"' in card.split(sheet)[1].split("</div>")[0]


def test_a_generated_fee_not_evidenced_lists_the_hand_match_left_on_its_terms_line(client, finance, world):
    from tests.tradespend.test_accruals import contract, term

    account, _store, invoice = world
    deal_term = term(contract(account, valid_from=SEP, valid_to=SEP30), "end_cap", "fixed", amount="2800.00")
    deal = agreement(account, start=SEP, end=SEP30, fee="2800.00", source="term", term=deal_term,
                     status=DisplayAgreement.Status.PAYABLE)  # fmt: skip
    accruals_compute(as_of=TODAY)
    deduction = matching_deduction(invoice, "2800.00", kind="tg", period_start=SEP, period_end=SEP)
    line = AccrualLine.objects.get(term=deal_term)
    assert deduction.matches.get().line == line
    _by_hand(deduction, line, finance)

    DisplayAgreement.objects.filter(pk=deal.pk).update(status=DisplayAgreement.Status.NOT_EVIDENCED)
    accruals_compute(as_of=TODAY)  # its fee comes off the term's line: 0, kept for the match by hand

    line.refresh_from_db()
    assert line.amount == Decimal("0.00")
    client.force_login(finance)
    card = _ledger_card(client, deal)
    assert "Not evidenced: its fee is not owed" in card and 'data-testid="ledger-line"' in card
    assert reverse("tradespend:deduction-sheet", args=[deduction.pk]) in card
    assert "Deducted 2,800.00, more than the 0.00 the ledger holds" in card


def test_an_unmatched_deduction_claiming_it_is_still_listed_and_a_rep_sees_no_money(client, rep, finance, world):
    account, store, invoice = world
    deal = agreement(account, store=store, fee="1200.00")
    agreements_evaluate(ids=[deal.pk])
    deduction = matching_deduction(invoice, "1200.00", kind="tg", period_start=SEP, period_end=SEP)
    assert deduction.state == Deduction.State.UNSUPPORTED

    client.force_login(finance)
    card = _ledger_card(client, deal)
    claiming = card.split('data-testid="ledger-claiming"')[1]
    assert reverse("tradespend:deduction-sheet", args=[deduction.pk]) in claiming
    assert 'data-testid="ledger-line"' not in card

    client.force_login(rep)
    page = client.get(reverse("evidence:agreement-detail", args=[deal.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and 'data-testid="agreement-ledger"' not in page.content.decode()
