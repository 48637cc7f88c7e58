"""Demo month close: finance has closed every month that is over, the promoters' pay in it, so the months page, the
frozen figures and a true-up have something to show on a fresh install; a second run closes nothing more."""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F, Sum
from django.urls import reverse

from accounts.models import KeyAccount
from demo.company import seed_demo
from promoters.models import Shift
from tradespend.closing import months_waiting
from tradespend.models import AccrualLine, AccrualRun, ClosedFigure, ClosedMonth
from tradespend.reports import gross_to_net

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
LAST_CLOSED = date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _on_seed_day(time_machine):
    """Read on the day the demo was seeded (DEMO_TODAY): the months page's current month is the clock's."""
    time_machine.move_to(datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def test_every_month_that_is_over_is_closed_and_the_months_page_says_so(demo_company, client):
    # Given the demo company seeded on 2026-11-23
    finance = get_user_model().objects.get(username="finance1")

    # Then every month up to October holds a closed row, by finance, with frozen figures; none waits
    assert ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first() == LAST_CLOSED
    assert set(ClosedMonth.objects.values_list("closed_by__username", flat=True)) == {"finance1"}
    assert ClosedFigure.objects.filter(closed_month__month=LAST_CLOSED).exists()
    assert months_waiting(date(2026, 11, 1)) == []

    # When finance opens the months page
    client.force_login(finance)
    page = client.get(reverse("tradespend:months"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # Then October shows as closed by finance1, November as the current month, and nothing is left to close
    october = re.search(r'<tr data-month="2026-10">(.*?)</tr>', page, re.S).group(1)
    assert "Closed" in october and f"by {finance.last_name}{finance.first_name}" in october
    november = re.search(r'<tr data-month="2026-11">(.*?)</tr>', page, re.S).group(1)
    assert "Current month" in november
    assert "Not closed" not in page and 'data-testid="close-month"' not in page


def test_a_closed_month_shows_its_frozen_figures(demo_company, client):
    # Given October closed by the demo
    frozen = ClosedFigure.objects.filter(closed_month__month=LAST_CLOSED)
    net = frozen.aggregate(net=Sum(F("gross") - F("rebates") - F("fixed_fees") - F("promotion") - F("unsupported")))[
        "net"
    ]
    client.force_login(get_user_model().objects.get(username="finance1"))

    # When finance reads October's gross to net
    page = client.get(
        reverse("tradespend:gross-to-net"), {"month_from": "2026-10", "month_to": "2026-10"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    # Then the page says the month is closed and shows the frozen net
    assert "1 closed month (frozen figures)" in page
    assert net and f"{net:,.2f}" in page


def test_only_the_shift_keyed_in_after_the_close_comes_as_a_true_up(demo_company, client):
    # Given the promoters' pay booked in the months it was earned before finance closed them, and one shift of
    # October (its last Sunday) keyed into the roster only after October closed
    late = Shift.objects.select_related("promoter", "store__account").get(day=date(2026, 10, 25))
    assert late.created_at > ClosedMonth.objects.get(month=LAST_CLOSED).closed_at
    paid_in_closed_months = AccrualLine.objects.filter(source="promoter", month__lte=LAST_CLOSED)
    assert paid_in_closed_months.exclude(stage=AccrualLine.Stage.TRUE_UP).exists()

    # Then that shift's day is the one true-up, in the first open month, at its store's chain: one day's fee
    line = AccrualLine.objects.select_related("account").get(stage=AccrualLine.Stage.TRUE_UP)
    assert (line.month, line.account, line.amount) == (date(2026, 11, 1), late.store.account, late.promoter.daily_fee)
    assert line.amount == Decimal("180.00")

    # When finance filters the ledger on true-ups
    client.force_login(get_user_model().objects.get(username="finance1"))
    page = client.get(reverse("tradespend:ledger"), {"stage": "true_up"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # Then the line is there with its amount and the reason naming the promoter and the closed month
    assert "180.00" in page
    assert f"True-up for {late.promoter.name} ({late.promoter.code}), closed months 2026-10: owed" in page


def test_every_chain_nets_positive_in_every_month_it_sold_in_and_the_open_month_owes_little(demo_company):
    # Given the demo's ledger, closed through October
    accounts = KeyAccount.objects.all()

    # Then in every month a chain was invoiced, its trade spend (promoters' pay included) leaves a positive net
    for month in range(1, 11):
        report = gross_to_net(accounts=accounts, month_from=date(2026, month, 1), month_to=date(2026, month, 1))
        for row in report.rows:
            figures = row.figures
            assert not figures.gross or figures.net > 0, (month, row.account.code, figures)
    # and the month under way (invoiced only at its end) carries no closed months' pay beyond one day's fee: each
    # chain's spend there is its month's fees, far under what a month's sales bring (QA: 欧尚's December spend was
    # nine tenths of a month's sales, the whole roster's pay since May landing in it as true-ups)
    november = gross_to_net(accounts=accounts, month_from=date(2026, 11, 1), month_to=date(2026, 11, 1))
    october = gross_to_net(accounts=accounts, month_from=LAST_CLOSED, month_to=LAST_CLOSED)
    sold = {row.account.code: row.figures.gross for row in october.rows}
    for row in november.rows:
        assert row.figures.spend < sold[row.account.code] / 2 or not sold[row.account.code], row.account.code


def test_a_second_run_closes_nothing_more(demo_company):
    before = (ClosedMonth.objects.count(), ClosedFigure.objects.count(), AccrualRun.objects.count())
    assert seed_demo(today=TODAY) == 0
    assert (ClosedMonth.objects.count(), ClosedFigure.objects.count(), AccrualRun.objects.count()) == before
