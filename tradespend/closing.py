"""Month close (issue 12 item 4): finance freezes a month's gross to net.

``month_close`` snapshots ClosedFigure for every account with any figure in the month (from the live
computation of tradespend/reports.py), then writes the ClosedMonth row. From then on nothing dated in the month
can be recorded (contracts.services refuse invoices, credit notes, deductions, payments and remittances, the
allocation of a payment dated in it, and a reversal or write-off dated in it, with ``month.closed``;
tradespend.matching refuses to change the matches of a deduction dated in it) and the reports read the frozen
figures. Months close in order, one after the other from the books' first month (none before it, none skipped:
check_month_close), and are never reopened.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from accounts.roles import Role
from contracts.models import CreditNote, Deduction, Invoice
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.scope import finance_accounts_for, user_role

from .accruals import accruals_compute
from .matching import deductions_match, over_deducted_excess, over_deducted_q
from .models import AccrualLine, ClosedFigure, ClosedMonth, DeductionRecovery
from .reports import Figures, live_figures
from .rules import add_months, month_start, months_between


def months_with_activity(before: date | None = None, *, within: list[tuple[date, date]] | None = None) -> set[date]:
    """The months (first days) holding any invoice, credit note, deduction, recovery or spend line, those before
    ``before`` only when given, and only in the spans ``within`` (first day, day after) when given: five DISTINCT
    queries, each reading its table's date index over those spans alone."""
    if within is not None and not within:
        return set()
    spans = Q()
    for first, after in within or []:
        spans |= Q(day__gte=first, day__lt=after)
    found: set[date] = set()
    # A recovery counts in its own month (reports.live_figures), so a month holding only one has a figure to close.
    dated = (
        (Invoice, "date"),
        (CreditNote, "date"),
        (Deduction, "date"),
        (DeductionRecovery, "on"),
        (AccrualLine, "month"),
    )
    for model, name in dated:
        rows = model.objects.alias(day=F(name))
        if before is not None:
            rows = rows.filter(day__lt=before)
        if within is not None:
            rows = rows.filter(spans)
        months = rows.annotate(m=F(name)) if model is AccrualLine else rows.annotate(m=TruncMonth(name))
        found.update(month_start(day) for day in months.values_list("m", flat=True).distinct().order_by())
    return found


def first_record_month() -> date | None:
    """The first month holding any invoice, credit note, deduction, recovery or spend line (the books' first month),
    or None when nothing is recorded: five MIN queries, each over its table's date index."""
    found = [
        model.objects.aggregate(first=Min(name))["first"]
        for model, name in (
            (Invoice, "date"),
            (CreditNote, "date"),
            (Deduction, "date"),
            (DeductionRecovery, "on"),
            (AccrualLine, "month"),
        )
    ]
    found = [month_start(day) for day in found if day is not None]
    return min(found) if found else None


def _first_open_from(closed: frozenset) -> date | None:
    month = min(closed) if closed else None
    while month in closed:
        month = add_months(month, 1)
    return month


def first_month_to_close() -> date | None:
    """The first month a close may take once a month is closed (months close in order): the first month from the
    earliest closed one that is not closed. None before any close (next_month_to_close then reads the books)."""
    return _first_open_from(ClosedMonth.objects.months())


def catch_up_month(closed: frozenset | None = None) -> date | None:
    """The books' first month when records are dated before the first closed month (entered before the month-order
    rule refused them: legacy back-dated records), else None. Such months are closed as a catch-up, in order from that
    month: once it is closed, the run from it (first_month_to_close) takes the months up to the first closed one, each
    in its turn, empty or not, and the closed months are one run again; their records are frozen as any month's are."""
    closed = ClosedMonth.objects.months() if closed is None else closed
    if not closed:
        return None
    books = first_record_month()
    return books if books is not None and books < min(closed) else None


def next_month_to_close() -> date | None:
    """The one month a close may take (months close in order, one after the other, none skipped): once a month is
    closed, the first month from the earliest closed one that is not closed — or, with records dated before the first
    closed month, the month the catch-up begins with (catch_up_month); before any close, the books' first month
    (first_record_month). None when nothing is recorded yet. It may not be over yet (check_month_close)."""
    return catch_up_month() or first_month_to_close() or first_record_month()


