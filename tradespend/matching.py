"""Deduction matching (扣款核销, issue 12 item 5): every deduction against the spend lines it pays for.

The interface the rest of trade spend calls (remittances, deduction_record, the nightly job):

    deductions_match(*, deductions=None, account_ids=None) -> MatchSummary
        Match automatically every deduction given (a queryset or list), or every deduction of the accounts
        given, or (both None) every deduction not yet fully matched; sets each one's ``state`` and
        ``matched_amount``. Idempotent: running it again changes nothing.

Finance's hand: deduction_match_add, deduction_match_remove, deduction_not_duplicate — refused (``month.closed``)
for a deduction dated in a closed month, whose unsupported part is frozen in that month's figures: the correction is
an adjustment in an open month; the automatic matching leaves such a deduction as it is. Disputes, recoveries and
write-offs: tradespend/disputes.py.

Matched by hand: once finance adds or removes a match of a deduction (page or API), the deduction is marked
(``MatchedByHand``) and the automatic matching — "Match all automatically", the API's run, the nightly job, a
recorded deduction or remittance, release_unbacked — adds no match to it and flags it no duplicate: it only states it
from the matches it has. Finance's decision holds until they hand it back (deduction_match_automatically: the mark
cleared, its matches by hand released, the deduction matched automatically afresh at once).

How the numbers read: a line's *remaining* is its amount less Σ its matches; a deduction's *unmatched part* is
amount − recovered − matched_amount. A line whose matches exceed it (the ledger lowered it after they were made)
is *over-deducted*: matches are never deleted for it, the line is flagged (``lines_with_matches``) on the
validation sheet and in the API until finance removes or moves a match; so is each deduction matched to it
(``over_deducted_q``, derived when read: the deductions list's filter and column, the API's ``over_deducted``, the
month-close preview's warning).

Released and matched again: a display-fee line the ledger lowered under its automatic matches has them released and
their deductions matched again at once (release_unbacked) — by chain × kind × month, so possibly to another
agreement's line. Each such release is recorded on the deduction (MatchRelease, tradespend/releases.py): the sheet
says from which line to which, when and why; the deductions list (page, Excel, the API's ``moved`` filter) marks
those moved to another line.

Visit evidence (issue 13): a display or TG deduction claiming a month of a display agreement of its account that
is NOT_EVIDENCED (evidence/agreements.py) is not matched automatically and stays unsupported; the validation sheet
says which agreement and how many visits were seen. One query per run for the accounts whose deductions claim a
display; a deduction already matched is not re-opened (finance may remove its match by hand).

Tolerance: a deduction within KA.deduction_match_tolerance (a share of its amount) of one line's remaining is
matched to that line alone. When the line's remaining is slightly smaller, the match takes the remaining and the
deduction still counts as MATCHED with matched_amount = amount − recovered: the difference (matched_amount − Σ its
matches) is shown on the validation sheet as "tolerance difference" and is not an unsupported deduction.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from contracts.models import Deduction
from evidence.agreement_rules import DEDUCTION_AGREEMENT_KINDS
from evidence.agreements import claimed_by, not_evidenced_by_account
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.money import MONEY_TOTAL, ZERO, Money, money_sum, to_money
from ka_portal.scope import user_role

from . import releases, rules
from .models import AccrualLine, ClosedMonth, DeductionMatch, DeductionRecovery, DuplicateClearance, MatchedByHand

State = Deduction.State


@dataclass
class MatchSummary:
    """What one automatic run did: the deductions it looked at by state (count and amount), the matches it made
    and the amount they cover, and how many deductions changed."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(State.values, 0))
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(State.values, ZERO))
    matches_created: int = 0
    matched_now: Decimal = ZERO
    changed: int = 0

    @property
    def deductions(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict:
        return {
            "deductions": self.deductions,
            "changed": self.changed,
            "matches_created": self.matches_created,
            "matched_now": self.matched_now,
            "counts": self.counts,
            "amounts": self.amounts,
        }


def _matched_sum(line_ref) -> Money:
    """Σ matches of a line, as a scalar subquery (so the line rows can still be locked)."""
    sums = (
        DeductionMatch.objects.filter(line=line_ref).values("line").annotate(total=money_sum("amount")).values("total")
    )
    return Money(Coalesce(Subquery(sums[:1]), Value(ZERO), output_field=MONEY_TOTAL))


def matched_above(amount: Decimal, deducted: Decimal) -> Decimal:
    """How much a line's matches (``deducted``) exceed what it holds: Σ matches − its amount, a line at or below 0
    holding nothing (a negative adjustment with no match is over nothing; one with matches is over by all of them).
    0.00 when it is not over-deducted. What gross to net counts as unsupported in the line's month."""
    return to_money(max(deducted - max(amount, ZERO), ZERO))


def lines_with_matches(lines: QuerySet) -> QuerySet:
    """Ledger lines with ``deducted`` (Σ matches), ``remaining`` (amount − deducted) and ``over_deducted``
    (matches above what the line holds: the ledger lowered it after they were made). Only matches make a line
    over-deducted: a line at or below 0 that nothing is matched to (a negative adjustment taking spend back) is not,
    though its amount is below its 0.00 deducted (QA: such a line showed as made-up unsupported deductions)."""
    return lines.annotate(deducted=_matched_sum(OuterRef("pk"))).annotate(
        remaining=Money(F("amount") - F("deducted")),
        over_deducted=ExpressionWrapper(
            Q(deducted__gt=F("amount")) & Q(deducted__gt=ZERO), output_field=BooleanField()
        ),
    )


def _over_deducted_matches() -> QuerySet:
    """Matches on a line whose matches now exceed it (the ledger lowered it after they were made): as
    lines_with_matches says, only a line with matches above 0 (a match is above 0, so every match's line is)."""
    return DeductionMatch.objects.annotate(line_deducted=_matched_sum(OuterRef("line"))).filter(
        line__amount__lt=F("line_deducted"), line_deducted__gt=ZERO
    )


def over_deducted_q(*, line_month: date | None = None) -> Exists:
    """Whether a deduction is over-deducted — matched to a line whose matches now exceed it (a display fee lowered or
    not evidenced after the match; gross to net counts the excess as unsupported in the line's month) — as an
    expression over deductions (filter or annotate with it); ``line_month``: to such a line of that month. Derived
    when read, never stored, like settlement.with_settlement: the line's amount and its matches decide it, whoever
    lowered what."""
    matches = _over_deducted_matches().filter(deduction=OuterRef("pk"))
    return Exists(matches.filter(line__month=line_month) if line_month is not None else matches)


def over_deducted_excess(deduction_ids) -> dict[int, Decimal]:
    """How much each of the deductions given is matched above what its lines hold (0.00 for one that is not
    over-deducted): each over-deducted line's excess (Σ its matches − its amount, what gross to net counts as
    unsupported in the line's month) shared among the deductions matched to it in proportion to their matches, in
    cents — the cent the rounding leaves to the largest match — so the shares of a line add up to its excess. Two
    queries, whatever the number of deductions."""
    ids = list(deduction_ids)
    excess: dict[int, Decimal] = dict.fromkeys(ids, ZERO)
    if not ids:
        return excess
    touched = DeductionMatch.objects.filter(deduction_id__in=ids).values("line_id")
    lines = lines_with_matches(AccrualLine.objects.filter(pk__in=touched)).filter(over_deducted=True)
    over = {
        pk: (matched_above(amount, deducted), deducted)
        for pk, amount, deducted in lines.values_list("pk", "amount", "deducted")
    }
    if not over:
        return excess
    matches = (
        DeductionMatch.objects.filter(line_id__in=list(over))
        .order_by("line_id", "-amount", "pk")
        .values_list("line_id", "deduction_id", "amount")
    )
    shares: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for line_id, deduction_id, amount in matches:
        line_excess, deducted = over[line_id]
        share = (line_excess * amount / deducted).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        shares[line_id].append((deduction_id, share))
    for line_id, parts in shares.items():
        left = over[line_id][0] - sum((share for _deduction, share in parts), ZERO)
        first, share = parts[0]  # the largest match takes what the rounding left
        parts[0] = (first, share + left)
        for deduction_id, share in parts:
            if deduction_id in excess:
                excess[deduction_id] += share
    return excess


def with_match_marks(deductions: QuerySet) -> QuerySet:
    """Deductions with ``by_hand`` (finance matched it by hand: MatchedByHand), ``over_deducted`` (over_deducted_q) and
    ``moved`` (a release matched it again to another line: releases.moved_q), three EXISTS in the deductions' own
    query: the list page, the API and the Excel read them with their rows."""
    return deductions.annotate(
        by_hand=Exists(MatchedByHand.objects.filter(deduction=OuterRef("pk"))),
        over_deducted=over_deducted_q(),
        moved=releases.moved_q(),
    )


def match_marks(deduction: Deduction) -> tuple[bool, bool]:
    """(by hand, over-deducted) of one deduction: read from with_match_marks' annotations when it was loaded with
    them, else one query."""
    if hasattr(deduction, "by_hand") and hasattr(deduction, "over_deducted"):
        return bool(deduction.by_hand), bool(deduction.over_deducted)
    found = with_match_marks(Deduction.objects.filter(pk=deduction.pk)).values_list("by_hand", "over_deducted")
    return tuple(found.first() or (False, False))


def _finance(by) -> None:
    if by is not None and user_role(by) not in (Role.FINANCE, Role.ADMIN):
        raise DomainError("match.needs_finance", _("Only finance may match deductions."))


def matches_frozen(deduction: Deduction) -> DomainError | None:
    """Why the matches of a deduction dated in a closed month can no longer change (None while its month is open):
    its unsupported part is in that month's frozen figures, so a change there would land in no month. The correction
    is an adjustment in an open month. The services refuse with it; the sheet says it instead of offering them."""
    if not ClosedMonth.objects.filter(month=rules.month_start(deduction.date)).exists():
        return None
    return DomainError(
        "month.closed",
        _(
            "This deduction is dated %(date)s and %(month)s is closed: its matches can no longer change. "
            "Correct the spend with an adjustment in an open month."
        ),
        date=deduction.date,
        month=f"{deduction.date:%Y-%m}",
    )


def _check_deduction_month_open(deduction: Deduction) -> None:
    """Refuse to change the matches of a deduction dated in a closed month (matches_frozen)."""
    refusal = matches_frozen(deduction)
    if refusal is not None:
        raise refusal


# --- automatic ---------------------------------------------------------------------------------------------------


def _selected(deductions, account_ids) -> QuerySet:
    """The deductions to match: those given (or all), not yet matched nor duplicates, and not dated in a closed month
    (their unsupported part is frozen in its figures: a match found later, against a line of an open month their
    period reaches, would change the closed month and land in none — as finance's hand is refused, month.closed)."""
    in_closed = ClosedMonth.objects.dated_in_q("date")
    queryset = Deduction.objects.exclude(in_closed) if in_closed is not None else Deduction.objects.all()
    if deductions is not None:
        ids = list(deductions.values_list("pk", flat=True)) if isinstance(deductions, QuerySet) else None
        queryset = queryset.filter(pk__in=ids if ids is not None else [d.pk for d in deductions])
    if account_ids is not None:
        queryset = queryset.filter(account_id__in=list(account_ids))
    return queryset.exclude(state__in=[State.MATCHED, State.DUPLICATE])


@transaction.atomic
def deductions_match(*, deductions=None, account_ids=None) -> MatchSummary:
    """Match automatically, oldest deduction first (see the module's docstring). A fixed number of queries: the
    deductions (locked), the first of each group of twins (one grouped query), their existing matches, the candidate
    lines (locked; read as tuples) with what is matched against them; then one bulk_create and an
    UPDATE … FROM (VALUES …) per 500 changed rows."""
    tolerance = settings.KA.deduction_match_tolerance
    todo = list(
        _selected(deductions, account_ids)
        .select_for_update()
        .annotate(cleared=Exists(DuplicateClearance.objects.filter(deduction=OuterRef("pk"))))
        .annotate(by_hand=Exists(MatchedByHand.objects.filter(deduction=OuterRef("pk"))))
        .order_by("pk")
    )
    summary = MatchSummary()
    if not todo:
        return summary
    first_of = _first_twins({d.account_id for d in todo})
    for deduction in todo:  # its earliest twin: the first of its group that is not a duplicate, when before it
        first_pk = first_of.get(_twin_key(deduction))
        deduction.twin = first_pk if first_pk is not None and first_pk < deduction.pk else None
    existing: dict[int, dict[int, DeductionMatch]] = defaultdict(dict)
    for match in DeductionMatch.objects.select_for_update().filter(deduction__in=[d.pk for d in todo]):
        existing[match.deduction_id][match.line_id] = match
    # Display fees whose visit evidence was not met (issue 13): one query for the batch's accounts; a deduction
    # claiming one is left unsupported instead of matched automatically (finance may still match it by hand).
    claiming = {d.account_id for d in todo if d.kind in DEDUCTION_AGREEMENT_KINDS}
    unevidenced = not_evidenced_by_account(claiming) if claiming else {}
    kinds = {rules.DEDUCTION_SPEND_KIND.get(d.kind, d.kind) for d in todo}
    first = min(d.period_start or d.date.replace(day=1) for d in todo)
    last = max(d.period_end or d.date.replace(day=1) for d in todo)
    lines = (
        AccrualLine.objects.select_for_update()
        .filter(account_id__in={d.account_id for d in todo}, kind__in=kinds, month__gte=first, month__lte=last)
        .annotate(deducted=_matched_sum(OuterRef("pk")))
        .order_by("month", "pk")
        .values_list("pk", "account_id", "kind", "month", "amount", "deducted")
    )
    remaining: dict[int, Decimal] = {}
    by_key: dict[tuple, list[int]] = defaultdict(list)  # (account, kind, month) → its lines' ids, oldest first
    for pk, account_id, kind, month, amount, deducted in lines:
        remaining[pk] = amount - deducted
        by_key[(account_id, kind, month)].append(pk)
    created: list[DeductionMatch] = []
    grown: list[DeductionMatch] = []
    changed: list[Deduction] = []
    for deduction in todo:
        before = (deduction.state, deduction.matched_amount, deduction.duplicate_of_id)
        matches = existing.get(deduction.pk, {})
        matched_sum = sum((m.amount for m in matches.values()), ZERO)
        if not matches and deduction.twin is not None and not deduction.cleared and not deduction.by_hand:
            deduction.state, deduction.matched_amount, deduction.duplicate_of_id = State.DUPLICATE, ZERO, deduction.twin
        else:
            start = deduction.period_start or deduction.date.replace(day=1)
            end = deduction.period_end or start
            kind = rules.DEDUCTION_SPEND_KIND.get(deduction.kind, deduction.kind)
            candidates = [
                (line_id, remaining[line_id])
                for month in rules.months_between(start, end)
                for line_id in by_key.get((deduction.account_id, kind, month), ())
            ]
            unmatched = deduction.amount - deduction.recovered_amount - matched_sum
            if claimed_by(deduction, unevidenced.get(deduction.account_id, ())):
                candidates = []  # its display was not evidenced at the visits: nothing supports it automatically
            if deduction.by_hand:
                candidates = []  # finance matched it by hand: their matches stand until they hand it back
            for line_id, take in rules.fill_lines(unmatched, candidates, amount=deduction.amount, tolerance=tolerance):
                remaining[line_id] -= take
                matched_sum += take
                summary.matches_created += 1
                summary.matched_now += take
                if line_id in matches:
                    matches[line_id].amount += take
                    grown.append(matches[line_id])
                else:
                    created.append(DeductionMatch(deduction_id=deduction.pk, line_id=line_id, amount=take))
            state, matched_amount = rules.deduction_state(
                amount=deduction.amount,
                recovered=deduction.recovered_amount,
                matched_sum=matched_sum,
                tolerance=tolerance,
                duplicate=False,
            )
            deduction.state, deduction.matched_amount = state, to_money(matched_amount)
            deduction.duplicate_of_id = None
        if (deduction.state, deduction.matched_amount, deduction.duplicate_of_id) != before:
            changed.append(deduction)
        summary.counts[deduction.state] += 1
        summary.amounts[deduction.state] += deduction.amount
    DeductionMatch.objects.bulk_create(created, batch_size=1000)
    _update_rows(DeductionMatch, ["amount"], [(m.pk, to_money(m.amount)) for m in grown])
    _update_rows(
        Deduction,
        ["state", "matched_amount", "duplicate_of_id"],
        [(d.pk, d.state, d.matched_amount, d.duplicate_of_id) for d in changed],
    )
    summary.changed = len(changed)
    return summary


# Display fees (a display agreement's or a term's or plan's end cap): paid on evidence, so their lines move with it.
DISPLAY_FEE_KINDS = ("display", "end_cap")


def release_unbacked(account_ids, *, closed=None) -> int:
    """Display fees follow their evidence and their agreements: where the ledger lowered a display-fee line below the
    matches the automatic matching made (an agreement not evidenced, deleted, its fee lowered or moved to a later
    month), those automatic matches are released and their deductions matched again (to what the ledger still holds,
    else left unsupported, which gross to net then counts), instead of staying matched to a line that no longer holds
    them — spend that would be counted nowhere. Finance's matches by hand stay (the line is flagged over-deducted for
    them); nothing dated in a closed month is touched (``closed``: the closed months, when the caller has them).
    A deduction finance matched by hand (MatchedByHand) loses only its automatic matches the line no longer holds:
    deductions_match states it from the matches it keeps and matches nothing more to it.
    Each deduction released keeps a record of it (MatchRelease, releases.record): the lines released and why, the
    lines it was matched to again, and whether that is another line (``moved``: matching pays a chain's fees by
    chain × kind × month, so another agreement's line of the same month is found as readily) — its sheet says so and
    the deductions list marks and filters it. Answers how many deductions were matched again."""
    closed = ClosedMonth.objects.months() if closed is None else closed
    over = lines_with_matches(
        AccrualLine.objects.filter(account_id__in=account_ids, kind__in=DISPLAY_FEE_KINDS).exclude(month__in=closed)
    ).filter(over_deducted=True)
    released = DeductionMatch.objects.filter(line__in=over.values("pk"), automatic=True)
    for month in sorted(closed):
        released = released.exclude(deduction__date__gte=month, deduction__date__lt=rules.add_months(month, 1))
    # read once, with the lines as they are now (what each held and had matched): the release's record needs them
    released = list(
        released.select_related("line__term__contract", "line__plan", "line__agreement")
        .annotate(line_deducted=_matched_sum(OuterRef("line")))
        .order_by("deduction_id", "line__month", "line_id")
    )
    if not released:
        return 0
    deduction_ids = sorted({match.deduction_id for match in released})
    line_ids = sorted({match.line_id for match in released})
    for match in released:
        match.line.deducted = match.line_deducted
    DeductionMatch.objects.filter(pk__in=[match.pk for match in released]).delete()
    kept: dict[int, dict[int, Decimal]] = defaultdict(dict)  # what each deduction keeps: finance's, other lines'
    for deduction_id, line_id, amount in DeductionMatch.objects.filter(deduction_id__in=deduction_ids).values_list(
        "deduction_id", "line_id", "amount"
    ):
        kept[deduction_id][line_id] = amount
    again = Deduction.objects.filter(pk__in=deduction_ids)
    again.update(state=State.UNSUPPORTED)  # worked out again from what is left, just below
    deductions_match(deductions=again)
    # Recorded on each deduction (releases.py): from which lines and why, to which lines — another agreement's line
    # of the chain, kind and month is found as readily as the one released (matching is not by agreement).
    after = DeductionMatch.objects.filter(deduction_id__in=deduction_ids).select_related(
        "line__term__contract", "line__plan"
    )
    releases.record(released, kept, list(after))
    _drop_emptied_lines(line_ids)
    return len(deduction_ids)


def _drop_emptied_lines(line_ids) -> None:
    """A line kept at 0 only for the matches it had (accruals.py) goes with them once they are released."""
    AccrualLine.objects.filter(pk__in=list(line_ids), amount=0).exclude(matches__isnull=False).delete()


def _twin_key(deduction) -> tuple | None:
    """What makes two deductions twins (a suspected duplicate): account, kind, months claimed and amount."""
    if deduction.period_start is None or deduction.period_end is None:
        return None
    return (deduction.account_id, deduction.kind, deduction.period_start, deduction.period_end, deduction.amount)


def _first_twins(account_ids) -> dict[tuple, int]:
    """The smallest id among the deductions that are not duplicates, per twin key shared by two or more of them, of
    the accounts given: one grouped query. A deduction's earliest twin is its group's smallest id when that is
    smaller than its own (a correlated subquery per deduction took most of 20 s for 50,000 deductions)."""
    rows = (
        Deduction.objects.filter(account_id__in=sorted(account_ids), period_start__isnull=False,
                                 period_end__isnull=False)
        .exclude(state=State.DUPLICATE)
        .values("account_id", "kind", "period_start", "period_end", "amount")
        .annotate(first=Min("pk"), count=Count("pk"))
        .filter(count__gt=1)
        .order_by()
        .values_list("account_id", "kind", "period_start", "period_end", "amount", "first")
    )  # fmt: skip
    return {tuple(row[:5]): row[5] for row in rows}


def _update_rows(model, columns: list[str], rows: list[tuple], chunk: int = 500) -> None:
    """Store ``columns`` of many rows, ``rows`` being (pk, *values): one UPDATE … FROM (VALUES …) per ``chunk``.
    bulk_update builds a CASE per row and field, so its time grows with the square of the rows (10,000 deductions
    took minutes); this grows linearly. Each value is cast to its column's type (a column of only NULLs would be
    text on PostgreSQL); SQLite and PostgreSQL both name a VALUES list's columns column1, column2, …"""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    fields = {f.column: f for f in model._meta.concrete_fields}
    assignments = ", ".join(
        f"{connection.ops.quote_name(name)} = CAST(v.column{n} AS {fields[name].cast_db_type(connection)})"
        for n, name in enumerate(columns, start=2)
    )
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        values = ", ".join(["(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"] * len(part))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {assignments} "  # noqa: S608 - names from the model, values as parameters
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                [value for row in part for value in row],
            )


