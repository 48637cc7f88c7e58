"""A check-out made with no network and sent later keeps the time the rep tapped Check out, at both doors: the page
(the outbox's queued post, the phone's `at`) and the API (`checked_out_at`). The same rules and refusals at each
(visits.services.visit_check_out, rules.phone_time and rules.check_out_time): at most KA_VISIT_SYNC_MAX_HOURS (24)
before the server receives it, never beyond a few minutes ahead of its clock, one before the check-in is the check-in
itself, and for a visit left open overnight the time of leaving is on the check-in's day and not after the check-out.
Before, the API's check-out had no such field: a phone's check-out sent the next morning was dated the next morning.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import Visit

from .factories import VisitFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def at(hour, minute=0, day=4):
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


NOW = at(10)  # Friday 4 December 10:00: the server's clock when the check-out arrives
THURSDAY = 3


@dataclass
class Answer:
    status: int
    message: str  # the refusal's sentence, as the outbox lists it or the API's detail
    code: str | None = None  # the API's code and the field it names
    field: str | None = None


def _page(client, visit, checked_out_at, left_at=None) -> Answer:
    """What the outbox sends for a check-out tapped with no network: the visit's form, the phone's time, marked as
    sent after it waited on the phone (`X-Queue-Replay`)."""
    data = {"action": "check_out", "checkout_reason": "店长不在", "at": checked_out_at.isoformat()}
    if left_at is not None:  # the page's box is a clock time on the check-in's day
        data["left_at"] = timezone.localtime(left_at).strftime("%H:%M")
    replayed = {"HTTP_X_QUEUE": "1", "HTTP_X_QUEUE_REPLAY": "1"}
    response = client.post(reverse("visits:visit-detail", args=[visit.pk]), data, **replayed, **EN)
    return Answer(response.status_code, response.json().get("message", ""))


def _api(client, visit, checked_out_at, left_at=None) -> Answer:
    body = {"reason": "店长不在", "checked_out_at": checked_out_at.isoformat()}
    if left_at is not None:
        body["left_at"] = left_at.isoformat()
    response = client.post(f"/api/v1/visits/{visit.pk}/check-out/", body, format="json", **EN)
    answer = response.json()
    return Answer(response.status_code, answer.get("detail", ""), answer.get("code"), answer.get("field"))


@pytest.fixture(params=["page", "api"])
def check_out(request, client, api_client, time_machine):
    """Check a visit out through one door at NOW, as its rep."""
    time_machine.move_to(NOW, tick=False)
    rep = make_user(Role.REP, username="rep_checkout_time")
    client.force_login(rep)
    api_client.force_authenticate(rep)
    send = _page if request.param == "page" else _api
    web = client if request.param == "page" else api_client
    store = StoreFactory(rep=rep, name="华润万家罗湖店")

    def knock(checked_in_at, checked_out_at, left_at=None) -> tuple[Answer, Visit]:
        visit = VisitFactory(rep=rep, store=store, checked_in_at=checked_in_at)
        answer = send(web, visit, checked_out_at, left_at)
        visit.refresh_from_db()
        return answer, visit

    knock.door = request.param
    return knock


def _refused(answer: Answer, visit: Visit, door: str, code: str, field: str, message: str) -> None:
    assert answer.status == 400
    assert message in answer.message
    if door == "api":
        assert (answer.code, answer.field) == (code, field)
    assert visit.checked_out_at is None  # nothing written: the visit is still open


# --- the phone's time ----------------------------------------------------------------------------------------------


def test_a_check_out_sent_late_keeps_the_time_it_was_tapped(check_out):
    answer, visit = check_out(at(9), at(9, 40))

    assert answer.status == 200
    assert visit.checked_out_at == at(9, 40) and visit.minutes_in_store == 40
    assert visit.checkout_time == Visit.CheckoutTime.RECORDED and visit.checkout_entered_at is None


def test_a_check_out_more_than_the_window_before_it_arrives_is_refused(check_out):
    # checked in on Thursday at 08:00, checked out at 08:30 and sent 25 and a half hours later
    answer, visit = check_out(at(8, day=THURSDAY), at(8, 30, day=THURSDAY))

    _refused(
        answer, visit, check_out.door, "visit.time_too_old", "checked_out_at",
        "The time 2026-12-03 08:30 is more than 24 hours before it reached the server (2026-12-04 10:00)",
    )  # fmt: skip


def test_a_check_out_ahead_of_the_servers_clock_is_refused(check_out):
    answer, visit = check_out(at(9), NOW + timedelta(hours=1))

    _refused(
        answer, visit, check_out.door, "visit.time_ahead", "checked_out_at",
        "The time 2026-12-04 11:00 is ahead of the server's clock (2026-12-04 10:00)",
    )  # fmt: skip


def test_a_phone_clock_a_little_fast_checks_out_now(check_out):
    answer, visit = check_out(at(9), NOW + timedelta(minutes=4))

    assert answer.status == 200
    assert visit.checked_out_at == NOW  # never dated ahead


def test_a_check_out_before_the_check_in_is_the_check_in_and_flagged_short(check_out):
    answer, visit = check_out(at(9), at(8, 50))

    assert answer.status == 200
    assert visit.checked_out_at == at(9) and visit.minutes_in_store == 0
    assert visit.short_visit


# --- a visit left open overnight (checked in Thursday 17:00) ------------------------------------------------------


def test_a_check_out_tapped_yesterday_evening_and_sent_this_morning_is_an_ordinary_one(check_out):
    answer, visit = check_out(at(17, day=THURSDAY), at(18, 20, day=THURSDAY))

    assert answer.status == 200
    assert visit.checked_out_at == at(18, 20, day=THURSDAY) and visit.minutes_in_store == 80
    assert visit.checkout_time == Visit.CheckoutTime.RECORDED and visit.checkout_entered_at is None


def test_a_check_out_tapped_this_morning_with_the_time_left_ends_then_entered_when_tapped(check_out):
    answer, visit = check_out(at(17, day=THURSDAY), at(8, 10), left_at=at(18, 30, day=THURSDAY))

    assert answer.status == 200
    assert visit.checked_out_at == at(18, 30, day=THURSDAY) and visit.minutes_in_store == 90
    assert visit.checkout_time == Visit.CheckoutTime.STATED
    assert visit.checkout_entered_at == at(8, 10)  # the phone's time, not the upload's (10:00)


def test_a_check_out_tapped_this_morning_without_a_time_is_closed_when_tapped(check_out):
    answer, visit = check_out(at(17, day=THURSDAY), at(8, 10))

    assert answer.status == 200
    assert visit.checkout_time == Visit.CheckoutTime.NONE and visit.minutes_in_store is None
    assert visit.checked_out_at == visit.checkout_entered_at == at(8, 10)


def test_a_time_of_leaving_after_the_check_out_tapped_is_refused(check_out):
    # tapped at 18:00 on Thursday, saying the rep left at 18:30: after the check-out itself
    answer, visit = check_out(at(17, day=THURSDAY), at(18, day=THURSDAY), left_at=at(18, 30, day=THURSDAY))

    _refused(
        answer, visit, check_out.door, "visit.left_at_out_of_range", "left_at",
        "The time you left must be between 2026-12-03 17:00 (the check-in) and 2026-12-03 18:00.",
    )  # fmt: skip


# --- the API's schema ------------------------------------------------------------------------------------------------


def test_the_schema_documents_the_check_outs_phone_time(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    body = schema["components"]["schemas"]["VisitCheckOutRequest"]["properties"]
    assert body["checked_out_at"]["format"] == "date-time"
    assert "KA_VISIT_SYNC_MAX_HOURS" in body["checked_out_at"]["description"]
    refusals = schema["paths"]["/api/v1/visits/{id}/check-out/"]["post"]["responses"]["400"]["description"]
    assert "visit.time_too_old" in refusals and "visit.left_at_out_of_range" in refusals