def months_waiting(before: date) -> list[date]:
    """The months before ``before`` a close must take, oldest first, in the order they close: from the next month to
    close (next_month_to_close) through the last month before ``before`` holding a record — the months between
    included, a month with nothing in it too (it closes in its turn, or the months after it would leave it open
    between closed months) — and any month before the first closed one holding a record dated back since.

    A closed month takes no new record (rules.check_month_open), so only the spans outside the closed months can
    hold a waiting one: before the first closed month, and from the next month to close on — a company that closes
    every month reads one month of records, not its years."""
    closed = ClosedMonth.objects.months()
    start = _first_open_from(closed) if closed else first_record_month()
    spans = [(date.min, min(closed))] if closed else []
    if start is not None and start < before:
        spans.append((start, before))
    if not spans:
        return []
    active = months_with_activity(before, within=spans)
    dated_back = {month for month in active if closed and month < min(closed)}
    # the run: from the next month to close to the last month with a record (or a closed month past a gap)
    ahead = [month for month in (active | closed) if start is not None and start <= month < before]
    run = months_between(start, max(ahead)) if ahead else []
    return sorted(dated_back | {month for month in run if month not in closed})


def check_month_in_order(month: date) -> None:
    """Refuse a close that is not the next month's (months close in order, one after the other), each refusal saying
    the true reason. Once a month is closed, a month before the closed ones: ``month.before_first_record`` when it is
    before the books' first month too (nothing is recorded in it or before it: 2024-12 with the books and the closes
    beginning in 2025-01). Records dated before the first closed month (legacy: entered before the rule refusing them)
    move the books' first month back: that month closes as a catch-up (catch_up_month), and the months after it up to
    the first closed one each in its turn; any other month before the closed ones is ``month.before_first_open``,
    naming the month to close first. Before any close, ``month.before_first_record`` for a month before the books' first
    (it would close nothing, and fix the start of the order before the books begin) and ``month.nothing_recorded``
    while nothing is recorded at all. A month within the closed run is ``month.already_closed``."""
    month = month_start(month)
    closed = ClosedMonth.objects.months()
    first = _first_open_from(closed)
    books = first_record_month() if first is None or month < first else None
    if first is not None:
        if month >= first:
            return
        closed_from = min(closed)
        if month >= closed_from:
            raise DomainConflict(
                "month.already_closed", _("%(month)s is already closed."), field="month", month=f"{month:%Y-%m}"
            )
        # the closes began with the books' first month; a record dated before it since (legacy) moves the books back
        begin = min(books, closed_from) if books is not None else closed_from
        catch_up = begin if begin < closed_from else None
        if month < begin:
            raise DomainError(
                "month.before_first_record",
                _(
                    "%(month)s cannot be closed: nothing is recorded in it or before it, as the books begin in "
                    "%(first)s. Months close in order from the books' first month: closing began with "
                    "%(closed_from)s, and the next month to close is %(next)s."
                ),
                field="month",
                month=f"{month:%Y-%m}",
                first=f"{begin:%Y-%m}",
                closed_from=f"{closed_from:%Y-%m}",
                next=f"{catch_up or first:%Y-%m}",
            )
        if month == catch_up:
            return  # records dated before the first closed month: their months close first, as a catch-up, in order
        raise DomainError(
            "month.before_first_open",
            _(
                "%(month)s cannot be closed yet: records are dated before %(closed_from)s, the first closed month "
                "(entered before months had to close in order), so the books begin in %(first)s. Those months close "
                "first, one after the other, as a catch-up: close %(first)s first, then each month after it before "
                "%(closed_from)s."
            ),
            field="month",
            month=f"{month:%Y-%m}",
            closed_from=f"{closed_from:%Y-%m}",
            first=f"{begin:%Y-%m}",
        )
    if books is None:
        raise DomainError(
            "month.nothing_recorded",
            _(
                "%(month)s cannot be closed: nothing is recorded in it or in any month before it, so there is nothing "
                "to close yet. The first month to close is the first one with a record."
            ),
            field="month",
            month=f"{month:%Y-%m}",
        )
    if month < books:
        raise DomainError(
            "month.before_first_record",
            _(
                "%(month)s cannot be closed: nothing is recorded in it or before it, as the books begin in %(first)s. "
                "Months close in order from the first one with a record: close %(first)s first."
            ),
            field="month",
            first=f"{books:%Y-%m}",
            month=f"{month:%Y-%m}",
        )


