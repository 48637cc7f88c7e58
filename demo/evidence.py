"""Demo visit evidence (issue 13): promotions and displays checked at recent visits, display agreements with
their evidence, competitor sightings, and fraud signals for the supervisors' queue. Written through the services;
each part runs once (a second call changes nothing). One function per part, in the order seed_evidence calls them."""

from datetime import date
from decimal import Decimal

from demo.photos import shelf_upload


def seed_visit_checks(*, today: date) -> int:
    """Promotions and displays checked at recent visits: at the latest visit of a few stores where a demo plan
    runs, the shelf prices seen and the displays with a photo — most executed, one with a price off the plan's,
    one with the display missing — so the plan's page shows its execution in stores on a fresh install.

    The demo's visits are already checked out, so the checks are written as the visit would have recorded them
    and the execution and rating computed by the same functions the services call."""
    from datetime import timedelta

    from django.db.models import Q

    from evidence import visit_checks as checks
    from evidence.models import DisplayCheck, PromotionCheck
    from promotions.models import PromotionPlan
    from visits.models import Visit
    from visits.services import visit_photo_add, visit_rerate

    if PromotionCheck.objects.exists() or DisplayCheck.objects.filter(plan__isnull=False).exists():
        return 0
    created = 0
    plans = PromotionPlan.objects.filter(
        status__in=checks.RUNNING_STATUSES, start_on__lte=today, end_on__gte=today - timedelta(days=1)
    ).filter(Q(dm_slot=True) | Q(end_cap=True) | Q(floor_stack=True))
    for plan in plans.order_by("start_on", "id")[:2]:
        visits = (
            Visit.objects.filter(
                store__account=plan.account,
                checked_in_at__date__gte=plan.start_on,
                checked_in_at__date__lte=min(plan.end_on, today),
            )
            .select_related("store")
            .order_by("store__code", "-checked_in_at")
        )
        latest: dict[int, Visit] = {}
        for visit in visits:
            if plan.all_stores or plan.stores.filter(pk=visit.store_id).exists():
                latest.setdefault(visit.store_id, visit)
        items = list(plan.items.select_related("product"))
        for index, visit in enumerate(list(latest.values())[:6]):
            price_off, display_missing = index == 0, index == 1
            for number, item in enumerate(items):
                seen = item.promotion_price
                if price_off and number == 0:
                    seen = (item.promotion_price * Decimal("1.12")).quantize(Decimal("0.01"))
                PromotionCheck.objects.create(visit=visit, item=item, shelf_price=seen)
                created += 1
            for shot, kind in enumerate(checks.plan_displays(plan)):
                photo = None
                if not display_missing:
                    taken = visit.checked_in_at + timedelta(minutes=4)
                    upload = shelf_upload(
                        3_000_000 + visit.pk * 10 + shot, taken_at=taken, name=f"display-{visit.pk}-{kind}.jpg"
                    )
                    photo = visit_photo_add(visit=visit, image=upload)
                DisplayCheck.objects.create(visit=visit, plan=plan, kind=kind, present=not display_missing, photo=photo)
                created += 1 + (photo is not None)
            checks.execution_refresh(visit=visit, plan=plan)
            visit_rerate(visit=visit)
            created += 1
    return created


