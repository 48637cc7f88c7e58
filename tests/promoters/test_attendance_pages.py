"""Attendance for supervisors: the month per promoter and store, the shifts with their readings, confirming one
(a correction with a reason) or a day, the exports, and who sees what."""

import re
from datetime import date, datetime, time
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from promoters.models import Shift

from .factories_phone import NEAR, SellOutLineFactory, ShiftFactory, phone_world

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def at(hh, mm, day):
    return timezone.make_aware(datetime(2026, 6, day, hh, mm))


@pytest.fixture
def w(time_machine):
    """June 2026: on the 1st the promoter came 25 minutes late, on the 2nd on time but 2 km away, the 3rd not at
    all; the 4th is still to come. The other promoter was on time on the 1st."""
    time_machine.move_to(at(20, 0, 3), tick=False)
    world = phone_world()
    shift = world.shift
    shift.checked_in_at, shift.checked_out_at, shift.check_in_distance_m = at(9, 25, 1), at(17, 0, 1), 40
    shift.save()
    ShiftFactory(promoter=world.promoter, store=world.store, day=date(2026, 6, 2), checked_in_at=at(8, 58, 2),
                 checked_out_at=at(17, 1, 2), check_in_distance_m=2000, check_in_latitude=NEAR[0],
                 check_in_longitude=NEAR[1])  # fmt: skip
    world.absent = ShiftFactory(promoter=world.promoter, store=world.store, day=date(2026, 6, 3))
    ShiftFactory(promoter=world.promoter, store=world.store, day=date(2026, 6, 4))
    other = world.other_shift
    other.checked_in_at, other.checked_out_at, other.check_in_distance_m = at(8, 59, 1), at(17, 0, 1), 10
    other.save()
    SellOutLineFactory(shift=shift, product=world.beer, units=15, shelf_stock=30)
    return world


def cells(response):
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in sheet}


def test_the_month_per_promoter_and_store(w, client):
    client.force_login(w.supervisor)
    page = client.get(reverse("promoters:attendance") + "?month=2026-06", **EN).content.decode()
    row = page.split('data-code="PH-P1"')[1].split("</tr>")[0]
    # planned 4, attended 1 (the late one: off site counts only once confirmed), late 1, left early 0, absent 1,
    # late and not checked in now 0, off site 1, sent late 0, leave 0, to confirm 3
    counts = re.findall(r'data-count="\w+">(?:<a [^>]*>)?(\d+)<', row)
    assert counts == ["4", "1", "1", "0", "1", "0", "1", "0", "0", "3"]
    # on a phone the figures are labelled pairs under the name, "To confirm" the one column left
    assert "<dt>Absent</dt><dd>1</dd>" in row and "<dt>Off site</dt><dd>1</dd>" in row
    # the shifts to confirm are a link to them
    assert re.search(r'<td class="num" data-count="to_confirm"><a href="[^"]+promoter=PH-P1&amp;to_confirm=true"', row)
    assert 'data-code="PH01"' in page and 'data-code="PH02"' in page


def test_lateness_reads_in_hours_and_minutes_for_the_supervisor(w, client):
    """Finding: a check-in 214 minutes late read "迟到 214 分钟": from two hours it reads in hours and minutes, as the
    visit page writes a length of time."""
    Shift.objects.filter(pk=w.shift.pk).update(checked_in_at=at(12, 34, 1), checked_out_at=at(14, 0, 1))
    client.force_login(w.supervisor)
    url = reverse("promoters:attendance-shifts") + "?month=2026-06&promoter=PH-P1"
    page = client.get(url, **EN).content.decode()
    assert "3 h 34 min late" in page and "3 h 0 min early" in page and "214 min" not in page
    chinese = client.get(url).content.decode()
    assert "迟到 3 小时 34 分钟" in chinese and "早退 3 小时 0 分钟" in chinese


def test_the_export_has_promoters_stores_and_shifts(w, client):
    client.force_login(w.supervisor)
    response = client.get(reverse("promoters:attendance") + "?month=2026-06&export=xlsx", **EN)
    sheets = cells(response)
    by_promoter, by_store, shifts = sheets.values()
    assert by_promoter[1][:4] == ["PH-P1", w.promoter.name, 4, 1]
    assert len(shifts) == 1 + 5
    assert shifts[1][12] == "Late" and shifts[1][13] == 25


def test_a_bad_month_is_named(w, client):
    client.force_login(w.supervisor)
    response = client.get(reverse("promoters:attendance") + "?month=June", **EN)
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


