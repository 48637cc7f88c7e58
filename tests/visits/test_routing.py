"""Route generation: every store as often as its grade says, spread over the week, days balanced, overload flagged."""

from collections import Counter
from decimal import Decimal
from itertools import permutations

from hypothesis import given, settings
from hypothesis import strategies as st

from visits import routing
from visits.routing import StoreToPlan, distance_m, generate_week, order_around, order_by_distance, path_length

GRADE_VISITS = {"A": 3, "B": 2, "C": 1}


def _stores(grades: str) -> list[StoreToPlan]:
    return [StoreToPlan(i, GRADE_VISITS[g]) for i, g in enumerate(grades)]


def _days_of(plan, store_id) -> list[int]:
    return [day for day, stops in enumerate(plan.days) if store_id in stops]


def test_spec_example_5a_5b_5c_is_a_full_valid_week():
    # given SPEC §4's rep: 5 A + 5 B + 5 C stores = 30 visits
    stores = _stores("A" * 5 + "B" * 5 + "C" * 5)

    # when the week is generated with 5 stops a day, 30 a week
    plan = generate_week(stores, per_day=5, per_week=30)

    # then every day has exactly 5 stops, nothing is flagged, every store its visits, well spread
    assert [len(day) for day in plan.days] == [5, 5, 5, 5, 5, 5]
    assert plan.overload is None
    for store in stores:
        days = _days_of(plan, store.id)
        assert len(days) == store.visits_per_week
        assert all(b - a >= 2 for a, b in zip(days, days[1:], strict=False)), (store, days)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ABC", max_size=24))
def test_any_mix_keeps_frequency_spacing_and_balance(grades):
    stores = _stores(grades)
    plan = generate_week(stores, per_day=5, per_week=30)
    counts = Counter(stop for day in plan.days for stop in day)
    assert counts == Counter({s.id: s.visits_per_week for s in stores if s.visits_per_week})
    for store in stores:
        days = _days_of(plan, store.id)
        assert all(b - a >= 2 for a, b in zip(days, days[1:], strict=False)), (grades, store, days)
    loads = [len(day) for day in plan.days]
    assert max(loads) - min(loads) <= 1, (grades, loads)


def test_over_capacity_is_flagged_with_the_numbers_and_nothing_is_cut():
    # given 7 A + 5 B + 5 C = 36 visits for a 30-visit week
    stores = _stores("A" * 7 + "B" * 5 + "C" * 5)

    plan = generate_week(stores, per_day=5, per_week=30)

    assert plan.visits == 36
    assert plan.overload is not None
    assert (plan.overload.visits, plan.overload.per_week) == (36, 30)
    assert plan.overload.busiest_day_stops == 6
    assert plan.overload.per_day == 5


def test_a_full_day_alone_is_flagged_even_under_the_weekly_total():
    # given 3 A stores (9 visits) and room for one stop a day
    plan = generate_week(_stores("A" * 3), per_day=1, per_week=30)
    assert plan.overload is not None
    assert (plan.overload.visits, plan.overload.busiest_day_stops, plan.overload.per_day) == (9, 2, 1)


def test_an_override_of_six_visits_means_every_day():
    plan = generate_week([StoreToPlan(1, 6)], per_day=5, per_week=30)
    assert plan.days == [[1]] * 6


def test_stops_in_a_day_follow_the_shortest_path_and_unlocated_stores_come_last():
    # given four stores on a line, west to east, handed over out of order, and one without coordinates
    line = [StoreToPlan(i, 1, 31.2, 121.40 + 0.01 * i) for i in range(4)]
    unknown = StoreToPlan(9, 1)
    order = order_by_distance([line[2], unknown, line[0], line[3], line[1]])
    assert order in ([0, 1, 2, 3, 9], [3, 2, 1, 0, 9])


def test_distance_is_about_right():
    # one hundredth of a degree of latitude is about 1.11 km
    assert 1100 < distance_m(31.20, 121.40, 31.21, 121.40) < 1120


