"""Writes for routes and visits (SPEC §4): one function per business action, atomic, refusing with DomainError."""

import logging
import uuid as uuid_module
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Case, Max, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import Role
from evidence import hooks as evidence
from ka_portal import bounds
from ka_portal.errors import DomainConflict, DomainError, DomainForbidden, KeyReused
from ka_portal.formatting import display_name
from ka_portal.inserts import insert_unless_taken, not_inserted
from ka_portal.scope import not_found, route_stops_for, stores_for, user_role
from ka_portal.wordlists import WordList
from stores.models import Listing, Product, Store

from . import photos, rules
from .completeness import Missing, checkout_missing, short_visit_minutes
from .models import (
    ChecklistResult,
    RoutePlan,
    RoutePlanTransition,
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
    missing_parts,
)
from .rating import Rated, rate_visit
from .replenishment_job import Chunk, chunk_compute, write_suggestions
from .routing import WORKING_DAYS, Overload, StoreToPlan, distance_m, generate_week, order_around

log = logging.getLogger(__name__)


def week_start_of(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


# --- route plans -------------------------------------------------------------------------------


def _editable(plan: RoutePlan) -> None:
    if plan.status == RoutePlan.Status.PUBLISHED:
        raise DomainConflict(
            "route.published", _("This route plan is published; take it back to draft before changing it.")
        )


@dataclass(frozen=True)
class GeneratedWeek:
    """What generating a week did: the plan, the overload if over capacity, whether the plan was new, and how many
    stops placed by hand at the planner's stores it kept where they were (a planner is told so)."""

    plan: RoutePlan
    overload: Overload | None
    created: bool
    kept_by_hand: int


def _closed_days(week_start: date, today: date) -> list[int]:
    """The days of the week before `today`: passed, the record of the week (rules.check_route_day_open)."""
    return [day for day in range(WORKING_DAYS) if rules.route_day_date(week_start, day) < today]


@transaction.atomic
def route_plan_generate(*, rep, week_start: date, by, today: date | None = None) -> GeneratedWeek:
    """Make (or remake) a rep's draft plan for a week from the visit frequencies of their active stores that `by`
    reaches (scope.stores_for). A supervisor reaches all their rep's stores and plans the whole week; a KA manager
    plans the stops at their accounts' stores only, around the rep's other stops, which stay as they are (another
    manager's accounts, or stores of no manager's).

    Remaking a week replaces only the generator's own stops: a stop placed by hand (added or moved, by anyone: a
    manager's edits at their accounts' stores are not undone by the supervisor's "Generate") stays on its day and
    in its order, counts towards its store's visits, and the new stops are planned around it. Each day is then
    numbered again from the first place, without gaps.

    The days before `today` (Asia/Shanghai; a seeder passes its own) are the record of the week: their stops stay
    exactly as they are, counting towards their stores' visits like the kept ones, and the rest of the week is
    planned on today and the days after. A week whose days have all passed is refused (route.week_passed)."""
    today = today or timezone.localdate()
    rules.check_week_start(week_start)
    rules.check_route_week_open(week_start, today=today)
    reachable = stores_for(by)
    stores = list(Store.objects.active().filter(rep=rep, pk__in=reachable.values("pk")).order_by("code"))
    if not stores:
        raise DomainError(
            "route.no_stores",
            _("%(rep)s has no active stores for you to plan."),
            field="rep",
            rep=display_name(rep),
        )
    plan, created = RoutePlan.objects.select_for_update().get_or_create(
        rep=rep, week_start=week_start, defaults={"created_by": by}
    )
    _editable(plan)
    closed = _closed_days(week_start, today)
    plan.stops.filter(store__in=reachable, by_hand=False).exclude(day__in=closed).delete()
    kept = [[] for _ in range(WORKING_DAYS)]
    kept_days: dict[int, list[int]] = {}
    for stop in plan.stops.select_related("store").order_by("day", "position", "id"):
        kept[stop.day].append(stop)
        kept_days.setdefault(stop.store_id, []).append(stop.day)
    week = generate_week(
        [
            StoreToPlan(s.id, s.visits_per_week, s.latitude, s.longitude, kept_days=tuple(kept_days.get(s.id, ())))
            for s in stores
        ],
        per_day=settings.KA.route_stops_per_day,
        per_week=settings.KA.route_stops_per_week,
        taken=[len(day) for day in kept],
        closed=closed,
    )
    # The stops that stay keep their day and their order in it (another planner's, or placed by hand); the new ones
    # go where they add least to the day's walk around them (routing.order_around); then each day reads 1..n again.
    by_id = {store.id: store for store in stores}
    new_stops = []
    for day, store_ids in enumerate(week.days):
        if not store_ids:
            continue
        fixed_items = [_to_place(stop.store) for stop in kept[day]]
        order = order_around(fixed_items, [_to_place(by_id[store_id]) for store_id in store_ids])
        stop_of = {id(item): stop for item, stop in zip(fixed_items, kept[day], strict=True)}
        for position, item in enumerate(order):
            stop = stop_of.get(id(item))
            if stop is None:
                new_stops.append(RouteStop(plan=plan, day=day, position=position, store_id=item.id))
            elif stop.position != position:
                stop.position = position
                stop.save(update_fields=["position"])
    RouteStop.objects.bulk_create(new_stops)
    for day in range(WORKING_DAYS):
        if day not in closed:
            _renumber(plan, day)
    plan.created_by = by
    plan.save(update_fields=["created_by"])
    by_hand = plan.stops.filter(store__in=reachable, by_hand=True).count()
    return GeneratedWeek(plan, week.overload, created, by_hand)


def _to_place(store: Store) -> StoreToPlan:
    """A store where it is, for ordering a day's stops (routing.order_around)."""
    return StoreToPlan(store.id, 0, store.latitude, store.longitude)


@dataclass(frozen=True)
class Capacity:
    """A plan's load against the settings: per day and per week, and whether it is over."""

    per_day: list[int]
    visits: int
    day_limit: int
    week_limit: int

    @property
    def over(self) -> bool:
        return self.visits > self.week_limit or any(n > self.day_limit for n in self.per_day)

    @property
    def busiest(self) -> int:
        return max(self.per_day) if self.per_day else 0


def plan_capacity(plan: RoutePlan) -> Capacity:
    per_day = [0] * WORKING_DAYS
    for stop in plan.stops.all():
        per_day[stop.day] += 1
    return Capacity(per_day, sum(per_day), settings.KA.route_stops_per_day, settings.KA.route_stops_per_week)


def _renumber(plan: RoutePlan, day: int, first: RouteStop | None = None, at: int | None = None) -> None:
    stops = [s for s in plan.stops.filter(day=day).order_by("position", "id") if first is None or s.pk != first.pk]
    if first is not None:
        stops.insert(len(stops) if at is None else max(0, min(at, len(stops))), first)
    for position, stop in enumerate(stops):
        if stop.position != position or stop.day != day:
            stop.position, stop.day = position, day
            stop.save(update_fields=["position", "day"])


@transaction.atomic
def route_stop_add(*, plan: RoutePlan, store: Store, day: int, by, today: date | None = None) -> RouteStop:
    """Add a visit to one of the rep's active stores that `by` reaches at the end of a day (today or later)."""
    plan = RoutePlan.objects.select_for_update().get(pk=plan.pk)
    _editable(plan)
    rules.check_route_day(day)
    rules.check_route_day_open(plan.week_start, day, today=today or timezone.localdate())
    # another rep's store, or (for a KA manager) a store of another manager's account: not found, named nowhere
    if store.rep_id != plan.rep_id or not stores_for(by).filter(pk=store.pk).exists():
        raise not_found("store")
    if not store.active:  # the route page offers active stores only; a stale page or the API may send another
        raise DomainError(
            "route.store_inactive",
            _("%(store)s is inactive: a route plans visits to active stores only."),
            field="store",
            store=store.name,
        )
    if plan.stops.filter(day=day, store=store).exists():
        raise DomainError("route.store_twice", _("%(store)s is already on this day."), field="store", store=store.name)
    position = (plan.stops.filter(day=day).aggregate(m=Max("position"))["m"] or 0) + 1
    stop = RouteStop.objects.create(plan=plan, day=day, position=position, store=store, by_hand=True)
    _renumber(plan, day)
    return stop


@transaction.atomic
def route_stop_move(
    *, stop: RouteStop, day: int, position: int | None = None, by, today: date | None = None
) -> RouteStop:
    """Move a stop to another day (or place in its day): at `position`, or at the end. A day that has passed is
    the record of the week: no stop moves out of it or into it, nor within it.

    `position` counts the stops `by` sees (scope.route_stops_for), as the route page numbers them: a KA manager's
    "2nd" is before the second stop at their accounts' stores, wherever the rep's other stops are."""
    plan = RoutePlan.objects.select_for_update().get(pk=stop.plan_id)
    _editable(plan)
    rules.check_route_day(day)
    today = today or timezone.localdate()
    rules.check_route_day_open(plan.week_start, stop.day, today=today)
    rules.check_route_day_open(plan.week_start, day, today=today)
    if day != stop.day and plan.stops.filter(day=day, store_id=stop.store_id).exists():
        raise DomainError(
            "route.store_twice", _("%(store)s is already on this day."), field="day", store=stop.store.name
        )
    old_day = stop.day
    at = _place_among_all(plan, stop, day, position, by)
    if day == old_day:
        order = list(plan.stops.filter(day=day).order_by("position", "id").values_list("pk", flat=True))
        rest = [pk for pk in order if pk != stop.pk]
        rest.insert(len(rest) if at is None else max(0, min(at, len(rest))), stop.pk)
        if rest == order:  # "Move" to where it is: nothing moves, and it does not become the planner's
            return stop
    if not stop.by_hand:  # a moved stop is the planner's: a regenerated week keeps it where they put it
        RouteStop.objects.filter(pk=stop.pk).update(by_hand=True)
        stop.by_hand = True
    _renumber(plan, day, first=stop, at=at)
    if old_day != day:
        _renumber(plan, old_day)
    return stop


def _place_among_all(plan: RoutePlan, stop: RouteStop, day: int, position: int | None, by) -> int | None:
    """The place in the whole day of the `position`-th (from 0) of the stops `by` sees there: before that stop, after
    the last one seen when `position` is past them, at the end when `by` sees none; None (the end) without one."""
    if position is None:
        return None
    others = list(
        plan.stops.filter(day=day).exclude(pk=stop.pk).order_by("position", "id").values_list("pk", flat=True)
    )
    seen = set(route_stops_for(by).filter(plan=plan, day=day).values_list("pk", flat=True))
    visible = [pk for pk in others if pk in seen]
    if not visible:
        return None
    if position < len(visible):
        return others.index(visible[max(0, position)])
    return others.index(visible[-1]) + 1


@transaction.atomic
def route_stop_remove(*, stop: RouteStop, today: date | None = None) -> None:
    """Remove a stop of today or a day to come; a day that has passed keeps its stops (the record of the week:
    a missed stop stays missed)."""
    plan = RoutePlan.objects.select_for_update().get(pk=stop.plan_id)
    _editable(plan)
    rules.check_route_day_open(plan.week_start, stop.day, today=today or timezone.localdate())
    day = stop.day
    stop.delete()
    _renumber(plan, day)


@transaction.atomic
def route_plan_publish(*, plan: RoutePlan, by) -> RoutePlan:
    """Publish a plan: the rep sees it from now on; who published it and when is kept (RoutePlanTransition).
    Publishing twice changes nothing."""
    plan = RoutePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != RoutePlan.Status.PUBLISHED:
        if not plan.stops.exists():
            raise DomainError("route.empty", _("An empty route plan cannot be published."))
        plan.status = RoutePlan.Status.PUBLISHED
        plan.published_at = timezone.now()
        plan.save(update_fields=["status", "published_at"])
        RoutePlanTransition.objects.create(
            plan=plan, from_status=RoutePlan.Status.DRAFT, to_status=RoutePlan.Status.PUBLISHED, by=by
        )
    return plan


def unpublish_refusal(plan: RoutePlan, by, today: date | None = None) -> DomainError | None:
    """Why `by` may not take the published plan back to draft, or None when they may.

    Back in draft, the week is gone from the rep's phone until it is published again: every stop of it, not only
    the planner's. A KA manager sees and plans only the stops at their accounts' stores, so they take a week back
    only while the stops still to come (today and after, Asia/Shanghai) are all theirs; a week that also holds
    another manager's stops (or stores of no manager's) is the rep's supervisor's to take back, who sees it whole.
    The supervisor (and the administrator) may always, but no one takes back a week wholly passed: it is the record
    route compliance counts (rules.check_route_week_kept)."""
    today = today or timezone.localdate()
    try:
        rules.check_route_week_kept(plan.week_start, today=today)
    except DomainError as kept:
        return kept
    if user_role(by) != Role.MANAGER:
        return None
    to_come = [day for day in range(WORKING_DAYS) if rules.route_day_date(plan.week_start, day) >= today]
    others = plan.stops.filter(day__in=to_come).exclude(store__in=stores_for(by)).count()
    if not others:
        return None
    supervisor = getattr(getattr(plan.rep, "profile", None), "supervisor", None)
    if supervisor is None:
        return DomainError("route.others_stops", OTHERS_STOPS, count=others)
    return DomainError("route.others_stops", OTHERS_STOPS_ASK, count=others, supervisor=display_name(supervisor))


OTHERS_STOPS = _(
    "This week also holds stops still to come at stores outside your accounts (%(count)s): back in draft, the rep "
    "would lose them too. Only the rep's supervisor can take it back to draft."
)
OTHERS_STOPS_ASK = _(
    "This week also holds stops still to come at stores outside your accounts (%(count)s): back in draft, the rep "
    "would lose them too. Only the rep's supervisor, %(supervisor)s, can take it back to draft."
)


@transaction.atomic
def route_plan_unpublish(*, plan: RoutePlan, by, today: date | None = None) -> RoutePlan:
    """Take a plan back to draft so it can be changed (unpublish_refusal says who may); who did it and when is kept
    (RoutePlanTransition). A draft taken back again changes nothing."""
    plan = RoutePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == RoutePlan.Status.PUBLISHED:
        refusal = unpublish_refusal(plan, by, today)
        if refusal is not None:
            raise refusal
        plan.status, plan.published_at = RoutePlan.Status.DRAFT, None
        plan.save(update_fields=["status", "published_at"])
        RoutePlanTransition.objects.create(
            plan=plan, from_status=RoutePlan.Status.PUBLISHED, to_status=RoutePlan.Status.DRAFT, by=by
        )
    return plan


UNCHANGED = object()  # a visit_record argument not given: keep what the visit has


@dataclass(frozen=True)
class Lines:
    """Where the caller names each line of the lists it sent, so that a refusal of one line points at that line:
    the API by the row's place in its list ("stock_counts.2.product", "tasks.0.task": the paths of
    rules.check_once_each), by product id and by task id. A line it does not name is the visit page's field of that
    product or task (`stock_<id>`, `task_<id>_done`)."""

    stock: dict[int, str] = dataclass_field(default_factory=dict)
    tasks: dict[int, str] = dataclass_field(default_factory=dict)

    def stock_field(self, product_id: int) -> str:
        return self.stock.get(product_id, f"stock_{product_id}")

    def task_field(self, task_id: int) -> str:
        return self.tasks.get(task_id, f"task_{task_id}_done")


PAGE_LINES = Lines()


@dataclass(frozen=True)
class Recorded:
    """What a new visit holds once visit_check_in has recorded its findings: the checklist's answers (item → result,
    in the order written), the counts (product id → packs, by product id) and the products marked not counted."""

    checklist: dict[str, str]
    counts: dict[int, int]
    not_counted: frozenset[int]


# --- visits ------------------------------------------------------------------------------------


def _as_uuid(value) -> uuid_module.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid_module.UUID) else uuid_module.UUID(str(value))
    except ValueError as error:
        raise DomainError("visit.uuid", _("The visit's client id is not a valid UUID."), field="uuid") from error