def test_the_shifts_with_their_readings_and_confirming_one(w, client):
    client.force_login(w.supervisor)
    url = reverse("promoters:attendance-shifts") + "?month=2026-06&promoter=PH-P1"
    page = client.get(url, **EN).content.decode()
    assert page.count('data-testid="attendance-shift"') == 4
    assert "25 minutes late" in page and "Checked in off site" in page and "Absent" in page
    # distances read in the reader's language, the promoter called 促销员 throughout
    assert "(40 m)" in page and "(40 米)" in client.get(url).content.decode()
    assert "(2.0 km)" in page and "(2000 m)" not in page  # as the rep's visit page writes a distance
    assert "按促销员" in client.get(reverse("promoters:attendance") + "?month=2026-06").content.decode()
    # a correction without a reason is refused and nothing is confirmed
    confirm = reverse("promoters:attendance-confirm", args=[w.absent.pk])
    page = client.post(confirm, {"attendance": "leave", "reason": "", "next": url}, follow=True, **EN)
    assert "give a reason" in page.content.decode()
    assert not Shift.objects.get(pk=w.absent.pk).is_closed
    client.post(confirm, {"attendance": "leave", "reason": "病假", "next": url}, **EN)
    shift = Shift.objects.get(pk=w.absent.pk)
    assert shift.confirmed_attendance == "leave" and shift.correction_reason == "病假"
    page = client.get(url, **EN).content.decode()
    assert "computed: Absent" in page and "病假" in page
    # the reason box says what it is for above it, whole on a phone (a placeholder was cut, and gone once typed in)
    for language, label in (("en", "Reason (needed for a correction)"), ("zh-hans", "原因（更正时必填）")):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        shown = re.findall(r'for="reason-\d+" data-testid="reason-label">(.*?)<', page)
        assert shown and set(shown) == {label}
        assert "placeholder=" not in page.split('data-testid="confirm-form"')[1].split("</form>")[0]


def test_shifts_to_confirm_are_the_reports_to_confirm_not_the_whole_month(w, client):
    client.force_login(w.supervisor)
    report = client.get(reverse("promoters:attendance") + "?month=2026-06", **EN).content.decode()
    link = re.search(r'href="([^"]*/attendance/shifts/[^"]*)">Shifts to confirm', report)[1].replace("&amp;", "&")
    assert "to_confirm=true" in link
    # beside the count, a button to those shifts: the day's work, not only a small link in the corner
    button = re.search(r'href="([^"]*)" data-testid="confirm-shifts">Confirm shifts \((\d+)\)<', report)
    assert button[1].replace("&amp;", "&") == link and button[2] == re.search(r"; (\d+) to confirm\.", report)[1]
    page = client.get(f"{link}&promoter=PH-P1", **EN).content.decode()
    # the report's three to confirm (1st late, 2nd off site, 3rd absent), not the 4th still to come
    assert page.count('data-testid="attendance-shift"') == 3
    w.absent.confirmed_attendance, w.absent.confirmed_at = "absent", timezone.now()
    w.absent.save()
    page = client.get(f"{link}&promoter=PH-P1", **EN).content.decode()
    assert page.count('data-testid="attendance-shift"') == 2


def test_a_shift_checked_out_before_its_end_is_not_offered_to_confirm_until_it_ends(w, client, time_machine):
    evening = ShiftFactory(promoter=w.promoter, store=w.store, day=date(2026, 6, 3), starts_at=time(18),
                           ends_at=time(22), checked_in_at=at(18, 0, 3), checked_out_at=at(19, 0, 3),
                           check_in_distance_m=10)  # fmt: skip
    client.force_login(w.supervisor)
    url = reverse("promoters:attendance-shifts") + "?month=2026-06&promoter=PH-P1"
    card = (
        client.get(url, **EN)
        .content.decode()
        .split(f'data-shift="{evening.pk}"')[1]
        .split('data-testid="attendance-shift"')[0]
    )
    assert "Left early" in card and 'data-testid="confirm-form"' not in card  # the service would refuse it
    assert client.get(f"{url}&to_confirm=true", **EN).content.decode().count('data-testid="attendance-shift"') == 3
    time_machine.move_to(at(22, 0, 3), tick=False)
    card = client.get(url, **EN).content.decode().split(f'data-shift="{evening.pk}"')[1]
    assert 'data-testid="confirm-form"' in card.split('data-testid="attendance-shift"')[0]
    assert client.get(f"{url}&to_confirm=true", **EN).content.decode().count('data-testid="attendance-shift"') == 4


