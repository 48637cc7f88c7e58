"""Store P&L (单店经营分析): per store of one chain over a period, its sell-in, the fees attributable to it, its
contribution, and how it was visited and executed — set-based, a fixed number of queries however many stores.

What each figure is (the page says the same):

- **Sell-in**: deliveries to the store dated in the period, quantity × price (the delivery's own price, else the
  listing's purchase price: stores.selectors.delivery_value). Invoices name a chain, never a store, so deliveries
  are the one per-store figure.
- **Listing fees**: per store × SKU newly listed in the period, the listing's own fee where it has one, else the
  amount of the chain's per-store-per-SKU listing term valid on the listing day (contracts of the chain that are
  active, expired or terminated — a draft is not agreed; a terminated one's terms up to its termination month's end,
  nothing after it, as the ledger accrues them: tradespend.rules.term_accrues_through). Both at once would count one
  fee twice.
- **Display fees**: display agreements (evidence.DisplayAgreement) starting in the period: a store's own fee, and a
  chain-wide agreement's fee split evenly over the chain's active stores. Agreements generated from a promotion
  plan are left out here: their fee (the plan's TG fee) is in the plan's promotion cost below.
- **Promoter fees**: what the trade-spend ledger books as promoter cost (tradespend/accruals.py), per store:
  * actual (shifts): the promoters' pay for their shifts at the store (tradespend/promoter_pay.py's
    promoter_pay_by_store: the ledger's PROMOTER lines cut by store by the same rules — a daily fee by the shifts
    attended there, a monthly pay's share by the shifts scheduled there, a month without shifts by the roster's
    stores), on a plan or not. The ledger books pay in whole months, so the P&L counts the months that begin in
    the period, as the ledger stands on its last day (today while it runs): for a calendar month, the store lines
    add up exactly to the ledger's PROMOTER lines of the chain and month; a period starting mid-month counts that
    month's pay in none of it (the next period's months hold it).
  * planned: each plan approved or beyond that starts in the period and has no promoter shift at all, its planned
    promoter fee split evenly over the stores it covers (all the chain's active stores, or the chosen ones). A
    plan with shifts has its shifts' pay instead (as in the ledger, which then leaves its planned fee out), so
    its fee is never counted twice.
- **Promotion costs**: the same plans' other costs (DM, TG, gifts, price support, supply funding: the evaluated
  cost once evaluated, else the planned one, less the planned promoter fee — for a plan with shifts too, as the
  ledger does), split by each covered store's share of the plan's sell-in (its products delivered to its stores
  during the plan), evenly where it sold nothing in.
- **Contribution** = sell-in − attributable fees. There is no cost of goods in the portal, so this is not a gross
  margin: it is what the store brings in before the maker's own costs.
- **Visits** done (checked out) in the period and their ratings; **execution**: promotion checks at the store in
  the period (evidence.PromotionExecution) found executed ÷ checked.

A store is flagged "renegotiate or exit" when its fees exceed `KA.store_fee_ratio_alert` of its sell-in (or it
has fees and no sell-in).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import KeyAccount
from contracts.models import ContractTerm
from evidence.agreement_rules import split_cents, split_fee, to_cents
from evidence.models import DisplayAgreement, PromotionExecution
from ka_portal.db_router import reads_from_replica
from ka_portal.money import CENT, ZERO, money_sum
from promoters.models import Shift
from promotions.models import PromotionPlan
from stores.models import Delivery, Listing, Store
from stores.selectors import delivery_value, sell_in_by
from tradespend.accruals import ACCRUING_CONTRACT_STATUSES, ACCRUING_PLAN_STATUSES
from tradespend.promoter_pay import promoter_pay_by_store
from tradespend.rules import add_months, month_start, term_accrues_through
from visits.models import Visit
from visits.selectors import day_bounds


@dataclass
class StorePnl:
    """One store's line of the P&L."""

    store: Store
    sell_in: Decimal = ZERO
    listing_fees: Decimal = ZERO
    display_fees: Decimal = ZERO
    promoter_pay: Decimal = ZERO  # actual: promoters' pay for their shifts at the store
    promoter_planned: Decimal = ZERO  # planned: the promoter fees of plans without shifts
    promotion_costs: Decimal = ZERO
    visits: int = 0
    ratings: dict[str, int] = field(default_factory=dict)  # red / yellow / green → visits
    checks: int = 0  # promotion executions checked at the store
    executed: int = 0
    threshold: Decimal = Decimal("0.25")

    @property
    def promoter_fees(self) -> Decimal:
        """The promoter cost the ledger books: the shifts' pay, and the planned fee of plans without shifts."""
        return self.promoter_pay + self.promoter_planned

    @property
    def fees(self) -> Decimal:
        return self.listing_fees + self.display_fees + self.promoter_fees + self.promotion_costs

    @property
    def contribution(self) -> Decimal:
        """Sell-in − attributable fees (no cost of goods: not a gross margin)."""
        return self.sell_in - self.fees

    @property
    def fee_ratio(self) -> Decimal | None:
        """Fees ÷ sell-in; None without sell-in."""
        return self.fees / self.sell_in if self.sell_in else None

    @property
    def execution(self) -> Decimal | None:
        return Decimal(self.executed) / self.checks if self.checks else None

    @property
    def flagged(self) -> bool:
        """Renegotiate or exit: fees above the threshold's share of sell-in (any fee without sell-in)."""
        if not self.sell_in:
            return self.fees > 0
        return self.fees > self.sell_in * self.threshold


