"""Gross to net per chain (总额到净额, issue 12 item 7).

For a key account and a month:

- gross: invoiced sell-in net of credit notes, by invoice / credit-note date (contracts.selectors.net_sell_in);
- rebates, fixed fees, promotion spend: Σ AccrualLine.amount of the month by category (by kind for the breakdown);
- unsupported deductions: Σ (amount − matched) of the account's deductions dated in the month, less the
  recoveries dated in the month (a recovery counts in its own month, so one recorded after its deduction's month
  closed leaves that month as frozen); and what deductions are matched above a line of the month that the ledger
  has since lowered (over-deducted: a display fee not evidenced under a match finance made by hand, or under a
  deduction dated in a closed month), which the ledger no longer holds and no deduction counts as unsupported —
  the chain took it all the same;
- net = gross − rebates − fixed fees − promotion − unsupported.

Total spend is everything between gross and net (rebates + fixed fees + promotion + unsupported), so
gross − spend = net always; the trade-spend ratio (费用率) is spend ÷ gross, in total and per kind (None when
gross is 0 or below). A period is the sum of its months: a closed month reads its frozen ClosedFigure, an open month is
computed live — whatever is recorded later, a closed month's figures never change.

Everything here is set-based: a fixed number of queries (grouped by account and month) whatever the number of
accounts and months.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import KeyAccount, SalesTarget
from contracts.models import Contract, ContractTerm, Deduction
from contracts.selectors import deduction_unsupported, net_sell_in
from ka_portal.db_router import reads_from_replica
from ka_portal.errors import DomainError
from ka_portal.money import ZERO, money_sum
from ka_portal.months import check_month_range, read_month
from ka_portal.months import parse_month as month_of

from .matching import lines_with_matches, matched_above
from .models import AccrualLine, ClosedFigure, ClosedMonth, DeductionRecovery, SpendCategory, SpendKind
from .rules import add_months, month_start, months_between, percent_of, term_accrues_until

CATEGORY_FIELD = {
    SpendCategory.REBATE: "rebates",
    SpendCategory.FIXED_FEE: "fixed_fees",
    SpendCategory.PROMOTION: "promotion",
}
STEPS = ("gross", "rebates", "fixed_fees", "promotion", "unsupported", "net")
# The spend steps are totals of kinds, and say so in Chinese: "Rebates" beside the kind "Rebate", "Promotion spend"
# beside the kind "Promotion cost" both read 返利 / 促销费用 otherwise (the export's kind columns, a chain's spend by
# kind). Every header of a step says it in these words (templates: {% translate "Rebates" context "gross-to-net
# step" %}).
STEP_LABELS = {
    "gross": _("Gross invoiced"),
    "rebates": pgettext_lazy("gross-to-net step", "Rebates"),
    "fixed_fees": pgettext_lazy("gross-to-net step", "Fixed fees"),
    "promotion": pgettext_lazy("gross-to-net step", "Promotion spend"),
    "unsupported": _("Unsupported deductions"),
    "net": _("Net"),
}


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole as a fraction to 4 places (0.1234 = 12.34 %); None when there is no gross to divide by: none at
    all, or a gross at or below 0 (credit notes above the invoices), over which a share means nothing."""
    if whole is None or whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


