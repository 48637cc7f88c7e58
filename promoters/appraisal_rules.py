"""The monthly appraisal (考核) and pay of promoters, pure: how a shift reads, the three part scores, the weighted
score and what a promoter is paid for a month. No database; promoters/appraisal.py (the report) and
tradespend/promoter_pay.py (the ledger) both compute from these.

The score (each part 0–100, capped, rounded to 0.1; the weighted score from the rounded parts, rounded to 0.1):

    sell-out part   = min(100, sell-out ÷ target × 100)                       (no target or a target of 0: none)
    attendance part = shifts attended ÷ shifts planned that have ended × 100  (none ended: none)
    display part    = checklist items passed ÷ items passed or failed × 100   (no visit with a result: none)
    score           = Σ weight × part ÷ Σ weight, over the parts that are not none
                      (weights: KA.promoter_weight_sell_out / _attendance / _display, together 1);
                      none until a shift of the month has ended (promoters/appraisal.py)

A part without data (a new promoter with no target yet, a store no rep visited this month) drops out and the
others carry the score in their proportions, rather than pulling it to 0 for something the promoter did not do.

Attendance: attended are the readings ATTENDED, LATE, LEFT_EARLY and LATE_AND_EARLY (late and early still count
as attended, and are listed); ABSENT and OFF_SITE (a check-in away from the store, until the supervisor confirms
otherwise) are not; LEAVE (approved leave) is not planned work and leaves the count altogether.

Pay for a month: paid by the day, the daily fee × the days worked (days with at least one shift attended: two
half-day shifts on one day are one day's fee, not two); paid by the month, the monthly pay × the days of the month
on the roster (started_on to ended_on) ÷ the days of the month. Where a day's fee has to be cut by store or account
(the trade-spend ledger's lines), it is split over that day's attended shifts by their planned hours
(`day_fee_split`), so the parts add up to the day's fee exactly.
"""

from calendar import monthrange
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone

from ka_portal.money import CENT, ZERO

from . import attendance
from .models import Shift

POINT = Decimal("0.1")
HUNDRED = Decimal(100)

Reading = Shift.Attendance
ATTENDED = frozenset({Reading.ATTENDED, Reading.LATE, Reading.LEFT_EARLY, Reading.LATE_AND_EARLY})
LATE = frozenset({Reading.LATE, Reading.LATE_AND_EARLY})
EARLY = frozenset({Reading.LEFT_EARLY, Reading.LATE_AND_EARLY})
NOT_ATTENDED = frozenset({Reading.ABSENT, Reading.OFF_SITE})

# The parts of the score, in the order they are shown, each with its weight's setting.
PARTS = ("sell_out", "attendance", "display")


def shift_reading(shift, *, now: datetime) -> str | None:
    """The reading the appraisal and the pay count: promoters/attendance.py's (the supervisor's confirmed reading
    where set, else computed from the check-in and check-out), once it is final; None before: a planned or running
    shift counts for nothing yet, also one started without a check-in (not absent until it has ended)."""
    reading = attendance.reading(shift, now=now)
    return reading.status if reading.is_final else None


def cut_off(as_of: date) -> datetime:
    """The moment a computation "as of" a day counts shifts up to: the end of that day, or now if earlier."""
    end_of_day = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time.min))
    return min(timezone.now(), end_of_day)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month``'s (negative: before)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_days(month: date) -> int:
    return monthrange(month.year, month.month)[1]


def month_last(month: date) -> date:
    return month.replace(day=month_days(month))


def roster_days(*, started_on: date, ended_on: date | None, month: date) -> int:
    """The days of ``month`` a promoter is on the roster (started_on to ended_on, both included)."""
    first = max(started_on, month)
    last = month_last(month) if ended_on is None else min(ended_on, month_last(month))
    return max((last - first).days + 1, 0)


def monthly_pay_for(*, monthly_pay: Decimal, started_on: date, ended_on: date | None, month: date) -> Decimal:
    """A monthly pay pro-rated by the days of the month on the roster."""
    days = roster_days(started_on=started_on, ended_on=ended_on, month=month)
    return (Decimal(monthly_pay) * days / month_days(month)).quantize(CENT, rounding=ROUND_HALF_UP)


