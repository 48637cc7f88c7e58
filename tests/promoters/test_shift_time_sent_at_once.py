"""A promoter's check-in, check-out or sell-out report sent at once (online) is timed by the server's clock, whatever
the phone's says, as a rep's visit is (tests/visits/test_visit_time_sent_at_once.py): a phone 7 minutes fast is no
longer refused ("…ahead of the server's clock") at every check-in, and one 3 hours slow no longer records a check-in
3 hours early (nor has it refused as too early, nor a check-out at the shift's end asked "leaving early?"). Only a step
the phone kept with no network and sends later from its outbox (`X-Queue-Replay: 1`, visits/static/visits/outbox.js,
read by ka_portal/pages.replayed) carries the phone's time, within the bounds it always had (visits/rules.phone_time:
refused as shift.time_too_old / shift.time_ahead, in JSON with its code), and lateness is still judged on when such a
check-in reached the server (check_in_received_at, promoters/attendance.py). The API's rule is the same: a client
sends `at` only for a step it kept.

The shift runs from 9:00 to 17:00 on 1 June 2026 (late after 10 minutes)."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ka_portal.models import IdempotencyKey
from promoters import attendance
from promoters.models import SellOutLine, Shift

from .factories_phone import NEAR, phone_world

pytestmark = [pytest.mark.django_db, pytest.mark.english]

SLOW_3H, FAST_7MIN = timedelta(hours=-3), timedelta(minutes=7)
CLOCKS = pytest.mark.parametrize("phone_off", [SLOW_3H, FAST_7MIN], ids=["3h-slow", "7min-fast"])

# How the steps reach the server (the promoter's card posts forms: visits/static/visits/checkin.js, sell_out.js):
# sent as they are made, the service worker passes the post on with its key only (templates/pwa/sw.js sendOrQueue);
# kept with no network, the outbox uploads them later, marked as a replay (outbox.js send).
AT_ONCE = {"HTTP_IDEMPOTENCY_KEY": "k-at-once"}


def replayed(key: str) -> dict:
    return {
        "HTTP_X_QUEUE": "1",
        "HTTP_X_QUEUE_REPLAY": "1",
        "HTTP_IDEMPOTENCY_KEY": key,
        "HTTP_ACCEPT": "application/json",
    }


def at(hh, mm, day=1):
    return timezone.make_aware(datetime(2026, 6, day, hh, mm))


@pytest.fixture
def w(time_machine, client):
    time_machine.move_to(at(8, 55), tick=False)
    world = phone_world()
    client.force_login(world.user)
    return world


def stored(w) -> Shift:
    return Shift.objects.get(pk=w.shift.pk)


def post_check_in(client, w, phone_time: datetime, **headers):
    body = {"latitude": NEAR[0], "longitude": NEAR[1], "at": phone_time.isoformat(), "offline_next": "/promoters/my/"}
    return client.post(reverse("promoters:my-check-in", args=[w.shift.pk]), body, **headers)


def post_check_out(client, w, phone_time: datetime, **headers):
    body = {"latitude": NEAR[0], "longitude": NEAR[1], "at": phone_time.isoformat(), "offline_next": "/promoters/my/"}
    return client.post(reverse("promoters:my-check-out", args=[w.shift.pk]), body, **headers)


def post_sell_out(client, w, phone_time: datetime, packs: str = "7", **headers):
    s = f"s{w.shift.pk}-"
    body = {"offline_next": "/promoters/my/", f"{s}at": phone_time.isoformat()}
    for product in (w.beer, w.chips):
        body.update({f"{s}p{product.pk}_{name}": "" for name in ("units_cases", "units_packs", "price_seen")})
    body[f"{s}p{w.beer.pk}_units_packs"] = packs
    return client.post(reverse("promoters:my-sell-out", args=[w.shift.pk]), body, **headers)


def checked_in_now(client, w) -> None:
    """Checked in at the store at 08:55 by the server's clock."""
    client.post(reverse("promoters:my-check-in", args=[w.shift.pk]), {"latitude": NEAR[0], "longitude": NEAR[1]})
    assert stored(w).checked_in_at == at(8, 55)