# --- by hand -----------------------------------------------------------------------------------------------------


def restate(deduction: Deduction, *, recovery: DeductionRecovery | None = None) -> Deduction:
    """Set a locked deduction's state and matched_amount from its matches (after a match is added or removed,
    a recovery, or a duplicate cleared).

    After ``recovery`` (just recorded), what matched_amount grew by is the tolerance difference the recovery left
    accepted as matched: stored on it, it counts in the recovery's month, not the deduction's (which may be closed).
    After a match changed by hand (the deduction's month is open, and so every later month), the deduction is
    decided again in its own month: its recoveries' tolerance differences go back to 0."""
    before = deduction.matched_amount
    matched_sum = deduction.matches.aggregate(total=money_sum("amount", default=ZERO))["total"]
    state, matched_amount = rules.deduction_state(
        amount=deduction.amount,
        recovered=deduction.recovered_amount,
        matched_sum=matched_sum,
        tolerance=settings.KA.deduction_match_tolerance,
        duplicate=deduction.duplicate_of_id is not None and matched_sum == 0,
    )
    deduction.state, deduction.matched_amount = state, to_money(matched_amount)
    deduction.save(update_fields=["state", "matched_amount"])
    if recovery is not None:
        recovery.tolerance_difference = max(deduction.matched_amount - before, ZERO)
        if recovery.tolerance_difference:
            recovery.save(update_fields=["tolerance_difference"])
    else:
        DeductionRecovery.objects.filter(deduction=deduction, tolerance_difference__gt=0).update(
            tolerance_difference=ZERO
        )
    return deduction


