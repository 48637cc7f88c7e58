"""Reads for routes and visits: the rep's day, the daily report and route compliance, all starting from scope."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.roles import Role
from ka_portal.scope import route_plans_for, route_stops_for, stores_for, tasks_for, team_for, user_role, visits_for
from stores.models import Listing, Store

from .models import (
    ReplenishmentRun,
    RoutePlan,
    RouteStop,
    StockCount,
    StockNotCounted,
    SuggestedOrder,
    Task,
    TaskChange,
    TaskTransition,
    Visit,
    VisitPhoto,
    VisitReview,
)
from .services import STILL_OPEN_SHOWN, week_start_of


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end of a local (Asia/Shanghai) day as aware datetimes."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)


def visits_on(user, day: date) -> QuerySet:
    start, end = day_bounds(day)
    return visits_for(user).filter(checked_in_at__gte=start, checked_in_at__lt=end)


def visit_photos_for(user) -> QuerySet:
    """Photos of the visits a user may reach (scope.visits_for): the only way a photo is served."""
    return VisitPhoto.objects.filter(visit__in=visits_for(user))


def open_tasks(user) -> QuerySet:
    return tasks_for(user).filter(status=Task.Status.OPEN).order_by("due_on", "id")


def visit_form_tasks(user, visit: Visit) -> QuerySet:
    """The tasks the visit page asks the rep about: the store's open ones and those answered at this visit (done,
    or not done with the reason), so the answer given here is shown back and can still be changed."""
    answered_here = Q(done_visit=visit) if visit.pk is not None else Q(pk__in=[])
    return (
        tasks_for(user).filter(Q(status=Task.Status.OPEN) | answered_here, store=visit.store).order_by("due_on", "id")
    )


def task_overdue_q(today: date | None = None) -> Q:
    """Tasks still open after their due day (due today is not overdue): the filter behind overdue=true."""
    return Q(status=Task.Status.OPEN, due_on__lt=today or timezone.localdate())


def stock_count_recent_since(today: date | None = None) -> datetime:
    """The first moment a stock count still counts as recent: the start of the day KA.stock_count_stale_days
    before today (a count on that day is recent, one the day before is not)."""
    today = today or timezone.localdate()
    return day_bounds(today - timedelta(days=settings.KA.stock_count_stale_days))[0]


def stale_stock_count_q(today: date | None = None) -> Q:
    """Stores with an active listing (something to count) but no stock count at a visit since
    stock_count_recent_since(today), never counted included: the filter behind stock_count_stale=true."""
    recent = StockCount.objects.filter(visit__checked_in_at__gte=stock_count_recent_since(today))
    return Q(pk__in=Listing.objects.active().values("store_id")) & ~Q(pk__in=recent.values("visit__store_id"))


def with_last_stock_count(stores: QuerySet) -> QuerySet:
    """Stores annotated with ``last_counted_at``: the check-in of the latest visit with a stock count there."""
    latest = (
        StockCount.objects.filter(visit__store=OuterRef("pk"))
        .values("visit__store")
        .annotate(at=Max("visit__checked_in_at"))
    )
    return stores.annotate(last_counted_at=Subquery(latest.values("at")[:1]))


# Names the visit a rep starts at a store on a day (uuid5): the check-in button on Today, its page kept on the phone
# for an offline check-in, and a repeated tap all name one visit.
_START_NAMESPACE = uuid.UUID("5d0c3f7e-8a51-4c8e-9a55-0e2f6c1b7d44")


def start_uuid(rep, store: Store, day: date) -> uuid.UUID:
    """The uuid of the visit `rep` starts at `store` on `day` from Today or its kept page."""
    return uuid.uuid5(_START_NAMESPACE, f"visit:{rep.pk}:{store.pk}:{day.isoformat()}")


@dataclass
class TodayStop:
    store: Store
    stop: RouteStop | None
    visit: Visit | None
    tasks: list[Task] = field(default_factory=list)
    orders: list[SuggestedOrder] = field(default_factory=list)  # the latest suggested order, what to order

    @property
    def done(self) -> bool:
        return self.visit is not None and not self.visit.is_open


def rep_day(rep, day: date) -> list[TodayStop]:
    """A rep's day: the published plan's stops in order, then unplanned visits; each with its visit and open tasks."""
    plan = (
        route_plans_for(rep).filter(rep=rep, week_start=week_start_of(day), status=RoutePlan.Status.PUBLISHED).first()
    )
    stops = []
    if plan is not None and day.weekday() < 6:
        stops = list(plan.stops.filter(day=day.weekday()).select_related("store__account").order_by("position"))
    visits = list(visits_on(rep, day).filter(rep=rep).select_related("store__account").order_by("checked_in_at"))
    by_store: dict[int, Visit] = {}
    for visit in visits:
        by_store.setdefault(visit.store_id, visit)  # the first visit of the day to a store answers for its stop
    rows = [TodayStop(stop.store, stop, by_store.pop(stop.store_id, None)) for stop in stops]
    rows += [TodayStop(visit.store, None, visit) for visit in visits if by_store.get(visit.store_id) is visit]
    tasks = defaultdict(list)
    for task in open_tasks(rep).filter(store__in=[row.store for row in rows]):
        tasks[task.store_id].append(task)
    orders = defaultdict(list)
    for order in latest_suggested_orders([row.store for row in rows], day):
        orders[order.store_id].append(order)
    for row in rows:
        row.tasks = tasks[row.store.pk]
        row.orders = orders[row.store.pk]
    return rows


def latest_suggested_orders(stores, day: date) -> QuerySet:
    """Each store's suggested order in force on `day` (the night's or the last visit's), what to order."""
    return (
        SuggestedOrder.objects.in_force_on(day)
        .filter(store__in=stores, suggested_cases__gt=0)
        .select_related("product")
        .order_by("store_id", "-suggested_cases", "product__code")
    )