def visit_check_in(
    *,
    rep,
    store: Store,
    uuid=None,
    at: datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    route_stop: RouteStop | None = None,
    findings: dict | None = None,
) -> tuple[Visit, bool]:
    """Start a visit. The client's uuid makes it idempotent: the same uuid again returns the same visit,
    the same uuid for another store or route stop is refused (422 ``idempotency.key_reused``). A route stop is the
    rep's, at the store, of the check-in's day and not visited yet (_check_route_stop, rules.check_route_stop).

    A position more than the setting's metres from the store's coordinates is kept and flagged. The phone's time
    `at` (a check-in made offline, sent later) is kept within KA_VISIT_SYNC_MAX_HOURS before now and refused
    beyond, or when ahead of the server's clock (rules.phone_time); one received late is flagged (evidence).

    `findings` (visit_record's keywords; a phone's create) are recorded on a new visit in the same step, both or
    neither, and what it then holds is `visit.recorded` (Recorded), so an answer need not read it back; a repeated
    uuid records nothing. They are recorded without reading back what cannot exist yet (no earlier answers, marks,
    promotion checks or photos of a visit made in this transaction, nobody else holding its row); the rules are
    visit_record's. Inside a caller's transaction no savepoint is taken: a refusal rolls the whole of it back.
    """
    # In a transaction (the caller's, as a request's, else its own): the store's row stays locked by _open_visits until
    # the new visit is in, so a second check-in at the store waits for it and finds it. Without findings, in the
    # caller's one, nothing is wrapped: a refusal leaves the caller's transaction usable (the page goes on to the
    # open visit).
    if findings is None and connection.in_atomic_block:
        return _check_in(rep, store, uuid, at, latitude, longitude, route_stop)
    with transaction.atomic(savepoint=False):
        visit, created = _check_in(rep, store, uuid, at, latitude, longitude, route_stop, findings=findings)
        if created and findings is not None:
            _record(visit, new=True, **findings)
    return visit, created


