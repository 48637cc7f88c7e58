"""Demo routes and visits: a published plan for this week and the three before for every demo rep, visits on
the past weeks' days (most stops done, a few missed) with stock counts that follow the deliveries (demo/stock.py),
open tasks at today's stores, and the suggested orders those counts give.

Idempotent: a rep whose plan for a week exists already is left alone for that week.
"""

import random
from datetime import date, datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from accounts.roles import Role
from demo.deliveries import fine_window_start
from demo.stock import MISCOUNT_SHARE, stock_models
from stores.models import Listing, Store
from visits import services
from visits.completeness import checkout_missing, short_visit_minutes
from visits.models import ChecklistResult, RoutePlan, StockCount, StockNotCounted, Task, Visit
from visits.rating import rate_visit

User = get_user_model()
WEEKS_BACK = 3
VISITED_SHARE = 0.88  # the rest are "missed" stops for the compliance page
PROBLEMS = ["价签缺失", "端架陈列不整齐", "促销POP未张贴", "堆头被竞品占用", "有破损包装"]
ACTIONS = ["已补价签", "已整理陈列", "已张贴POP", "已与店长沟通", "已下架破损品"]
TASKS = ["检查中秋堆头陈列", "补齐新品价签", "确认下月DM档期", "收集竞品促销信息"]
# A few visits are cut short, honestly: checked out with a reason, or in a few minutes (flagged for the supervisor).
CUT_SHORT_SHARE = 0.04
SHORT_SHARE = 0.03
CUT_SHORT_REASONS = ["店长要求提前离店，未完成盘点", "仓库锁门，无法盘点库存", "门店停电，只完成了陈列检查"]
COUNTED_PER_VISIT = 6  # the demo reps count a store's first six products and mark the rest "not counted"


@transaction.atomic
def seed_visits(*, today: date, rng: random.Random) -> int:
    """Plans, visits, tasks and suggested orders for the demo reps; returns how many records it created."""
    created = 0
    _listings.cache_clear()
    this_monday = services.week_start_of(today)
    reps = User.objects.filter(profile__role=Role.REP).select_related("profile__supervisor").order_by("username")
    visits: list[tuple[Visit, list[ChecklistResult], list[StockCount | StockNotCounted]]] = []
    stock = _StockCounter(reps, first_week=this_monday - timedelta(weeks=WEEKS_BACK))
    for rep in reps:
        supervisor = rep.profile.supervisor or rep
        for weeks_back in range(WEEKS_BACK, -1, -1):
            week = this_monday - timedelta(days=7 * weeks_back)
            if RoutePlan.objects.filter(rep=rep, week_start=week).exists():
                continue
            # planned as on its Monday, before any of its days had passed (a past week is not generated today)
            plan = services.route_plan_generate(rep=rep, week_start=week, by=supervisor, today=week).plan
            stops = list(plan.stops.select_related("store").order_by("day", "position"))
            if not stops:
                plan.delete()
                continue
            services.route_plan_publish(plan=plan, by=supervisor)
            created += 1 + len(stops)
            for stop in stops:
                day = week + timedelta(days=stop.day)
                if day < today and rng.random() <= VISITED_SHARE:
                    visits.append(_visit(rep, stop, day, rng, stock))
            if weeks_back == 0:
                created += _tasks(plan, today, supervisor, rng)
    # Written in three bulk inserts: the demo is seeded in every test run of the seeder.
    Visit.objects.bulk_create([visit for visit, _results, _counts in visits])
    for visit, results, counts in visits:
        for row in (*results, *counts):
            row.visit = visit
    ChecklistResult.objects.bulk_create([row for _visit, results, _counts in visits for row in results])
    StockCount.objects.bulk_create(
        [row for _visit, _results, counts in visits for row in counts if isinstance(row, StockCount)]
    )
    StockNotCounted.objects.bulk_create(
        [row for _visit, _results, counts in visits for row in counts if isinstance(row, StockNotCounted)]
    )
    created += sum(1 + len(results) + len(counts) for _visit, results, counts in visits)
    last_visit = {visit.store_id: visit for visit, *_rows in sorted(visits, key=lambda v: v[0].checked_in_at)}
    for visit in last_visit.values():
        created += len(services.suggested_orders_refresh(store=visit.store, on=timezone.localdate(visit.checked_in_at)))
    _listings.cache_clear()
    return created


