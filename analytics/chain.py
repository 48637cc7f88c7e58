"""One commercial view per chain (客户经营全景, issue 15 item 1): for one key account and a period of whole months,
everything a KA manager weighs, each figure read from the selector that owns it (performance from
accounts.selectors, gross to net from tradespend.reports, aging from contracts.selectors, compliance's rule from
visits.selectors, sell-out from promoters.sellout_selectors) so the page, its Excel and the API say what the lists
behind them say.

A fixed number of queries whatever the chain's size (tests/analytics/test_chain.py counts them)."""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from accounts.models import KeyAccount, SalesTarget
from accounts.selectors import Performance, Period, compared_with_targets, last_year_by_month
from contracts.filters import expiring_soon
from contracts.models import Contract
from contracts.selectors import AgingRow, aging_report, contracts_for, deduction_unsupported, net_sell_in
from ka_portal.db_router import reads_from_replica
from ka_portal.money import ZERO, money_sum, to_money
from ka_portal.scope import disputes_for, promotion_plans_for, sell_out_for, stores_for, visits_for
from promoters.sellout_selectors import SellOutSummary, sell_out_summary
from promotions.models import PromotionPlan
from tradespend import reports
from tradespend.models import AccrualLine, Dispute
from tradespend.rules import add_months, month_start, months_between
from visits.models import SuggestedOrder
from visits.selectors import day_bounds, stops_done, suggestions_day

# Plans that ran or will run: a draft, a submitted or a rejected plan spent nothing.
RUN = (
    PromotionPlan.Status.APPROVED,
    PromotionPlan.Status.RUNNING,
    PromotionPlan.Status.ENDED,
    PromotionPlan.Status.EVALUATED,
)
OPEN_DISPUTES = (Dispute.Status.OPEN, Dispute.Status.WRITE_OFF_REQUESTED)
PROMOTION_LINES = 10  # the plans the page and the API list, the costliest first


@dataclass
class PromotionLine:
    plan: PromotionPlan
    cost: Decimal  # the line's cost as ranked: actual where evaluated, else planned
    evaluated: bool
    planned_cost: Decimal = ZERO  # the plan's total cost (planned)
    actual_cost: Decimal | None = None  # its evaluation's total cost (actual); None until evaluated
    uplift: Decimal | None = None
    incremental_units: int | None = None
    cost_per_incremental_unit: Decimal | None = None


@dataclass
class Promotions:
    """The period's plans in figures (all of them) and the costliest few as lines (the page and API list those
    and link to the plan list for the rest)."""

    lines: list[PromotionLine] = field(default_factory=list)
    count: int = 0
    cost: Decimal = ZERO  # evaluated cost where evaluated, else the plan's total cost
    planned_cost: Decimal = ZERO  # Σ the plans' total cost (planned), evaluated or not
    evaluated_count: int = 0
    evaluated_cost: Decimal = ZERO  # Σ the evaluated plans' total cost (actual)
    incremental_units: int = 0  # of the evaluated plans

    @property
    def cost_per_incremental_unit(self) -> Decimal | None:
        """Σ cost ÷ Σ extra packs of the evaluated plans: None when together they sold no extra pack."""
        if self.incremental_units <= 0:
            return None
        return to_money(self.evaluated_cost / self.incremental_units)  # half up, as the plan's own evaluation


@dataclass
class Coverage:
    stores: int = 0  # active stores of the chain
    visited: int = 0  # of them, visited (checked out) in the period
    planned: int = 0  # published route stops due in the period
    done: int = 0  # of them, visited on their day (visits.selectors.stops_done)

    @property
    def coverage(self) -> Decimal | None:
        return Decimal(self.visited) / self.stores if self.stores else None

    @property
    def compliance(self) -> Decimal | None:
        return Decimal(self.done) / self.planned if self.planned else None


