"""A shift that has started with nobody checked in (QA: at 09:02 马建华's 08:00–12:00 shift had no badge at all, the
supervisor learned of the no-show only once the shift had ended): it reads "not checked in yet" from its start,
"late, not checked in" once a check-in would be late (KA.promoter_late_after_minutes, 10), and absent once ended —
on the supervisor's week, the attendance report and its shifts, their exports and the API, all from
promoters/attendance.py. Nothing counts it as absent (the appraisal, the pay) before the shift has ended.

The clock is fixed (time_machine, tick=False) on Monday 2026-11-23 in Asia/Shanghai."""

import re
from datetime import date, datetime, time
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from promoters import appraisal_rules, attendance, attendance_report
from promoters.appraisal import promoter_appraisal
from promoters.models import Shift

from .factories import ShiftFactory, make_promoter

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
MONDAY = date(2026, 11, 23)


def at(hh, mm, ss=0, day=MONDAY):
    return timezone.make_aware(datetime.combine(day, time(hh, mm, ss)))


@pytest.fixture
def ma(scene):
    """马建华's 08:00–12:00 shift at 甲店 on Monday, nobody checked in; 王小红 on time at 乙店 that morning."""
    promoter = make_promoter(
        stores=[scene.store], supervisor=scene.supervisor, code="PM1", name="马建华", login="prom_m"
    )
    shift = ShiftFactory(promoter=promoter, store=scene.store, day=MONDAY, starts_at=time(8), ends_at=time(12))
    ShiftFactory(promoter=scene.promoter, store=scene.second_store, day=MONDAY, starts_at=time(8), ends_at=time(12),
                 checked_in_at=at(7, 58), check_in_distance_m=30)  # fmt: skip
    return shift


def now_is(time_machine, hh, mm, ss=0):
    time_machine.move_to(at(hh, mm, ss), tick=False)


def week_badge(client, shift):
    """The badge the supervisor's week (/promoters/shifts/) shows on the shift: (colour, text), or None — the same in
    the grid and in the day-by-day list a phone shows."""
    body = client.get(reverse("promoters:week"), {"week": MONDAY.isoformat()}, **EN).content.decode()
    # each shift is three lines (promoters/includes/week_shift.html): its times, its store, its badges
    cells = ["\n".join(cell.split("\n")[:3]) for cell in body.split('data-testid="shift"')[1:]]
    badges = {
        (found.groups() if found else None)
        for found in (
            re.search(r'class="badge text-bg-(\w+)[^"]*" data-testid="shift-attendance">([^<]+)<', cell)
            for cell in cells
            if "甲店" in cell
        )
    }
    assert len(badges) == 1 and len([cell for cell in cells if "甲店" in cell]) == 2, cells
    return badges.pop()


def listed(client, shift):
    """The shift's card on the attendance list: its badge (colour, text) and its line under it."""
    body = client.get(reverse("promoters:attendance-shifts"), {"month": "2026-11"}, **EN).content.decode()
    card = body.split(f'data-shift="{shift.pk}"')[1].split('data-testid="attendance-shift"')[0]
    badge = re.search(r'class="badge text-bg-(\w+)" data-testid="computed-reading">([^<]+)<', card)
    return (badge.group(1), badge.group(2)), card


