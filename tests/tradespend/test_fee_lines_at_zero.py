"""A display agreement whose fee went to 0.00 still shows the ledger line finance kept a match on (QA): fee_lines
answered nothing for a fee of 0, so the agreement page hid the deduction still matched to it, over-deducted. An
agreement without a fee that nobody's deduction is matched to lists no line: nothing to settle."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.agreements import agreement_create, agreement_update
from tests.contracts.factories import InvoiceFactory
from tests.evidence.agreement_data import chain
from tests.tradespend.matching_data import matching_deduction
from tradespend.matching import deduction_match_add, deduction_match_remove
from tradespend.models import AccrualLine
from tradespend.settlement import fee_lines

pytestmark = [pytest.mark.django_db, pytest.mark.english]


@pytest.fixture
def world(manager, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account, [store] = chain(manager, rep, code="ZRO")
    this = timezone.localdate().replace(day=1)
    invoice = InvoiceFactory(account=account, date=this, amount=Decimal("100000.00"))
    return account, store, invoice, this


def _enter(manager, account, store, this, fee) -> object:
    return agreement_create(
        by=manager, account=account, store=store, kind="facings", facings=4, start_on=this,
        end_on=this + timedelta(days=40), fee=Decimal(fee),
    )  # fmt: skip


def test_a_hand_match_kept_on_a_fee_lowered_to_zero_shows_on_the_agreement_page(client, finance, manager, world):
    # given finance matched the chain's deduction by hand to the agreement's fee of 1,500.00
    account, store, invoice, this = world
    deal = _enter(manager, account, store, this, "1500.00")
    deduction = matching_deduction(invoice, "1500.00", kind="display", on=this + timedelta(days=2), period_start=this,
                                   period_end=this, reference="ZERO-1")  # fmt: skip
    line = AccrualLine.objects.get(agreement=deal)
    deduction_match_remove(match=deduction.matches.get(), by=finance)
    deduction_match_add(deduction=deduction, line=line, amount=Decimal("1500.00"), by=finance)
    # when the KA manager lowers the fee to 0.00: the line is kept at 0.00 for finance's match
    deal = agreement_update(agreement=deal, by=manager, fee=Decimal("0.00"))
    line.refresh_from_db()
    assert line.amount == Decimal("0.00") and line.matches.get().amount == Decimal("1500.00")
    # then the line is among its fee's lines, over-deducted
    assert [(found.pk, found.deducted, found.remaining) for found in fee_lines(deal)] == [
        (line.pk, Decimal("1500.00"), Decimal("-1500.00"))
    ]
    client.force_login(finance)
    page = client.get(reverse("evidence:agreement-detail", args=[deal.pk])).content.decode()
    ledger = page.split('data-testid="agreement-ledger"')[1]
    assert ledger.count('data-testid="ledger-line"') == 1
    assert 'data-testid="line-over-deducted"' in ledger and "Deducted 1,500.00, more than the 0.00" in ledger
    assert reverse("tradespend:deduction-sheet", args=[deduction.pk]) in ledger and "ZERO-1" in ledger
    assert "No fee of its own" not in ledger


def test_an_agreement_without_a_fee_nobody_matched_lists_no_line(client, finance, manager, world):
    account, store, invoice, this = world
    deal = _enter(manager, account, store, this, "0.00")
    assert not fee_lines(deal).exists()
    client.force_login(finance)
    page = client.get(reverse("evidence:agreement-detail", args=[deal.pk])).content.decode()
    ledger = page.split('data-testid="agreement-ledger"')[1]
    assert "No fee of its own: nothing to settle." in ledger and 'data-testid="ledger-line"' not in ledger


def test_a_fee_still_lists_its_line_before_any_deduction(manager, world):
    account, store, invoice, this = world
    deal = _enter(manager, account, store, this, "900.00")
    assert [(line.amount, line.deducted) for line in fee_lines(deal)] == [(Decimal("900.00"), Decimal("0.00"))]