def unmatched_part(deduction: Deduction) -> Decimal:
    """What of a deduction no line supports yet (its unsupported part): amount − matched − recovered."""
    return to_money(deduction.amount - deduction.matched_amount - deduction.recovered_amount)


def claimed_span(deduction: Deduction) -> tuple:
    """The first and last month a deduction claims (its date's month when it names none)."""
    first = deduction.period_start or deduction.date.replace(day=1)
    return first, deduction.period_end or first


def match_notes(deduction: Deduction, line: AccrualLine) -> list[str]:
    """What is unusual about a match of ``deduction`` to ``line`` (rules.MATCH_OUTSIDE_PERIOD, MATCH_OTHER_KIND):
    kept possible, and said on the sheet and in the API's matches."""
    first, last = claimed_span(deduction)
    return rules.match_notes(
        deduction_kind=deduction.kind, first=first, last=last, line_kind=line.kind, line_month=line.month
    )


def match_note_sentences(deduction: Deduction, notes: list[str]) -> list[str]:
    """The notes of a match as finance reads them."""
    first, last = claimed_span(deduction)
    period = f"{first:%Y-%m}" if first == last else f"{first:%Y-%m} – {last:%Y-%m}"
    kind = rules.DEDUCTION_SPEND_KIND.get(deduction.kind, deduction.kind)
    sentences = {
        rules.MATCH_OUTSIDE_PERIOD: _("The line is outside the months the deduction claims (%(period)s).")
        % {"period": period},
        rules.MATCH_OTHER_KIND: _("The line is not of the deduction's kind of spend (%(kind)s).")
        % {"kind": AccrualLine(kind=kind).get_kind_display()},
    }
    return [str(sentences[note]) for note in notes]


