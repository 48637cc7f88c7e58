"""Promotion expense ratio (促销费用率, SPEC §5 Evaluation, §7) by type and by account: which type pays back.

The plans: those whose cost the trade-spend ledger books (approved, running, ended, evaluated:
tradespend.accruals.ACCRUING_PLAN_STATUSES), of the chains given, starting in the period (the ledger books a plan
in its start month). For each plan, the figures of the promotion's evaluation (promotions.evaluation.Evaluation):

- cost: what the ledger books for the plan (tradespend.rules.plan_spend): the planned fees and costs until the
  plan is evaluated, then the evaluation's total cost (the supply funding on the packs actually sold in); its
  promoter cost, as in the ledger (tradespend/accruals.py), is the promoters' pay for the shifts assigned to the
  plan once it has any (actual: tradespend.promoter_pay.plan_promoter_pay, every month's as of today, the
  ``promoter:plan:<id>`` lines' sum), else its planned promoter fee — never both (an evaluated plan's evaluation
  holds the planned fee, which is taken out of it the way the ledger's PROMOTION line takes it out);
- sell-in during the plan and in its baseline (the same number of days just before): an evaluated plan's as kept
  by its evaluation, any other's as the evaluation would read them now (promotions.selectors.evaluation_sales,
  the set-based twin of the evaluation's sales_between), so a running plan counts what it sold so far against
  as many days before its start, and a plan yet to start no sell-in and no baseline;
- a running plan's cost is its cost spent to date, as its page reads it (promotions.evaluation.plan_cost_so_far);
- expense ratio = cost ÷ sell-in; incremental packs = packs − baseline packs; cost per incremental pack;
  payback = (sell-in − baseline sell-in) ÷ cost — each of the cost of the plans begun: a plan yet to start shows
  its planned cost, which no group's ratio weighs against the sales of the others;
- sell-out (issue 16) where promoters reported at the plan's stores: the sell-out uplift and the cost per
  incremental pack sold to shoppers (promotions.evaluation.SellOutEvaluation), kept by the evaluation or read now
  (promoters.sellout_selectors.plan_sell_out, set-based).

A group's figures are those of the sums of its plans' figures (not an average of ratios). A fixed number of
queries whatever the number of chains, plans and promoters.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from ka_portal.db_router import reads_from_replica
from ka_portal.formatting import account_name
from ka_portal.money import ZERO
from promoters.models import Shift
from promoters.sellout_selectors import plan_sell_out
from promotions.evaluation import NO_SELL_OUT, Evaluation, SellOutEvaluation, days_through, plan_cost_so_far
from promotions.models import PromotionPlan
from promotions.selectors import evaluation_sales, plan_reach
from promotions.services import supply_funding
from tradespend.accruals import ACCRUING_PLAN_STATUSES
from tradespend.promoter_pay import plan_promoter_pay
from tradespend.rules import add_months, month_start, plan_cost


@dataclass(frozen=True)
class PlanFigures:
    plan: PromotionPlan
    evaluated: bool
    figures: Evaluation
    promoter_pay: Decimal | None = None  # actual promoter cost (its shifts' pay); None: the planned fee counts


@dataclass
class Group:
    key: str
    label: str
    plans: list[PlanFigures]
    link: str = ""

    @property
    def evaluated(self) -> int:
        return sum(1 for plan in self.plans if plan.evaluated)

    @property
    def figures(self) -> Evaluation:
        return total_of(plan.figures for plan in self.plans)

    @property
    def with_shifts(self) -> int:
        """Plans whose promoter cost is their shifts' pay (actual), not the planned fee."""
        return sum(1 for plan in self.plans if plan.promoter_pay is not None)


@dataclass
class PromotionExpense:
    month_from: date
    month_to: date
    by_type: list[Group]
    by_account: list[Group]
    total: Evaluation
    plans: int
    evaluated: int

    @property
    def is_empty(self) -> bool:
        return not self.plans


def total_of(figures) -> Evaluation:
    """One Evaluation holding the sums of several (days, packs, sell-in, cost), so its ratios are of the sums."""
    days = units = base_units = 0
    amount = base_amount = cost = funding = ZERO
    sell_out = NO_SELL_OUT
    begun_cost = ZERO
    for item in figures:
        begun_cost += item.total_cost if item.begun_cost is None else item.begun_cost
        sell_out += item.sell_out or replace(NO_SELL_OUT, total_cost=item.total_cost)
        days += item.days
        units += item.sales_units
        amount += item.sales_amount
        base_units += item.baseline_units
        base_amount += item.baseline_amount
        cost += item.total_cost
        funding += item.supply_funding
    return Evaluation(max(days, 1), units, amount, base_units, base_amount, cost, funding, sell_out, begun_cost)


def on_ledger_basis(plan: PromotionPlan, evaluation, promoter_pay: Decimal | None) -> Evaluation:
    """An evaluation's figures (kept, or computed as evaluating would keep them) with the cost the ledger books
    (tradespend.rules.plan_cost): once the plan has shifts, their pay instead of the planned promoter fee, so the
    cost per extra pack and the expense ratio are of that cost. The plan page and this report read them here."""
    through = getattr(evaluation, "through", None)  # a running plan's figures so far stay so
    if through is not None:  # the cost spent to date: its days' share, the shifts' pay so far
        cost = plan_cost_so_far(
            plan, days=evaluation.days, funding=evaluation.supply_funding, promoter_pay=promoter_pay
        )
    else:
        cost = plan_cost(plan, evaluation.total_cost, promoter_pay)
    return Evaluation(
        evaluation.days,
        evaluation.sales_units,
        evaluation.sales_amount,
        evaluation.baseline_units,
        evaluation.baseline_amount,
        cost,
        evaluation.supply_funding,
        replace(evaluation.sell_out, total_cost=cost),
        through=through,
    )