@dataclass
class Figures:
    """Gross to net of one account (or a total) over some months."""

    gross: Decimal = ZERO
    rebates: Decimal = ZERO
    fixed_fees: Decimal = ZERO
    promotion: Decimal = ZERO
    unsupported: Decimal = ZERO
    by_kind: dict[str, Decimal] = field(default_factory=dict)

    @property
    def spend(self) -> Decimal:
        return self.rebates + self.fixed_fees + self.promotion + self.unsupported

    @property
    def net(self) -> Decimal:
        return self.gross - self.rebates - self.fixed_fees - self.promotion - self.unsupported

    @property
    def ratio(self) -> Decimal | None:
        return ratio(self.spend, self.gross)

    @property
    def is_empty(self) -> bool:
        return not (self.gross or self.spend or any(self.by_kind.values()))

    def add(self, other: "Figures") -> None:
        for name in ("gross", "rebates", "fixed_fees", "promotion", "unsupported"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, amount in other.by_kind.items():
            self.by_kind[kind] = self.by_kind.get(kind, ZERO) + amount

    def kinds(self) -> list[tuple[str, str, Decimal, Decimal | None]]:
        """(kind, label, spend, ratio) for every kind with spend, in SpendKind's order."""
        labels = dict(SpendKind.choices)
        return [
            (kind, labels[kind], self.by_kind[kind], ratio(self.by_kind[kind], self.gross))
            for kind in SpendKind.values
            if self.by_kind.get(kind)
        ]

    def steps(self) -> list[tuple[str, str, Decimal]]:
        """(step, label, amount) from gross to net, spend steps as positive amounts."""
        return [(step, STEP_LABELS[step], getattr(self, step)) for step in STEPS]

    def as_snapshot(self) -> dict:
        """The ClosedFigure fields that freeze these figures."""
        return {
            "gross": self.gross,
            "rebates": self.rebates,
            "fixed_fees": self.fixed_fees,
            "promotion": self.promotion,
            "unsupported": self.unsupported,
            "by_kind": {kind: str(amount) for kind, amount in sorted(self.by_kind.items())},
        }

    @classmethod
    def from_closed(cls, figure: ClosedFigure) -> "Figures":
        return cls(
            gross=figure.gross,
            rebates=figure.rebates,
            fixed_fees=figure.fixed_fees,
            promotion=figure.promotion,
            unsupported=figure.unsupported,
            by_kind={kind: Decimal(amount) for kind, amount in (figure.by_kind or {}).items()},
        )


@dataclass
class Row:
    account: KeyAccount
    figures: Figures
    by_month: dict[date, Figures]


@dataclass
class Report:
    month_from: date
    month_to: date
    months: list[date]
    closed: dict[date, ClosedMonth]  # the closed months of the period
    rows: list[Row]
    total: Figures

    @property
    def open_months(self) -> list[date]:
        return [month for month in self.months if month not in self.closed]

    def row_for(self, account) -> Row | None:
        return next((row for row in self.rows if row.account.pk == account.pk), None)


def live_figures(account_ids, months: list[date]) -> dict[tuple[int, date], Figures]:
    """Figures computed from what is recorded now, per (account id, month) that has any invoice, credit note,
    spend line, deduction or recovery: six queries over the span of ``months`` (months outside the list are
    dropped). ``account_ids``: a list of ids or a queryset of accounts."""
    wanted = set(months)
    if not wanted:
        return {}
    first, last = min(wanted), max(wanted)
    end = add_months(last, 1)
    cells: dict[tuple[int, date], Figures] = defaultdict(Figures)

    gross = net_sell_in(
        ("account_id", "date__year", "date__month"), account_ids=account_ids, date__gte=first, date__lt=end
    )
    for (account_id, year, month_number), amount in gross.items():
        month = date(year, month_number, 1)
        if month in wanted:
            cells[account_id, month].gross += amount

    lines = (
        AccrualLine.objects.filter(account_id__in=account_ids, month__in=sorted(wanted))
        .values("account_id", "month", "category", "kind")
        .annotate(total=money_sum("amount"))
        .order_by()
        .values_list("account_id", "month", "category", "kind", "total")
    )
    for account_id, month, category, kind, total in lines:
        cell = cells[account_id, month]
        name = CATEGORY_FIELD[category]
        setattr(cell, name, getattr(cell, name) + total)
        cell.by_kind[kind] = cell.by_kind.get(kind, ZERO) + total

    deductions = (
        Deduction.objects.filter(account_id__in=account_ids, date__gte=first, date__lt=end)
        .values("account_id", "date__year", "date__month")
        .annotate(total=money_sum(deduction_unsupported()))
        .order_by()
        .values_list("account_id", "date__year", "date__month", "total")
    )
    for account_id, year, month_number, total in deductions:
        month = date(year, month_number, 1)
        if month in wanted:
            cells[account_id, month].unsupported += total

    # matched above what the ledger now holds: counted nowhere else (QA: a lowered display fee's money disappeared)
    over = (
        lines_with_matches(AccrualLine.objects.filter(account_id__in=account_ids, month__in=sorted(wanted)))
        .filter(over_deducted=True)
        .values_list("account_id", "month", "amount", "deducted")
    )
    for account_id, month, amount, deducted in over:
        cells[account_id, month].unsupported += matched_above(amount, deducted)

    # A recovery counts in the month it is dated in (never a closed one: rules.check_month_open), not in its
    # deduction's month, which may be closed and frozen: where the two months differ, it goes back on the
    # deduction's month (its recovered_amount took it off there) and comes off the recovery's; so does the tolerance
    # difference the recovery left accepted as matched (its deduction's matched_amount took that off there too).
    moved = (
        DeductionRecovery.objects.filter(deduction__account_id__in=account_ids)
        .filter(Q(on__gte=first, on__lt=end) | Q(deduction__date__gte=first, deduction__date__lt=end))
        .annotate(recovered_in=TruncMonth("on"), deducted_in=TruncMonth("deduction__date"))
        .exclude(recovered_in=F("deducted_in"))
        .values("deduction__account_id", "deducted_in", "recovered_in")
        .annotate(total=money_sum(F("amount") + F("tolerance_difference")))
        .order_by()
        .values_list("deduction__account_id", "deducted_in", "recovered_in", "total")
    )
    for account_id, deducted_in, recovered_in, total in moved:
        if month_start(deducted_in) in wanted:
            cells[account_id, month_start(deducted_in)].unsupported += total
        if month_start(recovered_in) in wanted:
            cells[account_id, month_start(recovered_in)].unsupported -= total
    return dict(cells)


@dataclass(frozen=True)
class RecoveriesAcross:
    """Recoveries that make a period's unsupported figure differ from the sum its deductions list shows (each
    deduction there less what was recovered of it, whenever): `before`, recovered in the period on deductions dated
    before it (they lower the period's figure, and their deductions are not in its list); `after`, recovered after
    the period on deductions dated in it (the figure keeps them, the list has taken them off already)."""

    before: Decimal = Decimal("0.00")
    after: Decimal = Decimal("0.00")


def recoveries_across(account_ids, month_from: date, month_to: date) -> RecoveriesAcross:
    """One query: the two sums of RecoveriesAcross for the accounts and the months (first days, both included)."""
    first, end = month_start(month_from), add_months(month_start(month_to), 1)
    moved = F("amount") + F("tolerance_difference")  # with what it left accepted as matched, as live_figures counts
    in_period = Q(deduction__date__gte=first, deduction__date__lt=end)
    sums = DeductionRecovery.objects.filter(deduction__account_id__in=list(account_ids)).aggregate(
        before=money_sum(moved, default=ZERO, filter=Q(on__gte=first, on__lt=end, deduction__date__lt=first)),
        after=money_sum(moved, default=ZERO, filter=Q(in_period, on__gte=end)),
    )
    return RecoveriesAcross(before=sums["before"], after=sums["after"])


def closed_months_between(month_from: date, month_to: date) -> dict[date, ClosedMonth]:
    months = ClosedMonth.objects.filter(month__gte=month_start(month_from), month__lte=month_start(month_to))
    return {closed.month: closed for closed in months.select_related("closed_by")}


@reads_from_replica()
def gross_to_net(*, accounts, month_from: date, month_to: date) -> Report:
    """Gross to net of every account of ``accounts`` (a queryset, already scoped) for the months ``month_from``
    to ``month_to`` (any day of each; both included): one row per account (accounts without any figure too),
    ordered by code (as every list of chains: the name is Chinese whatever the reader's language), and the total.
    Closed months read ClosedFigure, open ones are computed live.
    Eight queries whatever the number of accounts and months."""
    month_from, month_to = month_start(month_from), month_start(month_to)
    months = months_between(month_from, month_to)
    accounts = list(accounts.order_by("code"))  # 1
    ids = [account.pk for account in accounts]
    closed = closed_months_between(month_from, month_to)  # 2
    open_months = [month for month in months if month not in closed]
    cells = live_figures(ids, open_months) if ids else {}  # 3–7
    if closed and ids:
        frozen = ClosedFigure.objects.filter(closed_month__month__in=list(closed), account_id__in=ids).annotate(
            month=F("closed_month__month")
        )  # 8
        for figure in frozen:
            cells[figure.account_id, figure.month] = Figures.from_closed(figure)
    by_account: dict[int, dict[date, Figures]] = defaultdict(dict)
    for (account_id, month), figures in cells.items():
        by_account[account_id][month] = figures
    rows, total = [], Figures()
    for account in accounts:
        figures = Figures()
        for month in sorted(by_account.get(account.pk, {})):
            figures.add(by_account[account.pk][month])
        rows.append(Row(account=account, figures=figures, by_month=by_account.get(account.pk, {})))
        total.add(figures)
    return Report(month_from=month_from, month_to=month_to, months=months, closed=closed, rows=rows, total=total)


# --- periods -------------------------------------------------------------------------------------------------

PRESETS = {
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "this_quarter": _("This quarter"),
    "year_to_date": _("Year to date"),
    "last_year": _("Last year"),
}


def preset_period(name: str, today: date) -> tuple[date, date]:
    """The first and last month of a named period as of ``today``; unknown names give this month."""
    this = month_start(today)
    if name == "last_month":
        last = add_months(this, -1)
        return last, last
    if name == "this_quarter":
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return first, add_months(first, 2)
    if name == "year_to_date":
        return date(today.year, 1, 1), this
    if name == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 1)
    return this, this


