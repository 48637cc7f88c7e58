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
from tests.factories import KeyAccountFactory
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.closing import month_close_preview
from tradespend.matching import deduction_match_add, over_deducted_excess
from tradespend.models import AccrualLine, DeductionMatch

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


def test_the_close_preview_says_by_how_much_each_is_over_and_the_total(
    client, finance, matching_account, matching_invoice, over
):
    # given, beside the TG fee 400.00 over its lowered line, two deductions sharing one line of 1,000.00 they were
    # matched to in full (700.00 and 300.00), which the ledger lowered to 500.00: 500.00 over between them
    shared = matching_line(matching_account, SEP, "1000.00", kind="listing")
    big = matching_deduction(matching_invoice, "700.00", kind="listing", reference="SHARE-700")
    small = matching_deduction(matching_invoice, "300.00", kind="listing", reference="SHARE-300")
    assert {big.state, small.state} == {"matched"}
    AccrualLine.objects.filter(pk=shared.pk).update(amount=Decimal("500.00"))
    # when the clerk opens September's close preview
    preview = month_close_preview(month=SEP, by=finance, today=date(2026, 12, 6))
    # then each deduction says how much of it is over, its share of its line's excess, in cents
    excess = {d.reference: d.excess for d in preview.over_deducted}
    assert excess == {"OVER-1": Decimal("400.00"), "SHARE-700": Decimal("350.00"), "SHARE-300": Decimal("150.00")}
    assert preview.over_deducted_total == Decimal("900.00")
    # and the page shows it with each and in all, formatted as every amount
    client.force_login(finance)
    page = client.get(reverse("tradespend:month-close"), {"month": "2026-09"}).content.decode()
    box = page.split('data-testid="over-deducted"')[1].split("</div>")[0]
    item = box.split(f'data-deduction="{over.pk}"')[1].split("</li>")[0]
    assert 'data-testid="over-deducted-excess">400.00 over<' in item
    assert 'data-testid="over-deducted-total">Matched above what the lines hold: 900.00 in all<' in box


def test_a_line_s_excess_shared_in_cents_adds_up_to_it():
    """Three equal matches on a line 1.00 over: the shares are cents that add up to the line's excess."""
    account = KeyAccountFactory(code="CTS")
    invoice = InvoiceFactory(account=account, date=date(2026, 9, 1), amount=Decimal("1000.00"))
    deductions = [matching_deduction(invoice, amount, kind="listing", reference=amount) for amount in "234"]
    line = matching_line(account, SEP, "3.00", kind="listing")  # after them: nothing matched automatically
    for deduction in deductions:  # 1.00 of each on the line, as finance's hand would
        DeductionMatch.objects.create(deduction=deduction, line=line, amount=Decimal("1.00"), automatic=False)
    AccrualLine.objects.filter(pk=line.pk).update(amount=Decimal("2.00"))
    shares = over_deducted_excess(d.pk for d in deductions)
    assert sum(shares.values()) == Decimal("1.00")
    assert sorted(shares.values()) == [Decimal("0.33"), Decimal("0.33"), Decimal("0.34")]
