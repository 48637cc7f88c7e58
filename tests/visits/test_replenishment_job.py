"""The nightly suggested-order job (SPEC §4): set-based, chunked, idempotent, atomic per chunk, recorded."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import DeliveryFactory, ListingFactory, ProductFactory, StoreFactory, UserFactory
from visits.models import ReplenishmentRun, SuggestedOrder
from visits.replenishment import suggested_order
from visits.replenishment_job import COLUMNS
from visits.tasks import suggested_orders_nightly, suggested_orders_run

from .factories import StockCountFactory, VisitFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 16)
VALUES = tuple(column for column in COLUMNS if column not in ("date", "superseded_on"))  # store_id, product_id, …


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))


def count(listing, day: date, packs: int, hour: int = 10):
    """A visit to the listing's store on the day (local time) that counted `packs`."""
    rep = listing.store.rep or UserFactory._meta.model.objects.filter(username="counter").first()
    visit = VisitFactory(store=listing.store, rep=rep or UserFactory(username="counter"), checked_in_at=at(day, hour))
    return StockCountFactory(visit=visit, product=listing.product, packs=packs)


def rows(on: date) -> list[tuple]:
    """The suggested orders in force on the day, pair by pair (whichever day each was computed)."""
    in_force = SuggestedOrder.objects.in_force_on(on)
    return list(in_force.order_by("store_id", "product_id").values_list(*VALUES))


def run(on: date, **kwargs) -> ReplenishmentRun:
    result = suggested_orders_run(on=on, **kwargs)
    result.refresh_from_db()
    return result


@pytest.fixture
def run_now(django_capture_on_commit_callbacks):
    """Start a run and let its chunks (queued on commit) run in-process, as the test transaction never commits."""

    def start(on: date, **kwargs) -> ReplenishmentRun:
        with django_capture_on_commit_callbacks(execute=True):
            result = suggested_orders_run(on=on, **kwargs)
        result.refresh_from_db()
        return result

    return start


@pytest.fixture
def spec_pair():
    """SPEC §4: 12 packs a case; 10 cases counted, 4 delivered since, 6 cases now."""
    listing = ListingFactory(product=ProductFactory(packs_per_case=12))
    count(listing, DAY, 120)
    DeliveryFactory(store=listing.store, product=listing.product, date=DAY + timedelta(days=2), quantity=48)
    count(listing, DAY + timedelta(days=4), 72)
    return listing


def test_spec_example_from_the_command_orders_6_cases_and_records_the_run(
    spec_pair, django_capture_on_commit_callbacks
):
    # when the job runs from the command line for the day of the second count
    with django_capture_on_commit_callbacks(execute=True):
        call_command("compute_suggested_orders", "--date", str(DAY + timedelta(days=4)), stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then the pair's order is 6 cases, with the numbers behind it
    order = SuggestedOrder.objects.get(store=spec_pair.store, product=spec_pair.product)
    assert (order.previous_packs, order.delivered_packs, order.current_packs) == (120, 48, 72)
    assert (order.previous_counted_on, order.current_counted_on) == (DAY, DAY + timedelta(days=4))
    assert (order.actual_sales_packs, order.safety_stock_packs, order.suggested_packs) == (96, 144, 72)
    assert (order.suggested_cases, order.flag) == (6, "")
    # and the run is recorded as done
    recorded = ReplenishmentRun.objects.get()
    assert (recorded.status, recorded.pairs, recorded.flagged, recorded.chunks, recorded.chunks_done) == (
        ReplenishmentRun.Status.SUCCEEDED,
        1,
        0,
        1,
        1,
    )
    assert recorded.finished_at >= recorded.started_at


def test_beat_schedules_the_job_at_2_am_shanghai():
    entry = django_settings.CELERY_BEAT_SCHEDULE["suggested-orders-nightly"]
    assert entry["task"] == suggested_orders_nightly.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {0})
    assert django_settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_command_names_an_unknown_store():
    with pytest.raises(CommandError, match="NOPE"):
        call_command("compute_suggested_orders", "--store", "NOPE")


def test_command_for_one_account_leaves_other_accounts_alone(spec_pair, run_now):
    # given a second account's store with counts
    other = ListingFactory(product=spec_pair.product)
    count(other, DAY, 10)
    count(other, DAY + timedelta(days=1), 5)
    # when the job runs for the first account only
    recorded = run_now(DAY + timedelta(days=4), account_id=spec_pair.store.account_id, scope="account")
    # then only its store has an order
    assert list(SuggestedOrder.objects.values_list("store_id", flat=True)) == [spec_pair.store_id]
    assert recorded.pairs == 1


