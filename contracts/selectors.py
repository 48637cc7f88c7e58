"""Reads for contracts and receivables: scoped querysets, the reconciliation, aging and statements.

Every queryset starts from ka_portal.scope.finance_accounts_for(user), so a record outside a user's
scope is simply not found.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from ka_portal.db_router import reads_from_replica
from ka_portal.scope import finance_accounts_for, sees_finance

from .models import (
    AgingMove,
    Allocation,
    Contract,
    ContractReminder,
    CreditNote,
    Deduction,
    Invoice,
    Payment,
    ReceivablesRun,
)
from .receivables import (
    BUCKET_LIMITS,
    BUCKET_ORDER,
    ZERO,
    Bucket,
    aging_bucket,
    days_past_due,
    days_sales_outstanding,
)

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def finance_accounts(user) -> QuerySet:
    """The accounts a user may see in finance; 404 for anyone who sees no finance at all (reps, supervisors)."""
    if not sees_finance(user):
        raise Http404
    return finance_accounts_for(user)


def contract_status_on(as_of: date | None = None) -> Case:
    """A contract's status as of ``as_of`` (default today): an active contract past its end date is expired
    from the day after it ends, whether or not the nightly run has marked it yet."""
    as_of = as_of or timezone.localdate()
    return Case(
        When(status=Contract.Status.ACTIVE, valid_to__lt=as_of, then=Value(str(Contract.Status.EXPIRED))),
        default=F("status"),
        output_field=CharField(),
    )


def contract_status_q(status: str, as_of: date | None = None) -> Q:
    """Contracts whose status as of ``as_of`` (default today) is ``status``: the filter behind status=…"""
    as_of = as_of or timezone.localdate()
    ended = Q(status=Contract.Status.ACTIVE, valid_to__lt=as_of)
    if status == Contract.Status.EXPIRED:
        return Q(status=Contract.Status.EXPIRED) | ended
    if status == Contract.Status.ACTIVE:
        return Q(status=Contract.Status.ACTIVE) & ~ended
    return Q(status=status)


def contract_expiring_q(days: int, as_of: date | None = None) -> Q:
    """Contracts active on ``as_of`` (default today) whose last day falls within the next ``days`` days, that day
    included: the filter behind expiring=true (KA.contract_expiry_warning_days) and expires_within=<days>."""
    as_of = as_of or timezone.localdate()
    return Q(status=Contract.Status.ACTIVE, valid_to__gte=as_of, valid_to__lte=as_of + timedelta(days=days))


def contracts_for(user) -> QuerySet:
    """The contracts a user may read, each with ``status_today`` (see contract_status_on)."""
    return (
        Contract.objects.filter(account__in=finance_accounts(user))
        .select_related("account")
        .annotate(status_today=contract_status_on())
    )


def invoices_for(user) -> QuerySet:
    return Invoice.objects.filter(account__in=finance_accounts(user)).select_related("account", "contract")


def with_aging(invoices: QuerySet, *, as_of: date | None = None) -> QuerySet:
    """Invoices with where they stand on ``as_of`` (default today), computed in the query, never read from a
    stored copy: ``overdue`` (still open and past its due date), ``aging_bucket`` (the bucket of its days
    past due by the pure rule's limits; None once settled) and ``aging_as_of`` (the day it was computed for,
    for ``invoice_days_past_due``). One CASE per row: a list stays one query however many rows it has."""
    as_of = as_of or timezone.localdate()
    is_open = Q(open_amount__gt=0)
    # days past due ≤ limit  ⇔  due_on ≥ as_of − limit: the same bucket as receivables.aging_bucket gives.
    bucket = Case(
        When(~is_open, then=Value(None)),
        *[When(due_on__gte=as_of - timedelta(days=limit), then=Value(str(name))) for limit, name in BUCKET_LIMITS],
        default=Value(str(Bucket.OVER_90)),
        output_field=CharField(),
    )
    overdue = ExpressionWrapper(is_open & Q(due_on__lt=as_of), output_field=BooleanField())
    return invoices.annotate(overdue=overdue, aging_bucket=bucket, aging_as_of=Value(as_of))


def invoice_days_past_due(invoice: Invoice) -> int | None:
    """Whole days an open invoice is past due on the day ``with_aging`` computed (0 when not yet due);
    None once it is settled: a paid invoice is not aging."""
    if invoice.open_amount <= 0:
        return None
    return max(days_past_due(due_on=invoice.due_on, as_of=invoice.aging_as_of), 0)


def overdue_q(as_of: date | None = None) -> Q:
    """Invoices still open after their due date on ``as_of`` (default today): the filter behind overdue=true."""
    return Q(open_amount__gt=0, due_on__lt=as_of or timezone.localdate())


def invoice_list_for(user, *, as_of: date | None = None) -> QuerySet:
    """The invoices a user may read, with overdue and aging as of ``as_of`` (default today)."""
    return with_aging(invoices_for(user), as_of=as_of)


def payments_for(user) -> QuerySet:
    return Payment.objects.filter(account__in=finance_accounts(user)).select_related("account")


def deductions_for(user) -> QuerySet:
    return Deduction.objects.filter(account__in=finance_accounts(user)).select_related("account", "invoice")


def deduction_matches_prefetch():
    """A deduction's matches to trade-spend ledger lines, each with ``line_over_deducted`` (the line's matches
    exceed it): for the deductions API, in one query."""
    from django.db.models import Prefetch

    from tradespend.models import DeductionMatch

    line_total = (
        DeductionMatch.objects.filter(line=OuterRef("line"))
        .values("line")
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )
    over = ExpressionWrapper(Q(line__amount__lt=Subquery(line_total)), output_field=BooleanField())
    return Prefetch("matches", queryset=DeductionMatch.objects.select_related("line").annotate(line_over_deducted=over))


def credit_notes_for(user) -> QuerySet:
    return CreditNote.objects.filter(account__in=finance_accounts(user)).select_related("account", "invoice")


def reminders_for(user) -> QuerySet:
    return ContractReminder.objects.filter(contract__account__in=finance_accounts(user)).select_related(
        "contract__account", "recipient"
    )


def _sums(queryset, *names: str) -> list[Decimal]:
    """Totals of money columns in one query, 0.00 where there are no rows."""
    totals = queryset.aggregate(**{name: Coalesce(Sum(name), Value(ZERO), output_field=MONEY_FIELD) for name in names})
    return [totals[name] for name in names]


def _sum(queryset, name: str = "amount") -> Decimal:
    return _sums(queryset, name)[0]


@reads_from_replica()
def receivables_overview(user, *, as_of: date) -> tuple[list[tuple[KeyAccount, Decimal]], dict[str, Decimal]]:
    """Every account a user may see with its open and overdue amounts, open invoice count, last invoice date
    (annotated) and the cash not yet allocated; and the totals. A fixed number of queries."""
    accounts = (
        finance_accounts(user)
        .annotate(
            open_total=Sum("invoices__open_amount"),
            overdue_total=Sum("invoices__open_amount", filter=Q(invoices__due_on__lt=as_of)),
            open_count=Count("invoices", filter=Q(invoices__open_amount__gt=0)),
            last_invoice=Max("invoices__date"),
        )
        .order_by("code")
    )
    unallocated = dict(
        payments_for(user)
        .filter(reversed_at__isnull=True)
        .values("account")
        .annotate(total=Sum("amount") - Sum("allocated_amount"))
        .values_list("account", "total")
    )
    rows = [(account, unallocated.get(account.pk) or ZERO) for account in accounts]
    totals = {
        "open": sum((a.open_total or ZERO for a, _u in rows), ZERO),
        "overdue": sum((a.overdue_total or ZERO for a, _u in rows), ZERO),
        "unallocated": sum((u for _a, u in rows), ZERO),
    }
    return rows, totals


# --- the reconciliation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reconciliation:
    """An account's receivables in one line: invoices − allocated payments − deductions − credit notes on
    invoices − write-offs = open. A credit note naming no invoice lowers the balance, not an invoice's open
    amount: it is shown apart (``unapplied_credit``), like cash not yet allocated."""

    invoiced: Decimal
    allocated: Decimal
    deducted: Decimal
    written_off: Decimal
    open: Decimal
    unallocated: Decimal
    credited: Decimal = ZERO  # credit notes that name an invoice
    unapplied_credit: Decimal = ZERO  # credit notes that name none

    @property
    def expected_open(self) -> Decimal:
        return self.invoiced - self.allocated - self.deducted - self.credited - self.written_off

    @property
    def reconciles(self) -> bool:
        return self.expected_open == self.open


def account_reconciliation(account: KeyAccount) -> Reconciliation:
    invoiced, written_off, open_amount = _sums(
        Invoice.objects.filter(account=account), "amount", "written_off_amount", "open_amount"
    )
    received, allocated_of_live = _sums(
        Payment.objects.filter(account=account, reversed_at__isnull=True), "amount", "allocated_amount"
    )
    return Reconciliation(
        invoiced=invoiced,
        allocated=_sum(Allocation.objects.filter(invoice__account=account, payment__reversed_at__isnull=True)),
        deducted=_deducted_net(Deduction.objects.filter(account=account)),
        written_off=written_off,
        open=open_amount,
        unallocated=received - allocated_of_live,
        **_credit_sums(account),
    )


def _deducted_net(deductions) -> Decimal:
    """Deductions less what the chains gave back of them after a dispute (re-opened on the invoices)."""
    deducted, recovered = _sums(deductions, "amount", "recovered_amount")
    return deducted - recovered


def _recoveries():
    """Recoveries of disputed deductions (trade spend builds on contracts: imported when read)."""
    from tradespend.models import DeductionRecovery

    return DeductionRecovery.objects


def _credit_sums(account: KeyAccount) -> dict[str, Decimal]:
    """An account's credit notes in one query: those on an invoice and those on none."""
    money = {"output_field": MONEY_FIELD}
    return CreditNote.objects.filter(account=account).aggregate(
        credited=Coalesce(Sum("amount", filter=Q(invoice__isnull=False)), Value(ZERO), **money),
        unapplied_credit=Coalesce(Sum("amount", filter=Q(invoice__isnull=True)), Value(ZERO), **money),
    )


