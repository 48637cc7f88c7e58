"""The months page reaches the month that must close next, however far back (QA: the page showed at most 36 months, so
a catch-up month of records dated before the first closed month — tradespend.closing.catch_up_month — or the books'
first month before any close, four years back, had no "Close" button anywhere, and every later month was refused
until it closed). Every month is listed, newest first, 36 a page; a page that does not hold the month to close next
names it above the list with its button and a link to its page."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tradespend.closing import next_month_to_close
from tradespend.models import ClosedMonth
from tradespend.rules import months_between

pytestmark = [pytest.mark.django_db, pytest.mark.english]
D = Decimal
MAY_22 = date(2022, 5, 1)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to("2026-12-06 10:00 +08:00")


@pytest.fixture
def legacy(db):
    """Books closed 2023-01 … 2026-10 from an invoice of 2023-01-10, an invoice of 2026-11 waiting, and an invoice
    dated 2022-05-03 entered before records dated before a closed month were refused: 2022-05 must close first."""
    account = KeyAccountFactory(code="TRUST", name="好又多")
    InvoiceFactory(number="FP-2023-01", account=account, date=date(2023, 1, 10), amount=D("5000.00"))
    InvoiceFactory(number="FP-2026-11", account=account, date=date(2026, 11, 10), amount=D("700.00"))
    closer = make_user(Role.FINANCE, username="closer")
    ClosedMonth.objects.bulk_create(
        ClosedMonth(month=month, closed_by=closer) for month in months_between(date(2023, 1, 1), date(2026, 10, 1))
    )
    InvoiceFactory(number="FP-2022-05", account=account, date=date(2022, 5, 3), amount=D("1234.00"))
    assert next_month_to_close() == MAY_22
    return account


def _months(rows) -> list[str]:
    return [f"{row['month']:%Y-%m}" for row in rows]


def test_the_first_page_names_the_month_to_close_with_its_button_and_its_page(client, finance, legacy):
    client.force_login(finance)

    page = client.get(reverse("tradespend:months"))

    # the newest 36 months: 2026-12 back to 2024-01, each as before
    rows = page.context["rows"]
    assert _months(rows)[0] == "2026-12" and _months(rows)[-1] == "2024-01" and len(rows) == 36
    assert not any(row["closable"] for row in rows)
    html = page.content.decode()
    banner = html.split('data-testid="close-next"')[1].split("</div>")[0]
    assert "Months close in order: 2022-05 closes next." in banner
    assert f'href="{reverse("tradespend:month-close")}?month=2022-05"' in banner
    assert ">Close 2022-05<" in banner
    assert f'href="{reverse("tradespend:months")}?page=2"' in banner
    assert 'data-testid="page-info">1–36 of 56<' in html  # 2022-05 … 2026-12


def test_its_page_lists_it_with_its_button_and_the_clerk_closes_it(client, finance, legacy):
    client.force_login(finance)

    page = client.get(reverse("tradespend:months"), {"page": 2})

    rows = page.context["rows"]
    assert _months(rows)[-1] == "2022-05" and len(rows) == 20
    assert [f"{row['month']:%Y-%m}" for row in rows if row["closable"]] == ["2022-05"]
    html = page.content.decode()
    assert 'data-testid="close-next"' not in html  # this page holds it
    assert 'data-month="2022-05"' in html and ">Close 2022-05<" in html
    # and following the button, the month closes
    confirm = client.get(reverse("tradespend:month-close"), {"month": "2022-05"})
    assert 'data-testid="confirm-close"' in confirm.content.decode()


def test_the_months_waiting_list_begins_with_it(client, finance, legacy):
    client.force_login(finance)

    rows = client.get(reverse("tradespend:months"), {"waiting": "true"}).context["rows"]

    # the month holding the record dated back (closing.months_waiting), and 2026-11
    assert _months(rows) == ["2026-11", "2022-05"]
    assert [f"{row['month']:%Y-%m}" for row in rows if row["closable"]] == ["2022-05"]


def test_before_any_close_the_books_first_month_four_years_back_is_reached(client, finance, db):
    account = KeyAccountFactory(code="LHB", name="联华")
    InvoiceFactory(number="FP-2022-09", account=account, date=date(2022, 9, 20), amount=D("800.00"))
    InvoiceFactory(number="FP-2026-10", account=account, date=date(2026, 10, 8), amount=D("900.00"))
    client.force_login(finance)

    first = client.get(reverse("tradespend:months")).content.decode()
    last = client.get(reverse("tradespend:months"), {"page": 2}).context["rows"]

    assert "Months close in order: 2022-09 closes next." in first
    assert [f"{row['month']:%Y-%m}" for row in last if row["closable"]] == ["2022-09"]


def test_a_ka_manager_reads_the_pages_without_a_button(client, manager, legacy):
    legacy.owner = manager
    legacy.save()
    client.force_login(manager)

    first = client.get(reverse("tradespend:months"))
    second = client.get(reverse("tradespend:months"), {"page": 2})

    assert 'data-testid="close-next"' not in first.content.decode()
    assert not any(row["closable"] for row in [*first.context["rows"], *second.context["rows"]])
    assert _months(second.context["rows"])[-1] == "2022-05"
