"""The days of a route week that have passed are its record (tester t1, F18): a supervisor took rep1's running week
back to draft, removed the stops the rep had missed on past days and published again: compliance went from 18/25
to 18/21 and nothing recorded it. A day before today (Asia/Shanghai) keeps its stops, visited or missed: none is
added, moved in or out, or removed (route.day_passed), on the page and through the API; a regenerate plans today and
after around them; a week whose days have all passed is not generated (route.week_passed). Taking a running week back
to draft to change the days to come stays allowed."""

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits import services
from visits.models import RoutePlan, RouteStop
from visits.selectors import compliance

from .factories import RoutePlanFactory, RouteStopFactory, VisitFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = date(2026, 11, 23)  # a Monday
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)  # today: Monday to Thursday have passed
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def week(time_machine):
    """rep's published week, one store a day; visited on Tuesday to Thursday, Monday's store missed: on Friday
    morning compliance reads 3 of 5 (Monday to today)."""
    time_machine.move_to(FRIDAY, tick=False)
    sup = make_user(Role.SUPERVISOR, username="sup_past")
    rep = make_user(Role.REP, username="rep_past", supervisor=sup)
    stores = [StoreFactory(rep=rep, grade="C", code=f"PAST{day}") for day in range(6)]
    plan = RoutePlanFactory(rep=rep, week_start=WEEK, status=RoutePlan.Status.PUBLISHED)
    stops = [RouteStopFactory(plan=plan, store=store, day=day, position=0) for day, store in enumerate(stores)]
    for day in (1, 2, 3):
        at = datetime.combine(WEEK + timedelta(days=day), time(10, 0), tzinfo=SHANGHAI)
        VisitFactory(rep=rep, store=stores[day], route_stop=stops[day], checked_in_at=at, checked_out_at=at)
    return {"sup": sup, "rep": rep, "plan": plan, "stops": stops, "stores": stores}


def _page(user) -> Client:
    client = Client(**EN)
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient(**EN)
    client.force_authenticate(user)
    return client


def _rate(week) -> tuple[int, int]:
    row = next(row for row in compliance(week["sup"], WEEK) if row.rep == week["rep"])
    return row.done, row.planned


def _stops(plan) -> list[tuple]:
    return list(plan.stops.order_by("day", "position").values_list("pk", "store_id", "day", "position", "by_hand"))


def test_a_missed_stop_of_a_day_that_has_passed_stays_and_compliance_with_it(week):
    # given the running week on Friday: 3 of 5 stops done, Monday's missed
    assert _rate(week) == (3, 5)
    page, api = _page(week["sup"]), _api(week["sup"])
    plan, monday, saturday = week["plan"], week["stops"][0], week["stops"][5]

    # when the supervisor takes it back to draft (allowed: to change the days to come) and removes Monday's stop on
    # the page and through the API
    unpublished = page.post(f"/visits/routes/{plan.pk}/publish/", {"action": "unpublish"})
    on_page = page.post(f"/visits/routes/stops/{monday.pk}/remove/", follow=True)
    through_api = api.delete(f"/api/v1/routes/{plan.pk}/stops/{monday.pk}/")

    # then both are refused naming the day, and the missed stop stays
    assert unpublished.status_code == 302
    assert "2026-11-23 has passed: its stops, visited or missed, are the record of the week" in on_page.content.decode()
    assert through_api.status_code == 400
    assert through_api.json()["code"] == "route.day_passed"
    assert (through_api.json()["field"], through_api.json()["params"]) == ("day", {"date": "2026-11-23"})
    assert RouteStop.objects.filter(pk=monday.pk, day=0).exists()

    # and a day still to come is changed as before
    assert page.post(f"/visits/routes/stops/{saturday.pk}/remove/").status_code == 302
    assert not RouteStop.objects.filter(pk=saturday.pk).exists()

    # and once published again, compliance still reads 3 of 5 with Monday's store missed
    page.post(f"/visits/routes/{plan.pk}/publish/")
    plan.refresh_from_db()
    assert plan.status == RoutePlan.Status.PUBLISHED
    assert _rate(week) == (3, 5)
    row = next(row for row in compliance(week["sup"], WEEK) if row.rep == week["rep"])
    assert row.missed[0] == (WEEK, week["stores"][0])  # (and today's store, not yet visited)