# --- open amounts as of a date -----------------------------------------------------------------


def _subtotal(queryset) -> Subquery:
    return Coalesce(
        Subquery(queryset.values("invoice").annotate(total=Sum("amount")).values("total")[:1]),
        Value(ZERO),
        output_field=MONEY_FIELD,
    )


def invoices_open_as_of(invoices: QuerySet, as_of: date) -> QuerySet:
    """Invoices raised by ``as_of`` annotated with ``open_as_of``: what was still open at the end of that day."""
    allocated = Allocation.objects.filter(invoice=OuterRef("pk"), payment__date__lte=as_of).filter(
        Q(payment__reversed_on__isnull=True) | Q(payment__reversed_on__gt=as_of)
    )
    deducted = Deduction.objects.filter(invoice=OuterRef("pk"), date__lte=as_of)
    # What a chain gave back of a deduction after a dispute is open again from the day it was recovered.
    recovered = Coalesce(
        Subquery(
            _recoveries()
            .filter(deduction__invoice=OuterRef("pk"), on__lte=as_of)
            .values("deduction__invoice")
            .annotate(total=Sum("amount"))
            .values("total")[:1]
        ),
        Value(ZERO),
        output_field=MONEY_FIELD,
    )
    credited = CreditNote.objects.filter(invoice=OuterRef("pk"), date__lte=as_of)
    written_off = Case(
        When(written_off_on__lte=as_of, then=F("written_off_amount")), default=Value(ZERO), output_field=MONEY_FIELD
    )
    # Rounded in the database: SQLite computes decimals as floats, leaving 1e-14 where 0 was meant.
    open_as_of = Round(
        F("amount") - _subtotal(allocated) - _subtotal(deducted) + recovered - _subtotal(credited) - written_off, 2
    )
    # Only an invoice open now or touched after ``as_of`` can have been open at the end of that day: the stored open
    # amount (kept by every write; tests/contracts/test_reconciliation_invariant.py) rules out the settled rest
    # before the sums above run per invoice — a year's 45,000 invoices of a chain are mostly paid.
    touched_later = (
        Invoice.objects.filter(open_amount__gt=0)
        .values("pk")
        .order_by()
        .union(
            Invoice.objects.filter(written_off_on__gt=as_of).values("pk").order_by(),
            Allocation.objects.filter(payment__date__gt=as_of).values("invoice_id").order_by(),
            Deduction.objects.filter(date__gt=as_of, invoice__isnull=False).values("invoice_id").order_by(),
            CreditNote.objects.filter(date__gt=as_of, invoice__isnull=False).values("invoice_id").order_by(),
            all=True,
        )
    )  # each part through its own index (the open ones: a partial index); one OR would read every invoice
    return (
        invoices.filter(pk__in=touched_later, date__lte=as_of)
        .annotate(open_as_of=ExpressionWrapper(open_as_of, output_field=MONEY_FIELD))
        .filter(open_as_of__gt=0)
    )