@dataclass
class StorePnlReport:
    account: KeyAccount
    start: date
    end: date
    threshold: Decimal
    rows: list[StorePnl]

    @property
    def total(self) -> StorePnl:
        total = StorePnl(store=None, threshold=self.threshold)  # type: ignore[arg-type]
        for name in ("sell_in", "listing_fees", "display_fees", "promoter_pay", "promoter_planned", "promotion_costs"):
            setattr(total, name, sum((getattr(row, name) for row in self.rows), ZERO))
        for name in ("visits", "checks", "executed"):
            setattr(total, name, sum(getattr(row, name) for row in self.rows))
        return total

    @property
    def flagged(self) -> list[StorePnl]:
        return [row for row in self.rows if row.flagged]


def split_cents_by_weight(cents: int, weights: list[Decimal]) -> list[int]:
    """`cents` cut into whole shares in proportion to `weights` (never negative), adding up to it: each share
    rounded down, the odd cents to the largest remainders (the first among equals); evenly when every weight is
    zero. Exactly, in whole numbers: the weights brought to one denominator."""
    if not weights:
        return []
    ratios = [weight.as_integer_ratio() for weight in weights]
    denominator = math.lcm(*(d for _, d in ratios))
    scaled = [n * (denominator // d) for n, d in ratios]
    whole = sum(scaled)
    if whole <= 0:
        return split_cents(cents, len(weights))
    parts = [divmod(cents * weight, whole) for weight in scaled]
    shares = [share for share, _ in parts]
    odd = cents - sum(shares)
    if odd:
        for n in sorted(range(len(parts)), key=lambda n: (-parts[n][1], n))[:odd]:
            shares[n] += 1
    return shares


@reads_from_replica()
def store_pnl(*, account: KeyAccount, start: date, end: date) -> StorePnlReport:
    """The store P&L of one chain for start…end (inclusive), ranked by contribution, highest first.

    Stores shown: the chain's active stores, and an inactive one with anything in the period. Thirteen queries
    (ten when no month begins in the period), whatever the number of stores, plans, agreements or promoters.
    """
    threshold = settings.KA.store_fee_ratio_alert
    stores = list(Store.objects.filter(account=account).order_by("code"))
    lines = {store.pk: StorePnl(store=store, threshold=threshold) for store in stores}
    active_ids = [store.pk for store in stores if store.active]

    deliveries = Delivery.objects.filter(store__account=account)
    for store_id, total in sell_in_by(deliveries, "store_id", start, end).items():
        lines[store_id].sell_in = (total or ZERO).quantize(CENT)

    _listing_fees(account, start, end, lines)
    _display_fees(account, start, end, lines, active_ids)
    _plan_costs(account, start, end, lines, active_ids)
    _promoter_pay(account, start, end, lines)
    _visits(account, start, end, lines)

    rows = [
        line for line in lines.values() if line.store.active or line.sell_in or line.fees or line.visits or line.checks
    ]
    rows.sort(key=lambda line: (-line.contribution, line.store.code))
    return StorePnlReport(account=account, start=start, end=end, threshold=threshold, rows=rows)


def _listing_fees(account, start, end, lines) -> None:
    """Two queries: the listings new in the period, and the chain's per-store-per-SKU listing terms."""
    listings = Listing.objects.filter(store__account=account, listed_on__gte=start, listed_on__lte=end).values_list(
        "store_id", "listed_on", "listing_fee"
    )
    rows = (
        ContractTerm.objects.filter(
            contract__account=account,
            contract__status__in=ACCRUING_CONTRACT_STATUSES,
            kind=ContractTerm.Kind.LISTING,
            basis=ContractTerm.Basis.PER_STORE_SKU,
            valid_from__lte=end,
            valid_to__gte=start,
        )
        .order_by("valid_from", "pk")
        .values_list("valid_from", "valid_to", "contract__terminated_on", "amount")
    )
    # a terminated contract's term pays for listings up to its termination month's end, as the ledger accrues it
    terms = [
        (valid_from, term_accrues_through(valid_to, ended), amount) for valid_from, valid_to, ended, amount in rows
    ]
    for store_id, listed_on, own_fee in listings:
        fee = own_fee
        if not fee:
            fee = sum((amount for valid_from, valid_to, amount in terms if valid_from <= listed_on <= valid_to), ZERO)
        lines[store_id].listing_fees += fee


def _display_fees(account, start, end, lines, active_ids) -> None:
    """One query: agreements starting in the period, not generated from a plan (its TG fee is the plan's cost)."""
    agreements = (
        DisplayAgreement.objects.filter(account=account, start_on__gte=start, start_on__lte=end)
        .exclude(source=DisplayAgreement.Source.PLAN)
        .values_list("store_id", "fee")
    )
    for store_id, fee in agreements:
        if store_id is not None:
            if store_id in lines:  # an agreement of this chain at another chain's store is not this chain's
                lines[store_id].display_fees += fee
            continue
        for shared_by, share in zip(active_ids, split_fee(fee, len(active_ids)), strict=True):
            lines[shared_by].display_fees += share


def _plan_costs(account, start, end, lines, active_ids) -> None:
    """Three queries: the plans starting in the period (each with whether promoter shifts are assigned to it),
    their chosen stores, and their sell-in per store."""
    plans = list(
        PromotionPlan.objects.filter(
            account=account, status__in=ACCRUING_PLAN_STATUSES, start_on__gte=start, start_on__lte=end
        )
        .annotate(has_shifts=Exists(Shift.objects.filter(plan=OuterRef("pk"))))
        .values_list("pk", "all_stores", "promoter_fee", "total_cost", "evaluation__total_cost", "has_shifts")
    )
    if not plans:
        return
    plan_ids = [plan[0] for plan in plans]
    chosen: dict[int, list[int]] = defaultdict(list)
    for plan_id, store_id in (
        PromotionPlan.stores.through.objects.filter(promotionplan_id__in=plan_ids)
        .order_by("store_id")
        .values_list("promotionplan_id", "store_id")
    ):
        chosen[plan_id].append(store_id)
    # Each plan's products delivered to the chain's stores during the plan, per (plan, store): one grouped query
    # (the item's join is the same in the filter and the grouping, so a delivery counts for the plan it fell in).
    plan_sales = (
        Delivery.objects.filter(
            store__account=account,
            product__promotion_items__plan_id__in=plan_ids,
            date__gte=F("product__promotion_items__plan__start_on"),
            date__lte=F("product__promotion_items__plan__end_on"),
        )
        .values("product__promotion_items__plan_id", "store_id")
        .annotate(total=money_sum(delivery_value()))
        .order_by()
        .values_list("product__promotion_items__plan_id", "store_id", "total")
    )
    sold: dict[int, dict[int, Decimal]] = defaultdict(dict)  # a plan's sell-in at each store that sold
    for plan_id, store_id, total in plan_sales:
        if total:
            sold[plan_id][store_id] = total
    # A chain's hundreds of plans, many for all its hundreds of stores, would be hundreds of thousands of shares one
    # by one. A share is 0 where a plan sold nothing (when it sold anywhere), so a plan's cost is split over the
    # stores that sold (in the order of its stores, which breaks ties); an even split over every store is summed
    # over the plans before it is spread (_Shares); each store's shares are summed in whole cents, made an amount
    # once. The figures are those of a split store by store (tests/analytics/test_store_pnl.py).
    everywhere = active_ids  # the chain's active stores, each with its line
    everywhere_at = {store_id: n for n, store_id in enumerate(everywhere)}
    planned, costs = _Shares(everywhere), _Shares(everywhere)
    for plan_id, all_stores, promoter_fee, planned_cost, evaluated_cost, has_shifts in plans:
        if all_stores:
            covered, at = everywhere, everywhere_at
        else:
            covered = [store_id for store_id in chosen[plan_id] if store_id in lines]
            at = {store_id: n for n, store_id in enumerate(covered)}
        if not covered:
            continue
        if not has_shifts:  # with shifts, its promoter cost is their pay (_promoter_pay), as in the ledger
            planned.evenly(to_cents(promoter_fee), covered)
        cost = max((evaluated_cost if evaluated_cost is not None else planned_cost) - promoter_fee, ZERO)
        plan_sold = sold.get(plan_id, {})
        selling = [store_id for _, store_id in sorted((at[s], s) for s in plan_sold if s in at)]
        if selling:
            weights = [plan_sold[store_id] for store_id in selling]
            costs.add(zip(selling, split_cents_by_weight(to_cents(cost), weights), strict=True))
        else:
            costs.evenly(to_cents(cost), covered)
    for store_id, cents in planned.total().items():
        lines[store_id].promoter_planned += Decimal(cents) / 100
    for store_id, cents in costs.total().items():
        lines[store_id].promotion_costs += Decimal(cents) / 100


class _Shares:
    """Cents owed to each store, added plan by plan. A split evenly over every active store (`everywhere`, in its
    order) is kept as two numbers, the share every store takes and how many stores take a cent more, and spread
    when the total is asked for; any other split is added store by store."""

    def __init__(self, everywhere: list[int]):
        self.everywhere = everywhere
        self.cents: dict[int, int] = defaultdict(int)
        self.each = 0
        self.odd_cents = [0] * (len(everywhere) + 1)  # [k]: how many even splits gave the first k stores a cent more

    def add(self, shares) -> None:
        for store_id, cents in shares:
            self.cents[store_id] += cents

    def evenly(self, cents: int, stores: list[int]) -> None:
        """split_cents(cents, len(stores)) over `stores`."""
        if stores is not self.everywhere:
            self.add(zip(stores, split_cents(cents, len(stores)), strict=True))
            return
        share, odd = divmod(cents, len(stores))
        self.each += share
        self.odd_cents[odd] += 1

    def total(self) -> dict[int, int]:
        if self.each or any(self.odd_cents[1:]):
            more = 0  # at position n: the even splits whose odd cents reached past it
            for n in range(len(self.everywhere) - 1, -1, -1):
                more += self.odd_cents[n + 1]
                self.cents[self.everywhere[n]] += self.each + more
        return self.cents


def months_beginning(start: date, end: date) -> tuple[date, date] | None:
    """The first and last of the months whose first day falls in start…end, as month starts; None if none does."""
    first = month_start(start) if start.day == 1 else add_months(month_start(start), 1)
    last = month_start(end)
    return (first, last) if first <= last else None


def _promoter_pay(account, start, end, lines) -> None:
    """Three queries (none when no month begins in the period): the promoters' pay the ledger books at the chain
    in the months beginning in the period, as of its last day (today while it runs), per store."""
    months = months_beginning(start, end)
    if months is None:
        return
    as_of = min(end, timezone.localdate())
    for part in promoter_pay_by_store(as_of=as_of, account=account, months=months):
        if part.store_id in lines:
            lines[part.store_id].promoter_pay += part.amount


def _visits(account, start, end, lines) -> None:
    """Two queries: visits done (checked out) per store with their ratings, and promotion checks per store."""
    rating = Visit.Rating
    visits = (
        Visit.objects.filter(
            store__account=account,
            checked_out_at__isnull=False,
            checked_in_at__gte=day_bounds(start)[0],  # local days as instants: the index serves the range
            checked_in_at__lt=day_bounds(end)[1],
        )
        .values("store_id")
        .annotate(
            done=Count("pk"),
            red=Count("pk", filter=Q(rating=rating.RED)),
            yellow=Count("pk", filter=Q(rating=rating.YELLOW)),
            green=Count("pk", filter=Q(rating=rating.GREEN)),
        )
        .order_by()
    )
    for row in visits:
        line = lines[row["store_id"]]
        line.visits = row["done"]
        line.ratings = {"red": row["red"], "yellow": row["yellow"], "green": row["green"]}
    executions = (
        PromotionExecution.objects.filter(
            store__account=account, checked_at__date__gte=start, checked_at__date__lte=end
        )
        .values("store_id")
        .annotate(checked=Count("pk"), executed=Count("pk", filter=Q(executed=True)))
        .order_by()
    )
    for row in executions:
        line = lines[row["store_id"]]
        line.checks, line.executed = row["checked"], row["executed"]
