"""A visit's time as the phone sends it (supervisor walk, item 1): a check-in made offline may arrive late, but at most
KA_VISIT_SYNC_MAX_HOURS (24) before the server receives it; older is refused naming `checked_in_at`, so a missed
route stop cannot be filled in days later, and route compliance does not move. One received more than
KA_VISIT_SYNC_LATE_HOURS (4) after its time is kept and flagged for the supervisor. A time ahead of the server's clock
beyond a few minutes is refused, not taken as now. The same for the page's check-in (sent by the outbox), the API and
the check-out's time. And (item 5) a position is both coordinates or neither; a product or checklist item twice in one
request is refused, not half kept."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from evidence.models import FraudSignal
from evidence.signals import describe
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from visits import selectors, services
from visits.models import Visit

from .factories import RoutePlanFactory, RouteStopFactory, VisitFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 30)
# Friday of that week, mid-morning: the server's clock in these tests.
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def week(time_machine):
    """rep2's published week: Monday's stop at 百佳一店 done, Wednesday's at 百佳徐家汇店 missed."""
    time_machine.move_to(NOW, tick=False)
    supervisor = make_user(Role.SUPERVISOR, username="sup_time")
    rep = make_user(Role.REP, username="rep_time", supervisor=supervisor)
    done = StoreFactory(rep=rep, name="百佳一店", latitude=Decimal("31.185708"), longitude=Decimal("121.417072"))
    missed = StoreFactory(rep=rep, name="百佳徐家汇店", latitude=Decimal("31.195300"), longitude=Decimal("121.436600"))
    plan = RoutePlanFactory(rep=rep, week_start=MONDAY)
    RouteStopFactory(plan=plan, store=done, day=0)
    RouteStopFactory(plan=plan, store=missed, day=2)
    monday_ten = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
    VisitFactory(rep=rep, store=done, checked_in_at=monday_ten, checked_out_at=monday_ten + timedelta(minutes=30))
    return type("Week", (), locals())


def _compliance(w) -> tuple[int, int]:
    row = next(r for r in selectors.compliance(w.supervisor, MONDAY) if r.rep == w.rep)
    return row.done, row.planned


def _post_visit(api_client, w, checked_in_at: datetime, **more):
    api_client.force_authenticate(w.rep)
    body = {
        "store": w.missed.code,
        "checked_in_at": checked_in_at.isoformat(),
        "latitude": str(w.missed.latitude),
        "longitude": str(w.missed.longitude),
        **more,
    }
    return api_client.post("/api/v1/visits/", body, format="json", **EN)


@pytest.mark.parametrize(
    "back",
    [timedelta(hours=24, minutes=1), timedelta(days=2), timedelta(days=33, hours=7)],
    ids=["a-day-and-a-minute", "wednesday-from-friday", "a-month-back-at-3am"],
)
def test_a_check_in_dated_back_beyond_the_window_is_refused_and_compliance_stays(api_client, week, back):
    assert _compliance(week) == (1, 2)

    response = _post_visit(api_client, week, NOW - back)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "visit.time_too_old" and body["field"] == "checked_in_at"
    assert "more than 24 hours before it reached the server" in body["detail"]
    assert not Visit.objects.filter(store=week.missed).exists()
    assert _compliance(week) == (1, 2)  # the missed Wednesday stays missed


