"""Generating a week again (SPEC §4: supervisors may edit a plan by hand; SPEC §1: a KA manager plans at their accounts'
stores): the stops a planner added or moved by hand stay on their day and in their order, count towards their store's
visits, and the rest of the week is planned around them, at every door (service, page, API); and each day's places
read 1..n afterwards, without gaps."""

from collections import Counter

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from visits import services
from visits.models import RoutePlan, RouteStop

from .factories import RoutePlanFactory, RouteStopFactory, this_monday

# planned from this week's Monday morning: every day of the week still to come (days that have passed stay as
# they are: tests/visits/test_route_days_passed.py)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_this_monday")]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def week():
    """A rep of the supervisor's team working at two chains, manager m1's and m2's, and the supervisor's generated
    week: an A and a C store at m1's chain, two B stores at m2's."""
    sup = make_user(Role.SUPERVISOR, username="sup_regen")
    rep = make_user(Role.REP, username="rep_regen", supervisor=sup)
    m1, m2 = make_user(Role.MANAGER, username="m1_regen"), make_user(Role.MANAGER, username="m2_regen")
    chain1, chain2 = KeyAccountFactory(owner=m1), KeyAccountFactory(owner=m2)
    a1 = StoreFactory(rep=rep, account=chain1, grade="A", code="RG-A1")
    c1 = StoreFactory(rep=rep, account=chain1, grade="C", code="RG-C1")
    b2 = [StoreFactory(rep=rep, account=chain2, grade="B", code=f"RG-B2{i}") for i in range(2)]
    plan = services.route_plan_generate(rep=rep, week_start=this_monday(), by=sup).plan
    return {"sup": sup, "rep": rep, "m1": m1, "m2": m2, "a1": a1, "c1": c1, "b2": b2, "plan": plan, "chain1": chain1}


def _day_of(plan, store) -> list[int]:
    return sorted(plan.stops.filter(store=store).values_list("day", flat=True))


def _places(plan) -> dict[int, list[int]]:
    stops = plan.stops.order_by("position")
    return {day: list(stops.filter(day=day).values_list("position", flat=True)) for day in range(6)}


def _managers_edits(w) -> tuple[RouteStop, RouteStop]:
    """m1 moves their C store's visit to Saturday, first place, and adds a store of theirs opened since, on a day it
    is not on: the two hand-made stops."""
    plan, m1 = w["plan"], w["m1"]
    moved = plan.stops.get(store=w["c1"])
    services.route_stop_move(stop=moved, day=5, position=0, by=m1)
    new_store = StoreFactory(rep=w["rep"], account=w["chain1"], grade="C", code="RG-C2")
    added = services.route_stop_add(plan=plan, store=new_store, day=1, by=m1)
    return moved, added


def test_the_supervisors_regenerate_keeps_the_managers_hand_made_stops_and_plans_around_them(week):
    # given m1 moved a stop and added one in the supervisor's draft week
    plan = week["plan"]
    moved, added = _managers_edits(week)

    # when the supervisor generates the week again
    again = services.route_plan_generate(rep=week["rep"], week_start=plan.week_start, by=week["sup"])

    # then the manager's two stops are the same stops, on the day and at the place the manager gave them
    assert again.plan.pk == plan.pk and not again.created and again.kept_by_hand == 2
    assert plan.stops.filter(pk=moved.pk, day=5, position=0, by_hand=True).exists()
    assert plan.stops.filter(pk=added.pk, day=1, by_hand=True).exists()
    # and each store is visited as often as its grade says, the hand-made visits counted among them, once a day
    visits = Counter(plan.stops.values_list("store__code", flat=True))
    assert visits == {"RG-A1": 3, "RG-C1": 1, "RG-C2": 1, "RG-B20": 2, "RG-B21": 2}
    assert _day_of(plan, week["c1"]) == [5] and _day_of(plan, added.store) == [1]


def test_a_hand_made_visit_of_a_store_counts_towards_its_frequency_and_the_rest_avoid_its_day(week):
    # given the supervisor moved one of the A store's three visits to a day it was not on
    plan, a1 = week["plan"], week["a1"]
    days = _day_of(plan, a1)
    free = next(day for day in range(6) if day not in days)
    services.route_stop_move(stop=plan.stops.filter(store=a1).first(), day=free, by=week["sup"])

    # when the week is generated again
    services.route_plan_generate(rep=week["rep"], week_start=plan.week_start, by=week["sup"])

    # then the A store is still visited three times, once on the day chosen by hand, never twice a day
    after = _day_of(plan, a1)
    assert len(after) == 3 and free in after and len(set(after)) == 3


def test_a_managers_own_regenerate_keeps_their_hand_made_stops_too(week):
    plan = week["plan"]
    moved, added = _managers_edits(week)

    again = services.route_plan_generate(rep=week["rep"], week_start=plan.week_start, by=week["m1"])

    assert again.kept_by_hand == 2
    assert set(plan.stops.filter(by_hand=True).values_list("pk", "day")) == {(moved.pk, 5), (added.pk, 1)}


