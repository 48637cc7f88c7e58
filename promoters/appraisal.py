"""The monthly appraisal (考核) of promoters, read set-based: one row per promoter and month with attendance,
sell-out against target, the display score of visits at their stores, the weighted score and the month's pay.
The page, its Excel (payroll) and the API all render these rows; the rules are promoters/appraisal_rules.py.

    promoter_appraisal(*, promoters, month, now=None) -> list[AppraisalRow]

A fixed number of queries whatever the number of promoters: the promoters, their shifts of the month, their
sell-out of the month (valued in the database), their targets, and the checklist results of the month's visits at
the stores they had shifts at.

A promoter is scored only once a shift of theirs in the month has ended (planned, leave left out): without one
there is nothing they did to score — a promoter who left before the month, or not yet started — and their row has
no score (shown "—", sorted after those scored) rather than a display part of stores they did not work at carried
to the whole score. `on_roster_in` leaves out those not on the roster in the month at all.

- Sell-out value: Σ packs sold × the price the promoter saw, else the listing's shelf price at the shift's store
  (a line with neither counts 0), over the sell-out lines of the promoter's shifts in the month.
- Display score: the month's visits done (checked out) at the stores the promoter had shifts at in the month,
  their checklist items passed ÷ passed or failed. The checklist, not
  the visit's colour: its five items are the shelf itself (products together and facing, tidy, price tags,
  promotion display, stock level) — what a promoter keeps — while the colour also reflects how the rep did the
  visit (short, no position, checked out incomplete), which the promoter does not control.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ka_portal.money import MONEY_TOTAL, ZERO, money_sum
from stores.models import Listing
from visits.models import ChecklistResult

from . import appraisal_rules as rules
from . import attendance
from .models import Promoter, PromoterTarget, SellOutLine, Shift


@dataclass
class AppraisalRow:
    promoter: Promoter
    month: date
    scheduled: int = 0  # every shift of the month, ended or not
    planned: int = 0  # shifts that have ended (approved leave left out): the attendance's denominator
    attended: int = 0
    days_worked: int = 0  # days with a shift attended: what a daily fee pays
    late: int = 0
    early: int = 0
    absent: int = 0
    off_site: int = 0
    leave: int = 0
    # The late and early shifts, listed: (day, store id, store code, the reading's label).
    irregular: list[tuple[date, int, str, str]] = field(default_factory=list)
    sell_out: Decimal = ZERO
    target: Decimal | None = None
    achievement: Decimal | None = None  # % of target, not capped
    checks_passed: int = 0
    checks_failed: int = 0
    parts: dict[str, Decimal | None] = field(default_factory=dict)
    score: Decimal | None = None
    pay: Decimal = ZERO

    @property
    def sell_out_score(self) -> Decimal | None:
        return self.parts.get("sell_out")

    @property
    def attendance_score(self) -> Decimal | None:
        return self.parts.get("attendance")

    @property
    def display_score(self) -> Decimal | None:
        return self.parts.get("display")

    @property
    def paid_by_day(self) -> bool:
        return self.promoter.daily_fee is not None


def month_bounds(month: date) -> tuple[date, date, datetime, datetime]:
    """The month's first and last day, and its start and the next month's start as aware times."""
    last = rules.month_last(month)
    start = timezone.make_aware(datetime.combine(month, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return month, last, start, end


SHIFT_FIELDS = (
    "id", "promoter_id", "store_id", "store__code", "day", "starts_at", "ends_at", "checked_in_at",
    "checked_out_at", "check_in_distance_m", "check_in_received_at", "confirmed_attendance",
)  # fmt: skip


def sell_out_value():
    """The value of a sell-out line: packs × the price seen, else the shelf price listed at the shift's store."""
    shelf = Listing.objects.filter(store=OuterRef("shift__store"), product=OuterRef("product")).values("shelf_price")
    price = Coalesce(F("price_seen"), Subquery(shelf[:1]), Value(ZERO), output_field=MONEY_TOTAL)
    return ExpressionWrapper(F("units") * price, output_field=MONEY_TOTAL)


def on_roster_in(promoters, month: date):
    """``promoters`` without those off the roster the whole month (ended before it began, or starting after it),
    unless a shift of theirs falls in it."""
    first, last = month, rules.month_last(month)
    on_roster = Q(started_on__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gte=first))
    return promoters.filter(on_roster | Q(pk__in=Shift.objects.filter(day__range=(first, last)).values("promoter_id")))