@dataclass
class Overview:
    account: KeyAccount
    month_from: date
    month_to: date
    as_of: date  # receivables and "due so far" are read on this day: the period's end, or today within it
    performance: Performance
    trend: list[Performance]  # per month: actual, target, last year (label: the month's first day)
    figures: reports.Figures  # gross to net of the period
    spend_source: str  # "ledger": the trade-spend ledger; "estimate": promotion costs and deductions as they stand
    norm: Decimal  # the company's norm for the trade-spend ratio (KA.trade_spend_ratio_norm)
    promotions: Promotions
    aging: AgingRow
    dso_days: int
    coverage: Coverage
    flags_date: date | None
    flags: dict[str, int]  # suggested-order flag → pairs, on the latest suggestion day up to as_of
    contracts_expiring: list[Contract]
    disputes_open: int
    disputes_amount: Decimal
    # what shoppers bought at the chain's stores where promoters report (issue 16); shown only when reported
    sell_out: SellOutSummary = field(default_factory=SellOutSummary)

    @property
    def end(self) -> date:
        return add_months(self.month_to, 1) - timedelta(days=1)

    @property
    def ratio_gap(self) -> Decimal | None:
        """The chain's trade-spend ratio less the norm: above zero, it costs more than the company allows."""
        ratio = self.figures.ratio
        return None if ratio is None else ratio - self.norm


@reads_from_replica()
def chain_overview(
    *,
    user,
    account: KeyAccount,
    month_from: date,
    month_to: date,
    today: date,
    promotion_lines: int | None = PROMOTION_LINES,
) -> Overview:
    """The chain page's figures for ``account`` (already found in the user's scope) over whole months.
    ``promotion_lines``: how many plans to list, the costliest first (the page and API: ``PROMOTION_LINES``);
    None lists every plan of the period (the Excel, whose totals row is then the sum of the rows above it)."""
    month_from, month_to = month_start(month_from), month_start(month_to)
    period = Period(month_from, month_to)
    as_of = min(today, period.end)
    one = KeyAccount.objects.filter(pk=account.pk)

    trend = _trend(account, month_from, month_to, today)
    g2n = reports.gross_to_net(accounts=one, month_from=month_from, month_to=month_to)
    figures, source = _spend(account, g2n.rows[0].figures, month_from, period.end)
    aging = aging_report(user, as_of=as_of, account=account)
    return Overview(
        account=account,
        month_from=month_from,
        month_to=month_to,
        as_of=as_of,
        # the period's performance is its months together by the account page's and the performance report's rule
        # (accounts.selectors.compared_with_targets: invoiced net of credit notes, the same days a year before as
        # the actual covers, a month to come counting its target only; where only some months have a target, the
        # target, difference and achievement are those months', Performance.compared)
        performance=replace(compared_with_targets(trend), account=account),
        trend=trend,
        figures=figures,
        spend_source=source,
        norm=settings.KA.trade_spend_ratio_norm,
        promotions=_promotions(user, account, month_from, period.end, promotion_lines),
        aging=aging.rows[0] if aging.rows else AgingRow(account=account),
        dso_days=aging.dso_days,
        coverage=_coverage(user, account, month_from, as_of),
        **_flags(user, account, as_of),
        contracts_expiring=list(
            contracts_for(user).filter(expiring_soon(), account=account).order_by("valid_to", "number")
        ),
        **_disputes(user, account),
        sell_out=sell_out_summary(
            sell_out_for(user), stores=stores_for(user).filter(account=account), start=month_from, end=period.end
        ),
    )


def _trend(account: KeyAccount, month_from: date, month_to: date, today: date) -> list[Performance]:
    """Month by month: sell-in as invoiced net of credit notes (as performance reads it), the target (none where the
    month was left blank), last year (`accounts.selectors.last_year_by_month`: a month in progress against its days
    so far a year before)."""
    months = months_between(month_from, month_to)
    net = net_sell_in(
        ("date__year", "date__month"), account_ids=[account.pk], date__gte=month_from, date__lt=add_months(month_to, 1)
    )
    actual = {date(year, month, 1): amount for (year, month), amount in net.items()}
    before = last_year_by_month(account, Period(month_from, month_to), today)
    targets = {
        date(year, month, 1): amount
        for year, month, amount in SalesTarget.objects.filter(
            account=account, year__gte=month_from.year, year__lte=month_to.year
        ).values_list("year", "month", "amount")
    }
    return [
        Performance(
            label=month.isoformat(),
            month=month,
            actual=actual.get(month, ZERO),
            target=targets.get(month, ZERO),
            targeted=month in targets,  # a month left blank has no target (not one of 0)
            last_year=before[month],
            future=month > today,
        )
        for month in months
    ]


