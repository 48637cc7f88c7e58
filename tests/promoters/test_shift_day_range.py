"""A shift's day is one of the portal's days, as its months are (ka_portal.months.YEARS: 2000-01-01 to 2100-12-31):
a day typed with a slip (2150 for 2015, 0226 for 2026) is refused naming the day and the range, at every door —
the shift's page, the API, the roster import, and copying a week (the write-path matrix knocks on each door too) —
rather than kept as a shift nobody will ever check in to, or refused as off the roster or already begun.

The roster's scene (tests/promoters/conftest.py): the supervisor sup_a leads 王小红 (PA1), on the roster from
2026-01-01 with no end, at 甲店 (S-A1) and 乙店 (S-A2). Today is Friday 2026-11-20."""

from datetime import date, time

import pytest
from django.urls import reverse
from django.utils import translation

from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from ka_portal.errors import DomainError
from promoters import roster_rules
from promoters.models import Shift
from promoters.roster_services import shift_save, shifts_copy_week
from tests.imports.xlsx import errors_of, xlsx_upload

from .factories import ShiftFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_week")]


def said(day: str) -> str:
    return f"{day} is outside the days the portal holds: plan a shift from 2000-01-01 to 2100-12-31."


@pytest.mark.parametrize(
    ("day", "refused"),
    [(date(1999, 12, 31), True), (date(2000, 1, 1), False), (date(2100, 12, 31), False), (date(2101, 1, 1), True)],
)
def test_the_days_a_shift_may_fall_on_are_the_portals(day, refused):
    if not refused:
        roster_rules.check_day(day)
        return
    with translation.override("en"):  # the detail is read in the language it is asked in
        with pytest.raises(DomainError) as caught:
            roster_rules.check_day(day)
        assert str(caught.value.detail) == said(day.isoformat())
    assert caught.value.code == "shift.day_out_of_range" and caught.value.field == "day"
    assert caught.value.params == {"day": day.isoformat(), "first": "2000-01-01", "last": "2100-12-31"}


@pytest.mark.parametrize("day", [date(2150, 6, 7), date(1999, 6, 7)])
def test_the_service_refuses_a_day_outside_the_range_before_any_other_rule(scene, day):
    # 1999: off the roster and long begun; 2150: on the roster and to come: the day's range is said either way
    with translation.override("en"):  # the detail is read in the language it is asked in
        with pytest.raises(DomainError) as caught:
            shift_save(by=scene.supervisor, promoter=scene.promoter, store=scene.store, day=day, starts_at=time(9),
                       ends_at=time(13))  # fmt: skip
        assert str(caught.value.detail) == said(day.isoformat())
    assert caught.value.code == "shift.day_out_of_range"
    assert not Shift.objects.exists()


def test_the_api_answers_the_rule_with_the_day(client, scene):
    client.force_login(scene.supervisor)
    body = {"promoter": "PA1", "store": "S-A1", "day": "2150-06-07", "starts_at": "09:00", "ends_at": "13:00"}

    refused = client.post("/api/v1/shifts/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 400
    assert refused.json()["code"] == "shift.day_out_of_range"
    assert refused.json()["params"]["day"] == "2150-06-07"
    assert not Shift.objects.exists()


def test_the_shifts_page_says_it_next_to_the_day(client, scene):
    shift = ShiftFactory(promoter=scene.promoter, store=scene.store, day=date(2026, 11, 24))
    client.force_login(scene.supervisor)

    response = client.post(
        reverse("promoters:shift-edit", args=[shift.pk]),
        {"promoter": scene.promoter.pk, "store": scene.store.code, "day": "2150-11-24", "starts_at": "09:00",
         "ends_at": "13:00", "plan": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip

    assert response.context["form"].errors["day"] == [said("2150-11-24")]
    shift.refresh_from_db()
    assert shift.day == date(2026, 11, 24)


def test_the_roster_import_names_the_row_and_the_day(scene):
    rows = [
        ["PA1", "S-A1", "2026-11-23", "09:00", "13:00", None],
        ["PA1", "S-A1", "2150-11-23", "09:00", "13:00", None],  # 2015 typed as 2150
    ]
    with translation.override("en"), pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["promoter-shifts"], source=xlsx_upload(["promoter code", "store code", "day", "from",
                   "to", "plan id"], rows), user=scene.supervisor)  # fmt: skip
    ((row, column, message),) = errors_of(rejected)
    assert (row, column) == (3, "day") and said("2150-11-23") in message
    assert not Shift.objects.exists()


def test_copying_into_the_portals_last_week_refuses_a_shift_beyond_it_naming_the_promoter_and_the_day(scene):
    # Given the week of Monday 2100-12-20 with a shift on its Saturday; the next week ends in 2101
    ShiftFactory(promoter=scene.promoter, store=scene.store, day=date(2100, 12, 25))
    ShiftFactory(promoter=scene.promoter, store=scene.store, day=date(2100, 12, 20))

    with translation.override("en"):
        with pytest.raises(DomainError) as caught:
            shifts_copy_week(by=scene.supervisor, source_week=date(2100, 12, 20), target_week=date(2100, 12, 27))

        assert caught.value.code == "shift.day_out_of_range"
        assert str(caught.value.detail) == f"王小红 (PA1), 2101-01-01: {said('2101-01-01')}"
    assert Shift.objects.count() == 2  # all or nothing: the Monday was not copied either
