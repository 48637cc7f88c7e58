"""Months close in order, one after the other from the books' first month (finding: with no month closed yet, an empty
month years before the chain's first record could be closed, fixing the start of the order before the books begin;
and once a month was closed, a later one could be closed past an empty month, leaving it open between closed ones,
free to take records dated in it). Each refusal names the month and why, at the service, the page and the API; the
months page offers the one month that may close."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory
from tradespend.closing import month_close, months_waiting, next_month_to_close
from tradespend.models import ClosedMonth

from .g2n_helpers import invoice

pytestmark = pytest.mark.django_db

MAR, APR, MAY, JUN = date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)
TODAY = date(2025, 7, 15)  # March to June are over


@pytest.fixture
def books_from_march(manager):
    """WMT's first record is an invoice of 2025-03-10; nothing in April."""
    account = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    invoice(account, date(2025, 3, 10), "5000.00")
    return account


def _refused(month, by) -> DomainError:
    with translation.override("en"), pytest.raises(DomainError) as refused:
        month_close(month=month, by=by, today=TODAY)
    return refused.value


def test_nothing_recorded_closes_nothing(finance):
    refusal = _refused(MAR, finance)
    assert (refusal.code, refusal.field) == ("month.nothing_recorded", "month")
    with translation.override("en"):
        assert refusal.detail.startswith("2025-03 cannot be closed: nothing is recorded in it or in any month before")
    assert not ClosedMonth.objects.exists() and next_month_to_close() is None


def test_an_empty_month_before_the_books_begin_is_not_the_first_close(finance, books_from_march):
    refusal = _refused(date(2019, 6, 1), finance)
    assert refusal.code == "month.before_first_record"
    assert refusal.params == {"month": "2019-06", "first": "2025-03"}
    with translation.override("en"):
        assert "the books begin in 2025-03" in refusal.detail and "close 2025-03 first" in refusal.detail
    assert _refused(date(2025, 2, 1), finance).code == "month.before_first_record"  # the month just before too
    assert not ClosedMonth.objects.exists()
    assert next_month_to_close() == MAR
    month_close(month=MAR, by=finance, today=TODAY)
    assert ClosedMonth.objects.months() == frozenset({MAR})


def test_an_empty_month_is_not_skipped_once_a_month_is_closed(finance, books_from_march):
    month_close(month=MAR, by=finance, today=TODAY)
    refusal = _refused(MAY, finance)  # nothing recorded in April or May
    assert refusal.code == "month.leaves_gap" and refusal.params == {"month": "2025-05", "first": "2025-04"}
    with translation.override("en"):
        assert "2025-05 cannot be closed yet" in refusal.detail and "Close 2025-04 first" in refusal.detail
    assert ClosedMonth.objects.months() == frozenset({MAR})
    month_close(month=APR, by=finance, today=TODAY)  # empty: it closes in its turn
    month_close(month=MAY, by=finance, today=TODAY)
    assert ClosedMonth.objects.months() == frozenset({MAR, APR, MAY})


def test_an_empty_month_before_one_with_a_record_waits_with_it(finance, books_from_march):
    month_close(month=MAR, by=finance, today=TODAY)
    invoice(books_from_march, date(2025, 5, 6), "800.00")
    assert months_waiting(date(2025, 7, 1)) == [APR, MAY]  # April has nothing, and still comes first
    refusal = _refused(JUN, finance)
    assert refusal.code == "month.earlier_open" and refusal.params["earlier"] == "2025-04"
    with translation.override("en"):
        assert refusal.detail == "2025-04 is still open: months close in order, so close 2025-04 before 2025-06."


def test_the_months_page_offers_the_next_month_only(client, finance, books_from_march, time_machine):
    time_machine.move_to(date(2025, 7, 15))
    invoice(books_from_march, date(2025, 5, 6), "800.00")
    client.force_login(finance)

    def offered():
        rows = client.get(reverse("tradespend:months")).context["rows"]
        return [f"{row['month']:%Y-%m}" for row in rows if row["closable"]]

    assert offered() == ["2025-03"]  # not the empty months shown before it, nor May
    month_close(month=MAR, by=finance)
    assert offered() == ["2025-04"]  # empty, but next
    waiting = client.get(reverse("tradespend:months"), {"waiting": "true"}).context["rows"]
    assert [f"{row['month']:%Y-%m}" for row in waiting] == ["2025-05", "2025-04"]
    page = client.get(reverse("tradespend:month-close"), {"month": "2025-06"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "2025-04 is still open: months close in order, so close 2025-04 before 2025-06." in page.content.decode()
    assert 'data-testid="confirm-close"' not in page.content.decode()


def test_the_api_refuses_naming_the_month_and_why(api_client, finance, books_from_march):
    api_client.force_authenticate(finance)
    answer = api_client.post("/api/v1/closed-months/", {"month": "2024-12"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "month.before_first_record" and body["params"] == {"month": "2024-12", "first": "2025-03"}
    assert body["detail"].startswith("2024-12 cannot be closed")
    assert api_client.post("/api/v1/closed-months/", {"month": "2025-03"}, format="json").status_code == 201
    gap = api_client.post("/api/v1/closed-months/", {"month": "2025-05"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert gap.status_code == 400 and gap.json()["code"] == "month.leaves_gap"
    assert gap.json()["params"] == {"month": "2025-05", "first": "2025-04"}
    assert ClosedMonth.objects.months() == frozenset({MAR})


def test_a_record_back_dated_before_the_first_closed_month_is_refused_so_later_closes_never_wait_for_it(
    finance, books_from_march
):
    # given: March, the books' first month, closed (April is open and empty)
    month_close(month=MAR, by=finance, today=TODAY)

    # when: an invoice is dated in January, before the closed March
    with translation.override("en"), pytest.raises(DomainError) as refused:
        invoice(books_from_march, date(2025, 1, 20), "800.00")

    # then: refused as closed, naming the month and the closed one after it; nothing recorded, and April still
    # the next month to close (a January invoice would have made January the first month, never closable)
    assert (refused.value.code, refused.value.params) == ("month.closed", {"month": "2025-01", "last": "2025-03"})
    with translation.override("en"):
        assert "2025-01 is before 2025-03, a closed month" in refused.value.detail
    assert not books_from_march.invoices.filter(date__lt=MAR).exists()
    assert next_month_to_close() == APR
    # and a day after the closed month is taken as before
    invoice(books_from_march, date(2025, 4, 2), "100.00")
