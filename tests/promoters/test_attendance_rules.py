"""Attendance classification on worked examples (promoters/attendance.py): a shift from 9:00 to 17:00 on 1 June,
late after 10 minutes, early before 10 minutes, off site beyond 500 m."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from promoters import attendance
from promoters.attendance import Limits, classify, shift_bounds

LIMITS = Limits(late_after_minutes=10, early_before_minutes=10, max_distance_m=500)
STARTS, ENDS = shift_bounds(date(2026, 6, 1), time(9, 0), time(17, 0))


def at(hh, mm, ss=0, day=1):
    return timezone.make_aware(datetime(2026, 6, day, hh, mm, ss))


def read(check_in=None, check_out=None, distance=50, now=None):
    return classify(
        starts=STARTS, ends=ENDS, checked_in_at=check_in, checked_out_at=check_out,
        check_in_distance_m=distance if check_in else None, now=now or at(20, 0), limits=LIMITS,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("check_in", "check_out", "distance", "now", "status", "late", "early"),
    [
        # not started yet: planned; started without a check-in: not checked in yet, late once a check-in would be
        # (more than 10 whole minutes), carrying the minutes so far; ended without one: absent
        (None, None, None, at(8, 0), attendance.PLANNED, 0, 0),
        (None, None, None, at(8, 59, 59), attendance.PLANNED, 0, 0),
        (None, None, None, at(9, 0), attendance.NOT_CHECKED_IN, 0, 0),
        (None, None, None, at(9, 10, 59), attendance.NOT_CHECKED_IN, 0, 0),
        (None, None, None, at(9, 11), attendance.LATE_NO_CHECK_IN, 11, 0),
        (None, None, None, at(12, 0), attendance.LATE_NO_CHECK_IN, 180, 0),
        (None, None, None, at(16, 59, 59), attendance.LATE_NO_CHECK_IN, 479, 0),
        (None, None, None, at(17, 0), attendance.ABSENT, 0, 0),
        # checked in, shift running: in progress, already with the minutes late (seen at once, not after the shift)
        (at(8, 55), None, 50, at(12, 0), attendance.IN_PROGRESS, 0, 0),
        (at(9, 25), None, 50, at(12, 0), attendance.IN_PROGRESS, 25, 0),
        # on time in and out
        (at(8, 55), at(17, 5), 50, None, attendance.ATTENDED, 0, 0),
        # exactly 10 minutes late is within the grace, also 09:10:59 (shown as 09:10); 09:11 is late by 11 minutes
        (at(9, 10), at(17, 0), 50, None, attendance.ATTENDED, 0, 0),
        (at(9, 10, 59), at(17, 0), 50, None, attendance.ATTENDED, 0, 0),
        (at(9, 11), at(17, 0), 50, None, attendance.LATE, 11, 0),
        # QA: minutes as the times are shown (each to its minute), not a started minute counted: a 09:53:40
        # check-in (shown 09:53) is 53 minutes late, not 54; a 16:29:30 check-out (shown 16:29) 31 early, not 30
        (at(9, 53, 40), at(17, 0), 50, None, attendance.LATE, 53, 0),
        (at(9, 0), at(16, 29, 30), 50, None, attendance.LEFT_EARLY, 0, 31),
        (at(9, 53, 40), None, 50, at(12, 0), attendance.IN_PROGRESS, 53, 0),
        (at(9, 25), at(17, 0), 50, None, attendance.LATE, 25, 0),
        # left 10 minutes early: within; 30 minutes early: left early by 30
        (at(9, 0), at(16, 50), 50, None, attendance.ATTENDED, 0, 0),
        (at(9, 0), at(16, 30), 50, None, attendance.LEFT_EARLY, 0, 30),
        # both
        (at(9, 40), at(15, 0), 50, None, attendance.LATE_AND_EARLY, 40, 120),
        # checked out early, before the shift's end: already final
        (at(9, 0), at(12, 0), 50, at(12, 30), attendance.LEFT_EARLY, 0, 300),
        # 501 m from the store, or no position: off site (the minutes are still counted)
        (at(9, 0), at(17, 0), 500, None, attendance.ATTENDED, 0, 0),
        (at(9, 0), at(17, 0), 501, None, attendance.OFF_SITE, 0, 0),
        (at(9, 30), at(17, 0), None, None, attendance.OFF_SITE, 30, 0),
    ],
)
def test_worked_examples(check_in, check_out, distance, now, status, late, early):
    reading = read(check_in, check_out, distance, now)
    assert (reading.status, reading.late_minutes, reading.early_minutes) == (status, late, early)


def test_a_shift_never_checked_out_reads_by_its_check_in_once_ended():
    reading = read(at(9, 20), None, 50, at(17, 0))
    assert reading.status == attendance.LATE
    assert reading.late_minutes == 20
    assert reading.no_check_out


def test_the_confirmed_attendance_overrides_the_computed_one():
    from promoters.models import Shift

    shift = Shift(
        day=date(2026, 6, 1), starts_at=time(9, 0), ends_at=time(17, 0), checked_in_at=at(9, 30),
        checked_out_at=at(17, 0), check_in_distance_m=20, confirmed_attendance="attended",
        confirmed_at=at(18, 0),
    )  # fmt: skip
    reading = attendance.reading(shift, now=at(20, 0), limits=LIMITS)
    assert reading.status == attendance.ATTENDED
    assert reading.computed == attendance.LATE
    assert reading.confirmed and reading.corrected
    assert reading.late_minutes == 30


def test_the_settings_move_the_boundaries():
    strict = Limits(late_after_minutes=0, early_before_minutes=0, max_distance_m=100)
    reading = classify(
        starts=STARTS, ends=ENDS, checked_in_at=at(9, 1), checked_out_at=at(16, 59), check_in_distance_m=150,
        now=at(20, 0), limits=strict,
    )  # fmt: skip
    assert reading.status == attendance.OFF_SITE
    assert (reading.late_minutes, reading.early_minutes) == (1, 1)
    reading = classify(
        starts=STARTS, ends=ENDS, checked_in_at=at(9, 1), checked_out_at=at(16, 59), check_in_distance_m=50,
        now=at(20, 0), limits=strict,
    )  # fmt: skip
    assert reading.status == attendance.LATE_AND_EARLY


def test_shift_times_are_shanghai_times():
    assert STARTS.utcoffset().total_seconds() == 8 * 3600


def test_a_running_shift_checked_in_far_away_is_flagged_off_site_at_once():
    reading = read(at(9, 0), None, 501, at(12, 0))
    assert reading.status == attendance.IN_PROGRESS
    assert reading.off_site


def test_a_running_shift_reads_on_shift_not_the_visits_in_progress():
    from django.utils import translation

    reading = read(at(9, 0), None, 50, at(12, 0))
    with translation.override("zh-hans"):
        assert reading.label == "上班中"  # not 拜访中, a rep's visit
    with translation.override("en"):
        assert reading.label == "On shift"


@pytest.mark.parametrize(
    ("phone", "received", "status", "late", "shown", "sent_late"),
    [
        # sent at once (within a minute): read on the phone's time, nothing more shown
        (at(9, 5), at(9, 5, 40), attendance.ATTENDED, 0, False, False),
        # on time in a basement with no signal: sent 15 minutes later (the grace), read on the phone's time, the
        # arrival shown; a check-in at 9:08 (on time) sent a second past the grace is read on its arrival, 9:23:01
        # (shown 9:23: 23 minutes late)
        (at(8, 58), at(9, 13), attendance.ATTENDED, 0, True, False),
        (at(9, 8), at(9, 23, 1), attendance.LATE, 23, True, False),
        (at(9, 8), at(9, 23), attendance.ATTENDED, 0, True, False),
        # the phone says 8:58, the check-in reached the server at 10:30: late by 90 minutes, the arrival shown
        (at(8, 58), at(10, 30), attendance.LATE, 90, True, False),
        # received exactly 4 hours after the phone's time: not yet sent late; a second more is
        (at(8, 58), at(12, 58), attendance.LATE, 238, True, False),
        (at(8, 58), at(12, 58, 1), attendance.LATE, 238, True, True),
        # no arrival kept (checked in before the server kept it): the phone's time, as before
        (at(8, 58), None, attendance.ATTENDED, 0, False, False),
    ],
)
def test_lateness_is_judged_on_the_arrival_past_a_grace(phone, received, status, late, shown, sent_late):
    limits = Limits(late_after_minutes=10, early_before_minutes=10, max_distance_m=500, sent_late_hours=4)
    reading = classify(
        starts=STARTS, ends=ENDS, checked_in_at=phone, checked_out_at=at(17, 0), check_in_distance_m=50,
        check_in_received_at=received, now=at(20, 0), limits=limits,
    )  # fmt: skip
    assert (reading.status, reading.late_minutes, reading.sent_late) == (status, late, sent_late)
    assert reading.received_at == (received if shown else None)


def test_a_confirmed_shift_still_says_its_check_in_was_sent_late():
    from promoters.models import Shift

    shift = Shift(
        day=date(2026, 6, 1), starts_at=time(9, 0), ends_at=time(17, 0), checked_in_at=at(8, 58),
        check_in_received_at=at(14, 0), checked_out_at=at(17, 0), check_in_distance_m=20,
        confirmed_attendance="attended", confirmed_at=at(18, 0),
    )  # fmt: skip
    reading = attendance.reading(shift, now=at(20, 0), limits=LIMITS)
    assert (reading.status, reading.computed, reading.late_minutes) == (attendance.ATTENDED, attendance.LATE, 300)
    assert reading.sent_late and reading.sent_after_hours == 5.0 and reading.corrected


def test_a_shift_off_site_late_and_early_counts_in_all_three_in_the_month():
    """Finding: checked in 5 km away, 76 minutes late, out 405 minutes early: the month counted it off site only
    (late 0, left early 0). It reads off site first, and counts in each column it belongs to."""
    from promoters.attendance_report import Row

    row = Row(key="PR001")
    row.add(attendance.Reading(attendance.OFF_SITE, late_minutes=76, early_minutes=405, off_site=True, ended=True))
    row.add(attendance.Reading(attendance.OFF_SITE, off_site=True, ended=True))
    assert (row.planned, row.off_site, row.late, row.left_early) == (2, 2, 1, 1)