def test_stops_already_in_the_week_are_balanced_around_and_counted_in_the_overload():
    # given a week whose Monday to Wednesday already hold 5 stops each (another manager's stores, which stay)
    taken = [5, 5, 5, 0, 0, 0]

    # when three C stores are planned around them, then nine more visits
    light = generate_week(_stores("CCC"), per_day=5, per_week=30, taken=taken)
    heavy = generate_week(_stores("AAAAAA"), per_day=5, per_week=30, taken=taken)

    # then the C stores go to the empty days, and the plan holds only the stores given
    assert [len(day) for day in light.days] == [0, 0, 0, 1, 1, 1] and light.overload is None
    # and 15 + 18 = 33 visits is over the week's 30, counted with the stops that stay
    assert heavy.visits == 18
    assert (heavy.overload.visits, heavy.overload.per_week) == (33, 30)


@settings(max_examples=60, deadline=None)
@given(visits=st.integers(min_value=1, max_value=6), kept=st.sets(st.integers(min_value=0, max_value=5), max_size=6))
def test_a_stores_days_kept_by_hand_count_towards_its_visits_and_the_rest_go_on_other_days(visits, kept):
    # given a store with `visits` a week, already kept on some days (stops placed by hand)
    store = StoreToPlan(1, visits, kept_days=tuple(sorted(kept)))

    # when the week is generated around those days
    plan = generate_week([store], per_day=5, per_week=30, taken=[1 if day in kept else 0 for day in range(6)])

    # then the new visits make up the frequency (never more, never a kept day twice)
    days = _days_of(plan, 1)
    assert len(days) == max(0, visits - len(kept)) and not set(days) & kept


def test_a_kept_visit_is_spread_with_the_new_ones():
    # an A store kept by hand on Monday: its two other visits avoid Tuesday (no adjacent days where possible)
    plan = generate_week([StoreToPlan(1, 3, kept_days=(0,))], per_day=5, per_week=30, taken=[1, 0, 0, 0, 0, 0])

    assert _days_of(plan, 1) == [2, 4]


@settings(max_examples=60, deadline=None)
@given(
    visits=st.integers(min_value=1, max_value=6),
    kept=st.sets(st.integers(min_value=0, max_value=5), max_size=6),
    today=st.integers(min_value=0, max_value=5),
)
def test_no_new_visit_goes_on_a_day_that_has_passed(visits, kept, today):
    # given a store kept on some days, in a week whose days before `today` have passed (closed)
    store = StoreToPlan(1, visits, kept_days=tuple(sorted(kept)))
    closed = tuple(range(today))

    # when the week is generated again
    plan = generate_week([store], per_day=5, per_week=30, taken=[int(d in kept) for d in range(6)], closed=closed)

    # then the new visits go on open days not kept, as many as the frequency still asks and those days hold
    days = _days_of(plan, 1)
    open_days = set(range(today, 6)) - kept
    assert set(days) <= open_days
    assert len(days) == min(max(0, visits - len(kept)), len(open_days))


# --- a day's stops around the ones that stay (routes item 4) ---------------------------------------------------------

# five stores on one street in Shanghai, about 950 m apart, west to east: A B C D E
STREET = [StoreToPlan(i, 1, Decimal("31.230000"), Decimal("121.400000") + Decimal("0.01") * i) for i in range(5)]
A, B, C, D, E = STREET


def test_new_stops_go_where_they_add_least_to_the_walk_around_the_hand_placed_ones():
    # given A and D placed by hand (A first), and B, C, E to be planned that day
    order = order_around([A, D], [B, C, E])

    # then they fall in between, the hand stops keeping their order; no longer than the generator's own order of the
    # five, and shorter than the hand stops followed by the new ones (A D B C E: about 7.6 km against 3.8 km)
    assert [s.id for s in order] == [0, 1, 2, 3, 4]
    plain = [next(s for s in STREET if s.id == i) for i in order_by_distance(STREET)]
    assert path_length(order) <= path_length(plain) + 1e-6
    assert path_length(order) < path_length([A, D, *[STREET[i] for i in order_by_distance([B, C, E])]]) - 1000


