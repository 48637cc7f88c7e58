"""Route plan services: generate from grades, edit by hand, publish."""

from datetime import timedelta

import pytest

from accounts.roles import Role
from ka_portal.errors import DomainError
from tests.factories import StoreFactory, make_user
from visits import services
from visits.models import RoutePlan

from .factories import RoutePlanFactory, RouteStopFactory, this_monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    sup = make_user(Role.SUPERVISOR, username="sup")
    rep = make_user(Role.REP, username="rep", supervisor=sup)
    return sup, rep


def _stores(rep, grades: str):
    return [StoreFactory(rep=rep, grade=g, code=f"G{g}{i:02d}") for i, g in enumerate(grades)]


def test_generating_the_spec_week_gives_thirty_stops_five_a_day(team):
    sup, rep = team
    _stores(rep, "A" * 5 + "B" * 5 + "C" * 5)

    plan, overload = services.route_plan_generate(rep=rep, week_start=this_monday(), by=sup)

    assert overload is None
    assert plan.status == RoutePlan.Status.DRAFT
    capacity = services.plan_capacity(plan)
    assert capacity.per_day == [5, 5, 5, 5, 5, 5]
    assert not capacity.over
    a_store = plan.stops.filter(store__grade="A").first().store
    assert sorted(plan.stops.filter(store=a_store).values_list("day", flat=True)) in ([0, 2, 4], [1, 3, 5])


def test_over_capacity_keeps_every_visit_and_reports_numbers(team):
    sup, rep = team
    _stores(rep, "A" * 8 + "B" * 4)  # 24 + 8 = 32 visits

    plan, overload = services.route_plan_generate(rep=rep, week_start=this_monday(), by=sup)

    assert plan.stops.count() == 32
    assert (overload.visits, overload.per_week) == (32, 30)
    assert services.plan_capacity(plan).over


def test_inactive_and_other_reps_stores_are_not_planned(team):
    sup, rep = team
    StoreFactory(rep=rep, grade="C", active=False)
    StoreFactory(grade="A")
    mine = StoreFactory(rep=rep, grade="B")

    plan, _ = services.route_plan_generate(rep=rep, week_start=this_monday(), by=sup)

    assert set(plan.stops.values_list("store", flat=True)) == {mine.pk}


def test_week_must_start_on_monday(team):
    sup, rep = team
    with pytest.raises(DomainError) as refused:
        services.route_plan_generate(rep=rep, week_start=this_monday() + timedelta(days=1), by=sup)
    assert refused.value.code == "route.week_start"


def test_published_plan_is_not_regenerated_or_edited(team):
    sup, rep = team
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.PUBLISHED)
    stop = RouteStopFactory(plan=plan, store=StoreFactory(rep=rep))
    with pytest.raises(DomainError) as refused:
        services.route_plan_generate(rep=rep, week_start=plan.week_start, by=sup)
    assert refused.value.code == "route.published"
    with pytest.raises(DomainError):
        services.route_stop_remove(stop=stop)


def test_move_add_remove_keep_positions_in_order(team):
    sup, rep = team
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    s1, s2, s3 = StoreFactory(rep=rep), StoreFactory(rep=rep), StoreFactory(rep=rep)
    a = RouteStopFactory(plan=plan, store=s1, day=0, position=0)
    RouteStopFactory(plan=plan, store=s2, day=0, position=1)

    services.route_stop_add(plan=plan, store=s3, day=0)
    services.route_stop_move(stop=a, day=2)
    services.route_stop_move(stop=plan.stops.get(store=s3), day=0, position=0)

    assert list(plan.stops.filter(day=0).order_by("position").values_list("store", "position")) == [
        (s3.pk, 0),
        (s2.pk, 1),
    ]
    assert list(plan.stops.filter(day=2).values_list("store", flat=True)) == [s1.pk]
    services.route_stop_remove(stop=plan.stops.get(store=s3))
    assert list(plan.stops.filter(day=0).values_list("position", flat=True)) == [0]


def test_a_store_once_a_day_and_only_the_reps_own(team):
    sup, rep = team
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    store = StoreFactory(rep=rep)
    services.route_stop_add(plan=plan, store=store, day=1)
    with pytest.raises(DomainError) as twice:
        services.route_stop_add(plan=plan, store=store, day=1)
    assert twice.value.code == "route.store_twice"
    other = StoreFactory()
    with pytest.raises(DomainError) as foreign:
        services.route_stop_add(plan=plan, store=other, day=1)
    assert foreign.value.code == "not_found" and other.name not in foreign.value.detail


def test_publish_sets_time_and_twice_changes_nothing(team):
    sup, rep = team
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    RouteStopFactory(plan=plan, store=StoreFactory(rep=rep))
    first = services.route_plan_publish(plan=plan, by=sup)
    again = services.route_plan_publish(plan=plan, by=sup)
    assert first.status == RoutePlan.Status.PUBLISHED
    assert again.published_at == first.published_at


def test_empty_plan_is_not_published(team):
    sup, rep = team
    with pytest.raises(DomainError) as refused:
        services.route_plan_publish(plan=RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT), by=sup)
    assert refused.value.code == "route.empty"