def test_a_check_in_sent_late_within_the_window_is_kept_and_flagged_for_the_supervisor(api_client, week):
    # a visit made offline on Thursday evening reaches the server on Friday morning: 14 hours late
    thursday_evening = datetime(2026, 12, 3, 20, 0, tzinfo=SHANGHAI)
    assert _compliance(week) == (1, 2)

    response = _post_visit(api_client, week, thursday_evening)

    assert response.status_code == 201
    visit = Visit.objects.get(pk=response.json()["id"])
    assert visit.checked_in_at == thursday_evening  # when it happened, not when it arrived
    signal = FraudSignal.objects.get(visit=visit, kind=FraudSignal.Kind.LATE_UPLOAD)
    assert signal.status == FraudSignal.Status.OPEN and signal.rep == week.rep
    assert signal.evidence["hours"] == 14.0 and signal.evidence["limit_hours"] == 4
    with translation.override("en"):
        assert "the server received it" in describe(signal) and "14.0 hours later" in describe(signal)
    # the supervisor's queue (API) lists it
    api_client.force_authenticate(week.supervisor)
    listed = api_client.get("/api/v1/fraud-signals/", {"kind": "late_upload"}, **EN).json()["results"]
    assert [row["visit"] for row in listed] == [visit.pk]


@pytest.mark.parametrize(("late", "flagged"), [(timedelta(hours=4), False), (timedelta(hours=4, minutes=1), True)])
def test_the_late_flag_starts_after_the_settings_hours(api_client, week, late, flagged):
    response = _post_visit(api_client, week, NOW - late)

    assert response.status_code == 201
    assert FraudSignal.objects.filter(kind=FraudSignal.Kind.LATE_UPLOAD).exists() is flagged


def test_a_check_in_made_online_is_not_flagged_late(api_client, week):
    response = _post_visit(api_client, week, NOW - timedelta(seconds=20))

    assert response.status_code == 201
    assert not FraudSignal.objects.filter(kind=FraudSignal.Kind.LATE_UPLOAD).exists()


@pytest.mark.parametrize(("ahead", "kept"), [(timedelta(minutes=4), True), (timedelta(hours=1), False)])
def test_a_time_ahead_of_the_servers_clock_is_refused_beyond_the_skew(api_client, week, ahead, kept):
    response = _post_visit(api_client, week, NOW + ahead)

    if kept:  # a phone's clock a little fast: the visit is dated now, never ahead
        assert response.status_code == 201
        assert Visit.objects.get(pk=response.json()["id"]).checked_in_at == NOW
    else:
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "visit.time_ahead" and body["field"] == "checked_in_at"
        assert "ahead of the server's clock" in body["detail"]
        assert not Visit.objects.filter(store=week.missed).exists()


def test_the_setting_sets_the_window(api_client, week, settings):
    from dataclasses import replace

    settings.KA = replace(settings.KA, visit_sync_max_hours=72)

    response = _post_visit(api_client, week, NOW - timedelta(days=2))

    assert response.status_code == 201


def test_the_outboxs_check_in_is_refused_the_same_way_and_a_fresh_one_still_syncs(client, week):
    client.force_login(week.rep)
    url = reverse("visits:check-in")

    def queued(at: datetime):
        data = {"store": week.missed.pk, "uuid": str(uuid.uuid4()), "at": at.isoformat()}
        return client.post(url, data, HTTP_X_QUEUE="1", HTTP_X_QUEUE_REPLAY="1", **EN)  # kept, sent later

    old = queued(NOW - timedelta(days=3))
    fresh = queued(NOW - timedelta(hours=1))

    assert old.status_code == 400
    assert "more than 24 hours before it reached the server" in old.json()["message"]  # the outbox lists it
    assert fresh.status_code == 201
    assert list(Visit.objects.filter(store=week.missed).values_list("checked_in_at", flat=True)) == [
        NOW - timedelta(hours=1)
    ]


def test_a_repeated_check_in_still_answers_its_visit_after_the_window(api_client, week, time_machine):
    """The outbox may send a check-in again whose first answer it never saw: the visit it made is answered."""
    first = _post_visit(api_client, week, NOW - timedelta(hours=1), uuid=str(uuid.uuid4()))
    body = {"uuid": first.json()["uuid"]}
    time_machine.move_to(NOW + timedelta(days=3), tick=False)

    again = _post_visit(api_client, week, NOW - timedelta(hours=1), **body)

    assert again.status_code in (200, 201) and again.json()["id"] == first.json()["id"]


