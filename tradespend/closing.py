"""Month close (issue 12 item 4): finance freezes a month's gross to net.

``month_close`` snapshots ClosedFigure for every account with any figure in the month (from the live
computation of tradespend/reports.py), then writes the ClosedMonth row. From then on nothing dated in the month
can be recorded (contracts.services refuse invoices, credit notes and deductions with ``month.closed``) and the
reports read the frozen figures. Months close in order and are never reopened.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from accounts.roles import Role
from contracts.models import CreditNote, Deduction, Invoice
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.scope import finance_accounts_for, user_role

from .accruals import accruals_compute
from .matching import deductions_match
from .models import AccrualLine, ClosedFigure, ClosedMonth
from .reports import Figures, live_figures
from .rules import add_months, month_start, months_between


def closed_month_set() -> frozenset[date]:
    """Every closed month (first days): what tradespend.rules.check_month_open is given."""
    return frozenset(ClosedMonth.objects.values_list("month", flat=True))


def months_with_activity(before: date | None = None, *, within: list[tuple[date, date]] | None = None) -> set[date]:
    """The months (first days) holding any invoice, credit note, deduction or spend line, those before
    ``before`` only when given, and only in the spans ``within`` (first day, day after) when given: four DISTINCT
    queries, each reading its table's date index over those spans alone."""
    if within is not None and not within:
        return set()
    spans = Q()
    for first, after in within or []:
        spans |= Q(day__gte=first, day__lt=after)
    found: set[date] = set()
    for model, name in ((Invoice, "date"), (CreditNote, "date"), (Deduction, "date"), (AccrualLine, "month")):
        rows = model.objects.alias(day=F(name))
        if before is not None:
            rows = rows.filter(day__lt=before)
        if within is not None:
            rows = rows.filter(spans)
        months = rows.annotate(m=TruncMonth(name)) if name == "date" else rows.annotate(m=F(name))
        found.update(month_start(day) for day in months.values_list("m", flat=True).distinct().order_by())
    return found


def months_waiting(before: date) -> list[date]:
    """The months before ``before`` with any record that are not closed yet, oldest first (they close in order).

    A closed month takes no new record (rules.check_month_open), so only the spans outside the closed months can
    hold a waiting one: before the first closed month, the gaps between closed months, and after the last — a
    company that closes every month reads one month of records, not its years."""
    closed = closed_month_set()
    if not closed:
        return sorted(months_with_activity(before))
    first, last = min(closed), max(closed)
    spans = [(date.min, first)]
    spans += [(month, add_months(month, 1)) for month in months_between(first, last) if month not in closed]
    spans.append((add_months(last, 1), before))
    spans = [(start, end) for start, end in spans if start < end and start < before]
    return sorted(months_with_activity(before, within=spans) - closed)


def earliest_open_month(before: date) -> date | None:
    """The first month before ``before`` with any record that is not closed yet, or None."""
    waiting = months_waiting(before)
    return waiting[0] if waiting else None


@dataclass
class ClosePreview:
    """What closing a month would freeze: each account's figures, their total, and whether it may close now."""

    month: date
    rows: list[tuple[KeyAccount, Figures]]
    total: Figures
    refusal: DomainError | None


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
    earlier = earliest_open_month(month)
    if earlier is not None:
        raise DomainError(
            "month.earlier_open",
            _("%(earlier)s is still open: months close in order, so close %(earlier)s before %(month)s."),
            field="month",
            earlier=f"{earlier:%Y-%m}",
            month=f"{month:%Y-%m}",
        )
    return month


def month_figures(month: date) -> dict[int, Figures]:
    """The live figures of every account with any figure in ``month`` (what a close freezes)."""
    month = month_start(month)
    ids = KeyAccount.objects.values("pk")
    return {account_id: figures for (account_id, _month), figures in live_figures(ids, [month]).items()}


def month_close_preview(*, month: date, by, today: date | None = None) -> ClosePreview:
    month = month_start(month)
    try:
        check_month_close(month=month, by=by, today=today)
    except DomainError as refusal:
        refusal_found = refusal
    else:
        refusal_found = None
    figures = month_figures(month)
    # Every chain finance sees, those without a figure at 0.00 as gross to net lists them, so a clerk sees each
    # chain is covered; and any chain with a figure, whatever the scope says.
    accounts = KeyAccount.objects.filter(Q(pk__in=finance_accounts_for(by).values("pk")) | Q(pk__in=list(figures)))
    rows = sorted(
        ((account, figures.get(account.pk) or Figures()) for account in accounts),
        key=lambda row: (row[0].name, row[0].code),
    )
    total = Figures()
    for _account, row in rows:
        total.add(row)
    return ClosePreview(month=month, rows=rows, total=total, refusal=refusal_found)


@transaction.atomic
def month_close(*, month: date, by, today: date | None = None) -> ClosedMonth:
    """Close ``month`` (any day of it): finance or admin only; refused while the month is not over
    (``month.not_over``), when it is already closed (``month.already_closed``) or while an earlier month with
    any invoice, credit note, spend line or deduction is open (``month.earlier_open``). Freezes one
    ClosedFigure per account with any figure in the month, then the ClosedMonth row. No reopening."""
    month = check_month_close(month=month, by=by, today=today)
    # Lock the closed months so two closes (of this month, or of the next one checking order) run one at a time.
    list(ClosedMonth.objects.select_for_update().all())
    # The ledger and the deductions' states brought up to date first: the snapshot freezes what they say now.
    accruals_compute(as_of=today or timezone.localdate(), by=by)
    deductions_match()
    figures = month_figures(month)
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
