"""Demo routes and visits: a published plan for this week and the three before for every demo rep, visits on
the past weeks' days (most stops done, a few missed), open tasks at today's stores, and suggested orders.

Idempotent: a rep whose plan for a week exists already is left alone for that week.
"""

import random
from datetime import date, datetime, time, timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from stores.models import Listing

from . import services
from .models import ChecklistResult, RoutePlan, StockCount, Task, Visit
from .rating import visit_rating

User = get_user_model()
WEEKS_BACK = 3
VISITED_SHARE = 0.88  # the rest are "missed" stops for the compliance page
PROBLEMS = ["价签缺失", "端架陈列不整齐", "促销POP未张贴", "堆头被竞品占用", "有破损包装"]
ACTIONS = ["已补价签", "已整理陈列", "已张贴POP", "已与店长沟通", "已下架破损品"]
TASKS = ["检查中秋堆头陈列", "补齐新品价签", "确认下月DM档期", "收集竞品促销信息"]


@transaction.atomic
def seed_visits(*, today: date, rng: random.Random) -> int:
    """Plans, visits, tasks and suggested orders for the demo reps; returns how many records it created."""
    created = 0
    _counted_listings.cache_clear()
    this_monday = services.week_start_of(today)
    reps = User.objects.filter(profile__role=Role.REP).select_related("profile__supervisor").order_by("username")
    visits: list[tuple[Visit, list[ChecklistResult], list[StockCount]]] = []
    for rep in reps:
        supervisor = rep.profile.supervisor or rep
        for weeks_back in range(WEEKS_BACK, -1, -1):
            week = this_monday - timedelta(days=7 * weeks_back)
            if RoutePlan.objects.filter(rep=rep, week_start=week).exists():
                continue
            plan, _overload = services.route_plan_generate(rep=rep, week_start=week, by=supervisor)
            stops = list(plan.stops.select_related("store").order_by("day", "position"))
            if not stops:
                plan.delete()
                continue
            services.route_plan_publish(plan=plan, by=supervisor)
            created += 1 + len(stops)
            for stop in stops:
                day = week + timedelta(days=stop.day)
                if day < today and rng.random() <= VISITED_SHARE:
                    visits.append(_visit(rep, stop, day, rng))
            if weeks_back == 0:
                created += _tasks(plan, today, supervisor, rng)
    # Written in three bulk inserts: the demo is seeded in every test run of the seeder.
    Visit.objects.bulk_create([visit for visit, _results, _counts in visits])
    for visit, results, counts in visits:
        for row in (*results, *counts):
            row.visit = visit
    ChecklistResult.objects.bulk_create([row for _visit, results, _counts in visits for row in results])
    StockCount.objects.bulk_create([row for _visit, _results, counts in visits for row in counts])
    created += sum(1 + len(results) + len(counts) for _visit, results, counts in visits)
    last_visit = {visit.store_id: visit for visit, *_rows in sorted(visits, key=lambda v: v[0].checked_in_at)}
    for visit in last_visit.values():
        created += len(services.suggested_orders_refresh(store=visit.store, on=timezone.localdate(visit.checked_in_at)))
    _counted_listings.cache_clear()
    return created


def _visit(rep, stop, day: date, rng: random.Random) -> tuple[Visit, list[ChecklistResult], list[StockCount]]:
    """One past visit, not yet saved: its checklist, its stock counts and the rating they give."""
    start = timezone.make_aware(datetime.combine(day, time(9, 0))) + timedelta(minutes=75 * stop.position)
    start += timedelta(minutes=rng.randint(0, 20))
    visit = Visit(
        rep=rep,
        store=stop.store,
        route_stop=stop,
        checked_in_at=start,
        checked_out_at=start + timedelta(minutes=rng.randint(25, 55)),
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
    counts = [
        StockCount(
            product=listing.product,
            packs=0 if rng.random() < 0.03 else rng.randint(1, 6 * listing.product.packs_per_case),
        )
        for listing in _counted_listings(stop.store_id)
    ]
    if any(r.result == "fail" for r in results) or visit.price_check_ok is False:
        index = rng.randrange(len(PROBLEMS))
        visit.problems, visit.actions = PROBLEMS[index], ACTIONS[index]
    visit.rating = visit_rating(
        checklist=[r.result for r in results],
        price_check_ok=visit.price_check_ok,
        promotion_executed=visit.promotion_executed,
        out_of_stock_products=sum(1 for count in counts if count.packs == 0),
    )
    return visit, results, counts


@cache
def _counted_listings(store_id: int) -> list[Listing]:
    """The first six products a store lists: the ones the demo reps count (cached for one seeding run)."""
    return list(Listing.objects.filter(store_id=store_id, active=True).select_related("product")[:6])


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
