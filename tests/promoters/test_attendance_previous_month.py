"""Attendance opened on a new month says how many of last month's shifts are still to confirm: a count the
database makes (not last month's whole report read to take one number), the same number the report and the list it
links to show."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from promoters import attendance_report, phone_services
from promoters.models import Shift
from tests.factories import StoreFactory, make_user

from .factories_phone import PromoterFactory, ShiftFactory, phone_world

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JUNE = date(2026, 6, 1)


def on(day, hh=9, mm=0):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hh, mm))


@pytest.fixture
def june(time_machine):
    """June 2026 for the supervisor's two promoters: seven shifts, five never confirmed (worked, late, absent), two
    confirmed; another supervisor's shift, and July's 1st (ended, not confirmed), beside them."""
    time_machine.move_to(on(date(2026, 6, 30), 20), tick=False)
    world = phone_world(day=JUNE)
    promoter, store = world.promoter, world.store
    world.shift.checked_in_at, world.shift.checked_out_at, world.shift.check_in_distance_m = (
        on(JUNE, 8, 58),
        on(JUNE, 17),
        30,
    )
    world.shift.save()
    for day in (2, 3, 4):
        ShiftFactory(promoter=promoter, store=store, day=date(2026, 6, day))  # absent: to confirm
    ShiftFactory(promoter=promoter, store=store, day=date(2026, 6, 5), checked_in_at=on(date(2026, 6, 5), 9, 40),
                 checked_out_at=on(date(2026, 6, 5), 17), check_in_distance_m=20)  # fmt: skip
    confirmed = [ShiftFactory(promoter=promoter, store=store, day=date(2026, 6, day)) for day in (8, 9)]
    for shift in confirmed:
        phone_services.attendance_confirm(shift=shift, by=world.supervisor, attendance_value="leave", reason="病假")
    # already counted: world.other_shift (the second promoter's, 1 June, never checked in) — five in all
    stranger = PromoterFactory(supervisor=make_user(Role.SUPERVISOR))
    ShiftFactory(promoter=stranger, store=StoreFactory(), day=date(2026, 6, 10))
    ShiftFactory(promoter=promoter, store=store, day=date(2026, 7, 1), starts_at=time(8, 0), ends_at=time(8, 30))
    return world


def notice_of(client, user) -> str:
    client.force_login(user)
    page = client.get(reverse("promoters:attendance"), **EN).content.decode()
    return (
        page.split('data-testid="previous-to-confirm"')[1].split("</div>")[0] if "previous-to-confirm" in page else ""
    )


def test_the_notice_counts_last_months_shifts_never_confirmed(june, client):
    with time_machine.travel(on(date(2026, 7, 2), 9), tick=False):
        notice = notice_of(client, june.supervisor)
        report = attendance_report.attendance_report(
            attendance_report.month_shifts(june.supervisor, JUNE), month=JUNE, now=timezone.now()
        )
        listed = client.get(reverse("promoters:attendance-shifts"), {"month": "2026-06", "to_confirm": "true"}, **EN)

    assert "2026-06 still has 6 shifts to confirm." in notice
    assert report.total.to_confirm == 6  # the report's own count of June
    assert listed.context["paginator"].count == 6  # and the shifts the notice's link lists


def test_confirming_one_lowers_the_number_and_the_last_one_ends_the_notice(june, client):
    waiting = Shift.objects.filter(day__month=6, promoter__supervisor=june.supervisor, confirmed_attendance="")
    with time_machine.travel(on(date(2026, 7, 2), 9), tick=False):
        phone_services.attendance_confirm(shift=waiting.order_by("day").first(), by=june.supervisor)
        assert "2026-06 still has 5 shifts to confirm." in notice_of(client, june.supervisor)

        phone_services.attendance_confirm_many(shifts=list(waiting), by=june.supervisor)
        assert notice_of(client, june.supervisor) == ""


def test_another_supervisor_counts_only_their_own(june, client):
    with time_machine.travel(on(date(2026, 7, 2), 9), tick=False):
        theirs = Shift.objects.get(day=date(2026, 6, 10)).promoter.supervisor
        assert "2026-06 still has 1 shift to confirm." in notice_of(client, theirs)


def test_the_notice_is_one_count_of_last_month(june, client):
    """Last month's shifts are counted by the database, not read one by one to build its report: one query reads
    June, a COUNT, however many shifts June holds."""
    client.force_login(june.supervisor)
    with time_machine.travel(on(date(2026, 7, 2), 9), tick=False):
        for _n in range(60):
            ShiftFactory(promoter=PromoterFactory(supervisor=june.supervisor), store=june.store, day=date(2026, 6, 20))
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("promoters:attendance"), **EN).content.decode()

    assert "2026-06 still has 66 shifts to confirm." in page
    june_read = [query["sql"] for query in queries.captured_queries if "2026-06-30" in query["sql"]]
    assert len(june_read) == 1 and "COUNT(" in june_read[0].upper()
