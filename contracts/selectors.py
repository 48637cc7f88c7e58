"""Reads for contracts and receivables: scoped querysets, the reconciliation, aging and statements.

Every queryset starts from ka_portal.scope.finance_accounts_for(user), so a record outside a user's
scope is simply not found.
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from ka_portal import system_texts
from ka_portal.db_router import connection_for_reads, reads_from_replica
from ka_portal.money import CENT, MONEY_TOTAL, ZERO, Money, money_sum
from ka_portal.scope import finance_accounts_for, sees_finance

from . import notes, rules
from .models import (
    AgingMove,
    Allocation,
    Contract,
    ContractReminder,
    ContractTerm,
    CreditNote,
    Deduction,
    Invoice,
    Payment,
    ReceivablesRun,
    open_q,
)
from .receivables import BUCKET_LIMITS, BUCKET_ORDER, Bucket, aging_bucket, days_past_due, days_sales_outstanding


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


def with_figure_sources(contracts: QuerySet) -> QuerySet:
    """Contracts with ``rebate_typed`` and ``listing_typed``: the rebate % (listing fee) is above zero and no term line
    of its kind makes it — typed on the contract, it accrues nothing in the trade-spend ledger, which reads only the
    lines (contracts.services.contract_terms_summarize), so the pages flag it."""
    lines = ContractTerm.objects.filter(contract=OuterRef("pk"))
    rebate_lines = Exists(lines.filter(kind__in=rules.REBATE_KINDS))
    listing_lines = Exists(lines.filter(kind=ContractTerm.Kind.LISTING))
    return contracts.annotate(
        rebate_typed=ExpressionWrapper(Q(rebate_percent__gt=0) & ~rebate_lines, output_field=BooleanField()),
        listing_typed=ExpressionWrapper(Q(listing_fee__gt=0) & ~listing_lines, output_field=BooleanField()),
    )


def invoices_for(user) -> QuerySet:
    return Invoice.objects.filter(account__in=finance_accounts(user)).select_related("account", "contract")


def with_aging(invoices: QuerySet, *, as_of: date | None = None) -> QuerySet:
    """Invoices with where they stand on ``as_of`` (default today), computed in the query, never read from a
    stored copy: ``overdue`` (still open and past its due date), ``aging_bucket`` (the bucket of its days
    past due by the pure rule's limits; None once settled) and ``aging_as_of`` (the day it was computed for,
    for ``invoice_days_past_due``). One CASE per row: a list stays one query however many rows it has."""
    as_of = as_of or timezone.localdate()
    is_open = open_q()
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
    return open_q() & Q(due_on__lt=as_of or timezone.localdate())


def invoice_list_for(user, *, as_of: date | None = None) -> QuerySet:
    """The invoices a user may read, with overdue and aging as of ``as_of`` (default today)."""
    return with_aging(invoices_for(user), as_of=as_of)


def payments_for(user) -> QuerySet:
    return Payment.objects.filter(account__in=finance_accounts(user)).select_related("account")


def deductions_for(user) -> QuerySet:
    return Deduction.objects.filter(account__in=finance_accounts(user)).select_related("account", "invoice")


def deduction_unsupported(via: str = "") -> CombinedExpression:
    """What of a deduction (``via`` a relation's path to it, e.g. "deduction__") is still unsupported: its amount less
    what was matched to spend and what the chain gave back; sum it with ``money_sum``."""
    return F(f"{via}amount") - F(f"{via}matched_amount") - F(f"{via}recovered_amount")


def deduction_search_q(term: str) -> Q:
    """What one search term finds among deductions, at every door that searches them (the API's ?search=, the
    deductions page, the admin): the reason as people read it — as given, or the one the books wrote (contracts.notes)
    in either language, a remittance's reference included — the chain's reference and the invoice's number."""
    return (
        Q(reason__icontains=term)
        | Q(reference__icontains=term)
        | Q(invoice__number__icontains=term)
        | system_texts.search_q(term, code_field="reason_code", params_field="reason_params", codes=notes.TEMPLATES)
    )


def deduction_matches_prefetch():
    """A deduction's matches to trade-spend ledger lines, each with ``line_over_deducted``: its line is over-deducted
    as the trade-spend ledger's one rule says (tradespend.matching.lines_with_matches, what the deductions list, the
    sheet, gross to net and the month's close read), in the matches' one query: for the deductions API."""
    from django.db.models import Exists, Prefetch

    from tradespend.matching import lines_with_matches  # lazy: trade spend builds on contracts
    from tradespend.models import AccrualLine, DeductionMatch

    over = Exists(lines_with_matches(AccrualLine.objects.filter(pk=OuterRef("line"))).filter(over_deducted=True))
    return Prefetch("matches", queryset=DeductionMatch.objects.select_related("line").annotate(line_over_deducted=over))


def credit_notes_for(user) -> QuerySet:
    return CreditNote.objects.filter(account__in=finance_accounts(user)).select_related("account", "invoice")


def reminders_for(user) -> QuerySet:
    return ContractReminder.objects.filter(contract__account__in=finance_accounts(user)).select_related(
        "contract__account", "recipient"
    )


def _sums(queryset, *names: str) -> list[Decimal]:
    """Totals of money columns in one query, 0.00 where there are no rows."""
    totals = queryset.aggregate(**{name: money_sum(name, default=ZERO) for name in names})
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
            open_total=money_sum("invoices__open_amount"),
            overdue_total=money_sum("invoices__open_amount", filter=Q(invoices__due_on__lt=as_of)),
            open_count=Count("invoices", filter=open_q("invoices__")),
            last_invoice=Max("invoices__date"),
        )
        .order_by("code")
    )
    unallocated = dict(
        payments_for(user)
        .filter(reversed_at__isnull=True)
        .values("account")
        .annotate(total=money_sum(F("amount") - F("allocated_amount")))
        .values_list("account", "total")
    )
    rows = [(account, unallocated.get(account.pk) or ZERO) for account in accounts]
    totals = {
        "open": sum((a.open_total or ZERO for a, _u in rows), ZERO),
        "overdue": sum((a.overdue_total or ZERO for a, _u in rows), ZERO),
        "unallocated": sum((u for _a, u in rows), ZERO),
    }
    return rows, totals


