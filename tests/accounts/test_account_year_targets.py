"""An account's year on its page (target vs actual, month by month): a month left blank on the targets form has no
target — it shows none and compares nothing — and the year compares its actual with the targets only over the
months that have one (QA: 2027 with only January–March set showed 0.00 targets and a year of −126,000.00, 0.00 %)."""

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.selectors import account_year_by_month, month_runs
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, SalesTargetFactory

pytestmark = pytest.mark.django_db


def _targets(account, year, amounts: dict[int, str]) -> None:
    for month, amount in amounts.items():
        SalesTargetFactory(account=account, year=year, month=month, amount=Decimal(amount))


def _cells(html: str, testid: str) -> list[str]:
    """The texts of a footer row's cells (the achievement under the actual on a phone left out)."""
    row = re.search(rf'<tr[^>]*data-testid="{testid}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"no row {testid}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<div.*?</div>|<[^>]+>", "", cell, flags=re.S)).strip() for cell in cells]


def _month_rows(html: str) -> list[list[str]]:
    body = html.split('data-testid="year-table"')[1].split("<tbody>")[1].split("</tbody>")[0]
    return [
        [re.sub(r"\s+", " ", re.sub(r"<div.*?</div>|<small.*?</small>|<[^>]+>", "", c, flags=re.S)).strip()
         for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]  # fmt: skip


def test_a_year_not_begun_with_only_its_first_quarter_set_compares_nothing(client, manager):
    # Given a manager's account with targets for January to March 2027 only, on 6 December 2026
    account = KeyAccountFactory(owner=manager, code="Q1ONLY")
    _targets(account, 2027, {1: "42000", 2: "42000", 3: "42000"})
    client.force_login(manager)

    # When the manager opens the account's 2027
    with time_machine.travel("2026-12-06 10:00 +0800"):
        html = client.get(
            reverse("accounts:account-detail", args=[account.pk]), {"year": 2027}, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()

    # Then the months left blank show no target (not 0.00), and every month compares nothing yet
    rows = _month_rows(html)
    assert [row[1] for row in rows] == ["42,000.00"] * 3 + ["—"] * 9
    assert all(row[2:] == ["—", "—", "—", "—"] for row in rows)
    # and the months with a target add up to 126,000.00 with nothing to compare, the year has no target and no actual
    assert _cells(html, "with-target") == ["Months with a target: 1–3", "126,000.00", "—", "—", "—", "—"]
    assert _cells(html, "year-total") == ["Year", "—", "—", "—", "—", "—"]
    assert "-126,000.00" not in html and "0.00 %" not in html
    assert "Only months 1–3 have a target" in html


def test_a_year_under_way_compares_its_actual_with_the_targets_only_over_the_months_that_have_one(client, manager):
    # Given targets for January to March (40,000 each) and invoices from January to May
    account = KeyAccountFactory(owner=manager, code="PART")
    _targets(account, 2026, {1: "40000", 2: "40000", 3: "40000"})
    for month, amount in {1: "30000", 2: "50000", 3: "40000", 4: "20000", 5: "10000"}.items():
        InvoiceFactory(account=account, date=date(2026, month, 10), amount=Decimal(amount))

    # When the year is read in June
    year = account_year_by_month(account=account, year=2026, today=date(2026, 6, 15))

    # Then April has its actual and no target, so no difference and no achievement
    april = year.months[3]
    assert (april.targeted, april.actual, april.difference, april.achievement) == (False, Decimal("20000"), None, None)
    # and January to March meet their target: 120,000 against 120,000, not the year's 150,000 against it
    assert year.target_months == "1–3"
    part = year.with_target
    assert (part.target, part.actual, part.difference, part.achievement) == (
        Decimal("120000"), Decimal("120000"), Decimal("0"), Decimal("1"),
    )  # fmt: skip
    # and the year keeps its actual so far, with no target to compare it with
    assert (year.total.actual, year.total.targeted, year.total.difference, year.total.achievement) == (
        Decimal("150000"), False, None, None,
    )  # fmt: skip

    # and the page says the same
    client.force_login(manager)
    with time_machine.travel("2026-06-15 10:00 +0800"):
        html = client.get(
            reverse("accounts:account-detail", args=[account.pk]), {"year": 2026}, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert _cells(html, "with-target") == [
        "Months with a target: 1–3", "120,000.00", "120,000.00", "0.00", "100.00 %", "—",
    ]  # fmt: skip
    assert _cells(html, "year-total") == ["Year", "—", "150,000.00", "—", "—", "—"]
    assert _month_rows(html)[3][:5] == ["4", "—", "20,000.00", "—", "—"]


def test_a_year_with_every_month_set_is_compared_with_the_whole_years_target(manager):
    # Given every month of 2026 set to 10,000 and 30,000 invoiced in January
    account = KeyAccountFactory(owner=manager, code="FULL")
    _targets(account, 2026, dict.fromkeys(range(1, 13), "10000"))
    InvoiceFactory(account=account, date=date(2026, 1, 10), amount=Decimal("30000"))

    # When the year is read in February
    year = account_year_by_month(account=account, year=2026, today=date(2026, 2, 10))

    # Then there is one year row: the actual so far against the whole year's target
    assert year.with_target is None
    assert (year.total.target, year.total.difference, year.total.achievement) == (
        Decimal("120000"), Decimal("-90000"), Decimal("0.25"),
    )  # fmt: skip


def test_a_year_without_any_target_shows_the_actual_and_says_no_month_has_one(client, manager):
    account = KeyAccountFactory(owner=manager, code="NONE")
    InvoiceFactory(account=account, date=date(2026, 1, 10), amount=Decimal("5000"))
    client.force_login(manager)

    with time_machine.travel("2026-02-10 10:00 +0800"):
        html = client.get(
            reverse("accounts:account-detail", args=[account.pk]), {"year": 2026}, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()

    assert 'data-testid="with-target"' not in html
    assert _cells(html, "year-total") == ["Year", "—", "5,000.00", "—", "—", "—"]
    assert "No month of this year has a target yet." in html


@pytest.mark.parametrize(
    ("months", "written"), [([1], "1"), ([1, 2, 3], "1–3"), ([1, 2, 3, 5, 7, 8], "1–3, 5, 7–8"), ([12], "12")]
)
def test_months_with_a_target_are_written_as_runs(months, written):
    assert month_runs(months) == written
