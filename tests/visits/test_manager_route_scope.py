"""A KA manager reads routes, visits and reports only at their accounts' stores (issue 10, item 1: manager2 read 16
route plans mostly at manager1's stores), and plans and edits reps' weeks only there (SPEC §1, manager walk-through
finding 3): generating a week keeps the rep's stops at other managers' stores as they are."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ka_portal.scope import route_plans_for, route_stops_for, stores_for
from stores.models import Store
from tests.conftest import DEMO_TODAY
from visits.models import RoutePlan, RouteStop
from visits.selectors import compliance, daily_report, reps_for
from visits.services import week_start_of

pytestmark = pytest.mark.django_db


def _user(name):
    return get_user_model().objects.get(username=name)


def _client(name) -> Client:
    client = Client()
    client.force_login(_user(name))
    return client


def _plan_with_stops_elsewhere(manager):
    """A published plan that has stops at the manager's stores and at others'."""
    mine = stores_for(manager)
    for plan in route_plans_for(manager).filter(status=RoutePlan.Status.PUBLISHED):
        if plan.stops.exclude(store__in=mine).exists():
            return plan
    raise AssertionError("the demo has no plan mixing the manager's stores with others'")


def test_a_manager_reaches_only_plans_and_stops_at_their_accounts_stores(demo_company):
    manager2 = _user("manager2")
    mine = set(stores_for(manager2).values_list("pk", flat=True))

    plans = route_plans_for(manager2)
    stops = route_stops_for(manager2)

    assert plans.exists() and all(plan.stops.filter(store__in=mine).exists() for plan in plans)
    assert stops.exists() and set(stops.values_list("store_id", flat=True)) <= mine


def test_a_plan_without_the_managers_stores_is_not_found(demo_company):
    rep1 = _user("rep1")
    elsewhere = Store.objects.filter(rep=rep1).exclude(pk__in=stores_for(_user("manager2"))).first()
    plan = RoutePlan.objects.create(rep=rep1, week_start=week_start_of(DEMO_TODAY) + timedelta(days=28))
    RouteStop.objects.create(plan=plan, day=0, position=0, store=elsewhere)

    assert _client("manager2").get(f"/visits/routes/{plan.pk}/").status_code == 404
    assert _client("manager2").get(f"/api/v1/routes/{plan.pk}/").status_code == 404
    assert _client("manager1").get(f"/visits/routes/{plan.pk}/").status_code == 200


def test_the_route_page_and_api_show_the_manager_only_the_stops_at_their_stores(demo_company):
    manager2 = _user("manager2")
    plan = _plan_with_stops_elsewhere(manager2)
    other = plan.stops.exclude(store__in=stores_for(manager2)).select_related("store").first().store
    own = plan.stops.filter(store__in=stores_for(manager2)).select_related("store").first().store

    page = _client("manager2").get(f"/visits/routes/{plan.pk}/").content.decode()
    api = _client("manager2").get(f"/api/v1/routes/{plan.pk}/").json()

    assert own.name in page and other.name not in page
    assert {stop["store"] for stop in api["stops"]} <= set(stores_for(manager2).values_list("code", flat=True))


def _mixed_draft_week(manager) -> RoutePlan:
    """A rep's week with stops at the manager's stores and at others', taken back to draft: the demo's week (the
    latest), edited on its Monday (on_the_demos_monday) while all its days are still to come."""
    plan = _plan_with_stops_elsewhere(manager)
    RoutePlan.objects.filter(pk=plan.pk).update(status=RoutePlan.Status.DRAFT, published_at=None)
    plan.refresh_from_db()
    return plan


def _others(plan, manager) -> set[tuple[int, int, int, int]]:
    """The plan's stops at stores the manager does not reach: (stop, store, day, place in the day)."""
    return set(plan.stops.exclude(store__in=stores_for(manager)).values_list("pk", "store", "day", "position"))


def test_a_manager_generates_a_reps_week_at_their_stores_and_keeps_the_other_stops(demo_company, on_the_demos_monday):
    # given rep's draft week, with manager2's stops taken out: only stops at other managers' stores are left
    manager2 = _user("manager2")
    plan = _mixed_draft_week(manager2)
    mine = stores_for(manager2)
    plan.stops.filter(store__in=mine).delete()
    others = _others(plan, manager2)

    # when manager2 generates that week on the routes page (SPEC §1: a manager plans routes for their accounts)
    response = _client("manager2").post(
        "/visits/routes/generate/", {"rep": plan.rep_id, "week_start": plan.week_start.isoformat()}
    )

    # then the week holds each of the rep's active stores at manager2's accounts as often as its frequency ...
    assert response.status_code == 302 and response["Location"] == f"/visits/routes/{plan.pk}/"
    planned = Counter(plan.stops.filter(store__in=mine).values_list("store_id", flat=True))
    wanted = Store.objects.active().filter(rep=plan.rep, pk__in=mine.values("pk"))
    assert planned == {store.pk: store.visits_per_week for store in wanted} and planned
    # ... and the other managers' stops are the same stops, on the same days, at the same places; no place is twice
    assert _others(plan, manager2) == others
    for day in range(6):
        places = list(plan.stops.filter(day=day).values_list("position", flat=True))
        assert len(places) == len(set(places))


