"""A week the schedule cannot read is said, not replaced (QA): /promoters/shifts/?week=2026-13-01 (or abc) showed this
week, with its add-shifts form and Copy last week, as if it were the week asked, and ?week=1999-01-04 offered to
plan a 1999 week. The page, its add-shifts form and Copy last week refuse it alike: a 400 naming what was typed and
why, and nothing to plan or copy. A month the promoters' pages cannot read (2026-13) is named as typed, not asked for
as YYYY-MM; the attendance shifts list answers it with a 400 too, as the attendance page does; and the month's
targets, which showed (and saved) this month's for it, refuse it as well."""

import html
from datetime import date, time
from decimal import Decimal

import pytest
from django.urls import reverse

from promoters.models import PromoterTarget, Shift

from .factories import PromoterTargetFactory, ShiftFactory

pytestmark = [pytest.mark.django_db, pytest.mark.english]

NOT_A_DATE = "“{}” is not a date: write it as YYYY-MM-DD."
OUTSIDE = "{} is outside the weeks the portal holds: enter a day from 2000-01-01 to 2100-12-31."
MONDAY = date(2026, 11, 23)  # the week the tests plan: still to come on Friday 2026-11-20 (before_the_week)
LAST_MONDAY = date(2026, 11, 16)  # the week of that Friday
REFUSED = [
    ("2026-13-01", NOT_A_DATE.format("2026-13-01")),
    ("abc", NOT_A_DATE.format("abc")),
    ("1999-01-04", OUTSIDE.format("1999-01-04")),
    ("2101-01-03", OUTSIDE.format("2101-01-03")),
]


@pytest.fixture
def page(client, scene, before_the_week):
    client.force_login(scene.supervisor)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _last_weeks_shift(scene) -> Shift:
    return ShiftFactory(
        promoter=scene.promoter, store=scene.store, day=LAST_MONDAY, starts_at=time(9), ends_at=time(13)
    )


def _nothing_offered(page: str) -> None:
    """No week's grid, no add-shifts form, no Copy last week, no arrows to a week next to one not read."""
    for testid in ("week-form", "week-copy", "week-grid", "week-empty", "week-nav"):
        assert f'data-testid="{testid}"' not in page, testid


@pytest.mark.parametrize(("typed", "said"), REFUSED)
def test_a_week_it_cannot_read_is_said_keeping_what_was_typed_and_nothing_is_offered(page, typed, said):
    answer = page.get(reverse("promoters:week"), {"week": typed})
    shown = _text(answer)
    assert answer.status_code == 400 and said in shown
    assert f'value="{typed}"' in shown and 'type="text" id="week"' in shown  # kept as typed, beside why
    _nothing_offered(shown)


def test_the_add_shifts_form_of_a_week_it_cannot_read_plans_nothing(page, scene):
    answer = page.post(
        reverse("promoters:week"),
        {"week": "1999-01-04", "promoter": scene.promoter.pk, "store": scene.store.code,
         "days": ["1999-01-04", "1999-01-05"], "starts_at": "09:00", "ends_at": "13:00", "plan": ""},
    )  # fmt: skip
    shown = _text(answer)
    assert answer.status_code == 400 and OUTSIDE.format("1999-01-04") in shown
    assert not Shift.objects.exists()
    _nothing_offered(shown)


@pytest.mark.parametrize(("typed", "said"), REFUSED)
def test_copy_last_week_into_a_week_it_cannot_read_copies_nothing(page, scene, typed, said):
    _last_weeks_shift(scene)
    answer = page.post(reverse("promoters:week-copy"), {"week": typed, "store": ""})
    shown = _text(answer)
    assert answer.status_code == 400 and f"Nothing was copied: {said}" in shown
    assert Shift.objects.count() == 1  # only last week's
    _nothing_offered(shown)