def test_the_shifts_from_a_day_to_a_day_across_months_and_their_export(w, client):
    # Given a shift on the first of the next month
    ShiftFactory(promoter=w.promoter, store=w.store, day=date(2026, 7, 1))
    client.force_login(w.supervisor)
    url = reverse("promoters:attendance-shifts")
    period = {"promoter": "PH-P1", "day_from": "2026-06-03", "day_to": "2026-07-01"}

    # When the supervisor asks for the 3rd of June to the 1st of July
    page = client.get(url, period, **EN).content.decode()

    # Then the page lists those days' shifts, across the month's end, and shows the period in From and To
    days = re.findall(r'<span class="fw-semibold">(\S+) ', page)
    assert days == ["2026-06-03", "2026-06-04", "2026-07-01"]
    assert 'name="day_from" value="2026-06-03"' in page and 'name="day_to" value="2026-07-01"' in page
    # and the export holds the same shifts
    rows = next(iter(cells(client.get(url, {**period, "export": "xlsx"}, **EN)).values()))[1:]
    assert [row[0].date().isoformat() for row in rows] == days
    # the report's month link lists that month, its first and last day shown as From and To
    page = client.get(url, {"month": "2026-06", "promoter": "PH-P1"}, **EN).content.decode()
    assert page.count('data-testid="attendance-shift"') == 4 and 'name="day_to" value="2026-06-30"' in page
    # one day chosen (From = To) can be confirmed at once
    page = client.get(url, {"day_from": "2026-06-01", "day_to": "2026-06-01"}, **EN).content.decode()
    assert 'data-testid="confirm-day"' in page and '<input type="hidden" name="day" value="2026-06-01">' in page


def test_the_shifts_sent_late_on_the_page_its_export_and_the_api(w, client, api_client, settings):
    """A supervisor looking for check-ins made offline and sent late (or dated back) filters on what each shift shows:
    "sent late" is a check-in received more than KA_VISIT_SYNC_LATE_HOURS after the phone's time."""
    # given: the 2nd's check-in reached the server 5 hours after the phone's time, the 1st's 2 hours after
    assert settings.KA.visit_sync_late_hours == 4
    second = Shift.objects.get(promoter=w.promoter, day=date(2026, 6, 2))
    Shift.objects.filter(pk=second.pk).update(check_in_received_at=at(13, 58, 2))
    Shift.objects.filter(pk=w.shift.pk).update(check_in_received_at=at(11, 25, 1))
    client.force_login(w.supervisor)
    url = reverse("promoters:attendance-shifts")

    # when: the supervisor follows the month's "sent late" count of the promoter, then filters on "not sent late"
    report = client.get(reverse("promoters:attendance"), {"month": "2026-06"}, **EN).content.decode()
    row = report.split('data-code="PH-P1"')[1].split("</tr>")[0]
    link = re.search(
        r'data-count="sent_late"><a href="([^"]+)" class="ka-count-link" data-testid="count-link">1</a>', row
    )
    assert link, row
    assert 'data-count="absent">1<' in row  # a count with no list of its own stays a figure
    page = client.get(link.group(1).replace("&amp;", "&"), **EN).content.decode()
    assert 'name="promoter"' in page and 'value="true" selected' in page.split('name="sent_late"')[1]
    others = client.get(url, {"month": "2026-06", "sent_late": "false"}, **EN).content.decode()

    # then: the 2nd's shift alone, flagged; the others are the rest (the 1st sent 2 hours late, shifts not checked in)
    assert re.findall(r'data-shift="(\d+)"', page) == [str(second.pk)]
    assert 'data-testid="sent-late"' in page and "check-in sent 5.0 h after the phone" in page
    assert sorted(re.findall(r'data-shift="(\d+)"', others)) == sorted(
        str(pk) for pk in Shift.objects.filter(day__month=6).exclude(pk=second.pk).values_list("pk", flat=True)
    )
    assert 'data-testid="sent-late"' not in others
    # the filter is a choice on the page, worded in both languages
    field = page.split('name="sent_late"')[1].split("</select>")[0]
    assert ">Check-in sent late</option>" in field and ">Not sent late</option>" in field
    assert 'value="true" selected' in field
    chinese = client.get(url, {"month": "2026-06", "sent_late": "true"}).content.decode()
    assert "签到迟传" in chinese.split('name="sent_late"')[0].rsplit("<label", 1)[1]
    assert ">未迟传</option>" in chinese.split('name="sent_late"')[1].split("</select>")[0]
    # the export holds the same shift
    rows = next(
        iter(cells(client.get(url, {"month": "2026-06", "sent_late": "true", "export": "xlsx"}, **EN)).values())
    )
    assert len(rows) == 2 and rows[1][0].date() == date(2026, 6, 2) and rows[1][9] == "yes"
    # and the API's shift list takes the same filter
    api_client.force_authenticate(w.supervisor)
    late = api_client.get("/api/v1/shifts/", {"sent_late": "true"}).json()
    assert [row["id"] for row in late["results"]] == [second.pk]
    on_time = api_client.get("/api/v1/shifts/", {"sent_late": "false"}).json()
    assert second.pk not in [row["id"] for row in on_time["results"]] and w.shift.pk in [
        row["id"] for row in on_time["results"]
    ]


