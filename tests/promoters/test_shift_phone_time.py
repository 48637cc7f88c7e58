"""A promoter's times as the phone sends them (the visits' window, visits/rules.phone_time): a check-in, check-out or
sell-out report dated more than KA_VISIT_SYNC_MAX_HOURS (24) before the server receives it is refused
(shift.time_too_old), one ahead of the server's clock beyond a few minutes too (shift.time_ahead), at the page (a
step the phone kept and uploads later: only its time is the phone's) and the API alike. The phone's check-in time is
kept, but lateness is judged on when the check-in reached the server, which the promoter cannot set back; one that
arrived more than KA_VISIT_SYNC_LATE_HOURS (4) after the phone's time reads "sent late" where the supervisor reads
attendance (the shifts list, the month's counts, the export, the API).

A shift from 9:00 to 17:00 on 1 June 2026 (late after 10 minutes)."""

from datetime import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from ka_portal.errors import DomainError
from promoters import attendance, attendance_report
from promoters.models import SellOutLine, Shift
from promoters.phone_services import SellOutInput, sell_out_report, shift_check_in, shift_check_out

from .factories_phone import NEAR, phone_world

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def at(hh, mm, day=1, ss=0):
    return timezone.make_aware(datetime(2026, 6, day, hh, mm, ss))


@pytest.fixture
def w(time_machine):
    time_machine.move_to(at(8, 50), tick=False)
    return phone_world()


def check_in(w, when):
    return shift_check_in(shift=w.shift, by=w.user, at=when, latitude=NEAR[0], longitude=NEAR[1])


def refused(code, call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value.detail
    return caught.value


def _cells(response) -> dict:
    sheets = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in sheets}


def stored(w) -> Shift:
    return Shift.objects.get(pk=w.shift.pk)


# --- the window ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("server", "kept"), [(at(8, 57, day=2), True), (at(8, 58, day=2, ss=1), False)])
def test_a_check_in_dated_more_than_a_day_before_it_arrives_is_refused(w, time_machine, server, kept):
    """The phone says 8:58 on the shift's day; the server receives it the next morning: within 24 hours it is kept
    (and read late), a second beyond it is refused naming the field, and nothing is written."""
    time_machine.move_to(server, tick=False)
    if kept:
        assert check_in(w, at(8, 58)).checked_in_at == at(8, 58)
        return
    error = refused("shift.time_too_old", lambda: check_in(w, at(8, 58)))
    assert error.field == "at" and error.params["hours"] == 24
    with translation.override("en"):
        assert "2026-06-01 08:58 is more than 24 hours before it reached the server" in str(error.detail)
    assert stored(w).checked_in_at is None


def test_a_phone_clock_ahead_of_the_servers_is_refused_not_taken_as_now(w):
    """Within the five minutes a phone may run ahead it reads now; beyond, the phone is set wrong (a promoter could
    otherwise check out "at 17:00" from the morning)."""
    error = refused("shift.time_ahead", lambda: check_in(w, at(8, 56)))
    with translation.override("en"):
        assert error.field == "at" and "check the phone's date and time" in str(error.detail)
    assert stored(w).checked_in_at is None
    assert check_in(w, at(8, 54)).checked_in_at == at(8, 50)


def test_the_check_out_and_the_sell_out_report_keep_the_same_window(w, time_machine):
    check_in(w, at(8, 50))
    time_machine.move_to(at(17, 5, day=2), tick=False)
    refused("shift.time_too_old", lambda: shift_check_out(shift=w.shift, by=w.user, at=at(17, 0)))
    refused("shift.time_ahead", lambda: shift_check_out(shift=w.shift, by=w.user, at=at(18, 0, day=2)))
    assert stored(w).checked_out_at is None
    line = SellOutInput(product=w.beer, units=3)
    refused("shift.time_too_old", lambda: sell_out_report(shift=w.shift, lines=[line], by=w.user, at=at(17, 0)))
    assert not SellOutLine.objects.exists()
    sell_out_report(shift=w.shift, lines=[line], by=w.user, at=at(17, 6, day=2))
    assert SellOutLine.objects.get().reported_at == at(17, 5, day=2)


# --- lateness judged on the arrival ----------------------------------------------------------------------------


def test_a_check_in_dated_back_does_not_hide_a_late_arrival(w, time_machine, client):
    """Finding: arriving at 10:30 for a 9:00 shift, the phone sent 8:58 and the shift read attended. The phone's
    time is kept and shown, the lateness is counted from when the check-in reached the server."""
    time_machine.move_to(at(10, 30), tick=False)
    shift = check_in(w, at(8, 58))
    assert (shift.checked_in_at, shift.check_in_received_at) == (at(8, 58), at(10, 30))
    running = attendance.reading(stored(w))
    assert (running.status, running.late_minutes, running.sent_late) == (attendance.IN_PROGRESS, 90, False)

    time_machine.move_to(at(17, 0), tick=False)
    shift_check_out(shift=w.shift, by=w.user)
    ended = attendance.reading(stored(w))
    assert (ended.status, ended.late_minutes) == (attendance.LATE, 90)

    client.force_login(w.supervisor)
    page = client.get(reverse("promoters:attendance-shifts") + "?month=2026-06", **EN).content.decode()
    card = page.split(f'data-shift="{w.shift.pk}"')[1].split('data-testid="attendance-shift"')[0]
    assert "in 08:58" in card and "received 10:30" in card and "90 minutes late" in card
    assert 'data-testid="sent-late"' not in card  # 1.5 hours: not beyond KA_VISIT_SYNC_LATE_HOURS


