"""Display agreements (陈列协议): the pure rules, no database — what a valid agreement is, when a visit counts
as evidence for one, its status, and how generated agreements are cut from their sources.

Used by evidence/agreements.py (services, the set-based evaluation), the pages, the API and the admin alike.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext_lazy as _

from ka_portal.errors import DomainError

from .models import DisplayAgreement, DisplayKind

Status = DisplayAgreement.Status

# contracts.Deduction.Kind → the agreement kinds a deduction of that kind claims (issue 13 item 2): "tg" is the
# chain's word for end caps; a generic display fee covers every in-store display but the end cap. DM slots are
# flyers, not displays in the store: no agreement backs a DM deduction.
DEDUCTION_AGREEMENT_KINDS: dict[str, tuple[str, ...]] = {
    "tg": (DisplayKind.END_CAP,),
    "display": (DisplayKind.FLOOR_STACK, DisplayKind.FACINGS, DisplayKind.COLD_CASE, DisplayKind.OTHER),
}

# Kinds an agreement may have: a DM slot is a flyer, so not an in-store display one can photograph at the store.
AGREEMENT_KINDS = [choice for choice in DisplayKind.choices if choice[0] != DisplayKind.DM]


FACINGS_MAX = 500  # the model's bounds (DisplayAgreement.facings, .evidence_visits)
EVIDENCE_VISITS_MAX = 100


def agreement_problems(
    *, kind: str, facings: int | None, start_on: date | None, end_on: date | None, fee, evidence_visits
) -> list[DomainError]:
    """Every reason an agreement cannot be, one per field, in the form's order (none: it may be): its kind, the
    facings count (required for FACINGS and only there), the period's order, the fee (given, not negative), the
    evidence quota (1 to 100 visits). A form marks them all at once; a service raises the first
    (`check_agreement`)."""
    problems = []
    if kind not in {value for value, _label in AGREEMENT_KINDS}:
        problems.append(DomainError("agreement.kind", _("Choose the display: end cap, floor stack, facings, cold "
                                                        "case or other."), field="kind"))  # fmt: skip
    elif kind == DisplayKind.FACINGS and not facings:
        problems.append(
            DomainError(
                "agreement.facings_required", _("Give the number of facings agreed for shelf facings."), field="facings"
            )
        )
    elif kind != DisplayKind.FACINGS and facings:
        problems.append(
            DomainError(
                "agreement.facings_only_for_facings",
                _("A facings count is only for shelf facings: leave it empty for %(kind)s."),
                field="facings",
                kind=DisplayKind(kind).label,
            )
        )
    elif facings and not 1 <= int(facings) <= FACINGS_MAX:
        problems.append(
            DomainError(
                "agreement.facings_range",
                _("Facings are between 1 and %(max)s; %(value)s is not."),
                field="facings",
                max=FACINGS_MAX,
                value=facings,
            )
        )
    if start_on and end_on and end_on < start_on:
        problems.append(
            DomainError(
                "agreement.period",
                _("The period ends (%(end)s) before it starts (%(start)s)."),
                field="end_on",
                start=start_on.isoformat(),
                end=end_on.isoformat(),
            )
        )
    if fee is None:
        problems.append(
            DomainError("agreement.fee_required", _("Give the fee (0 when the display is free)."), field="fee")
        )
    elif Decimal(fee) < 0:
        problems.append(DomainError("agreement.fee_negative", _("The fee cannot be negative."), field="fee"))
    if evidence_visits is None or int(evidence_visits) < 1:
        problems.append(
            DomainError(
                "agreement.evidence_visits",
                _("At least one visit with a photo is required as evidence."),
                field="evidence_visits",
            )
        )
    elif int(evidence_visits) > EVIDENCE_VISITS_MAX:
        problems.append(
            DomainError(
                "agreement.evidence_visits_max",
                _("At most %(max)s visits with a photo can be required; %(value)s is more."),
                field="evidence_visits",
                max=EVIDENCE_VISITS_MAX,
                value=evidence_visits,
            )
        )
    return problems


def refuse(problems: list[DomainError]) -> None:
    """Raise the first of the problems, all of them riding along (``problems``: a page marks every field; the API
    lists them under ``errors``, by field)."""
    if not problems:
        return
    first = problems[0]
    first.problems = problems
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field or "non_field_errors", []).append(problem.detail)
    first.extra = {"errors": errors}
    raise first


def check_agreement(
    *, kind: str, facings: int | None, start_on: date | None, end_on: date | None, fee, evidence_visits
) -> None:
    """Refuse an agreement that cannot be (`agreement_problems`): the first reason raised, all of them with it."""
    refuse(
        agreement_problems(
            kind=kind, facings=facings, start_on=start_on, end_on=end_on, fee=fee, evidence_visits=evidence_visits
        )
    )


# --- when a visit counts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitEvidence:
    """What one visit's check of an agreement shows (read from the visit, its check and the check's photo)."""

    visit_day: date  # the check-in's local date
    checked_in_at: datetime
    checked_out_at: datetime | None
    has_position: bool
    far_from_store: bool
    distance_m: int | None
    present: bool
    facings_seen: int | None
    has_photo: bool
    photo_of_this_visit: bool
    photo_taken_at: datetime | None
    photo_uploaded_at: datetime | None
    # A supervisor confirmed a fraud signal of this visit (any kind: a reused photo, a check-in far away, a visit
    # left open overnight…): what it shows is not evidence. An open signal does not withdraw it (not yet judged).
    fraud_confirmed: bool = False


# Why a visit does not count, by code (the detail page and the API show these).
REASONS = {
    "outside_period": _("Outside the agreement's period"),
    "fraud_confirmed": _("Withdrawn: a supervisor confirmed a fraud signal of this visit"),
    "store_left": _("The store had left the chain by then"),
    "not_checked_out": _("Visit not checked out yet"),
    "no_position": _("Checked in without a position"),
    "far": _("Checked in far from the store"),
    "not_present": _("Display not in place"),
    "no_photo": _("No photo of the display"),
    "photo_outside_visit": _("Photo taken outside the visit"),
    "facings_short": _("Fewer facings than agreed"),
}


def evidence_problem(
    evidence: VisitEvidence,
    *,
    start_on: date,
    end_on: date,
    facings_agreed: int | None,
    max_distance_m: int,
    store_left_at: datetime | None = None,
) -> str | None:
    """None when the visit counts as evidence for the agreement, else the first reason it does not (a code of
    REASONS).

    A visit a supervisor confirmed a fraud signal of is withdrawn, whatever else it shows. Signals are the one
    judgement of how a visit was done: a visit checked out the next day (offline, or left open) counts like any
    other while its long-visit signal waits, and is withdrawn once a supervisor confirms it — as a short visit, a
    reused photo or a check-in far away. A store agreement's visits from the moment its store left the chain
    (``store_left_at``) are the new chain's store's, not evidence for this one.

    The photo rule: the photo must be of this visit and taken during it — between check-in and check-out by the
    camera's time (EXIF, ``taken_at``) when the file has one; without a camera time, uploaded between check-in
    and check-out (``uploaded_at``). A visit still open does not count yet (its end is not known)."""
    if not start_on <= evidence.visit_day <= end_on:
        return "outside_period"
    if evidence.fraud_confirmed:
        return "fraud_confirmed"
    if store_left_at is not None and evidence.checked_in_at >= store_left_at:
        return "store_left"
    if evidence.checked_out_at is None:
        return "not_checked_out"
    if not evidence.has_position:
        return "no_position"
    if evidence.far_from_store or (evidence.distance_m is not None and evidence.distance_m > max_distance_m):
        return "far"
    if not evidence.present:
        return "not_present"
    if not evidence.has_photo or not evidence.photo_of_this_visit:
        return "no_photo"
    moment = evidence.photo_taken_at or evidence.photo_uploaded_at
    if moment is None or not evidence.checked_in_at <= moment <= evidence.checked_out_at:
        return "photo_outside_visit"
    if facings_agreed and (evidence.facings_seen or 0) < facings_agreed:
        return "facings_short"
    return None


def status_for(*, evidenced: int, required: int, end_on: date, today: date) -> str:
    """Payable once the quota is met (even before the period ends); not evidenced once the period has ended
    without it; collecting evidence before."""
    if evidenced >= required:
        return Status.PAYABLE
    if today > end_on:
        return Status.NOT_EVIDENCED
    return Status.OPEN


def chain_evidenced(per_store: dict[int, int], store_ids) -> int:
    """A chain-wide agreement's evidenced visits: the fewest of any of the chain's active stores (each store must
    meet the quota); 0 for a chain without active stores."""
    counts = [per_store.get(store_id, 0) for store_id in store_ids]
    return min(counts) if counts else 0


# --- months: closed months and the month a fee counts in ------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def months_touched(start_on: date, end_on: date) -> list[date]:
    """The first days of the months a period touches, in order."""
    months, month = [], month_of(start_on)
    while month <= end_on:
        months.append(month)
        month = _add_months(month, 1)
    return months


def payable_month(start_on: date) -> date:
    """The month an agreement's fee counts in: the month its period starts. A chain bills a display fee for its
    period (档期) once, when the display goes up, and the trade-spend ledger accrues it so (a plan's TG fee in the
    plan's start month, a fixed term's fee in the month it falls due, which is its agreement's first month); a
    share by days would give a month cents no chain bills and disagree with the ledger."""
    return month_of(start_on)


def months_changed(before: tuple[date, date] | None, after: tuple[date, date] | None, *, whole: bool) -> list[date]:
    """The months whose agreements an agreement written changes: none before (made), none after (deleted), or a
    change of ``before`` → ``after`` (periods). ``whole``: what the agreement is changed in its whole period (its
    fee, display, store, chain or quota: every month of both periods); else only its period moved, which changes the
    months whose days it covers differ (ending it earlier leaves the months it still covers as they were) and, where
    it starts in another month, the months its fee leaves and comes to (payable_month)."""
    periods = [period for period in (before, after) if period is not None]
    months = sorted({month for start, end in periods for month in months_touched(start, end)})
    if whole or before is None or after is None:
        return months

    def days_in(period, month):
        following = _add_months(month, 1)
        return max(period[0], month), min(period[1], following - timedelta(days=1))

    moved_fee = {payable_month(before[0]), payable_month(after[0])}
    if len(moved_fee) == 1:
        moved_fee = set()  # its fee stays where it was
    return [month for month in months if days_in(before, month) != days_in(after, month) or month in moved_fee]


# --- generated agreements ---------------------------------------------------------------------------------------


def to_cents(amount: Decimal) -> int:
    """An amount in whole cents, any fraction of a cent dropped."""
    return int((Decimal(amount) * 100).to_integral_value(rounding=ROUND_DOWN))


def split_cents(cents: int, parts: int) -> list[int]:
    """`cents` cut into `parts` whole shares that add up to it (the first shares take the odd cents)."""
    if parts <= 0:
        return []
    share, rest = divmod(cents, parts)
    return [share + 1] * rest + [share] * (parts - rest)


def split_fee(total: Decimal, parts: int) -> list[Decimal]:
    """A fee cut into `parts` shares to the cent that add up to it (the first shares take the odd cents)."""
    if parts <= 0:
        return []
    share, rest = divmod(to_cents(total), parts)
    # two values, each made once: a chain's fee is split over its hundreds of stores
    return [Decimal(share + 1) / 100] * rest + [Decimal(share) / 100] * (parts - rest)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def term_period_key(term_id: int, first: date, period: str) -> str:
    """The natural key of the agreement for a term's period starting ``first``: the term and the calendar month,
    quarter or year it pays for, or the term alone for a one-off fee (one agreement for its whole validity). Not
    the day the period starts: when the term's validity moves, its first period is the same agreement, moved, and
    keeps the visits that checked it."""
    step = {"month": 1, "quarter": 3, "year": 12}.get(period)
    if step is None:
        return f"term:{term_id}"
    calendar = date(first.year, step * ((first.month - 1) // step) + 1, 1)
    return f"term:{term_id}:{calendar:%Y%m%d}"


def term_periods(valid_from: date, valid_to: date, period: str) -> list[tuple[date, date]]:
    """The periods a fixed fee term pays for, each one agreement: calendar months, quarters or years that the
    validity touches (cut to the validity), or the whole validity for a one-off fee."""
    step = {"month": 1, "quarter": 3, "year": 12}.get(period)
    if step is None:
        return [(valid_from, valid_to)]
    if step == 1:
        first = valid_from.replace(day=1)
    elif step == 3:
        first = date(valid_from.year, 3 * ((valid_from.month - 1) // 3) + 1, 1)
    else:
        first = date(valid_from.year, 1, 1)
    periods = []
    start = first
    while start <= valid_to:
        following = _add_months(start, step)
        periods.append((max(start, valid_from), min(following - timedelta(days=1), valid_to)))
        start = following
    return periods