def manual_match_lines(lines: QuerySet, deduction: Deduction, *, other_kinds: bool = False) -> QuerySet:
    """The lines finance may match a deduction to by hand, of ``lines`` (the user's, with lines_with_matches'
    remaining): its account's with something left, of its kind of spend (every kind when ``other_kinds``), the
    months it claims first, then the others nearest first (before after, at the same distance)."""
    first, last = claimed_span(deduction)
    lines = lines.filter(account_id=deduction.account_id, remaining__gt=0)
    kind = rules.DEDUCTION_SPEND_KIND.get(deduction.kind, deduction.kind)
    if not other_kinds:
        lines = lines.filter(kind=kind)
    found = list(lines.values_list("pk", "kind", "month"))
    found.sort(
        key=lambda row: (row[1] != kind, rules.months_outside(row[2], first, last), row[2] > last, row[2], row[0])
    )
    order = Case(*[When(pk=pk, then=Value(n)) for n, (pk, _kind, _month) in enumerate(found)], default=Value(0))
    return lines.filter(pk__in=[row[0] for row in found]).order_by(order) if found else lines.none()


@transaction.atomic
def deduction_match_add(*, deduction: Deduction, line: AccrualLine, amount: Decimal, by) -> DeductionMatch:
    """Match part of a deduction to a ledger line by hand (finance): any line of the deduction's account, up to
    what is left of the line and of the deduction. A line outside the months it claims, or of another kind, is
    matched (a chain deducts late, or under another name) with ``match.notes`` saying so (see match_notes)."""
    _finance(by)
    amount = to_money(Decimal(amount))
    deduction = Deduction.objects.select_for_update().get(pk=deduction.pk)
    _check_deduction_month_open(deduction)
    line = AccrualLine.objects.select_for_update().get(pk=line.pk)
    if line.account_id != deduction.account_id:
        raise DomainError(
            "match.other_account",
            _("A deduction can only be matched to its own key account's spend lines."),
            field="line",
        )
    if deduction.state == State.DUPLICATE:
        raise DomainConflict(
            "match.duplicate",
            _("This deduction is a suspected duplicate of deduction %(original)s: clear it first."),
            original=deduction.duplicate_of_id,
        )
    if amount <= 0:
        raise DomainError("match.amount_not_positive", _("A match must be above zero."), field="amount")
    deducted = line.matches.aggregate(total=money_sum("amount", default=ZERO))["total"]
    left_on_line = to_money(line.amount - deducted)
    if amount > left_on_line:
        raise DomainError(
            "match.beyond_accrued",
            _(
                "A match beyond what was accrued: the line is %(accrued)s, %(deducted)s is already deducted against "
                "it, so at most %(remaining)s is left; %(amount)s asked."
            ),
            field="amount",
            accrued=line.amount,
            deducted=deducted,
            remaining=max(left_on_line, ZERO),
            amount=amount,
        )
    left_on_deduction = unmatched_part(deduction)
    if amount > left_on_deduction:
        raise DomainError(
            "match.beyond_deduction",
            _("Only %(unmatched)s of this deduction of %(deduction)s is unmatched; %(amount)s asked."),
            field="amount",
            unmatched=left_on_deduction,
            deduction=deduction.amount,
            amount=amount,
        )
    _mark_by_hand(deduction, by)
    match = DeductionMatch.objects.filter(deduction=deduction, line=line).first()
    if match is None:
        match = DeductionMatch.objects.create(
            deduction=deduction, line=line, amount=amount, automatic=False, created_by=by
        )
    else:
        match.amount += amount
        match.automatic = False
        match.created_by = by
        match.save(update_fields=["amount", "automatic", "created_by"])
    restate(deduction)
    match.notes = match_notes(deduction, line)  # kept possible; the caller says so
    return match


