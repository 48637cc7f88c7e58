"""A rep who forgot to check out at one store and checked in at the next was told nothing: the first visit stayed
open, out of sight. Now the check-in still goes through (a check-in kept offline must never be stuck behind a visit
left open: the outbox sends in order), and the rep is told where they are still checked in, since when, with the way
to check out there: at the top of Today, on the new visit's page (and its page before check-in), and in the API's
answer to the check-in (`other_open_visits`, beside the visit, as far_from_store flags the distance)."""

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
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
QUEUED = {"HTTP_X_QUEUE": "1"}


@pytest.fixture(autouse=True)
def at_noon():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def stores(rep):
    first = StoreFactory(rep=rep, code="LH-004", name="联华四店")
    second = StoreFactory(rep=rep, code="CRF-01", name="家乐福曹杨店")
    return first, second


@pytest.fixture
def left_open(rep, stores):
    """The rep's visit at the first store since 10:35, never checked out."""
    return VisitFactory(rep=rep, store=stores[0], checked_in_at=NOON - timedelta(minutes=85))


def test_checking_in_at_the_next_store_lands_on_a_page_naming_the_store_left_open(client, rep, stores, left_open):
    # given a visit left open at 联华四店 since 10:35
    client.force_login(rep)
    # when the rep checks in at 家乐福 from Today
    page = client.post(
        reverse("visits:check-in"), {"store": stores[1].pk, "uuid": str(uuid.uuid4())}, follow=True, **EN
    )
    # then the check-in went through, and its page says where the rep is still checked in, linking to check out there
    new = Visit.objects.get(store=stores[1])
    assert page.redirect_chain[-1][0] == reverse("visits:visit-detail", args=[new.pk])
    text = page.content.decode()
    assert (
        "You are also still checked in at 联华四店, since 10:35: that visit stays open until you check out there."
    ) in text
    assert f'href="{reverse("visits:visit-detail", args=[left_open.pk])}#check-out"' in text
    assert Visit.objects.filter(checked_out_at__isnull=True).count() == 2


def test_the_notice_reads_in_chinese_and_names_an_earlier_day(client, rep, stores):
    VisitFactory(rep=rep, store=stores[0], checked_in_at=NOON - timedelta(days=1, hours=1))
    new, _created = services.visit_check_in(rep=rep, store=stores[1])
    client.force_login(rep)

    text = client.get(reverse("visits:visit-detail", args=[new.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert text.count('data-testid="still-open"') == 1
    assert "联华四店" in text and "2026-06-02 11:00" in text  # yesterday's: the day too


def test_today_says_where_the_rep_is_still_checked_in(client, rep, stores, left_open):
    client.force_login(rep)

    text = client.get(reverse("visits:today"), **EN).content.decode()

    assert "You are still checked in at 联华四店, since 10:35: check out there before your next visit." in text
    assert f'href="{reverse("visits:visit-detail", args=[left_open.pk])}#check-out"' in text


def test_nothing_is_said_once_it_is_checked_out(client, rep, stores, left_open):
    services.visit_check_out(visit=left_open, reason="忘记签退")
    new, _created = services.visit_check_in(rep=rep, store=stores[1])
    client.force_login(rep)

    today = client.get(reverse("visits:today"), **EN).content.decode()
    visit_page = client.get(reverse("visits:visit-detail", args=[new.pk]), **EN).content.decode()

    # Today names only the visit in progress; its own page names no other
    assert today.count('data-testid="still-open"') == 1 and "家乐福曹杨店, since 12:00" in today
    assert 'data-testid="still-open"' not in visit_page


def test_a_stops_page_before_check_in_says_it_too(client, rep, stores, left_open):
    client.force_login(rep)

    text = client.get(reverse("visits:visit-start", args=[stores[1].pk]), **EN).content.decode()

    assert "still checked in at 联华四店, since 10:35" in text


def test_a_check_in_sent_by_the_outbox_goes_through_with_a_visit_open_elsewhere(client, rep, stores, left_open):
    # the phone's outbox replaying a check-in made offline: never refused for the visit left open
    client.force_login(rep)
    visit_uuid = uuid.uuid4()

    answer = client.post(
        reverse("visits:check-in"),
        {"store": stores[1].pk, "uuid": str(visit_uuid), "at": (NOON - timedelta(minutes=5)).isoformat()},
        **QUEUED,
    )

    assert answer.status_code == 201
    assert Visit.objects.get(uuid=visit_uuid).store == stores[1]


def test_the_apis_check_in_names_the_visits_still_open(api_client, rep, stores, left_open):
    api_client.force_authenticate(rep)

    created = api_client.post("/api/v1/visits/", {"uuid": str(uuid.uuid4()), "store": "CRF-01"}, format="json")

    assert created.status_code == 201
    assert created.json()["other_open_visits"] == [
        {"id": left_open.pk, "store": "LH-004", "store_name": "联华四店", "checked_in_at": "2026-06-03T10:35:00+08:00"}
    ]
    # checked out there, the next check-in names none
    services.visit_check_out(visit=left_open, reason="忘记签退")
    services.visit_check_out(visit=Visit.objects.get(pk=created.json()["id"]), reason="test")
    again = api_client.post("/api/v1/visits/", {"uuid": str(uuid.uuid4()), "store": "CRF-01"}, format="json")
    assert again.status_code == 201 and again.json()["other_open_visits"] == []


def test_the_open_visit_here_is_found_behind_many_left_open_and_a_new_one_names_the_five_oldest(
    api_client, rep, stores
):
    # given: seven visits left open at the first store on earlier days, and one open at the second since 11:00
    first, second = stores
    forgotten = [
        VisitFactory(rep=rep, store=first, checked_in_at=NOON - timedelta(days=day)) for day in range(7, 0, -1)
    ]
    here = VisitFactory(rep=rep, store=second, checked_in_at=NOON - timedelta(hours=1))
    api_client.force_authenticate(rep)

    # a check-in at the second store again, without a key: refused naming the visit open there today
    again = api_client.post("/api/v1/visits/", {"store": "CRF-01"}, format="json", **EN)
    # a check-in at a third store: made, naming the five visits left open longest
    StoreFactory(rep=rep, code="RT-09", name="大润发九店")
    made = api_client.post("/api/v1/visits/", {"uuid": str(uuid.uuid4()), "store": "RT-09"}, format="json")

    assert again.status_code == 409
    assert (again.json()["code"], str(again.json()["params"]["visit"])) == ("visit.already_open", str(here.pk))
    assert made.status_code == 201
    assert [row["id"] for row in made.json()["other_open_visits"]] == [visit.pk for visit in forgotten[:5]]
    assert made.json()["other_open_visits"][0]["store_name"] == "联华四店"