def _check_in(rep, store, uuid, at, latitude, longitude, route_stop, findings=None) -> tuple[Visit, bool]:
    """A new visit inserted unless its uuid names one already (one statement for a new one: no look first, no
    savepoint); a uuid already taken answers that visit as before, even where the new one would be refused.
    With `findings` the new visit's own columns and its rating go into that insert (`_columns_of_new`): _record
    then writes only what belongs to other tables."""
    client_id = _as_uuid(uuid) or uuid_module.uuid4()
    try:
        if store.rep_id != rep.pk:  # another rep's store: not found, named nowhere
            raise not_found("store")
        bounds.check_coordinates(latitude, longitude)
        checked_in_at = _phone_time(at, field="checked_in_at")
    except DomainError:
        existing = Visit.objects.filter(uuid=client_id).first()
        if existing is None:
            raise
        return _same_visit(existing, rep, store, route_stop), False
    already_open, open_elsewhere = _open_visits(rep, store, checked_in_at)
    if already_open is not None:
        existing = already_open if already_open.uuid == client_id else Visit.objects.filter(uuid=client_id).first()
        if existing is None:
            raise _still_open(already_open)
        return _same_visit(existing, rep, store, route_stop), False
    if route_stop is not None:
        try:
            _check_route_stop(route_stop, rep, store, checked_in_at, client_id)
        except DomainError:
            existing = Visit.objects.filter(uuid=client_id).first()  # a repeat answers its visit, as above
            if existing is None:
                raise
            return _same_visit(existing, rep, store, route_stop), False
    distance = None
    if None not in (latitude, longitude, store.latitude, store.longitude):
        distance = round(distance_m(latitude, longitude, store.latitude, store.longitude))
    visit = Visit(
        uuid=client_id,
        rep=rep,
        store=store,
        route_stop=route_stop,
        checked_in_at=checked_in_at,
        latitude=latitude,
        longitude=longitude,
        distance_m=distance,
        far_from_store=distance is not None and distance > settings.KA.checkin_max_distance_m,
    )
    if findings is not None:
        _columns_of_new(visit, findings)
    if not insert_unless_taken(visit):
        # The uuid names a visit already: a repeat, or two taps that raced and the other one created it first.
        existing = Visit.objects.filter(uuid=client_id).first()
        if existing is None:
            raise not_inserted(visit)
        return _same_visit(existing, rep, store, route_stop), False
    visit.open_elsewhere = open_elsewhere  # the answer names them (the API's other_open_visits): not read again
    evidence.visit_checked_in(visit)
    return visit, True


def _check_route_stop(stop: RouteStop, rep, store: Store, checked_in_at: datetime, client_id) -> None:
    """The route stop a check-in names is the rep's, at the store, of the check-in's day and not visited yet
    (rules.check_route_stop; another rep's is not found). Asked under the store's lock (_open_visits), which the stop
    is at: two check-ins naming it take turns, and the second finds the first's visit."""
    stop = RouteStop.objects.select_related("plan", "store").get(pk=stop.pk)
    if stop.plan.rep_id != rep.pk:
        raise not_found("route_stop")
    visit = Visit.objects.filter(route_stop=stop).exclude(uuid=client_id).values_list("pk", flat=True).first()
    rules.check_route_stop(
        stop=stop.pk, stop_store=stop.store.code, store=store.code,
        stop_on=rules.route_day_date(stop.plan.week_start, stop.day), day=timezone.localdate(checked_in_at),
        visit=visit,
    )  # fmt: skip


# A rep with more visits still open elsewhere than that is shown the oldest (and told there are more).
STILL_OPEN_SHOWN = 5


def _open_visits(rep, store: Store, checked_in_at: datetime) -> tuple[Visit | None, list[Visit]]:
    """The rep's visit at the store not checked out yet on the (Asia/Shanghai) day of the new check-in, if any; and
    the rep's other visits not checked out (any store, any day, oldest first, with their stores' code and name, at
    most STILL_OPEN_SHOWN + 1, as selectors.still_open), which a new visit's answer names. One look-up for both: the
    visit here sorts first.

    One open visit per rep, store and day: a repeated check-in without a key (a flaky phone's retry, a second tap)
    is that visit again, not another one. An open visit of an earlier day does not stand in the way: the rep forgot
    to check out, and today's findings belong on today's visit (checking out yesterday's now would also make it a
    visit of many hours). The store's row is locked first (FOR NO KEY UPDATE: inserts naming the store still pass),
    so two keyless check-ins at once take turns and the second sees the first. The look-up is a statement of its own:
    a statement's snapshot is taken before it waits for the lock, so a look-up inside the locking statement would
    miss the visit the other check-in committed meanwhile (tests/visits/test_visit_check_in_race.py)."""
    Store.objects.select_for_update(no_key=True).filter(pk=store.pk).values_list("pk", flat=True).first()
    start = timezone.make_aware(datetime.combine(timezone.localtime(checked_in_at).date(), datetime.min.time()))
    end = start + timedelta(days=1)
    here = Q(store=store, checked_in_at__gte=start, checked_in_at__lt=end)
    found = list(
        Visit.objects.filter(rep=rep, checked_out_at__isnull=True)
        .select_related("store")
        .only("pk", "uuid", "rep_id", "store_id", "route_stop_id", "checked_in_at", "store__code", "store__name")
        .alias(elsewhere=Case(When(here, then=Value(0)), default=Value(1)))
        .order_by("elsewhere", "checked_in_at", "pk")[: STILL_OPEN_SHOWN + 2]
    )
    if found and found[0].store_id == store.pk and start <= found[0].checked_in_at < end:
        return found[0], found[1:]
    return None, found[: STILL_OPEN_SHOWN + 1]