# --- one account's screen: the recent rows at hand, the rest a link away ---------------------------


# A section's "Show all" a page at a time: a chain's years of payments would otherwise be thousands of rows.
ALL_ROWS_PER_PAGE = 25


@dataclass(frozen=True)
class RecentRows:
    """A section of an account's screen: the rows shown and how many the account has in all; when every row is
    asked for, ``page`` is the page of them shown (``django.core.paginator.Page``)."""

    rows: list
    total: int
    page: Page | None = None

    @property
    def hidden(self) -> int:
        return 0 if self.page is not None else self.total - len(self.rows)


def _recent_rows(
    rows: QuerySet, order: list, recent: int | None, keep: Q | None = None, page: str | int | None = None
) -> RecentRows:
    """The ``recent`` newest of ``rows`` by ``order`` and those ``keep`` matches however old, with the count of all:
    one query, the count and the rank by window functions. ``recent=None``: every row in ``rows``' own order,
    ``page`` of them (ALL_ROWS_PER_PAGE a page; past the end the last, not a number the first)."""
    if recent is None:
        shown = Paginator(rows, ALL_ROWS_PER_PAGE).get_page(page)
        return RecentRows(rows=list(shown.object_list), total=shown.paginator.count, page=shown)
    rows = rows.annotate(recency=Window(RowNumber(), order_by=order), total=Window(Count("pk")))
    shown = Q(recency__lte=recent)
    rows = list(rows.filter(shown | keep if keep is not None else shown))
    return RecentRows(rows=rows, total=rows[0].total if rows else 0)


def account_payments(account: KeyAccount, *, recent: int | None, page: str | int | None = None) -> RecentRows:
    """An account's payments, those still to allocate first (they need finance's action, so they are shown
    however old), then the most recent; ``recent=None`` shows every payment, in the same order, a page at a time."""
    payments = (
        account.payments.annotate(
            to_allocate=ExpressionWrapper(
                Q(reversed_at__isnull=True, allocated_amount__lt=F("amount")), output_field=BooleanField()
            )
        )
        .select_related("reversed_by")
        .prefetch_related("allocations__invoice")
        .order_by("-to_allocate", "-date", "-id")
    )
    return _recent_rows(payments, [F("date").desc(), F("id").desc()], recent, keep=Q(to_allocate=True), page=page)


