"""A stop's place in its day is refused past what a move reads with the whole range named, page and API alike: the
route page's # box said "1 or more" to a supervisor who had typed 40000."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import RoutePlan

from .factories import RoutePlanFactory, RouteStopFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_this_monday")]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def week():
    sup = make_user(Role.SUPERVISOR, username="sup_place")
    rep = make_user(Role.REP, username="rep_place", supervisor=sup)
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    stops = [RouteStopFactory(plan=plan, store=StoreFactory(rep=rep), day=3, position=i) for i in range(3)]
    return sup, plan, stops


def _order(plan):
    return list(plan.stops.filter(day=3).order_by("position").values_list("pk", flat=True))


@pytest.mark.parametrize("typed", ["0", "32768", "40000", "-1"])
def test_the_route_page_names_the_range_of_a_place_out_of_it_and_moves_nothing(client, week, typed):
    sup, plan, stops = week
    before = _order(plan)
    client.force_login(sup)

    refused = client.post(
        reverse("visits:route-stop-move", args=[stops[0].pk]), {"day": 3, "position": typed}, follow=True, **EN
    )

    page = refused.content.decode()
    assert "Give the place in the day as a number from 1 to 32767." in page
    assert "1 or more" not in page and "Choose a day from Monday to Saturday." not in page
    assert _order(plan) == before


def test_the_route_page_takes_the_last_place_in_range_as_the_end_of_the_day(client, week):
    sup, plan, stops = week
    client.force_login(sup)

    client.post(reverse("visits:route-stop-move", args=[stops[0].pk]), {"day": 3, "position": "32767"})

    assert _order(plan) == [stops[1].pk, stops[2].pk, stops[0].pk]


@pytest.mark.parametrize("position", [-1, 32768, 40000])
def test_the_api_names_the_range_of_a_place_out_of_it_and_moves_nothing(week, position):
    sup, plan, stops = week
    before = _order(plan)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(sup)

    refused = api.patch(f"/api/v1/routes/{plan.pk}/stops/{stops[0].pk}/", {"position": position}, format="json")

    assert refused.status_code == 400
    assert refused.json()["errors"]["position"] == [
        "Give the place in the day as a number from 0 (the first stop) to 32767."
    ]
    assert _order(plan) == before


def test_the_api_moves_a_stop_to_the_largest_place_it_reads_as_the_end_of_the_day(week):
    sup, plan, stops = week
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(sup)

    moved = api.patch(f"/api/v1/routes/{plan.pk}/stops/{stops[0].pk}/", {"position": 32767}, format="json")

    assert moved.status_code == 200 and moved.json()["position"] == 2
    assert _order(plan) == [stops[1].pk, stops[2].pk, stops[0].pk]