def _visit(rep, stop, day: date, rng: random.Random, stock: "_StockCounter") -> tuple[Visit, list, list]:
    """One past visit, not yet saved: its checklist, its stock counts (what the deliveries left, demo/stock.py) and
    "not counted" marks, done as a visit must be (visits/completeness.py) or checked out with a reason, and the
    rating and reasons they give."""
    start = timezone.make_aware(datetime.combine(day, time(9, 0))) + timedelta(minutes=75 * stop.position)
    start += timedelta(minutes=rng.randint(0, 20))
    minutes = rng.randint(25, 55)
    # The cut-short and short visits draw from their own generator: the demo's other data stays as it was. Seeded
    # by what the stop is, not by its id: ids depend on what the database held before (a PostgreSQL sequence
    # does not roll back), and the demo must be the same whatever ran before it.
    odd = random.Random(f"{stop.store.code} {day.isoformat()} {stop.position}")
    cut_short = odd.random() < CUT_SHORT_SHARE
    if odd.random() < SHORT_SHARE:
        minutes = odd.randint(2, 4)
    visit = Visit(
        rep=rep,
        store=stop.store,
        route_stop=stop,
        checked_in_at=start,
        checked_out_at=start + timedelta(minutes=minutes),
        latitude=stop.store.latitude,
        longitude=stop.store.longitude,
        distance_m=0 if stop.store.latitude is not None else None,
        price_check_ok=rng.random() > 0.15,
        promotion_executed=rng.choice([True, True, True, True, None, False]),
    )
    results = [
        ChecklistResult(item=item, result=rng.choices(["pass", "fail", "na"], weights=[80, 12, 8])[0])
        for item in ChecklistResult.Item.values
    ]
    listings = _listings(stop.store_id)
    counts: list = [
        StockCount(product=listing.product, packs=stock.count(stop.store, listing, start))
        for listing in listings[:COUNTED_PER_VISIT]
    ]
    if any(r.result == "fail" for r in results) or visit.price_check_ok is False:
        index = rng.randrange(len(PROBLEMS))
        visit.problems, visit.actions = PROBLEMS[index], ACTIONS[index]
    if cut_short:  # two checklist items and two counts, then the rep had to leave
        results, counts = results[:2], counts[:2]
    else:
        counts += [StockNotCounted(product=listing.product) for listing in listings[COUNTED_PER_VISIT:]]
    missing = checkout_missing(
        checklist_items=ChecklistResult.Item.values,
        answered=[r.item for r in results],
        listed=[listing.product_id for listing in listings],
        counted=[c.product_id for c in counts if isinstance(c, StockCount)],
        not_counted=[c.product_id for c in counts if isinstance(c, StockNotCounted)],
        has_position=visit.latitude is not None,
    )
    if missing:
        visit.checkout_reason = odd.choice(CUT_SHORT_REASONS)
        visit.checkout_missing = missing.as_json()
    short = short_visit_minutes(visit.checked_in_at, visit.checked_out_at, settings.KA.visit_min_minutes)
    visit.short_visit = short is not None
    rated = rate_visit(
        checklist={r.item: r.result for r in results},
        price_check_ok=visit.price_check_ok,
        promotion_executed=visit.promotion_executed,
        out_of_stock=[
            {"product": c.product.name, "product_code": c.product.code}
            for c in counts
            if isinstance(c, StockCount) and c.packs == 0
        ],
        checkout_reason=visit.checkout_reason or None,
        short_minutes=short,
        has_position=visit.latitude is not None,
    )
    visit.rating, visit.rating_reasons = rated.rating, rated.reasons_json()
    return visit, results, counts


class _StockCounter:
    """What a rep finds on the shelf and in the back room (demo/stock.py), from the deliveries since the weeks before
    the demo's first week of visits; now and then a case counted twice."""

    def __init__(self, reps, *, first_week: date) -> None:
        # The first week of visits of the first seeding (a later one tops up): the deliveries it was made with.
        seeded = RoutePlan.objects.filter(rep__in=reps).aggregate(first=Min("week_start"))["first"]
        self.since = fine_window_start(min(seeded or first_week, first_week))
        self.stores = Store.objects.filter(rep__in=reps).values_list("pk", flat=True)
        self.models: dict | None = None

    def count(self, store: Store, listing: Listing, moment: datetime) -> int:
        if self.models is None:  # read once, when the first visit is counted
            self.models = stock_models(self.stores, since=self.since)
        packs = self.models[listing.store_id, listing.product_id].packs_at(moment)
        if random.Random(f"{store.code}-{listing.product.code}-{moment:%Y%m%d}").random() < MISCOUNT_SHARE:
            packs += listing.product.packs_per_case
        return packs


@cache
def _listings(store_id: int) -> list[Listing]:
    """A store's active listings, the first six being the ones the demo reps count (cached for one seeding run)."""
    return list(Listing.objects.active().filter(store_id=store_id).select_related("product"))


def _tasks(plan: RoutePlan, today: date, supervisor, rng: random.Random) -> int:
    day = min(today.weekday(), 5)
    stops = list(plan.stops.filter(day=day).select_related("store")[:2])
    for stop in stops:
        Task.objects.create(
            store=stop.store,
            title=rng.choice(TASKS),
            due_on=today + timedelta(days=rng.randint(0, 3)),
            assigned_by=supervisor,
        )
    return len(stops)