def check_no_gap(month: date) -> None:
    """Refuse a close that would leave an open month between closed ones (``month.leaves_gap``): after the first close,
    the month to close is the next one, even with nothing recorded in it — skipped, it could still take records dated
    in it, between months whose figures are frozen."""
    month = month_start(month)
    first = first_month_to_close()
    if first is not None and month > first:
        raise DomainError(
            "month.leaves_gap",
            _(
                "%(month)s cannot be closed yet: months close in order and %(first)s, the next month to close, is "
                "still open. Close %(first)s first, even with nothing recorded in it, so no open month is left "
                "between closed ones."
            ),
            field="month",
            first=f"{first:%Y-%m}",
            month=f"{month:%Y-%m}",
        )


def earliest_open_month(before: date) -> date | None:
    """The first month before ``before`` with any record that is not closed yet, or None."""
    waiting = months_waiting(before)
    return waiting[0] if waiting else None


@dataclass
class Drift:
    """A chain whose figures, computed live now, differ from those frozen when its month closed (a record changed
    since by a way round the month.closed rules): each step that moved, as closed and now. A recovery is not one:
    it counts in its own, open month."""

    account: KeyAccount
    frozen: Figures
    live: Figures

    def steps(self) -> list[tuple[str, str, Decimal, Decimal, Decimal]]:
        """(step, label, as closed, now, now − as closed) of every step that moved, net last."""
        return [
            (step, label, amount, getattr(self.live, step), getattr(self.live, step) - amount)
            for step, label, amount in self.frozen.steps()
            if getattr(self.live, step) != amount
        ]


@dataclass
class ClosePreview:
    """What closing a month would freeze: each account's figures, their total, and whether it may close now.
    For a month already closed: the figures frozen by its close (``closed``), and the chains whose live figures
    have moved since (``drift``) — never live figures passed off as what was closed."""

    month: date
    rows: list[tuple[KeyAccount, Figures]]
    total: Figures
    refusal: DomainError | None
    closed: ClosedMonth | None = None
    drift: list[Drift] = field(default_factory=list)
    # deductions matched above what a ledger line now holds, as the close would find them (over_deducted_in), each
    # with its ``excess``: how much it is matched above what its lines hold
    over_deducted: list[Deduction] = field(default_factory=list)

    @property
    def over_deducted_total(self) -> Decimal:
        """Σ the excess of the over-deducted deductions listed."""
        return sum((deduction.excess for deduction in self.over_deducted), Decimal("0.00"))


def check_month_close(*, month: date, by, today: date | None = None) -> date:
    """Refuse a close that may not happen; return the month's first day."""
    if user_role(by) not in (Role.FINANCE, Role.ADMIN):
        raise DomainError("month.needs_finance", _("Only finance may close a month."))
    month = month_start(month)
    today = today or timezone.localdate()
    if month >= month_start(today):
        raise DomainError(
            "month.not_over",
            _("%(month)s is not over yet: a month can be closed from the first day of the next month."),
            field="month",
            month=f"{month:%Y-%m}",
        )
    if ClosedMonth.objects.filter(month=month).exists():
        raise DomainConflict(
            "month.already_closed", _("%(month)s is already closed."), field="month", month=f"{month:%Y-%m}"
        )
    check_month_in_order(month)
    earlier = earliest_open_month(month)
    if earlier is not None:
        raise DomainError(
            "month.earlier_open",
            _("%(earlier)s is still open: months close in order, so close %(earlier)s before %(month)s."),
            field="month",
            earlier=f"{earlier:%Y-%m}",
            month=f"{month:%Y-%m}",
        )
    check_no_gap(month)
    return month


def month_figures(month: date) -> dict[int, Figures]:
    """The live figures of every account with any figure in ``month`` (what a close freezes, once it has brought the
    ledger and the matches up to date: _figures_to_freeze)."""
    month = month_start(month)
    ids = KeyAccount.objects.values("pk")
    return {account_id: figures for (account_id, _month), figures in live_figures(ids, [month]).items()}