def suggestions_day(stores: QuerySet, day: date) -> date | None:
    """The day the suggested orders in force on `day` at `stores` stand as computed: the last successful
    whole-company run's day up to `day`, or the last day one of them was computed (a store's own refresh after the
    night), whichever is later; None without any."""
    night = ReplenishmentRun.objects.filter(
        scope="", status=ReplenishmentRun.Status.SUCCEEDED, date__lte=day
    ).aggregate(latest=Max("date"))["latest"]
    in_force = SuggestedOrder.objects.in_force_on(day)
    if night == day:
        # The day's own night ran (each night computes its morning's day), so nothing in force on `day` is dated after
        # it: one row in force answers, not the latest date of every pair's history (a row a change: some fifty a
        # pair after a year). Looked for store by store through the (store, product, date) index: asked of the
        # whole table at once, PostgreSQL scans it from its start, where the oldest, superseded rows are.
        found = stores.filter(Exists(in_force.filter(store=OuterRef("pk")))).exists()
        return day if found else None
    computed = in_force.filter(store__in=stores).aggregate(latest=Max("date"))["latest"]
    if computed is None:
        return None
    return max(computed, night) if night else computed


def visit_detail(user, pk: int | None = None, *, uuid=None) -> Visit:
    """One visit within the user's scope (404 otherwise), with what its page shows: by its number, or by its client
    uuid (what a stop's page kept on the phone posts to before it knows the number; not uploaded yet is 404)."""
    from django.shortcuts import get_object_or_404

    queryset = (
        visits_for(user)
        .select_related("store__account", "rep")
        .prefetch_related(
            "checklist",
            Prefetch("stock_counts", queryset=StockCount.objects.select_related("product")),
            Prefetch("not_counted", queryset=StockNotCounted.objects.select_related("product")),
            "photos",
        )
    )
    return get_object_or_404(queryset, **({"uuid": uuid} if pk is None else {"pk": pk}))


