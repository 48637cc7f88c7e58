"""Demo promotions: the five types with SPEC §5's norms, quarterly budgets for the demo accounts, and a
handful of plans in every state, made through the services so they obey the same rules. Idempotent."""

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max

from accounts.models import KeyAccount
from ka_portal.money import money_sum
from ka_portal.scope import stores_for
from promotions import services
from promotions.models import Budget, PromotionPlan, PromotionType
from promotions.services import ItemInput, PlanInput
from stores.models import Delivery, Listing, Product

User = get_user_model()
Kind = PromotionType.Kind

# code, kind, name, typical price ratio, longest run (days), periods back to back, company share (None: agreed)
TYPES = [
    ("INSTORE", Kind.IN_STORE, "店促", "0.90", 56, 2, "0.04"),
    ("DM", Kind.DM, "DM快讯", "0.80", 14, 1, "0.07"),
    ("CRAZY", Kind.CRAZY_PRICE, "疯狂价", "0.65", 3, 1, None),
    ("CLEAR", Kind.CLEARANCE, "下架促销", None, None, 1, None),
    ("BUNDLE", Kind.BUNDLE, "买赠（2+1 / 1+1）", "0.666", 14, 1, None),
]


def _seed_types() -> tuple[dict[str, PromotionType], int]:
    types, created = {}, 0
    for code, kind, name, ratio, max_days, periods, share in TYPES:
        promotion_type, made = PromotionType.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "typical_price_ratio": Decimal(ratio) if ratio else None,
                "max_days": max_days,
                "periods_allowed": periods,
                "company_share": Decimal(share) if share else None,
            },
        )
        types[code] = promotion_type
        created += made
    return types, created


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(start: date) -> date:
    return date(start.year + (start.month == 10), start.month % 12 + 3 if start.month != 10 else 1, 1)


def _seed_budgets(today: date) -> int:
    """Previous, current and next quarter per account: 6 % of the account's average quarter of sell-in."""
    current = _quarter_start(today)
    previous = _quarter_start(current - timedelta(days=1))
    periods = [previous, current, _next_quarter(current)]
    year_ago = today - timedelta(days=365)
    sales = dict(
        Delivery.objects.filter(date__gte=year_ago, date__lt=today)
        .values_list("store__account_id")
        .annotate(total=money_sum(F("quantity") * F("unit_price")))
    )
    created = 0
    for account in KeyAccount.objects.all():
        quarter = (sales.get(account.pk) or Decimal("0")) / 4
        amount = max(Decimal("5000"), (quarter * Decimal("0.06") / 1000).to_integral_value(ROUND_HALF_UP) * 1000)
        for start in periods:
            _budget, made = Budget.objects.get_or_create(
                account=account,
                period_start=start,
                defaults={"period_end": _next_quarter(start) - timedelta(days=1), "amount": amount},
            )
            created += made
    return created