def _still_open(visit: Visit) -> DomainConflict:
    """The refusal of a second check-in while `visit` is open (409, naming it: the client can carry on with it)."""
    return DomainConflict(
        "visit.already_open",
        _("You are already checked in at this store since %(time)s (visit %(visit)s): check out of it first."),
        field="store",
        visit=visit.pk,
        checked_in_at=timezone.localtime(visit.checked_in_at).replace(microsecond=0).isoformat(),
        time=timezone.localtime(visit.checked_in_at).strftime("%H:%M"),
    )


def _phone_time(at: datetime | None, *, field: str) -> datetime:
    """A check-in or check-out time the phone (or an API client) sent, as kept: visits/rules.phone_time against
    the server's clock and the setting's window; now when none was sent."""
    return rules.phone_time(at, now=timezone.now(), max_hours=settings.KA.visit_sync_max_hours, field=field)


def _same_visit(visit: Visit, rep, store: Store, route_stop: RouteStop | None) -> Visit:
    """The visit a repeated uuid names, if the repeat asks for the same visit (the key means one thing)."""
    if visit.rep_id != rep.pk:
        raise DomainConflict("visit.uuid_taken", _("This client id belongs to another visit."), field="uuid")
    differs = [
        name
        for name, first, again in (
            ("store", visit.store_id, store.pk),
            ("route_stop", visit.route_stop_id, route_stop.pk if route_stop else None),
        )
        if first != again
    ]
    if differs:
        raise KeyReused(differs)
    return visit


@transaction.atomic
def visit_record(*, visit: Visit, **findings) -> Visit:
    """Save what the rep found (any part of it, as often as they like) and recompute the rating. The findings are
    _record's keywords:

    `checklist` maps item → result; `price_check_ok` / `promotion_executed` are yes/no (None: n.a.); `stock` maps
    product id → packs (None clears a count); `not_counted` maps product id → whether the rep marks it "not
    counted" (a count given for the product wins and clears the mark); `problems`, `actions`; `tasks` maps the
    store's task id → the rep's answer at this visit (TaskAnswer: done or not, with the comment; None: no answer,
    which takes back one given at this visit). A part not given stays as it was. `checkout_reason` keeps a reason
    typed before the check-out (the check-out uses it unless given another).
    """
    return _record(_locked(visit), **findings)


def _record(
    visit: Visit,
    *,
    checklist: dict[str, str] | None = None,
    price_check_ok: bool | None | object = UNCHANGED,
    promotion_executed: bool | None | object = UNCHANGED,
    stock: dict[int, int | None] | None = None,
    not_counted: dict[int, bool] | None = None,
    problems: str | None = None,
    actions: str | None = None,
    checkout_reason: str | None = None,
    tasks: dict[int, "TaskAnswer | None"] | None = None,
    lines: Lines = PAGE_LINES,
    rate: bool = True,
    new: bool = False,
) -> Visit:
    """visit_record on a visit already locked (with its store) in this transaction. Without `rate` the rating
    is left for the check-out that follows in the same transaction to compute (once, not twice). `new`: the visit
    was inserted in this transaction with its columns and rating (visit_check_in with findings, _columns_of_new):
    nothing recorded yet to clear or read back, and nothing to update on its row."""
    if not visit.is_open:
        raise DomainConflict("visit.closed", _("This visit is checked out; it can no longer be changed."))
    answered, counts, marked = {}, {}, set()
    if checklist is not None:
        answered = _save_checklist(visit, checklist, new=new)
    if stock is not None or not_counted is not None:
        counts, marked = _save_stock(visit, stock or {}, not_counted or {}, new=new, lines=lines)
    for task_id, answer in (tasks or {}).items():
        _answer_task(visit, Task.objects.filter(pk=task_id).first(), answer, field=lines.task_field(task_id))
    if not new:  # a new visit was inserted with its columns and rating (_columns_of_new)
        _set_columns(
            visit,
            price_check_ok=price_check_ok,
            promotion_executed=promotion_executed,
            problems=problems,
            actions=actions,
            checkout_reason=checkout_reason,
        )
        if rate:
            _rate(visit)
        visit.save()
    if stock:
        _suggest(visit, store_locked=new)  # a new visit's check-in locked the store (_open_visits)
    if new:
        visit.recorded = Recorded(answered, counts, frozenset(marked))
    return visit


def _set_columns(
    visit: Visit,
    *,
    price_check_ok=UNCHANGED,
    promotion_executed=UNCHANGED,
    problems=None,
    actions=None,
    checkout_reason=None,
    **_other_tables,
) -> None:
    """The findings kept on the visit's own row (a part not given stays as it was); the others are for _record."""
    if price_check_ok is not UNCHANGED:
        visit.price_check_ok = price_check_ok
    if promotion_executed is not UNCHANGED:
        visit.promotion_executed = promotion_executed
    if problems is not None:
        visit.problems = problems
    if actions is not None:
        visit.actions = actions
    if checkout_reason is not None:
        visit.checkout_reason = rules.checkout_reason(checkout_reason)


def _columns_of_new(visit: Visit, findings: dict) -> None:
    """A visit about to be inserted with `findings` (_record's keywords): its own columns and its rating, from the
    findings themselves (what _record then writes: the answers given, the counts given; no promotion checked yet),
    so the insert carries them and nothing updates the row after it. A finding _record refuses rolls it all back."""
    _set_columns(visit, **findings)
    answered = {item: result for item, result in (findings.get("checklist") or {}).items() if result}
    empty = sorted(pk for pk, packs in (findings.get("stock") or {}).items() if packs == 0)
    _rate(visit, checklist=answered, out_of_stock_ids=empty, checked=False)


def _suggest(visit: Visit, *, store_locked: bool = False) -> None:
    """The store's suggested orders for the visit's day, from its counts. Two saves at one store take turns (the
    store's row locked, no key update: visits and counts may still name the store): the second then sees the
    first's rows of the day, instead of both inserting them and one failing on the unique pair and day.
    `store_locked`: this transaction holds the store's row already (a check-in locks it to look for an open visit)."""
    if not store_locked:
        list(Store.objects.select_for_update(no_key=True).filter(pk=visit.store_id).order_by().values_list("pk"))
    # chunk_compute's statements in the visit's own transaction (no savepoint: a failure rolls the save back too)
    with connection.cursor() as cursor:
        write_suggestions(
            cursor,
            on=timezone.localdate(visit.checked_in_at),
            chunk=Chunk(visit.store_id, visit.store_id),
            look_first=False,
        )


def _locked(visit: Visit) -> Visit:
    """The visit again, locked for the write, with its store (one query; only the visit's row is locked). No key
    update: another transaction's row naming this visit (a fraud signal's other visit, checked at its commit with a
    key-share lock) does not wait on it; with FOR UPDATE a check-out and another visit's check-in of the same rep
    could each wait on the other and deadlock (bench/api.py, 4 phones a rep)."""
    return Visit.objects.select_for_update(no_key=True, of=("self",)).select_related("store").get(pk=visit.pk)


def _save_checklist(visit: Visit, checklist: dict[str, str], *, new: bool = False) -> dict[str, str]:
    """Answered items are upserted in one statement, emptied ones deleted in another (a new visit has none to
    delete), however many there are. Returns the answers written (item → result, in that order)."""
    answered = {item: result for item, result in checklist.items() if result}
    emptied = [item for item, result in checklist.items() if not result]
    if answered:
        ChecklistResult.objects.bulk_create(
            [ChecklistResult(visit=visit, item=item, result=result) for item, result in answered.items()],
            update_conflicts=True,
            unique_fields=["visit", "item"],
            update_fields=["result"],
        )
    if emptied and not new:
        ChecklistResult.objects.filter(visit=visit, item__in=emptied).delete()
    return answered