def test_a_manager_edits_and_publishes_a_plan_only_at_their_stores(demo_company, on_the_demos_monday):
    # given a rep's draft week with stops at manager2's stores and at manager1's
    manager2 = _user("manager2")
    plan = _mixed_draft_week(manager2)
    own = plan.stops.filter(store__in=stores_for(manager2)).first()
    elsewhere = plan.stops.exclude(store__in=stores_for(manager2)).select_related("store").first()
    client = _client("manager2")

    # when manager2 opens the routes and the plan
    listing = client.get("/visits/routes/").content.decode()
    page = client.get(f"/visits/routes/{plan.pk}/").content.decode()

    # then they can generate, move, remove and add, and the add form offers only the rep's stores at their accounts
    assert 'data-testid="generate-form"' in listing
    assert page.count('data-testid="move-stop"') == route_stops_for(manager2).filter(plan=plan).count()
    add_form = page.split(f'action="/visits/routes/{plan.pk}/stops/"')[1]
    store_select = add_form.split('name="store"')[1].split("</select>")[0]
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', store_select)}
    assert offered == set(stores_for(manager2).active().filter(rep=plan.rep).values_list("pk", flat=True))

    # when they remove their stop, and try a stop and a store of manager1's
    removed = client.post(f"/visits/routes/stops/{own.pk}/remove/")
    foreign_remove = client.post(f"/visits/routes/stops/{elsewhere.pk}/remove/")
    foreign_move = client.post(f"/visits/routes/stops/{elsewhere.pk}/move/", {"day": 5})
    before, kept = plan.stops.count(), (elsewhere.day, elsewhere.store_id)
    foreign_add = client.post(f"/visits/routes/{plan.pk}/stops/", {"store": elsewhere.store_id, "day": 5})

    # then their stop is gone; manager1's stop is not found, and no stop is added at manager1's store
    assert removed.status_code == 302 and not RouteStop.objects.filter(pk=own.pk).exists()
    assert foreign_remove.status_code == 404 and foreign_move.status_code == 404
    assert foreign_add.status_code == 302 and plan.stops.count() == before
    assert not plan.stops.filter(store=elsewhere.store, day=5).exclude(pk=elsewhere.pk).exists()
    elsewhere.refresh_from_db()
    assert (elsewhere.day, elsewhere.store_id) == kept

    # when they publish it to the rep
    published = client.post(f"/visits/routes/{plan.pk}/publish/")
    plan.refresh_from_db()
    assert published.status_code == 302 and plan.status == RoutePlan.Status.PUBLISHED


