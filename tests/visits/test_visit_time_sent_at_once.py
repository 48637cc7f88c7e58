"""A check-in or check-out the page sends at once (online) is timed by the server's clock, whatever the phone's says
(QA, a rep on a phone with its clock wrong): a phone 3 hours slow no longer dates a visit 3 hours back, and one 7
minutes fast is no longer refused ("…ahead of the server's clock") at every check-in. Only a write the phone kept
with no network and sends later from its outbox (`X-Queue-Replay: 1`, visits/static/visits/outbox.js) carries the
phone's time, within the bounds it always had (visits/rules.phone_time), and its refusal names its code, from which
the outbox says what to do next. The API is the same rule: a client sends `checked_in_at` for a check-in it kept."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import Visit

from .factories import VisitFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)  # the server's clock
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
AT_ONCE = {"HTTP_X_QUEUE": "1"}  # the page's check-in or save, sent as it is made (KaQueue.write, straight)
REPLAYED = {"HTTP_X_QUEUE": "1", "HTTP_X_QUEUE_REPLAY": "1"}  # kept on the phone, sent by the outbox later


@pytest.fixture
def rep(client, time_machine):
    time_machine.move_to(NOW, tick=False)
    user = make_user(Role.REP, username="rep_clock")
    client.force_login(user)
    return user, StoreFactory(rep=user, name="沃尔玛五角场店")


def _check_in(client, store, phone_time: datetime, **headers):
    data = {"store": store.pk, "uuid": str(uuid.uuid4()), "at": phone_time.isoformat()}
    return client.post(reverse("visits:check-in"), data, **headers, **EN)


@pytest.mark.parametrize(
    "phone_off",
    [timedelta(hours=-3), timedelta(minutes=7), timedelta(hours=2)],
    ids=["3h-slow", "7min-fast", "2h-fast"],
)
def test_a_check_in_sent_at_once_is_timed_by_the_server_whatever_the_phones_clock(client, rep, phone_off):
    user, store = rep

    answer = _check_in(client, store, NOW + phone_off, **AT_ONCE)

    assert answer.status_code == 201, answer.content
    assert Visit.objects.get(store=store).checked_in_at == NOW  # not backdated, not refused


def test_a_check_in_posted_as_a_form_is_timed_by_the_server(client, rep):
    """Today's check-in posted as a form (the service worker sends it on, or the page without its script)."""
    user, store = rep

    answer = _check_in(client, store, NOW - timedelta(hours=3))

    assert answer.status_code == 302
    assert Visit.objects.get(store=store).checked_in_at == NOW


def test_a_check_in_kept_on_the_phone_keeps_the_phones_time_within_the_bounds(client, rep):
    user, store = rep

    answer = _check_in(client, store, NOW - timedelta(hours=3), **REPLAYED)

    assert answer.status_code == 201
    assert Visit.objects.get(store=store).checked_in_at == NOW - timedelta(hours=3)  # when it was tapped


def test_a_check_in_kept_on_a_phone_whose_clock_is_ahead_is_refused_with_its_code(client, rep):
    user, store = rep

    answer = _check_in(client, store, NOW + timedelta(hours=2), **REPLAYED)

    assert answer.status_code == 400
    body = answer.json()
    # the code: the outbox says to check in again (after setting the clock the message asks for)
    assert body["code"] == "visit.time_ahead"
    assert "ahead of the server's clock" in body["message"] and "check the phone's date and time" in body["message"]
    assert not Visit.objects.filter(store=store).exists()


def test_the_replay_mark_alone_is_not_a_queued_write(client, rep):
    """Without `X-Queue` the post is a page's form: answered with a page and timed by the server."""
    user, store = rep

    answer = _check_in(client, store, NOW - timedelta(hours=3), HTTP_X_QUEUE_REPLAY="1")

    assert answer.status_code == 302
    assert Visit.objects.get(store=store).checked_in_at == NOW


def _check_out(client, visit, phone_time: datetime, **headers):
    data = {"action": "check_out", "checkout_reason": "店长不在", "at": phone_time.isoformat()}
    return client.post(reverse("visits:visit-detail", args=[visit.pk]), data, **headers, **EN)


@pytest.mark.parametrize("phone_off", [timedelta(minutes=-40), timedelta(minutes=7)], ids=["40min-slow", "7min-fast"])
def test_a_check_out_sent_at_once_is_timed_by_the_server(client, rep, phone_off):
    user, store = rep
    visit = VisitFactory(rep=user, store=store, checked_in_at=NOW - timedelta(hours=1))

    answer = _check_out(client, visit, NOW + phone_off, **AT_ONCE)

    assert answer.status_code == 200 and answer.json()["checked_out"] is True
    visit.refresh_from_db()
    assert visit.checked_out_at == NOW and visit.minutes_in_store == 60


def test_a_check_out_kept_on_the_phone_keeps_the_time_it_was_tapped(client, rep):
    user, store = rep
    visit = VisitFactory(rep=user, store=store, checked_in_at=NOW - timedelta(hours=1))

    answer = _check_out(client, visit, NOW - timedelta(minutes=40), **REPLAYED)

    assert answer.status_code == 200
    visit.refresh_from_db()
    assert visit.checked_out_at == NOW - timedelta(minutes=40) and visit.minutes_in_store == 20


def test_a_check_out_kept_on_a_phone_whose_clock_is_ahead_is_refused_with_its_code(client, rep):
    user, store = rep
    visit = VisitFactory(rep=user, store=store, checked_in_at=NOW - timedelta(hours=1))

    answer = _check_out(client, visit, NOW + timedelta(hours=2), **REPLAYED)

    assert answer.status_code == 400 and answer.json()["code"] == "visit.time_ahead"
    visit.refresh_from_db()
    assert visit.checked_out_at is None


def test_an_incomplete_check_out_kept_on_the_phone_is_refused_with_its_code(client, rep):
    """The code lets the outbox say "complete the visit" rather than list each product refused."""
    user, store = rep
    visit = VisitFactory(rep=user, store=store, checked_in_at=NOW - timedelta(hours=1), latitude=None, longitude=None)

    answer = client.post(reverse("visits:visit-detail", args=[visit.pk]), {"action": "check_out"}, **REPLAYED, **EN)

    assert answer.status_code == 400
    assert answer.json()["code"] == "visit.incomplete"
    assert answer.json()["message"].startswith("Not checked out:")


def test_the_api_takes_the_clients_time_only_when_it_sends_one(api_client, rep):
    """The API's rule is the page's: a client sends `checked_in_at` for a check-in it kept and sends later; one made
    online leaves it out and is timed by the server."""
    user, store = rep
    api_client.force_authenticate(user)

    online = api_client.post("/api/v1/visits/", {"store": store.code}, format="json", **EN)
    kept = api_client.post(
        "/api/v1/visits/",
        {"store": store.code, "checked_in_at": (NOW - timedelta(hours=26)).isoformat(), "uuid": str(uuid.uuid4())},
        format="json",
        **EN,
    )

    assert online.status_code == 201
    assert Visit.objects.get(pk=online.json()["id"]).checked_in_at == NOW
    assert kept.status_code == 400 and kept.json()["code"] == "visit.time_too_old"  # held like the page's
