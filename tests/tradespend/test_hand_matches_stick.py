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
from tradespend.matching import deduction_match_add, deduction_match_automatically, release_unbacked
from tradespend.models import AccrualLine, ClosedMonth, DeductionMatch, MatchedByHand

pytestmark = pytest.mark.django_db
SEP = date(2026, 9, 1)


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the assertions read the English texts
    return client


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
    # when they press "Match automatically again"
    answer = client.post(_sheet(matched), {"action": "match_automatically"}, follow=True).content.decode()
    # then the rest is matched automatically at once, their match by hand stays, and the sheet no longer says so
    assert "Handed back to automatic matching: now Matched, 1,000.00 matched." in answer
    matched.refresh_from_db()
    assert (matched.state, matched.matched_amount) == ("matched", Decimal("1000.00"))
    assert _matches(matched) == sorted(
        [(automatic_line.pk, Decimal("500.00"), True), (dm.pk, Decimal("500.00"), False)]
    )
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
    # and handed back, it is
    deduction_match_automatically(deduction=deduction, by=finance)
    assert _matches(deduction) == sorted([(dm.pk, Decimal("400.00"), False), (other.pk, Decimal("600.00"), True)])
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