def visit_pk_by_uuid(user, uuid) -> int:
    """The number of a visit within the user's scope named by its client uuid (404 otherwise): for the doors by
    uuid that hand on to the door by number."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(visits_for(user).only("pk"), uuid=uuid).pk


def still_open(rep, *, besides: Visit | None = None) -> list[Visit]:
    """The rep's visits not checked out, of any day, but `besides` (the visit on the page), oldest first, with their
    stores: a rep who forgot to check out somewhere is told where, and since when, on Today, on their other visit's
    page and in the API's answer to a check-in. Nothing is refused for it: a check-in kept on the phone offline
    must never be stuck behind a visit left open (the outbox sends in order, and stops at a refusal it cannot fix).
    At most STILL_OPEN_SHOWN (+1, so the caller can say there are more)."""
    visits = visits_for(rep).filter(rep=rep, checked_out_at__isnull=True)
    if besides is not None and besides.pk is not None:
        visits = visits.exclude(pk=besides.pk)
    return list(visits.select_related("store").order_by("checked_in_at", "pk")[: STILL_OPEN_SHOWN + 1])


def todays_stop(rep, store: Store, day: date) -> RouteStop | None:
    """The stop of the rep's published route at the store on the day, if the route has one."""
    return (
        route_stops_for(rep)
        .filter(
            plan__rep=rep,
            plan__week_start=week_start_of(day),
            plan__status=RoutePlan.Status.PUBLISHED,
            day=day.weekday(),
            store=store,
        )
        .first()
    )


def store_listings(store: Store) -> list[Listing]:
    return list(Listing.objects.active().filter(store=store).select_related("product").order_by("product__code"))


def previous_counts(visit: Visit) -> dict[int, StockCount]:
    """Each product's last stock count at this store before this visit: shown next to the field."""
    latest: dict[int, StockCount] = {}
    earlier = (
        StockCount.objects.filter(visit__store=visit.store, visit__checked_in_at__lt=visit.checked_in_at)
        .select_related("visit")
        .order_by("product_id", "-visit__checked_in_at")
    )
    for count in earlier:
        latest.setdefault(count.product_id, count)
    return latest


def task_reports() -> QuerySet:
    """A task's reports (done, not done and why), oldest first, with who made each: to prefetch as `transitions`."""
    return TaskTransition.objects.select_related("by").order_by("at", "id")


def task_edits() -> QuerySet:
    """A task's corrections (what changed, who, when), oldest first: to prefetch as `changes`."""
    return TaskChange.objects.filter(kind=TaskChange.Kind.EDITED).select_related("by").order_by("at", "id")


def task_deletions_for(user, *, store: Store | None = None, rep=None) -> QuerySet:
    """The tasks deleted at the stores a user may reach (as tasks_for reaches tasks), newest first, with who deleted
    each: of one store, or of one rep's stores, when given."""
    deletions = TaskChange.objects.filter(kind=TaskChange.Kind.DELETED, store__in=stores_for(user))
    if store is not None:
        deletions = deletions.filter(store=store)
    if rep is not None:
        deletions = deletions.filter(store__rep=rep)
    return deletions.select_related("store__rep", "by").order_by("-at", "-id")


def visit_tasks_answered(visit: Visit) -> list[Task]:
    """The tasks answered at the visit, each with its log of reports (oldest first): a task done there and marked
    not done later reads as not done, with what was said at the visit still in sight."""
    return list(
        visit.tasks_done.prefetch_related(Prefetch("transitions", queryset=task_reports())).order_by("due_on", "id")
    )


def visit_suggested_orders(visit: Visit) -> list[SuggestedOrder]:
    on = timezone.localdate(visit.checked_in_at)
    return list(
        SuggestedOrder.objects.in_force_on(on)
        .filter(store=visit.store, product_id__in=visit.stock_counts.values("product_id"))
        .select_related("product")
        .order_by("-date", "product__code")
    )


# --- reviews -----------------------------------------------------------------------------------