# The longest period gross to net and the analyses over it read: three years, as a page of the month-close page shows
# (views.gross_to_net.MONTHS_SHOWN), the performance report reads (accounts.selectors.PERFORMANCE_MAX_MONTHS) and a
# store P&L's days cover (analytics.forms.STORE_PNL_MAX_DAYS).
PERIOD_MAX_MONTHS = 36


def report_period(
    first: str | date | None,
    last: str | date | None,
    *,
    today: date,
    default: str = "this_month",
    fields: tuple[str, str] = ("from", "to"),
    labels: tuple = ("from", "to"),
    required: tuple[bool, bool] = (False, False),
) -> tuple[date, date]:
    """The months of gross to net or an analysis as asked, the pages' boxes (``month_from``, ``month_to``) and the
    API's ``?from=&to=`` alike: each a month as YYYY-MM (ka_portal.months.read_month), the last not before the
    first, at most PERIOD_MAX_MONTHS of them. One given alone is that month; neither, the ``default`` preset. A
    refusal names its parameter (``fields``, worded as ``labels``: the boxes' labels on a page, the parameters'
    names in the API), every month it cannot read at once (the refusal's ``problems``); one ``required`` and left
    blank is refused too (an API parameter sent empty)."""
    months, problems = [], []
    for text, name, label, needed in zip((first, last), fields, labels, required, strict=True):
        try:
            months.append(read_month(text, field=name, label=label, required=needed))
        except DomainError as refusal:
            problems.append(refusal)
    if problems:
        problems[0].problems = problems
        raise problems[0]
    start, end = months
    if start is None and end is None:
        return preset_period(default, today)
    start, end = start or end, end or start
    check_month_range(start, end, field=fields[1], label=labels[1], max_months=PERIOD_MAX_MONTHS)
    return start, end


