"""A KA manager reads routes, visits and reports only at their accounts' stores, and does not edit route plans
(issue 10, item 1): manager2 read 16 route plans mostly at manager1's stores and could unpublish rep1's plan."""

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


def test_a_manager_can_neither_unpublish_a_reps_plan_nor_remove_a_stop(demo_company):
    manager2 = _user("manager2")
    plan = _plan_with_stops_elsewhere(manager2)
    stop = plan.stops.filter(store__in=stores_for(manager2)).first()
    client = _client("manager2")

    unpublish = client.post(f"/visits/routes/{plan.pk}/publish/", {"action": "unpublish"})
    remove = client.post(f"/visits/routes/stops/{stop.pk}/remove/")

    assert unpublish.status_code == 403 and remove.status_code == 403
    plan.refresh_from_db()
    assert plan.status == RoutePlan.Status.PUBLISHED and RouteStop.objects.filter(pk=stop.pk).exists()
    assert not _user("manager1").has_perm("visits.change_routeplan")


def test_the_reps_supervisor_still_plans_the_route(demo_company):
    plan = RoutePlan.objects.filter(rep__username="rep1", status=RoutePlan.Status.PUBLISHED).first()

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