# Checked-out visits wait in a reviewer's queue this many days (today included): a week to review them.
REVIEW_DAYS = 7


def visit_reviews(visit: Visit | None = None) -> QuerySet:
    """A visit's reviews (one per reviewer), the first written first, with their reviewers: of `visit` (its page),
    or to prefetch as `reviews` (the visit list and its export). An open visit has none (reviewed once checked out,
    and a visit is never opened again): its page reads nothing."""
    reviews = VisitReview.objects.select_related("by").order_by("reviewed_at", "pk")
    if visit is None:
        return reviews
    return reviews.none() if visit.is_open else reviews.filter(visit=visit)


def review_queue_params(today: date) -> dict[str, str]:
    """The visit list's filters (VisitFilter) that make a reviewer's queue: checked out, not reviewed by them (another
    reviewer's review leaves it in theirs: each writes their own), checked in within the last REVIEW_DAYS days. The
    supervisor's home counts and links it with these, and the visit page's "Review next" takes the next visit from
    it, so all three hold the same visits."""
    return {
        "open": "false",
        "reviewed_by_me": "false",
        "since": (today - timedelta(days=REVIEW_DAYS - 1)).isoformat(),
    }


def review_overdue_params(today: date) -> dict[str, str]:
    """The visit list's filters for the checked-out visits left out of the reviewer's queue without their review
    (checked in before its first day): the supervisor's home counts and links them, so none leaves the queue unseen."""
    return {"open": "false", "reviewed_by_me": "false", "until": (today - timedelta(days=REVIEW_DAYS)).isoformat()}


def review_comments_for_rep(user, *, today: date) -> QuerySet:
    """The reviews with a comment on the rep's own visits written or changed in the last REVIEW_DAYS days (today
    included), the latest first, with the reviewer and the store: what the rep's home tells them."""
    since = day_bounds(today - timedelta(days=REVIEW_DAYS - 1))[0]
    latest = Coalesce("edited_at", "reviewed_at")
    return (
        VisitReview.objects.filter(visit__in=visits_for(user).filter(rep=user))
        .exclude(comment="")
        .annotate(latest_at=latest)
        .filter(latest_at__gte=since)
        .select_related("by", "visit__store")
        .order_by("-latest_at", "-pk")
    )


# The queue's order: what needs the reviewer most first (red, then yellow, then green), the newest first in each.
REVIEW_ORDER = (
    Case(When(rating=Visit.Rating.RED, then=0), When(rating=Visit.Rating.YELLOW, then=1), default=2),
    "-checked_in_at",
    "-pk",
)


def review_queue(user, visits: QuerySet, *, today: date) -> QuerySet:
    """`visits` (the user's scoped visits) narrowed to the review queue by the visit list's own FilterSet, in the
    queue's order."""
    from types import SimpleNamespace

    from .filters import VisitFilter

    filterset = VisitFilter(review_queue_params(today), queryset=visits, request=SimpleNamespace(user=user))
    if not filterset.is_valid():  # pragma: no cover - the queue names only filters the list has
        raise ValueError(filterset.errors.as_json())
    return filterset.qs.order_by(*REVIEW_ORDER)


def next_to_review(user, *, today: date | None = None, besides: Visit | None = None) -> Visit | None:
    """The first visit of the user's review queue but `besides` (the one just reviewed), with its store and rep:
    what "Review next" opens. None when the queue is empty."""
    queue = review_queue(user, visits_for(user), today=today or timezone.localdate())
    if besides is not None:
        queue = queue.exclude(pk=besides.pk)
    return queue.select_related("store", "rep").first()


# --- daily report ------------------------------------------------------------------------------


def reps_for(user) -> QuerySet:
    """The reps a user may report on: their team's reps (a manager's: those working at their accounts' stores,
    reported on only at those stores); a rep just themself."""
    team = team_for(user)
    if user_role(user) == Role.REP:
        return team
    return team.filter(profile__role=Role.REP).order_by("username")