@dataclass
class AgingRow:
    account: KeyAccount | None
    buckets: dict = field(default_factory=lambda: dict.fromkeys(BUCKET_ORDER, ZERO))
    total: Decimal = ZERO
    sales: Decimal = ZERO  # invoiced over the DSO window
    dso: Decimal | None = None

    @property
    def past_due(self) -> Decimal:
        return self.total - self.buckets[Bucket.NOT_DUE]

    @property
    def cells(self) -> list[tuple[str, Decimal]]:
        return [(bucket, self.buckets[bucket]) for bucket in BUCKET_ORDER]


@dataclass
class AgingReport:
    as_of: date
    rows: list[AgingRow]
    total: AgingRow
    dso_days: int
    buckets: list = field(default_factory=lambda: list(Bucket))


@reads_from_replica()
def aging_report(user, *, as_of: date, account: KeyAccount | None = None) -> AgingReport:
    """Open amounts by days past due on ``as_of``, by account and in total, with days sales outstanding."""
    invoices = invoices_for(user)
    if account is not None:
        invoices = invoices.filter(account=account)
    rows: dict[int, AgingRow] = {}
    total = AgingRow(account=None)
    # plain tuples, not invoices: a company's open invoices are thousands
    open_items = invoices_open_as_of(invoices, as_of).order_by().values_list("account_id", "due_on", "open_as_of")
    for account_id, due_on, amount in open_items:
        row = rows.setdefault(account_id, AgingRow(account=None))
        bucket = aging_bucket(days_past_due(due_on=due_on, as_of=as_of))
        for target in (row, total):
            target.buckets[bucket] += amount
            target.total += amount
    for account_id, found in KeyAccount.objects.in_bulk(list(rows)).items():
        rows[account_id].account = found
    window = settings.KA.dso_days
    sales = (
        invoices.filter(date__gt=as_of - timedelta(days=window), date__lte=as_of)
        .values("account")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for line in sales:
        if line["account"] in rows:
            rows[line["account"]].sales = line["total"]
        total.sales += line["total"]
    for row in (*rows.values(), total):
        row.dso = days_sales_outstanding(receivables=row.total, sales=row.sales, days=window)
    ordered = sorted(rows.values(), key=lambda r: (-r.total, r.account.code))
    return AgingReport(as_of=as_of, rows=ordered, total=total, dso_days=window)


@reads_from_replica()
def aging_invoices(user, *, as_of: date, bucket: str | None = None, account: KeyAccount | None = None) -> list:
    """The invoices behind an aging cell: open on ``as_of``, optionally one bucket and one account."""
    invoices = invoices_for(user)
    if account is not None:
        invoices = invoices.filter(account=account)
    found = []
    for invoice in invoices_open_as_of(invoices, as_of).order_by("due_on", "number"):
        invoice.days_past_due = days_past_due(due_on=invoice.due_on, as_of=as_of)
        invoice.bucket = aging_bucket(invoice.days_past_due)
        if bucket in (None, "", invoice.bucket):
            found.append(invoice)
    return found


# --- the statement (对账单) -----------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    date: date
    kind: str
    label: str
    reference: str
    debit: Decimal  # increases what the chain owes
    credit: Decimal  # decreases it
    balance: Decimal = ZERO


@dataclass
class Statement:
    account: KeyAccount
    date_from: date
    date_to: date
    opening: Decimal
    lines: list[StatementLine]
    invoiced: Decimal
    paid: Decimal
    deducted: Decimal
    written_off: Decimal
    closing: Decimal
    open_invoices: Decimal
    unallocated: Decimal
    credited: Decimal = ZERO  # credit notes in the period
    recovered: Decimal = ZERO  # deductions the chain gave back in the period (after a dispute)


def account_balance(account: KeyAccount, as_of: date) -> Decimal:
    """What the chain owes at the end of ``as_of``: invoices − payments (not yet reversed) − deductions (+ what was
    recovered of them by then) − credit notes − write-offs."""
    invoices = Invoice.objects.filter(account=account, date__lte=as_of)
    payments = Payment.objects.filter(account=account, date__lte=as_of)
    return (
        _sum(invoices)
        - _sum(payments)
        + _sum(payments.filter(reversed_on__lte=as_of))
        - _sum(Deduction.objects.filter(account=account, date__lte=as_of))
        + _sum(_recoveries().filter(deduction__account=account, on__lte=as_of))
        - _sum(CreditNote.objects.filter(account=account, date__lte=as_of))
        - _sum(Invoice.objects.filter(account=account, written_off_on__lte=as_of), "written_off_amount")
    )


@reads_from_replica()
def statement(account: KeyAccount, *, date_from: date, date_to: date) -> Statement:
    """The statement for one account and period: opening balance, every movement, closing balance."""
    period = {"date__gte": date_from, "date__lte": date_to}
    lines: list[StatementLine] = []
    for invoice in Invoice.objects.filter(account=account, **period):
        lines.append(StatementLine(invoice.date, "invoice", str(_("Invoice")), invoice.number, invoice.amount, ZERO))
    for payment in Payment.objects.filter(account=account, **period):
        lines.append(StatementLine(payment.date, "payment", str(_("Payment")), payment.reference, ZERO, payment.amount))
    for payment in Payment.objects.filter(account=account, reversed_on__gte=date_from, reversed_on__lte=date_to):
        label = str(_("Payment reversed"))
        lines.append(StatementLine(payment.reversed_on, "reversal", label, payment.reference, payment.amount, ZERO))
    for deduction in Deduction.objects.filter(account=account, **period).select_related("invoice"):
        label = _("Deduction: %(kind)s") % {"kind": deduction.get_kind_display()}
        reference = f"{deduction.invoice.number} {deduction.reason}"
        lines.append(StatementLine(deduction.date, "deduction", label, reference, ZERO, deduction.amount))
    for credit_note in CreditNote.objects.filter(account=account, **period).select_related("invoice"):
        label = str(_("Credit note"))
        corrected = credit_note.invoice.number if credit_note.invoice else ""
        reference = " ".join(filter(None, [credit_note.number, corrected, credit_note.reason]))
        lines.append(StatementLine(credit_note.date, "credit_note", label, reference, ZERO, credit_note.amount))
    recoveries = _recoveries().filter(deduction__account=account, on__gte=date_from, on__lte=date_to)
    for recovery in recoveries.select_related("deduction__invoice"):
        label = str(_("Deduction recovered"))
        reference = f"{recovery.deduction.invoice.number} {recovery.deduction.reason}"
        lines.append(StatementLine(recovery.on, "recovery", label, reference, recovery.amount, ZERO))
    write_offs = Invoice.objects.filter(account=account, written_off_on__gte=date_from, written_off_on__lte=date_to)
    for invoice in write_offs:
        label = str(_("Write-off"))
        lines.append(
            StatementLine(invoice.written_off_on, "write_off", label, invoice.number, ZERO, invoice.written_off_amount)
        )
    order = {"invoice": 0, "reversal": 1, "payment": 2, "deduction": 3, "recovery": 4, "credit_note": 5, "write_off": 6}
    lines.sort(key=lambda line: (line.date, order[line.kind], line.reference))
    opening = account_balance(account, date_from - timedelta(days=1))
    running = opening
    balanced = []
    for line in lines:
        running += line.debit - line.credit
        balanced.append(StatementLine(**{**line.__dict__, "balance": running}))
    by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        by_kind[line.kind] += line.debit + line.credit
    reconciliation = account_reconciliation(account)
    return Statement(
        account=account,
        date_from=date_from,
        date_to=date_to,
        opening=opening,
        lines=balanced,
        invoiced=by_kind["invoice"],
        paid=by_kind["payment"] - by_kind["reversal"],
        deducted=by_kind["deduction"],
        written_off=by_kind["write_off"],
        credited=by_kind["credit_note"],
        recovered=by_kind["recovery"],
        closing=running,
        open_invoices=reconciliation.open,
        unallocated=reconciliation.unallocated,
    )


# --- the nightly run, as finance sees it -------------------------------------------------------


def latest_run() -> ReceivablesRun | None:
    return ReceivablesRun.objects.order_by("-run_on").first()


def run_moves(user, run: ReceivablesRun | None) -> QuerySet:
    if run is None:
        return AgingMove.objects.none()
    return AgingMove.objects.filter(run=run, invoice__account__in=finance_accounts(user)).select_related(
        "invoice__account"
    )


# --- sell-in: invoiced, net of credit notes (SPEC §2; issue 12) -------------------------------------------------


def invoiced_sell_in_by_account(account_ids, start: date, end: date) -> dict[int, Decimal]:
    """Sell-in per key account for ``start``…``end`` (inclusive): invoices dated then, less credit notes dated
    then. What account performance, achievement and growth read; deliveries stay the source for stock."""
    return _net_by(account_ids, ("account_id",), date__gte=start, date__lte=end)


def invoiced_sell_in_by_month(account: KeyAccount, year: int) -> dict[int, Decimal]:
    """One account's sell-in for each month of ``year`` (invoices less credit notes of that month)."""
    return _net_by([account.pk], ("date__month",), date__year=year)


def net_sell_in(group: tuple[str, ...], *, account_ids=None, **when) -> dict[tuple, Decimal]:
    """Σ invoices − Σ credit notes per tuple of ``group`` values (of the accounts given, or all): two grouped
    queries, whatever the size. The one reading of invoiced sell-in: performance, the ledger, gross to net."""
    scoped = {} if account_ids is None else {"account_id__in": account_ids}
    net: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for model, sign in ((Invoice, 1), (CreditNote, -1)):
        rows = (
            model.objects.filter(**scoped, **when)
            .values(*group)
            .annotate(total=Sum("amount"))
            .order_by()
            .values_list(*group, "total")
        )
        for *key, total in rows:
            net[tuple(key)] += sign * total
    return dict(net)


def _net_by(account_ids, group: tuple[str, ...], **when) -> dict:
    """``net_sell_in`` grouped by one field, keyed by its value."""
    return {key: total for (key,), total in net_sell_in(group, account_ids=account_ids, **when).items()}


# --- trade terms (费用条款), issue 12 item 2 ------------------------------------------------------------------


def contract_terms_for(user) -> QuerySet:
    """The term lines of the contracts a user may read (finance, admins; KA managers their accounts')."""
    from .models import ContractTerm

    return ContractTerm.objects.filter(contract__account__in=finance_accounts(user)).select_related("contract__account")