def _save_stock(
    visit: Visit,
    stock: dict[int, int | None],
    not_counted: dict[int, bool],
    *,
    new: bool = False,
    lines: Lines = PAGE_LINES,
) -> tuple[dict[int, int], set[int]]:
    """A fixed number of statements however many products: one read of the listings, the counts upserted in
    one, cleared ones and marks deleted in one each (none for a new visit: it has nothing to delete), new marks
    inserted in one. Returns the counts written (product id → packs, by product id) and the products marked.

    A line refused names its product (code and name) and points at its line (`lines`), the first in the order sent."""
    listed = set(
        Listing.objects.active().filter(store_id=visit.store_id).order_by().values_list("product_id", flat=True)
    )
    sent = [pk for pk in dict.fromkeys([*lines.stock, *stock, *not_counted]) if pk in stock or pk in not_counted]
    for product_id in sent:  # in the order of the lines sent, where the caller names them
        if product_id not in listed:
            raise DomainError(
                "visit.not_listed",
                _("%(product_name)s (%(product)s) is not listed in this store: count only the products it lists."),
                field=lines.stock_field(product_id),
                **_product_named(product_id),
            )
    for product_id, packs in stock.items():
        if packs is None:
            continue
        if packs < 0:
            raise DomainError(
                "visit.negative_stock",
                _("The stock count of %(product_name)s (%(product)s) cannot be negative."),
                field=lines.stock_field(product_id),
                **_product_named(product_id),
            )
        bounds.check_packs(packs, field=lines.stock_field(product_id))
    counted = {product_id for product_id, packs in stock.items() if packs is not None}
    cleared = {product_id for product_id, packs in stock.items() if packs is None}
    marked = {product_id for product_id, mark in not_counted.items() if mark and product_id not in counted}
    unmarked = counted | {product_id for product_id, mark in not_counted.items() if not mark}
    counts = {pk: stock[pk] for pk in sorted(counted)}
    if counts:
        StockCount.objects.bulk_create(
            [StockCount(visit=visit, product_id=pk, packs=packs) for pk, packs in counts.items()],
            update_conflicts=True,
            unique_fields=["visit", "product"],
            update_fields=["packs"],
        )
    if (cleared | marked) and not new:
        StockCount.objects.filter(visit=visit, product_id__in=cleared | marked).delete()
    if unmarked and not new:
        StockNotCounted.objects.filter(visit=visit, product_id__in=unmarked).delete()
    if marked:
        StockNotCounted.objects.bulk_create(
            [StockNotCounted(visit=visit, product_id=pk) for pk in sorted(marked)], ignore_conflicts=True
        )
    return counts, marked


def _product_named(product_id: int) -> dict[str, str]:
    """A refusal's params naming a product of a line: its code (`product`, as every refusal naming a product gives
    it: visit.product_twice, sell_out.not_listed) and its name (`product_name`), read only for the refusal."""
    found = Product.objects.filter(pk=product_id).values_list("code", "name").first()
    code, name = found or (str(product_id), str(product_id))
    return {"product": code, "product_name": name}


def _rate(
    visit: Visit,
    *,
    checklist: dict[str, str] | None = None,
    out_of_stock_ids: list[int] | None = None,
    checked: bool = True,
    checks=None,
) -> Rated | None:
    """Set the visit's rating and its reasons from what is recorded and how it was done, once it is checked out.
    `checklist` (item → result) when the caller has just read it; `out_of_stock_ids` the products counted 0 and
    `checked` False (no promotion checked yet) when the caller knows them: a visit made in this transaction;
    `checks` the promotion checks (evidence.visit_checks.promotion_checks) when the caller has read them.

    An open visit has no rating (None; the rating and its reasons empty): a visit is rated when it is reported, at
    its check-out (SPEC §4), so the daily report, the visit list, the dashboards, the API and the exports never read
    a visit still being done — nothing checked yet, a problem just written — as green. Its promotion outcome is kept
    up to date all the same (the API's `promotion_executed`)."""
    # Issue 13: where a plan runs, "promotion executed" is computed from the prices and displays checked at the
    # visit (and stored on the visit for readers); the rep's own yes/no counts only where none runs.
    from evidence.visit_checks import promotion_outcome

    executed, plans_not_executed, computed = promotion_outcome(visit, checked=checked, checks=checks)
    if computed:
        visit.promotion_executed = executed
    if visit.checked_out_at is None:
        visit.rating, visit.rating_reasons = "", []
        return None
    if out_of_stock_ids is None:
        zero = visit.stock_counts.filter(packs=0).order_by("product__code")
        zero = zero.values_list("product__name", "product__code")
    elif out_of_stock_ids:
        zero = Product.objects.filter(pk__in=out_of_stock_ids).order_by("code").values_list("name", "code")
    else:  # none counted 0: nothing to read
        zero = []
    out_of_stock = [{"product": name, "product_code": code} for name, code in zero]
    short_minutes = None
    if visit.short_visit:
        short_minutes = visit.minutes_in_store
    rated = rate_visit(
        checklist=_in_checklist_order(
            dict(visit.checklist.values_list("item", "result")) if checklist is None else checklist
        ),
        price_check_ok=visit.price_check_ok,
        promotion_executed=visit.promotion_executed,
        out_of_stock=out_of_stock,
        checkout_reason=visit.checkout_reason if visit.incomplete else None,
        short_minutes=short_minutes,
        has_position=not visit.no_position,
        plans_not_executed=plans_not_executed,
    )
    visit.rating, visit.rating_reasons = rated.rating, rated.reasons_json()
    return rated


@transaction.atomic
def visit_rerate(*, visit: Visit) -> Visit:
    """Recompute a visit's rating after its evidence changed (a promotion's price or display checked, a photo
    removed); an open visit's stays empty until its check-out (_rate)."""
    visit = Visit.objects.select_for_update(no_key=True).get(pk=visit.pk)  # as _locked
    _rate(visit)
    visit.save(update_fields=["promotion_executed", "rating", "rating_reasons", "updated_at"])
    return visit


def _in_checklist_order(results: dict[str, str]) -> dict[str, str]:
    return {item: results[item] for item in ChecklistResult.Item.values if item in results}


def visit_missing(visit: Visit, *, answered=None, checks=None) -> Missing:
    """What the visit still lacks for a check-out (visits/completeness.py), from the database. The running
    promotions left unchecked count only while the visit is open: a closed visit keeps what it was checked out
    with (plans approved later do not reopen it). `answered`: the checklist items, `checks` the promotion checks
    (evidence.visit_checks.promotion_checks), when the caller has them."""
    from evidence.visit_checks import unchecked_promotions

    listed = Listing.objects.active().filter(store_id=visit.store_id).order_by("product__code")
    counted = visit.stock_counts.values_list("product_id", flat=True)
    return checkout_missing(
        checklist_items=ChecklistResult.Item.values,
        answered=visit.checklist.values_list("item", flat=True) if answered is None else answered,
        listed=listed.values_list("product_id", flat=True),
        # counted or marked not counted, in one query
        counted=counted.union(visit.not_counted.values_list("product_id", flat=True)),
        not_counted=(),
        has_position=not visit.no_position,
        unchecked_promotions=unchecked_promotions(visit, checks=checks) if visit.checked_out_at is None else (),
    )


def _products_missing(products: int) -> str | None:
    """The products' part of what a check-out lacks (missing_parts), None when none is missing."""
    if not products:
        return None
    return ngettext(
        "%(n)s product neither counted nor marked not counted",
        "%(n)s products neither counted nor marked not counted",
        products,
    ) % {"n": products}


# Said at each gap of a refused check-out (the reason field is at the end of a long page): the page's answer and the
# phone's own refusal of a check-out kept offline (check_out_refusal_words) mark them alike.
ITEM_UNANSWERED = _("Answer this item.")
PRODUCT_NOT_COUNTED = _("Count it, or tick “not counted”.")