def _figures_to_freeze(month: date, *, by, today: date) -> dict[int, Figures]:
    """What closing ``month`` freezes, in the caller's transaction: the ledger computed and the deductions matched as
    of ``today`` first (both write), then the month's figures. The close and its preview both read them so."""
    accruals_compute(as_of=today, by=by)
    deductions_match()
    return month_figures(month)


def figures_to_freeze(month: date, *, by, today: date | None = None) -> dict[int, Figures]:
    """The figures a close of ``month`` today would freeze, computed as the close computes them (accruals brought up
    to date, deductions matched) in a transaction rolled back: nothing is written. What the preview shows."""
    return _as_the_close_finds(month, by=by, today=today)[0]


def _as_the_close_finds(month: date, *, by, today: date | None = None) -> tuple[dict[int, Figures], list[Deduction]]:
    """The figures a close of ``month`` would freeze and the over-deducted deductions it would find, both read after
    the ledger and the matches are brought up to date as the close brings them (a display fee lowered since the
    nightly run releases its automatic matches then), in a transaction rolled back: nothing is written."""
    with transaction.atomic():
        figures = _figures_to_freeze(month_start(month), by=by, today=today or timezone.localdate())
        over = over_deducted_in(month, by=by)
        transaction.set_rollback(True)
    return figures, over


def over_deducted_in(month: date, *, by) -> list[Deduction]:
    """The deductions of ``by``'s accounts over-deducted in ``month`` (matching.over_deducted_q: matched above what
    a ledger line now holds), by account and date: those dated in the month, whose matches its close freezes, and
    those matched to such a line of the month, whose excess gross to net counts as the month's unsupported spend.
    Each with ``excess``: how much it is matched above what its lines hold, all its over-deducted lines
    (matching.over_deducted_excess). Three queries."""
    month = month_start(month)
    dated_in = Q(date__gte=month, date__lt=add_months(month, 1))
    found = list(
        Deduction.objects.filter(account__in=finance_accounts_for(by))
        .filter((dated_in & over_deducted_q()) | over_deducted_q(line_month=month))
        .select_related("account")
        .order_by("account__code", "date", "pk")
    )
    excess = over_deducted_excess(deduction.pk for deduction in found)
    for deduction in found:
        deduction.excess = excess[deduction.pk]
    return found


def month_close_preview(*, month: date, by, today: date | None = None) -> ClosePreview:
    """What closing ``month`` would freeze (exactly what month_close freezes if nothing is recorded meanwhile), or
    for a closed month what was frozen and the drift since. A month that cannot be closed (``refusal``) has no
    figures: only the refusal, saying why."""
    month = month_start(month)
    try:
        check_month_close(month=month, by=by, today=today)
    except DomainError as refusal:
        refusal_found = refusal
    else:
        refusal_found = None
    closed = ClosedMonth.objects.select_related("closed_by").filter(month=month).first()
    if closed is None and refusal_found is not None:
        # a month that cannot be closed freezes nothing: no table of figures (zeros for every chain before the books
        # begin, or of a month not over yet) reads as what a close would freeze, and nothing is computed for it
        return ClosePreview(month=month, rows=[], total=Figures(), refusal=refusal_found)
    if closed is not None:
        figures = {figure.account_id: Figures.from_closed(figure) for figure in closed.figures.all()}
        live = month_figures(month)  # what the drift compares them with
        over = []  # its matches are frozen: what moved since is the drift's to say
    else:
        figures, over = _as_the_close_finds(month, by=by, today=today)
        live = figures
    # Every chain finance sees, those without a figure at 0.00 as gross to net lists them, so a clerk sees each
    # chain is covered; and any chain with a figure (frozen or live), whatever the scope says. By code, as every
    # list of chains (a chain's name is Chinese, whatever the reader's language).
    named = Q(pk__in=finance_accounts_for(by).values("pk")) | Q(pk__in=[*figures, *live])
    accounts = list(KeyAccount.objects.filter(named).order_by("code"))
    rows = [(account, figures.get(account.pk) or Figures()) for account in accounts]
    total = Figures()
    for _account, row in rows:
        total.add(row)
    drift = []
    if closed is not None:
        for account, frozen in rows:
            now = live.get(account.pk) or Figures()
            found = Drift(account=account, frozen=frozen, live=now)
            if found.steps():
                drift.append(found)
    return ClosePreview(
        month=month, rows=rows, total=total, refusal=refusal_found, closed=closed, drift=drift, over_deducted=over
    )