def test_a_manager_is_told_when_their_stop_puts_the_reps_week_over_capacity(demo_company, on_the_demos_monday):
    # given a rep's full draft week (30 visits), with stops at manager2's stores and at others'
    manager2 = _user("manager2")
    plan = _mixed_draft_week(manager2)
    assert plan.stops.count() == 30
    store = (
        stores_for(manager2).active().filter(rep=plan.rep).exclude(pk__in=plan.stops.filter(day=2).values("store"))[0]
    )

    # when manager2 adds one more visit
    client = _client("manager2")
    client.post(f"/visits/routes/{plan.pk}/stops/", {"store": store.pk, "day": 2})
    page = client.get(f"/visits/routes/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # then the page flags the rep's week over capacity, with the numbers and no other manager's store
    assert plan.stops.count() == 31
    assert 'data-testid="over-capacity"' in page and "Over capacity: 31 visits for a week of 30" in page
    # and beside each day, where the rep's day holds more than manager2's stops, the rep's whole day (a number): a
    # day that shows them few stops is not taken for a free one
    wednesday = plan.stops.filter(day=2).count()
    assert wednesday > plan.stops.filter(day=2, store__account__owner=manager2).count()
    assert f"(the rep's day: {wednesday})" in page


def test_a_manager_places_a_stop_among_the_stops_they_see(demo_company, on_the_demos_monday):
    # given a day of a rep's draft week: two stops at manager2's stores after stops at manager1's
    manager2 = _user("manager2")
    plan = _mixed_draft_week(manager2)
    mine = list(stores_for(manager2).active().filter(rep=plan.rep)[:2])
    theirs = list(Store.objects.active().filter(rep=plan.rep).exclude(pk__in=stores_for(manager2))[:2])
    plan.stops.filter(day=5).delete()
    for position, store in enumerate([theirs[0], mine[0], theirs[1], mine[1]]):
        RouteStop.objects.create(plan=plan, day=5, position=position, store=store)
    last = plan.stops.get(day=5, store=mine[1])

    # when manager2 moves their second stop of Saturday to place 1, as the page numbers their stops
    response = _client("manager2").post(f"/visits/routes/stops/{last.pk}/move/", {"day": 5, "position": 1})

    # then it is before their first stop there; manager1's stops keep their order
    assert response.status_code == 302
    day = list(plan.stops.filter(day=5).order_by("position").values_list("store_id", flat=True))
    assert day == [theirs[0].pk, mine[1].pk, mine[0].pk, theirs[1].pk]


def test_the_route_pages_as_a_manager_offer_only_their_reps(demo_company):
    # given manager2, whose accounts' stores rep1–rep4 work at
    page = _client("manager2").get("/visits/routes/").content.decode()
    form = page.split('data-testid="generate-form"')[1].split("</form>")[0]

    # then the generate form offers those reps, and no one else
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', form)}
    assert offered == set(reps_for(_user("manager2")).values_list("pk", flat=True)) and offered


def test_the_reps_supervisor_still_plans_the_route(demo_company, on_the_demos_monday):
    # the latest published week (a week wholly passed stays published: route.week_record)
    plan = RoutePlan.objects.filter(rep__username="rep1", status=RoutePlan.Status.PUBLISHED).latest("week_start")

    response = _client("supervisor1").post(f"/visits/routes/{plan.pk}/publish/", {"action": "unpublish"})
    other_team = _client("supervisor2").post(f"/visits/routes/{plan.pk}/publish/", {"action": "unpublish"})

    assert response.status_code == 302 and other_team.status_code == 404
    plan.refresh_from_db()
    assert plan.status == RoutePlan.Status.DRAFT


def test_the_daily_report_and_compliance_hold_only_the_managers_stores(demo_company):
    manager2 = _user("manager2")
    mine = set(stores_for(manager2).values_list("pk", flat=True))
    week = week_start_of(DEMO_TODAY)

    reports = [daily_report(manager2, rep, DEMO_TODAY - timedelta(days=3)) for rep in reps_for(manager2)]
    rows = compliance(manager2, week, today=DEMO_TODAY)

    assert any(report.planned for report in reports)
    for report in reports:
        assert {row.store.pk for row in report.planned} <= mine
        assert {visit.store_id for visit in report.visits} <= mine
    assert sum(row.planned for row in rows) > 0
    assert all(store.pk in mine for row in rows for _day, store in row.missed)
    everyone = compliance(_user("admin"), week, today=DEMO_TODAY)
    assert sum(row.planned for row in rows) < sum(row.planned for row in everyone)


def test_the_daily_report_page_of_a_rep_names_no_store_outside_the_managers(demo_company):
    manager2 = _user("manager2")
    elsewhere = [store.name for store in Store.objects.exclude(pk__in=stores_for(manager2))]
    rep = reps_for(manager2).first()

    page = _client("manager2").get("/visits/reports/daily/", {"rep": rep.pk, "date": "2026-11-20"}).content.decode()

    assert not [name for name in elsewhere if f">{name}<" in page]


def test_a_managers_route_page_and_list_count_what_they_list(demo_company):
    # The header said "30 visits this week" (the rep's whole week) over the 25 stops at manager1's stores that the
    # page lists, and the list's column of visits was read as stores ("门店数").
    manager1 = _user("manager1")
    plan = _plan_with_stops_elsewhere(manager1)
    shown = route_stops_for(manager1).filter(plan=plan)
    visits, stores = shown.count(), shown.values("store").distinct().count()
    assert visits < plan.stops.count() and stores < visits  # some stops elsewhere; A and B stores more than once
    client = _client("manager1")

    page = client.get(f"/visits/routes/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    listing = client.get("/visits/routes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    zh = client.get(f"/visits/routes/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert page.count('class="list-group-item px-0 d-flex') == visits
    assert f"{visits} visits planned at {stores} stores of your accounts this week." in page
    assert f"{plan.stops.count()} visits" not in page and "(capacity" not in page
    assert f"本周在您负责系统的{stores}家门店计划拜访{visits}次。" in zh
    row = listing.split(f'href="/visits/routes/{plan.pk}/"')[1].split("</tr>")[0]
    assert f'<td class="num">{stores}</td>' in row and f'<td class="num">{visits}' in row
    assert ">Stores<" in listing and ">Visits planned<" in listing