def test_after_a_regenerate_each_days_places_read_from_the_first_without_gaps():
    # given a draft week whose Monday reads m2's store, m1's store, m2's store (places 0, 1, 2)
    sup = make_user(Role.SUPERVISOR, username="sup_gaps")
    rep = make_user(Role.REP, username="rep_gaps", supervisor=sup)
    m1, m2 = make_user(Role.MANAGER, username="m1_gaps"), make_user(Role.MANAGER, username="m2_gaps")
    chain1, chain2 = KeyAccountFactory(owner=m1), KeyAccountFactory(owner=m2)
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    first, last = StoreFactory(rep=rep, account=chain2, grade="C"), StoreFactory(rep=rep, account=chain2, grade="C")
    RouteStopFactory(plan=plan, day=0, position=0, store=first)
    RouteStopFactory(plan=plan, day=0, position=1, store=StoreFactory(rep=rep, account=chain1, grade="C"))
    RouteStopFactory(plan=plan, day=0, position=2, store=last)

    # when m1 generates the week: their store goes to a quieter day, leaving Monday's second place empty
    services.route_plan_generate(rep=rep, week_start=plan.week_start, by=m1)

    # then Monday reads 1, 2 (places 0, 1) in the order it had, and so does every other day
    monday = list(plan.stops.filter(day=0).order_by("position").values_list("store", "position"))
    assert monday == [(first.pk, 0), (last.pk, 1)]
    assert all(places == list(range(len(places))) for places in _places(plan).values())


def test_the_generate_page_says_how_many_hand_made_stops_it_kept(week):
    plan = week["plan"]
    moved, added = _managers_edits(week)
    client = Client(**EN)
    client.force_login(week["sup"])

    response = client.post(
        "/visits/routes/generate/", {"rep": week["rep"].pk, "week_start": plan.week_start.isoformat()}, follow=True
    )

    page = response.content.decode()
    assert "2 stops placed by hand were kept on their days" in page
    assert RouteStop.objects.filter(pk__in=[moved.pk, added.pk]).count() == 2
    assert page.count('data-testid="by-hand"') == 2


def test_the_generate_api_keeps_the_hand_made_stops_and_says_so(week):
    plan = week["plan"]
    moved, _added = _managers_edits(week)
    api = APIClient()
    api.force_authenticate(week["sup"])

    response = api.post(
        "/api/v1/routes/generate/", {"rep": "rep_regen", "week_start": plan.week_start.isoformat()}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["kept_by_hand"] == 2 and body["plan"]["id"] == plan.pk
    saturday = [stop for stop in body["plan"]["stops"] if stop["day"] == 5]
    assert saturday[0] == {**saturday[0], "id": moved.pk, "position": 0, "store": "RG-C1"}
    for day in range(6):
        places = [stop["position"] for stop in body["plan"]["stops"] if stop["day"] == day]
        assert places == list(range(len(places)))


def test_a_regenerated_day_puts_the_new_stops_between_the_hand_placed_ones_where_the_walk_is_shortest():
    # given five stores on one street, about 950 m apart (A B C D E, west to east), each visited every day, and the
    # supervisor's Monday holding A then D placed by hand
    from decimal import Decimal

    from visits.routing import StoreToPlan, path_length

    sup = make_user(Role.SUPERVISOR, username="sup_walk")
    rep = make_user(Role.REP, username="rep_walk", supervisor=sup)
    street = [
        StoreFactory(
            rep=rep,
            code=f"WK-{name}",
            latitude=Decimal("31.230000"),
            longitude=Decimal("121.400000") + Decimal("0.01") * i,
            visits_per_week_override=6,
        )
        for i, name in enumerate("ABCDE")
    ]
    plain = services.route_plan_generate(rep=rep, week_start=this_monday(), by=sup).plan
    plain_monday = [stop.store for stop in plain.stops.filter(day=0).order_by("position").select_related("store")]
    plain.stops.all().delete()
    RouteStopFactory(plan=plain, day=0, position=0, store=street[0], by_hand=True)
    RouteStopFactory(plan=plain, day=0, position=1, store=street[3], by_hand=True)

    # when the week is generated again
    plan = services.route_plan_generate(rep=rep, week_start=this_monday(), by=sup).plan

    # then B and C go between A and D, E after D: the hand stops keep their order, and the walk is no longer than
    # the generator's own order of the same five stores (hand stops first, then the rest, was twice as long)
    monday = [stop.store for stop in plan.stops.filter(day=0).order_by("position").select_related("store")]
    assert [store.code for store in monday] == ["WK-A", "WK-B", "WK-C", "WK-D", "WK-E"]
    assert list(plan.stops.filter(day=0).order_by("position").values_list("position", flat=True)) == [0, 1, 2, 3, 4]

    def walk(stores):
        return path_length([StoreToPlan(s.id, 1, s.latitude, s.longitude) for s in stores])

    assert walk(monday) <= walk(plain_monday) + 1e-6
