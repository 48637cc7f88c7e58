"""Route plan services: generate from grades, edit by hand, publish."""

from datetime import timedelta

import pytest

from accounts.roles import Role
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from visits import services
from visits.models import RoutePlan

from .factories import RoutePlanFactory, RouteStopFactory, this_monday

# planned from this week's Monday morning: every day of the week still to come (days that have passed stay as
# they are: tests/visits/test_route_days_passed.py)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_this_monday")]


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

    week = services.route_plan_generate(rep=rep, week_start=this_monday(), by=sup)

    plan, overload = week.plan, week.overload

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

    week = services.route_plan_generate(rep=rep, week_start=this_monday(), by=sup)

    plan, overload = week.plan, week.overload

    assert plan.stops.count() == 32
    assert (overload.visits, overload.per_week) == (32, 30)
    assert services.plan_capacity(plan).over


def test_inactive_and_other_reps_stores_are_not_planned(team):
    sup, rep = team
    StoreFactory(rep=rep, grade="C", active=False)
    StoreFactory(grade="A")
    mine = StoreFactory(rep=rep, grade="B")

    week = services.route_plan_generate(rep=rep, week_start=this_monday(), by=sup)

    plan, _ = week.plan, week.overload

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

    services.route_stop_add(plan=plan, store=s3, day=0, by=sup)
    services.route_stop_move(stop=a, day=2, by=sup)
    services.route_stop_move(stop=plan.stops.get(store=s3), day=0, position=0, by=sup)

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
    services.route_stop_add(plan=plan, store=store, day=1, by=sup)
    with pytest.raises(DomainError) as twice:
        services.route_stop_add(plan=plan, store=store, day=1, by=sup)
    assert twice.value.code == "route.store_twice"
    other = StoreFactory()
    with pytest.raises(DomainError) as foreign:
        services.route_stop_add(plan=plan, store=other, day=1, by=sup)
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


@pytest.fixture
def two_managers(team):
    """The team's rep works at two chains: one owned by manager "m1", one by "m2"."""
    _sup, rep = team
    m1, m2 = make_user(Role.MANAGER, username="m1"), make_user(Role.MANAGER, username="m2")
    chain1, chain2 = KeyAccountFactory(owner=m1), KeyAccountFactory(owner=m2)
    return rep, m1, m2, chain1, chain2


def test_a_manager_generates_only_their_accounts_stores_around_the_others(team, two_managers):
    # given the supervisor's week for the rep: an A store at m1's chain and B stores at m2's
    sup, _rep = team
    rep, m1, m2, chain1, chain2 = two_managers
    a1 = StoreFactory(rep=rep, account=chain1, grade="A")
    b2 = [StoreFactory(rep=rep, account=chain2, grade="B") for _ in range(2)]
    week = services.route_plan_generate(rep=rep, week_start=this_monday(), by=sup)
    plan, _ = week.plan, week.overload
    theirs = set(plan.stops.filter(store__account=chain2).values_list("pk", "store", "day"))
    # and m1 opens a new store since
    c1 = StoreFactory(rep=rep, account=chain1, grade="C")

    # when m1 regenerates the week
    week = services.route_plan_generate(rep=rep, week_start=this_monday(), by=m1)
    again, overload = week.plan, week.overload

    # then m1's stores are planned as often as their grades say, m2's stops are untouched
    assert again.pk == plan.pk and overload is None
    assert sorted(plan.stops.filter(store__account=chain1).values_list("store", flat=True)) == sorted(
        [a1.pk] * 3 + [c1.pk]
    )
    assert set(plan.stops.filter(store__account=chain2).values_list("pk", "store", "day")) == theirs
    assert {b.pk for b in b2} == {store for _pk, store, _day in theirs}
    capacity = services.plan_capacity(plan)  # 3 + 1 + 2 × 2 visits, balanced with m2's
    assert capacity.visits == 8 and max(capacity.per_day) - min(capacity.per_day) <= 1


def test_a_manager_neither_plans_nor_adds_another_managers_store(team, two_managers):
    # given the rep has only an inactive store at m1's chain, and an active one at m2's
    _sup, _rep = team
    rep, m1, m2, chain1, chain2 = two_managers
    StoreFactory(rep=rep, account=chain1, active=False)
    other = StoreFactory(rep=rep, account=chain2)

    # when m1 generates the week, then nothing is planned and no plan is made
    with pytest.raises(DomainError) as refused:
        services.route_plan_generate(rep=rep, week_start=this_monday(), by=m1)
    assert refused.value.code == "route.no_stores" and refused.value.field == "rep"
    assert not RoutePlan.objects.exists()

    # when m1 adds m2's store to the rep's plan, then it is not found, and named nowhere
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    with pytest.raises(DomainError) as foreign:
        services.route_stop_add(plan=plan, store=other, day=0, by=m1)
    assert foreign.value.code == "not_found" and other.name not in foreign.value.detail
    assert not plan.stops.exists()


def test_an_inactive_store_is_not_added_to_a_route(team):
    """Finding: the API added a stop at an inactive store (the page offers active stores only). The service refuses
    it, naming the store (every door: tests/ka_portal/write_path_matrix.py route.store_inactive)."""
    sup, rep = team
    plan = RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT)
    closed = StoreFactory(rep=rep, name="已关一店", active=False)
    with pytest.raises(DomainError) as refused:
        services.route_stop_add(plan=plan, store=closed, day=1, by=sup)
    assert refused.value.code == "route.store_inactive" and refused.value.field == "store"
    assert refused.value.detail == "已关一店已停用：路线只安排启用门店的拜访。"
    assert not plan.stops.exists()