@pytest.mark.parametrize(
    ("clock", "status", "badge", "late", "said"),
    [
        # before the start: still to come, no badge on the week
        ((7, 59, 59), attendance.PLANNED, None, 0, ""),
        # started, within the 10 minutes a check-in is not late: not checked in yet (10:59 is 10 whole minutes)
        ((8, 0), attendance.NOT_CHECKED_IN, ("secondary", "Not checked in yet"), 0, ""),
        ((8, 10, 59), attendance.NOT_CHECKED_IN, ("secondary", "Not checked in yet"), 0, ""),
        # after the grace: late, not checked in, with the minutes so far (QA's 09:02)
        ((8, 11), attendance.LATE_NO_CHECK_IN, ("danger", "Late, not checked in"), 11, "11 minutes late"),
        ((9, 2, 40), attendance.LATE_NO_CHECK_IN, ("danger", "Late, not checked in"), 62, "62 minutes late"),
        ((11, 59, 59), attendance.LATE_NO_CHECK_IN, ("danger", "Late, not checked in"), 239, "3 h 59 min late"),
        # after the end: absent, as before
        ((12, 0), attendance.ABSENT, ("danger", "Absent"), 0, ""),
    ],
)
def test_the_supervisor_sees_a_shift_with_no_check_in_from_its_start(
    scene, ma, client, api_client, time_machine, clock, status, badge, late, said
):
    now_is(time_machine, *clock)
    client.force_login(scene.supervisor)
    # the reading, the one every page and the API read
    reading = attendance.reading(Shift.objects.get(pk=ma.pk))
    assert (reading.status, reading.late_minutes) == (status, late)
    # the week: the badge a supervisor sees on the shift
    assert week_badge(client, ma) == badge
    # the attendance list: the same badge, with how late so far; never offered to confirm before the end
    shown, card = listed(client, ma)
    assert shown == (badge or ("secondary", "Planned"))
    assert "no check-in" in card
    assert said in card if said else "late</span>" not in card
    assert ('data-testid="confirm-form"' in card) is (status == attendance.ABSENT)
    # the API: the supervisor's shift list says the same state
    api_client.force_authenticate(scene.supervisor)
    rows = {row["id"]: row for row in api_client.get("/api/v1/shifts/", {"day_from": "2026-11-23"}).json()["results"]}
    assert (rows[ma.pk]["attendance"]["status"], rows[ma.pk]["attendance"]["late_minutes"]) == (status, late)
    # and the promoter's own phone API
    api_client.force_authenticate(ma.promoter.user)
    [mine] = api_client.get("/api/v1/my/shifts/").json()["results"]
    assert mine["attendance"]["status"] == status


def test_a_check_in_turns_the_late_shift_into_one_on_shift(scene, ma, client, time_machine):
    # given the supervisor saw 马建华 late at 08:20
    now_is(time_machine, 8, 20)
    client.force_login(scene.supervisor)
    assert week_badge(client, ma) == ("danger", "Late, not checked in")
    # when 马建华 checks in at 08:25 (at the store)
    Shift.objects.filter(pk=ma.pk).update(checked_in_at=at(8, 25), check_in_distance_m=20)
    now_is(time_machine, 8, 30)
    # then the shift is on shift, 25 minutes late, and late once it ends
    assert week_badge(client, ma) == ("info", "On shift")
    _badge, card = listed(client, ma)
    assert "25 minutes late" in card
    now_is(time_machine, 12, 30)
    assert attendance.reading(Shift.objects.get(pk=ma.pk)).status == attendance.LATE


def test_the_report_counts_it_apart_and_links_to_it(scene, ma, client, api_client, time_machine):
    # given last Monday's shift of 马建华 nobody checked in to (absent), and this morning's running late
    ShiftFactory(promoter=ma.promoter, store=scene.store, day=date(2026, 11, 16), starts_at=time(8), ends_at=time(12))
    now_is(time_machine, 9, 2)
    client.force_login(scene.supervisor)
    # when the supervisor opens the month's attendance
    body = client.get(reverse("promoters:attendance"), {"month": "2026-11"}, **EN).content.decode()
    row = body.split('data-code="PM1"')[1].split("</tr>")[0]
    # then this morning's shift is late with no check-in, not absent (one absent: last Monday's)
    assert 'data-count="absent">1<' in row
    link = re.search(r'data-count="not_checked_in"><a href="([^"]+)" class="ka-count-link"[^>]*>1</a>', row)
    assert link, row
    button = re.search(r'href="([^"]+)" data-testid="not-checked-in">Late, not checked in \(1\)</a>', body)
    assert button, body
    # and both links list that shift alone
    for url in (link.group(1), button.group(1)):
        page = client.get(url.replace("&amp;", "&"), **EN).content.decode()
        assert re.findall(r'data-shift="(\d+)"', page) == [str(ma.pk)]
        assert 'value="true" selected' in page.split('name="not_checked_in"')[1].split("</select>")[0]
    # the API's report says the same
    api_client.force_authenticate(scene.supervisor)
    report = api_client.get(reverse("promoter-attendance-report"), {"month": "2026-11"}).json()
    [mine] = [row for row in report["by_promoter"] if row["promoter"] == "PM1"]
    assert (mine["not_checked_in"], mine["absent"], mine["to_come"]) == (1, 1, 1)
    late = api_client.get("/api/v1/shifts/", {"not_checked_in": "true"}).json()["results"]
    assert [row["id"] for row in late] == [ma.pk]