def seed_agreements(*, today: date) -> int:
    """Display agreements and their evidence: those of the contracts' end-cap terms and of the plans that bought
    displays, and three a KA manager entered, so that on a fresh install one is payable (facings seen with photos
    at two visits, its fee deducted by the chain and matched to it in the ledger: deducted in full), one not
    evidenced (an end cap seen once of three, its TG fee deducted and left unsupported) and one still open; then
    every agreement evaluated as of ``today``."""
    from datetime import timedelta
    from decimal import Decimal

    from contracts.models import Invoice
    from evidence.agreements import agreement_create, agreements_evaluate, agreements_generate, overlapping
    from evidence.models import DisplayAgreement, DisplayCheck
    from tradespend.models import ClosedMonth
    from tradespend.rules import add_months
    from visits.models import Visit
    from visits.services import visit_photo_add

    if DisplayAgreement.objects.filter(source=DisplayAgreement.Source.MANUAL).exists():
        return 0
    made = agreements_generate().created
    # A manager's agreements start 20 days back, or on the first day finance has not closed (one in a closed month
    # is refused, as at every door).
    start = today - timedelta(days=20)
    closed = ClosedMonth.objects.months()
    if closed:
        start = max(start, add_months(max(closed), 1))
    # recent visits on site, checked out, at stores of chains with a KA manager: two stores with two visits each
    visits = (
        Visit.objects.filter(
            checked_out_at__isnull=False, latitude__isnull=False, far_from_store=False,
            checked_in_at__date__gte=max(start, today - timedelta(days=19)), checked_in_at__date__lt=today,
            store__account__owner__isnull=False,
        )
        .select_related("store__account__owner")
        .order_by("store__code", "checked_in_at")
    )  # fmt: skip
    by_store: dict = {}
    for visit in visits:
        by_store.setdefault(visit.store, []).append(visit)
    candidates = [store for store, seen in by_store.items() if len(seen) >= 2]

    def free(store, kind, first, end, *, chain_wide=False):
        # no live agreement already pays for this display there (a store's, or its chain's): it would be refused
        probe = DisplayAgreement(account=store.account, store=None if chain_wide else store, kind=kind,
                                 start_on=first, end_on=end)  # fmt: skip
        return overlapping(probe) is None

    yesterday, stack_start = today - timedelta(days=1), max(start, today - timedelta(days=2))
    # the end cap's chain has an invoice its TG fee can be deducted from (the unsupported deduction below)
    deductible = Invoice.objects.filter(date__lte=today, open_amount__gte=Decimal("3600.00"))
    deductible = set(deductible.values_list("account_id", flat=True))
    free_end_caps = [s for s in candidates if free(s, "end_cap", start, yesterday)]
    free_end_caps.sort(key=lambda s: s.account_id not in deductible)  # stable: the store order otherwise
    end_cap_store = next(iter(free_end_caps), None)
    facings_end = today + timedelta(days=40)
    facings_store = next((s for s in candidates if s != end_cap_store and free(s, "facings", start, facings_end)), None)
    if end_cap_store is None or facings_store is None:
        return made
    stack_end = today + timedelta(days=28)
    stack_store = next(
        (s for s in (facings_store, end_cap_store) if free(s, "floor_stack", stack_start, stack_end, chain_wide=True)),
        None,
    )

    def photo(visit, *, minutes=5):
        # A shelf of its own (the seed), taken within the visit (the camera's time in its EXIF).
        within = min(timedelta(minutes=minutes), (visit.checked_out_at - visit.checked_in_at) / 2)  # a short one too
        upload = shelf_upload(7_000_000 + visit.pk * 10 + minutes, taken_at=visit.checked_in_at + within)
        return visit_photo_add(visit=visit, image=upload, caption="陈列照片")

    payable = agreement_create(
        by=facings_store.account.owner, account=facings_store.account, store=facings_store, kind="facings",
        facings=6, start_on=start, end_on=today + timedelta(days=40), fee=Decimal("1200.00"),
        evidence_visits=2, note="主货架排面不少于6个",
    )  # fmt: skip
    for visit in by_store[facings_store][-2:]:
        DisplayCheck.objects.create(visit=visit, kind="facings", agreement=payable, present=True, facings=8,
                                    photo=photo(visit))  # fmt: skip
    missed = agreement_create(
        by=end_cap_store.account.owner, account=end_cap_store.account, store=end_cap_store, kind="end_cap",
        start_on=start, end_on=today - timedelta(days=1), fee=Decimal("3600.00"),
        evidence_visits=3, note="端架三周，每周拍照",
    )  # fmt: skip
    first, second = by_store[end_cap_store][:2]
    DisplayCheck.objects.create(visit=first, kind="end_cap", agreement=missed, present=True,
                                photo=photo(first))  # fmt: skip
    DisplayCheck.objects.create(visit=second, kind="end_cap", agreement=missed, present=False)  # not in place
    if stack_store is not None:
        agreement_create(
            by=stack_store.account.owner, account=stack_store.account, store=None, kind="floor_stack",
            start_on=stack_start, end_on=stack_end, fee=Decimal("5000.00"),
            evidence_visits=2, note="全部门店春节地堆",
        )  # fmt: skip
        made += 1
    made += 2 + 3
    agreements_evaluate(today=today)
    # the chain takes the end cap's TG fee anyway: matching leaves it unsupported (its display was not evidenced);
    # it takes the facings fee, evidenced: matched to the agreement's line in the ledger, the fee settled
    made += _deducted(missed, today, kind="tg", reason="端架费（陈列未拍照核实）", reference="TG-EVID-1")
    made += _deducted(payable, today, kind="display", reason="排面陈列费", reference="DISP-EVID-1")
    return made


def _deducted(agreement, today, *, kind: str, reason: str, reference: str) -> int:
    """The chain deducts an agreement's fee from an open invoice, claiming the month it is payable in."""
    from datetime import timedelta

    from contracts.models import Invoice
    from contracts.services import deduction_record
    from ka_portal.errors import DomainError

    invoice = (
        Invoice.objects.filter(account=agreement.account, date__lte=today, open_amount__gte=agreement.fee)
        .order_by("-date")
        .first()
    )
    if invoice is None:
        return 0
    month = agreement.start_on.replace(day=1)
    try:
        deduction_record(
            invoice=invoice, date=max(today - timedelta(days=1), invoice.date), kind=kind, amount=agreement.fee,
            reason=reason, reference=reference, period_start=month, period_end=month,
        )  # fmt: skip
    except DomainError:  # a closed month or an invoice already settled: the demo goes without it
        return 0
    return 1


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
    """Fraud signals, a few of each kind, some reviewed: on the last two weeks' visits of each demo rep, one
    check-in moved 2 km from its store, one without a position, two check-ins minutes apart across town, one
    received nine hours after its check-in (the phone offline), shelf
    photos (generated with Pillow, added through visit_photo_add so they have hashes and thumbnails) of which one
    is a lightly edited copy of an earlier visit's and one was taken before its check-in; the demo's short
    visits are found as they are. Each supervisor has confirmed one and dismissed one."""
    from demo.evidence_signals import seed_signals as seed

    return seed(today=today)


def seed_evidence(*, today: date) -> int:
    # The signals part moves some visits' check-ins (far from the store, no position, minutes apart) as the phone
    # would have sent them: before the agreements, which pick on-site visits as evidence and evaluate them, so
    # their stored figures are worked out from the visits as they end up (after, an agreement's page read "1 of 3"
    # stored beside "0 of 3" from its visit, moved off site behind the evaluation's back).
    return (
        seed_visit_checks(today=today)
        + seed_competitors(today=today)
        + seed_signals(today=today)
        + seed_agreements(today=today)
    )