def promoter_appraisal(*, promoters, month: date, now: datetime | None = None) -> list[AppraisalRow]:
    """The appraisal of each of ``promoters`` (a queryset, already scoped and filtered) for ``month`` (its first
    day), as of ``now`` (default: now; shifts ending later are not counted yet). Rows in the promoters' order."""
    now = now or timezone.now()
    first, last, start, end = month_bounds(month)
    rows = {p.pk: AppraisalRow(promoter=p, month=month) for p in promoters.select_related("supervisor")}
    if not rows:
        return []
    ids = list(rows)

    stores_worked: dict[int, set[int]] = defaultdict(set)
    days_worked: dict[int, set[date]] = defaultdict(set)
    limits = attendance.Limits.from_settings()
    shifts = Shift.objects.filter(promoter_id__in=ids, day__range=(first, last)).values(*SHIFT_FIELDS).order_by()
    for shift in shifts.iterator():
        row, facts = rows[shift["promoter_id"]], _Facts(shift)
        row.scheduled += 1
        stores_worked[row.promoter.pk].add(shift["store_id"])
        reading = attendance.reading(facts, now=now, limits=limits)
        if not reading.is_final or reading.status == attendance.LEAVE:
            row.leave += reading.status == attendance.LEAVE
            continue
        row.planned += 1
        row.attended += reading.worked
        if reading.worked:
            days_worked[row.promoter.pk].add(shift["day"])
        # one reading of a shift, as the attendance report counts it (attendance.Reading.counts_*): a shift late
        # and left early counts in both, one checked in off site and late in both
        row.late += reading.counts_late
        row.early += reading.counts_early
        row.absent += reading.status == attendance.ABSENT
        row.off_site += reading.status == attendance.OFF_SITE
        if reading.counts_late or reading.counts_early:
            row.irregular.append((shift["day"], shift["store_id"], shift["store__code"], reading.label))

    sold = (
        SellOutLine.objects.filter(shift__promoter_id__in=ids, shift__day__range=(first, last))
        .values("shift__promoter_id")
        .annotate(value=money_sum(sell_out_value()))
        .order_by()
        .values_list("shift__promoter_id", "value")
    )
    for promoter_id, value in sold:
        rows[promoter_id].sell_out = (value or ZERO).quantize(rules.CENT)
    targets = PromoterTarget.objects.filter(promoter_id__in=ids, month=month).values_list("promoter_id", "amount")
    for promoter_id, amount in targets:
        rows[promoter_id].target = amount

    checks = _checklist_by_store({s for stores in stores_worked.values() for s in stores}, start, end)

    part_weights = rules.weights()
    for row in rows.values():
        p = row.promoter
        for store_id in stores_worked[p.pk]:
            passed, failed = checks.get(store_id, (0, 0))
            row.checks_passed += passed
            row.checks_failed += failed
        row.irregular.sort(key=lambda shift: (shift[0], shift[2]))
        row.achievement = rules.achievement_percent(row.sell_out, row.target)
        row.parts = {
            "sell_out": rules.sell_out_part(row.sell_out, row.target),
            "attendance": rules.attendance_part(attended=row.attended, planned=row.planned),
            "display": rules.display_part(passed=row.checks_passed, failed=row.checks_failed),
        }
        row.score = rules.weighted_score(row.parts, part_weights) if row.planned else None
        row.days_worked = len(days_worked[p.pk])
        row.pay = rules.month_pay(
            daily_fee=p.daily_fee, monthly_pay=p.monthly_pay, days_worked=row.days_worked,
            started_on=p.started_on, ended_on=p.ended_on, month=month,
        )  # fmt: skip
    return list(rows.values())


def _checklist_by_store(store_ids: set[int], start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """(passed, failed) checklist items per store over the visits done there in [start, end)."""
    if not store_ids:
        return {}
    counted = (
        ChecklistResult.objects.filter(
            visit__store_id__in=store_ids,
            visit__checked_out_at__isnull=False,
            visit__checked_in_at__gte=start,
            visit__checked_in_at__lt=end,
            result__in=(ChecklistResult.Result.PASS, ChecklistResult.Result.FAIL),
        )
        .values("visit__store_id", "result")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("visit__store_id", "result", "n")
    )
    checks: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for store_id, result, n in counted:
        checks[store_id][0 if result == ChecklistResult.Result.PASS else 1] += n
    return {store_id: (passed, failed) for store_id, (passed, failed) in checks.items()}


class _Facts:
    """A shift's values as the attendance reading reads them (attributes, as on a Shift)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


# --- sorting -------------------------------------------------------------------------------------------------

SORTS = ("-score", "score", "code", "name", "-pay", "-achievement")


def sort_rows(rows: list[AppraisalRow], sort: str) -> list[AppraisalRow]:
    """Rows in the order asked (one of SORTS; default the best score first). A row without a score sorts last
    either way; ties by code."""
    if sort not in SORTS:
        sort = "-score"
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key in ("code", "name"):
        return sorted(rows, key=lambda r: (getattr(r.promoter, key), r.promoter.code))
    with_value = [r for r in rows if getattr(r, key) is not None]
    without = [r for r in rows if getattr(r, key) is None]
    with_value.sort(key=lambda r: r.promoter.code)
    with_value.sort(key=lambda r: getattr(r, key), reverse=descending)
    return with_value + sorted(without, key=lambda r: r.promoter.code)
