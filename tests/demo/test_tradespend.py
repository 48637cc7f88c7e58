"""Demo trade spend: the ledger, matched and unsupported deductions, a duplicate, disputes — every trade-spend page
has something to show for finance and for a KA manager, the books still reconcile, a second run adds nothing."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import KeyAccount
from contracts.models import Deduction
from contracts.selectors import account_reconciliation
from demo.tradespend import seed_trade_spend
from tradespend.models import AccrualLine, Dispute
from tradespend.reports import gross_to_net

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def test_demo_trade_spend_fills_the_pages_and_keeps_the_books(demo_company, client):
    lines, deductions = AccrualLine.objects.count(), Deduction.objects.count()
    assert seed_trade_spend(today=TODAY) == 0
    assert (AccrualLine.objects.count(), Deduction.objects.count()) == (lines, deductions)

    states = set(Deduction.objects.values_list("state", flat=True))
    assert states == set(Deduction.State.values)  # matched, partly matched, unsupported and a suspected duplicate
    assert set(AccrualLine.objects.values_list("category", flat=True)) == {"rebate", "fixed_fee", "promotion"}
    assert set(Dispute.objects.values_list("status", flat=True)) == {"open", "write_off_requested"}
    assert all(account_reconciliation(account).reconciles for account in KeyAccount.objects.all())

    finance = get_user_model().objects.get(username="finance1")
    client.force_login(finance)
    page = client.get(reverse("tradespend:deductions"), {"state": "duplicate"}, HTTP_ACCEPT_LANGUAGE="en")
    twin = Deduction.objects.get(state="duplicate")
    assert twin.reference in page.content.decode()
    ledger = client.get(reverse("tradespend:ledger"), {"kind": "end_cap"}, HTTP_ACCEPT_LANGUAGE="en")
    assert re.search(r"<td>(<span[^>]*>)?TG fee<", ledger.content.decode())  # the kind's cell

    # the write-off waits for the chain's own KA manager, who sees it among their chain's disputes
    waiting = Dispute.objects.get(status="write_off_requested")
    client.force_login(waiting.deduction.account.owner)
    disputes = client.get(reverse("tradespend:disputes"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert waiting.deduction.reference in disputes or waiting.reason in disputes
    account = waiting.deduction.account
    chain = client.get(
        reverse("tradespend:gross-to-net-account", args=[account.code]),
        {"month_from": "2026-01", "month_to": "2026-11"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    figures = gross_to_net(
        accounts=KeyAccount.objects.filter(pk=account.pk), month_from=date(2026, 1, 1), month_to=date(2026, 11, 1)
    ).total
    assert figures.gross > figures.net > 0 and figures.unsupported >= waiting.deduction.amount
    assert f"{figures.net:,.2f}" in chain and f"{figures.unsupported:,.2f}" in chain
