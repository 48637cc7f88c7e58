"""A deduction the ledger released and matched again to another line is never moved unseen (QA, month-end): matching
pays a chain's fees by chain × kind × month, not by agreement, so when a display fee's line is lowered under the
automatic match it had (its fee lowered, its period moved, its display not evidenced), the deduction is matched again
at once to any other line of the chain, kind and month with room — another agreement's. Its sheet says from which
line to which, when and why; the deductions list marks and filters it (page, Excel, API)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from contracts.models import Deduction
from evidence.agreements import agreement_create, agreement_update
from tests.contracts.factories import InvoiceFactory
from tests.evidence.agreement_data import chain
from tests.imports.xlsx import read_xlsx
from tests.tradespend.matching_data import matching_deduction
from tradespend.matching import with_match_marks
from tradespend.models import AccrualLine, DeductionMatch, MatchRelease
from tradespend.releases import moved_of

pytestmark = [pytest.mark.django_db, pytest.mark.english]


def _this_month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def world(manager, rep, settings, tmp_path):
    """A chain with two display agreements a KA manager entered for this month, 1,500.00 each (two lines of display
    fees in the same month), and the chain's display deduction of 1,500.00 for the month, matched automatically to
    the first one's line."""
    settings.MEDIA_ROOT = tmp_path
    account, [store] = chain(manager, rep, code="MOV")
    this = _this_month()
    invoice = InvoiceFactory(account=account, date=this, amount=Decimal("100000.00"))
    first, second = (
        agreement_create(
            by=manager, account=account, store=store, kind=kind, facings=facings, start_on=this,
            end_on=this + timedelta(days=40), fee=Decimal("1500.00"),
        )
        for kind, facings in (("facings", 4), ("cold_case", None))
    )  # fmt: skip
    deduction = matching_deduction(
        invoice, "1500.00", kind="display", on=this + timedelta(days=1), period_start=this, period_end=this,
        reference="DSP-09",
    )  # fmt: skip
    assert DeductionMatch.objects.get(deduction=deduction).line.agreement == first
    return account, first, second, deduction


def _moved_by_a_later_start(manager, first):
    """The first agreement's period moved to a later month: its line here goes, and its match is released."""
    later = _this_month() + timedelta(days=40)
    return agreement_update(agreement=first, by=manager, start_on=later, end_on=later + timedelta(days=5))


def test_moved_to_another_agreement_s_line_is_recorded_with_from_to_and_why(manager, world):
    account, first, second, deduction = world
    # when the first agreement's period is moved to a later month
    first = _moved_by_a_later_start(manager, first)
    # then matching, by chain × kind × month, matched the deduction to the second agreement's line (as before)...
    deduction.refresh_from_db()
    assert deduction.state == Deduction.State.MATCHED
    assert DeductionMatch.objects.get(deduction=deduction).line.agreement == second
    # ...and the deduction keeps a record of it: from the first's line, why, to the second's
    release = MatchRelease.objects.get(deduction=deduction)
    assert release.moved is True
    [released] = release.released
    assert (released["agreement"], released["amount"], released["why"]) == (first.pk, "1500.00", "release.moved")
    assert released["why_params"] == {"month": f"{first.start_on:%Y-%m}"}
    [again] = release.matched_again
    assert (again["agreement"], again["amount"], again["month"]) == (second.pk, "1500.00", f"{_this_month():%Y-%m}")


def test_the_sheet_says_it_moved_from_which_agreement_to_which_when_and_why(client, finance, manager, world):
    account, first, second, deduction = world
    first = _moved_by_a_later_start(manager, first)
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).content.decode()
    assert 'data-testid="deduction-moved"' in page  # beside its state
    box = page.split('data-testid="releases"')[1].split('data-testid="dispute-box"')[0]
    released = box.split('data-testid="released-line"')[1].split("</li>")[0]
    assert f"Display agreement #{first.pk}" in released and "1,500.00" in released
    assert reverse("evidence:agreement-detail", args=[first.pk]) in released
    assert f"the fee is now payable in {first.start_on:%Y-%m}" in released
    again = box.split('data-testid="matched-again-line"')[1].split("</li>")[0]
    assert f"Display agreement #{second.pk}" in again
    assert reverse("evidence:agreement-detail", args=[second.pk]) in again
    release = MatchRelease.objects.get(deduction=deduction)
    shown = date_format(timezone.localtime(release.released_at), "SHORT_DATETIME_FORMAT")
    assert f'data-testid="release-at">{shown}<' in box


