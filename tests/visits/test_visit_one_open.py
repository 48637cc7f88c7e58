"""F10: one open visit of a rep at a store a day. A check-in repeated without a key (a flaky phone's retry) opened
another visit each time — nine open at one store in a day; now the API answers 409 naming the open visit, the page
takes the rep to it, and a key still replays its own answer."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import StoreFactory
from visits import services
from visits.models import Visit

from .factories import VisitFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 6, 3, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def at_noon():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def store(rep):
    return StoreFactory(rep=rep, code="LH-004", name="联华四店")


def test_a_keyless_check_in_sent_again_is_refused_naming_the_open_visit(api_client, rep, store):
    api_client.force_authenticate(rep)
    first = api_client.post("/api/v1/visits/", {"store": "LH-004", "problems": "no key retry"}, format="json")
    assert first.status_code == 201

    again = api_client.post(
        "/api/v1/visits/", {"store": "LH-004", "problems": "no key retry"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert again.status_code == 409
    answer = again.json()
    assert (answer["code"], answer["field"]) == ("visit.already_open", "store")
    assert answer["params"] == {
        "visit": first.json()["id"],
        "checked_in_at": "2026-06-03T12:00:00+08:00",
        "time": "12:00",
    }
    assert answer["detail"] == (
        f"You are already checked in at this store since 12:00 (visit {first.json()['id']}): check out of it first."
    )
    assert Visit.objects.count() == 1
    zh = api_client.post("/api/v1/visits/", {"store": "LH-004"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.json()["detail"].startswith("您已在该门店签到")


def test_the_same_key_still_answers_its_visit_and_a_checked_out_visit_lets_the_next_one_open(api_client, rep, store):
    api_client.force_authenticate(rep)
    body = {"store": "LH-004", "uuid": str(uuid.uuid4())}
    first = api_client.post("/api/v1/visits/", body, format="json")
    keyed = {"store": "LH-004"}
    with_header = api_client.post("/api/v1/visits/", keyed, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert with_header.status_code == 409  # a new key while the first visit is open: refused like a keyless one

    again = api_client.post("/api/v1/visits/", body, format="json")
    assert again.status_code in (200, 201) and again.json()["id"] == first.json()["id"]

    services.visit_check_out(visit=Visit.objects.get(pk=first.json()["id"]), reason="test")
    later = api_client.post("/api/v1/visits/", {"store": "LH-004"}, format="json")
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]


def test_an_open_visit_of_yesterday_or_at_another_store_does_not_stand_in_the_way(api_client, rep, store):
    # Yesterday's visit left open (a forgotten check-out) is not today's: today's findings get today's visit.
    VisitFactory(rep=rep, store=store, checked_in_at=NOON - timedelta(days=1))
    VisitFactory(rep=rep, store=StoreFactory(rep=rep), checked_in_at=NOON - timedelta(hours=1))
    api_client.force_authenticate(rep)
    assert api_client.post("/api/v1/visits/", {"store": "LH-004"}, format="json").status_code == 201
    # just after midnight (Asia/Shanghai) is another day too
    with time_machine.travel(datetime(2026, 6, 4, 0, 5, tzinfo=SHANGHAI), tick=False):
        assert api_client.post("/api/v1/visits/", {"store": "LH-004"}, format="json").status_code == 201
    assert Visit.objects.filter(store=store, checked_out_at__isnull=True).count() == 3


def test_a_second_tap_on_the_page_lands_on_the_open_visit(client, rep, store):
    client.force_login(rep)
    first = client.post(reverse("visits:check-in"), {"store": store.pk, "uuid": str(uuid.uuid4())})
    visit = Visit.objects.get()
    # a fresh page (a new client id) and the button tapped again
    second = client.post(reverse("visits:check-in"), {"store": store.pk, "uuid": str(uuid.uuid4())}, follow=True)

    assert Visit.objects.count() == 1
    assert first["Location"] == reverse("visits:visit-detail", args=[visit.pk])
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "您已于 12:00 在此签到" in second.content.decode()
