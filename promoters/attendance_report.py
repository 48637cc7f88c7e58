"""The attendance report (issue 16): per promoter and per store for a month, shifts planned against shifts
attended, and how many were late, left early, absent or checked in off site, and whose check-in was sent late, and
the shifts running late with no check-in now (a supervisor's call to make today) —
each shift read by promoters/attendance.py (the supervisor's confirmation where given). Read by the page, the API
and the export."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal.errors import DomainError
from ka_portal.months import FIRST, LAST, NOT_A_MONTH, OUTSIDE, MonthOutOfRange
from ka_portal.months import parse_month as read_month
from ka_portal.scope import shifts_for

from . import attendance


def parse_month(text: str | None) -> date:
    """`YYYY-MM` → the month's first day; blank → this month. Anything else is refused naming the field: a month
    written right but outside the months the portal holds (1999-01) as such, with the range (ka_portal/months.py,
    as every other month box and report says it), anything else as not a month, repeating what was typed."""
    try:
        month = read_month(text)
    except MonthOutOfRange as error:
        value = str(text).strip()
        raise DomainError("month.out_of_range", OUTSIDE, field="month", value=value, first=FIRST, last=LAST) from error
    except ValueError as error:
        value = str(text).strip()
        raise DomainError("attendance.month_invalid", NOT_A_MONTH, field="month", value=value) from error
    return month or timezone.localdate().replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def listed_shifts(user):
    """The user's shifts as the report and its list read them: by day and start, with who and where."""
    return (
        shifts_for(user)
        .select_related("promoter", "store", "confirmed_by")
        .order_by("day", "starts_at", "promoter__code")
    )


def sent_late(shifts, value: bool, *, limits: attendance.Limits | None = None):
    """The shifts whose reading says "sent late" (`value` true), or the others: a check-in received more than
    Limits.sent_late_hours after the phone's time (promoters/attendance.py `_arrival`), as a query, so the list, its
    export and the API filter on what each shift shows. A shift without a check-in was not sent late."""
    hours = (limits or attendance.Limits.from_settings()).sent_late_hours
    late = Q(check_in_received_at__gt=F("checked_in_at") + timedelta(hours=hours))
    return shifts.filter(late) if value else shifts.exclude(late)


def not_checked_in(shifts, value: bool, *, now: datetime | None = None, limits: attendance.Limits | None = None):
    """The shifts reading "late, not checked in" as of `now` (`value` true), or the others: started more than
    Limits.late_after_minutes ago (attendance.late_if_started_before), not ended, no check-in, not confirmed — as a
    query, so the attendance list, its export and the API filter on what each shift shows."""
    now = timezone.localtime(now or timezone.now())
    started_before = timezone.localtime(
        attendance.late_if_started_before(now, limits or attendance.Limits.from_settings())
    )
    if started_before.date() != now.date():  # so near midnight nothing of today is late yet (no shift spans midnight)
        running_late = Q(pk__in=[])
    else:
        running_late = Q(
            day=now.date(),
            starts_at__lt=started_before.time(),
            ends_at__gt=now.time(),
            checked_in_at__isnull=True,
            confirmed_attendance="",
        )
    return shifts.filter(running_late) if value else shifts.exclude(running_late)


def month_shifts(user, month: date):
    return listed_shifts(user).filter(day__gte=month, day__lte=month_end(month))


def to_confirm(shifts, value: bool, *, now: datetime | None = None):
    """The shifts the report counts "to confirm" as of `now` (`value` true), or the others: ended (attendance.
    shift_bounds: the day and end in the site's zone) and not confirmed (no confirmed reading) — as a query, so the
    attendance list, its export, the API and the page's notice of last month count what the report counts."""
    now = timezone.localtime(now or timezone.now())
    ended = Q(day__lt=now.date()) | Q(day=now.date(), ends_at__lte=now.time())
    pending = ended & Q(confirmed_attendance="")
    return shifts.filter(pending) if value else shifts.exclude(pending)


def to_confirm_count(user, month: date, *, now: datetime | None = None) -> int:
    """How many of the user's shifts of `month` are still to confirm: the report's total `to_confirm`, counted by
    the database (the page opened on a new month says last month's without reading its whole report)."""
    return to_confirm(month_shifts(user, month).order_by(), True, now=now).count()


@dataclass
class Row:
    """One promoter's (or store's) month."""

    key: object  # the promoter or the store
    planned: int = 0
    attended: int = 0  # worked, whatever the lateness
    on_time: int = 0
    late: int = 0
    left_early: int = 0
    absent: int = 0
    not_checked_in: int = 0  # running now, late, no check-in (not absent: the shift has not ended)
    off_site: int = 0
    sent_late: int = 0  # checked in with a phone time long before the check-in reached the server
    leave: int = 0
    to_come: int = 0  # not yet ended
    confirmed: int = 0
    to_confirm: int = 0  # ended, not yet confirmed (a check-out before the end waits for the end)
    readings: list = field(default_factory=list, repr=False)

    @property
    def figures(self) -> list[tuple[str, str, int]]:
        """The counts a page shows, in COUNTS's order: (name, label, value)."""
        return [(name, label, getattr(self, name)) for name, label in COUNTS]

    def add(self, reading: attendance.Reading) -> None:
        self.planned += 1
        status = reading.status
        self.attended += reading.worked
        self.on_time += status == attendance.ATTENDED
        # one reading of a shift, as the appraisal counts it: the counts overlap (attendance.Reading.counts_late)
        self.late += reading.counts_late
        self.left_early += reading.counts_early
        self.absent += status == attendance.ABSENT
        self.not_checked_in += status == attendance.LATE_NO_CHECK_IN
        self.off_site += status == attendance.OFF_SITE
        self.sent_late += reading.sent_late
        self.leave += status == attendance.LEAVE
        self.to_come += not reading.is_final
        self.confirmed += reading.confirmed
        self.to_confirm += reading.confirmable and not reading.confirmed


@dataclass
class Report:
    month: date
    by_promoter: list[Row]
    by_store: list[Row]
    total: Row


def attendance_report(shifts, *, month: date, now: datetime | None = None) -> Report:
    """Per promoter and per store, from the month's shifts (already scoped)."""
    now = now or timezone.now()
    limits = attendance.Limits.from_settings()
    promoters: dict[int, Row] = {}
    stores: dict[int, Row] = {}
    total = Row(key=None)
    for shift in shifts:
        reading = attendance.reading(shift, now=now, limits=limits)
        promoters.setdefault(shift.promoter_id, Row(key=shift.promoter)).add(reading)
        stores.setdefault(shift.store_id, Row(key=shift.store)).add(reading)
        total.add(reading)
    return Report(
        month=month,
        by_promoter=sorted(promoters.values(), key=lambda row: row.key.code),
        by_store=sorted(stores.values(), key=lambda row: row.key.code),
        total=total,
    )


COUNTS = (
    ("planned", _("Planned")),
    ("attended", _("Attended")),
    ("late", _("Late")),
    ("left_early", _("Left early")),
    ("absent", _("Absent")),
    ("not_checked_in", attendance.LABELS[attendance.LATE_NO_CHECK_IN]),
    ("off_site", _("Off site")),
    ("sent_late", _("Sent late")),
    ("leave", _("On leave")),
    ("to_confirm", _("To confirm")),
)