def test_first_count_and_negative_sales_are_flagged_and_counted(run_now):
    first = ListingFactory()
    count(first, DAY, 30)
    grew = ListingFactory()
    count(grew, DAY, 10)
    DeliveryFactory(store=grew.store, product=grew.product, date=DAY + timedelta(days=1), quantity=12)
    count(grew, DAY + timedelta(days=2), 30)
    recorded = run_now(DAY + timedelta(days=2))
    flags = dict(SuggestedOrder.objects.values_list("store_id", "flag"))
    assert flags == {first.store_id: "no_previous_count", grew.store_id: "negative_sales"}
    assert SuggestedOrder.objects.get(store=grew.store).actual_sales_packs == -8
    assert set(SuggestedOrder.objects.values_list("suggested_cases", flat=True)) == {0}
    assert (recorded.pairs, recorded.flagged) == (2, 2)


@pytest.mark.parametrize(
    "delivered_on, counted",
    [(0, False), (1, True), (4, True), (5, False)],
    ids=["on-previous-count-day", "day-after", "on-current-count-day", "after-current-count"],
)
def test_deliveries_count_after_the_previous_count_day_up_to_the_current_one(delivered_on, counted, run_now):
    listing = ListingFactory()
    count(listing, DAY, 50)
    count(listing, DAY + timedelta(days=4), 20)
    DeliveryFactory(store=listing.store, product=listing.product, date=DAY + timedelta(days=delivered_on), quantity=7)
    run_now(DAY + timedelta(days=6))
    assert SuggestedOrder.objects.get().delivered_packs == (7 if counted else 0)


def test_counts_after_the_day_inactive_listings_and_uncounted_listings_give_no_row(run_now):
    later = ListingFactory()
    count(later, DAY + timedelta(days=1), 10)
    inactive = ListingFactory(active=False)
    count(inactive, DAY, 10)
    ListingFactory()  # never counted
    recorded = run_now(DAY)
    assert rows(DAY) == []
    assert recorded.status == ReplenishmentRun.Status.SUCCEEDED


def test_a_count_just_after_local_midnight_belongs_to_that_local_day(run_now):
    # 00:30 in Shanghai is still the day before in UTC
    listing = ListingFactory()
    count(listing, DAY, 40, hour=0)
    run_now(DAY)
    assert SuggestedOrder.objects.get().current_counted_on == DAY


def test_running_twice_gives_the_same_rows_and_no_duplicates(spec_pair, run_now):
    on = DAY + timedelta(days=4)
    run_now(on)
    first = rows(on)
    second_run = run_now(on)
    assert rows(on) == first
    assert SuggestedOrder.objects.count() == 1
    assert second_run.status == ReplenishmentRun.Status.SUCCEEDED
    assert ReplenishmentRun.objects.count() == 2


def test_a_rerun_drops_the_row_of_a_pair_no_longer_counted(spec_pair, run_now):
    on = DAY + timedelta(days=4)
    run_now(on)
    spec_pair.active = False
    spec_pair.save()
    run_now(on)
    assert rows(on) == []


def _company(stores: int, products: int) -> list:
    """stores × products listings, each with two counts and a delivery between them."""
    catalogue = [ProductFactory(packs_per_case=6 * (i + 1)) for i in range(products)]
    listings = []
    for s in range(stores):
        store = StoreFactory()
        for p, product in enumerate(catalogue):
            listing = ListingFactory(store=store, product=product)
            count(listing, DAY, 20 + 7 * s + p)
            DeliveryFactory(store=store, product=product, date=DAY + timedelta(days=1), quantity=5 + s)
            count(listing, DAY + timedelta(days=2), 3 * p + s)
            listings.append(listing)
    return listings


def test_chunked_run_gives_the_same_rows_as_a_single_run(settings, run_now):
    _company(stores=5, products=3)
    on = DAY + timedelta(days=2)
    settings.KA = replace(settings.KA, replenishment_chunk_stores=1000)
    single = run_now(on)
    single_rows = rows(on)
    SuggestedOrder.objects.all().delete()
    settings.KA = replace(settings.KA, replenishment_chunk_stores=2)
    chunked = run_now(on, full=True)  # the rows were deleted behind the job's back: an incremental night trusts them
    assert (single.chunks, chunked.chunks) == (1, 3)
    assert rows(on) == single_rows
    assert len(single_rows) == 15
    assert (chunked.pairs, chunked.chunks_done, chunked.status) == (15, 3, ReplenishmentRun.Status.SUCCEEDED)


