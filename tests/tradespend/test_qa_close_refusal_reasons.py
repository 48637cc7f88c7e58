"""QA (finance clerk): /trade-spend/months/close/?month=2024-12 said "the first open month is 2026-12, so 2024-12
cannot be closed" — but 2024-12 is open: it is before the books begin (2025-01), where the closes began. A month
before the closed ones is now refused for its true reason (month.before_first_record before the books' first month;
month.before_first_open for one holding records dated before the first closed month), at the page and the API; and a
month that cannot be closed shows no "What will be frozen" table of zeros (nor the month not over yet)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from ka_portal.errors import DomainError
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tradespend.closing import month_close, month_close_preview
from tradespend.models import ClosedMonth
from tradespend.rules import add_months, months_between

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 12, 6)
CLOSE = "tradespend:month-close"


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to("2026-12-06 10:00 +08:00")


@pytest.fixture
def closed_through_november(finance):
    """The demo's books: the first record an invoice of 2025-01-10, every month 2025-01 … 2026-11 closed."""
    account = KeyAccountFactory(code="TRUST", name="好又多")
    InvoiceFactory(number="FP-2025-01", account=account, date=date(2025, 1, 10), amount=D("5000.00"))
    closer = make_user(Role.FINANCE, username="closer")
    ClosedMonth.objects.bulk_create(
        ClosedMonth(month=month, closed_by=closer) for month in months_between(date(2025, 1, 1), date(2026, 11, 1))
    )
    return account


def _refusal(month) -> DomainError:
    with translation.override("en"), pytest.raises(DomainError) as refused:
        month_close(month=month, by=make_user(Role.FINANCE), today=TODAY)
    return refused.value


def test_a_month_before_the_books_and_the_closes_is_refused_for_that_reason(closed_through_november):
    refusal = _refusal(date(2024, 12, 1))

    assert (refusal.code, refusal.field) == ("month.before_first_record", "month")
    assert refusal.params == {"month": "2024-12", "first": "2025-01", "closed_from": "2025-01", "next": "2026-12"}
    with translation.override("en"):
        assert refusal.detail == (
            "2024-12 cannot be closed: nothing is recorded in it or before it, as the books begin in 2025-01. Months "
            "close in order from the books' first month: closing began with 2025-01, and the next month to close is "
            "2026-12."
        )
    assert not ClosedMonth.objects.filter(month=date(2024, 12, 1)).exists()


def test_a_month_holding_records_dated_before_the_first_closed_one_is_refused_as_out_of_order(
    closed_through_november,
):
    # given an invoice dated 2024-11, before the first closed month (written before the rule refusing it)
    InvoiceFactory(number="FP-2024-11", account=closed_through_november, date=date(2024, 11, 3))

    refusal = _refusal(date(2024, 12, 1))

    # 2024-11 closes first, as a catch-up (test_month_close_catch_up.py); 2024-12 in its turn after it
    assert refusal.code == "month.before_first_open"
    assert refusal.params == {"month": "2024-12", "closed_from": "2025-01", "first": "2024-11"}
    with translation.override("en"):
        assert refusal.detail.startswith(
            "2024-12 cannot be closed yet: records are dated before 2025-01, the first closed month"
        )


@pytest.mark.english
def test_the_close_page_says_why_and_shows_nothing_to_freeze(client, finance, closed_through_november):
    client.force_login(finance)

    page = client.get(reverse(CLOSE), {"month": "2024-12"})

    html = page.content.decode()
    assert page.context["preview"].refusal.code == "month.before_first_record"
    assert "as the books begin in 2025-01" in html and "the first open month is" not in html
    assert "What will be frozen" not in html and 'data-testid="preview"' not in html
    assert 'data-testid="confirm-close"' not in html


@pytest.mark.english
def test_a_month_not_over_yet_shows_its_refusal_and_no_table(client, finance, closed_through_november):
    client.force_login(finance)

    page = client.get(reverse(CLOSE), {"month": "2026-12"})

    html = page.content.decode()
    assert "2026-12 is not over yet: a month can be closed from the first day of the next month." in html
    assert "What will be frozen" not in html and 'data-testid="preview"' not in html
    assert page.context["preview"].rows == []


def test_a_refused_month_computes_nothing_to_freeze(finance, closed_through_november, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):  # the refusal's checks only: no ledger run, no figures
        preview = month_close_preview(month=date(2024, 12, 1), by=finance, today=TODAY)

    assert preview.refusal.code == "month.before_first_record" and preview.rows == []


def test_the_month_that_may_close_still_shows_what_will_be_frozen(finance, closed_through_november):
    # given December over: it is the next month to close
    InvoiceFactory(number="FP-2026-12", account=closed_through_november, date=date(2026, 12, 2))
    preview = month_close_preview(month=date(2026, 12, 1), by=finance, today=add_months(TODAY, 1))

    assert preview.refusal is None
    assert [account.code for account, _row in preview.rows] == ["TRUST"]


def test_the_api_refuses_it_naming_the_true_reason(api_client, finance, closed_through_november):
    api_client.force_authenticate(finance)

    answer = api_client.post("/api/v1/closed-months/", {"month": "2024-12"}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    assert answer.json()["code"] == "month.before_first_record"
    assert answer.json()["detail"].startswith("2024-12 cannot be closed: nothing is recorded in it or before it")
    assert not ClosedMonth.objects.filter(month=date(2024, 12, 1)).exists()
