"""A KA manager's home says which reps at their accounts' stores have no plan there for next week yet, and its "No plan
yet: generate it" opens the route plans' Generate form ready for that rep and week (routes item 4: a manager plans
routes at their accounts' stores, SPEC §1, but had no prompt to)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from analytics import dashboards
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.visits.factories import RoutePlanFactory, RouteStopFactory
from visits.models import RoutePlan

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
WEDNESDAY = date(2026, 11, 25)
NEXT_MONDAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def chains():
    """manager "mgr_route" owns a chain where four reps work: next week planned there and published, a draft, a draft
    with none of the manager's stores, and a published week without them; a fifth rep works only at another
    manager's chain, a sixth only at a closed store."""
    manager = make_user(Role.MANAGER, username="mgr_route")
    mine = KeyAccountFactory(owner=manager)
    theirs = KeyAccountFactory(owner=make_user(Role.MANAGER, username="mgr_other"))
    sup = make_user(Role.SUPERVISOR, username="sup_route")
    reps = {
        name: make_user(Role.REP, username=name, supervisor=sup)
        for name in ("rep_published", "rep_draft", "rep_none", "rep_locked", "rep_elsewhere", "rep_closed")
    }
    stores = {name: StoreFactory(rep=rep, account=mine) for name, rep in reps.items() if name != "rep_elsewhere"}
    StoreFactory(rep=reps["rep_elsewhere"], account=theirs)
    stores["rep_closed"].active = False
    stores["rep_closed"].save()
    plans = {}
    for name, status in (("rep_published", RoutePlan.Status.PUBLISHED), ("rep_draft", RoutePlan.Status.DRAFT)):
        plans[name] = RoutePlanFactory(rep=reps[name], week_start=NEXT_MONDAY, status=status)
        RouteStopFactory(plan=plans[name], store=stores[name])
    # rep_none's and rep_locked's supervisor planned the week, but none of it at the manager's stores
    for name, status in (("rep_none", RoutePlan.Status.DRAFT), ("rep_locked", RoutePlan.Status.PUBLISHED)):
        other = RoutePlanFactory(rep=reps[name], week_start=NEXT_MONDAY, status=status)
        RouteStopFactory(plan=other, store=StoreFactory(rep=reps[name], account=theirs))
    return manager, reps, plans


def test_the_managers_home_lists_the_reps_without_a_published_plan_at_their_stores_next_week(client, chains):
    manager, reps, plans = chains

    board = dashboards.manager_dashboard(manager, today=WEDNESDAY)

    assert board.next_week == NEXT_MONDAY and board.route_reps == 4
    assert [(row.rep.username, row.plan, row.published_without_yours) for row in board.unpublished] == [
        ("rep_draft", plans["rep_draft"], False),
        ("rep_locked", None, True),
        ("rep_none", None, False),
    ]
    client.force_login(manager)
    home = client.get(reverse("home"), **EN).content.decode()
    assert "Route plans for the week of" in home
    assert f"/visits/routes/{plans['rep_draft'].pk}/" in home and "Draft: check and publish" in home
    assert home.count('data-testid="generate-route"') == 1
    assert "Published without your stores: ask the supervisor to take it back to draft." in home


def test_no_plan_yet_on_the_managers_home_opens_the_generate_form_ready_and_generates_at_their_stores(client, chains):
    manager, reps, _plans = chains
    client.force_login(manager)

    home = client.get(reverse("home"), **EN).content.decode()
    link = home.split('data-testid="generate-route">No plan yet: generate it<')[0].rsplit('href="', 1)[1].split('"')[0]
    page = client.get(link.replace("&amp;", "&"), **EN).content.decode()

    form = page.split('data-testid="generate-form"')[1].split("</form>")[0]
    rep = reps["rep_none"]
    assert f'<option value="{rep.pk}" selected>' in form and f'value="{NEXT_MONDAY.isoformat()}"' in form

    # and generating from it plans the rep's store at the manager's chain, after which the prompt is gone
    client.post(reverse("visits:route-generate"), {"rep": rep.pk, "week_start": NEXT_MONDAY.isoformat()})
    home = client.get(reverse("home"), **EN).content.decode()
    assert 'data-testid="generate-route"' not in home


def test_a_manager_without_reps_at_their_stores_is_told_so(client):
    manager = make_user(Role.MANAGER, username="mgr_alone")
    KeyAccountFactory(owner=manager)
    client.force_login(manager)

    home = client.get(reverse("home"), **EN).content.decode()

    assert "No sales reps work at your accounts' stores yet." in home
