"""Reads for promotions: the facts the rules are checked against, budgets, queues and sell-in figures."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
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
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import Role
from ka_portal import scope
from ka_portal.money import money_sum
from ka_portal.scope import promotion_plans_for, stores_for, user_role
from stores.models import Delivery, Listing, Product, Store

from .evaluation import days_through
from .models import Budget, PromotionItem, PromotionPlan, PromotionType
from .rules import ItemFacts, OtherPlan, PlanFacts, RuleSettings, TypeNorms, check_plan

# Plans that hold their products' cool-down: everything past the draft that was not rejected.
COOLDOWN_STATUSES = [
    PromotionPlan.Status.SUBMITTED,
    PromotionPlan.Status.APPROVED,
    PromotionPlan.Status.RUNNING,
    PromotionPlan.Status.ENDED,
    PromotionPlan.Status.EVALUATED,
]


def plan_list_for(user) -> QuerySet:
    return promotion_plans_for(user).select_related("account", "type", "owner")


def reopened_as(plan: PromotionPlan) -> PromotionPlan | None:
    """The draft a rejected plan was reopened as, if it was."""
    return PromotionPlan.objects.filter(reopened_from=plan).first()


def earlier_plans(plan: PromotionPlan) -> list[PromotionPlan]:
    """The plans this one was reopened from, the nearest first: their logs are this plan's history too."""
    earlier: list[PromotionPlan] = []
    current = plan.reopened_from
    while current is not None and len(earlier) < 50:
        earlier.append(current)
        current = current.reopened_from
    return earlier


def plan_stores(*, account, all_stores: bool, stores) -> QuerySet:
    """The stores a plan covers: the account's active stores, or the chosen ones."""
    if all_stores:
        return Store.objects.active().filter(account=account)
    return Store.objects.filter(pk__in=[s.pk for s in stores])


def item_prices(*, account, all_stores: bool, stores, products) -> dict[int, dict]:
    """Per product: the normal shelf price the cut is measured from, and the store purchase price floor.

    A whole account is measured from the suggested retail price (SPEC §5 rule 2); chosen stores from
    their listings' shelf price, the highest one, so no store runs a deeper cut than the rule allows.
    The purchase-price floor is the highest purchase price among the covered stores.
    """
    covered = plan_stores(account=account, all_stores=all_stores, stores=stores)
    listed = (
        Listing.objects.active()
        .filter(store__in=covered, product__in=products)
        .values("product_id")
        .annotate(shelf=Max("shelf_price"), purchase=Max("purchase_price"))
        .values_list("product_id", "shelf", "purchase")
    )
    return _prices(products, all_stores, listed)


def _prices(products, all_stores: bool, listings) -> dict[int, dict]:
    """item_prices' figures from the covered stores' active listings, as (product id, shelf, purchase) rows, one
    per listing or already the highest per product."""
    found: dict[int, dict] = {}
    for product_id, shelf, purchase in listings:
        row = found.setdefault(product_id, {"shelf": None, "purchase": None})  # the highest of each, as Max()
        row["shelf"] = max((p for p in (row["shelf"], shelf) if p is not None), default=None)
        row["purchase"] = max((p for p in (row["purchase"], purchase) if p is not None), default=None)
    prices = {}
    for product in products:
        row = found.get(product.pk, {})
        normal = product.suggested_retail_price if all_stores else row.get("shelf", product.suggested_retail_price)
        prices[product.pk] = {"normal": normal, "purchase": row.get("purchase")}
    return prices


def _cooldown_plans(account_ids) -> dict[int, list[OtherPlan]]:
    """The plans that hold their products' cool-down at these accounts (a plan without products holds none), by
    account: one query."""
    rows = (
        PromotionItem.objects.filter(plan__account_id__in=account_ids, plan__status__in=COOLDOWN_STATUSES)
        .order_by("plan_id", "pk")
        .values_list("plan__account_id", "plan_id", "plan__title", "plan__start_on", "plan__end_on", "product_id")
    )
    plans: dict[int, tuple] = {}
    products: dict[int, set[int]] = defaultdict(set)
    for account_id, plan_id, title, start_on, end_on, product_id in rows:
        plans[plan_id] = (account_id, title, start_on, end_on)
        products[plan_id].add(product_id)
    found: dict[int, list[OtherPlan]] = defaultdict(list)
    for plan_id, (account_id, title, start_on, end_on) in plans.items():
        found[account_id].append(OtherPlan(plan_id, title, start_on, end_on, frozenset(products[plan_id])))
    return found