def test_the_exports_say_it(scene, ma, client, time_machine):
    now_is(time_machine, 9, 2)
    client.force_login(scene.supervisor)
    # the list's export: the computed reading and the minutes late so far
    response = client.get(reverse("promoters:attendance-shifts"), {"month": "2026-11", "export": "xlsx"}, **EN)
    [sheet] = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    [line] = [row for row in rows[1:] if row[header.index("Promoter")] == "马建华"]
    assert line[header.index("Computed attendance")] == "Late, not checked in"
    assert line[header.index("Minutes late")] == 62
    assert line[header.index("Checked in at")] is None
    # the month's export: the count beside absent, per promoter
    response = client.get(reverse("promoters:attendance"), {"month": "2026-11", "export": "xlsx"}, **EN)
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    rows = [[cell.value for cell in row] for row in book["By promoter"].iter_rows()]
    header = rows[0]
    [line] = [row for row in rows[1:] if row[0] == "PM1"]
    assert (line[header.index("Late, not checked in")], line[header.index("Absent")]) == (1, 0)


def test_the_appraisal_and_the_pay_do_not_count_a_running_shift_as_absent(scene, ma, time_machine):
    # given last Monday 马建华 was absent, and this morning's shift is running with no check-in
    ShiftFactory(promoter=ma.promoter, store=scene.store, day=date(2026, 11, 16), starts_at=time(8), ends_at=time(12))
    now_is(time_machine, 9, 2)
    # then the appraisal counts one planned shift, absent, not two
    [row] = promoter_appraisal(
        promoters=ma.promoter.__class__.objects.filter(pk=ma.promoter.pk), month=date(2026, 11, 1)
    )
    assert (row.scheduled, row.planned, row.absent, row.attended) == (2, 1, 1, 0)
    # and the pay's reading of the shift is none yet (promoters/appraisal_rules.shift_reading, the ledger's)
    assert appraisal_rules.shift_reading(Shift.objects.get(pk=ma.pk), now=timezone.now()) is None
    # once the shift has ended, it is absent everywhere
    now_is(time_machine, 12, 0)
    [row] = promoter_appraisal(
        promoters=ma.promoter.__class__.objects.filter(pk=ma.promoter.pk), month=date(2026, 11, 1)
    )
    assert (row.planned, row.absent) == (2, 2)
    assert appraisal_rules.shift_reading(Shift.objects.get(pk=ma.pk), now=timezone.now()) == attendance.ABSENT


@pytest.mark.parametrize(
    "clock",
    [
        (7, 59),
        (8, 0),
        (8, 10, 59),
        (8, 11),
        (9, 2),
        (10, 0, 30),
        (10, 9, 59),
        (10, 10, 5),
        (11, 59, 59),
        (12, 0),
        (0, 5),
        (0, 11),
        (23, 59),
    ],
)
def test_the_filter_lists_the_shifts_the_reading_calls_late_and_not_checked_in(scene, ma, time_machine, clock):
    # shifts at the edges: starting on a half minute, from midnight, late in the evening, checked in, confirmed
    promoter = ma.promoter
    for starts, ends in ((time(0), time(6)), (time(9, 59, 30), time(10, 30)), (time(18), time(23, 59, 59))):
        ShiftFactory(promoter=promoter, store=scene.store, day=MONDAY, starts_at=starts, ends_at=ends)
    ShiftFactory(promoter=promoter, store=scene.store, day=date(2026, 11, 22), starts_at=time(8), ends_at=time(12))
    now_is(time_machine, *clock)
    shifts = Shift.objects.all()
    late = {s.pk for s in shifts if attendance.reading(s).status == attendance.LATE_NO_CHECK_IN}
    assert set(attendance_report.not_checked_in(shifts, True).values_list("pk", flat=True)) == late
    assert set(attendance_report.not_checked_in(shifts, False).values_list("pk", flat=True)) == (
        {s.pk for s in shifts} - late
    )