@pytest.mark.parametrize("typed", ["2026-11-25", "2000-01-01", " 2026-11-23 "])
def test_any_day_of_a_week_it_reads_is_that_week_with_its_form(page, scene, typed):
    ShiftFactory(promoter=scene.promoter, store=scene.store, day=MONDAY, starts_at=time(9), ends_at=time(13))
    answer = page.get(reverse("promoters:week"), {"week": typed})
    shown = _text(answer)
    assert answer.status_code == 200 and 'data-testid="week-error"' not in shown
    assert 'data-testid="week-form"' in shown and 'data-testid="week-copy"' in shown
    if typed.strip().startswith("2026"):
        assert answer.context["week"] == MONDAY and 'data-testid="week-row"' in shown
    else:
        assert answer.context["week"] == date(1999, 12, 27)  # 2000-01-01 was a Saturday: its week, as it is


def test_no_week_is_this_week(page):
    answer = page.get(reverse("promoters:week"))
    assert answer.status_code == 200 and answer.context["week"] == LAST_MONDAY


def test_the_week_of_a_week_it_reads_still_plans_and_copies(page, scene):
    _last_weeks_shift(scene)
    copied = page.post(reverse("promoters:week-copy"), {"week": MONDAY.isoformat(), "store": ""})
    assert copied.status_code == 302 and Shift.objects.filter(day=MONDAY).count() == 1
    planned = page.post(
        reverse("promoters:week"),
        {"week": "2026-11-25", "promoter": scene.promoter.pk, "store": scene.store.code,
         "days": ["2026-11-26"], "starts_at": "14:00", "ends_at": "18:00", "plan": ""},
    )  # fmt: skip
    assert planned.status_code == 302 and planned["Location"].endswith("week=2026-11-23")
    assert Shift.objects.filter(day=date(2026, 11, 26)).count() == 1


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2026-13", "“2026-13” is not a month: enter it as YYYY-MM, for example 2026-05."),  # it is YYYY-MM: named
        ("1999-01", "1999-01 is outside the months the portal holds: enter one from 2000-01 to 2100-12."),
    ],
)
def test_the_attendance_shifts_of_a_month_it_cannot_read_answer_400_as_the_attendance_page(page, scene, typed, said):
    _last_weeks_shift(scene)
    listed = page.get(reverse("promoters:attendance-shifts"), {"month": typed})
    report = page.get(reverse("promoters:attendance"), {"month": typed})
    shown = _text(listed)
    assert (listed.status_code, report.status_code) == (400, 400)
    assert said in shown and said in _text(report)
    assert f'value="{typed}"' in shown and 'data-testid="attendance-shift"' not in shown
    good = page.get(reverse("promoters:attendance-shifts"), {"month": "2026-11"})
    assert good.status_code == 200 and 'data-testid="attendance-shift"' in _text(good)


# --- the month's targets: a month it cannot read is said, and nothing is saved for this month instead -------------


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2026-13", "Month: “2026-13” is not a month: enter it as YYYY-MM, for example 2026-05."),
        ("1999-01", "Month: 1999-01 is outside the months the portal holds: enter one from 2000-01 to 2100-12."),
    ],
)
def test_the_targets_of_a_month_it_cannot_read_are_neither_shown_nor_saved(page, scene, typed, said):
    PromoterTargetFactory(promoter=scene.promoter, month=date(2026, 11, 1), amount=Decimal("5000"))
    shown = page.get(reverse("promoters:targets"), {"month": typed})
    saved = page.post(reverse("promoters:targets"), {"month": typed, f"amount_{scene.promoter.pk}": "30000"})
    for answer in (shown, saved):
        text = _text(answer)
        assert answer.status_code == 400 and said in text and f'value="{typed}"' in text
        assert 'data-testid="targets-form"' not in text and "王小红" not in text  # not this month's form
    assert list(PromoterTarget.objects.values_list("month", "amount")) == [(date(2026, 11, 1), Decimal("5000"))]


def test_the_targets_of_a_month_it_reads_are_that_months(page, scene):
    answer = page.get(reverse("promoters:targets"), {"month": "2026-12"})
    text = _text(answer)
    assert answer.status_code == 200 and 'data-testid="targets-form"' in text and "Target for 2026-12" in text
    assert page.get(reverse("promoters:targets")).context["month"] == date(2026, 11, 1)  # none given: this month