@transaction.atomic
def deduction_match_remove(*, match: DeductionMatch, by) -> Deduction:
    """Take a match off (finance): the deduction's state is computed again, and automatic matching leaves its
    matches alone from then on (it would put the match back) until finance hands it back."""
    _finance(by)
    deduction = Deduction.objects.select_for_update().get(pk=match.deduction_id)
    _check_deduction_month_open(deduction)
    _mark_by_hand(deduction, by)
    DeductionMatch.objects.filter(pk=match.pk).delete()
    return restate(deduction)


def _mark_by_hand(deduction: Deduction, by) -> None:
    """Finance changed the deduction's matches: automatic matching leaves them alone (MatchedByHand)."""
    MatchedByHand.objects.update_or_create(deduction=deduction, defaults={"changed_by": by})


def matched_by_hand(deduction: Deduction) -> bool:
    """Whether finance changed the deduction's matches by hand and has not handed it back to automatic matching."""
    return MatchedByHand.objects.filter(deduction_id=deduction.pk).exists()


@transaction.atomic
def deduction_match_automatically(*, deduction: Deduction, by) -> Deduction:
    """Finance hands a deduction they matched by hand back to automatic matching, which decides it afresh: the mark
    is cleared, every match of the deduction released (finance's by hand and the automatic ones alike: matching
    decides on its whole amount, as for a deduction just recorded) and the deduction matched automatically at once,
    all in one transaction. What it is then matched to is what the nightly job would match it to: the ledger's lines
    of its kind and months with room, nothing where its display was not evidenced, a suspected duplicate where it
    has an earlier twin. Refused for a deduction dated in a closed month (month.closed: its matches are in the
    month's frozen figures) and for one not matched by hand (match.not_by_hand: automatic matching already covers
    it)."""
    _finance(by)
    deduction = Deduction.objects.select_for_update().get(pk=deduction.pk)
    _check_deduction_month_open(deduction)
    deleted, _rows = MatchedByHand.objects.filter(deduction=deduction).delete()
    if not deleted:
        raise DomainConflict(
            "match.not_by_hand",
            _("This deduction is not matched by hand: automatic matching already covers it."),
        )
    released = DeductionMatch.objects.select_for_update().filter(deduction=deduction)
    line_ids = list(released.values_list("line_id", flat=True))
    released.delete()
    restate(deduction)  # unsupported, recoveries' tolerance differences back to 0, as after any change by hand
    deductions_match(deductions=[deduction])
    _drop_emptied_lines(line_ids)
    deduction.refresh_from_db()
    return deduction


@transaction.atomic
def deduction_not_duplicate(*, deduction: Deduction, by) -> Deduction:
    """Finance says a suspected duplicate is not one: it is matched like any deduction, and never flagged again."""
    _finance(by)
    deduction = Deduction.objects.select_for_update().get(pk=deduction.pk)
    _check_deduction_month_open(deduction)
    if deduction.state != State.DUPLICATE:
        raise DomainConflict(
            "match.not_duplicate",
            _("This deduction is %(state)s, not a suspected duplicate."),
            state=deduction.get_state_display(),
        )
    DuplicateClearance.objects.get_or_create(
        deduction=deduction, defaults={"was_duplicate_of_id": deduction.duplicate_of_id, "cleared_by": by}
    )
    deduction.duplicate_of = None
    deduction.state = State.UNSUPPORTED
    deduction.matched_amount = ZERO
    deduction.save(update_fields=["duplicate_of", "state", "matched_amount"])
    deductions_match(deductions=[deduction])
    deduction.refresh_from_db()
    return deduction