def test_a_fee_lowered_says_what_the_line_held(client, finance, manager, world):
    # given the first agreement's fee lowered to 1,000.00, under the 1,500.00 matched to its line
    account, first, second, deduction = world
    agreement_update(agreement=first, by=manager, fee=Decimal("1000.00"))
    # then matching found the second agreement's line, which holds the whole deduction (its choice, as before)
    matches = {m.line.agreement_id: m.amount for m in DeductionMatch.objects.filter(deduction=deduction)}
    assert matches == {second.pk: Decimal("1500.00")}
    release = MatchRelease.objects.get(deduction=deduction)
    assert release.moved is True
    assert release.released[0]["why"] == "release.lowered"
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).content.decode()
    assert "Its fee was lowered: the line held 1,000.00 while 1,500.00 was matched to it." in page


def test_matched_again_to_the_same_line_alone_is_recorded_but_not_moved(manager, world):
    # given the only other line full: another deduction took the second agreement's fee first
    account, first, second, deduction = world
    DeductionMatch.objects.create(
        deduction=matching_deduction(deduction.invoice, "1500.00", kind="display", on=deduction.date,
                                     reference="OTHER"),
        line=AccrualLine.objects.get(agreement=second), amount=Decimal("1500.00"),
    )  # fmt: skip
    # when the first's fee is lowered
    agreement_update(agreement=first, by=manager, fee=Decimal("1200.00"))
    # then the deduction is matched again to its own line's 1,200.00 alone: released and said, but not moved
    release = MatchRelease.objects.get(deduction=deduction)
    assert release.moved is False
    assert [line["agreement"] for line in release.matched_again] == [first.pk]


def test_the_list_its_excel_and_the_api_mark_and_filter_moved_deductions(client, api_client, finance, manager, world):
    account, first, second, deduction = world
    other = matching_deduction(deduction.invoice, "300.00", kind="listing", on=deduction.date, reference="STAYS")
    _moved_by_a_later_start(manager, first)
    client.force_login(finance)
    page = client.get(reverse("tradespend:deductions"))
    assert [d.pk for d in page.context["object_list"] if d.moved] == [deduction.pk]
    assert page.content.decode().count('data-testid="deduction-moved"') == 2  # phone and wide columns
    moved = client.get(reverse("tradespend:deductions"), {"moved": "true"})
    assert [d.pk for d in moved.context["object_list"]] == [deduction.pk]
    rest = client.get(reverse("tradespend:deductions"), {"moved": "false"})
    assert [d.pk for d in rest.context["object_list"]] == [other.pk]
    export = client.get(reverse("tradespend:deductions"), {"export": "xlsx"})
    [rows] = read_xlsx(b"".join(export.streaming_content)).values()
    header = list(rows[0])
    column = header.index("Moved to another line")
    assert {row[header.index("Chain reference")]: row[column] for row in rows[1:]} == {"DSP-09": "yes", "STAYS": None}

    api_client.force_authenticate(finance)
    only = api_client.get("/api/v1/deductions/", {"moved": "true"}).json()["results"]
    assert [(row["id"], row["moved"]) for row in only] == [(deduction.pk, True)]
    others = api_client.get("/api/v1/deductions/", {"moved": "no"}).json()["results"]
    assert [(row["id"], row["moved"]) for row in others] == [(other.pk, False)]
    refused = api_client.get("/api/v1/deductions/", {"moved": "maybe"})
    assert refused.status_code == 400 and "moved" in refused.json()["errors"]


def test_nothing_is_recorded_while_no_line_is_lowered(client, finance, world):
    account, first, second, deduction = world
    assert not MatchRelease.objects.exists()
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).content.decode()
    assert 'data-testid="releases"' not in page and 'data-testid="deduction-moved"' not in page


def test_the_mark_is_read_with_the_rows_or_by_itself(manager, world, django_assert_num_queries):
    account, first, second, deduction = world
    _moved_by_a_later_start(manager, first)
    marked = {d.pk: d for d in with_match_marks(Deduction.objects.all())}
    with django_assert_num_queries(0):
        assert moved_of(marked[deduction.pk]) is True
    plain = Deduction.objects.get(pk=deduction.pk)
    with django_assert_num_queries(1):
        assert moved_of(plain) is True