def test_a_check_in_that_arrives_at_once_reads_as_before(w, time_machine):
    time_machine.move_to(at(9, 5), tick=False)
    check_in(w, None)
    reading = attendance.reading(stored(w), now=at(17, 30))
    assert (reading.status, reading.late_minutes, reading.received_at, reading.sent_late) == (
        attendance.ATTENDED, 0, None, False,
    )  # fmt: skip


@pytest.mark.parametrize(("received", "sent_late"), [(at(12, 58), False), (at(12, 58, ss=1), True)])
def test_a_check_in_received_more_than_the_late_hours_after_its_time_reads_sent_late(
    w, time_machine, received, sent_late
):
    time_machine.move_to(received, tick=False)
    check_in(w, at(8, 58))
    reading = attendance.reading(stored(w), now=at(18, 0))
    assert reading.status == attendance.LATE and reading.sent_late is sent_late
    report = attendance_report.attendance_report(
        Shift.objects.filter(pk=w.shift.pk), month=at(9, 0).date().replace(day=1), now=at(18, 0)
    )
    assert report.total.sent_late == int(sent_late) and report.total.late == 1


def test_the_supervisor_sees_a_check_in_sent_late(w, time_machine, client):
    """The shifts list flags it beside the reading, with how long after the phone's time it came; the month's
    attendance counts it per promoter and store; the export carries the time received."""
    time_machine.move_to(at(14, 0), tick=False)
    check_in(w, at(8, 58))
    time_machine.move_to(at(17, 30), tick=False)
    client.force_login(w.supervisor)

    page = client.get(reverse("promoters:attendance-shifts") + "?month=2026-06", **EN).content.decode()
    card = page.split(f'data-shift="{w.shift.pk}"')[1].split('data-testid="attendance-shift"')[0]
    assert 'data-testid="sent-late">Sent late<' in card
    assert "check-in sent 5.0 h after the phone's time" in card and "received 14:00" in card

    report = client.get(reverse("promoters:attendance") + "?month=2026-06", **EN).content.decode()
    row = report.split('data-code="PH-P1"')[1].split("</tr>")[0]
    link = '<a href="/promoters/attendance/shifts/?month=2026-06&amp;promoter=PH-P1&amp;sent_late=true" '
    assert f'<dt>Sent late</dt><dd>{link}class="ka-count-link" data-testid="count-link">1</a></dd>' in row  # on a phone
    assert f'data-count="sent_late">{link}' in row

    chinese = client.get(reverse("promoters:attendance-shifts") + "?month=2026-06").content.decode()
    assert "签到迟传" in chinese

    export = _cells(client.get(reverse("promoters:attendance") + "?month=2026-06&export=xlsx", **EN))
    shifts = list(export.values())[2]
    header, row = shifts[0], next(r for r in shifts[1:] if r[1] == "PH-P1")
    assert row[header.index("Check-in received at")] == datetime(2026, 6, 1, 14, 0)
    assert row[header.index("Sent late")] == "yes"


# --- the doors -------------------------------------------------------------------------------------------------


def test_the_page_refuses_a_check_in_kept_days_old_and_says_why(w, client):
    """A check-in the phone kept and uploads from its outbox (a replay: only its time is the phone's,
    tests/promoters/test_shift_time_sent_at_once.py) is refused with the reason and its code."""
    client.force_login(w.user)
    response = client.post(
        reverse("promoters:my-check-in", args=[w.shift.pk]),
        {"latitude": str(NEAR[0]), "longitude": str(NEAR[1]), "at": "2026-05-30T09:00:00+08:00"},
        HTTP_X_QUEUE="1", HTTP_X_QUEUE_REPLAY="1", HTTP_ACCEPT="application/json",
        **EN,
    )  # fmt: skip
    assert response.status_code == 400 and response.json()["code"] == "shift.time_too_old"
    assert "more than 24 hours before it reached the server" in response.json()["message"]
    assert stored(w).checked_in_at is None


def test_the_api_refuses_with_the_code_and_answers_the_arrival(w, time_machine):
    api = APIClient()
    api.force_authenticate(w.user)
    url = reverse("shift-check-in", args=[w.shift.pk])
    old = api.post(url, {"at": "2026-05-31T08:00:00+08:00"}, format="json")
    assert old.status_code == 400 and old.json()["code"] == "shift.time_too_old"
    ahead = api.post(url, {"at": "2026-06-01T12:00:00+08:00"}, format="json")
    assert ahead.status_code == 400 and ahead.json()["code"] == "shift.time_ahead"

    time_machine.move_to(at(13, 30), tick=False)
    body = api.post(url, {"at": "2026-06-01T08:58:00+08:00"}, format="json").json()
    assert body["checked_in_at"].startswith("2026-06-01T08:58") and body["check_in_received_at"].startswith(
        "2026-06-01T13:30"
    )
    reading = body["attendance"]
    assert reading["late_minutes"] == 270 and reading["sent_late"] is True and reading["sent_after_hours"] == 4.5

    supervisor = APIClient()
    supervisor.force_authenticate(w.supervisor)
    month = supervisor.get(reverse("promoter-attendance-report"), {"month": "2026-06"}).json()
    assert month["total"]["sent_late"] == 1