def parse_month(text: str | None) -> date | None:
    """ "2026-05" (or a full date) → date(2026, 5, 1); None for anything else (ka_portal.months reads it)."""
    try:
        return month_of(text)
    except ValueError:
        return None


# --- contract execution --------------------------------------------------------------------------------------


def term_period_count(period: str, valid_from: date, valid_to: date) -> int:
    """How many of a fixed term's periods its validity holds, counted from its first month: a month per month
    touched, a quarter per started three months, a year per started twelve, once is once."""
    months = len(months_between(valid_from, valid_to))
    if period == ContractTerm.Period.MONTH:
        return months
    if period == ContractTerm.Period.QUARTER:
        return -(-months // 3)
    if period == ContractTerm.Period.YEAR:
        return -(-months // 12)
    return 1


@dataclass
class TermExecution:
    term: ContractTerm
    agreed: Decimal | None  # None: per store per SKU, paid per listing, no total agreed
    spent: Decimal

    @property
    def share(self) -> Decimal | None:
        return ratio(self.spent, self.agreed) if self.agreed else None


@dataclass
class ContractExecution:
    contract: Contract
    target: Decimal
    sell_in: Decimal  # to date: over the validity up to the period's end
    sold_until: date
    terms: list[TermExecution]

    @property
    def achievement(self) -> Decimal | None:
        return ratio(self.sell_in, self.target)


def _target(targets: dict[tuple[int, date], Decimal], account_id: int, start: date, end: date) -> Decimal:
    return sum((targets.get((account_id, month), ZERO) for month in months_between(start, end)), ZERO)


@reads_from_replica()
def contract_execution(*, accounts, month_from: date, month_to: date) -> list[ContractExecution]:
    """The contracts of ``accounts`` whose validity overlaps the period, each with its sell-in to date against
    its target and every term line's spend to date against what was agreed.

    The target is the account's SalesTarget months over the contract's validity: a contract's ``total_amount``
    is what the contract is worth (its fees), not a sales commitment (SPEC §6; the demo's annual contracts hold a
    few thousand yuan), so it is not used. "To date" is the contract's start up to the period's last day (or the
    contract's end, if earlier). A term's agreed total over its whole validity: a percentage → rate × the target of
    the term's months; a fixed fee → amount × the number of its periods in the validity (term_period_count); per
    store per SKU → none (paid per listing). A terminated contract's validity, its terms' and its sell-in to date end
    at its termination date (rules.term_accrues_until), as its accruals do. Spent: Σ the term's ledger lines up to
    the period's end.
    Five to six queries whatever the number of contracts."""
    month_from, month_to = month_start(month_from), month_start(month_to)
    period_end = add_months(month_to, 1)  # exclusive
    contracts = list(
        Contract.objects.filter(account__in=accounts, valid_from__lt=period_end, valid_to__gte=month_from)
        .select_related("account")
        .prefetch_related("terms")
        .order_by("account__code", "valid_from", "number")
    )  # 2 queries
    if not contracts:
        return []
    ids = {contract.account_id for contract in contracts}
    first = min(contract.valid_from for contract in contracts)
    last = max(contract.valid_to for contract in contracts)
    targets = {
        (account_id, date(year, month, 1)): amount
        for account_id, year, month, amount in SalesTarget.objects.filter(
            account_id__in=ids, year__gte=first.year, year__lte=last.year
        ).values_list("account_id", "year", "month", "amount")
    }
    daily = net_sell_in(
        ("account_id", "date"), account_ids=list(ids), date__gte=first, date__lt=period_end
    )  # 2 queries
    terms = [term for contract in contracts for term in contract.terms.all()]
    spent = dict(
        AccrualLine.objects.filter(term__in=[term.pk for term in terms], month__lt=period_end)
        .values("term_id")
        .annotate(total=money_sum("amount"))
        .order_by()
        .values_list("term_id", "total")
    )
    result = []
    for contract in contracts:
        ends = term_accrues_until(contract.valid_to, contract.terminated_on)  # a terminated one: its date
        until = min(ends, period_end - timedelta(days=1))
        sell_in = sum(
            (
                amount
                for (account_id, day), amount in daily.items()
                if account_id == contract.account_id and contract.valid_from <= day <= until
            ),
            ZERO,
        )
        rows = []
        for term in contract.terms.all():
            term_ends = term_accrues_until(term.valid_to, contract.terminated_on)
            if term.basis != ContractTerm.Basis.PER_STORE_SKU and term_ends < term.valid_from:
                agreed = ZERO  # its contract terminated before the line began
            elif term.basis == ContractTerm.Basis.PERCENT:
                base = _target(targets, contract.account_id, term.valid_from, term_ends)
                agreed = percent_of(base, term.rate)  # rounded as the accruals are (half up)
            elif term.basis == ContractTerm.Basis.FIXED:
                agreed = term.amount * term_period_count(term.period, term.valid_from, term_ends)
            else:
                agreed = None
            rows.append(TermExecution(term=term, agreed=agreed, spent=spent.get(term.pk, ZERO)))
        result.append(
            ContractExecution(
                contract=contract,
                target=_target(targets, contract.account_id, contract.valid_from, ends),
                sell_in=sell_in,
                sold_until=until,
                terms=rows,
            )
        )
    return result
