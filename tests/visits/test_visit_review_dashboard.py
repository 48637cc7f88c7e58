"""The supervisor's home counts the visits to review (QA: it never shrank): the team's visits checked out in the last
seven days the supervisor has not reviewed yet, each row opening the visit with its review form; their own review
takes one off the home's list and figures (the account's KA manager's review does not: each reviewer writes their
own), and the figures' links show exactly the visits counted."""

import pytest
import time_machine
from django.urls import reverse

from analytics import dashboards
from tests.visits.review_world import NOW, team, visit_of
from visits import services
from visits.models import Visit

pytestmark = [pytest.mark.django_db, pytest.mark.english]


@pytest.fixture(autouse=True)
def wednesday_afternoon():
    with time_machine.travel(NOW, tick=False):
        yield


def shown_rows(client, url: str) -> int:
    """How many visits the list behind a figure shows."""
    answer = client.get(url)
    assert answer.status_code == 200, url
    return answer.context["paginator"].count


def test_reviewing_takes_a_visit_off_the_supervisors_home(client):
    t = team()
    red = visit_of(t.rep, t.store, rating=Visit.Rating.RED)
    yellow = visit_of(t.rep, t.store, days_ago=3, rating=Visit.Rating.YELLOW)
    green = visit_of(t.rep, t.store, days_ago=1)
    visit_of(t.rep, t.store, hour=14, closed=False)  # still open: not reported, not to review
    visit_of(t.rep, t.store, days_ago=8, rating=Visit.Rating.RED)  # older than the week
    visit_of(t.other_rep, rating=Visit.Rating.RED)  # another team's
    client.force_login(t.supervisor)

    before = dashboards.supervisor_dashboard(t.supervisor, today=NOW.date())
    home = client.get("/").content.decode()

    assert (before.to_review.count, before.red_visits.count, before.yellow_visits.count) == (3, 1, 1)
    assert before.review_list == [red, yellow, green]
    assert shown_rows(client, before.to_review.url) == 3
    assert shown_rows(client, before.red_visits.url) == 1
    assert 'data-testid="visits-to-review-count">3<' in home
    section = home.split('data-testid="visits-to-review"')[1].split("</ul>")[0]
    assert all(f'href="{reverse("visits:visit-detail", args=[visit.pk])}"' in section for visit in (red, yellow, green))
    assert section.index(f"/visits/{red.pk}/") < section.index(f"/visits/{yellow.pk}/")

    services.visit_review(visit=red, by=t.supervisor, comment="缺货，下次补")
    services.visit_review(visit=green, by=t.manager)  # the account's manager's review: still the supervisor's to do

    after = dashboards.supervisor_dashboard(t.supervisor, today=NOW.date())
    assert (after.to_review.count, after.red_visits.count, after.yellow_visits.count) == (2, 0, 1)
    assert after.review_list == [yellow, green]
    assert shown_rows(client, after.to_review.url) == 2

    services.visit_review(visit=yellow, by=t.supervisor)
    services.visit_review(visit=green, by=t.supervisor)
    home = client.get("/").content.decode()
    assert 'data-testid="visits-to-review-none"' in home
    assert "You have reviewed every checked-out visit since 2026-11-19." in home