def month_pay(
    *, daily_fee: Decimal | None, monthly_pay: Decimal | None, days_worked: int, started_on, ended_on, month
) -> Decimal:
    """What a promoter is paid for a month: daily fee × days worked (days with a shift attended), or the pro-rated
    monthly pay."""
    if daily_fee is not None:
        return (Decimal(daily_fee) * days_worked).quantize(CENT, rounding=ROUND_HALF_UP)
    return monthly_pay_for(monthly_pay=monthly_pay or ZERO, started_on=started_on, ended_on=ended_on, month=month)


def shift_minutes(starts_at: time, ends_at: time) -> int:
    """A shift's planned length in minutes (0 for a shift that does not run forward)."""
    return max((ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute), 0)


def day_fee_split(daily_fee: Decimal, shifts: Sequence[tuple[object, int]]) -> list[tuple[object, Decimal]]:
    """One day's fee split over that day's attended ``shifts`` ((key, planned minutes), in the order given) by their
    hours, in cents that add up to the fee exactly (split_amount; shifts without length: equal parts)."""
    minutes = {index: length for index, (_key, length) in enumerate(shifts)}
    if not sum(minutes.values()):
        minutes = dict.fromkeys(minutes, 1)
    parts = split_amount(daily_fee, minutes)
    return [(key, parts[index]) for index, (key, _length) in enumerate(shifts)]


def split_amount(amount: Decimal, shares: Mapping) -> dict:
    """``amount`` split in proportion to whole-number ``shares`` (key → count), in cents that add up exactly to
    ``amount``: each key its share rounded down, the cents left over to the largest remainders (ties: key order)."""
    total = sum(shares.values())
    if not total:
        return {}
    cents = int((Decimal(amount) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    exact = {key: Decimal(cents) * count / total for key, count in shares.items()}
    floors = {key: int(value) for key, value in exact.items()}
    left = cents - sum(floors.values())
    for key in sorted(exact, key=lambda k: exact[k] - floors[k], reverse=True)[:left]:
        floors[key] += 1
    return {key: (Decimal(value) / 100).quantize(CENT) for key, value in floors.items()}


def _points(value: Decimal) -> Decimal:
    return min(max(value, Decimal(0)), HUNDRED).quantize(POINT, rounding=ROUND_HALF_UP)


def achievement_percent(sell_out: Decimal, target: Decimal | None) -> Decimal | None:
    """Sell-out as % of target (not capped: 130.0 is 30 % over); None without a target above 0."""
    if not target:
        return None
    return (Decimal(sell_out) * HUNDRED / Decimal(target)).quantize(POINT, rounding=ROUND_HALF_UP)


def sell_out_part(sell_out: Decimal, target: Decimal | None) -> Decimal | None:
    achievement = achievement_percent(sell_out, target)
    return None if achievement is None else _points(achievement)


def attendance_part(*, attended: int, planned: int) -> Decimal | None:
    """Shifts attended ÷ planned shifts that have ended (leave excluded), 0–100."""
    return None if planned <= 0 else _points(Decimal(attended) * HUNDRED / planned)


def display_part(*, passed: int, failed: int) -> Decimal | None:
    """Checklist items passed ÷ items passed or failed (n.a. left out) in the month's visits, 0–100."""
    counted = passed + failed
    return None if counted <= 0 else _points(Decimal(passed) * HUNDRED / counted)


def weights(ka=None) -> dict[str, Decimal]:
    ka = ka or settings.KA
    return {
        "sell_out": ka.promoter_weight_sell_out,
        "attendance": ka.promoter_weight_attendance,
        "display": ka.promoter_weight_display,
    }


def weighted_score(parts: Mapping[str, Decimal | None], part_weights: Mapping[str, Decimal]) -> Decimal | None:
    """Σ weight × part ÷ Σ weight over the parts that have a value; None when none has (or they weigh nothing)."""
    present = [(Decimal(part_weights[name]), value) for name, value in parts.items() if value is not None]
    weight = sum((w for w, _value in present), Decimal(0))
    if not weight:
        return None
    return (sum((w * value for w, value in present), Decimal(0)) / weight).quantize(POINT, rounding=ROUND_HALF_UP)