def other_plans(*, account, exclude_id: int | None) -> tuple[OtherPlan, ...]:
    return tuple(o for o in _cooldown_plans([account.pk])[account.pk] if o.plan_id != exclude_id)


def type_norms(promotion_type) -> TypeNorms:
    return TypeNorms(
        name=promotion_type.local_name,
        max_days=promotion_type.max_days,
        periods_allowed=promotion_type.periods_allowed,
        is_clearance=promotion_type.kind == promotion_type.Kind.CLEARANCE,
    )


def _facts(
    *,
    promotion_type,
    start_on: date,
    end_on: date,
    lines: list[tuple[Product, Decimal, Decimal | None]],
    prices: dict[int, dict],
    others: tuple[OtherPlan, ...],
    override_reason: str,
) -> PlanFacts:
    items = tuple(
        ItemFacts(
            product_id=product.pk,
            product=f"{product.code} {product.name}",
            promotion_price=price,
            normal_price=prices[product.pk]["normal"],
            store_purchase_price=prices[product.pk]["purchase"],
            wholesale_price=product.wholesale_price,
            distributor_price=product.distributor_price,
            promo_supply_price=supply,
        )
        for product, price, supply in lines
    )
    return PlanFacts(
        type=type_norms(promotion_type),
        start_on=start_on,
        end_on=end_on,
        items=items,
        other_plans=others,
        price_floor_overridden=bool(override_reason.strip()),
        today=timezone.localdate(),
    )


def facts_for(
    *,
    account,
    promotion_type,
    start_on: date,
    end_on: date,
    all_stores: bool,
    stores,
    lines: list[tuple[Product, Decimal, Decimal | None]],
    override_reason: str = "",
    exclude_id: int | None = None,
) -> PlanFacts:
    """The facts for a plan that may not be saved yet (the form while drafting): lines are
    (product, promotion price, promotional supply price or None)."""
    products = [product for product, _price, _supply in lines]
    return _facts(
        promotion_type=promotion_type,
        start_on=start_on,
        end_on=end_on,
        lines=lines,
        prices=item_prices(account=account, all_stores=all_stores, stores=stores, products=products),
        others=other_plans(account=account, exclude_id=exclude_id),
        override_reason=override_reason,
    )


def plans_facts(plans: list[PromotionPlan]) -> dict[int, PlanFacts]:
    """The facts of saved plans, by plan id, for any number of plans in a fixed number of queries (their products,
    stores, the covered stores' listings and the accounts' other plans): what ``facts_for`` gathers for one plan
    being drafted, for the plan page, the services and the approval queue alike. The plans' ``type`` is read."""
    plans = list(plans)
    if not plans:
        return {}
    items: dict[int, list[PromotionItem]] = defaultdict(list)
    for item in PromotionItem.objects.filter(plan__in=plans).select_related("product").order_by("plan_id", "pk"):
        items[item.plan_id].append(item)
    stores = _plans_stores(plans)
    listings: dict[tuple[int, int], list[tuple]] = defaultdict(list)  # (store, product) → rows
    rows = Listing.objects.active().filter(
        store__in=set().union(*stores.values()), product__in={i.product_id for found in items.values() for i in found}
    )
    for store_id, product_id, shelf, purchase in rows.values_list("store_id", "product_id", "shelf_price",
                                                                  "purchase_price"):  # fmt: skip
        listings[store_id, product_id].append((product_id, shelf, purchase))
    others = _cooldown_plans({plan.account_id for plan in plans})
    facts = {}
    for plan in plans:
        products = [item.product for item in items[plan.pk]]
        covered = [row for s in stores[plan.pk] for p in products for row in listings.get((s, p.pk), ())]
        facts[plan.pk] = _facts(
            promotion_type=plan.type,
            start_on=plan.start_on,
            end_on=plan.end_on,
            lines=[(item.product, item.promotion_price, item.promo_supply_price) for item in items[plan.pk]],
            prices=_prices(products, plan.all_stores, covered),
            others=tuple(o for o in others[plan.account_id] if o.plan_id != plan.pk),
            override_reason=plan.price_floor_override_reason if plan.price_floor_override_by_id else "",
        )
    return facts


