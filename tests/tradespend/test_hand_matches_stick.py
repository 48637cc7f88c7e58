"""A match finance changes by hand stays (month-end finding): once finance adds or removes a match of a deduction, the
automatic matching — "Match all automatically", the API's run, the nightly job, a display fee's release — leaves that
deduction's matches alone until finance hands it back ("Match automatically again", page and API)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Deduction
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend import tasks
from tradespend.matching import (
    deduction_match_add,
    deduction_match_automatically,
    deduction_match_remove,
    release_unbacked,
)
from tradespend.models import AccrualLine, ClosedMonth, DeductionMatch, MatchedByHand

pytestmark = [pytest.mark.django_db, pytest.mark.english]
SEP = date(2026, 9, 1)


@pytest.fixture
def matched(matching_account, matching_invoice):
    """A TG fee of 1,000.00 matched automatically, when recorded, to September's end-cap line of 1,000.00."""
    line = matching_line(matching_account, SEP, "1000.00")
    deduction = matching_deduction(matching_invoice, "1000.00")
    assert deduction.state == "matched" and deduction.matches.get().line == line
    return deduction


def _matches(deduction) -> list[tuple[int, Decimal, bool]]:
    return sorted(DeductionMatch.objects.filter(deduction=deduction).values_list("line_id", "amount", "automatic"))


def _sheet(deduction) -> str:
    return reverse("tradespend:deduction-sheet", args=[deduction.pk])


def test_a_match_removed_on_the_sheet_stays_removed_after_match_all(client, finance, matched):
    # given finance removed the automatic match on the sheet
    client.force_login(finance)
    match = matched.matches.get()
    client.post(_sheet(matched), {"action": "match_remove", "match": match.pk, "request_key": str(uuid.uuid4())})
    # when they press "Match all automatically"
    answer = client.post(reverse("tradespend:deductions-match-all"), follow=True).content.decode()
    # then the match is not put back: the deduction stays unsupported, and its sheet says why
    assert "0 of 1 deductions changed" in answer
    matched.refresh_from_db()
    assert (matched.state, matched.matched_amount, _matches(matched)) == ("unsupported", Decimal("0.00"), [])
    page = client.get(_sheet(matched)).content.decode()
    assert "Matched by hand: finance changed these matches" in page
    assert 'data-testid="match-automatically"' in page


def test_matched_by_hand_elsewhere_the_nightly_job_adds_nothing(client, finance, matched, matching_account):
    # given finance removed the automatic match and matched 500.00 by hand to a DM line instead
    automatic_line = matched.matches.get().line
    dm = matching_line(matching_account, SEP, "2000.00", kind="dm")
    client.force_login(finance)
    client.post(_sheet(matched), {"action": "match_remove", "match": matched.matches.get().pk})
    client.post(_sheet(matched) + "?kinds=all", {"action": "match_add", "match-line": dm.pk, "match-amount": "500.00"})
    # when the nightly job runs (the ledger, then the automatic matching)
    tasks.accruals_nightly()
    # then only finance's 500.00 stands: nothing added from the end-cap line that still has 1,000.00 left
    matched.refresh_from_db()
    assert (matched.state, matched.matched_amount) == ("partly_matched", Decimal("500.00"))
    assert _matches(matched) == [(dm.pk, Decimal("500.00"), False)]
    assert not DeductionMatch.objects.filter(line=automatic_line).exists()


def test_handed_back_on_the_sheet_it_is_matched_automatically_again(client, finance, matched, matching_account):
    # given finance matched 500.00 by hand elsewhere after removing the automatic match
    automatic_line = matched.matches.get().line
    dm = matching_line(matching_account, SEP, "2000.00", kind="dm")
    client.force_login(finance)
    client.post(_sheet(matched), {"action": "match_remove", "match": matched.matches.get().pk})
    client.post(_sheet(matched) + "?kinds=all", {"action": "match_add", "match-line": dm.pk, "match-amount": "500.00"})
    # when they press "Match automatically again" (the sheet says first that their match by hand goes)
    page = client.get(_sheet(matched)).content.decode()
    assert "The match by hand (500.00) is released, with any automatic one." in page
    answer = client.post(_sheet(matched), {"action": "match_automatically"}, follow=True).content.decode()
    # then their match by hand is released and automatic matching decides afresh: the whole fee on its end-cap line
    assert "Matched automatically afresh: now Matched, 1,000.00 matched." in answer
    matched.refresh_from_db()
    assert (matched.state, matched.matched_amount) == ("matched", Decimal("1000.00"))
    assert _matches(matched) == [(automatic_line.pk, Decimal("1000.00"), True)]
    assert not DeductionMatch.objects.filter(line=dm).exists()
    assert "Matched by hand: finance changed these matches" not in answer
    assert not MatchedByHand.objects.filter(deduction=matched).exists()


