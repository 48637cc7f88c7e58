"""Demo month close: finance has closed every month that is over, so the months page, the frozen figures and the
true-ups have something to show on a fresh install; a second run closes nothing more."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F, Sum
from django.urls import reverse

from demo.company import seed_demo
from tradespend.closing import months_waiting
from tradespend.models import AccrualLine, AccrualRun, ClosedFigure, ClosedMonth

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


def test_the_roster_entered_after_the_close_comes_as_a_true_up(demo_company, client):
    # Given the promoters' pay for the closed months, entered after they closed
    true_ups = AccrualLine.objects.filter(stage=AccrualLine.Stage.TRUE_UP)
    assert true_ups.exists()
    assert set(true_ups.values_list("month", flat=True)) == {date(2026, 11, 1)}  # the first open month
    line = true_ups.select_related("account").order_by("-amount").first()

    # When finance filters the ledger on true-ups
    client.force_login(get_user_model().objects.get(username="finance1"))
    page = client.get(reverse("tradespend:ledger"), {"stage": "true_up"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # Then the line is there with its amount and the reason naming its source and the closed months
    assert f"{line.amount:,.2f}" in page
    assert f"True-up for {line.reason_params['source']}, closed months {line.reason_params['months']}: owed" in page


def test_a_second_run_closes_nothing_more(demo_company):
    before = (ClosedMonth.objects.count(), ClosedFigure.objects.count(), AccrualRun.objects.count())
    assert seed_demo(today=TODAY) == 0
    assert (ClosedMonth.objects.count(), ClosedFigure.objects.count(), AccrualRun.objects.count()) == before
