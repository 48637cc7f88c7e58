"""Records dated before the first closed month, entered before months had to close in order (legacy back-dated
records), no longer block closing for good (finding: the next month said "2024-11 is still open", and 2024-11 itself
was refused with month.before_first_open — no way out). They move the books' first month back, and finance closes
those months first, in order, as a catch-up (tradespend.closing.catch_up_month): the books' first month, then each
month after it before the first closed one, empty or not; then the months after the closed run as before. Their
records are frozen as any month's, so the books stay true and the closed months are one run again. Service, months
page and API alike."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from ka_portal.errors import DomainError
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tradespend.closing import catch_up_month, month_close, next_month_to_close
from tradespend.models import ClosedFigure, ClosedMonth
from tradespend.rules import months_between

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 12, 6)
NOV_24, DEC_24, JAN_25, NOV_26 = date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2026, 11, 1)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to("2026-12-06 10:00 +08:00")


@pytest.fixture
def legacy(db):
    """Books closed 2025-01 … 2026-10 from an invoice of 2025-01-10; an invoice of 2026-11 waiting; and an invoice
    dated 2024-11-03, entered before the rule refusing a record dated before a closed month."""
    account = KeyAccountFactory(code="TRUST", name="好又多")
    InvoiceFactory(number="FP-2025-01", account=account, date=date(2025, 1, 10), amount=D("5000.00"))
    InvoiceFactory(number="FP-2026-11", account=account, date=date(2026, 11, 10), amount=D("700.00"))
    closer = make_user(Role.FINANCE, username="closer")
    ClosedMonth.objects.bulk_create(
        ClosedMonth(month=month, closed_by=closer) for month in months_between(JAN_25, date(2026, 10, 1))
    )
    InvoiceFactory(number="FP-2024-11", account=account, date=date(2024, 11, 3), amount=D("1234.00"))
    return account


def _refused(month, by) -> DomainError:
    with translation.override("en"), pytest.raises(DomainError) as refused:
        month_close(month=month, by=by, today=TODAY)
    return refused.value


def test_the_legacy_month_closes_first_then_the_months_after_it_then_the_next_month(finance, legacy):
    # given: the next month after the closed run waits for the legacy month, which is offered first
    assert next_month_to_close() == catch_up_month() == NOV_24
    waiting = _refused(NOV_26, finance)
    assert (waiting.code, waiting.params) == ("month.earlier_open", {"earlier": "2024-11", "month": "2026-11"})
    # and a month between the legacy one and the closed run says what to close first
    between = _refused(DEC_24, finance)
    assert between.code == "month.before_first_open"
    assert between.params == {"month": "2024-12", "closed_from": "2025-01", "first": "2024-11"}
    with translation.override("en"):
        assert between.detail == (
            "2024-12 cannot be closed yet: records are dated before 2025-01, the first closed month (entered before "
            "months had to close in order), so the books begin in 2024-11. Those months close first, one after the "
            "other, as a catch-up: close 2024-11 first, then each month after it before 2025-01."
        )
    # when: finance closes the legacy month
    closed = month_close(month=NOV_24, by=finance, today=TODAY)
    # then: its invoice is frozen in its figures, and the next month is the one after it, though empty
    assert ClosedFigure.objects.get(closed_month=closed, account=legacy).gross == D("1234.00")
    assert catch_up_month() is None and next_month_to_close() == DEC_24
    assert _refused(NOV_26, finance).params == {"earlier": "2024-12", "month": "2026-11"}
    month_close(month=DEC_24, by=finance, today=TODAY)
    # and then the month after the closed run closes as before: the closed months are one run again
    month_close(month=NOV_26, by=finance, today=TODAY)
    assert ClosedMonth.objects.months() == frozenset(months_between(NOV_24, NOV_26))


def test_a_month_before_the_legacy_records_is_still_before_the_books(finance, legacy):
    refusal = _refused(date(2024, 10, 1), finance)

    assert refusal.code == "month.before_first_record"
    assert refusal.params == {"month": "2024-10", "first": "2024-11", "closed_from": "2025-01", "next": "2024-11"}


@pytest.mark.english
def test_the_months_page_offers_the_legacy_month_and_the_api_closes_it(client, api_client, finance, legacy):
    client.force_login(finance)
    rows = client.get(reverse("tradespend:months")).context["rows"]
    assert [f"{row['month']:%Y-%m}" for row in rows if row["closable"]] == ["2024-11"]
    page = client.get(reverse("tradespend:month-close"), {"month": "2024-11"})
    assert 'data-testid="confirm-close"' in page.content.decode()

    api_client.force_authenticate(finance)
    answer = api_client.post("/api/v1/closed-months/", {"month": "2024-11"}, format="json")

    assert answer.status_code == 201, answer.json()
    assert answer.json()["month"] == "2024-11"
    assert NOV_24 in ClosedMonth.objects.months()