@dataclass
class DailyReport:
    rep: object
    day: date
    planned: list[TodayStop]
    visits: list[Visit]
    orders: list[SuggestedOrder]

    @property
    def planned_count(self) -> int:
        return sum(1 for row in self.planned if row.stop is not None)

    @property
    def visited_planned(self) -> int:
        return sum(1 for row in self.planned if row.stop is not None and row.visit is not None)


def daily_report(user, rep, day: date) -> DailyReport:
    """The daily report (拜访日报表) of a rep the user may report on (the caller found `rep` in reps_for):
    the planned stops and visits at the stores the user reaches (for a manager, their accounts' stores only)."""
    rows = rep_day(rep, day)
    reachable = set(stores_for(user).filter(pk__in=[row.store.pk for row in rows]).values_list("pk", flat=True))
    rows = [row for row in rows if row.store.pk in reachable]
    visits = list(
        visits_on(user, day)
        .filter(rep=rep)
        .select_related("store__account")
        .prefetch_related(Prefetch("stock_counts", queryset=StockCount.objects.select_related("product")))
        .order_by("checked_in_at")
    )
    orders = list(
        SuggestedOrder.objects.in_force_on(day)
        .filter(store__in=[v.store_id for v in visits])
        .exclude(suggested_cases=0, flag="")
        .select_related("store", "product")
        .order_by("store__code", "product__code")
    )
    return DailyReport(rep, day, rows, visits, orders)


# --- compliance --------------------------------------------------------------------------------


@dataclass
class RepCompliance:
    rep: object
    planned: int = 0
    done: int = 0
    by_grade: dict = field(default_factory=lambda: {g: [0, 0] for g in Store.Grade.values})
    missed: list[tuple[date, Store]] = field(default_factory=list)
    has_plan: bool = False

    @property
    def rate(self):
        from decimal import Decimal

        return (Decimal(self.done) / Decimal(self.planned)) if self.planned else None

    def grade_rate(self, grade):
        from decimal import Decimal

        planned, done = self.by_grade[grade]
        return (Decimal(done) / Decimal(planned)) if planned else None

    @property
    def grades(self):
        return [(g, p, d, self.grade_rate(g)) for g, (p, d) in self.by_grade.items()]


def _visited_days(user, start: date, end: date, **where) -> set[tuple[int, int, date]]:
    """(rep, store, local day) of every visit checked in from ``start`` to ``end`` (inclusive) and checked out:
    what makes a planned stop done."""
    first, _ = day_bounds(start)
    _, last = day_bounds(end)
    rows = (
        visits_for(user)
        .filter(checked_in_at__gte=first, checked_in_at__lt=last, checked_out_at__isnull=False, **where)
        .values_list("rep_id", "store_id", "checked_in_at")
    )
    return {(rep_id, store_id, timezone.localdate(at)) for rep_id, store_id, at in rows}


def _published_stops(user, start: date, end: date, **where) -> QuerySet:
    """Stops of published plans whose weeks touch ``start``…``end`` (their days are filtered by the caller)."""
    return route_stops_for(user).filter(
        plan__week_start__gte=week_start_of(start),
        plan__week_start__lte=end,
        plan__status=RoutePlan.Status.PUBLISHED,
        **where,
    )


