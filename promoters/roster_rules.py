"""The roster's rules, pure (no database): how a promoter is paid and employed, when they are on the roster, a
shift's times and whether two shifts of one person overlap, and when a shift may no longer be moved.

promoters/roster_services.py calls them for every door (page, API, import, admin); each refusal is a DomainError
with a code, a message naming the field, and its numbers.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from accounts.rules import check_month_amount, check_month_start
from ka_portal.bounds import MONEY_MAX
from ka_portal.errors import DomainError, enforce
from ka_portal.months import YEARS

AGENCY = "agency"  # Promoter.Employer.AGENCY, kept here so the rules import no model


# --- a promoter -------------------------------------------------------------------------------------------------


def check_pay(daily_fee: Decimal | None, monthly_pay: Decimal | None) -> None:
    """Paid by the day worked or by the month: exactly one of the two, neither negative nor beyond a money column."""
    if (daily_fee is None) == (monthly_pay is None):
        raise DomainError(
            "promoter.pay_one",
            _("Give either a daily fee or a monthly pay, not both and not neither."),
            field="daily_fee",
        )
    for field, value, label in (
        ("daily_fee", daily_fee, _("daily fee")),
        ("monthly_pay", monthly_pay, _("monthly pay")),
    ):
        if value is not None and not Decimal(0) <= value <= MONEY_MAX:
            raise DomainError(
                "promoter.pay_out_of_range",
                _("The %(label)s must be between 0 and %(max)s."),
                field=field,
                label=label,
                max=MONEY_MAX,
            )


def check_employer(employer: str | None, agency: str | None) -> None:
    """A promoter employed by an agency names the agency."""
    if employer == AGENCY and not (agency or "").strip():
        raise DomainError("promoter.agency_missing", _("Name the agency that employs this promoter."), field="agency")


def check_period(started_on: date | None, ended_on: date | None) -> None:
    """The last day on the roster is not before the first."""
    if started_on is not None and ended_on is not None and ended_on < started_on:
        raise DomainError(
            "promoter.ends_before_start",
            _("The end (%(end)s) must not be before the start (%(start)s)."),
            field="ended_on",
            end=ended_on.isoformat(),
            start=started_on.isoformat(),
        )


# A roster record's rule: its checks, each with the fields it reads, so a door that knows some fields did not parse
# (an import row) still asks every check whose fields it has, and so lists every problem of the row at once.
PROMOTER_CHECKS = (
    (("daily_fee", "monthly_pay"), lambda values: check_pay(values.get("daily_fee"), values.get("monthly_pay"))),
    (("employer", "agency"), lambda values: check_employer(values.get("employer"), values.get("agency"))),
    (("started_on", "ended_on"), lambda values: check_period(values.get("started_on"), values.get("ended_on"))),
)
PROMOTER = tuple(check for _fields, check in PROMOTER_CHECKS)


def check_promoter(values) -> None:
    """A roster record as it will be stored (a mapping by field name)."""
    enforce(PROMOTER, values)


def on_roster(started_on: date, ended_on: date | None, day: date) -> bool:
    """Whether the promoter works for us on `day`: from the start to the end, both included (no end: open)."""
    return started_on <= day and (ended_on is None or day <= ended_on)


# --- a promoter's monthly target --------------------------------------------------------------------------------


def check_promoter_target(values) -> None:
    """A month's sell-out target: the month's first day, an amount not negative (the store targets' rules)."""
    check_month_start(values.get("month"))
    check_month_amount(values.get("amount"), month=values.get("month"))


# --- a shift ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    """Another shift of the same promoter on the same day, as the overlap rule needs it."""

    starts_at: time
    ends_at: time
    store: str  # how the refusal names its store ("another store" when the user may not see it)


# The days a shift may fall on, and a week be read from: those of the months the portal holds (ka_portal.months.YEARS).
FIRST_DAY, LAST_DAY = date(YEARS[0], 1, 1), date(YEARS[1], 12, 31)


def check_day(day: date) -> None:
    """A shift's day within the portal's years, as its months are: 0226 or 2206 typed for 2026 is a slip, not a day
    anyone plans a promoter for (and one far ahead would never come to be checked in to)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError(
            "shift.day_out_of_range",
            _("%(day)s is outside the days the portal holds: plan a shift from %(first)s to %(last)s."),
            field="day",
            day=day.isoformat(),
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )


def check_times(starts_at: time | None, ends_at: time | None) -> None:
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise DomainError(
            "shift.ends_before_start",
            _("The shift must end after it starts (%(start)s – %(end)s)."),
            field="ends_at",
            start=f"{starts_at:%H:%M}",
            end=f"{ends_at:%H:%M}",
        )


def check_on_roster(started_on: date, ended_on: date | None, day: date) -> None:
    if not on_roster(started_on, ended_on, day):
        raise DomainError(
            "shift.off_roster",
            _("The promoter is not on the roster on %(day)s (from %(start)s to %(end)s)."),
            field="day",
            day=day.isoformat(),
            start=started_on.isoformat(),
            end=ended_on.isoformat() if ended_on else "…",
        )


def overlaps(a_start: time, a_end: time, b_start: time, b_end: time) -> bool:
    """Two spans of one day overlap when each starts before the other ends: 09:00–13:00 and 13:00–18:00 touch,
    they do not overlap."""
    return a_start < b_end and b_start < a_end


def check_no_overlap(starts_at: time, ends_at: time, others: Iterable[Booked]) -> None:
    """One person is in one place at a time: no other shift of the promoter that day overlaps, at any store."""
    for other in sorted(others, key=lambda booked: booked.starts_at):
        if overlaps(starts_at, ends_at, other.starts_at, other.ends_at):
            raise DomainError(
                "shift.overlap",
                _("This overlaps the promoter's shift at %(store)s from %(start)s to %(end)s that day."),
                field="starts_at",
                store=other.store,
                start=f"{other.starts_at:%H:%M}",
                end=f"{other.ends_at:%H:%M}",
            )


def begun(starts: datetime, now: datetime) -> bool:
    """Whether a shift starting at `starts` has begun by `now` (its start reached: from then on its attendance counts,
    check_unlocked)."""
    return starts <= now


def check_not_begun(starts: datetime, now: datetime) -> None:
    """A shift is planned, moved or copied to a time still to come. One whose start has passed would count as absent
    (or late) at once and, being started, could never be moved or deleted again (check_unlocked)."""
    if begun(starts, now):
        raise DomainError(
            "shift.start_passed",
            _(
                "This shift would start on %(day)s at %(start)s, which has already passed: plan shifts before they "
                "start."
            ),
            field="day",
            day=starts.date().isoformat(),
            start=f"{starts:%H:%M}",
        )


def check_store_rostered(store_id: int, rostered: Iterable[int], store_name: str = "") -> None:
    if store_id not in set(rostered):
        raise DomainError(
            "shift.store_not_rostered",
            _("%(store)s is not one of the promoter's stores: add it to the promoter first."),
            field="store",
            store=store_name,
        )


def check_unlocked(
    *,
    checked_in: bool,
    confirmed: bool,
    ended_at: datetime | None = None,
    started_at: datetime | None = None,
    field: str | None = "day",
) -> None:
    """A shift the promoter has checked in to, the supervisor has confirmed, or whose planned start has passed
    (`started_at`, `ended_at`: its start and end, each given once it has passed) is history: never moved or deleted.
    From its start the attendance reads by it (minutes late count from the start; no check-in by the end is an
    absence, which the appraisal and the pay count), so moving or deleting it then would rewrite the promoter's
    record; attendance corrects it instead (an absence is confirmed as leave, not deleted). `field`: where the
    refusal belongs — a move's day, or None for a deletion (the whole shift, no field of it)."""
    if confirmed:
        raise DomainError(
            "shift.locked", _("This shift was confirmed: it can no longer be changed or deleted."), field=field
        )
    if checked_in:
        raise DomainError(
            "shift.locked",
            _("The promoter has checked in to this shift: it can no longer be changed or deleted."),
            field=field,
        )
    if ended_at is not None:
        raise DomainError(
            "shift.ended",
            _(
                "This shift ended on %(day)s at %(end)s: its time, store and promoter can no longer be changed, "
                "nor can it be deleted. Confirm its attendance instead."
            ),
            field=field,
            day=ended_at.date().isoformat(),
            end=f"{ended_at:%H:%M}",
        )
    if started_at is not None:
        raise DomainError(
            "shift.started",
            _(
                "This shift started on %(day)s at %(start)s: its time, store and promoter can no longer be changed, "
                "nor can it be deleted, since its attendance already counts from its start. Once it has ended, "
                "confirm its attendance (as leave if the promoter was excused)."
            ),
            field=field,
            day=started_at.date().isoformat(),
            start=f"{started_at:%H:%M}",
        )


def check_plan_running(*, runs: bool, title: str, day: date) -> None:
    if not runs:
        raise DomainError(
            "shift.plan_not_running",
            _("The promotion “%(plan)s” does not run at this store on %(day)s."),
            field="plan",
            plan=title,
            day=day.isoformat(),
        )
