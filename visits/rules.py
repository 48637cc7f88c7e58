"""The visits app's small rules that several doors share: pure checks that raise DomainError, no database.

The services call them before writing; the admin forms call the same functions to show the same message next
to the field (visits/admin.py). Larger rules have their own modules: rating.py, completeness.py, routing.py.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal.bounds import check_text_length
from ka_portal.errors import DomainError

from .routing import WORKING_DAYS

REASON_MAX_LENGTH = 1000


def check_week_start(week_start: date) -> None:
    """A route week starts on a Monday."""
    if week_start.weekday() != 0:
        raise DomainError("route.week_start", _("A route week starts on a Monday."), field="week_start")


def check_route_day(day: int) -> None:
    """A route stop falls on a working day: Monday (0) to Saturday (5)."""
    if not 0 <= day < WORKING_DAYS:
        raise DomainError("route.day", _("Choose a day from Monday to Saturday."), field="day")


def task_title(title: str) -> str:
    """A task says what is to be done: the title, trimmed; refused when empty."""
    title = (title or "").strip()
    if not title:
        raise DomainError("task.title", _("Say what is to be done."), field="title")
    return title


def task_report_comment(*, done: bool, comment: str) -> str:
    """The comment of a task report, trimmed: a task not done needs the reason."""
    comment = (comment or "").strip()
    if not done and not comment:
        raise DomainError("task.reason_required", _("Say why the task was not done."), field="comment")
    return comment


def checkout_reason(reason: str | None) -> str:
    """A reason for an incomplete check-out, trimmed, at most REASON_MAX_LENGTH characters."""
    return check_text_length(reason, limit=REASON_MAX_LENGTH, code="visit.reason_too_long", field="checkout_reason")


def client_time(at: datetime | None) -> datetime | None:
    """A time the phone recorded (a check-in or check-out made offline, sent when the network returned), as kept:
    one ahead of the server's clock is taken as now (a phone's clock set wrong never dates a visit ahead)."""
    if at is None:
        return None
    return min(at, timezone.now())