# --- sent at once: the server's clock ------------------------------------------------------------------------------


@CLOCKS
def test_a_check_in_sent_at_once_is_timed_by_the_server_whatever_the_phones_clock(w, client, time_machine, phone_off):
    """At 9:20 (twenty minutes late) the promoter checks in: a phone 7 minutes fast was refused as ahead of the
    server's clock, one 3 hours slow (6:20) as too early for a 9:00 shift. Both now check in at 9:20, read late by 20
    minutes, with no "received at" beside the time (nothing was sent late)."""
    time_machine.move_to(at(9, 20), tick=False)

    answer = post_check_in(client, w, at(9, 20) + phone_off, **AT_ONCE)

    assert answer.status_code == 302 and answer.url == "/promoters/my/"
    shift = stored(w)
    assert (shift.checked_in_at, shift.check_in_received_at) == (at(9, 20), at(9, 20))
    reading = attendance.reading(shift, now=at(9, 30))
    assert (reading.late_minutes, reading.received_at, reading.sent_late) == (20, None, False)
    page = client.get(answer.url).content.decode()
    assert "Check-in recorded. Your supervisor will see it as 20 minutes late." in page
    assert "ahead of the server" not in page and "check-in opens" not in page


@CLOCKS
def test_a_check_out_sent_at_once_is_timed_by_the_server(w, client, time_machine, phone_off):
    """At 17:02 the promoter checks out: a phone 3 hours slow (14:02) was asked to confirm leaving early, one 7
    minutes fast was refused; both check out at 17:02."""
    checked_in_now(client, w)
    time_machine.move_to(at(17, 2), tick=False)

    answer = post_check_out(client, w, at(17, 2) + phone_off, **AT_ONCE)

    assert answer.status_code == 302 and "leave_early" not in answer.url
    assert stored(w).checked_out_at == at(17, 2)
    assert "Checked out. Thank you." in client.get(answer.url).content.decode()


@CLOCKS
def test_a_sell_out_sent_at_once_is_timed_by_the_server(w, client, time_machine, phone_off):
    checked_in_now(client, w)
    time_machine.move_to(at(15, 10), tick=False)

    answer = post_sell_out(client, w, at(15, 10) + phone_off, **AT_ONCE)

    assert answer.status_code == 302 and "?saved=" in answer.url
    line = SellOutLine.objects.get(shift=w.shift)
    assert (line.units, line.reported_at) == (7, at(15, 10))


def test_a_step_sent_as_a_queued_write_but_not_a_replay_is_timed_by_the_server(w, client, time_machine):
    """`X-Queue` alone (a write sent in the background as it is made) is not a kept one: the server's clock."""
    time_machine.move_to(at(9, 20), tick=False)
    queued = {"HTTP_X_QUEUE": "1", "HTTP_IDEMPOTENCY_KEY": "k-q", "HTTP_ACCEPT": "application/json"}

    answer = post_check_in(client, w, at(6, 20), **queued)

    assert answer.status_code == 200 and answer.json()["url"] == "/promoters/my/"
    assert stored(w).checked_in_at == at(9, 20)


def test_the_replay_mark_alone_is_not_a_kept_write(w, client, time_machine):
    """Without `X-Queue` the post is the card's form, answered with a page and timed by the server."""
    time_machine.move_to(at(9, 20), tick=False)

    answer = post_check_in(client, w, at(6, 20), HTTP_X_QUEUE_REPLAY="1")

    assert answer.status_code == 302
    assert stored(w).checked_in_at == at(9, 20)


# --- kept on the phone, sent later: the phone's time within its bounds --------------------------------------------


def test_a_check_in_kept_on_the_phone_keeps_the_phones_time_and_is_judged_late_on_its_arrival(w, client, time_machine):
    """Checked in at 8:58 with no network, uploaded at 9:40: the phone's 8:58 is kept, and the arrival beside it;
    lateness is judged on the arrival (more than KA.promoter_sync_grace_minutes after the phone's time), which the
    phone cannot date back."""
    time_machine.move_to(at(9, 40), tick=False)

    answer = post_check_in(client, w, at(8, 58), **replayed("k-in"))

    assert answer.status_code == 200 and answer.json()["url"] == "/promoters/my/"
    shift = stored(w)
    assert (shift.checked_in_at, shift.check_in_received_at) == (at(8, 58), at(9, 40))
    reading = attendance.reading(shift, now=at(9, 45))
    assert (reading.late_minutes, reading.received_at, reading.sent_late) == (40, at(9, 40), False)


