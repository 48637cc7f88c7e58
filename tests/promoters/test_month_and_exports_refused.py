"""The promoters' month and exports read as every other list's (QA): the attendance month said "enter a month as
YYYY-MM" for 1999-01, a month written right but outside the months the portal holds (ka_portal/months.py says so,
with the range, everywhere else); and an export with a filter it cannot read answers the page with the filter's
error, a 400, never a sheet of this month's (or of no) rows passing for the month asked — the attendance page's
export, its shifts' export, the appraisal's, the sell-out's and the roster's alike (ka_portal.lists.FilteredListView
for the lists)."""

import html
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from .factories_phone import phone_world

pytestmark = [pytest.mark.django_db, pytest.mark.english]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OUTSIDE = "1999-01 is outside the months the portal holds: enter one from 2000-01 to 2100-12."
NOT_A_MONTH = "“2026-13” is not a month: enter it as YYYY-MM, for example 2026-05."
NOTHING_EXPORTED = "Nothing was exported: correct the filters marked below, then export again."


@pytest.fixture
def w(time_machine, client):
    """June 2026, the evening of the 1st: the promoter's shift that day is over (unconfirmed)."""
    time_machine.move_to(timezone.make_aware(datetime(2026, 6, 1, 20)), tick=False)
    world = phone_world()
    client.force_login(world.supervisor)
    return world


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(("typed", "said"), [("1999-01", OUTSIDE), ("2026-13", NOT_A_MONTH)])
def test_the_attendance_month_says_what_is_wrong_and_keeps_what_was_typed(w, client, typed, said):
    answer = client.get(reverse("promoters:attendance"), {"month": typed})
    page = _text(answer)
    assert answer.status_code == 400 and said in page
    assert f'value="{typed}"' in page and 'type="text" id="month"' in page  # kept as typed, in a box that shows it
    # nothing shown for it: not this month's figures passing for the month asked, nothing to export
    assert 'data-testid="by-promoter"' not in page and 'data-testid="no-shifts"' not in page
    assert 'data-testid="export-xlsx"' not in page and 'data-testid="export-refused"' not in page


def test_a_month_in_range_is_the_report_as_before(w, client):
    page = _text(client.get(reverse("promoters:attendance"), {"month": "2026-06"}))
    assert 'data-testid="by-promoter"' in page and 'value="2026-06"' in page and 'type="month"' in page
    assert OUTSIDE not in page


@pytest.mark.parametrize(("typed", "said"), [("1999-01", OUTSIDE), ("2026-13", NOT_A_MONTH)])
def test_the_attendance_export_of_a_bad_month_is_the_page_saying_so(w, client, typed, said):
    answer = client.get(reverse("promoters:attendance"), {"month": typed, "export": "xlsx"})
    assert answer.status_code == 400 and answer["Content-Type"].startswith("text/html")
    page = _text(answer)
    assert said in page and NOTHING_EXPORTED in page and 'data-testid="export-xlsx"' not in page


def test_the_attendance_api_reads_the_month_as_the_page(w):
    api = APIClient()
    api.force_authenticate(w.supervisor)
    url = reverse("promoter-attendance-report")
    outside = api.get(url, {"month": "1999-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert outside.status_code == 400
    assert (outside.json()["code"], outside.json()["detail"]) == ("month.out_of_range", OUTSIDE)
    assert outside.json()["params"] == {"value": "1999-01", "first": "2000-01", "last": "2100-12"}
    not_a_month = api.get(url, {"month": "2026-13"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (not_a_month["code"], not_a_month["detail"]) == ("attendance.month_invalid", NOT_A_MONTH)
    assert api.get(url, {"month": "2026-06"}).json()["total"]["planned"] == 2


@pytest.mark.parametrize(("typed", "said"), [("1999-01", OUTSIDE), ("2026-13", NOT_A_MONTH)])
def test_the_attendance_shifts_of_a_bad_month_are_none_and_not_exported(w, client, typed, said):
    """The report's link to its shifts carries the month: one the list cannot read listed this month's shifts (and
    exported them) as if they were that month's."""
    url = reverse("promoters:attendance-shifts")
    shown = client.get(url, {"month": typed})
    page = _text(shown)
    assert shown.status_code == 400  # as the attendance page answers that month
    assert said in page and f'value="{typed}"' in page  # the month's box shown, with what was typed and why
    assert 'data-testid="attendance-shift"' not in page and 'data-testid="export-xlsx"' not in page
    exported = client.get(url, {"month": typed, "export": "xlsx"})
    assert exported.status_code == 400 and exported["Content-Type"].startswith("text/html")
    assert said in _text(exported) and NOTHING_EXPORTED in _text(exported)
    # a month it reads lists that month's shifts, From and To showing its days, the month's box left out
    good = _text(client.get(url, {"month": "2026-06"}))
    assert good.count('data-testid="attendance-shift"') == 2 and 'value="2026-06-01"' in good
    assert 'name="month"' not in good


@pytest.mark.parametrize(
    ("route", "query", "said"),
    [
        ("promoters:appraisal", {"month": "1999-01"}, OUTSIDE),
        ("promoters:appraisal", {"month": "2026-06", "store": "NOPE"}, "None of the choices here goes by this code."),
        ("promoters:sell-out", {"since": "2026-06-31"}, "“2026-06-31” is not a date: give it as YYYY-MM-DD"),
        ("promoters:roster", {"active_on": "2026-13-01"}, "“2026-13-01” is not a date: give it as YYYY-MM-DD"),
        ("promoters:attendance-shifts", {"day_from": "2026-06-30", "day_to": "2026-06-01"}, "ends before it starts"),
    ],
)  # fmt: skip
def test_each_export_with_a_refused_filter_is_the_page_with_its_error(w, client, route, query, said):
    answer = client.get(reverse(route), {**query, "export": "xlsx"})
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html") and XLSX not in answer["Content-Type"]
    page = _text(answer)
    assert said in page and NOTHING_EXPORTED in page and 'data-testid="export-refused"' in page
    assert 'data-testid="export-xlsx"' not in page  # no link to the same refusal


@pytest.mark.parametrize(
    ("route", "query"),
    [
        ("promoters:attendance", {"month": "2026-06"}),
        ("promoters:attendance-shifts", {"month": "2026-06"}),
        ("promoters:appraisal", {"month": "2026-06"}),
        ("promoters:sell-out", {"since": "2026-06-01"}),
        ("promoters:roster", {"active_on": "2026-06-01"}),
    ],
)
def test_each_export_with_good_filters_is_a_sheet(w, client, route, query):
    answer = client.get(reverse(route), {**query, "export": "xlsx"})
    assert answer.status_code == 200 and answer["Content-Type"] == XLSX