def test_no_stop_moves_out_of_into_or_within_a_day_that_has_passed(week):
    plan = week["plan"]
    RoutePlan.objects.filter(pk=plan.pk).update(status=RoutePlan.Status.DRAFT)
    monday, friday = week["stops"][0], week["stops"][4]
    tuesday_second = RouteStopFactory(plan=plan, store=week["stores"][5], day=1, position=1)
    before = _stops(plan)
    api, page = _api(week["sup"]), _page(week["sup"])

    # when Monday's missed stop is moved to Saturday, Friday's (today) to Wednesday, and Tuesday's second stop first
    answers = [
        api.patch(f"/api/v1/routes/{plan.pk}/stops/{monday.pk}/", {"day": 5}, format="json"),
        api.patch(f"/api/v1/routes/{plan.pk}/stops/{friday.pk}/", {"day": 2}, format="json"),
        api.patch(f"/api/v1/routes/{plan.pk}/stops/{tuesday_second.pk}/", {"position": 0}, format="json"),
    ]
    into = page.post(f"/visits/routes/stops/{friday.pk}/move/", {"day": 0}, follow=True).content.decode()

    # then each is refused, naming the day that has passed, and no stop moved
    assert [(a.status_code, a.json()["code"], a.json()["params"]["date"]) for a in answers] == [
        (400, "route.day_passed", "2026-11-23"),
        (400, "route.day_passed", "2026-11-25"),
        (400, "route.day_passed", "2026-11-24"),
    ]
    assert "2026-11-23 has passed" in into
    assert _stops(plan) == before

    # and today's stop still moves to a day to come
    moved = api.patch(f"/api/v1/routes/{plan.pk}/stops/{friday.pk}/", {"day": 5}, format="json")
    assert moved.status_code == 200 and RouteStop.objects.get(pk=friday.pk).day == 5


def test_a_stop_is_added_today_or_later_never_to_a_day_that_has_passed(week):
    plan = week["plan"]
    RoutePlan.objects.filter(pk=plan.pk).update(status=RoutePlan.Status.DRAFT)
    api, page = _api(week["sup"]), _page(week["sup"])
    late = StoreFactory(rep=week["rep"], code="PASTX")

    # when a store is added to Tuesday (passed) on the page and through the API
    on_page = page.post(f"/visits/routes/{plan.pk}/stops/", {"store": late.pk, "day": 1}, follow=True)
    through_api = api.post(f"/api/v1/routes/{plan.pk}/stops/", {"store": "PASTX", "day": 1}, format="json")

    # then it is refused, and Tuesday holds what the rep had
    assert "2026-11-24 has passed" in on_page.content.decode()
    assert (through_api.status_code, through_api.json()["code"]) == (400, "route.day_passed")
    assert not plan.stops.filter(store=late).exists()

    # and added to today it is taken
    today = api.post(f"/api/v1/routes/{plan.pk}/stops/", {"store": "PASTX", "day": 4}, format="json")
    assert today.status_code == 201 and plan.stops.filter(store=late, day=4).exists()


def test_a_regenerate_keeps_the_days_that_have_passed_and_plans_today_and_after(week, time_machine):
    # given a week generated on its Monday (A stores three times, B twice), published, then run to Friday
    rep, sup = week["rep"], week["sup"]
    RoutePlan.objects.filter(pk=week["plan"].pk).delete()
    for store in week["stores"]:
        store.grade = "A" if store.code in ("PAST0", "PAST1") else "B"
        store.save()
    plan = services.route_plan_generate(rep=rep, week_start=WEEK, by=sup, today=WEEK).plan
    past = [stop for stop in _stops(plan) if stop[2] < 4]
    assert past and {stop[2] for stop in _stops(plan)} - {0, 1, 2, 3}  # stops before and after today

    # when the supervisor generates the week again on Friday, through the page
    response = _page(sup).post("/visits/routes/generate/", {"rep": rep.pk, "week_start": WEEK.isoformat()})

    # then Monday to Thursday hold the same stops at the same places, missed ones included
    assert response.status_code == 302
    assert [stop for stop in _stops(plan) if stop[2] < 4] == past
    # and each store's visits before today count: it has as many stops in the week as its grade asks, no more
    visits = Counter(plan.stops.values_list("store__code", flat=True))
    assert visits == {"PAST0": 3, "PAST1": 3, "PAST2": 2, "PAST3": 2, "PAST4": 2, "PAST5": 2}


def test_a_week_whose_days_have_all_passed_is_not_generated(week):
    rep, sup = week["rep"], week["sup"]
    last_week = WEEK - timedelta(days=7)

    on_page = _page(sup).post(
        "/visits/routes/generate/", {"rep": rep.pk, "week_start": last_week.isoformat()}, follow=True
    )
    through_api = _api(sup).post(
        "/api/v1/routes/generate/", {"rep": rep.username, "week_start": last_week.isoformat()}, format="json"
    )

    assert "The week of 2026-11-16 has passed: routes are planned for today and the days after." in (
        on_page.content.decode()
    )
    assert (through_api.status_code, through_api.json()["code"]) == (400, "route.week_passed")
    assert not RoutePlan.objects.filter(rep=rep, week_start=last_week).exists()


def test_the_plan_page_offers_no_change_on_a_day_that_has_passed(week):
    plan = week["plan"]
    RoutePlan.objects.filter(pk=plan.pk).update(status=RoutePlan.Status.DRAFT)

    html = _page(week["sup"]).get(f"/visits/routes/{plan.pk}/").content.decode()

    # Friday and Saturday can be moved or removed; Monday to Thursday read "passed", with no button
    assert html.count('data-testid="move-stop"') == 2
    assert html.count('data-testid="day-passed"') == 4
    for stop in week["stops"][:4]:
        assert f"/visits/routes/stops/{stop.pk}/remove/" not in html
    assert "The days that have passed are the record of the week" in html
    add_form = html.split(f'action="/visits/routes/{plan.pk}/stops/"')[1].split('name="day"')[1].split("</select>")[0]
    assert add_form.count("<option") == 2  # Friday and Saturday
