"""An unsupported deduction that the ledger comes to support later (a line recorded after it, found by the matching)
is not a release and is not "moved" (tradespend/releases.py): nothing was taken from it and it changed no line — it
got its first. What changed is said where the clerk works on it: its state (sheet, list, API), its match on the
sheet, and, when finance is disputing it with the chain, the sheet and the disputes list say the dispute is now
finance's to close as supported. The "moved" filter stays the list of deductions the ledger moved between lines."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.disputes import dispute_open
from tradespend.matching import deductions_match
from tradespend.models import MatchRelease

pytestmark = pytest.mark.django_db
SEP = date(2026, 9, 1)


def test_a_deduction_supported_later_reads_matched_and_its_dispute_closable_not_moved(
    client, api_client, finance, matching_account, matching_invoice
):
    deduction = matching_deduction(matching_invoice, "600.00")
    assert deduction.state == "unsupported"
    dispute_open(deduction=deduction, reason="无TG协议", owner=finance, by=finance)
    matching_line(matching_account, SEP, "600.00")  # the TG fee entered afterwards

    deductions_match()

    deduction.refresh_from_db()
    assert (deduction.state, deduction.matched_amount) == ("matched", Decimal("600.00"))
    assert not MatchRelease.objects.filter(deduction=deduction).exists()
    client.force_login(finance)
    sheet = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = sheet.content.decode()
    assert 'data-testid="closable"' in text and "Close as supported" in text
    assert 'data-testid="releases"' not in text
    disputes = client.get(reverse("tradespend:disputes"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Supported in full: close it" in disputes
    moved = client.get(reverse("tradespend:deductions"), {"moved": "true"}).context["object_list"]
    assert deduction.pk not in [row.pk for row in moved]
    api_client.force_authenticate(finance)
    read = api_client.get(f"/api/v1/deductions/{deduction.pk}/").json()
    assert (read["state"], read["moved"], [m["amount"] for m in read["matches"]]) == ("matched", False, ["600.00"])