def compliance(user, week_start: date, *, today: date | None = None, account=None) -> list[RepCompliance]:
    """Per rep: stops planned in the published plan this week up to today, stops visited on their day, by grade,
    and the stops missed. A planned stop counts as done when the rep checked in at that store on that day and
    checked the visit out (which needs the visit done, or a reason: visits/completeness.py); a visit left open
    is not done.

    With `account` (a key account the caller took from scope.accounts_for) only that chain's stores count, and the
    reps are those serving it: with a stop at its stores this week or one of its stores in their care."""
    today = today or timezone.localdate()
    reps = list(reps_for(user))
    where = {} if account is None else {"store__account": account}
    week_end = week_start + timedelta(days=6)
    stops = list(
        _published_stops(user, week_start, week_end, plan__rep__in=reps, **where)
        .select_related("store", "plan")
        .order_by("plan__rep_id", "day", "position")
    )
    if account is not None:
        serving = {stop.plan.rep_id for stop in stops}
        serving.update(stores_for(user).active().filter(account=account).values_list("rep_id", flat=True))
        reps = [rep for rep in reps if rep.pk in serving]
    result = {rep.pk: RepCompliance(rep) for rep in reps}
    visited = _visited_days(user, week_start, week_end, rep__in=reps, **where)
    for stop in stops:
        row = result[stop.plan.rep_id]
        row.has_plan = True
        day = week_start + timedelta(days=stop.day)
        if day > today:
            continue  # not due yet
        done = (stop.plan.rep_id, stop.store_id, day) in visited
        row.planned += 1
        row.by_grade[stop.store.grade][0] += 1
        if done:
            row.done += 1
            row.by_grade[stop.store.grade][1] += 1
        else:
            row.missed.append((day, stop.store))
    return list(result.values())


class _AddDays(Func):
    """A date plus whole days, in the database: PostgreSQL adds an integer to a date, SQLite asks date()."""

    arity = 2
    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" + ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="date(%(expressions)s || ' days')", arg_joiner=", '+' || ")


def stops_done(user, *, stores: QuerySet, start: date, end: date) -> tuple[int, int]:
    """Of the published stops at ``stores`` due from ``start`` to ``end`` (inclusive), how many were planned and
    how many done — compliance's rule (a stop is done when its rep checked in there that day and checked out),
    over any span and any set of stores, counted in the database: two queries whatever the size. A visit's local
    day is matched to the stop's day (its plan's Monday plus its weekday) in a hash join."""
    first_week, last_week = week_start_of(start), week_start_of(end)
    low, high = (start - first_week).days, (end - last_week).days
    if first_week == last_week:
        due = Q(plan__week_start=first_week, day__gte=low, day__lte=high)
    else:
        due = (
            Q(plan__week_start=first_week, day__gte=low)
            | Q(plan__week_start__gt=first_week, plan__week_start__lt=last_week)
            | Q(plan__week_start=last_week, day__lte=high)
        )
    stops = _published_stops(user, start, end, store__in=stores).filter(due)
    first, _ = day_bounds(start)
    _, last = day_bounds(end)
    kept = (
        visits_for(user)
        .filter(store__in=stores, checked_in_at__gte=first, checked_in_at__lt=last, checked_out_at__isnull=False)
        .annotate(on=TruncDate("checked_in_at"))  # the local day
        .filter(rep=OuterRef("plan__rep"), store=OuterRef("store"), on=OuterRef("on"))
    )
    stops = stops.annotate(on=_AddDays(F("plan__week_start"), F("day")))
    return stops.count(), stops.filter(Exists(kept)).count()


def reachable_stop_count(user):
    """An annotation for route plans: how many of the plan's stops the user reaches (scope.route_stops_for)."""
    stops = route_stops_for(user).filter(plan=OuterRef("pk")).order_by().values("plan").annotate(n=Count("pk"))
    return Coalesce(Subquery(stops.values("n")), 0)


def reachable_store_count(user):
    """An annotation for route plans: how many distinct stores the user reaches among the plan's stops (an A store
    is planned three times a week, so this is at most reachable_stop_count)."""
    stores = (
        route_stops_for(user)
        .filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(n=Count("store", distinct=True))
    )
    return Coalesce(Subquery(stores.values("n")), 0)


def sees_whole_plans(user) -> bool:
    """Whether a route plan shows the user all its stops: a manager reaches only the stops at their accounts'
    stores (scope.route_stops_for), so the rep's whole week — its load against capacity — is not theirs to see."""
    return user_role(user) != Role.MANAGER


def scoped_stores(user) -> QuerySet:
    return stores_for(user).active().select_related("account")
