"""The KA promotion rules of SPEC §5, as one pure function: a draft plan in, its violations out.

No database here: the service gathers the facts (prices at the chosen stores, the account's other
plans) into a `PlanFacts`, and pages, API, admin and the nightly job all call `check_plan` on it,
so a rule reads the same and says the same everywhere.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ka_portal.errors import DomainConflict, DomainError, fill

COOLDOWN_RANGE = range(30, 46)  # SPEC §5 rule 4: a company may set 30–45 days
SLOT = object()  # Violation.as_error's field: the violation's own slot
MAX_PRODUCTS = 4  # SPEC §5: a combination of 2–4 products is the norm; one is allowed, more are not


@dataclass(frozen=True)
class RuleSettings:
    max_days: int = 31
    deep_cut_above: Decimal = Decimal("0.05")
    deep_cut_period_days: int = 14
    shallow_cut_period_days: int = 28
    cooldown_days: int = 30

    @classmethod
    def from_settings(cls) -> "RuleSettings":
        from django.conf import settings

        ka = settings.KA
        cooldown = int(ka.promotion_cooldown_days)
        if cooldown not in COOLDOWN_RANGE:
            raise ImproperlyConfigured(f"KA_PROMOTION_COOLDOWN_DAYS must be 30–45, not {cooldown}")
        return cls(
            max_days=int(ka.promotion_max_days),
            deep_cut_above=Decimal(str(ka.promotion_deep_cut_above)),
            deep_cut_period_days=int(ka.promotion_deep_cut_period_days),
            shallow_cut_period_days=int(ka.promotion_shallow_cut_period_days),
            cooldown_days=cooldown,
        )


@dataclass(frozen=True)
class TypeNorms:
    name: str
    max_days: int | None
    periods_allowed: int
    is_clearance: bool = False


@dataclass(frozen=True)
class ItemFacts:
    """One product of the plan and the prices it is checked against."""

    product_id: int
    product: str  # how the user knows it: "P001 海川纯生啤酒 500ml"
    promotion_price: Decimal
    normal_price: Decimal | None  # listing shelf price, or suggested retail for a whole account
    store_purchase_price: Decimal | None = None
    wholesale_price: Decimal | None = None
    distributor_price: Decimal | None = None
    promo_supply_price: Decimal | None = None  # the maker's promotional supply price (促销供价), when agreed

    @property
    def cut(self) -> Decimal | None:
        return price_cut(self.promotion_price, self.normal_price)


def price_cut(promotion_price: Decimal, normal_price: Decimal | None) -> Decimal | None:
    """1 − promotion price ÷ normal shelf price (SPEC §5 rule 2); None without a normal price."""
    if not normal_price:
        return None
    return 1 - promotion_price / normal_price


@dataclass(frozen=True)
class OtherPlan:
    """A plan at the same account that counts for the cool-down (submitted or further, not rejected)."""

    plan_id: int
    title: str
    start_on: date
    end_on: date
    product_ids: frozenset[int]


@dataclass(frozen=True)
class PlanFacts:
    type: TypeNorms
    start_on: date
    end_on: date
    items: tuple[ItemFacts, ...]
    other_plans: tuple[OtherPlan, ...] = ()
    price_floor_overridden: bool = False
    # The company's today (Asia/Shanghai): whether another plan of the cool-down has ended, runs or is still ahead,
    # so its message reads in the right tense. None: read as ended (how a plan is measured against a past one).
    today: date | None = None

    @property
    def days(self) -> int:
        return (self.end_on - self.start_on).days + 1


@dataclass(frozen=True)
class Violation:
    """A broken rule: which (1–5 of SPEC §5; 0 for the plan's shape), a stable code, the message with its
    numbers, and where it belongs."""

    rule: int
    code: str
    message: Any
    params: dict = field(default_factory=dict)
    slot: str = "dates"  # "dates", "items" or "item-<index>": where the form shows it
    blocking: bool = True

    @property
    def detail(self) -> str:
        return fill(self.message, self.params)

    def as_error(self, *, field: Any = SLOT, conflict: bool = False) -> DomainError:
        """The refusal a service raises: next to `field` where the door names it otherwise than the slot (None:
        no field); a conflict (409) where shared data, not the plan, says no (the budget)."""
        kind = DomainConflict if conflict else DomainError
        return kind(self.code, self.message, field=self.slot if field is SLOT else field, **self.params)


def percent(ratio: Decimal) -> str:
    """0.2 → "20 %", 0.0501 → "5.01 %": as precise as the rule needs, no more."""
    value = (ratio * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{value:f} %"


def money(amount: Decimal) -> Decimal:
    """An amount in a rule's params: two places, written grouped in the message (12,028.00, ka_portal.errors.fill)
    and plain in the API's params ("12028.00")."""
    return Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


FLOOR_LAYERS = (
    ("store_purchase_price", _("store purchase price")),
    ("wholesale_price", _("second-tier wholesale price")),
    ("distributor_price", _("distributor price")),
)
# A funded item (the maker sells it to the chain at a promotional supply price) has one floor: what the chain
# pays for it. The maker who agreed that price sells this promotion's volume below its wholesale and distributor
# prices knowingly and pays the difference (the plan's supply funding), so those channel floors give way to it.
FUNDED_FLOOR = (("promo_supply_price", _("promotional supply price")),)


def too_many_products(count: int) -> Violation | None:
    """SPEC §5: a plan names at most MAX_PRODUCTS products. Drafting refuses more (a draft never holds more)."""
    if count <= MAX_PRODUCTS:
        return None
    return Violation(
        0,
        "promotion.too_many_products",
        _("A plan has at most %(limit)s products; this one has %(count)s."),
        {"limit": MAX_PRODUCTS, "count": count},
        slot="items",
    )


def product_named_twice(product_ids) -> Violation | None:
    """A plan names each product once (one price, one volume per product). Drafting refuses a product twice, and
    the form's check says it, from here: a draft never holds one twice."""
    product_ids = list(product_ids)
    if len(set(product_ids)) == len(product_ids):
        return None
    return Violation(0, "promotion.duplicate_product", _("Each product may appear once."), slot="items")


def nothing_listed(*, account: str, has_stores: bool) -> Violation:
    """A plan names products listed at its account's stores (the form offers only those): a chain with no active
    store, or whose stores list no product yet, offers none, and the form says why and what to do first."""
    if not has_stores:
        message = _(
            "%(account)s has no active stores yet, so no product can be chosen: "
            "add its stores and their listings first."
        )
    else:
        message = _(
            "None of %(account)s's stores has an active listing yet, so no product can be chosen: "
            "add listings (the products its stores carry) first."
        )
    return Violation(0, "promotion.nothing_listed", message, {"account": account}, slot="items")


def tg_fee_without_end_cap(end_cap: bool, tg_fee) -> Violation | None:
    """A TG fee is what the chain charges for the TG / end cap (堆头/端架, SPEC §5's display resources): a plan
    with one has the end cap ticked. Its display agreement carries the fee and a TG deduction claims end-cap
    agreements, so a TG fee without the end cap would be money no visit's evidence holds (a floor stack's agreement
    has no fee of its own). Drafting, the form's check, submitting and approving all ask this."""
    if end_cap or not tg_fee or Decimal(tg_fee) <= 0:
        return None
    return Violation(
        0,
        "promotion.tg_fee_without_end_cap",
        _("A TG fee (%(fee)s) pays for the TG / end cap: tick TG / end cap, or leave the TG fee at 0."),
        {"fee": money(Decimal(tg_fee))},
        slot="costs",
    )


def check_plan(plan: PlanFacts, norms: RuleSettings | None = None) -> list[Violation]:
    """Every broken rule of SPEC §5, in rule order; warnings (rule 5) have blocking=False. The plan's shape comes
    first (too many products, one named twice, reversed dates): the rules measure a plan of that shape only."""
    norms = norms or RuleSettings()
    count = too_many_products(len(plan.items))
    if count is not None:
        return [count]
    twice = product_named_twice(item.product_id for item in plan.items)
    if twice is not None:
        return [twice]
    reversed_ = reversed_dates(plan.start_on, plan.end_on)
    if reversed_ is not None:
        return [reversed_]
    violations = _length(plan, norms) + _above_normal(plan) + _period(plan, norms)
    violations += _supply_prices(plan) + _price_floor(plan) + _cooldown(plan, norms) + _same_cut(plan)
    return violations


def reversed_dates(start_on: date, end_on: date) -> Violation | None:
    """A plan ends on or after its start: the form, the drafting service and check_plan all ask this."""
    if end_on >= start_on:
        return None
    return Violation(
        1,
        "promotion.dates_reversed",
        _("The end date %(end)s is before the start date %(start)s."),
        {"start": start_on.isoformat(), "end": end_on.isoformat()},
    )


def start_passed(start_on: date, today: date) -> Violation | None:
    """A plan is submitted before its start date: one whose start has passed moves its dates first."""
    if start_on >= today:
        return None
    return Violation(
        0,
        "promotion.start_passed",
        _("The start date %(start)s has passed: move the dates before submitting."),
        {"start": start_on.isoformat()},
    )


def budget_shortfall(*, cost: Decimal, budget: Any, account: str, on: date) -> Violation | None:
    """Approving draws the plan's cost on the account's budget whose period holds its start date (`budget`, with
    its `remaining`, or None): without one, or with less left than the cost, the approval is refused."""
    if budget is None:
        return Violation(
            0,
            "promotion.no_budget",
            _("Budget check: %(account)s has no budget for %(date)s."),
            {"account": account, "date": on.isoformat()},
            slot="costs",
        )
    if cost <= budget.remaining:
        return None
    return Violation(
        0,
        "promotion.budget_exhausted",
        _("Budget check: the plan costs %(cost)s but only %(left)s of the budget %(period)s is left."),
        {"cost": money(cost), "left": money(budget.remaining), "period": f"{budget.period_start}–{budget.period_end}"},
        slot="costs",
    )


def store_of_another_account(store: Any, account: Any) -> DomainError | None:
    """A plan promotes at its own account's stores: a store of another chain (one the user may well see) is refused
    saying whose it is. The one wording of it: the service, the page's store picker and the API's `stores` all say
    this (a store the user cannot see is not found there, as a code that does not exist)."""
    if store.account_id == account.pk:
        return None
    from ka_portal.formatting import account_name

    return DomainError(
        "promotion.store_other_account",
        _("%(store_name)s (%(store)s) belongs to %(store_account)s, not to %(account)s."),
        field="stores",
        store=store.code,
        store_name=store.name,
        store_account=account_name(store.account),
        account=account_name(account),
    )


def _month_end(year: int, month: int) -> date:
    """The last day of a month (month may run past 12: it rolls into the next year)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def budget_period_problem(period_start: date, period_end: date) -> DomainError | None:
    """SPEC §5: a budget per key account per period, a month or a quarter — from the 1st of a month to the last day
    of that month or of the second month after it (a quarter is three whole months from any month's 1st). Any other
    span would decide by its odd edges which money a plan draws on (a plan's budget is the one holding its start),
    and a long one blocks every later period by overlap. None when the period is whole (or reversed: said apart)."""
    if period_end < period_start:
        return None
    month_end = _month_end(period_start.year, period_start.month)
    quarter_end = _month_end(period_start.year, period_start.month + 2)
    if period_start.day == 1 and period_end in (month_end, quarter_end):
        return None
    first = period_start.replace(day=1)
    return DomainError(
        "budget.period_shape",
        _("A budget is for a whole month or a whole quarter, such as %(month)s or %(quarter)s."),
        field="period_start" if period_start.day != 1 else "period_end",
        start=period_start.isoformat(),
        end=period_end.isoformat(),
        month=f"{first.isoformat()}–{_month_end(first.year, first.month).isoformat()}",
        quarter=f"{first.isoformat()}–{_month_end(first.year, first.month + 2).isoformat()}",
    )


def blocking(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.blocking]


def _length(plan: PlanFacts, norms: RuleSettings) -> list[Violation]:
    found = []
    if plan.days > norms.max_days:
        found.append(
            Violation(
                1,
                "promotion.too_long",
                _("Rule 1: a promotion runs at most %(limit)s days; this one runs %(days)s days."),
                {"limit": norms.max_days, "days": plan.days},
            )
        )
    if plan.type.max_days is not None and plan.days > plan.type.max_days:
        found.append(
            Violation(
                1,
                "promotion.longer_than_type",
                _("Rule 1: a %(type)s runs at most %(limit)s days; this one runs %(days)s days."),
                {"type": plan.type.name, "limit": plan.type.max_days, "days": plan.days},
            )
        )
    return found


def _period(plan: PlanFacts, norms: RuleSettings) -> list[Violation]:
    cuts = [(item.cut, item) for item in plan.items if item.cut is not None and item.cut >= 0]
    if not cuts:
        return []
    deepest, item = max(cuts, key=lambda pair: pair[0])
    deep = deepest > norms.deep_cut_above
    period = norms.deep_cut_period_days if deep else norms.shallow_cut_period_days
    limit = period * plan.type.periods_allowed
    if plan.days <= limit:
        return []
    if deep:
        message = _(
            "Rule 2: %(product)s is cut %(cut)s, over %(threshold)s, so it runs in %(period)s-day periods; "
            "%(type)s plans run at most %(periods)s of them: %(limit)s days, not %(days)s."
        )
    else:
        message = _(
            "Rule 2: %(product)s is cut %(cut)s, at most %(threshold)s, so it runs in %(period)s-day periods; "
            "%(type)s plans run at most %(periods)s of them: %(limit)s days, not %(days)s."
        )
    params = {
        "product": item.product,
        "cut": percent(deepest),
        "threshold": percent(norms.deep_cut_above),
        "period": period,
        "type": plan.type.name,
        "periods": plan.type.periods_allowed,
        "limit": limit,
        "days": plan.days,
    }
    return [Violation(2, "promotion.period", message, params)]


def _above_normal(plan: PlanFacts) -> list[Violation]:
    """Rule 2 measures a cut: a promotion price above the normal shelf price cuts nothing (a slip of the decimal
    point, 35 for 3.5, would otherwise pass every rule and draw on the budget). Equal is allowed: a gift or a
    display may run at the normal price."""
    found = []
    for index, item in enumerate(plan.items):
        if item.normal_price and item.promotion_price > item.normal_price:
            params = {"product": item.product, "price": money(item.promotion_price), "normal": money(item.normal_price)}
            message = _(
                "Rule 2: %(product)s at %(price)s is above its normal shelf price %(normal)s: "
                "a promotion price is at most the normal price."
            )
            found.append(Violation(2, "promotion.price_above_normal", message, params, slot=f"item-{index}"))
    return found


def supply_price_violation(index: int, item: ItemFacts) -> Violation | None:
    """Rule 3: a promotional supply price is below the normal store purchase price it is a discount on."""
    if item.promo_supply_price is None:
        return None
    params = {"product": item.product, "supply": money(item.promo_supply_price)}
    if item.store_purchase_price is None:
        message = _(
            "Rule 3: %(product)s has no store purchase price at the chosen stores, "
            "so a promotional supply price (%(supply)s) has nothing to be below."
        )
    elif item.promo_supply_price >= item.store_purchase_price:
        params["purchase"] = money(item.store_purchase_price)
        message = _(
            "Rule 3: the promotional supply price %(supply)s of %(product)s must be below "
            "its normal store purchase price %(purchase)s."
        )
    else:
        return None
    return Violation(3, "promotion.supply_price", message, params, slot=f"item-{index}")


def _supply_prices(plan: PlanFacts) -> list[Violation]:
    found = [supply_price_violation(index, item) for index, item in enumerate(plan.items)]
    return [v for v in found if v is not None]


def _price_floor(plan: PlanFacts) -> list[Violation]:
    found = []
    for index, item in enumerate(plan.items):
        layers = FUNDED_FLOOR if item.promo_supply_price is not None else FLOOR_LAYERS
        broken = [
            (getattr(item, attr), label)
            for attr, label in layers
            if getattr(item, attr) is not None and item.promotion_price < getattr(item, attr)
        ]
        if not broken:
            continue
        if plan.type.is_clearance and plan.price_floor_overridden:
            continue
        floor, layer = max(broken, key=lambda pair: pair[0])  # the highest floor it breaks says the most
        params = {"product": item.product, "price": money(item.promotion_price), "layer": layer, "floor": money(floor)}
        if plan.type.is_clearance:
            message = _(
                "Rule 3: %(product)s at %(price)s is below the %(layer)s %(floor)s; "
                "a delisting clearance may go below only with a manager's recorded override."
            )
        else:
            message = _("Rule 3: %(product)s at %(price)s is below the %(layer)s %(floor)s.")
        found.append(Violation(3, "promotion.price_floor", message, params, slot=f"item-{index}"))
    return found


def _cooldown(plan: PlanFacts, norms: RuleSettings) -> list[Violation]:
    found = []
    gap = timedelta(days=norms.cooldown_days)
    for index, item in enumerate(plan.items):
        for other in sorted(plan.other_plans, key=lambda o: o.end_on, reverse=True):
            if item.product_id not in other.product_ids:
                continue
            # Two promotions of a product keep the cool-down between them, whichever comes first.
            if plan.start_on < other.end_on + gap and other.start_on < plan.end_on + gap:
                params = {"product": item.product, "plan": other.title, "days": norms.cooldown_days}
                if other.start_on > plan.start_on:
                    # the other plan comes later: this one ends a cool-down before that one starts
                    params |= {"start": other.start_on.isoformat(), "last": (other.start_on - gap).isoformat()}
                    message = _(
                        "Rule 4: %(product)s is promoted at this account in “%(plan)s” from %(start)s; "
                        "with a %(days)s-day cool-down before it, this plan must end on %(last)s at the latest."
                    )
                else:
                    params |= {"end": other.end_on.isoformat(), "first": (other.end_on + gap).isoformat()}
                    message = _cooldown_after(other, plan.today, params)
                found.append(Violation(4, "promotion.cooldown", message, params, slot=f"item-{index}"))
                break
    return found


def _cooldown_after(other: OtherPlan, today: date | None, params: dict):
    """The cool-down message for a plan that starts after the other one, in the tense of the other plan as of today:
    ended, running (until its end), or still ahead (from its start); `params` gains the other plan's start where the
    message names it."""
    if today is None or other.end_on < today:
        return _(
            "Rule 4: %(product)s was promoted at this account in “%(plan)s” until %(end)s; "
            "after a %(days)s-day cool-down it may start again on %(first)s at the earliest."
        )
    if other.start_on <= today:
        return _(
            "Rule 4: %(product)s is being promoted at this account in “%(plan)s” until %(end)s; "
            "after a %(days)s-day cool-down it may start again on %(first)s at the earliest."
        )
    params["start"] = other.start_on.isoformat()
    return _(
        "Rule 4: %(product)s is to be promoted at this account in “%(plan)s” from %(start)s to %(end)s; "
        "after a %(days)s-day cool-down it may start again on %(first)s at the earliest."
    )


def _same_cut(plan: PlanFacts) -> list[Violation]:
    cuts = {item.cut.quantize(Decimal("0.0001")) for item in plan.items if item.cut is not None}
    if len(plan.items) < 2 or len(cuts) != 1:
        return []
    return [
        Violation(
            5,
            "promotion.same_cut",
            _("Rule 5 (warning): every product is cut by the same %(cut)s; consider varying the cuts."),
            {"cut": percent(cuts.pop())},
            slot="items",
            blocking=False,
        )
    ]