def test_a_check_out_time_is_held_to_the_same_window(week):
    visit, _created = services.visit_check_in(rep=week.rep, store=week.missed, at=NOW - timedelta(hours=1))

    with pytest.raises(services.DomainError) as refused:
        services.visit_check_out(visit=visit, at=NOW + timedelta(hours=2), reason="店长不在")

    assert (refused.value.code, refused.value.field) == ("visit.time_ahead", "checked_out_at")
    visit.refresh_from_db()
    assert visit.checked_out_at is None
    done = services.visit_check_out(visit=visit, at=NOW - timedelta(minutes=10), reason="店长不在")
    assert done.checked_out_at == NOW - timedelta(minutes=10)


# --- a position: both coordinates or neither ----------------------------------------------------------------------


@pytest.mark.parametrize(("given", "missing"), [("latitude", "longitude"), ("longitude", "latitude")])
def test_half_a_position_is_refused_naming_the_missing_coordinate(api_client, week, given, missing):
    api_client.force_authenticate(week.rep)
    body = {"store": week.missed.code, given: "31.2"}

    response = api_client.post("/api/v1/visits/", body, format="json", **EN)

    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "bounds.coordinates_incomplete" and answer["field"] == missing
    assert answer["detail"] == "Give both latitude and longitude, or neither."
    assert not Visit.objects.filter(store=week.missed).exists()


def test_half_a_position_is_refused_at_the_pages_check_in_and_a_photo(client, week):
    from demo.photos import shelf_upload

    client.force_login(week.rep)
    check_in = client.post(
        reverse("visits:check-in"),
        {"store": week.missed.pk, "uuid": str(uuid.uuid4()), "latitude": "31.2"},
        HTTP_X_QUEUE="1",
        **EN,
    )
    assert check_in.status_code == 400 and "Give both latitude and longitude" in check_in.json()["message"]
    assert not Visit.objects.filter(store=week.missed).exists()

    visit, _created = services.visit_check_in(rep=week.rep, store=week.missed)
    with pytest.raises(services.DomainError) as refused:
        services.visit_photo_add(visit=visit, image=shelf_upload(1), longitude=Decimal("121.4"))
    assert (refused.value.code, refused.value.field) == ("bounds.coordinates_incomplete", "latitude")
    assert not visit.photos.exists()


# --- a product or checklist item twice in one request -------------------------------------------------------------


def test_the_same_product_twice_in_stock_counts_is_refused_naming_it(api_client, week):
    beer = ProductFactory(code="P001", packs_per_case=12)
    ListingFactory(store=week.missed, product=beer)
    api_client.force_authenticate(week.rep)
    counts = [{"product": "P001", "packs": 1}, {"product": "P001", "packs": 2}]

    created = api_client.post("/api/v1/visits/", {"store": week.missed.code, "stock_counts": counts}, format="json")
    visit, _created = services.visit_check_in(rep=week.rep, store=week.missed)
    patched = api_client.patch(f"/api/v1/visits/{visit.pk}/", {"stock_counts": counts}, format="json", **EN)

    for response in (created, patched):
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "visit.product_twice" and body["field"] == "stock_counts.1.product"
        assert body["params"] == {"product": "P001"}
    assert body["detail"] == "P001 is reported twice; give one line per product."
    assert Visit.objects.filter(store=week.missed).count() == 1  # the POST made none
    assert not visit.stock_counts.exists()


def test_the_same_checklist_item_twice_is_refused_naming_it(api_client, week):
    api_client.force_authenticate(week.rep)
    checklist = [{"item": "tidy", "result": "pass"}, {"item": "tidy", "result": "fail"}]

    response = api_client.post(
        "/api/v1/visits/", {"store": week.missed.code, "checklist": checklist}, format="json", **EN
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "visit.item_twice" and body["field"] == "checklist.1.item"
    assert not Visit.objects.filter(store=week.missed).exists()
