"""Taking a published week back to draft (routes item 1): the rep loses the whole week until it is published again,
so a KA manager, who sees and plans only the stops at their accounts' stores, may do it only while the stops still
to come are all theirs; the rep's supervisor may always. Who published or took back a week, and when, is kept and
shown on the plan's page and in the API. The same rule at the page's and the API's door (one service)."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from visits.models import RoutePlan, RoutePlanTransition

from .factories import RoutePlanFactory, RouteStopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(on_this_monday):
    """The rep's published week: Tuesday at m1's store, Wednesday at m2's."""
    sup = make_user(Role.SUPERVISOR, username="sup_unpub", first_name="强", last_name="王")
    rep = make_user(Role.REP, username="rep_unpub", supervisor=sup)
    m1 = make_user(Role.MANAGER, username="m1_unpub", first_name="静", last_name="陈")
    m2 = make_user(Role.MANAGER, username="m2_unpub")
    ours = StoreFactory(rep=rep, account=KeyAccountFactory(owner=m1), code="UP-M1")
    theirs = StoreFactory(rep=rep, account=KeyAccountFactory(owner=m2), code="UP-M2")
    plan = RoutePlanFactory(rep=rep, week_start=on_this_monday, status=RoutePlan.Status.PUBLISHED)
    RouteStopFactory(plan=plan, store=ours, day=1, position=0)
    RouteStopFactory(plan=plan, store=theirs, day=2, position=0)
    return {"sup": sup, "rep": rep, "m1": m1, "plan": plan, "monday": on_this_monday, "theirs": theirs}


def _page(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


REFUSED = "Only the rep's supervisor, 王强, can take it back to draft."


def test_a_manager_cannot_take_back_a_week_that_holds_another_managers_stops_to_come(week):
    plan, page = week["plan"], _page(week["m1"])

    # the plan's page tells m1 why, instead of offering a button that only says no
    shown = html.unescape(page.get(f"/visits/routes/{plan.pk}/").content.decode())
    assert 'data-testid="unpublish-refused"' in shown and REFUSED in shown
    assert "stops still to come at stores outside your accounts (1)" in shown
    assert "Back to draft to edit" not in shown

    # when m1 takes it back all the same, through the page and through the API
    answered = page.post(f"/visits/routes/{plan.pk}/publish/", {"action": "unpublish"}, follow=True)
    api = _api(week["m1"]).post(f"/api/v1/routes/{plan.pk}/unpublish/")

    # then both refuse it, saying why and whose it is, and the rep keeps the published week; nothing is recorded
    assert REFUSED in html.unescape(answered.content.decode())
    assert api.status_code == 400 and api.json()["code"] == "route.others_stops"
    assert REFUSED in api.json()["detail"] and "UP-M2" not in api.content.decode()
    plan.refresh_from_db()
    assert plan.status == RoutePlan.Status.PUBLISHED
    assert not RoutePlanTransition.objects.exists()


def test_the_supervisor_takes_it_back_and_the_page_and_the_api_say_who_and_when(week):
    plan = week["plan"]
    page = _page(week["sup"])

    taken_back = page.post(f"/visits/routes/{plan.pk}/publish/", {"action": "unpublish"}, follow=True)
    assert taken_back.status_code == 200
    plan.refresh_from_db()
    assert plan.status == RoutePlan.Status.DRAFT

    # and m1 publishes it again once it is changed
    published = _api(week["m1"]).post(f"/api/v1/routes/{plan.pk}/publish/")
    assert published.status_code == 200

    shown = html.unescape(_page(week["m1"]).get(f"/visits/routes/{plan.pk}/").content.decode())
    history = shown.split('data-testid="plan-history"')[1].split("</ul>")[0]
    assert "Taken back to draft by 王强" in history and "Published to the rep by 陈静" in history
    assert history.index("Taken back to draft") < history.index("Published to the rep")
    answer = published.json()["history"]
    assert [(change["status"], change["by"]) for change in answer] == [
        ("draft", "sup_unpub"),
        ("published", "m1_unpub"),
    ]
    listed = _api(week["sup"]).get("/api/v1/routes/").json()["results"]
    assert [[(c["status"], c["by"]) for c in p["history"]] for p in listed] == [
        [("draft", "sup_unpub"), ("published", "m1_unpub")]
    ]


def test_a_manager_takes_back_a_week_whose_other_stops_have_passed(week, time_machine):
    # given Thursday morning: m2's Wednesday stop has passed (the record of the week), m1's Friday stop is to come
    plan = week["plan"]
    plan.stops.filter(store__code="UP-M1").update(day=4)
    time_machine.move_to(f"{(week['monday'] + timedelta(days=3)).isoformat()} 09:00 +0800", tick=False)

    answered = _api(week["m1"]).post(f"/api/v1/routes/{plan.pk}/unpublish/")

    assert answered.status_code == 200, answered.json()
    assert answered.json()["status"] == "draft"
    assert [(c["status"], c["by"]) for c in answered.json()["history"]] == [("draft", "m1_unpub")]


def test_a_week_wholly_passed_stays_published_for_the_supervisor_too(week, time_machine):
    # Compliance counts published weeks only: taken back, the week's missed stops would leave the figures.
    plan = week["plan"]
    time_machine.move_to(f"{(week['monday'] + timedelta(days=7)).isoformat()} 09:00 +0800", tick=False)

    shown = html.unescape(_page(week["sup"]).get(f"/visits/routes/{plan.pk}/").content.decode())
    assert "is the record route compliance counts, so it stays published" in shown
    assert "Back to draft to edit" not in shown
    answered = _api(week["sup"]).post(f"/api/v1/routes/{plan.pk}/unpublish/")

    assert answered.status_code == 400 and answered.json()["code"] == "route.week_record"
    plan.refresh_from_db()
    assert plan.status == RoutePlan.Status.PUBLISHED and not RoutePlanTransition.objects.exists()


def test_the_admin_shows_who_published_and_took_back_a_week(week):
    from django.urls import reverse

    from visits import services

    services.route_plan_unpublish(plan=week["plan"], by=week["sup"])
    admin = make_user(Role.ADMIN, username="admin_unpub", is_staff=True, is_superuser=True)

    page = _page(admin).get(reverse("admin:visits_routeplan_change", args=[week["plan"].pk]))

    assert page.status_code == 200 and "sup_unpub" in html.unescape(page.content.decode())