@pytest.mark.parametrize(
    ("phone_time", "code", "said"),
    [
        (at(8, 55) - timedelta(hours=25), "shift.time_too_old", "more than 24 hours before it reached the server"),
        (at(11, 0), "shift.time_ahead", "ahead of the server's clock"),
    ],
    ids=["25h-old", "2h-ahead"],
)
def test_a_check_in_kept_beyond_the_bounds_is_refused_in_json_with_its_code(w, client, phone_time, code, said):
    answer = post_check_in(client, w, phone_time, **replayed("k-bad"))

    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == code and said in body["message"]
    assert stored(w).checked_in_at is None and not IdempotencyKey.objects.exists()  # the key kept for nothing


def test_a_check_out_kept_on_the_phone_keeps_the_time_it_was_tapped(w, client, time_machine):
    checked_in_now(client, w)
    time_machine.move_to(at(17, 40), tick=False)

    answer = post_check_out(client, w, at(17, 1), **replayed("k-out"))

    assert answer.status_code == 200
    assert stored(w).checked_out_at == at(17, 1)


def test_a_check_out_kept_beyond_the_bounds_is_refused_with_its_code(w, client, time_machine):
    checked_in_now(client, w)
    time_machine.move_to(at(17, 5, day=2), tick=False)  # uploaded the next day, 24 h 4 min after the tap

    answer = post_check_out(client, w, at(17, 1), **replayed("k-out"))

    assert answer.status_code == 400 and answer.json()["code"] == "shift.time_too_old"
    assert stored(w).checked_out_at is None


def test_a_sell_out_kept_on_the_phone_keeps_its_time_and_one_beyond_the_bounds_says_why(w, client, time_machine):
    """The report's time is no field the promoter can correct: a refusal for it is said as the reason, not as "1 field
    needs fixing" with no field to fix."""
    checked_in_now(client, w)
    time_machine.move_to(at(16, 2), tick=False)

    kept = post_sell_out(client, w, at(15, 10), **replayed("k-sell"))

    assert kept.status_code == 200
    assert SellOutLine.objects.get(shift=w.shift).reported_at == at(15, 10)

    ahead = post_sell_out(client, w, at(18, 0), packs="9", **replayed("k-sell-2"))

    assert ahead.status_code == 400
    body = ahead.json()
    assert body["code"] == "shift.time_ahead"
    assert "ahead of the server's clock" in body["message"] and "check the phone's date and time" in body["message"]
    line = SellOutLine.objects.get(shift=w.shift)
    assert (line.units, line.reported_at) == (7, at(15, 10))  # unchanged


# --- the API: the client sends `at` only for a step it kept -------------------------------------------------------


def test_the_api_takes_the_clients_time_only_when_it_sends_one(w, time_machine):
    api = APIClient()
    api.force_authenticate(w.user)
    time_machine.move_to(at(9, 20), tick=False)

    online = api.post(reverse("shift-check-in", args=[w.shift.pk]), {}, format="json")

    assert online.status_code == 200 and online.json()["checked_in_at"].startswith("2026-06-01T09:20")
    assert online.json()["attendance"]["late_minutes"] == 20

    time_machine.move_to(at(17, 30), tick=False)
    kept = api.post(reverse("shift-check-out", args=[w.shift.pk]), {"at": "2026-06-01T17:01:00+08:00"}, format="json")
    assert kept.status_code == 200 and kept.json()["checked_out_at"].startswith("2026-06-01T17:01")
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["components"]["schemas"]
    for name in ("CheckInRequest", "CheckOutRequest", "SellOutReportRequest"):  # the steps' bodies
        assert "Send it only for" in schema[name]["properties"]["at"]["description"], name