def _plans_stores(plans: list[PromotionPlan]) -> dict[int, set[int]]:
    """The stores each plan covers, as ``plan_stores`` says: the chosen ones, or its account's active stores (one
    query for each kind, the second only when a plan covers a whole account)."""
    chosen: dict[int, set[int]] = defaultdict(set)
    through = PromotionPlan.stores.through
    for plan_id, store_id in through.objects.filter(promotionplan__in=plans).values_list("promotionplan_id",
                                                                                          "store_id"):  # fmt: skip
        chosen[plan_id].add(store_id)
    whole = {plan.account_id for plan in plans if plan.all_stores}
    account_stores: dict[int, set[int]] = defaultdict(set)
    if whole:
        for account_id, store_id in Store.objects.active().filter(account_id__in=whole).values_list("account_id", "pk"):
            account_stores[account_id].add(store_id)
    return {plan.pk: account_stores[plan.account_id] if plan.all_stores else chosen[plan.pk] for plan in plans}


def plan_facts(plan: PromotionPlan) -> PlanFacts:
    return plans_facts([plan])[plan.pk]


def plan_violations(plan: PromotionPlan):
    return check_plan(plan_facts(plan), RuleSettings.from_settings())


def plans_violations(plans: list[PromotionPlan]) -> dict[int, list]:
    """``plan_violations`` of many plans at once (the approval queue): the same facts, the same rules."""
    norms = RuleSettings.from_settings()
    return {pk: check_plan(facts, norms) for pk, facts in plans_facts(plans).items()}


def budget_for(*, account, on: date) -> Budget | None:
    """The account's budget whose period holds the given date (a plan draws on its start date's budget)."""
    return Budget.objects.filter(account=account, period_start__lte=on, period_end__gte=on).first()


def budgets_for(user) -> QuerySet:
    return scope.budgets_for(user).select_related("account")


def products_for_drafting(user) -> QuerySet:
    """The products a plan may name: the active ones of the range."""
    return scope.products_for(user).active()


def promotion_types_for(user) -> QuerySet:
    """The promotion types (reference data every role reads), in the order SPEC §5 lists their kinds (in-store,
    DM, crazy price, clearance, bundle), then by code: a picker offers 店促 first, not 买赠 (first by code)."""
    if not user.is_authenticated:
        return PromotionType.objects.none()
    kinds = PromotionType.Kind.values
    in_spec_order = Case(*(When(kind=kind, then=Value(n)) for n, kind in enumerate(kinds)), default=Value(len(kinds)))
    return PromotionType.objects.order_by(in_spec_order, "code")


def approval_queue_for(user) -> QuerySet:
    """Submitted plans this user may approve (services.can_approve, as a query): a manager's own accounts' and, for
    an admin, all of them — but not one above the second-approval threshold with its first approval that is not
    theirs to approve again: a manager's waits for an admin, and the admin who gave the first waits for another."""
    queue = plan_list_for(user).filter(status=PromotionPlan.Status.SUBMITTED)
    threshold = Decimal(str(settings.KA.promotion_second_approval_above))
    role = user_role(user)
    if role == Role.ADMIN:
        return queue.exclude(first_approved_by=user, total_cost__gt=threshold)
    if role == Role.MANAGER:
        return queue.filter(account__owner=user).exclude(first_approved_by__isnull=False, total_cost__gt=threshold)
    return queue.none()


def drafts_to_submit_for(user) -> QuerySet:
    """The drafts this user may submit (services.can_submit, as a query): every draft in their reach — their own,
    their team's reps' requests (a supervisor), their accounts' (a manager), all (an admin) — for whoever submits;
    none for a sales rep, who drafts requests and leaves submitting to them (SPEC §1), nor for a reader."""
    if user_role(user) == Role.REP or not user.has_perm("promotions.change_promotionplan"):
        return PromotionPlan.objects.none()
    return plan_list_for(user).filter(status=PromotionPlan.Status.DRAFT)