class VisitIncomplete(DomainError):
    """A check-out refused because the visit is not done and no reason was given: says what is missing."""

    MESSAGE = _("Not checked out: %(missing)s. Complete the visit, or give a reason for checking out as it is.")

    def __init__(self, missing: Missing) -> None:
        parts = missing_parts(
            checklist=len(missing.checklist),
            products=_products_missing(len(missing.products)),
            no_position=missing.no_position,
            promotions=len(missing.promotions),
        )
        self.missing = missing
        super().__init__(
            "visit.incomplete",
            self.MESSAGE,
            field="checkout_reason",
            missing=WordList(parts),
            checklist_unanswered=len(missing.checklist),
            products_not_counted=len(missing.products),
            no_position=missing.no_position,
            promotions_not_checked=len(missing.promotions),
        )

    @property
    def extra(self) -> dict:
        return {"missing": self.missing.as_json(product_codes(self.missing.products))}


class _AnyCount(int):
    """A count that reads "{n}" in a text: a part's wording for one and for several, the page's script putting the
    number in."""

    def __str__(self) -> str:
        return "{n}"


def check_out_refusal_words() -> dict:
    """VisitIncomplete's words, in the active language, for the visit page to refuse a check-out it keeps offline
    (visit.js) as the server refuses it online: each part for one and for several ("{n}" where its count goes),
    the list's separator (WordList) and the sentence ("{missing}"), and the words at each gap. The page counts what
    is missing from its own fields, as its bottom bar does; the words and the message stay the service's."""

    nothing = {"checklist": 0, "products": None, "no_position": False, "promotions": 0}

    def one_and_several(name: str) -> list[str]:
        return [missing_parts(**{**nothing, name: _AnyCount(count)})[0] for count in (1, 2)]

    return {
        "message": str(VisitIncomplete.MESSAGE) % {"missing": "{missing}"},
        "separator": str(WordList(["", ""])),  # two words of nothing: the list's separator alone
        "checklist": one_and_several("checklist"),
        "products": [_products_missing(_AnyCount(count)) for count in (1, 2)],
        "no_position": missing_parts(**{**nothing, "no_position": True})[0],
        "promotions": one_and_several("promotions"),
        "item": str(ITEM_UNANSWERED),
        "product": str(PRODUCT_NOT_COUNTED),
    }


def product_codes(ids) -> dict[int, str]:
    """Product id → code, for answers that name products by the API convention."""
    return dict(Product.objects.filter(pk__in=list(ids)).values_list("pk", "code"))


@transaction.atomic
def visit_check_out(
    *, visit: Visit, at: datetime | None = None, reason: str = "", left_at: datetime | None = None
) -> Visit:
    """End the visit: time out, flags and the final rating. Checking out twice keeps the first time.

    A visit checked out on a later day than its check-in (left open overnight) ends at `left_at`, the time the rep
    says they left (on the check-in's day), or without one is kept as not checked out, with no time in the store
    (rules.check_out_time): its check-out is not made a visit of many hours.

    Refused (``visit.incomplete``, nothing written) while a checklist item is unanswered, a listed product is
    neither counted nor marked not counted, a running promotion is not checked, or the check-in has no position,
    unless the rep gives a reason (here,
    or saved before with the findings); the reason and what was missing are kept for the supervisor. A visit
    shorter than ``KA_VISIT_MIN_MINUTES`` is flagged.
    """
    return _check_out(_locked(visit), at=at, reason=reason, left_at=left_at)


def _check_out(visit: Visit, *, at: datetime | None, reason: str, left_at: datetime | None = None) -> Visit:
    """visit_check_out on a visit already locked (with its store) in this transaction."""
    from evidence.visit_checks import promotion_checks

    if visit.checked_out_at is not None:
        return visit
    reason = rules.checkout_reason(reason) or visit.checkout_reason
    results = dict(visit.checklist.values_list("item", "result"))
    checks = promotion_checks(visit)  # read once: what is left unchecked, then the rating's outcome
    missing = visit_missing(visit, answered=results, checks=checks)
    if missing and not reason:
        raise VisitIncomplete(missing)
    ended = rules.check_out_time(
        checked_in_at=visit.checked_in_at,
        at=max(_phone_time(at, field="checked_out_at"), visit.checked_in_at),
        left_at=left_at,
    )
    visit.checked_out_at, visit.checkout_entered_at = ended.checked_out_at, ended.entered_at
    visit.checkout_reason = reason
    visit.checkout_missing = missing.as_json() if missing else {}
    visit.short_visit = not visit.not_checked_out and (
        short_visit_minutes(visit.checked_in_at, visit.checked_out_at, settings.KA.visit_min_minutes) is not None
    )
    _rate(visit, checklist=results, checks=checks)
    visit.save(
        update_fields=[
            "checked_out_at",
            "checkout_entered_at",
            "checkout_reason",
            "checkout_missing",
            "short_visit",
            "promotion_executed",
            "rating",
            "rating_reasons",
            "updated_at",
        ]
    )
    evidence.visit_checked_out(visit)
    return visit


@transaction.atomic
def visit_record_and_check_out(
    *, visit: Visit, reason: str = "", at: datetime | None = None, left_at: datetime | None = None, **findings
) -> Visit:
    """The page's "Save and check out": record the findings and check out, both or neither (a refused check-out
    leaves the visit as it was, and the page keeps what the rep typed)."""
    visit = _record(_locked(visit), rate=False, **findings)
    return _check_out(visit, at=at, reason=reason, left_at=left_at)


@transaction.atomic
def visits_delete(*, visits) -> int:
    """An administrator removes visits (the admin's delete, one or a selection): their findings, photos and
    display checks go with them, and the display agreements they checked are re-evaluated in this transaction
    (visit evidence, evidence/hooks.py). Returns how many visits were removed."""
    ids = list(visits.values_list("pk", flat=True))
    checked = evidence.visits_deleting(ids)
    Visit.objects.filter(pk__in=ids).delete()
    evidence.visits_deleted(checked)
    return len(ids)


@transaction.atomic
def visit_photo_add(
    *,
    visit: Visit,
    image,
    caption: str = "",
    taken_at: datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    checklist_item: str | None = None,
) -> VisitPhoto:
    """Keep a photo through Django's storage, with what the server reads from it (visits/photos.py): only JPEG
    and PNG (the real format, not the file's name), at most the setting's size, a readable file. The camera's
    time (EXIF) becomes `taken_at`, a thumbnail is made, and the perceptual hash is stored by visit evidence
    (evidence/hooks.py), all in this transaction: a refused photo leaves nothing behind.

    A photo resized in the browser has lost its EXIF: `taken_at` is the browser's reading of the original's
    camera time, kept only when the file itself has none (a naive time is the camera's, Asia/Shanghai).
    `latitude`/`longitude` are the phone's position (optional, bounded like a visit's); `checklist_item` is
    the checklist item the photo shows (one of ChecklistResult.Item, or None).

    The same file again on the same visit (the very bytes: a phone's retry without its key, the same photo picked
    twice) is that photo, answered as it is (its caption and checklist item stay) and marked `already_added`: a visit
    holds a photo once. Another visit's copy is a reused photo (the evidence's photo_reused), not this."""
    bounds.check_coordinates(latitude, longitude)
    if checklist_item and checklist_item not in ChecklistResult.Item.values:
        raise DomainError(
            "visit.photo_checklist_item",
            _("“%(item)s” is not a checklist item."),
            field="checklist_item",
            item=checklist_item,
        )
    limit = settings.KA.upload_max_bytes
    if image.size > limit:
        raise DomainError(
            "visit.photo_too_large",
            _("The photo is %(size)s MB; at most %(limit)s MB is allowed."),
            field="image",
            size=round(image.size / 1048576, 1),
            limit=round(limit / 1048576, 1),
        )
    image.seek(0)
    content = image.read()
    inspected = photos.inspect_photo(content)
    image.seek(0)
    same = _same_photo(visit, content)
    if same is not None:
        same.already_added = True
        return same
    # Stored under the extension of what the file is, whatever it was called.
    image.name = "photo.jpg" if inspected.format == "JPEG" else "photo.png"
    if taken_at is not None and timezone.is_naive(taken_at):
        taken_at = timezone.make_aware(taken_at, photos.CAMERA_ZONE)
    photo = VisitPhoto(
        visit=visit,
        image=image,
        caption=caption,
        taken_at=inspected.taken_at or taken_at,
        latitude=latitude,
        longitude=longitude,
        checklist_item=checklist_item or None,
    )
    photo.thumbnail.save("thumb.jpg", ContentFile(inspected.thumbnail), save=False)
    photo.save()
    photo.phash = inspected.phash  # read by the evidence hook: the file is not opened twice
    evidence.photo_added(photo)
    photo.already_added = False
    return photo


