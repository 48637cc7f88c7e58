"""The visits app's small rules that several doors share: pure checks that raise DomainError, no database.

The services call them before writing; the admin forms call the same functions to show the same message next
to the field (visits/admin.py). Larger rules have their own modules: rating.py, completeness.py, routing.py.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal.bounds import check_text_length
from ka_portal.errors import DomainConflict, DomainError

from .routing import WORKING_DAYS

REASON_MAX_LENGTH = 1000
# A phone's clock may run a little ahead of the server's: a time at most this far ahead is taken as the server's now.
CLOCK_SKEW = timedelta(minutes=5)


def check_week_start(week_start: date) -> None:
    """A route week starts on a Monday."""
    if week_start.weekday() != 0:
        raise DomainError("route.week_start", _("A route week starts on a Monday."), field="week_start")


def check_route_day(day: int) -> None:
    """A route stop falls on a working day: Monday (0) to Saturday (5)."""
    if not 0 <= day < WORKING_DAYS:
        raise DomainError("route.day", _("Choose a day from Monday to Saturday."), field="day")


def route_day_date(week_start: date, day: int) -> date:
    """The date of a route day: the week's Monday plus the day (0 = Monday … 5 = Saturday)."""
    return week_start + timedelta(days=day)


def check_route_day_open(week_start: date, day: int, *, today: date) -> None:
    """A route day that has passed (before `today`, Asia/Shanghai) is the record of the week: its stops, visited or
    missed, are what route compliance counts, so none is added to it, moved into or out of it, or removed from it.
    Today and the days after stay open."""
    on = route_day_date(week_start, day)
    if on < today:
        raise DomainError(
            "route.day_passed",
            _(
                "%(date)s has passed: its stops, visited or missed, are the record of the week and can no longer be "
                "added, moved or removed."
            ),
            field="day",
            date=on.isoformat(),
        )


def check_route_stop(*, stop: int, stop_store: str, store: str, stop_on: date, day: date, visit: int | None) -> None:
    """A check-in names a route stop of the rep's (the caller finds it: another's is not found) that is at the
    store checked in at (`stop_store`, `store`: their codes), planned for the check-in's day (`stop_on`, `day`:
    Asia/Shanghai) and not visited yet (`visit`: the visit it has, if any): otherwise the stop would count as
    visited by a visit elsewhere or on another day, or count one visit twice, in the route's compliance."""
    if stop_store != store:
        raise DomainError(
            "visit.route_stop_store",
            _("Route stop %(stop)s is at store %(stop_store)s, not at %(store)s: check in there, or here without it."),
            field="route_stop",
            stop=stop,
            stop_store=stop_store,
            store=store,
        )
    if stop_on != day:
        raise DomainError(
            "visit.route_stop_day",
            _("Route stop %(stop)s is planned for %(date)s, not for %(day)s: a route stop is visited on its day."),
            field="route_stop",
            stop=stop,
            date=stop_on.isoformat(),
            day=day.isoformat(),
        )
    if visit is not None:
        raise DomainConflict(
            "visit.route_stop_visited",
            _("Route stop %(stop)s has a visit already (visit %(visit)s): check in without it, or carry on with that "
              "visit."),
            field="route_stop",
            stop=stop,
            visit=visit,
        )  # fmt: skip


def check_route_week_open(week_start: date, *, today: date) -> None:
    """A week whose every working day has passed is not generated: there is nothing left to plan in it (and a
    regenerate would rewrite its record)."""
    if route_day_date(week_start, WORKING_DAYS - 1) < today:
        raise DomainError(
            "route.week_passed",
            _("The week of %(week_start)s has passed: routes are planned for today and the days after."),
            field="week_start",
            week_start=week_start.isoformat(),
        )


def check_route_week_kept(week_start: date, *, today: date) -> None:
    """A week whose every working day has passed stays published: route compliance counts published weeks only, so
    taking one back to draft would drop its missed stops from the figures (by anyone, the supervisor too)."""
    if route_day_date(week_start, WORKING_DAYS - 1) < today:
        raise DomainError(
            "route.week_record",
            _(
                "The week of %(week_start)s has passed: its published plan is the record route compliance counts, "
                "so it stays published."
            ),
            week_start=week_start.isoformat(),
        )


def task_title(title: str) -> str:
    """A task says what is to be done: the title, trimmed; refused when empty."""
    title = (title or "").strip()
    if not title:
        raise DomainError("task.title", _("Say what is to be done."), field="title")
    return title


def task_due_on(due_on: date, *, today: date, was: date | None = None) -> None:
    """A task is due today or later (today in the site's zone, Asia/Shanghai): one given a day already past is overdue
    the moment it is saved. An existing task keeps the due day it has (`was`) when its other fields change, even if
    that day has passed since: only a new or changed due day must not be in the past."""
    if due_on is None or due_on >= today or (was is not None and due_on == was):
        return
    raise DomainError(
        "task.due_in_past",
        _("Due on %(due_on)s is already past: give today (%(today)s) or a later day."),
        field="due_on",
        due_on=due_on.isoformat(),
        today=today.isoformat(),
    )


def task_still_open(*, title: str, status: str, deleting: bool = False) -> None:
    """A task is corrected (what it asks, by when) or deleted only while it is open: once reported done or not done,
    the report answers what the task asked then, and stays on record with it."""
    if status == "open":
        return
    if deleting:
        message = _("Task “%(title)s” has already been reported done or not done: it can no longer be deleted.")
    else:
        message = _(
            "Task “%(title)s” has already been reported done or not done: what it asks can no longer be changed."
        )
    raise DomainError("task.reported", message, title=title, status=status)