@transaction.atomic
def month_close(*, month: date, by, today: date | None = None) -> ClosedMonth:
    """Close ``month`` (any day of it): finance or admin only; refused while the month is not over
    (``month.not_over``), when it is already closed (``month.already_closed``), before the first month a close may
    take (check_month_in_order: ``month.before_first_open``; before any close ``month.before_first_record``, or
    ``month.nothing_recorded`` with no record at all), while an earlier month waits to close (``month.earlier_open``:
    months_waiting, a month with nothing in it between two that close included) or when it would leave an open month
    between closed ones (check_no_gap: ``month.leaves_gap``). So the closed months are one run, from the books' first
    month on. Freezes one ClosedFigure per account with any figure in the month, then the ClosedMonth row. No
    reopening."""
    month = check_month_close(month=month, by=by, today=today)
    # Lock the closed months so two closes (of this month, or of the next one checking order) run one at a time.
    list(ClosedMonth.objects.select_for_update().all())
    # The ledger and the deductions' states brought up to date first: the snapshot freezes what they say now.
    figures = _figures_to_freeze(month, by=by, today=today or timezone.localdate())
    try:
        with transaction.atomic():
            closed = ClosedMonth.objects.create(month=month, closed_by=by)
    except IntegrityError as error:  # closed at the same moment by someone else
        raise DomainConflict(
            "month.already_closed", _("%(month)s is already closed."), field="month", month=f"{month:%Y-%m}"
        ) from error
    ClosedFigure.objects.bulk_create(
        ClosedFigure(closed_month=closed, account_id=account_id, **row.as_snapshot())
        for account_id, row in figures.items()
    )
    return closed


@dataclass
class TrueUps:
    """The true-up lines landed in one open month: their sum (part of that month's net) and the closed months they
    correct, so a large negative net in the current month is explained where it shows."""

    amount: Decimal
    lines: int
    closed_months: list[str]  # "2026-09", …; empty for lines written before true-ups named their months

    @property
    def months_text(self) -> str:
        """The closed months as read: three or more in a row as one span ("2025-12, 2026-05–2026-11")."""
        return ", ".join(self.month_spans())

    def month_spans(self) -> list[str]:
        """The closed months in order, three or more in a row as one span ("2026-05–2026-11")."""
        runs: list[list[date]] = []
        for month in sorted(date.fromisoformat(f"{text}-01") for text in self.closed_months):
            if runs and add_months(runs[-1][-1], 1) == month:
                runs[-1].append(month)
            else:
                runs.append([month])
        parts = []
        for run in runs:
            if len(run) >= 3:
                parts.append(f"{run[0]:%Y-%m}–{run[-1]:%Y-%m}")
            else:
                parts.extend(f"{month:%Y-%m}" for month in run)
        return parts

    @property
    def on_net(self) -> Decimal:
        """What they do to the month's net: spend owed to closed months lowers it."""
        return -self.amount


def true_ups_by_month(*, accounts, months: list[date]) -> dict[date, TrueUps]:
    """The true-ups of ``accounts`` (a scoped queryset) landed in each of ``months`` that holds any: one query."""
    found: dict[date, TrueUps] = {}
    lines = (
        AccrualLine.objects.filter(stage=AccrualLine.Stage.TRUE_UP, account__in=accounts, month__in=months)
        .exclude(amount=0)
        .values_list("month", "amount", "reason_params")
    )
    for month, amount, params in lines:
        entry = found.setdefault(month, TrueUps(amount=Decimal("0.00"), lines=0, closed_months=[]))
        entry.amount += amount
        entry.lines += 1
        for closed in str((params or {}).get("months", "")).split(","):
            closed = closed.strip()
            if re.fullmatch(r"\d{4}-\d{2}", closed) and closed not in entry.closed_months:
                entry.closed_months.append(closed)
    for entry in found.values():
        entry.closed_months.sort()
    return found