def account_open_invoices(account: KeyAccount, *, recent: int | None, page: str | int | None = None) -> RecentRows:
    """An account's open invoices, the oldest first (the order a payment allocated oldest first takes them), with
    where each stands today (with_aging); ``recent=N`` the N oldest, ``recent=None`` every one, a page at a time. A
    chain invoiced store by store has thousands open at once: its screen showed them all, 8 MB of page."""
    order = [F("date").asc(), F("number").asc()]
    invoices = with_aging(account.invoices.filter(open_q())).select_related("contract").order_by(*order)
    return _recent_rows(invoices, order, recent, page=page)


def account_overdue(account: KeyAccount, *, as_of: date | None = None) -> Decimal:
    """What the account owes past its invoices' due dates on ``as_of`` (default today), summed in the database."""
    return account.invoices.filter(overdue_q(as_of)).aggregate(overdue=money_sum("open_amount", default=ZERO))[
        "overdue"
    ]


def account_settled_invoices(account: KeyAccount, *, recent: int | None, page: str | int | None = None) -> RecentRows:
    """An account's settled (paid or written-off) invoices, the most recent first; ``recent=None``: every one."""
    order = [F("date").desc(), F("number").desc()]
    return _recent_rows(account.invoices.exclude(open_q()).order_by(*order), order, recent, page=page)


def deduction_to_act_q() -> Q:
    """A deduction finance still has to act on: matching has not explained it (unsupported, partly matched, a
    suspected duplicate) and no dispute has closed it (recovered, accepted and written off, or supported in full)."""
    from tradespend.models import Dispute  # trade spend builds on contracts: imported when read

    return ~Q(state=Deduction.State.MATCHED) & ~Q(dispute__status__in=Dispute.CLOSED)


def account_deductions(account: KeyAccount, *, recent: int | None, page: str | int | None = None) -> RecentRows:
    """An account's deductions, those finance still has to act on first (shown however old), then the most
    recent; ``recent=None`` shows every deduction, in the same order, a page at a time."""
    deductions = (
        account.deductions.annotate(to_act=ExpressionWrapper(deduction_to_act_q(), output_field=BooleanField()))
        .select_related("invoice", "dispute")
        .order_by("-to_act", "-date", "-id")
    )
    return _recent_rows(deductions, [F("date").desc(), F("id").desc()], recent, keep=Q(to_act=True), page=page)


def account_credit_notes(account: KeyAccount, *, recent: int | None, page: str | int | None = None) -> RecentRows:
    """An account's credit notes, the most recent first (none waits for a step); ``recent=None``: every one."""
    order = [F("date").desc(), F("id").desc()]
    credit_notes = account.credit_notes.select_related("invoice").order_by(*order)
    return _recent_rows(credit_notes, order, recent, page=page)


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
    return CreditNote.objects.filter(account=account).aggregate(
        credited=money_sum("amount", filter=Q(invoice__isnull=False), default=ZERO),
        unapplied_credit=money_sum("amount", filter=Q(invoice__isnull=True), default=ZERO),
    )


# --- open amounts as of a date -----------------------------------------------------------------


