"""A money-writing form of the trade-spend pages posted again (a network retry, the browser's resend, a second tab
sending the same form) is answered as the first and writes once: each form drawn carries a request_key, as the
payment form does. The same key with another amount is refused, and a refused post keeps nothing, so it may be
sent again corrected."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Invoice
from tests.factories import KeyAccountFactory
from tests.tradespend.matching_data import matching_deduction, matching_line
from tradespend.disputes import dispute_open
from tradespend.models import AccrualLine, ClosedMonth, DeductionRecovery, Dispute

from .g2n_helpers import invoice

pytestmark = [pytest.mark.django_db, pytest.mark.english]
SEP = date(2026, 9, 1)


def _form_key(page: str, testid: str) -> str:
    """The request_key of the form `data-testid=testid` as the page drew it."""
    form = page.split(f'data-testid="{testid}"')[1].split("</form>")[0]
    return re.search(r'name="request_key" value="([^"]+)"', form).group(1)


def _said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_recovery_posted_twice_is_recorded_once(client, finance, matching_invoice):
    # Given a disputed deduction of 1,000.00 on an invoice of 100,000.00 (99,000.00 open)
    deduction = matching_deduction(matching_invoice, "1000.00")
    dispute_open(deduction=deduction, reason="无合同依据", owner=finance, by=finance)
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    client.force_login(finance)
    page = client.get(url).content.decode()
    body = {
        "action": "recover",
        "request_key": _form_key(page, "recover-form"),
        "recover-amount": "200.00",
        "recover-on": timezone.localdate().isoformat(),
        "recover-note": "退回",
    }

    # When the clerk's "Record the recovery" is sent twice (a retry after the network dropped)
    first = client.post(url, body, follow=True)
    again = client.post(url, body, follow=True)

    # Then 200.00 is recovered once and re-opened once on the invoice, and the repeat is answered as the first
    said = f"200.00 recovered: re-opened on invoice {matching_invoice.number}."
    assert said in _said(first) and _said(again) == _said(first)
    assert DeductionRecovery.objects.count() == 1
    assert Dispute.objects.get().recovered_amount == Decimal("200.00")
    assert Invoice.objects.get(pk=matching_invoice.pk).open_amount == Decimal("99200.00")
    assert 'data-testid="unsupported">800.00<' in again.content.decode()


def test_a_manual_match_posted_twice_matches_once(client, finance, matching_account, matching_invoice):
    # Given a TG deduction of 3,000.00 and a TG line of 5,000.00 written after automatic matching ran
    deduction = matching_deduction(matching_invoice, "3000.00")
    line = matching_line(matching_account, SEP, "5000.00")
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    client.force_login(finance)
    page = client.get(url).content.decode()
    body = {
        "action": "match_add",
        "request_key": _form_key(page, "match-form"),
        "match-line": line.pk,
        "match-amount": "1000.00",
    }

    # When the match is posted twice
    first = client.post(url, body, follow=True)
    again = client.post(url, body, follow=True)

    # Then 1,000.00 is matched, not 2,000.00
    assert "1,000.00 matched to the 2026-09 line." in _said(first) and _said(again) == _said(first)
    deduction.refresh_from_db()
    assert deduction.matched_amount == Decimal("1000.00")
    assert deduction.matches.get().amount == Decimal("1000.00")

    # And the same form with another amount is refused and changes nothing
    changed = client.post(url, {**body, "match-amount": "1500.00"})
    assert changed.status_code == 200
    assert "This key was already used for a different request" in changed.content.decode()
    deduction.refresh_from_db()
    assert deduction.matched_amount == Decimal("1000.00")


def test_a_refused_post_keeps_nothing_and_goes_through_corrected(client, finance, matching_account, matching_invoice):
    deduction = matching_deduction(matching_invoice, "3000.00")
    line = matching_line(matching_account, SEP, "500.00")
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    client.force_login(finance)
    key = _form_key(client.get(url).content.decode(), "match-form")
    body = {"action": "match_add", "request_key": key, "match-line": line.pk}

    refused = client.post(url, {**body, "match-amount": "600.00"})
    done = client.post(url, {**body, "match-amount": "500.00"}, follow=True)

    assert "A match beyond what was accrued" in refused.content.decode()
    assert "500.00 matched to the 2026-09 line." in _said(done)
    deduction.refresh_from_db()
    assert deduction.matched_amount == Decimal("500.00")


def test_removing_a_match_posted_twice_is_answered_as_the_first(client, finance, matching_account, matching_invoice):
    deduction = matching_deduction(matching_invoice, "3000.00")
    line = matching_line(matching_account, SEP, "5000.00")
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    client.force_login(finance)
    client.post(url, {"action": "match_add", "match-line": line.pk, "match-amount": "1000.00"})
    page = client.get(url).content.decode()
    match = deduction.matches.get()
    form = page.split('name="action" value="match_remove"')[0].rsplit("<form", 1)[1]
    key = re.search(r'name="request_key" value="([^"]+)"', form).group(1)
    body = {"action": "match_remove", "match": match.pk, "request_key": key}

    first = client.post(url, body, follow=True)
    again = client.post(url, body, follow=True)

    assert first.status_code == again.status_code == 200  # not "not found" for the match already removed
    assert _said(first) == _said(again) == ["Match removed."]


def test_an_adjustment_posted_twice_adds_one_line(client, finance):
    KeyAccountFactory(code="WMT", name="沃尔玛")
    client.force_login(finance)
    url = reverse("tradespend:ledger-adjust")
    page = client.get(url).content.decode()
    month = f"{timezone.localdate():%Y-%m}"
    body = {
        "request_key": _form_key(page, "adjust-form"),
        "account": "WMT",
        "month": month,
        "kind": "dm",
        "amount": "300.00",  # an added fee: a reversal needs spend accrued (adjustment.beyond_accrued)
        "reason": "DM费少扣",
    }

    first = client.post(url, body, follow=True)
    again = client.post(url, body, follow=True)

    assert _said(first) == _said(again) == [f"Adjustment of 300.00 recorded for WMT in {month}."]
    assert AccrualLine.objects.filter(reason="DM费少扣").count() == 1


def test_a_month_close_posted_twice_says_closed_both_times(client, finance):
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛")
    last_month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    invoice(wmt, last_month.replace(day=10), "1000.00")
    client.force_login(finance)
    url = reverse("tradespend:month-close")
    page = client.get(url, {"month": f"{last_month:%Y-%m}"}).content.decode()
    key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)
    body = {"month": f"{last_month:%Y-%m}", "request_key": key}

    first = client.post(url, body, follow=True)
    again = client.post(url, body, follow=True)

    assert _said(first) == _said(again) == [f"{last_month:%Y-%m} is closed: its figures are frozen."]
    assert ClosedMonth.objects.count() == 1