def task_report_comment(*, done: bool, comment: str) -> str:
    """The comment of a task report, trimmed: a task not done needs the reason."""
    comment = (comment or "").strip()
    if not done and not comment:
        raise DomainError("task.reason_required", _("Say why the task was not done."), field="comment")
    return comment


def checkout_reason(reason: str | None) -> str:
    """A reason for an incomplete check-out, trimmed, at most REASON_MAX_LENGTH characters."""
    return check_text_length(reason, limit=REASON_MAX_LENGTH, code="visit.reason_too_long", field="checkout_reason")


def check_once_each(keys: list[str], *, list_field: str, key_field: str, code: str, message) -> None:
    """The rows of a list sent whole (a visit's stock counts, its checklist answers) name each product or item once:
    a second row for the same one would silently replace the first, so it is refused, naming the row and the key
    (`message` takes it as %(<key_field>)s)."""
    seen = set()
    for index, key in enumerate(keys):
        if key in seen:
            raise DomainError(code, message, field=f"{list_field}.{index}.{key_field}", **{key_field: key})
        seen.add(key)


@dataclass(frozen=True)
class PhoneTimeRefusals:
    """How phone_time says no, in the words of the record the time dates (a visit's, a promoter's shift's): the
    codes, and the messages (`ahead` takes %(time)s and %(now)s; `too_old` also %(hours)s)."""

    ahead_code: str
    ahead: str
    too_old_code: str
    too_old: str


VISIT_TIME = PhoneTimeRefusals(
    "visit.time_ahead",
    _("The time %(time)s is ahead of the server's clock (%(now)s): check the phone's date and time."),
    "visit.time_too_old",
    _(
        "The time %(time)s is more than %(hours)s hours before it reached the server (%(now)s): a visit is "
        "recorded within %(hours)s hours of when it happened."
    ),
)


def phone_time(
    at: datetime | None, *, now: datetime, max_hours: int, field: str, refusals: PhoneTimeRefusals = VISIT_TIME
) -> datetime:
    """A time as the phone recorded it (a visit's or a promoter's check-in or check-out made offline and sent when
    the network returned, or an API client syncing late), as kept; `now` (no time given) when the phone sent none.

    Some lateness is normal, so the time is kept, but at most `max_hours` before the server receives it
    (settings.KA.visit_sync_max_hours): an older one would date a visit into a day already reported (a missed route
    stop filled in afterwards) and is refused. A time ahead of the server's clock by more than CLOCK_SKEW is a phone
    set wrong, refused rather than quietly taken as now; within it, it is now. `refusals`: the codes and messages,
    the visit's by default."""
    if at is None:
        return now
    if at > now + CLOCK_SKEW:
        raise DomainError(refusals.ahead_code, refusals.ahead, field=field, time=_local(at), now=_local(now))
    if at < now - timedelta(hours=max_hours):
        raise DomainError(
            refusals.too_old_code, refusals.too_old, field=field, time=_local(at), now=_local(now), hours=max_hours
        )
    return min(at, now)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class CheckOutTime:
    """A check-out's times as kept: `checked_out_at`, what it is (`kind`: a Visit.CheckoutTime value) and, for a
    check-out that is not the time of leaving, when it was made (`entered_at`)."""

    checked_out_at: datetime
    kind: str
    entered_at: datetime | None = None


def check_out_time(*, checked_in_at: datetime, at: datetime, left_at: datetime | None = None) -> CheckOutTime:
    """When a visit ended, from the check-out made at `at` (the phone's time of tapping Check out, or now) and the
    time of leaving the rep may give (`left_at`).

    A check-out on the check-in's day (Asia/Shanghai) is the visit's end, as it always was: a queued one keeps the
    time it was tapped, however late it is sent. One made on a later day (the rep forgot, and noticed the next
    morning) is not: the visit did not last the night. With the time the rep gives it ends then ("stated"); without
    one it is kept as not checked out ("none"): closed at `at`, with no time in the store, rather than a made-up one.
    A time of leaving lies between the check-in (its minute) and the end of the check-in's day, and not after the
    check-out itself; it may be given on the day too (left at 17:30, checked out in the car at 18:00)."""
    day_in = timezone.localtime(checked_in_at).date()
    end_of_day = timezone.make_aware(datetime.combine(day_in + timedelta(days=1), datetime.min.time()))
    if left_at is not None:
        left_at = left_at.replace(second=0, microsecond=0)  # a time of leaving is a minute (23:59:30 is 23:59)
        earliest = checked_in_at.replace(second=0, microsecond=0)
        latest = max(min(at, end_of_day - timedelta(minutes=1)), earliest)
        if not earliest <= left_at <= latest:
            raise DomainError(
                "visit.left_at_out_of_range",
                _("The time you left must be between %(earliest)s (the check-in) and %(latest)s."),
                field="left_at",
                left_at=_local(left_at),
                earliest=_local(earliest),
                latest=_local(latest),
            )
        left_at = max(left_at, checked_in_at)
        if left_at >= at.replace(second=0, microsecond=0):  # the minute of the check-out itself: nothing to state
            return CheckOutTime(at, "recorded")
        return CheckOutTime(left_at, "stated", entered_at=at)
    if at >= end_of_day:
        return CheckOutTime(at, "none", entered_at=at)
    return CheckOutTime(at, "recorded")
