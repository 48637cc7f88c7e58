"""A visit left open overnight (checked in yesterday at 17:00, never checked out) was checked out "now" when the rep
noticed the next morning: a 15-hour visit, flagged long, with a check-out time that was false. Now a check-out made
on a later day than its check-in asks the time the rep left (between the check-in and the end of that day): the
visit ends then, marked as given afterwards; without it the visit is kept as not checked out, with no time in the
store. One write path (visits.services.visit_check_out, rules.check_out_time): the page, the phone's queued check-out
and the API alike. A check-out queued offline yesterday evening and sent this morning keeps its own time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from evidence.models import FraudSignal
from ka_portal.errors import DomainError
from tests.factories import StoreFactory, make_user
from visits import rules, services
from visits.models import Visit

from .factories import VisitFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
# sent by the outbox after it waited on the phone: the time is the phone's (ka_portal/pages.py replayed)
QUEUED = {"HTTP_X_QUEUE": "1", "HTTP_X_QUEUE_REPLAY": "1"}


def at(hour, minute=0, day=2):
    return datetime(2026, 6, day, hour, minute, tzinfo=SHANGHAI)


CHECKED_IN = at(17)  # Tuesday 2 June 17:00
NEXT_MORNING = at(8, 10, day=3)


@pytest.fixture
def store(rep):
    return StoreFactory(rep=rep, code="LH-004", name="联华四店")


@pytest.fixture
def left_open(rep, store):
    return VisitFactory(rep=rep, store=store, checked_in_at=CHECKED_IN)


@pytest.fixture
def next_morning():
    with time_machine.travel(NEXT_MORNING, tick=False):
        yield


# --- the rule -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("checked_out", "left", "kind", "ends"),
    [
        (at(18, 5), None, "recorded", at(18, 5)),  # on the day: as always
        (at(23, 59), None, "recorded", at(23, 59)),
        (at(0, 1, day=3), None, "none", at(0, 1, day=3)),  # the next day, no time given: not checked out
        (NEXT_MORNING, at(18, 30), "stated", at(18, 30)),
        (NEXT_MORNING, at(23, 59), "stated", at(23, 59)),
        (NEXT_MORNING, at(23, 59).replace(second=30), "stated", at(23, 59)),  # QA: refused, "between … and 23:59"
        (NEXT_MORNING, at(17), "stated", CHECKED_IN),
        (at(18, 5), at(17, 45), "stated", at(17, 45)),  # left, then checked out in the car
        (
            at(18, 5).replace(second=42),
            at(18, 5),
            "recorded",
            at(18, 5).replace(second=42),
        ),  # the check-out's own minute: nothing stated
    ],
    ids=[
        "day",
        "midnight-1",
        "next-day-none",
        "stated",
        "last-minute",
        "last-minute-seconds",
        "at-check-in",
        "same-day-stated",
        "same-min",
    ],  # fmt: skip
)
def test_a_check_out_ends_the_visit_when_the_rep_left(checked_out, left, kind, ends):
    ended = rules.check_out_time(checked_in_at=CHECKED_IN, at=checked_out, left_at=left)

    assert (ended.kind, ended.checked_out_at) == (kind, ends)
    assert ended.entered_at == (None if kind == "recorded" else checked_out)


@pytest.mark.parametrize(
    ("checked_out", "left", "latest"),
    [
        (NEXT_MORNING, at(16, 59), "2026-06-02 23:59"),  # before the check-in
        (NEXT_MORNING, at(7, 0, day=3), "2026-06-02 23:59"),  # the next day: not when the visit ended
        (at(18, 5), at(18, 30), "2026-06-02 18:05"),  # after the check-out itself
    ],
    ids=["before-check-in", "next-day", "after-check-out"],
)
def test_a_time_of_leaving_outside_the_visits_day_is_refused_naming_the_span(checked_out, left, latest):
    with pytest.raises(DomainError) as refused:
        rules.check_out_time(checked_in_at=CHECKED_IN, at=checked_out, left_at=left)

    assert (refused.value.code, refused.value.field) == ("visit.left_at_out_of_range", "left_at")
    assert (refused.value.params["earliest"], refused.value.params["latest"]) == ("2026-06-02 17:00", latest)


# --- the page -------------------------------------------------------------------------------------------------------


def test_the_next_morning_the_visit_page_asks_when_the_rep_left(client, rep, left_open, next_morning):
    client.force_login(rep)

    page = client.get(reverse("visits:visit-detail", args=[left_open.pk]), **EN).content.decode()

    assert 'data-testid="left-at-box"' in page
    assert "You checked in here on 2026-06-02 at 17:00 and did not check out that day." in page
    assert 'type="time" form="visit-form" name="left_at"' in page and 'min="17:00" max="23:59"' in page


def test_a_visit_of_today_asks_for_no_time_of_leaving(client, rep, store):
    with time_machine.travel(at(17, 30), tick=False):
        visit = VisitFactory(rep=rep, store=store, checked_in_at=CHECKED_IN)
        client.force_login(rep)
        page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()

    assert 'data-testid="left-at-box"' not in page and 'name="left_at"' not in page


def test_checked_out_next_morning_with_the_time_left_ends_then_and_is_not_a_long_visit(
    client, rep, left_open, next_morning
):
    client.force_login(rep)

    answer = client.post(
        reverse("visits:visit-detail", args=[left_open.pk]),
        {"action": "check_out", "checkout_reason": "昨天忘了签退", "left_at": "18:30", "at": NEXT_MORNING.isoformat()},
    )

    assert answer.status_code == 302
    visit = Visit.objects.get(pk=left_open.pk)
    assert (visit.checked_out_at, visit.checkout_entered_at) == (at(18, 30), NEXT_MORNING)
    assert visit.checkout_time == Visit.CheckoutTime.STATED and visit.minutes_in_store == 90
    assert not FraudSignal.objects.filter(visit=visit, kind=FraudSignal.Kind.LONG_VISIT).exists()
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert "checked out 18:30 (90 minutes)" in page
    assert "time of leaving given by the rep on 2026-06-03 08:10" in page


def test_checked_out_next_morning_without_a_time_is_kept_as_not_checked_out(client, rep, left_open, next_morning):
    client.force_login(rep)

    client.post(
        reverse("visits:visit-detail", args=[left_open.pk]), {"action": "check_out", "checkout_reason": "忘了签退"}
    )

    visit = Visit.objects.get(pk=left_open.pk)
    assert visit.checkout_time == Visit.CheckoutTime.NONE
    assert visit.checked_out_at == visit.checkout_entered_at == NEXT_MORNING
    assert visit.minutes_in_store is None and not visit.short_visit  # no duration made up
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    assert "not checked out: closed 2026-06-03 08:10, with no time in the store" in page
    assert "(15 h" not in page
    report = client.get(reverse("visits:daily-report"), {"date": "2026-06-02"}, **EN).content.decode()
    assert "17:00 – not checked out" in report


def test_a_time_of_leaving_refused_is_said_next_to_its_box_and_nothing_is_written(client, rep, left_open, next_morning):
    client.force_login(rep)

    answer = client.post(
        reverse("visits:visit-detail", args=[left_open.pk]),
        {"action": "check_out", "checkout_reason": "忘了签退", "left_at": "16:00"},
        **EN,
    )

    assert answer.status_code == 400
    assert (
        "The time you left must be between 2026-06-02 17:00 (the check-in) and 2026-06-02 23:59."
        in (answer.context["form"].errors["left_at"][0])
    )
    assert Visit.objects.get(pk=left_open.pk).checked_out_at is None


def test_a_queued_check_out_refused_for_its_time_of_leaving_marks_the_box(client, rep, left_open, next_morning):
    client.force_login(rep)

    answer = client.post(
        reverse("visits:visit-detail", args=[left_open.pk]),
        {"action": "check_out", "checkout_reason": "忘了签退", "left_at": "16:00"},
        **QUEUED,
        **EN,
    )

    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["left_at"]


def test_a_check_out_queued_yesterday_evening_and_sent_this_morning_keeps_its_time(
    client, rep, left_open, next_morning
):
    # given: the rep tapped Check out at 18:20 with no network; the phone sends it the next morning
    client.force_login(rep)

    answer = client.post(
        reverse("visits:visit-detail", args=[left_open.pk]),
        {"action": "check_out", "checkout_reason": "店长不在", "at": at(18, 20).isoformat()},
        **QUEUED,
    )

    assert answer.status_code == 200 and answer.json()["checked_out"] is True
    visit = Visit.objects.get(pk=left_open.pk)
    assert (visit.checked_out_at, visit.checkout_entered_at) == (at(18, 20), None)
    assert visit.checkout_time == Visit.CheckoutTime.RECORDED and visit.minutes_in_store == 80


def test_the_check_out_step_takes_the_time_of_leaving_too(client, rep, left_open, next_morning):
    client.force_login(rep)

    client.post(
        reverse("visits:visit-check-out", args=[left_open.pk]), {"checkout_reason": "忘了签退", "left_at": "19:05"}
    )

    assert Visit.objects.get(pk=left_open.pk).checked_out_at == at(19, 5)


# --- Today ----------------------------------------------------------------------------------------------------------


def test_today_says_plainly_that_yesterdays_visit_is_still_open_and_what_to_do(client, rep, left_open, next_morning):
    client.force_login(rep)

    english = client.get(reverse("visits:today"), **EN).content.decode()
    chinese = client.get(reverse("visits:today"), **ZH).content.decode()

    assert (
        "You did not check out at 联华四店 (checked in 2026-06-02 17:00). Close that visit from here: give the time "
        "you left, or leave it empty if you do not remember."
    ) in english
    assert "Close that visit</a>" in english
    assert f'href="{reverse("visits:visit-detail", args=[left_open.pk])}#check-out"' in english
    assert "联华四店" in chinese and "2026-06-02 17:00" in chinese  # the sentence itself: the catalogue's


# --- the API --------------------------------------------------------------------------------------------------------


def test_the_api_check_out_takes_the_time_of_leaving_and_says_what_the_time_is(
    api_client, rep, left_open, next_morning
):
    api_client.force_authenticate(rep)

    answer = api_client.post(
        f"/api/v1/visits/{left_open.pk}/check-out/",
        {"reason": "忘了签退", "left_at": "2026-06-02T18:30:00+08:00"},
        format="json",
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["checked_out_at"], body["checkout_time"]) == ("2026-06-02T18:30:00+08:00", "stated")
    assert body["checkout_entered_at"] == "2026-06-03T08:10:00+08:00"
    listed = api_client.get("/api/v1/visits/").json()["results"]
    assert [(row["id"], row["checkout_time"]) for row in listed] == [(left_open.pk, "stated")]


def test_the_api_refuses_a_time_of_leaving_out_of_the_span_naming_it(api_client, rep, left_open, next_morning):
    api_client.force_authenticate(rep)

    answer = api_client.post(
        f"/api/v1/visits/{left_open.pk}/check-out/",
        {"reason": "忘了签退", "left_at": "2026-06-03T07:30:00+08:00"},
        format="json",
        **EN,
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "visit.left_at_out_of_range"
    assert Visit.objects.get(pk=left_open.pk).checked_out_at is None


def test_the_api_check_out_without_a_time_is_not_checked_out(api_client, rep, left_open, next_morning):
    api_client.force_authenticate(rep)

    body = api_client.post(f"/api/v1/visits/{left_open.pk}/check-out/", {"reason": "忘了"}, format="json").json()

    assert (body["checkout_time"], body["checked_out_at"]) == ("none", "2026-06-03T08:10:00+08:00")


def test_a_check_out_of_the_same_day_reads_as_recorded(api_client, rep, store):
    visit = VisitFactory(rep=rep, store=store, checked_in_at=CHECKED_IN)
    api_client.force_authenticate(rep)
    with time_machine.travel(at(17, 45), tick=False):
        body = api_client.post(f"/api/v1/visits/{visit.pk}/check-out/", {"reason": "店长不在"}, format="json").json()

    assert (body["checkout_time"], body["checkout_entered_at"]) == ("recorded", None)
    assert services.visit_check_out(visit=Visit.objects.get(pk=visit.pk)).checked_out_at == at(17, 45)  # kept


def test_a_check_out_given_afterwards_or_none_is_flagged_for_the_supervisor(client, supervisor):
    rep = make_user(Role.REP, username="rep_team", supervisor=supervisor)
    store = StoreFactory(rep=rep)
    stated = VisitFactory(rep=rep, store=store, checked_in_at=CHECKED_IN)
    none = VisitFactory(rep=rep, store=store, checked_in_at=CHECKED_IN + timedelta(minutes=1))
    with time_machine.travel(NEXT_MORNING, tick=False):
        services.visit_check_out(visit=stated, reason="忘了", left_at=at(18))
        services.visit_check_out(visit=none, reason="忘了")
        client.force_login(supervisor)
        page = client.get(reverse("visits:visit-list"), {"flagged": "true"}, **EN)

    assert {visit.pk for visit in page.context["object_list"]} == {stated.pk, none.pk}
    text = page.content.decode()
    assert "Time of leaving given afterwards" in text and "Not checked out" in text
