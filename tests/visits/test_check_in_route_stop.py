"""A check-in's route stop is the rep's, at the store checked in at, of the check-in's day (Asia/Shanghai) and not
visited yet (QA of the mobile API: `POST /visits/ {"store": "TIMES-013", "route_stop": 91}` made a visit though stop
91 was another store's on another day, and gave the stop two visits). Refused at every door: the API's create,
Today's check-in form, the same form sent later by the phone's outbox, and the service itself."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.roles import Role
from ka_portal.errors import DomainError
from tests.factories import StoreFactory, make_user
from visits import rules, services
from visits.models import RoutePlan, Visit

from .factories import RoutePlanFactory, RouteStopFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = date(2026, 6, 3)  # of the week from Monday 2026-06-01


@pytest.fixture
def w(time_machine):
    time_machine.move_to(datetime(2026, 6, 3, 10, 0, tzinfo=SHANGHAI), tick=False)
    rep = make_user(Role.REP, username="rep_stops")
    times = StoreFactory(rep=rep, code="TIMES-013", name="时代超市13店")
    ngs = StoreFactory(rep=rep, code="NGS-003", name="农工商3店")
    plan = RoutePlanFactory(rep=rep, week_start=date(2026, 6, 1), status=RoutePlan.Status.PUBLISHED)
    last_week = RoutePlanFactory(rep=rep, week_start=date(2026, 5, 25), status=RoutePlan.Status.PUBLISHED)
    api = APIClient()
    api.force_authenticate(rep)
    return type("World", (), {
        "rep": rep, "times": times, "ngs": ngs, "api": api,
        "today": RouteStopFactory(plan=plan, day=2, store=times),  # Wednesday at TIMES-013
        "ngs_friday": RouteStopFactory(plan=plan, day=4, store=ngs),
        "ngs_today": RouteStopFactory(plan=plan, day=2, store=ngs),
        "times_thursday": RouteStopFactory(plan=plan, day=3, store=times),
        "times_last_week": RouteStopFactory(plan=last_week, day=2, store=times),
    })  # fmt: skip


def check_in(w, stop, store=None, key=None, language="en", **body):
    body = {"uuid": str(key or uuid.uuid4()), "store": (store or w.times).code, "route_stop": stop.pk, **body}
    return w.api.post("/api/v1/visits/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)


def test_the_stop_of_the_day_at_the_store_is_taken(w):
    response = check_in(w, w.today)
    assert response.status_code == 201, response.json()
    assert response.json()["route_stop"] == w.today.pk
    assert Visit.objects.get().route_stop == w.today


@pytest.mark.parametrize(
    ("stop", "code", "said"),
    [
        ("ngs_friday", "visit.route_stop_store", "is at store NGS-003, not at TIMES-013"),  # the QA's stop 91
        ("ngs_today", "visit.route_stop_store", "is at store NGS-003, not at TIMES-013"),
        ("times_thursday", "visit.route_stop_day", "is planned for 2026-06-04, not for 2026-06-03"),
        ("times_last_week", "visit.route_stop_day", "is planned for 2026-05-27, not for 2026-06-03"),
    ],
)
def test_a_stop_of_another_store_or_another_day_is_refused_naming_it(w, stop, code, said):
    with translation.override("en"):
        response = check_in(w, getattr(w, stop))
        body = response.json()
        assert response.status_code == 400
        assert (body["code"], body["field"]) == (code, "route_stop")
        assert said in body["detail"] and f"Route stop {getattr(w, stop).pk} " in body["detail"]
    assert not Visit.objects.exists()


def test_a_stop_visited_already_is_a_conflict_naming_its_visit_and_the_same_key_again_answers_it(w):
    key = uuid.uuid4()
    first = check_in(w, w.today, key=key)
    services.visit_check_out(visit=Visit.objects.get(), reason="店长不在")

    with translation.override("en"):
        second = check_in(w, w.today)
        body = second.json()
        assert second.status_code == 409
        assert body["code"] == "visit.route_stop_visited" and body["params"]["visit"] == first.json()["id"]
        assert "has a visit already" in body["detail"]
    assert Visit.objects.filter(route_stop=w.today).count() == 1
    # the phone sending its check-in again (its answer lost) is answered that visit, not refused
    again = check_in(w, w.today, key=key)
    assert again.status_code in (200, 201) and again.json()["id"] == first.json()["id"]


def test_the_day_is_shanghais_even_just_after_midnight(w, time_machine):
    time_machine.move_to(datetime(2026, 6, 4, 0, 20, tzinfo=SHANGHAI), tick=False)  # Wednesday 16:20 UTC
    assert check_in(w, w.today).json()["code"] == "visit.route_stop_day"
    assert check_in(w, w.times_thursday).status_code == 201


def test_another_reps_stop_is_not_found_at_the_service_too(w):
    other = make_user(Role.REP, username="rep_other_stops")
    stop = RouteStopFactory(plan=RoutePlanFactory(rep=other, week_start=date(2026, 6, 1)), day=2, store=w.times)
    with pytest.raises(DomainError) as refused:
        services.visit_check_in(rep=w.rep, store=w.times, route_stop=stop)
    assert (refused.value.code, refused.value.field) == ("not_found", "route_stop")
    assert not Visit.objects.exists()


def test_the_rule_is_pure_and_speaks_chinese():
    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as refused:
            rules.check_route_stop(stop=91, stop_store="NGS-003", store="TIMES-013", stop_on=WEDNESDAY,
                                   day=WEDNESDAY, visit=None)  # fmt: skip
        assert refused.value.code == "visit.route_stop_store"
        assert refused.value.detail == str(refused.value.message) % refused.value.params  # through the catalogue
    rules.check_route_stop(stop=91, stop_store="NGS-003", store="NGS-003", stop_on=WEDNESDAY, day=WEDNESDAY, visit=None)


# --- the pages: Today's check-in form, and the same sent later by the phone's outbox ---------------------------------


def test_todays_check_in_form_refuses_a_stop_of_another_store_saying_why(w, client):
    client.force_login(w.rep)
    with translation.override("en"):
        response = client.post(reverse("visits:check-in"),
                               {"store": w.times.pk, "stop": w.ngs_today.pk, "uuid": str(uuid.uuid4())},
                               follow=True, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert "is at store NGS-003, not at TIMES-013" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_outbox_sending_a_check_in_later_is_refused_with_the_code(w, client):
    client.force_login(w.rep)
    checked = client.post(reverse("visits:check-in"),
                          {"store": w.times.pk, "stop": w.today.pk, "uuid": str(uuid.uuid4())})  # fmt: skip
    assert checked.status_code == 302
    services.visit_check_out(visit=Visit.objects.get(), reason="店长不在")

    with translation.override("en"):
        replay = client.post(reverse("visits:check-in"),
                             {"store": w.times.pk, "stop": w.today.pk, "uuid": str(uuid.uuid4()), "at": ""},
                             HTTP_X_QUEUE="1", HTTP_X_QUEUE_REPLAY="1", HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert replay.status_code == 409
        assert replay.json()["code"] == "visit.route_stop_visited"
        assert "has a visit already" in replay.json()["message"]
    assert Visit.objects.filter(route_stop=w.today).count() == 1