def _fail_inserts_for(store_id: int) -> list[str]:
    """A database trigger that rejects writing the store's suggested orders (a new row, or a same-day rerun's update
    in place): a failure half-way through a run. Returns the statements that remove it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION ka_test_fail() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER ka_test_fail BEFORE INSERT OR UPDATE ON visits_suggestedorder FOR EACH ROW "
                f"WHEN (NEW.store_id = {int(store_id)}) EXECUTE FUNCTION ka_test_fail()"
            )
        return ["DROP TRIGGER ka_test_fail ON visits_suggestedorder"]
    with connection.cursor() as cursor:
        for event in ("INSERT", "UPDATE"):
            cursor.execute(
                f"CREATE TRIGGER ka_test_fail_{event.lower()} BEFORE {event} ON visits_suggestedorder "
                f"WHEN NEW.store_id = {int(store_id)} BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )
    return ["DROP TRIGGER ka_test_fail_insert", "DROP TRIGGER ka_test_fail_update"]


def test_a_run_failing_half_way_keeps_the_previous_rows_and_the_rerun_completes(settings, run_now):
    # given a complete result for the day, three stores, one chunk each
    listings = _company(stores=3, products=2)
    on = DAY + timedelta(days=2)
    settings.KA = replace(settings.KA, replenishment_chunk_stores=1)
    run_now(on)
    before = rows(on)
    # and new counts later that day, so a new run would change every row
    for listing in listings:
        count(listing, on, 1, hour=20)
    # when the second chunk's store fails in the database (a full run: one chunk a store; an incremental one would
    # put the stores' few claimed pairs in one chunk)
    drop = _fail_inserts_for(listings[2].store_id)
    with pytest.raises(Exception, match="injected failure"):
        run_now(on, full=True)
    # then the run is marked failed, with the error
    failed = ReplenishmentRun.objects.order_by("-pk").first()
    assert failed.status == ReplenishmentRun.Status.FAILED
    assert "injected failure" in failed.error
    assert failed.chunks_done == 1
    # and the failed and unreached stores still read their previous complete rows
    after = rows(on)
    first_store = listings[0].store_id
    assert [r for r in after if r[0] != first_store] == [r for r in before if r[0] != first_store]
    assert len(after) == len(before) == 6
    # when the cause is gone, the rerun completes
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)
    rerun = run_now(on)
    assert (rerun.status, rerun.pairs, rerun.chunks_done) == (ReplenishmentRun.Status.SUCCEEDED, 6, 3)
    assert set(SuggestedOrder.objects.values_list("current_packs", flat=True)) == {1}


def test_a_new_run_marks_an_unfinished_one_of_the_same_day_failed(run_now):
    stale = ReplenishmentRun.objects.create(date=DAY, chunks=3)
    run_now(DAY)
    stale.refresh_from_db()
    assert stale.status == ReplenishmentRun.Status.FAILED
    assert "superseded" in stale.error


# --- the job equals the one-pair function, on random companies ------------------------------------------

pair_strategy = st.fixed_dictionaries(
    {
        "counts": st.lists(
            st.tuples(st.integers(0, 6), st.integers(0, 300), st.sampled_from([0, 10, 23])),
            max_size=3,
            unique_by=lambda c: c[0],
        ),
        "deliveries": st.lists(st.tuples(st.integers(0, 7), st.integers(1, 200)), max_size=3),
    }
)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    packs_per_case=st.lists(st.integers(1, 30), min_size=4, max_size=4),
    pairs=st.lists(pair_strategy, min_size=8, max_size=8),
    factor=st.sampled_from(["1.5", "1.25", "2", "1", "1.3"]),
    rounding=st.sampled_from(["up", "nearest", "down"]),
)
def test_the_job_suggests_what_the_one_pair_function_suggests(
    packs_per_case, pairs, factor, rounding, settings, django_capture_on_commit_callbacks
):
    # given 2 stores × 4 products, each pair with up to 3 counts and 3 deliveries on random days (40 × 8 pairs)
    settings.KA = replace(
        settings.KA, safety_factor=Decimal(factor), order_rounding=rounding, replenishment_chunk_stores=1
    )
    on = DAY + timedelta(days=6)
    with transaction.atomic():
        products = [ProductFactory(packs_per_case=n) for n in packs_per_case]
        stores = [StoreFactory(), StoreFactory()]
        expected = {}
        for i, pair in enumerate(pairs):
            listing = ListingFactory(store=stores[i % 2], product=products[i // 2])
            for day, packs, hour in pair["counts"]:
                count(listing, DAY + timedelta(days=day), packs, hour=hour)
            for day, quantity in pair["deliveries"]:
                DeliveryFactory(
                    store=listing.store, product=listing.product, date=DAY + timedelta(days=day), quantity=quantity
                )
            counted = sorted(pair["counts"])
            if not counted:
                continue
            current, previous = counted[-1], (counted[-2] if len(counted) > 1 else None)
            delivered = sum(q for d, q in pair["deliveries"] if previous is not None and previous[0] < d <= current[0])
            result = suggested_order(
                previous[1] if previous else None,
                delivered,
                current[1],
                listing.product.packs_per_case,
                factor,
                rounding,
            )
            expected[(listing.store_id, listing.product_id)] = (
                delivered,
                result.actual_sales,
                result.safety_stock,
                result.suggested_packs,
                result.suggested_cases,
                result.flag,
            )
        # when the job runs, a chunk per store
        with django_capture_on_commit_callbacks(execute=True):
            suggested_orders_run(on=on)
        got = {(r[0], r[1]): (r[4], *r[7:]) for r in rows(on)}
        transaction.set_rollback(True)
    # then every pair's row holds what the one-pair function says
    assert got == expected


def test_command_for_one_store_computes_that_store_only(spec_pair, django_capture_on_commit_callbacks):
    other = ListingFactory(product=spec_pair.product)
    count(other, DAY + timedelta(days=4), 5)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("compute_suggested_orders", "--date", "2026-11-20", "--store", spec_pair.store.code, stdout=out)
    assert list(SuggestedOrder.objects.values_list("store_id", "suggested_cases")) == [(spec_pair.store_id, 6)]
    recorded = ReplenishmentRun.objects.get()
    assert recorded.scope == f"store {spec_pair.store.code}"
    assert out.getvalue().startswith(f"run {recorded.pk} for 2026-11-20")


@pytest.mark.parametrize("seed", range(3))
def test_one_store_read_pair_by_pair_agrees_with_the_full_pass(seed, django_capture_on_commit_callbacks):
    """A visit's save recomputes its store pair by pair (on PostgreSQL through the counts' pair index, migration
    0018); the night reads every count of many stores in one pass. After a full run, recomputing each store alone finds
    nothing to change — with two visits at the same minute (the later count wins), a visit moved to another store and
    one moved back a day, whose counts must follow them."""
    import random

    from visits.models import StockCount, Visit
    from visits.replenishment_job import Chunk, write_suggestions

    rng = random.Random(seed)
    products = [ProductFactory(packs_per_case=rng.choice([1, 6, 12])) for _ in range(3)]
    stores = sorted(StoreFactory().pk for _ in range(3))
    listings = [ListingFactory(store_id=store, product=product) for store in stores for product in products]
    for listing in listings:
        for days in sorted(rng.sample(range(1, 9), k=rng.randint(0, 3)), reverse=True):
            count(listing, DAY - timedelta(days=days), rng.randint(0, 50), hour=10)
        DeliveryFactory(store=listing.store, product=listing.product, date=DAY - timedelta(days=2), quantity=12)
    tied = listings[0]
    count(tied, DAY, 30, hour=9)
    count(tied, DAY, 4, hour=9)  # same minute, later row: the current count
    moved = Visit.objects.filter(store_id=stores[0]).order_by("pk").first()
    Visit.objects.filter(pk=moved.pk).update(store_id=stores[1])
    back = Visit.objects.filter(store_id=stores[2]).order_by("-pk").first()
    if back is not None:
        Visit.objects.filter(pk=back.pk).update(checked_in_at=back.checked_in_at - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        suggested_orders_run(on=DAY)
    in_force = rows(DAY)
    assert next(r for r in in_force if r[:2] == (tied.store_id, tied.product_id))[5] == 4  # the later count
    if connection.vendor == "postgresql":  # the pair columns the database keeps follow their visits
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM visits_stockcount sc JOIN visits_visit v ON v.id = sc.visit_id "
                "WHERE sc.pair_store_id <> v.store_id OR sc.pair_checked_in_at <> v.checked_in_at"
            )
            assert cursor.fetchone()[0] == 0
        assert StockCount.objects.filter(visit=moved).exists()
    with transaction.atomic(), connection.cursor() as cursor:
        written = [write_suggestions(cursor, on=DAY, chunk=Chunk(store, store)).changed for store in stores]
    assert written == [0, 0, 0]
    assert rows(DAY) == in_force
