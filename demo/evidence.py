"""Demo visit evidence (issue 13): promotions and displays checked at recent visits, display agreements with
their evidence, competitor sightings, and fraud signals for the supervisors' queue. Written through the services;
each part runs once (a second call changes nothing). One function per part, called in this order."""

from datetime import date


def seed_visit_checks(*, today: date) -> int:
    """Promotions and displays checked at recent visits (filled in by the part that owns them)."""
    return 0


def seed_agreements(*, today: date) -> int:
    """Display agreements and their evidence."""
    return 0


# Competitors of what the demo company sells (beer 海川, snacks 乐滋, drinks 清源): brand, product, regular price.
_COMPETITORS = [
    ("青岛啤酒", "青岛纯生 500ml", "6.50"), ("青岛啤酒", "青岛经典 330ml", "3.50"),
    ("雪花", "雪花勇闯天涯 500ml", "4.50"), ("雪花", "雪花纯生 500ml", "6.00"), ("百威", "百威 500ml", "7.50"),
    ("燕京", "燕京U8 500ml", "4.80"), ("哈尔滨", "哈尔滨冰纯 500ml", "4.00"),
    ("乐事", "乐事薯片原味 70g", "7.50"), ("乐事", "乐事薯片黄瓜味 70g", "7.50"), ("可比克", "可比克薯片 60g", "5.50"),
    ("上好佳", "上好佳鲜虾片 40g", "3.50"), ("三只松鼠", "三只松鼠夏威夷果 160g", "29.90"),
    ("奥利奥", "奥利奥原味夹心饼干 116g", "8.90"),
    ("农夫山泉", "农夫山泉饮用天然水 550ml", "2.00"), ("农夫山泉", "东方树叶茉莉花茶 500ml", "5.50"),
    ("康师傅", "康师傅冰红茶 500ml", "3.50"), ("统一", "统一冰红茶 500ml", "3.50"),
    ("怡宝", "怡宝纯净水 555ml", "2.00"),
]  # fmt: skip
# (mechanics, share, details the rep wrote, displays seen with it)
_MECHANICS = [
    ("price_cut", 40, ["限时特价", "会员价", "DM特价", "周末特价"], ["end_cap", "dm", "floor_stack", ""]),
    ("multi_buy", 15, ["买二送一", "第二件半价", "两件九折"], ["floor_stack", "end_cap"]),
    ("gift", 10, ["买一箱送玻璃杯", "满50元赠开瓶器", "买二赠湿巾"], ["floor_stack", ""]),
    ("bundle", 5, ["啤酒+薯片组合装", "家庭装捆绑"], ["end_cap"]),
    ("tasting", 5, ["周末促销员试饮", "堆头旁试吃"], ["floor_stack"]),
    ("", 25, [""], ["", "", "facings", "cold_case"]),
]
_NOTES = ["", "", "", "占用了我司端架", "促销员在入口派发传单", "价签与DM不一致", "新品上架", "货架排面明显增加"]
COMPETITOR_SIGHTINGS = 45


def seed_competitors(*, today: date) -> int:
    """Competitor sightings at the demo's past visits (a few dozen, at stores of several chains), so the list and
    the per-chain summary have something to show; checked by the same rule as at every door. Once only."""
    import random
    from decimal import ROUND_HALF_UP, Decimal

    from django.utils import timezone

    from evidence.competitors import SightingValues
    from evidence.models import CompetitorSighting
    from visits.models import Visit

    if CompetitorSighting.objects.exists():
        return 0
    rng = random.Random(13003)
    visits = list(
        Visit.objects.filter(checked_out_at__isnull=False, checked_in_at__date__lt=today)
        .select_related("store")
        .order_by("checked_in_at", "pk")
    )
    if not visits:
        return 0
    picked = rng.sample(visits, min(COMPETITOR_SIGHTINGS, len(visits)))
    weights = [share for _m, share, _d, _s in _MECHANICS]
    sightings = []
    for visit in sorted(picked, key=lambda v: (v.checked_in_at, v.pk)):
        brand, product, regular = rng.choice(_COMPETITORS)
        regular = Decimal(regular)
        mechanics, _share, details, displays = rng.choices(_MECHANICS, weights)[0]
        if mechanics == "price_cut":
            cut = Decimal(rng.choice([10, 15, 20, 20, 25, 30])) / 100
            shelf = (regular * (1 - cut)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        else:
            shelf = regular
        values = SightingValues.checked(
            brand=brand,
            product=product,
            shelf_price=shelf,
            regular_price=regular if mechanics in ("price_cut", "") or rng.random() < 0.5 else None,
            mechanics=mechanics,
            mechanics_note=rng.choice(details),
            display=rng.choice(displays),
            note=rng.choice(_NOTES),
        )
        sightings.append(
            CompetitorSighting(
                visit=visit,
                store=visit.store,
                account_id=visit.store.account_id,
                seen_on=timezone.localdate(visit.checked_in_at),
                **values.__dict__,
            )
        )
    CompetitorSighting.objects.bulk_create(sightings)
    return len(sightings)


def seed_signals(*, today: date) -> int:
    """Fraud signals, a few of each kind, some reviewed."""
    return 0


def seed_evidence(*, today: date) -> int:
    return (
        seed_visit_checks(today=today)
        + seed_agreements(today=today)
        + seed_competitors(today=today)
        + seed_signals(today=today)
    )