def _same_photo(visit: Visit, content: bytes) -> VisitPhoto | None:
    """The visit's photo of these very bytes, if it has one (photos.same_file). The visit's row is locked first, so
    the same file sent twice at once takes turns and the second finds the first."""
    Visit.objects.select_for_update(no_key=True).filter(pk=visit.pk).values_list("pk", flat=True).first()
    for photo in VisitPhoto.objects.filter(visit=visit).order_by("pk"):
        if photos.same_file(content, photo.image):
            return photo
    return None


@transaction.atomic
def visit_photo_remove(*, photo: VisitPhoto, by) -> Visit:
    """The rep takes a wrong photo off their own visit while it is open (another store's shelf, a blurred shot, a
    photo of the wrong product): the photo, its thumbnail and its perceptual hash go, the files once the removal is
    committed. Returns the visit.

    Refused (nothing removed):
    - `visit.photo_not_yours`: only the visit's rep removes its photos (pages and API answer another user 403 first;
      this holds for every other door);
    - `visit.photo_closed`: a checked-out visit keeps its photos, the record a supervisor reviews and display
      agreements are paid on;
    - `visit.photo_flagged`: a photo a fraud signal names (reused, taken outside the visit, or the earlier photo
      another visit's reused one matches) is a supervisor's evidence and stays: removing it would take the signal
      with it (evidence/hooks.py).
    A display check that showed the photo keeps its answer without a photo: its plan's execution at the visit is
    computed again (a display without its photo). Each removal is logged (who, which photo of which visit)."""
    visit = _locked(Visit(pk=photo.visit_id))
    if visit.rep_id != by.pk:
        raise DomainError("visit.photo_not_yours", _("Only the rep who made the visit may remove its photos."))
    if not visit.is_open:
        raise DomainConflict(
            "visit.photo_closed",
            _("This visit is checked out: its photos are kept as its record and can no longer be removed."),
        )
    photo = VisitPhoto.objects.filter(pk=photo.pk, visit=visit).first()
    if photo is None:  # removed meanwhile (a second tap, another device)
        raise not_found()
    flagged = evidence.photo_signals(photo)
    if flagged:
        kind, label = flagged[0]
        raise DomainConflict(
            "visit.photo_flagged",
            _("This photo is flagged for your supervisor (%(signal)s): it stays with the visit as evidence."),
            signal=str(label),
            kind=kind,
        )
    plans = evidence.photo_removing(photo)
    files = [(field.storage, field.name) for field in (photo.image, photo.thumbnail) if field]
    photo_id, caption = photo.pk, photo.caption
    photo.delete()
    evidence.photo_removed(visit, plans)
    log.info("visit photo %s (%r) removed from visit %s by user %s", photo_id, caption, visit.pk, by.pk)
    transaction.on_commit(lambda: _delete_files(files))
    return visit


def _delete_files(files) -> None:
    """A removed photo's files, once its removal is committed (rolled back, the photo keeps them)."""
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:  # already gone, or the storage unreachable: the row is what counts
            log.warning("visit photo file %s not deleted", name)


# --- reviews (SPEC §1: a KA supervisor reviews visit reports) ---------------------------------------------------

# Who reviews a visit report: the rep's KA supervisor (their team's visits), the account's KA manager (SPEC §1:
# everything a supervisor may, for their accounts) and an administrator; each within their scope
# (scope.visits_for). Never a sales rep, nor finance (SPEC §1: finance may not edit visits).
REVIEWERS = (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)


def reviews_visits(user) -> bool:
    """Whether the user's role reviews visit reports (REVIEWERS)."""
    return user_role(user) in REVIEWERS


def review_refusal(visit: Visit, by) -> DomainError | None:
    """Why `by` may not review `visit` (or amend a review of it) now, or None when they may: a role that reviews
    (`visit.review_not_allowed`: a sales rep never reviews, not even a colleague's), a visit in their scope (else
    "Not found.", like a missing one: scope.not_found) and checked out (`visit.review_open`: an open visit is not
    reported yet). The page asks it to offer the form; the services raise it."""
    from ka_portal.scope import visits_for

    if not reviews_visits(by):
        return DomainForbidden(  # a role refused: 403, as the API's other role refusals
            "visit.review_not_allowed",
            _("Visits are reviewed by the rep's KA supervisor, the account's KA manager or an administrator."),
        )
    if not visits_for(by).filter(pk=visit.pk).exists():
        return not_found()
    if visit.checked_out_at is None:
        return DomainConflict(
            "visit.review_open", _("This visit is still open: it can be reviewed once the rep has checked out.")
        )
    return None


def _review_comment(comment: str | None) -> str:
    """A review's comment as kept: trimmed, at most VisitReview.COMMENT_MAX characters (else refused, naming both)."""
    comment = (comment or "").strip()
    if len(comment) > VisitReview.COMMENT_MAX:
        raise DomainError(
            "visit.review_comment_too_long",
            _("The comment has %(length)s characters; a review's comment has at most %(max)s."),
            field="comment",
            length=len(comment),
            max=VisitReview.COMMENT_MAX,
        )
    return comment


def _reviewable(visit: Visit, by) -> tuple[Visit, VisitReview | None]:
    """The visit locked for `by`'s review, and their own review of it if they wrote one (another reviewer's is theirs:
    each reviewer writes their own); refused as review_refusal says. The lock makes two requests of one reviewer at
    once (a form sent twice, a phone's retry) take turns: the second finds the first's review, so a reviewer never
    has two (the database's unique (visit, by) holds it too)."""
    refusal = review_refusal(visit, by)
    if refusal is not None:
        raise refusal
    visit = _locked(visit)  # checked out, it stays so (no step opens a visit again)
    return visit, VisitReview.objects.filter(visit=visit, by=by).first()


def _already_reviewed(review: VisitReview) -> DomainConflict:
    """The refusal of a reviewer's second review: when they wrote theirs (change it instead)."""
    when = timezone.localtime(review.reviewed_at)
    return DomainConflict(
        "visit.already_reviewed",
        _("You already reviewed this visit on %(when)s: change your review instead."),
        who=display_name(review.by),
        reviewed_by=review.by.get_username(),
        when=f"{when:%Y-%m-%d %H:%M}",
    )


@transaction.atomic
def visit_review(*, visit: Visit, by, comment: str = "") -> VisitReview:
    """Mark a checked-out visit reviewed by `by`, with an optional comment for the rep (the API's POST). One review
    per reviewer and visit: another reviewer's review is theirs and changes nothing here (the rep's supervisor and
    the account's KA manager each write their own); a reviewer's second review is refused (`visit.already_reviewed`,
    saying when they wrote theirs: they amend it with visit_review_edit). Refused as review_refusal says: not a
    reviewer, out of scope, still open."""
    comment = _review_comment(comment)
    visit, own = _reviewable(visit, by)
    if own is not None:
        raise _already_reviewed(own)
    return VisitReview.objects.create(visit=visit, by=by, comment=comment)