def test_confirm_a_day(w, client):
    client.force_login(w.supervisor)
    client.post(reverse("promoters:attendance-confirm-day"), {"day": "2026-06-01"}, **EN)
    confirmed = dict(Shift.objects.filter(day=date(2026, 6, 1)).values_list("promoter__code", "confirmed_attendance"))
    assert confirmed == {"PH-P1": "late", "PH-P2": "attended"}
    assert not Shift.objects.exclude(day=date(2026, 6, 1)).filter(confirmed_at__isnull=False).exists()


def test_the_sell_out_list_and_its_export(w, client):
    client.force_login(w.supervisor)
    page = client.get(reverse("promoters:sell-out") + "?store=PH01", **EN).content.decode()
    assert page.count('data-testid="sell-out-line"') == 1 and "1/3" in page
    sheets = cells(client.get(reverse("promoters:sell-out") + "?export=xlsx", **EN))
    rows = next(iter(sheets.values()))
    assert rows[1][5:9] == ["PHB", "纯生啤酒", 15, "1/3"]


def test_the_sell_out_export_is_named_for_packs_not_a_value(w, client):
    """QA: the sheet was titled "终端销售额" (sell-out value) but holds packs: named as the page, its quantity column
    in packs."""
    client.force_login(w.supervisor)
    response = client.get(reverse("promoters:sell-out") + "?export=xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "销售额" not in response["Content-Disposition"] and "%E9%94%80%E9%87%8F" in response["Content-Disposition"]
    ((title, rows),) = cells(response).items()
    assert title == "销量（促销员）" and not any("销售额" in str(header) for header in rows[0])
    assert rows[0][7:9] == ["终端销量（包）", "售出（箱/包）"] and rows[1][7] == 15


def test_who_sees_attendance(w, client):
    from accounts.roles import Role
    from tests.factories import make_user

    url = reverse("promoters:attendance") + "?month=2026-06"
    for user in (w.manager, w.finance, w.admin):
        client.force_login(user)
        assert 'data-code="PH-P1"' in client.get(url).content.decode()
    client.force_login(make_user(Role.SUPERVISOR))
    assert 'data-code="PH-P1"' not in client.get(url).content.decode()
    client.force_login(w.rep)
    assert client.get(url).status_code == 403
    # a manager reads but does not confirm
    client.force_login(w.manager)
    assert client.post(reverse("promoters:attendance-confirm", args=[w.absent.pk]), {}).status_code == 403
    assert 'data-testid="confirm-form"' not in client.get(reverse("promoters:attendance-shifts")).content.decode()
    assert not Shift.objects.filter(confirmed_at__isnull=False).exists()


def test_opened_on_a_new_month_it_says_last_months_shifts_still_to_confirm(w, client):
    """QA: on Monday the 2nd the page opened on a month of zeros; last month's late, absent and off-site shifts
    waited behind the ‹ button. Opened on this month, it says how many of last month's wait and links them."""
    with time_machine.travel(timezone.make_aware(datetime(2026, 7, 2, 9, 0)), tick=False):
        client.force_login(w.supervisor)
        page = client.get(reverse("promoters:attendance"), **EN).content.decode()
        asked = client.get(reverse("promoters:attendance") + "?month=2026-07", **EN).content.decode()

    notice = page.split('data-testid="previous-to-confirm"')[1].split("</div>")[0]
    # June's shifts to confirm: the four of the promoter (all ended now) and the other promoter's one
    assert "2026-06 still has 5 shifts to confirm." in notice
    assert "month=2026-06" in notice and "to_confirm=true" in notice
    # asked for a month by name, the page shows that month alone
    assert 'data-testid="previous-to-confirm"' not in asked