def test_hand_stops_keep_their_order_even_where_another_would_be_shorter():
    # given the hand stops D then A (the planner's order, east then west), and B, C to be planned
    order = order_around([D, A], [B, C])

    ids = [s.id for s in order]
    assert ids.index(3) < ids.index(0)
    assert sorted(ids) == [0, 1, 2, 3]
    assert ids == [3, 2, 1, 0]  # the walk D C B A: the new ones on the way


def test_new_stores_without_coordinates_come_last_and_nothing_fixed_keeps_the_given_order():
    nowhere = StoreToPlan(9, 1)
    assert [s.id for s in order_around([A, D], [nowhere, B])] == [0, 1, 3, 9]
    assert order_around([], [C, A, B]) == [C, A, B]


def _walk(stores, ids) -> float:
    by_id = {s.id: s for s in stores}
    return path_length([by_id[i] for i in ids])


def _shortest_of_all(stores, keep=()) -> float:
    """By brute force: the shortest walk of every order of the stores (keeping `keep`'s order among themselves)."""
    return min(path_length(order) for order in permutations(stores) if [s for s in order if s in keep] == list(keep))


# a day's stores in Shanghai, to the metre (a thousandth of a degree is about 100 m)
PLACES = st.tuples(st.integers(31_150, 31_300), st.integers(121_350, 121_550)).map(
    lambda p: (Decimal(p[0]) / 1000, Decimal(p[1]) / 1000)
)


def test_a_days_stops_take_the_shortest_walk_where_the_nearest_next_walks_farther():
    # given five stores a rep visits on Monday, where always walking to the nearest next store (from the best start)
    # walks 24.0 km: the last store is left far out on the way back
    places = [(31.255, 121.499), (31.252, 121.435), (31.209, 121.407), (31.290, 121.449), (31.294, 121.405)]
    stores = [StoreToPlan(i, 1, Decimal(str(lat)), Decimal(str(lng))) for i, (lat, lng) in enumerate(places, 1)]

    # when the day is put in order
    order = order_by_distance(stores)

    # then it walks the shortest of all 120 orders, 21.3 km, 2.7 km less
    assert sorted(order) == [1, 2, 3, 4, 5]
    assert round(_walk(stores, order)) == round(_shortest_of_all(stores)) == 21291


@settings(max_examples=60, deadline=None)
@given(st.lists(PLACES, min_size=3, max_size=7, unique=True))
def test_no_order_of_a_days_stops_is_shorter(places):
    stores = [StoreToPlan(i, 1, lat, lng) for i, (lat, lng) in enumerate(places)]
    order = order_by_distance(stores)
    assert sorted(order) == list(range(len(stores)))
    assert _walk(stores, order) <= _shortest_of_all(stores) + 1e-6


@settings(max_examples=60, deadline=None)
@given(st.lists(PLACES, min_size=3, max_size=7, unique=True), st.data())
def test_around_stops_placed_by_hand_no_order_that_keeps_theirs_is_shorter(places, data):
    stores = [StoreToPlan(i, 1, lat, lng) for i, (lat, lng) in enumerate(places)]
    by_hand = data.draw(st.integers(1, len(stores) - 1))
    fixed, new = stores[:by_hand], stores[by_hand:]
    order = order_around(fixed, new)
    assert sorted(s.id for s in order) == list(range(len(stores)))
    assert [s for s in order if s in fixed] == fixed  # the hand-placed stops keep their order
    assert path_length(order) <= _shortest_of_all(stores, keep=fixed) + 1e-6


@settings(max_examples=20, deadline=None)
@given(st.lists(PLACES, min_size=routing.EXACT_UP_TO + 1, max_size=16, unique=True))
def test_a_day_too_long_to_try_every_order_is_still_shortened_where_a_stretch_walked_back_is_shorter(places):
    # a day over capacity (more stops than every order can be tried for): no stretch of it walked the other way is
    # shorter (2-opt), and it is no longer than the nearest-next walk
    stores = [StoreToPlan(i, 1, lat, lng) for i, (lat, lng) in enumerate(places)]
    order = order_by_distance(stores)
    walk = _walk(stores, order)
    for first in range(len(order)):
        for end in range(first + 1, len(order)):
            turned = order[:first] + order[first : end + 1][::-1] + order[end + 1 :]
            assert _walk(stores, turned) >= walk - 1e-6