def with_queue_budgets(user, plans: list[PromotionPlan]) -> list[PromotionPlan]:
    """The plans, each with ``queue_budget``: its account's budget (within the user's scope) whose period holds the
    plan's start date, the one approving would draw on; None without one. One query for all of them."""
    budgets = list(budgets_for(user).filter(account__in={plan.account_id for plan in plans}))
    for plan in plans:
        plan.queue_budget = next(
            (b for b in budgets if b.account_id == plan.account_id and b.period_start <= plan.start_on <= b.period_end),
            None,
        )
    return plans


def _plan_deliveries(plan: PromotionPlan, start: date, end: date) -> QuerySet:
    stores = plan_stores(account=plan.account, all_stores=plan.all_stores, stores=plan.stores.all())
    return Delivery.objects.filter(
        store__in=stores, product__in=plan.items.values("product_id"), date__gte=start, date__lte=end
    )


def units_by_product(plan: PromotionPlan, start: date, end: date) -> dict[int, int]:
    """Packs of each of the plan's products sold in to its stores between two dates (inclusive)."""
    rows = _plan_deliveries(plan, start, end).order_by().values("product_id").annotate(units=Sum("quantity"))
    return {row["product_id"]: row["units"] or 0 for row in rows}


def delivery_value() -> ExpressionWrapper:
    """A delivery's sell-in value: packs × its unit price, or the listing's purchase price when it has none."""
    listing_price = Listing.objects.filter(store=OuterRef("store_id"), product=OuterRef("product_id")).values(
        "purchase_price"
    )[:1]
    money = DecimalField(max_digits=14, decimal_places=2)
    unit_price = Coalesce(F("unit_price"), Subquery(listing_price, output_field=money), Decimal("0"))
    return ExpressionWrapper(F("quantity") * unit_price, output_field=money)


def sales_between(plan: PromotionPlan, start: date, end: date) -> tuple[int, Decimal]:
    """Sell-in of the plan's products to its stores between two dates (inclusive): packs and amount.

    A delivery without a unit price is valued at the listing's purchase price.
    """
    totals = _plan_deliveries(plan, start, end).aggregate(units=Sum("quantity"), amount=money_sum(delivery_value()))
    return totals["units"] or 0, (totals["amount"] or Decimal("0")).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class PlanSales:
    """A plan's sell-in during the promotion and in its baseline (the same number of days just before)."""

    units: int
    amount: Decimal
    baseline_units: int
    baseline_amount: Decimal
    units_by_product: dict = field(default_factory=dict)  # packs during, per product id (the funding's basis)


@dataclass(frozen=True)
class PlanReach:
    """Which stores and products each of several plans covers: ``stores`` and ``products`` by plan id."""

    products: dict[int, set[int]]
    stores: dict[int, set[int]]
    whole_accounts: set[int]  # accounts of the plans covering all their stores
    chosen_stores: set[int]  # the stores chosen by the other plans

    def covered(self, store: str = "store") -> Q:
        """Rows at any covered store: whole accounts by account (no list of their stores in the query), chosen
        stores by id; ``store`` is the path to the row's store."""
        return Q(**{f"{store}__account_id__in": sorted(self.whole_accounts)}) | Q(
            **{f"{store}_id__in": sorted(self.chosen_stores)}
        )

    @property
    def all_products(self) -> list[int]:
        return sorted(set().union(*self.products.values()))


def plan_reach(plans: list[PromotionPlan]) -> PlanReach:
    """The stores (the account's active stores, or the chosen ones) and products of each plan: three queries
    whatever the number of plans (the plans' products, chosen stores, whole-account stores)."""
    ids = [plan.pk for plan in plans]
    products: dict[int, set[int]] = defaultdict(set)
    for plan_id, product_id in PromotionItem.objects.filter(plan_id__in=ids).values_list("plan_id", "product_id"):
        products[plan_id].add(product_id)
    stores = _plans_stores(plans)
    whole_accounts = {plan.account_id for plan in plans if plan.all_stores}
    chosen = set().union(*(stores[plan.pk] for plan in plans if not plan.all_stores))
    return PlanReach(products, stores, whole_accounts, chosen)


