"""Over-deduction seen before month-end (QA): a deduction matched above what a ledger line now holds (a display fee
lowered or not evidenced after finance matched it) is marked and filtered on the deductions list, in its Excel and
in the API, said on its sheet, and listed by the month-close preview before the clerk closes the month."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from contracts.models import Deduction
from tests.contracts.factories import InvoiceFactory
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.closing import month_close_preview
from tradespend.matching import deduction_match_add
from tradespend.models import AccrualLine

pytestmark = [pytest.mark.django_db, pytest.mark.english]
SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)


def _over_deducted(finance, account, invoice, *, on=date(2026, 9, 20), line_month=SEP, reference="OVER-1"):
    """A TG fee of 1,000.00 finance matched by hand to an end-cap line of 1,000.00, which the ledger then lowered
    to 600.00 (its display not evidenced): matched 400.00 above what the line holds."""
    deduction = matching_deduction(invoice, "1000.00", on=on, reference=reference, period_start=line_month,
                                   period_end=line_month)  # fmt: skip
    line = matching_line(account, line_month, "1000.00")  # after it: nothing matched automatically
    deduction_match_add(deduction=deduction, line=line, amount=Decimal("1000.00"), by=finance)
    AccrualLine.objects.filter(pk=line.pk).update(amount=Decimal("600.00"))
    return Deduction.objects.get(pk=deduction.pk)


@pytest.fixture
def over(finance, matching_account, matching_invoice):
    return _over_deducted(finance, matching_account, matching_invoice)


@pytest.fixture
def fine(matching_account, matching_invoice):
    """A listing fee matched in full to a line that still holds it."""
    matching_line(matching_account, SEP, "700.00", kind="listing")
    deduction = matching_deduction(matching_invoice, "700.00", kind="listing", reference="FINE-1")
    assert deduction.state == "matched"
    return deduction


def _listed(response) -> list[int]:
    return [deduction.pk for deduction in response.context["object_list"]]


def test_the_list_marks_and_filters_over_deducted_deductions(client, finance, over, fine):
    client.force_login(finance)
    # the list marks the over-deducted one, and only it
    page = client.get(reverse("tradespend:deductions"))
    marked = [d.pk for d in page.context["object_list"] if d.over_deducted]
    assert marked == [over.pk]
    assert page.content.decode().count('data-testid="deduction-over-deducted"') == 2  # phone and wide columns
    # the filter finds it, or the others
    assert _listed(client.get(reverse("tradespend:deductions"), {"over_deducted": "true"})) == [over.pk]
    assert _listed(client.get(reverse("tradespend:deductions"), {"over_deducted": "false"})) == [fine.pk]
    # and the Excel has a column for it, following the filter
    export = client.get(reverse("tradespend:deductions"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    header = list(rows[0])
    column = header.index("Over-deducted")
    by_reference = {row[header.index("Chain reference")]: row[column] for row in rows[1:]}
    assert by_reference == {"OVER-1": "yes", "FINE-1": None}


def test_the_api_says_and_filters_over_deducted(api_client, finance, over, fine):
    api_client.force_authenticate(finance)
    listed = api_client.get("/api/v1/deductions/").json()["results"]
    assert {row["reference"]: row["over_deducted"] for row in listed} == {"OVER-1": True, "FINE-1": False}
    only = api_client.get("/api/v1/deductions/", {"over_deducted": "true"}).json()["results"]
    assert [row["id"] for row in only] == [over.pk]
    rest = api_client.get("/api/v1/deductions/", {"over_deducted": "no"}).json()["results"]
    assert [row["id"] for row in rest] == [fine.pk]
    assert api_client.get(f"/api/v1/deductions/{over.pk}/").json()["over_deducted"] is True
    refused = api_client.get("/api/v1/deductions/", {"over_deducted": "maybe"})
    assert refused.status_code == 400 and "over_deducted" in refused.json()["errors"]


def test_the_sheet_says_it(client, finance, over, fine):
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[over.pk])).content.decode()
    assert 'data-testid="over-deducted-note"' in page
    assert "now holds less than the deductions matched to it" in page
    other = client.get(reverse("tradespend:deduction-sheet", args=[fine.pk])).content.decode()
    assert 'data-testid="over-deducted-note"' not in other


def test_a_match_back_within_the_line_is_no_longer_over_deducted(client, finance, over):
    # given finance removed the match above the lowered line and matched what it holds
    client.force_login(finance)
    match = over.matches.get()
    line = match.line
    sheet = reverse("tradespend:deduction-sheet", args=[over.pk])
    client.post(sheet, {"action": "match_remove", "match": match.pk})
    client.post(sheet, {"action": "match_add", "match-line": line.pk, "match-amount": "600.00"})
    # then it is no longer listed as over-deducted
    assert _listed(client.get(reverse("tradespend:deductions"), {"over_deducted": "true"})) == []


def test_the_close_preview_lists_the_month_s_over_deducted_deductions(
    client, finance, manager, matching_account, matching_invoice, over, fine
):
    # given another chain's deduction dated in October matched by hand above a lowered September line, and one of
    # October above an October line
    from tests.factories import KeyAccountFactory

    other = KeyAccountFactory(code="CRV", name="华润万家", owner=manager)
    other_invoice = InvoiceFactory(account=other, date=date(2026, 9, 1), amount=Decimal("100000.00"))
    late = _over_deducted(finance, other, other_invoice, on=date(2026, 10, 5), reference="OVER-LATE")
    october = _over_deducted(finance, matching_account, matching_invoice, on=date(2026, 10, 6), line_month=OCT,
                             reference="OVER-OCT")  # fmt: skip
    # when the clerk opens September's close preview
    preview = month_close_preview(month=SEP, by=finance, today=date(2026, 12, 6))
    # then it lists September's: the one dated in it, and the one matched above September's line, not October's
    assert preview.refusal is None
    assert [d.pk for d in preview.over_deducted] == [late.pk, over.pk]  # by chain code: CRV before RTM
    client.force_login(finance)
    page = client.get(reverse("tradespend:month-close"), {"month": "2026-09"}).content.decode()
    assert 'data-testid="over-deducted"' in page
    assert "2 deductions are matched above what a ledger line now holds (over-deducted)" in page
    assert reverse("tradespend:deduction-sheet", args=[over.pk]) in page
    assert reverse("tradespend:deduction-sheet", args=[october.pk]) not in page
    assert reverse("tradespend:deduction-sheet", args=[fine.pk]) not in page


def test_the_close_preview_reads_them_as_the_close_finds_them(client, finance, matching_account, matching_invoice):
    # given a TG fee matched automatically to a September end-cap line the ledger then lowered: the close brings the
    # ledger up to date first, which releases the automatic match (matching.release_unbacked)
    line = matching_line(matching_account, SEP, "1000.00")
    deduction = matching_deduction(matching_invoice, "1000.00")
    assert deduction.matches.get().automatic
    AccrualLine.objects.filter(pk=line.pk).update(amount=Decimal("600.00"))
    # when the clerk opens the preview
    client.force_login(finance)
    page = client.get(reverse("tradespend:month-close"), {"month": "2026-09"})
    # then no warning: the close would not find it over-deducted (and nothing was written by the preview)
    assert 'data-testid="over-deducted"' not in page.content.decode()
    assert page.context["preview"].over_deducted == []
    assert deduction.matches.get().amount == Decimal("1000.00")


def test_no_warning_for_a_closed_month(client, finance, over):
    from tradespend.models import ClosedMonth

    ClosedMonth.objects.create(month=SEP, closed_by=finance)
    client.force_login(finance)
    page = client.get(reverse("tradespend:month-close"), {"month": "2026-09"}).content.decode()
    assert 'data-testid="over-deducted"' not in page