def test_the_api_doors(api_client, finance, matched, matching_account):
    api_client.force_authenticate(finance)
    base = f"/api/v1/deductions/{matched.pk}"
    # given finance removed the automatic match through the API: the answer says it is matched by hand
    removed = api_client.post(f"{base}/matches/{matched.matches.get().pk}/remove/", format="json")
    assert removed.status_code == 200 and removed.json()["matched_by_hand"] is True
    assert removed.json()["state"] == "unsupported"
    # when the API's automatic run goes over the account
    run = api_client.post("/api/v1/deduction-matching/", {"account": matching_account.code}, format="json")
    # then nothing is matched to it
    assert run.status_code == 200 and run.json()["matches_created"] == 0
    matched.refresh_from_db()
    assert (matched.state, _matches(matched)) == ("unsupported", [])
    # when finance hands it back
    back = api_client.post(f"{base}/match-automatically/", format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    # then it is matched automatically again
    assert back.status_code == 200, back.json()
    body = back.json()
    assert (body["state"], body["matched_amount"], body["matched_by_hand"]) == ("matched", "1000.00", False)
    # and handing back one that is not matched by hand is refused, saying so
    again = api_client.post(f"{base}/match-automatically/", format="json")
    assert again.status_code == 409 and again.json()["code"] == "match.not_by_hand"


def test_a_match_added_through_the_api_marks_it_too(api_client, finance, matching_account, matching_invoice):
    # given a TG fee of 1,000.00 with nothing to match, and finance matching 300.00 by hand to a DM line
    deduction = matching_deduction(matching_invoice, "1000.00")
    dm = matching_line(matching_account, SEP, "300.00", kind="dm")
    api_client.force_authenticate(finance)
    added = api_client.post(
        f"/api/v1/deductions/{deduction.pk}/matches/", {"line": dm.pk, "amount": "300.00"}, format="json"
    )
    assert added.status_code == 201 and added.json()["matched_by_hand"] is True
    # when an end-cap line appears and the automatic matching runs
    matching_line(matching_account, SEP, "1000.00")
    api_client.post("/api/v1/deduction-matching/", {}, format="json")
    # then it still has finance's 300.00 alone
    deduction.refresh_from_db()
    assert (deduction.state, deduction.matched_amount) == ("partly_matched", Decimal("300.00"))


def test_a_deduction_in_a_closed_month_is_not_handed_back(api_client, finance, matched):
    # given finance removed its match, then its month was closed
    api_client.force_authenticate(finance)
    api_client.post(f"/api/v1/deductions/{matched.pk}/matches/{matched.matches.get().pk}/remove/", format="json")
    ClosedMonth.objects.create(month=SEP)
    # when they try to hand it back
    answer = api_client.post(f"/api/v1/deductions/{matched.pk}/match-automatically/", format="json")
    # then it is refused and nothing changes
    assert answer.status_code == 400 and answer.json()["code"] == "month.closed"
    assert MatchedByHand.objects.filter(deduction=matched).exists()
    assert _matches(matched) == []


def test_a_display_fee_released_is_not_matched_again_automatically_when_matched_by_hand(
    finance, matching_account, matching_invoice
):
    # given a TG fee of 1,000.00 matched automatically 600.00 to an end-cap line, and 400.00 by hand to a DM line
    end_cap = matching_line(matching_account, SEP, "600.00")
    deduction = matching_deduction(matching_invoice, "1000.00")
    dm = matching_line(matching_account, SEP, "400.00", kind="dm")
    deduction_match_add(deduction=deduction, line=dm, amount=Decimal("400.00"), by=finance)
    # and another end-cap line of the month with room, then the ledger lowering the first (evidence not met)
    other = matching_line(matching_account, SEP, "1000.00")
    AccrualLine.objects.filter(pk=end_cap.pk).update(amount=Decimal("0.00"))
    # when the display fees' automatic matches are released
    release_unbacked([matching_account.pk])
    # then its automatic match goes, finance's stays, and nothing is matched to the other line automatically
    deduction.refresh_from_db()
    assert (deduction.state, deduction.matched_amount) == ("partly_matched", Decimal("400.00"))
    assert _matches(deduction) == [(dm.pk, Decimal("400.00"), False)]
    assert not DeductionMatch.objects.filter(line=other).exists()
    # and handed back, automatic matching decides it afresh: finance's DM match released, the fee on the end cap
    deduction_match_automatically(deduction=deduction, by=finance)
    assert _matches(deduction) == [(other.pk, Decimal("1000.00"), True)]
    assert Deduction.objects.get(pk=deduction.pk).state == "matched"


def test_the_deductions_list_marks_and_filters_those_matched_by_hand(client, finance, matched, matching_invoice):
    other = matching_deduction(matching_invoice, "700.00", kind="dm")  # left to the automatic matching
    client.force_login(finance)
    match = matched.matches.get()
    client.post(_sheet(matched), {"action": "match_remove", "match": match.pk, "request_key": str(uuid.uuid4())})

    listed = client.get(reverse("tradespend:deductions"), {"by_hand": "true"})
    assert [d.pk for d in listed.context["object_list"]] == [matched.pk]
    assert 'data-testid="by-hand"' in listed.content.decode()
    rest = client.get(reverse("tradespend:deductions"), {"by_hand": "false"})
    assert matched.pk not in [d.pk for d in rest.context["object_list"]] and other.pk in [
        d.pk for d in rest.context["object_list"]
    ]


def test_handed_back_through_the_api_finance_s_matches_go_and_matching_decides_afresh(
    api_client, finance, matching_account, matching_invoice
):
    # given a TG fee of 1,000.00 finance matched by hand: 300.00 to a DM line, 200.00 to an end-cap line kept at 0
    # (no longer due, kept only for its match); no other end-cap line has room
    deduction = matching_deduction(matching_invoice, "1000.00")
    dm = matching_line(matching_account, SEP, "300.00", kind="dm")
    kept = matching_line(matching_account, SEP, "200.00")
    deduction_match_add(deduction=deduction, line=dm, amount=Decimal("300.00"), by=finance)
    deduction_match_add(deduction=deduction, line=kept, amount=Decimal("200.00"), by=finance)
    AccrualLine.objects.filter(pk=kept.pk).update(amount=Decimal("0.00"))
    api_client.force_authenticate(finance)
    # when finance hands it back
    back = api_client.post(f"/api/v1/deductions/{deduction.pk}/match-automatically/", format="json")
    # then automatic matching decides it afresh: nothing of its kind holds it, so it is unsupported, with no match
    assert back.status_code == 200, back.json()
    body = back.json()
    assert (body["state"], body["matched_amount"], body["matches"], body["matched_by_hand"]) == (
        "unsupported",
        "0.00",
        [],
        False,
    )
    assert _matches(deduction) == []
    # and the line kept at 0 only for its match goes with it; the DM line stays, free again
    assert not AccrualLine.objects.filter(pk=kept.pk).exists()
    assert AccrualLine.objects.filter(pk=dm.pk).exists()


def test_handing_back_is_one_transaction(finance, matched, monkeypatch):
    # given finance matched it by hand (removed the automatic match, matched 400.00 back by hand)
    from tradespend import matching
    from tradespend.matching import deduction_match_remove

    line = matched.matches.get().line
    deduction_match_remove(match=matched.matches.get(), by=finance)
    deduction_match_add(deduction=matched, line=line, amount=Decimal("400.00"), by=finance)

    # when the automatic matching fails half way through handing it back
    def broken(**kwargs):
        raise RuntimeError("matching failed")

    monkeypatch.setattr(matching, "deductions_match", broken)
    with pytest.raises(RuntimeError):
        deduction_match_automatically(deduction=matched, by=finance)
    # then nothing was released: finance's match and the mark stand, the deduction as it was
    assert _matches(matched) == [(line.pk, Decimal("400.00"), False)]
    assert MatchedByHand.objects.filter(deduction=matched).exists()
    matched.refresh_from_db()
    assert (matched.state, matched.matched_amount) == ("partly_matched", Decimal("400.00"))


def test_the_deductions_api_lists_and_filters_those_matched_by_hand(api_client, finance, matched, matching_invoice):
    # given one deduction finance matched by hand and one left to automatic matching
    other = matching_deduction(matching_invoice, "700.00", kind="dm")
    deduction_match_remove(match=matched.matches.get(), by=finance)
    api_client.force_authenticate(finance)
    # then the list says which, and filters by it
    listed = api_client.get("/api/v1/deductions/").json()["results"]
    assert {row["id"]: row["matched_by_hand"] for row in listed} == {matched.pk: True, other.pk: False}
    assert [r["id"] for r in api_client.get("/api/v1/deductions/", {"by_hand": "true"}).json()["results"]] == [
        matched.pk
    ]
    assert [r["id"] for r in api_client.get("/api/v1/deductions/", {"by_hand": "false"}).json()["results"]] == [
        other.pk
    ]
    assert api_client.get(f"/api/v1/deductions/{matched.pk}/").json()["matched_by_hand"] is True


def test_the_deductions_api_reads_the_marks_in_a_fixed_number_of_queries(
    api_client, finance, matching_account, matching_invoice, lists_read_afresh
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.force_authenticate(finance)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            answer = api_client.get("/api/v1/deductions/", {"page_size": 50})
        assert answer.status_code == 200
        return len(queries)

    def by_hand_over_deducted(amount):  # each its own amount: not twins (suspected duplicates)
        deduction = matching_deduction(matching_invoice, amount)
        line = matching_line(matching_account, SEP, amount)
        deduction_match_add(deduction=deduction, line=line, amount=Decimal(amount), by=finance)
        AccrualLine.objects.filter(pk=line.pk).update(amount=Decimal("100.00"))

    by_hand_over_deducted("500.00")
    one = page_queries()
    for n in range(5):
        by_hand_over_deducted(f"{501 + n}.00")
    listed = api_client.get("/api/v1/deductions/").json()["results"]
    assert len(listed) == 6 and all(row["matched_by_hand"] and row["over_deducted"] for row in listed)
    assert one > 3 and page_queries() <= one  # built afresh (no page from memory), none more for 6 rows than 1