def _subtotal(queryset) -> Subquery:
    return Coalesce(
        Subquery(queryset.values("invoice").annotate(total=money_sum("amount")).values("total")[:1]),
        Value(ZERO),
        output_field=MONEY_TOTAL,
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
            .annotate(total=money_sum("amount"))
            .values("total")[:1]
        ),
        Value(ZERO),
        output_field=MONEY_TOTAL,
    )
    credited = CreditNote.objects.filter(invoice=OuterRef("pk"), date__lte=as_of)
    written_off = Case(
        When(written_off_on__lte=as_of, then=F("written_off_amount")), default=Value(ZERO), output_field=MONEY_TOTAL
    )
    # In cents in the database too (Money): SQLite computes decimals as floats, leaving 1e-14 where 0 was meant.
    open_as_of = Money(
        F("amount") - _subtotal(allocated) - _subtotal(deducted) + recovered - _subtotal(credited) - written_off
    )
    # Only an invoice open now or touched after ``as_of`` can have been open at the end of that day: the stored open
    # amount (kept by every write; tests/contracts/test_reconciliation_invariant.py) rules out the settled rest
    # before the sums above run per invoice — a year's 45,000 invoices of a chain are mostly paid.
    touched_later = (
        Invoice.objects.filter(open_q())
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
        invoices.filter(pk__in=touched_later, date__lte=as_of).annotate(open_as_of=open_as_of).filter(open_as_of__gt=0)
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
    def cells(self) -> list[tuple[Bucket, Decimal]]:
        """Each bucket (its value in a link, its label on a phone, where the figures read under the account's name)."""
        return [(Bucket(bucket), self.buckets[bucket]) for bucket in BUCKET_ORDER]


@dataclass
class AgingReport:
    as_of: date
    rows: list[AgingRow]
    total: AgingRow
    dso_days: int
    buckets: list = field(default_factory=lambda: list(Bucket))


# What each invoice's open amount was at the end of a day, from the stored open amount (kept by every write, equal to
# invoices − live allocations − deductions + recoveries − credit notes − write-offs: tests/contracts/
# test_reconciliation_invariant.py) less what changed it afterwards: a movement dated after the day is undone, a
# payment reversed after it counts again. Grouped once over the later movements (few when the day is recent), never
# per invoice with a subquery each: one pass over the invoices picks those open now or moved since. Equal to
# invoices_open_as_of's per-invoice sums (tested on random books).
_OPEN_AS_OF_SQL = """
WITH later (invoice_id, amount) AS (
    SELECT a.invoice_id,
           CASE WHEN p.reversed_at IS NULL THEN a.amount ELSE 0 END
           - CASE WHEN p.date <= %(as_of)s AND (p.reversed_on IS NULL OR p.reversed_on > %(as_of)s)
                  THEN a.amount ELSE 0 END
      FROM {allocation} a JOIN {payment} p ON p.id = a.payment_id
     WHERE p.date > %(as_of)s OR p.reversed_at IS NOT NULL OR p.reversed_on IS NOT NULL
    UNION ALL
    SELECT invoice_id, amount FROM {deduction} WHERE date > %(as_of)s
    UNION ALL
    SELECT d.invoice_id, -r.amount
      FROM {recovery} r JOIN {deduction} d ON d.id = r.deduction_id WHERE r."on" > %(as_of)s
    UNION ALL
    SELECT invoice_id, amount FROM {credit_note} WHERE date > %(as_of)s AND invoice_id IS NOT NULL
    UNION ALL
    SELECT id, written_off_amount FROM {invoice} WHERE written_off_on > %(as_of)s
), delta (invoice_id, amount) AS (
    SELECT invoice_id, SUM(amount) FROM later GROUP BY invoice_id
), open_then (account_id, due_on, amount) AS (
    SELECT i.account_id, i.due_on, i.open_amount + COALESCE(d.amount, 0)
      FROM {invoice} i LEFT JOIN delta d ON d.invoice_id = i.id
     WHERE (i.open_amount > 0 OR d.invoice_id IS NOT NULL) AND i.date <= %(as_of)s AND i.account_id IN ({accounts})
)
SELECT account_id, {bucket} AS bucket, SUM(amount) FROM open_then WHERE ROUND(amount, 2) > 0 GROUP BY account_id, 2
"""


def open_as_of_by_bucket(account_ids: list[int], as_of: date) -> list[tuple[int, str, Decimal]]:
    """(account, aging bucket, open amount) at the end of ``as_of`` for the accounts given: one grouped query."""
    if not account_ids:
        return []
    connection = connection_for_reads(Invoice)
    quote = connection.ops.quote_name
    tables = {
        "invoice": Invoice,
        "payment": Payment,
        "allocation": Allocation,
        "deduction": Deduction,
        "credit_note": CreditNote,
        "recovery": _recoveries().model,
    }
    # days past due ≤ limit  ⇔  due_on ≥ as_of − limit: the same bucket as receivables.aging_bucket gives.
    bucket = " ".join(
        f"WHEN due_on >= %(limit{limit})s THEN '{name}'" for limit, name in BUCKET_LIMITS
    )  # the names are the code's own (Bucket), never input
    params = {"as_of": as_of, **{f"limit{limit}": as_of - timedelta(days=limit) for limit, _name in BUCKET_LIMITS}}
    params.update({f"account{n}": pk for n, pk in enumerate(account_ids)})
    sql = _OPEN_AS_OF_SQL.format(
        **{name: quote(model._meta.db_table) for name, model in tables.items()},
        accounts=", ".join(f"%(account{n})s" for n in range(len(account_ids))),
        bucket=f"CASE {bucket} ELSE '{Bucket.OVER_90}' END",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(account_id, name, _money(total)) for account_id, name, total in cursor.fetchall()]


@reads_from_replica()
def aging_report(user, *, as_of: date, account: KeyAccount | None = None) -> AgingReport:
    """Open amounts by days past due on ``as_of``, by account and in total, with days sales outstanding. A fixed
    number of queries, the open amounts summed in the database (open_as_of_by_bucket)."""
    accounts = finance_accounts(user)
    if account is not None:
        accounts = accounts.filter(pk=account.pk)
    account_ids = list(accounts.values_list("pk", flat=True))
    rows: dict[int, AgingRow] = {}
    total = AgingRow(account=None)
    for account_id, bucket, amount in open_as_of_by_bucket(account_ids, as_of):
        row = rows.setdefault(account_id, AgingRow(account=None))
        for target in (row, total):
            target.buckets[bucket] += amount
            target.total += amount
    for account_id, found in KeyAccount.objects.in_bulk(list(rows)).items():
        rows[account_id].account = found
    window = settings.KA.dso_days
    sales = (
        Invoice.objects.filter(account_id__in=account_ids, date__gt=as_of - timedelta(days=window), date__lte=as_of)
        .values("account")
        .annotate(total=money_sum("amount"))
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
    """The invoices behind an aging cell: open on ``as_of``, optionally one bucket and one account. A bucket it does
    not know is refused (aging.bucket_unknown), never read as no invoices."""
    bucket = rules.check_bucket(bucket)
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
    lines: "Sequence[StatementLine]"  # a list, or StatementLines read from the database as needed
    invoiced: Decimal
    paid: Decimal
    deducted: Decimal
    written_off: Decimal
    closing: Decimal
    open_invoices: Decimal
    unallocated: Decimal
    credited: Decimal = ZERO  # credit notes in the period
    unapplied_credit: Decimal = ZERO  # today's credit notes on no invoice: in the balance, not in the open invoices
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


# The statement's movements as one ordered query, so a page can be a slice of it and the Excel a stream: a line
# per invoice, payment, reversal, deduction, recovery, credit note and write-off of the account in the period, in
# (date, kind, reference) order — the kinds in this order on a day — then by record as each kind's list is ordered.
# A deduction (and its recovery) reads by the chain's own reference for the charge (费用单号, e.g. TG202610) where
# it has one, then its invoice and reason: a chain's several fees of a day, taken against one invoice under one
# remittance, each show the reference its paperwork carries.
STATEMENT_KINDS = ["invoice", "reversal", "payment", "deduction", "recovery", "credit_note", "write_off"]
_STATEMENT_SQL = """
SELECT i.date AS day, 0 AS kind, i.number AS reference, i.id AS tiebreak, i.amount AS debit, 0 AS credit, '' AS detail,
       '' AS note_code, '' AS note_params
  FROM {invoice} i WHERE i.account_id = %s AND i.date >= %s AND i.date <= %s
UNION ALL
SELECT p.reversed_on, 1, p.reference, -p.id, p.amount, 0, '', '', ''
  FROM {payment} p WHERE p.account_id = %s AND p.reversed_on >= %s AND p.reversed_on <= %s
UNION ALL
SELECT p.date, 2, p.reference, -p.id, 0, p.amount, '', '', ''
  FROM {payment} p WHERE p.account_id = %s AND p.date >= %s AND p.date <= %s
UNION ALL
SELECT d.date, 3, CASE WHEN d.reference = '' THEN '' ELSE d.reference || ' ' END || di.number
                || CASE WHEN d.reason = '' THEN '' ELSE ' ' || d.reason END,
       -d.id, 0, d.amount, d.kind, d.reason_code, CAST(d.reason_params AS TEXT)
  FROM {deduction} d JOIN {invoice} di ON di.id = d.invoice_id WHERE d.account_id = %s AND d.date >= %s AND d.date <= %s
UNION ALL
SELECT r."on", 4, CASE WHEN rd.reference = '' THEN '' ELSE rd.reference || ' ' END || ri.number
                || CASE WHEN rd.reason = '' THEN '' ELSE ' ' || rd.reason END,
       r.id, r.amount, 0, '', rd.reason_code, CAST(rd.reason_params AS TEXT)
  FROM {recovery} r JOIN {deduction} rd ON rd.id = r.deduction_id JOIN {invoice} ri ON ri.id = rd.invoice_id
 WHERE rd.account_id = %s AND r."on" >= %s AND r."on" <= %s
UNION ALL
SELECT c.date, 5,
       c.number || CASE WHEN ci.number IS NULL OR ci.number = '' THEN '' ELSE ' ' || ci.number END
                || CASE WHEN c.reason = '' THEN '' ELSE ' ' || c.reason END,
       -c.id, 0, c.amount, '', '', ''
  FROM {credit_note} c LEFT JOIN {invoice} ci ON ci.id = c.invoice_id
 WHERE c.account_id = %s AND c.date >= %s AND c.date <= %s
UNION ALL
SELECT w.written_off_on, 6, w.number, w.id, 0, w.written_off_amount, '', '', ''
  FROM {invoice} w WHERE w.account_id = %s AND w.written_off_on >= %s AND w.written_off_on <= %s
"""
_STATEMENT_PARTS = 7


def _statement_sql(connection) -> str:
    tables = {
        "invoice": Invoice._meta.db_table,
        "payment": Payment._meta.db_table,
        "deduction": Deduction._meta.db_table,
        "credit_note": CreditNote._meta.db_table,
        "recovery": _recoveries().model._meta.db_table,
    }
    return _STATEMENT_SQL.format(**{name: connection.ops.quote_name(table) for name, table in tables.items()})


def _statement_order(connection) -> str:
    # References compare as Python compares strings (by code point): SQLite's default; PostgreSQL's "C" collation.
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    return f"ORDER BY day, kind, reference{collate}, tiebreak"


def _money(value) -> Decimal:
    """A sum or amount as read by raw SQL: PostgreSQL gives Decimal, SQLite a number (decimals kept as floats)."""
    if value is None:
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT)


def _day(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _statement_labels() -> dict[tuple[str, str], str]:
    """Each line's label by (kind, deduction kind), in the language of the request: translated once, not per line."""
    labels = {
        ("invoice", ""): _("Invoice"),
        ("payment", ""): _("Payment"),
        ("reversal", ""): _("Payment reversed"),
        ("recovery", ""): _("Deduction recovered"),
        ("credit_note", ""): _("Credit note"),
        ("write_off", ""): _("Write-off"),
    }
    labels.update(
        {("deduction", kind): _("Deduction: %(kind)s") % {"kind": label} for kind, label in Deduction.Kind.choices}
    )
    return {key: str(label) for key, label in labels.items()}


def _statement_label(labels: dict, kind: str, detail: str) -> str:
    found = labels.get((kind, detail))
    if found is None:  # a deduction kind no longer offered: its stored value, as get_kind_display shows it
        found = str(_("Deduction: %(kind)s") % {"kind": detail})
    return found


class StatementLines:
    """The statement's lines, each with the balance after it, read from the database as they are asked for: a slice
    (a page: ``Paginator`` takes it as its list) runs one query for the balance before it and one for its rows;
    iterating (the Excel) streams every line in chunks without holding them. ``len`` is known from the summary.
    The lines are read where the summary was (the replica inside ``reads_from_replica()``), whenever they are."""

    chunk_size = 2000

    def __init__(self, account: KeyAccount, date_from: date, date_to: date, *, opening: Decimal, count: int):
        self.account, self.date_from, self.date_to = account, date_from, date_to
        self.opening, self._count = opening, count
        self._alias = connection_for_reads(Invoice).alias

    def __len__(self) -> int:
        return self._count

    def count(self) -> int:
        return self._count

    def _params(self) -> list:
        return [self.account.pk, self.date_from, self.date_to] * _STATEMENT_PARTS

    def _lines(self, rows, balance: Decimal):
        labels = _statement_labels()
        for day, kind, reference, _tiebreak, debit, credit, detail, note_code, note_params in rows:
            debit, credit, kind = _money(debit), _money(credit), STATEMENT_KINDS[kind]
            if note_code:  # a deduction's reason the system wrote (contracts.notes), in the reader's language
                reference = f"{reference} {system_texts.render(note_code, json.loads(note_params or '{}'))}"
            balance += debit - credit
            label = _statement_label(labels, kind, detail)
            yield StatementLine(_day(day), kind, label, reference, debit, credit, balance)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(self._count)
        if stop <= start:
            return []
        connection = connections[self._alias]
        sql, order = _statement_sql(connection), _statement_order(connection)
        with connection.cursor() as cursor:
            balance = self.opening
            if start:
                cursor.execute(
                    f"SELECT SUM(debit) - SUM(credit) FROM (SELECT debit, credit FROM ({sql}) m {order} "
                    f"LIMIT {int(start)}) earlier",
                    self._params(),
                )
                balance += _money(cursor.fetchone()[0])
            cursor.execute(
                f"SELECT * FROM ({sql}) m {order} LIMIT {int(stop - start)} OFFSET {int(start)}", self._params()
            )
            return list(self._lines(cursor.fetchall(), balance))

    def __iter__(self):
        connection = connections[self._alias]
        sql = f"SELECT * FROM ({_statement_sql(connection)}) m {_statement_order(connection)}"
        cursor = connection.chunked_cursor()  # a server-side cursor on PostgreSQL: rows arrive a chunk at a time
        try:
            cursor.execute(sql, self._params())

            def rows():
                while True:
                    chunk = cursor.fetchmany(self.chunk_size)
                    if not chunk:
                        return
                    yield from chunk
                    chunk = None  # one chunk held at a time, not this one while the next arrives

            yield from self._lines(rows(), self.opening)
        finally:
            cursor.close()


@reads_from_replica()
def statement_summary(account: KeyAccount, *, date_from: date, date_to: date) -> Statement:
    """The statement for one account and period: opening balance, the totals by kind and the closing balance, in a
    fixed number of queries however many movements; its ``lines`` are read when sliced or iterated
    (``StatementLines``): a page shows a slice, the Excel streams them all."""
    opening = account_balance(account, date_from - timedelta(days=1))
    connection = connection_for_reads(Invoice)
    by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
    count = 0
    closing = opening
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kind, COUNT(*), SUM(debit), SUM(credit) FROM ({_statement_sql(connection)}) m GROUP BY kind",
            [account.pk, date_from, date_to] * _STATEMENT_PARTS,
        )
        for kind, found, debit, credit in cursor.fetchall():
            debit, credit = _money(debit), _money(credit)
            by_kind[STATEMENT_KINDS[kind]] = debit + credit
            count += found
            closing += debit - credit
    reconciliation = account_reconciliation(account)
    return Statement(
        account=account,
        date_from=date_from,
        date_to=date_to,
        opening=opening,
        lines=StatementLines(account, date_from, date_to, opening=opening, count=count),
        invoiced=by_kind["invoice"],
        paid=by_kind["payment"] - by_kind["reversal"],
        deducted=by_kind["deduction"],
        written_off=by_kind["write_off"],
        credited=by_kind["credit_note"],
        recovered=by_kind["recovery"],
        closing=closing,
        open_invoices=reconciliation.open,
        unallocated=reconciliation.unallocated,
        unapplied_credit=reconciliation.unapplied_credit,
    )


@reads_from_replica()
def statement(account: KeyAccount, *, date_from: date, date_to: date) -> Statement:
    """The statement for one account and period with every line in a list (the API): see ``statement_summary``."""
    found = statement_summary(account, date_from=date_from, date_to=date_to)
    found.lines = list(found.lines)
    return found


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
            .annotate(total=money_sum("amount"))
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
