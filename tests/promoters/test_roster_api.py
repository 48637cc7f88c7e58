"""The roster's API: promoters by code, shifts (one or a week at once), monthly targets — through the same services,
within the caller's scope, creates idempotent."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from promoters.models import Promoter, PromoterTarget, Shift
from tests.factories import make_user

from .factories import PromoterFactory, ShiftFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_read_afresh", "before_the_week")]

MONDAY = date(2026, 11, 23)


@pytest.fixture
def api(scene):
    client = APIClient()
    client.force_authenticate(scene.supervisor)
    return client


def test_the_list_holds_the_supervisors_promoters_by_code(api, scene):
    data = api.get("/api/v1/promoters/").json()
    assert [row["code"] for row in data["results"]] == ["PA1"]
    row = data["results"][0]
    assert row["supervisor"] == "sup_a" and row["user"] == "prom_a" and row["stores"] == ["S-A1", "S-A2"]


def test_another_supervisors_promoter_is_not_found(api, scene):
    assert api.get(f"/api/v1/promoters/{scene.foreign_promoter.pk}/").status_code == 404
    assert api.patch(f"/api/v1/promoters/{scene.foreign_promoter.pk}/", {"name": "x"}, format="json").status_code == 404


def test_a_store_of_another_supervisor_is_not_named(api, scene):
    scene.promoter.stores.add(scene.foreign_store)
    assert api.get(f"/api/v1/promoters/{scene.promoter.pk}/").json()["stores"] == ["S-A1", "S-A2"]


def _promoter_body(**changes):
    body = {
        "code": "PN1", "name": "赵小燕", "kind": "promoter", "employer": "maker", "supervisor": "sup_a",
        "stores": ["S-A1"], "daily_fee": "200.00", "started_on": "2026-11-01",
    }  # fmt: skip
    return {**body, **changes}


def test_a_promoter_is_created_once_per_key(api, scene):
    first = api.post("/api/v1/promoters/", _promoter_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/promoters/", _promoter_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Promoter.objects.filter(code="PN1").count() == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"monthly_pay": "4000.00"}, "promoter.pay_one"),
        ({"employer": "agency"}, "promoter.agency_missing"),
        ({"ended_on": "2026-10-01"}, "promoter.ends_before_start"),
    ],
)
def test_a_promoter_breaking_a_rule_answers_its_code(api, scene, changes, code):
    response = api.post("/api/v1/promoters/", _promoter_body(**changes), format="json")
    assert response.status_code == 400 and response.json()["code"] == code


def test_a_foreign_store_is_not_found(api, scene):
    response = api.post("/api/v1/promoters/", _promoter_body(stores=["S-B1"]), format="json")
    assert response.status_code == 400 and "S-B1" not in response.content.decode()


def test_a_shift_is_scheduled_and_an_overlap_refused(api, scene):
    body = {"promoter": "PA1", "store": "S-A1", "day": "2026-11-23", "starts_at": "09:00", "ends_at": "13:00"}
    created = api.post("/api/v1/shifts/", body, format="json")
    assert created.status_code == 201 and created.json()["created_by"] == "sup_a"
    overlap = api.post(
        "/api/v1/shifts/", {**body, "store": "S-A2", "starts_at": "12:00", "ends_at": "15:00"}, format="json"
    )
    assert overlap.status_code == 400 and overlap.json()["code"] == "shift.overlap"
    touching = api.post(
        "/api/v1/shifts/", {**body, "store": "S-A2", "starts_at": "13:00", "ends_at": "18:00"}, format="json"
    )
    assert touching.status_code == 201


def test_a_week_refused_for_overlaps_names_each_day(api, scene):
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=date(2026, 11, 24), starts_at="08:00",
                 ends_at="10:00")  # fmt: skip
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=date(2026, 11, 26), starts_at="11:00",
                 ends_at="12:00")  # fmt: skip
    body = {"promoter": "PA1", "store": "S-A1", "days": ["2026-11-23", "2026-11-24", "2026-11-26"],
            "starts_at": "09:00", "ends_at": "12:00"}  # fmt: skip
    refused = api.post("/api/v1/shifts/week/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert refused["code"] == "shift.overlap" and refused["field"] == "starts_at"
    assert refused["params"]["days"] == "2026-11-24, 2026-11-26"
    assert refused["detail"] == (
        "2026-11-24: This overlaps the promoter's shift at 乙店 (S-A2) from 08:00 to 10:00 that day. "
        "2026-11-26: This overlaps the promoter's shift at 乙店 (S-A2) from 11:00 to 12:00 that day."
    )
    assert Shift.objects.count() == 2


def test_a_week_is_scheduled_at_once_or_not_at_all(api, scene):
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=date(2026, 11, 25))
    body = {"promoter": "PA1", "store": "S-A1", "days": ["2026-11-23", "2026-11-25"], "starts_at": "09:00",
            "ends_at": "12:00"}  # fmt: skip
    refused = api.post("/api/v1/shifts/week/", body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "shift.overlap"
    assert Shift.objects.count() == 1
    body["days"] = ["2026-11-23", "2026-11-24"]
    done = api.post("/api/v1/shifts/week/", body, format="json", HTTP_IDEMPOTENCY_KEY="w-1")
    assert done.status_code == 201 and [row["day"] for row in done.json()] == body["days"]
    replay = api.post("/api/v1/shifts/week/", body, format="json", HTTP_IDEMPOTENCY_KEY="w-1")
    assert replay.status_code == 201 and Shift.objects.count() == 3


def test_shifts_filter_by_promoter_store_and_days(api, scene):
    ShiftFactory(promoter=scene.promoter, store=scene.store, day=date(2026, 11, 23))
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=date(2026, 11, 24))
    ShiftFactory(promoter=scene.foreign_promoter, store=scene.foreign_store, day=date(2026, 11, 24))
    days = lambda **q: [row["day"] for row in api.get("/api/v1/shifts/", q).json()["results"]]  # noqa: E731
    assert days() == ["2026-11-23", "2026-11-24"]
    assert days(store="S-A2") == ["2026-11-24"]
    assert days(day_from="2026-11-24", day_to="2026-11-24") == ["2026-11-24"]
    assert days(promoter="PA1", day_to="2026-11-23") == ["2026-11-23"]
    assert api.get("/api/v1/shifts/", {"promoter": "PB1"}).status_code == 400  # out of scope: not a choice


def test_another_supervisors_shift_is_not_found(api, scene):
    shift = ShiftFactory(promoter=scene.foreign_promoter, store=scene.foreign_store)
    assert api.get(f"/api/v1/shifts/{shift.pk}/").status_code == 404
    assert api.delete(f"/api/v1/shifts/{shift.pk}/").status_code == 404


def test_a_checked_in_shift_is_not_deleted(api, scene):
    from django.utils import timezone

    shift = ShiftFactory(promoter=scene.promoter, store=scene.store, checked_in_at=timezone.now())
    response = api.delete(f"/api/v1/shifts/{shift.pk}/")
    assert response.status_code == 400 and response.json()["code"] == "shift.locked"


def test_a_promoter_reads_their_own_shifts_and_writes_none(scene):
    client = APIClient()
    client.force_authenticate(scene.promoter.user)
    mine = ShiftFactory(promoter=scene.promoter, store=scene.store)
    ShiftFactory(promoter=scene.foreign_promoter, store=scene.foreign_store)
    assert [row["id"] for row in client.get("/api/v1/shifts/").json()["results"]] == [mine.pk]
    assert client.patch(f"/api/v1/shifts/{mine.pk}/", {"starts_at": "08:00"}, format="json").status_code == 403
    assert [row["code"] for row in client.get("/api/v1/promoters/").json()["results"]] == ["PA1"]


def test_targets_per_month(api, scene):
    body = {"promoter": "PA1", "month": "2026-11-01", "amount": "30000.00"}
    assert api.post("/api/v1/promoter-targets/", body, format="json").status_code == 201
    duplicate = api.post("/api/v1/promoter-targets/", body, format="json")
    assert duplicate.json()["code"] == "target.duplicate"
    assert api.post("/api/v1/promoter-targets/", {**body, "month": "2026-11-02"}, format="json").json()["code"] == (
        "target.month_day"
    )
    assert api.post("/api/v1/promoter-targets/", {**body, "promoter": "PB1"}, format="json").status_code == 400
    assert PromoterTarget.objects.count() == 1
    assert api.get("/api/v1/promoter-targets/", {"month": "2026-11"}).json()["count"] == 1


def test_finance_reads_but_does_not_write(scene):
    client = APIClient()
    client.force_authenticate(make_user(Role.FINANCE, username="fin_y"))
    assert client.get("/api/v1/promoters/").json()["count"] == 2
    assert client.post("/api/v1/promoters/", _promoter_body(), format="json").status_code == 403


def test_the_list_runs_a_fixed_number_of_queries(api, scene, django_assert_max_num_queries):
    api.get("/api/v1/promoters/")
    with django_assert_max_num_queries(12) as few:
        api.get("/api/v1/promoters/")
    for _n in range(8):
        PromoterFactory(supervisor=scene.supervisor, stores=[scene.store])
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get("/api/v1/promoters/")


def test_the_shift_list_runs_a_fixed_number_of_queries(api, scene, django_assert_max_num_queries):
    ShiftFactory(promoter=scene.promoter, store=scene.store)
    api.get("/api/v1/shifts/")
    with django_assert_max_num_queries(12) as few:
        api.get("/api/v1/shifts/")
    for day in range(1, 9):
        ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=date(2026, 11, day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get("/api/v1/shifts/")


def test_a_refused_deletion_names_no_field_of_the_shift(api, scene):
    # QA: DELETE answered shift.locked with "field": "day", as if the day sent were wrong; a deletion sends none.
    from django.utils import timezone

    shift = ShiftFactory(promoter=scene.promoter, store=scene.store, checked_in_at=timezone.now())
    response = api.delete(f"/api/v1/shifts/{shift.pk}/")
    assert response.status_code == 400 and response.json()["code"] == "shift.locked"
    assert "field" not in response.json()
    moved = api.patch(f"/api/v1/shifts/{shift.pk}/", {"day": "2026-11-30"}, format="json")
    assert moved.json()["code"] == "shift.locked" and moved.json()["field"] == "day"  # a move's day is named
