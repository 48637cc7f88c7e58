"""The finance reports a page function serves (the statement, the aging and its drill-down), asked for their Excel
with a parameter they cannot take, answer the page with its error, a 400 — never a sheet of nothing, or of every
account, passing for what was asked (as a list's export does: ka_portal.lists.FilteredListView)."""

import html
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import services

pytestmark = [pytest.mark.django_db, pytest.mark.english]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def books(account):
    services.invoice_create(account=account, number="INV-X1", date=date(2026, 7, 1), amount=Decimal("800.00"))


@pytest.mark.parametrize(
    ("route", "query", "error"),
    [
        ("contracts:statement", {"account": "WMT", "date_from": "2026-13-01"},
         "“2026-13-01” is not a date: give it as YYYY-MM-DD, e.g. 2026-05-31."),
        ("contracts:statement", {"account": "NOPE"}, "Select a valid choice."),
        ("contracts:statement", {"account": "WMT", "date_from": "1999-01-01", "date_to": "1999-02-01"},
         "From: 1999-01-01 is before the books start on 2000-01-01."),
        ("contracts:statement", {"account": "WMT", "date_from": "2026-05-31", "date_to": "2026-05-01"},
         "The period ends before it starts."),
        ("contracts:aging", {"as_of": "2026-13-01"}, "As of: enter a date as YYYY-MM-DD."),
        ("contracts:aging", {"as_of": "1999-12-31"}, "As of: 1999-12-31 is before the books start on 2000-01-01."),
        ("contracts:aging-invoices", {"as_of": "2026-13-01"}, "As of: enter a date as YYYY-MM-DD."),
        ("contracts:aging-invoices", {"bucket": "bogus"}, "“bogus” is not an aging bucket"),
    ],
)  # fmt: skip
def test_an_export_asked_with_a_wrong_parameter_is_the_page_with_its_error(client, finance, books, route, query,
                                                                            error):  # fmt: skip
    client.force_login(finance)

    answer = client.get(reverse(route), {**query, "export": "xlsx"})

    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")
    page = html.unescape(answer.content.decode())
    assert error in page
    assert 'data-testid="export-xlsx"' not in page  # no link to the same refusal
    assert "INV-X1" not in page  # nothing listed as if it had been asked for


@pytest.mark.parametrize(
    ("route", "query"),
    [
        ("contracts:statement", {"account": "WMT", "date_from": "2026-07-01", "date_to": "2026-07-31"}),
        ("contracts:aging", {"as_of": "2026-11-30"}),
        ("contracts:aging-invoices", {"as_of": "2026-11-30", "bucket": "31_60"}),
    ],
)
def test_the_same_exports_asked_right_are_sheets(client, finance, books, route, query):
    client.force_login(finance)

    answer = client.get(reverse(route), {**query, "export": "xlsx"})

    assert answer.status_code == 200 and answer["Content-Type"] == XLSX


@pytest.mark.parametrize("query", [{"as_of": "2026-13-01"}, {"bucket": "bogus"}])
def test_the_aging_drill_down_says_nothing_was_exported_in_its_own_words(client, finance, books, query):
    # the drill-down has no form above it: what was refused came with the link from the aging report
    client.force_login(finance)

    url = reverse("contracts:aging-invoices")
    exported = html.unescape(client.get(url, {**query, "export": "xlsx"}).content.decode())
    looked = html.unescape(client.get(reverse("contracts:aging-invoices"), query).content.decode())

    words = (
        "Nothing was exported: the link asks for what this list does not take, as said above. Open the list again "
        "from the aging report, then export."
    )
    assert words in exported and 'data-testid="export-refused"' in exported
    assert "a value above is not valid" not in exported
    assert words not in looked and 'data-testid="export-refused"' not in looked  # a look exported nothing to refuse