@transaction.atomic
def visit_review_edit(*, visit: Visit, by, comment: str) -> VisitReview:
    """Amend the comment of one's own review of the visit (the API's PATCH). Who reviewed and when stay; `edited_at`
    says when it was last changed (a save that changes nothing changes nothing). A reviewer who has not reviewed the
    visit yet is refused (`visit.not_reviewed`), whoever else has; nobody changes another's review."""
    comment = _review_comment(comment)
    visit, own = _reviewable(visit, by)
    if own is None:
        raise DomainConflict("visit.not_reviewed", _("You have not reviewed this visit yet: review it first."))
    return _amend(own, comment)


def _amend(review: VisitReview, comment: str) -> VisitReview:
    """A review's new comment, and when it was edited; the same comment again writes nothing."""
    if review.comment != comment:
        review.comment, review.edited_at = comment, timezone.now()
        review.save(update_fields=["comment", "edited_at"])
    return review


@transaction.atomic
def visit_review_save(*, visit: Visit, by, comment: str = "") -> tuple[VisitReview, bool]:
    """The visit page's review form: review the visit, or amend the review `by` wrote (decided under the visit's
    lock, so a form sent twice reviews once: the second amends with the same comment, which changes nothing).
    Another reviewer's review does not matter: each writes their own. Returns the review and whether it is new.
    Refused as visit_review is (not a reviewer, out of scope, still open, a comment too long)."""
    comment = _review_comment(comment)
    visit, own = _reviewable(visit, by)
    if own is None:
        return VisitReview.objects.create(visit=visit, by=by, comment=comment), True
    return _amend(own, comment), False


# --- tasks -------------------------------------------------------------------------------------


@transaction.atomic
def task_create(*, store: Store, title: str, due_on: date, by, description: str = "") -> Task:
    """A supervisor's task (交办事项) for a store; it shows at the next visit there. It is due today or later."""
    title = rules.task_title(title)
    rules.task_due_on(due_on, today=timezone.localdate())
    return Task.objects.create(store=store, title=title, description=description, due_on=due_on, assigned_by=by)


@transaction.atomic
def task_edit(*, task: Task, title: str, description: str, due_on: date, by) -> Task:
    """Change what a task asks and by when (the task list's Edit, the API's update, the admin); its store and author
    stay. Only while it is open (task.reported). A new due day is today or later; an overdue task keeps its day while
    its title or description changes. What changed is logged with who changed it (TaskChange); a save that changes
    nothing logs nothing."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    rules.task_still_open(title=task.title, status=task.status)
    rules.task_due_on(due_on, today=timezone.localdate(), was=task.due_on)
    before = {"title": task.title, "description": task.description, "due_on": task.due_on.isoformat()}
    task.title, task.description, task.due_on = rules.task_title(title), description, due_on
    after = {"title": task.title, "description": task.description, "due_on": task.due_on.isoformat()}
    task.save(update_fields=["title", "description", "due_on"])
    changes = {name: [before[name], after[name]] for name in TaskChange.FIELDS if before[name] != after[name]}
    if changes:
        _log_task_change(task, TaskChange.Kind.EDITED, by=by, params=changes)
    return task


def _log_task_change(task: Task, kind: str, *, by, params: dict) -> None:
    """Who changed or deleted the task and when, with the store, title and due day it has (had, deleted)."""
    TaskChange.objects.create(
        task=None if kind == TaskChange.Kind.DELETED else task,
        store_id=task.store_id,
        kind=kind,
        title=task.title,
        due_on=task.due_on,
        by=by,
        params=params,
    )


@transaction.atomic
def task_delete(*, task: Task, by) -> None:
    """Take back a task assigned by mistake (a duplicate, the wrong store) while it is still open: the rep no longer
    sees it. One reported done or not done stays (task.reported): its report is on record. Who deleted it and when
    outlives it (TaskChange, with its store, title and due day): the task list names it among the deleted tasks."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    rules.task_still_open(title=task.title, status=task.status, deleting=True)
    _log_task_change(task, TaskChange.Kind.DELETED, by=by, params={"task": task.pk})
    task.delete()


@transaction.atomic
def task_complete(*, task: Task, visit: Visit | None, comment: str = "", done: bool = True, by=None) -> Task:
    """The rep reports a task done, or not done with the reason, optionally at a visit; each report is
    logged (TaskTransition). Reporting again changes the answer or the comment: a task marked done by
    mistake can be marked not done, and the other way round. `done_visit` stays the visit it was last answered
    at, so that visit's page shows the task as it now stands, with every report in its log."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if visit is not None and visit.store_id != task.store_id:
        raise DomainError("task.other_store", _("This task belongs to another store."))
    comment = rules.task_report_comment(done=done, comment=comment)
    from_status = task.status
    task.status = Task.Status.DONE if done else Task.Status.NOT_DONE
    task.done_comment = comment
    task.done_visit = visit or task.done_visit
    task.done_at = task.done_at or timezone.now()
    task.save(update_fields=["status", "done_comment", "done_visit", "done_at"])
    TaskTransition.objects.create(
        task=task, from_status=from_status, to_status=task.status, by=by or (visit.rep if visit else None), note=comment
    )
    return task


@dataclass(frozen=True)
class TaskAnswer:
    """A rep's answer to a task at a visit: done or not, with the comment (the reason, when not done)."""

    done: bool
    comment: str = ""


def _answer_task(visit: Visit, task: Task | None, answer: TaskAnswer | None, *, field: str = "tasks") -> None:
    """A task's answer as the visit's save gives it (page and API alike): a report when it differs from how the
    task stands (every save sends every answer again: an unchanged one logs nothing), and no answer takes back the
    one given at this visit, so the task is open again for the next visit (logged too). A task answered elsewhere
    is left as it is by a visit that does not answer it. A task of another store is refused naming it, at `field`
    (the line that answers it)."""
    if task is None:
        raise DomainError("task.other_store", _("This task belongs to another store."), field=field)
    if task.store_id != visit.store_id:
        raise DomainError(
            "task.other_store",
            _("Task %(task)s (%(title)s) belongs to another store, not to this visit's."),
            field=field,
            task=task.pk,
            title=task.title,
        )
    if answer is None:
        if task.status != Task.Status.OPEN and task.done_visit_id == visit.pk:
            _task_reopen(task=task, by=visit.rep)
        return
    status = Task.Status.DONE if answer.done else Task.Status.NOT_DONE
    unchanged = (task.status, task.done_comment, task.done_visit_id) == (status, answer.comment.strip(), visit.pk)
    if not unchanged:
        task_complete(task=task, visit=visit, comment=answer.comment, done=answer.done)


def _task_reopen(*, task: Task, by) -> Task:
    """The answer given at a visit taken back at that visit (the rep unticked Done and cleared the comment)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    from_status = task.status
    task.status, task.done_comment, task.done_visit, task.done_at = Task.Status.OPEN, "", None, None
    task.save(update_fields=["status", "done_comment", "done_visit", "done_at"])
    TaskTransition.objects.create(task=task, from_status=from_status, to_status=task.status, by=by, note="")
    return task


# --- suggested orders --------------------------------------------------------------------------


@transaction.atomic
def suggested_orders_refresh(*, store: Store, on: date) -> list[SuggestedOrder]:
    """The store's suggested order on a date, per active listing, from its two latest stock counts up to then.

    The nightly job's set-based statement restricted to this one store (visits/replenishment_job.py), so the
    visit page and the night suggest the same. Deliveries count when they fall after the previous count's
    day, up to the current count's day.
    """
    chunk_compute(on=on, chunk=Chunk(store.pk, store.pk))
    return list(
        SuggestedOrder.objects.in_force_on(on).filter(store=store).select_related("product").order_by("product_id")
    )