def _evaluation_of(plan: PromotionPlan):
    try:
        return plan.evaluation
    except PromotionPlan.evaluation.RelatedObjectDoesNotExist:
        return None


def plan_figures(*, accounts, month_from: date, month_to: date) -> list[PlanFigures]:
    """Every plan of ``accounts`` the ledger books, starting in the months ``month_from``–``month_to``, with its
    evaluation's figures (kept, or as of now for a plan not yet evaluated). Seven queries at most, ten when a
    plan has promoter shifts (their pay)."""
    start, end = month_start(month_from), add_months(month_start(month_to), 1)
    plans = list(
        PromotionPlan.objects.filter(
            account__in=accounts, status__in=ACCRUING_PLAN_STATUSES, start_on__gte=start, start_on__lt=end
        )
        .select_related("account", "type", "evaluation")
        .annotate(has_shifts=Exists(Shift.objects.filter(plan=OuterRef("pk"))))
        .order_by("start_on", "pk")
    )  # 1
    with_shifts = [plan for plan in plans if plan.has_shifts]
    today = timezone.localdate()
    pay = plan_promoter_pay(as_of=today, plans=with_shifts)  # 3 more, none without shifts
    # a plan not evaluated yet: its days so far against as many days before it (none yet for one to come), sell-in
    # and sell-out alike, as its page's preliminary evaluation (promotions.services.evaluation_so_far)
    unevaluated = [plan for plan in plans if _evaluation_of(plan) is None]
    # a running plan's supply funding on the packs sold in so far: its items (only theirs: a year of every chain's
    # plans is thousands, each item a model instance)
    prefetch_related_objects([plan for plan in unevaluated if plan.status == PromotionPlan.Status.RUNNING], "items")
    reach = plan_reach(unevaluated) if unevaluated else None  # their stores and products, read once for both
    live = evaluation_sales(unevaluated, as_of=today, reach=reach)
    live_sell_out = plan_sell_out(unevaluated, through=today, reach=reach)  # 6 more
    result = []
    for plan in plans:
        kept = _evaluation_of(plan)
        promoter_pay = pay.get(plan.pk, ZERO) if plan.has_shifts else None
        if kept is not None:
            figures = on_ledger_basis(plan, kept, promoter_pay)
        elif plan.status == PromotionPlan.Status.RUNNING and plan.start_on <= today:
            # as its page reads it (evaluation_so_far): its days so far, the cost spent to date
            sales = live[plan.pk]
            days = days_through(plan.start_on, plan.end_on, today)
            funding = supply_funding(plan.items.all(), sales.units_by_product)
            cost = plan_cost_so_far(plan, days=days, funding=funding, promoter_pay=promoter_pay)
            figures = Evaluation(
                days,
                sales.units,
                sales.amount,
                sales.baseline_units,
                sales.baseline_amount,
                cost,
                funding,
                SellOutEvaluation.of(live_sell_out[plan.pk], cost),
                through=plan.start_on + timedelta(days=days - 1),
            )
        else:
            sales = live[plan.pk]
            cost = plan_cost(plan, None, promoter_pay)
            figures = Evaluation(
                plan.days,
                sales.units,
                sales.amount,
                sales.baseline_units,
                sales.baseline_amount,
                cost,
                plan.supply_funding,
                # a plan yet to start: nothing spent yet that its sales (none yet) or sell-out could weigh
                SellOutEvaluation.of(live_sell_out[plan.pk], ZERO if plan.start_on > today else cost),
                begun_cost=ZERO if plan.start_on > today else None,
            )
        result.append(PlanFigures(plan=plan, evaluated=kept is not None, figures=figures, promoter_pay=promoter_pay))
    return result


def _plans_link(**query) -> str:
    """The promotion plan list filtered to an account (by code) and/or a type (by id)."""
    return f"{reverse('promotions:plan-list')}?{urlencode(query)}"


@reads_from_replica()
def promotion_expense(*, accounts, month_from: date, month_to: date) -> PromotionExpense:
    """Promotion expense by type and by account of ``accounts`` (a queryset, already scoped) for the plans starting
    in the months ``month_from`` to ``month_to``; types in code order, accounts by name."""
    month_from, month_to = month_start(month_from), month_start(month_to)
    plans = plan_figures(accounts=accounts, month_from=month_from, month_to=month_to)
    by_type: dict[int, list[PlanFigures]] = defaultdict(list)
    by_account: dict[int, list[PlanFigures]] = defaultdict(list)
    for item in plans:
        by_type[item.plan.type_id].append(item)
        by_account[item.plan.account_id].append(item)
    types = sorted({item.plan.type for item in plans}, key=lambda kind: kind.code)
    kinds = defaultdict(int)
    for kind in types:
        kinds[kind.kind] += 1
    type_groups = [
        Group(
            key=kind.code,
            label=str(kind.get_kind_display()) + (f" · {kind.name}" if kinds[kind.kind] > 1 else ""),
            plans=by_type[kind.pk],
            link=_plans_link(type=kind.pk),
        )
        for kind in types
    ]
    chains = sorted({item.plan.account for item in plans}, key=lambda account: (account.name, account.code))
    account_groups = [
        Group(
            key=account.code,
            label=account_name(account),
            plans=by_account[account.pk],
            link=_plans_link(account=account.code),
        )
        for account in chains
    ]
    return PromotionExpense(
        month_from=month_from,
        month_to=month_to,
        by_type=type_groups,
        by_account=account_groups,
        total=total_of(item.figures for item in plans),
        plans=len(plans),
        evaluated=sum(1 for item in plans if item.evaluated),
    )