def _price(product: Product, ratio: str) -> Decimal:
    return (product.suggested_retail_price * Decimal(ratio)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _plan(types, products, user, account, *, title, kind, start, days, lines, stores=None, **fees) -> PromotionPlan:
    data = PlanInput(
        account=account,
        type=types[kind],
        title=title,
        start_on=start,
        end_on=start + timedelta(days=days - 1),
        items=[ItemInput(products[code], _price(products[code], ratio), volume) for code, ratio, volume in lines],
        all_stores=stores is None,
        stores=list(stores or []),
        mechanics=fees.pop("mechanics", ""),
        **fees,
    )
    return services.promotion_save_draft(user=user, data=data)


def _funded_plan(types, products, user, account, *, kind, lines, **rest) -> PromotionPlan:
    """A plan the maker funds (促销供价): each line (code, share of the account's shelf price, volume, promotional
    supply price) prices the product below its normal purchase price — a DM at ~80 % or a crazy price at ~65 % —
    and passes rule 3 because the chain buys it at the promotional supply price for the promotion."""
    shelf = dict(
        Listing.objects.filter(store__account=account, product__code__in=[line[0] for line in lines])
        .values_list("product__code")
        .annotate(shelf=Max("shelf_price"))
    )
    items = [
        ItemInput(
            products[code],
            (shelf[code] * Decimal(ratio)).quantize(Decimal("0.01"), ROUND_HALF_UP),
            volume,
            Decimal(supply),
        )
        for code, ratio, volume, supply in lines
    ]
    data = PlanInput(account=account, type=types[kind], items=items, all_stores=True, **rest)
    return services.promotion_save_draft(user=user, data=data)


def _seed_funded_plans(types, products, accounts, manager, today: date, rng: random.Random, approve) -> None:
    """One funded plan of every type; the crazy price ran six weeks ago and is evaluated with its actual funding."""
    days = timedelta
    crazy = _funded_plan(
        types, products, manager, accounts["LOTUS"], kind="CRAZY", title="易初莲花周末疯狂价（厂家供价支持）",
        start_on=today - days(40), end_on=today - days(38), company_share=Decimal("0.30"),
        lines=[("P002", "0.65", 2400, "1.90"), ("P004", "0.66", 600, "4.80")],
        mechanics="周末三天疯狂价，厂家按促销供价供货", floor_stack=True,
    )  # fmt: skip
    approve(crazy)
    _promotion_lift(crazy, rng)
    dm = _funded_plan(
        types, products, manager, accounts["NGS"], kind="DM", title="农工商啤酒DM（促销供价）",
        start_on=today + days(12), end_on=today + days(25), dm_fee=Decimal("1800.00"), dm_slot=True,
        lines=[("P001", "0.80", 1500, "3.60"), ("P003", "0.79", 800, "4.40")], mechanics="DM封面，纯生、冰爽八折",
    )  # fmt: skip
    approve(dm)
    in_store = _funded_plan(
        types, products, manager, accounts["LH"], kind="INSTORE", title="联华冰爽店促（促销供价）",
        start_on=today + days(3), end_on=today + days(16), promoter_fee=Decimal("900.00"), end_cap=True,
        lines=[("P003", "0.85", 900, "4.80")],
    )  # fmt: skip
    approve(in_store)
    clearance = _funded_plan(
        types, products, manager, accounts["TRUST"], kind="CLEAR", title="好又多黑啤下架清仓（促销供价）",
        start_on=today + days(5), end_on=today + days(18), company_share=Decimal("0.50"),
        lines=[("P004", "0.70", 500, "5.00")], mechanics="黑啤退场前清仓，厂家按促销供价补差",
    )  # fmt: skip
    services.promotion_submit(plan=clearance, by=manager, today=today)
    _funded_plan(
        types, products, manager, accounts["TESCO"], kind="BUNDLE", title="乐购经典啤酒买二送一（草稿）",
        start_on=today + days(15), end_on=today + days(28), company_share=Decimal("0.50"), gift_cost=Decimal("300.00"),
        lines=[("P002", "0.666", 1800, "1.95")], mechanics="买二送一，折合六六折",
    )  # fmt: skip


def _promotion_lift(plan: PromotionPlan, rng: random.Random) -> None:
    """Extra sell-in during a past promotion, so its evaluation shows what a working one looks like.
    No unit price: valued at each listing's purchase price, as imported deliveries often are."""
    rows = []
    for store in plan.account.stores.active():
        for item in plan.items.all():
            if store.listings.filter(product=item.product).exists():
                day = plan.start_on + timedelta(days=rng.randrange(plan.days))
                rows.append(Delivery(store=store, product=item.product, date=day, quantity=rng.randrange(150, 260),
                                     reference=f"PROMO-{plan.pk}"))  # fmt: skip
    Delivery.objects.bulk_create(rows)
    _invoice_lift(plan)


def _invoice_lift(plan: PromotionPlan) -> None:
    """The chain is invoiced for the lift it received (sell-in is invoiced, SPEC §2): one invoice per month of
    the promotion, at its last delivery day. Not in January–May, whose invoices carry SPEC §8's figures."""
    from contracts.services import invoice_create
    from demo.company import SPEC_MONTHS
    from stores.selectors import delivery_value

    lift = (
        Delivery.objects.filter(reference=f"PROMO-{plan.pk}")
        .values("date__year", "date__month")
        .annotate(value=money_sum(delivery_value()), last=Max("date"))
        .order_by("date__year", "date__month")
    )
    for month in lift:
        if month["date__month"] in SPEC_MONTHS or not month["value"]:
            continue
        invoice_create(
            account=plan.account,
            number=f"FP-PROMO-{plan.pk}-{month['last']:%Y%m}",
            date=month["last"],
            amount=month["value"],
        )


@transaction.atomic
def seed_promotions(*, today: date, rng: random.Random) -> int:
    """Types, budgets and demo plans; a second run creates nothing. (rng: the seeder's; these plans are fixed.)"""
    types, created = _seed_types()
    if not KeyAccount.objects.filter(code="WMT").exists():
        return created  # no demo company: types only
    created += _seed_budgets(today)
    if PromotionPlan.objects.exists():
        return created
    users = {u.username: u for u in User.objects.filter(username__in=["manager1", "supervisor1", "rep1", "admin"])}
    accounts = {a.code: a for a in KeyAccount.objects.all()}
    products = {p.code: p for p in Product.objects.all()}
    manager, supervisor, rep = users["manager1"], users["supervisor1"], users["rep1"]
    past_start = today - timedelta(days=45)

    def approve(p, start_from=None):
        services.promotion_submit(plan=p, by=p.owner, today=start_from or p.start_on)
        return services.promotion_approve(plan=p, by=manager, note="同意")

    evaluated = _plan(
        types, products, manager, accounts["WMT"], title="沃尔玛啤酒夏季店促", kind="INSTORE", start=past_start,
        days=14, lines=[("P001", "0.90", 600), ("P002", "0.92", 900)], dm_fee=Decimal("0"),
        promoter_fee=Decimal("1500.00"), mechanics="纯生、经典两款同时堆头陈列，买满两件送开瓶器", end_cap=True,
    )  # fmt: skip
    approve(evaluated)
    _promotion_lift(evaluated, rng)
    running = _plan(
        types, products, manager, accounts["CRF"], title="家乐福饮料DM快讯", kind="DM",
        start=today - timedelta(days=5), days=14, lines=[("P201", "0.80", 2400), ("P204", "0.82", 1200)],
        dm_fee=Decimal("3000.00"), mechanics="DM第3页，绿茶、柠檬茶特价", dm_slot=True,
    )  # fmt: skip
    approve(running)
    upcoming = _plan(
        types, products, manager, accounts["LH"], title="联华薯片店促", kind="INSTORE",
        start=today + timedelta(days=10), days=14, lines=[("P101", "0.90", 800), ("P102", "0.92", 800)],
        tg_fee=Decimal("2000.00"), end_cap=True, floor_stack=True,
    )  # fmt: skip
    approve(upcoming)
    rep_stores = list(stores_for(rep).filter(account=accounts["WMT"]))
    queued = _plan(
        types, products, supervisor, accounts["WMT"], title="沃尔玛零食小幅让利", kind="INSTORE",
        start=today + timedelta(days=14), days=21, lines=[("P101", "0.954", 500), ("P105", "0.952", 400)],
        stores=rep_stores, promoter_fee=Decimal("1200.00"), mechanics="门店端架陈列，导购推荐",
    )  # fmt: skip
    services.promotion_submit(plan=queued, by=supervisor, today=today)
    tesco = _plan(
        types, products, manager, accounts["TESCO"], title="乐购柠檬茶DM", kind="DM",
        start=today + timedelta(days=7), days=14, lines=[("P204", "0.80", 3000)],
        dm_fee=Decimal("2500.00"), tg_fee=Decimal("1500.00"), dm_slot=True, end_cap=True,
    )  # fmt: skip
    services.promotion_submit(plan=tesco, by=manager, today=today)
    rejected = _plan(
        types, products, manager, accounts["AUCHAN"], title="欧尚啤酒买赠", kind="INSTORE",
        start=today + timedelta(days=20), days=14, lines=[("P003", "0.90", 300)], gift_cost=Decimal("800.00"),
    )  # fmt: skip
    services.promotion_submit(plan=rejected, by=manager, today=today)
    services.promotion_reject(plan=rejected, by=manager, reason="与欧尚年度档期冲突，改到下季度")
    _seed_funded_plans(types, products, accounts, manager, today, rng, approve)
    # A rep's draft that still breaks rule 2 (a 10 % cut for 29 days), to show the form's messages.
    rtm_store = stores_for(rep).filter(account=accounts["RTM"]).first()
    _plan(
        types, products, rep, accounts["RTM"], title="大润发纯生店促（草稿）", kind="INSTORE",
        start=today + timedelta(days=21), days=29, lines=[("P001", "0.90", 400)], stores=[rtm_store],
    )  # fmt: skip
    services.promotions_advance_by_date(today=today)
    return created + PromotionPlan.objects.count()