def _spend(account: KeyAccount, figures: reports.Figures, start: date, end: date) -> tuple[reports.Figures, str]:
    """Gross to net from the trade-spend ledger where the chain has one; a chain whose spend was never accrued
    shows its promotion costs (approved plans starting in the period) and its deductions as they stand. Both are
    read either way, so the page costs the same queries for every chain."""
    ledger = AccrualLine.objects.filter(account=account).exists()
    cost = PromotionPlan.objects.filter(
        account=account, status__in=RUN, start_on__gte=start, start_on__lte=end
    ).aggregate(total=money_sum("total_cost"))["total"]
    if ledger:
        return figures, "ledger"
    figures.promotion = cost or ZERO
    return figures, "estimate"


def _promotions(user, account: KeyAccount, start: date, end: date, limit: int | None) -> Promotions:
    """Plans of the period (approved or later, running some day of it, started or not), with their evaluation
    where one was made: their sums in one query, the costliest ``limit`` (all where None) in another."""
    plans = (
        promotion_plans_for(user)
        .filter(account=account, status__in=RUN, start_on__lte=end, end_on__gte=start)
        .annotate(run_cost=Coalesce("evaluation__total_cost", "total_cost"))
    )
    evaluated = Q(evaluation__isnull=False)
    sums = plans.aggregate(
        count=Count("pk"),
        cost=money_sum("run_cost"),
        planned_cost=money_sum("total_cost"),
        evaluated_count=Count("pk", filter=evaluated),
        evaluated_cost=money_sum("evaluation__total_cost"),
        incremental_units=Sum(F("evaluation__sales_units") - F("evaluation__baseline_units")),
    )
    lines = []
    ranked = plans.select_related("type", "evaluation").order_by("-run_cost", "start_on", "pk")
    for plan in ranked if limit is None else ranked[:limit]:
        evaluation = getattr(plan, "evaluation", None)
        if evaluation is None:
            lines.append(PromotionLine(plan=plan, cost=plan.total_cost, evaluated=False, planned_cost=plan.total_cost))
            continue
        lines.append(
            PromotionLine(
                plan=plan,
                cost=evaluation.total_cost,
                evaluated=True,
                planned_cost=plan.total_cost,
                actual_cost=evaluation.total_cost,
                uplift=evaluation.uplift,
                incremental_units=evaluation.sales_units - evaluation.baseline_units,
                cost_per_incremental_unit=evaluation.cost_per_incremental_unit,
            )
        )
    return Promotions(
        lines=lines,
        count=sums["count"],
        cost=sums["cost"] or ZERO,
        planned_cost=sums["planned_cost"] or ZERO,
        evaluated_count=sums["evaluated_count"],
        evaluated_cost=sums["evaluated_cost"] or ZERO,
        incremental_units=sums["incremental_units"] or 0,
    )


def _coverage(user, account: KeyAccount, start: date, as_of: date) -> Coverage:
    stores = stores_for(user).active().filter(account=account)
    first, _ = day_bounds(start)
    _, last = day_bounds(as_of)
    visited = (
        visits_for(user)
        .filter(store__in=stores, checked_in_at__gte=first, checked_in_at__lt=last, checked_out_at__isnull=False)
        .aggregate(n=Count("store", distinct=True))["n"]
    )
    planned, done = stops_done(user, stores=stores, start=start, end=as_of)
    return Coverage(stores=stores.count(), visited=visited, planned=planned, done=done)


def _flags(user, account: KeyAccount, as_of: date) -> dict:
    stores = stores_for(user).filter(account=account)
    orders = SuggestedOrder.objects.filter(store__in=stores)
    latest = suggestions_day(stores, as_of)
    flags = {}
    if latest is not None:
        # the flagged rows in force, from the index of flagged rows alone (migration visits/0025: it carries their
        # dates; a count of the rows, not of their ids, which it does not hold); no ordering's joins
        in_force = orders.in_force_on(as_of).exclude(flag="").order_by()
        flags = dict(in_force.values("flag").annotate(n=Count("*")).values_list("flag", "n"))
    return {"flags_date": latest, "flags": {flag: flags.get(flag, 0) for flag in SuggestedOrder.Flag.values if flag}}


def _disputes(user, account: KeyAccount) -> dict:
    found = (
        disputes_for(user)
        .filter(deduction__account=account, status__in=OPEN_DISPUTES)
        .aggregate(
            n=Count("pk"),
            # what is still disputed: the deduction less what was matched to spend and what was recovered
            amount=money_sum(deduction_unsupported("deduction__"), default=ZERO),
        )
    )
    return {"disputes_open": found["n"], "disputes_amount": found["amount"]}
