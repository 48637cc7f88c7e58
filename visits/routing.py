"""Weekly route generation (SPEC §4), pure: stores with their visits per week in, six ordered days out.

Each store gets a set of days (a "pattern") chosen so that its visits are spread (no two on
adjacent days where possible: Mon/Wed/Fri for an A store, Mon/Thu for a B store), the days stay
balanced, and nothing is ever cut: a week over capacity is returned whole, with the numbers.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import combinations

WORKING_DAYS = 6  # Monday–Saturday
# A day's stops are put in the shortest order of all up to this many (a day holds 5, SPEC; a day over capacity a few
# more): 2ⁿ·n² steps, some 100,000 (10 ms) at 10. Past it, the nearest-neighbour walk shortened by 2-opt.
EXACT_UP_TO = 10
EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class StoreToPlan:
    id: int
    visits_per_week: int
    latitude: Decimal | float | None = None
    longitude: Decimal | float | None = None
    # Days the store already has a stop that stays (placed by hand): they count towards its visits, its other
    # visits go on other days (a store once a day), spread together with these.
    kept_days: tuple[int, ...] = ()

    @property
    def visits_to_place(self) -> int:
        return max(0, min(self.visits_per_week, WORKING_DAYS) - len(self.kept_days))


@dataclass(frozen=True)
class Overload:
    """Why a week is over capacity: the numbers a supervisor needs to decide what to change."""

    visits: int
    per_week: int
    busiest_day: int
    busiest_day_stops: int
    per_day: int


@dataclass
class WeekPlan:
    days: list[list[int]] = field(default_factory=lambda: [[] for _ in range(WORKING_DAYS)])
    overload: Overload | None = None

    @property
    def visits(self) -> int:
        return sum(len(day) for day in self.days)


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine): ample for 'is the rep at the store' and ordering stops."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@cache
def _patterns(visits: int) -> tuple[tuple[int, ...], ...]:
    """Every set of `visits` days in the week, best spread first."""
    visits = max(0, min(visits, WORKING_DAYS))
    return tuple(sorted(combinations(range(WORKING_DAYS), visits), key=_spread_cost))


def _spread_cost(days: tuple[int, ...]) -> tuple[int, float]:
    """(adjacent pairs, distance from even spacing): Mon/Wed/Fri beats Mon/Wed/Sat beats Mon/Tue/Thu."""
    gaps = [b - a for a, b in zip(days, days[1:], strict=False)]
    adjacent = sum(1 for gap in gaps if gap < 2)
    ideal = WORKING_DAYS / len(days) if days else 0
    return adjacent, sum((gap - ideal) ** 2 for gap in gaps)


def _balance(loads: list[int]) -> tuple[int, int]:
    return max(loads), sum(load * load for load in loads)


def generate_week(
    stores: Sequence[StoreToPlan],
    *,
    per_day: int,
    per_week: int,
    taken: Sequence[int] | None = None,
    closed: Sequence[int] = (),
) -> WeekPlan:
    """Spread every store's visits over Monday–Saturday; order each day by distance; flag overload.

    `taken` is the stops per day already in the week that stay (a KA manager plans only their accounts' stores,
    around the rep's other stops): the days are balanced and the overload counted with them; the plan returned
    holds only the stores given. `closed` are days no new visit goes on (the days of a running week that have
    passed): a store's visits still to place go on its open days, as many as they hold."""
    loads = list(taken) if taken is not None else [0] * WORKING_DAYS
    closed_days = frozenset(closed)
    chosen: dict[int, tuple[int, ...]] = {}
    # The hardest to place first: most visits, then by id so the result is reproducible.
    for store in sorted(stores, key=lambda s: (-s.visits_to_place, s.id)):
        best = min(_store_patterns(store, closed_days), key=lambda p: _placement_cost(p, loads, store.kept_days))
        chosen[store.id] = best
        for day in best:
            loads[day] += 1
    _improve(stores, chosen, loads, closed_days)
    plan = WeekPlan()
    by_id = {store.id: store for store in stores}
    for store_id, days in chosen.items():
        for day in days:
            plan.days[day].append(store_id)
    plan.days = [order_by_distance([by_id[i] for i in day]) for day in plan.days]
    busiest = max(range(WORKING_DAYS), key=lambda d: loads[d])
    visits = sum(loads)
    if visits > per_week or loads[busiest] > per_day:
        plan.overload = Overload(visits, per_week, busiest, loads[busiest], per_day)
    return plan


def _store_patterns(store: StoreToPlan, closed: frozenset[int] = frozenset()) -> tuple[tuple[int, ...], ...]:
    """The sets of days the store's visits still to place may take: none of the days it is kept on, none closed;
    as many visits as the days left hold when they are fewer."""
    if not store.kept_days and not closed:
        return _patterns(store.visits_to_place)
    shut = closed.union(store.kept_days)
    visits = min(store.visits_to_place, WORKING_DAYS - len(shut))
    return tuple(p for p in _patterns(visits) if not shut.intersection(p) and len(p) == visits) or ((),)


def _spread_with(pattern: tuple[int, ...], kept_days: tuple[int, ...]) -> tuple[int, float]:
    """How well the store's visits spread over the week: the new ones with the kept ones."""
    return _spread_cost(tuple(sorted((*pattern, *kept_days))))


def _placement_cost(pattern: tuple[int, ...], loads: list[int], kept_days: tuple[int, ...] = ()):
    after = loads[:]
    for day in pattern:
        after[day] += 1
    adjacent, unevenness = _spread_with(pattern, kept_days)
    return (adjacent, *_balance(after), unevenness)


def _improve(
    stores: Sequence[StoreToPlan], chosen: dict, loads: list[int], closed: frozenset[int] = frozenset()
) -> None:
    """Local search: move one store to another well-spread pattern while that evens out the days."""
    improved = True
    rounds = 0
    while improved and rounds < 50:
        improved, rounds = False, rounds + 1
        for store in stores:
            current = chosen[store.id]
            for day in current:
                loads[day] -= 1
            best = min(
                _store_patterns(store, closed),
                key=lambda p: (_spread_with(p, store.kept_days)[0], *_balance(_with(loads, p)), p != current),
            )
            if best != current:
                improved = True
            chosen[store.id] = best
            for day in best:
                loads[day] += 1


def _with(loads: list[int], pattern: tuple[int, ...]) -> list[int]:
    after = loads[:]
    for day in pattern:
        after[day] += 1
    return after


def order_by_distance(stores: Sequence[StoreToPlan]) -> list[int]:
    """A day's stops in the shortest walking order: of every order up to EXACT_UP_TO located stops (a day holds 5),
    past that the shortest nearest-neighbour walk over every start, shortened by 2-opt. The nearest-neighbour walk
    stands where nothing is shorter (it was the whole rule once: on one day in eight it walked up to 6 km more).
    Stores without coordinates come last, in the order given."""
    located = [s for s in stores if s.latitude is not None and s.longitude is not None]
    rest = [s.id for s in stores if s.latitude is None or s.longitude is None]
    if len(located) <= 2:
        return [s.id for s in located] + rest
    best_path, best_length = None, math.inf
    for start in located:
        path, length, left = [start], 0.0, [s for s in located if s is not start]
        while left:
            here = path[-1]
            nearest = min(
                left, key=lambda s: (distance_m(here.latitude, here.longitude, s.latitude, s.longitude), s.id)
            )
            length += distance_m(here.latitude, here.longitude, nearest.latitude, nearest.longitude)
            path.append(nearest)
            left.remove(nearest)
        if length < best_length - 1e-6:
            best_path, best_length = path, length
    return [s.id for s in _shorter(best_path, located)] + rest


def _shorter(path: list[StoreToPlan], located: list[StoreToPlan], keep_order: int = 0) -> list[StoreToPlan]:
    """`path`, or a shorter walk through the same stops where there is one: the shortest of all (exactly, up to
    EXACT_UP_TO stops), else `path` shortened by 2-opt. The first `keep_order` of `located` keep their order among
    themselves (stops placed by hand) and then only the exact search is made."""
    metres = [[distance_m(a.latitude, a.longitude, b.latitude, b.longitude) for b in located] for a in located]
    if len(located) <= EXACT_UP_TO:
        shorter = [located[i] for i in shortest_walk(metres, keep_order)]
    elif keep_order:
        return path
    else:
        index = {id(s): i for i, s in enumerate(located)}
        shorter = [located[i] for i in two_opt(metres, [index[id(s)] for s in path])]
    return shorter if path_length(shorter) < path_length(path) - 1e-6 else path


def shortest_walk(metres: Sequence[Sequence[float]], keep_order: int = 0) -> list[int]:
    """The shortest open walk through every stop (Held–Karp: of every order, 2ⁿ·n² steps), from any stop to any,
    as the stops' indexes into the matrix of distances `metres`. Stops 0 … keep_order−1 come in that order among
    themselves, the others anywhere (between them, before or after). Of equally short walks, the first found."""
    count = len(metres)
    if count == 0:
        return []
    every = (1 << count) - 1
    kept = (1 << keep_order) - 1
    # length[subset][last]: the shortest walk through the subset's stops that ends at `last`; came[…]: the stop before
    length = [[math.inf] * count for _ in range(every + 1)]
    came = [[-1] * count for _ in range(every + 1)]
    for stop in range(keep_order, count):
        length[1 << stop][stop] = 0.0
    if keep_order:
        length[1][0] = 0.0
    for subset in range(1, every + 1):  # a subset before any subset holding it
        next_kept = (subset & kept).bit_count()  # the kept stop that may come next (kept ones go in order)
        for last in range(count):
            so_far = length[subset][last]
            if so_far == math.inf:
                continue
            for stop in range(count):
                if subset >> stop & 1 or (stop < keep_order and stop != next_kept):
                    continue
                walk = so_far + metres[last][stop]
                if walk < length[subset | 1 << stop][stop] - 1e-9:
                    length[subset | 1 << stop][stop] = walk
                    came[subset | 1 << stop][stop] = last
    last = min(range(count), key=lambda stop: (length[every][stop], stop))
    order, subset = [], every
    while last != -1:
        order.append(last)
        last, subset = came[subset][last], subset & ~(1 << last)
    return order[::-1]


def two_opt(metres: Sequence[Sequence[float]], order: list[int]) -> list[int]:
    """An open walk shortened by 2-opt: a stretch of it walked the other way while that shortens the whole."""
    order = list(order)
    last = len(order) - 1
    for _round in range(100):
        improved = False
        for first in range(last):
            for end in range(first + 1, last + 1):
                before = metres[order[first - 1]][order[first]] if first else 0.0
                after = metres[order[end]][order[end + 1]] if end < last else 0.0
                turned_before = metres[order[first - 1]][order[end]] if first else 0.0
                turned_after = metres[order[first]][order[end + 1]] if end < last else 0.0
                if turned_before + turned_after < before + after - 1e-6:
                    order[first : end + 1] = order[first : end + 1][::-1]
                    improved = True
        if not improved:
            break
    return order


def path_length(stores: Sequence[StoreToPlan]) -> float:
    """The walk through the stores in this order, in metres: those without coordinates are skipped."""
    located = [s for s in stores if s.latitude is not None and s.longitude is not None]
    pairs = zip(located, located[1:], strict=False)
    return sum(distance_m(a.latitude, a.longitude, b.latitude, b.longitude) for a, b in pairs)


def order_around(fixed: Sequence[StoreToPlan], new: Sequence[StoreToPlan]) -> list[StoreToPlan]:
    """A day's stops when some stay in their order (placed by hand, or another planner's): the `fixed` ones keep
    their order, each of the `new` ones goes where it adds least to the walk (cheapest insertion: of every new stop
    and every place, the cheapest first), then a new stop moves to a better place while one shortens the walk.
    Appending them all in their own walking order is kept where it is no longer; up to EXACT_UP_TO located stops
    the shortest of all the orders that keep the fixed ones' is taken where it is shorter still (the insertions
    walked up to 4 km more on one day in fourteen). New stores without coordinates
    come last, in the order given; the items returned are those given (a caller tells fixed from new by identity).
    Without fixed stops, the new ones are returned as given (the generator's walking order)."""
    if not fixed:
        return list(new)  # nothing stays: the generator's own walking order
    located = [s for s in new if s.latitude is not None and s.longitude is not None]
    unlocated = [s for s in new if s.latitude is None or s.longitude is None]
    path = list(fixed)
    left = list(located)
    while left:
        _cost, index, place = min(
            (path_length(path[:place] + [store] + path[place:]), index, place)
            for index, store in enumerate(left)
            for place in range(len(path) + 1)
        )
        path.insert(place, left.pop(index))
    path = _relocate(path, {id(s) for s in located})
    appended = list(fixed) + [located[i] for i in _walking_order(located)]
    if path_length(appended) < path_length(path) - 1e-6:
        path = appended
    if all(s.latitude is not None and s.longitude is not None for s in fixed):
        path = _shorter(path, [*fixed, *located], keep_order=len(fixed))  # the shortest of all, where few enough
    return path + unlocated


def _walking_order(stores: Sequence[StoreToPlan]) -> list[int]:
    ids = order_by_distance(stores)
    index = {s.id: i for i, s in enumerate(stores)}
    return [index[i] for i in ids]


def _relocate(path: list[StoreToPlan], movable: set[int]) -> list[StoreToPlan]:
    """Move one movable stop at a time to the place where the walk is shortest, while that shortens it."""
    best = path_length(path)
    for _round in range(50):
        improved = False
        for store in [s for s in path if id(s) in movable]:
            rest = [s for s in path if s is not store]
            candidate = min((rest[:place] + [store] + rest[place:] for place in range(len(rest) + 1)), key=path_length)
            length = path_length(candidate)
            if length < best - 1e-6:
                path, best, improved = candidate, length, True
        if not improved:
            break
    return path
