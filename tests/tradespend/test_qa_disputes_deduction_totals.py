"""QA (finance clerk): the deductions list's cards summed full amounts ("无依据 · 45 · 190,305.00"), counting what the
chain paid back and what finance accepted and wrote off, and a partly matched deduction's matched part. The cards
now show what is still open (unsupported or unmatched), said as such, with the full amount beside it."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.disputes import dispute_open, dispute_recover, dispute_write_off

pytestmark = [pytest.mark.django_db, pytest.mark.english]


def _card(page: str, state: str) -> str:
    found = re.search(rf'data-testid="state-total-{state}">(.*?)</div></div></div>', page, re.S)
    assert found, state
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_the_cards_show_what_is_still_open(client, matching_account, matching_invoice, finance):
    # Given an unsupported DM fee of 800.00 of which the chain paid 300.00 back,
    recovered = matching_deduction(matching_invoice, "800.00", kind="dm")
    dispute = dispute_open(deduction=recovered, reason="无合同依据", owner=finance, by=finance)
    dispute_recover(dispute=dispute, amount=Decimal("300.00"), on=date(2026, 10, 5), by=finance)
    # an unsupported barcode fee of 1,000.00 accepted and written off,
    accepted = matching_deduction(matching_invoice, "1000.00", kind="barcode")
    dispute = dispute_open(deduction=accepted, reason="无合同依据", owner=finance, by=finance)
    dispute_write_off(dispute=dispute, note="接受", by=finance)
    # and a TG fee of 3,000.00 of which the ledger supports 1,000.00
    matching_line(matching_account, date(2026, 9, 1), "1000.00")
    partly = matching_deduction(matching_invoice, "3000.00")
    assert partly.state == "partly_matched"

    # When finance reads the deductions list
    client.force_login(finance)
    page = client.get(reverse("tradespend:deductions")).content.decode()

    # Then the unsupported card shows the 500.00 still open of 1,800.00 deducted, said as such
    assert _card(page, "unsupported") == "Unsupported · 2 500.00 unsupported, still open of 1,800.00 deducted"
    # and the partly matched card the 2,000.00 unmatched of 3,000.00
    assert _card(page, "partly_matched") == "Partly matched · 1 2,000.00 unmatched, still open of 3,000.00 deducted"
    # a matched card keeps its full amount
    assert _card(page, "matched") == "Matched · 0 0.00"
