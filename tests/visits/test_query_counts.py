"""Routes, tasks and compliance — API and pages — run a fixed number of queries however many rows they show.

Each test builds a team with N rows, counts the queries of a request, builds it up to 3N rows and counts again:
the two counts are equal (an N+1 shows as a count that grows with the rows).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import RoutePlan

from .factories import RoutePlanFactory, RouteStopFactory, TaskFactory, VisitFactory, this_monday

pytestmark = pytest.mark.django_db
N = 3
LAST_MONDAY = this_monday() - timedelta(days=7)


@pytest.fixture
def sup():
    return make_user(Role.SUPERVISOR, username="sup_queries")


class Team:
    """A supervisor's reps, each with stores, a published plan last week with stops, visits and tasks."""

    def __init__(self, sup):
        self.sup, self.reps = sup, 0

    def grow_to(self, reps: int) -> None:
        while self.reps < reps:
            self.reps += 1
            rep = make_user(Role.REP, username=f"rep_q{self.reps}", supervisor=self.sup)
            plan = RoutePlanFactory(rep=rep, week_start=LAST_MONDAY, status=RoutePlan.Status.PUBLISHED)
            RoutePlanFactory(rep=rep, week_start=this_monday(), status=RoutePlan.Status.DRAFT)
            for day in range(2):
                store = StoreFactory(rep=rep)
                RouteStopFactory(plan=plan, day=day, position=0, store=store)
                TaskFactory(store=store)
                checked_in = timezone.make_aware(
                    timezone.datetime.combine(LAST_MONDAY + timedelta(days=day), timezone.datetime.min.time())
                ) + timedelta(hours=10)
                VisitFactory(
                    rep=rep, store=store, checked_in_at=checked_in, checked_out_at=checked_in + timedelta(hours=1)
                )


def _count(client, url, **query) -> int:
    client.get(url, query)  # the first request of a session also loads the user's profile: not a row's cost
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def _fixed(client, sup, url, **query) -> None:
    team = Team(sup)
    team.grow_to(N)
    few = _count(client, url, **query)
    team.grow_to(3 * N)
    many = _count(client, url, **query)
    assert many == few, f"{url}: {few} queries for {N} reps, {many} for {3 * N}"


@pytest.mark.parametrize("url", ["/api/v1/routes/", "/api/v1/tasks/", "/api/v1/visits/"])
def test_the_api_lists_run_a_fixed_number_of_queries(api_client, sup, url, lists_read_afresh):
    api_client.force_authenticate(sup)
    _fixed(api_client, sup, url)


@pytest.mark.parametrize("url", ["/visits/routes/", "/visits/tasks/", "/visits/history/"])
def test_the_list_pages_run_a_fixed_number_of_queries(client, sup, url):
    client.force_login(sup)
    _fixed(client, sup, url)


def test_the_compliance_page_runs_a_fixed_number_of_queries(client, sup):
    client.force_login(sup)
    _fixed(client, sup, "/visits/reports/compliance/", week=LAST_MONDAY.isoformat())


def test_a_route_plans_page_and_api_run_a_fixed_number_of_queries_however_many_stops(client, api_client, sup):
    rep = make_user(Role.REP, username="rep_stops", supervisor=sup)
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    client.force_login(sup)
    api_client.force_authenticate(sup)

    def add_stops(n):
        for _ in range(n):
            RouteStopFactory(plan=plan, day=plan.stops.count() % 6, store=StoreFactory(rep=rep))

    add_stops(N)
    few = (_count(client, f"/visits/routes/{plan.pk}/"), _count(api_client, f"/api/v1/routes/{plan.pk}/"))
    add_stops(2 * N)
    many = (_count(client, f"/visits/routes/{plan.pk}/"), _count(api_client, f"/api/v1/routes/{plan.pk}/"))
    assert many == few
