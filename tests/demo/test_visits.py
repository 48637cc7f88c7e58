"""Demo routes and visits: published plans for this week, visits in past weeks, idempotent (on the demo company as
seeded for MONDAY: tests/conftest.py's `demo_company`, seeded once for the run)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from demo.company import seed_demo
from visits import selectors
from visits.models import RoutePlan, SuggestedOrder, Task, Visit

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 23)


def test_demo_gives_every_rep_a_published_week_and_past_visits_once(demo_company):
    assert demo_company == MONDAY
    counts = (RoutePlan.objects.count(), Visit.objects.count(), Task.objects.count())
    assert seed_demo(today=MONDAY) == 0
    assert (RoutePlan.objects.count(), Visit.objects.count(), Task.objects.count()) == counts

    rep1 = get_user_model().objects.get(username="rep1")
    plan = RoutePlan.objects.get(rep=rep1, week_start=MONDAY)
    assert plan.status == RoutePlan.Status.PUBLISHED
    assert plan.stops.count() == 30
    today = selectors.rep_day(rep1, MONDAY)
    assert len(today) == 5 and any(row.tasks for row in today)
    past = Visit.objects.filter(rep=rep1, checked_in_at__date__lt=MONDAY)
    assert 60 <= past.count() <= 90  # three weeks of 30 stops, most of them visited
    assert set(past.values_list("rating", flat=True)) <= {"green", "yellow", "red"}
    assert SuggestedOrder.objects.exists()


def test_next_week_tops_up_the_new_weeks_plan(demo_company):
    seed_demo(today=date(2026, 11, 30))
    assert RoutePlan.objects.filter(week_start=date(2026, 11, 30)).count() == 4


def test_demo_visits_are_done_as_a_visit_must_be_or_say_why(demo_company):
    """A fresh install is consistent with the check-out rule: every past visit is complete (each checklist item,
    each listed product counted or marked not counted, a position) or carries the reason and what was missing;
    every yellow or red says why."""
    from visits import services

    visits = list(Visit.objects.filter(checked_out_at__isnull=False))
    for visit in visits:
        missing = services.visit_missing(visit)
        assert bool(missing) == visit.incomplete == bool(visit.checkout_reason), visit.pk
        assert visit.checkout_missing == (missing.as_json() if missing else {})
        assert (visit.rating == "green") == (visit.rating_reasons == [])
    incomplete = [visit for visit in visits if visit.incomplete]
    short = [visit for visit in visits if visit.short_visit]
    assert 0 < len(incomplete) < len(visits) * 0.1 and 0 < len(short) < len(visits) * 0.1
    assert all(visit.rating in ("yellow", "red") for visit in incomplete + short)