def evaluation_sales(plans, *, as_of: date | None = None, reach: PlanReach | None = None) -> dict[int, PlanSales]:
    """What ``services.evaluation_figures`` reads with two ``sales_between`` calls per plan, for many plans at
    once: the plan's products delivered to its stores (the account's active stores, or the chosen ones) during
    the plan and during the same number of days before its start, valued as ``sales_between`` values them.
    With ``as_of``, a plan still running (or not started) counts only its days up to then against as many days
    before its start, so a plan half run is not read as selling half its baseline, nor one to come as selling none.
    Four queries whatever the number of plans (``plan_reach``'s three and one grouped read of the deliveries; one
    with the plans' ``reach`` given, read once for the sell-out too)."""
    plans = list(plans)
    if not plans:
        return {}
    reach = plan_reach(plans) if reach is None else reach
    products, stores = reach.products, reach.stores
    first = min(plan.start_on - timedelta(days=plan.days) for plan in plans)
    last = max(plan.end_on for plan in plans)
    cells: dict[tuple[int, int], list[tuple[date, int, Decimal]]] = defaultdict(list)
    rows = (
        Delivery.objects.filter(
            reach.covered(),
            product__in=reach.all_products,
            date__gte=first,
            date__lte=last,
        )
        .values("store_id", "product_id", "date")
        .annotate(units=Sum("quantity"), amount=money_sum(delivery_value()))
        .order_by()
        .values_list("store_id", "product_id", "date", "units", "amount")
    )
    for store_id, product_id, day, units, amount in rows:
        cells[store_id, product_id].append((day, units or 0, amount or Decimal("0")))
    delivered = {store_id for store_id, _product_id in cells}
    result = {}
    for plan in plans:
        days = plan.days if as_of is None else days_through(plan.start_on, plan.end_on, as_of)
        before, last_day = plan.start_on - timedelta(days=days), plan.start_on + timedelta(days=days - 1)
        totals = [0, Decimal("0"), 0, Decimal("0")]
        by_product: dict[int, int] = defaultdict(int)
        plan_products = products[plan.pk]
        # only the stores with a delivery of the plans' products (a chain's plan covers its hundreds of stores)
        for store_id in stores[plan.pk] & delivered:
            for product_id in plan_products:
                for day, units, amount in cells.get((store_id, product_id), ()):
                    if plan.start_on <= day <= last_day:
                        totals[0] += units
                        totals[1] += amount
                        by_product[product_id] += units
                    elif before <= day < plan.start_on:
                        totals[2] += units
                        totals[3] += amount
        cent = Decimal("0.01")
        result[plan.pk] = PlanSales(
            totals[0], totals[1].quantize(cent), totals[2], totals[3].quantize(cent), dict(by_product)
        )
    return result


def scoped_stores_for_drafting(user, account=None) -> QuerySet:
    """The stores a plan may choose: the user's active ones, of `account` when the form knows it."""
    stores = stores_for(user).active().select_related("account")
    return stores if account is None else stores.filter(account=account)


def products_for_drafting_at(user, account=None, keep=()) -> QuerySet:
    """The products a plan at `account` may name: those listed (actively) at one of its active stores; all of the
    range while the account is not chosen. `keep`: product ids a saved draft already names, kept choosable."""
    products = products_for_drafting(user)
    if account is None:
        return products
    listed = Listing.objects.filter(active=True, store__active=True, store__account=account).values("product_id")
    return products.filter(Q(pk__in=listed) | Q(pk__in=list(keep)))


def has_active_stores(account) -> bool:
    """Whether a key account has an active store (any, in anyone's reach): a new chain may have none yet."""
    return Store.objects.active().filter(account=account).exists()


def listing_accounts(user) -> dict[int, str]:
    """Product id → the codes of the user's accounts that list it (space separated), for the plan form to narrow
    its product lists once an account is chosen in the browser."""
    rows = (
        Listing.objects.filter(active=True, store__active=True, store__account__in=scope.accounts_for(user))
        .order_by()
        .values_list("product_id", "store__account__code")
        .distinct()
    )
    codes: dict[int, set[str]] = defaultdict(set)
    for product_id, code in rows:
        codes[product_id].add(code)
    return {product_id: " ".join(sorted(found)) for product_id, found in codes.items()}
