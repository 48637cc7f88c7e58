"""The deduction sheet of a deduction dated in a closed month offers no change to its matches (every one would be
refused): no "Remove", no "Match by hand", no "Not a duplicate", and it says why. And the deductions export names a
deduction's state as the page does ("Accepted and written off", not "Unsupported")."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.closing import month_close
from tradespend.disputes import dispute_open, dispute_write_off
from tradespend.matching import deduction_match_add

pytestmark = [pytest.mark.django_db, pytest.mark.english]
SEP = date(2026, 9, 1)


def test_a_closed_months_deduction_offers_no_match_change_and_says_why(
    client, finance, matching_account, matching_invoice
):
    # Given a TG deduction of 3,000.00 of 20 September, 1,000.00 matched by hand to the one TG line (2,000.00 left
    # unsupported), and September closed
    deduction = matching_deduction(matching_invoice, "3000.00")
    line = matching_line(matching_account, SEP, "1000.00")
    deduction_match_add(deduction=deduction, line=line, amount=Decimal("1000.00"), by=finance)
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    client.force_login(finance)
    before = client.get(url).content.decode()
    assert ">Remove</button>" in before and "Match by hand" in before  # offered while September is open
    month_close(month=SEP, by=finance, today=date(2026, 12, 4))

    # When finance opens its sheet
    page = client.get(url).content.decode()

    # Then neither is offered, and the sheet says why
    assert ">Remove</button>" not in page and "Match by hand" not in page and 'data-testid="match-form"' not in page
    assert "This deduction is dated 2026-09-20 and 2026-09 is closed: its matches can no longer change." in page
    assert "Correct the spend with an adjustment in an open month." in page
    # And the match itself is still shown
    assert 'data-testid="matches"' in page and "1,000.00" in page


def test_the_export_names_a_written_off_deduction_as_the_page_does(client, finance, matching_invoice):
    # Given a deduction of 800.00, disputed, then accepted and written off
    deduction = matching_deduction(matching_invoice, "800.00", reference="FY-WO")
    dispute = dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance)
    dispute_write_off(dispute=dispute, note="接受", by=finance)
    client.force_login(finance)

    # When finance reads the list and exports it
    page = client.get(reverse("tradespend:deductions")).content.decode()
    export = client.get(reverse("tradespend:deductions"), {"export": "xlsx"})

    # Then both say "Accepted and written off"
    assert 'data-state="written_off">Accepted and written off<' in page
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    header = [str(cell) for cell in rows[0]]
    row = next(r for r in rows[1:] if "FY-WO" in r)
    assert row[header.index("State")] == "Accepted and written off"
