"""Incremental nights (issue 17 item 2): a night recomputes only the changed pairs, and its rows equal a full run's."""

import random
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count

from promoters.models import SellOutLine
from stores.models import Delivery, Listing, Product, Store
from tests.factories import DeliveryFactory, ListingFactory, ProductFactory, StoreFactory
from tests.promoters.factories_numbers import sold
from visits.models import ReplenishmentChange, ReplenishmentRun, StockCount, SuggestedOrder, Visit
from visits.replenishment_incremental import suggestions_checksum
from visits.replenishment_job import Chunk, chunks_for, run_chunk
from visits.tasks import suggested_orders_run

from .test_replenishment_job import DAY, VALUES, _fail_inserts_for, count, rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_runs_nor_changes_left_by_other_modules():
    """A night's plan reads every run and every logged change in the database. On SQLite a flush at the end of an
    earlier module's transactional test deletes rows one table after another, and the change-log triggers log the
    pairs of the counts deleted after the log itself was emptied: pairs of stores no longer there, which make the next
    night count its tallies afresh. Each test here starts from none (its transaction puts them back)."""
    ReplenishmentChange.objects.all().delete()
    ReplenishmentRun.objects.all().delete()


FULL, INCREMENTAL = ReplenishmentRun.Mode.FULL, ReplenishmentRun.Mode.INCREMENTAL


@pytest.fixture
def run_now(django_capture_on_commit_callbacks):
    def start(on, **kwargs) -> ReplenishmentRun:
        with django_capture_on_commit_callbacks(execute=True):
            result = suggested_orders_run(on=on, **kwargs)
        result.refresh_from_db()
        return result

    return start


def _company(rng: random.Random, *, closes: bool) -> list[Listing]:
    """A few stores × products, most listed (some inactive), with 0–3 counts each over the week before DAY,
    deliveries around them, and with `closes` promoters' shelf stock at close on some days."""
    products = [ProductFactory(packs_per_case=rng.choice([1, 6, 12, 24])) for _ in range(rng.randint(2, 4))]
    listings = []
    for _ in range(rng.randint(2, 4)):
        store = StoreFactory()
        for product in products:
            if rng.random() < 0.2:
                continue
            listing = ListingFactory(store=store, product=product, active=rng.random() > 0.15)
            listings.append(listing)
            for _ in range(rng.randint(0, 3)):
                count(listing, DAY - timedelta(days=rng.randint(0, 6)), rng.randint(0, 60), hour=rng.randint(8, 20))
            for _ in range(rng.randint(0, 2)):
                _deliver(rng, listing, DAY - timedelta(days=rng.randint(0, 6)))
            if closes and rng.random() < 0.4:
                day = DAY - timedelta(days=rng.randint(0, 6))
                _close(store, product, day, rng.randint(0, 40))
    return listings


def _close(store, product, day, shelf_stock: int) -> None:
    """A promoter's shelf stock at the close of the store's shift on the day (a second report of it: edited)."""
    line = SellOutLine.objects.filter(shift__store=store, shift__day=day, product=product).first()
    if line:
        SellOutLine.objects.filter(pk=line.pk).update(shelf_stock=shelf_stock)
    else:
        sold(store, product, day, 1, shelf_stock=shelf_stock)


def _deliver(rng: random.Random, listing: Listing, day) -> None:
    if not Delivery.objects.filter(store=listing.store, product=listing.product, date=day).exists():
        DeliveryFactory(store=listing.store, product=listing.product, date=day, quantity=rng.randint(1, 50))


def _mutate(rng: random.Random, on, *, closes: bool) -> None:
    """What a day brings: new counts (some back-dated, some after `on`), deliveries, a count edited, moved or
    deleted, a listing removed, deactivated or added, a product's packs per case changed, a delivery deleted."""
    listings = list(Listing.objects.select_related("store", "product").order_by("pk"))
    for listing in rng.sample(listings, k=max(1, len(listings) // 4)):
        count(listing, on - timedelta(days=rng.randint(0, 3)), rng.randint(0, 60), hour=rng.randint(8, 22))
    for listing in rng.sample(listings, k=max(1, len(listings) // 4)):
        _deliver(rng, listing, on - timedelta(days=rng.randint(0, 5)))
    if rng.random() < 0.5:
        count(rng.choice(listings), on + timedelta(days=1), 7)  # after the day: neither run reads it
    counts = list(StockCount.objects.order_by("pk"))
    if counts:
        rng.choice(counts).delete()
        edited = rng.choice(counts)
        if StockCount.objects.filter(pk=edited.pk).exists():
            StockCount.objects.filter(pk=edited.pk).update(packs=rng.randint(0, 60))
    visits = list(Visit.objects.order_by("pk"))
    if visits and rng.random() < 0.5:
        moved = rng.choice(visits)
        Visit.objects.filter(pk=moved.pk).update(checked_in_at=moved.checked_in_at - timedelta(days=1))
    deliveries = list(Delivery.objects.order_by("pk"))
    if deliveries and rng.random() < 0.5:
        rng.choice(deliveries).delete()
    removed = rng.choice(listings)
    StockCount.objects.filter(
        visit__store=removed.store, product=removed.product
    ).delete() if rng.random() < 0.3 else None
    removed.delete()
    rest = [listing for listing in listings if listing.pk != removed.pk]
    if rest:
        Listing.objects.filter(pk=rng.choice(rest).pk).update(active=False)
        Listing.objects.filter(pk=rng.choice(rest).pk).update(active=True)
    product = rng.choice(list(Product.objects.order_by("pk")))
    product.packs_per_case = rng.choice([1, 5, 10, 30])
    product.save()
    store = StoreFactory()
    added = ListingFactory(store=store, product=product)
    count(added, on - timedelta(days=2), rng.randint(10, 40))
    count(added, on, rng.randint(0, 10))
    if closes:
        target = rng.choice(rest or [added])
        _close(target.store, target.product, on, rng.randint(0, 30))
        lines = list(SellOutLine.objects.order_by("pk"))
        if len(lines) > 1:
            rng.choice(lines[:-1]).delete()


def _assert_one_row_in_force_per_pair(on) -> None:
    """At most one current row and one row in force on `on` per pair: no index holds it (migration 0017), the job
    does."""
    for rows_of in (SuggestedOrder.objects.current(), SuggestedOrder.objects.in_force_on(on)):
        doubled = rows_of.values("store_id", "product_id").annotate(n=Count("id")).filter(n__gt=1)
        assert not doubled.exists(), list(doubled)


def _assert_equals_full(run_now, on, incremental: ReplenishmentRun) -> None:
    """A full run of the same day right after the incremental one finds nothing to change."""
    assert (incremental.mode, incremental.status) == (INCREMENTAL, ReplenishmentRun.Status.SUCCEEDED)
    _assert_one_row_in_force_per_pair(on)
    got, checksum = rows(on), suggestions_checksum(on)
    full = run_now(on, full=True)
    assert full.mode == FULL
    assert full.pairs_changed == 0
    assert rows(on) == got
    assert suggestions_checksum(on) == checksum
    assert (incremental.pairs, incremental.flagged) == (full.pairs, full.flagged)


class _Rollback(Exception):
    """Undo a history, so the next one starts from the same (empty) database."""


def _normalized(rows) -> list[tuple]:
    """Rows with the store and product ids replaced by their rank: two histories built alike compare equal."""
    stores = {pk: n for n, pk in enumerate(Store.objects.order_by("pk").values_list("pk", flat=True))}
    products = {pk: n for n, pk in enumerate(Product.objects.order_by("pk").values_list("pk", flat=True))}
    return sorted((stores[row[0]], products[row[1]], *map(str, row[2:])) for row in rows)


def _history(seed: int, closes: str, settings, run_now, *, full: bool) -> list:
    """A random company and four nights of changes (same day again or one to three days later; deletes, a listing
    gone, a setting changed on the third), each run incrementally where it may be or, with `full`, in full. Per
    night: the rows in force on its day and every row of the table (history included), normalized, and the run's
    pairs and flagged. Rolled back at the end."""
    rng = random.Random(seed)
    ka = replace(settings.KA, promoter_stock_as_count=closes, replenishment_chunk_stores=rng.choice([1, 2, 50]))
    settings.KA = ka
    nights = []
    try:
        with transaction.atomic():
            _company(rng, closes=closes == "yes")
            assert run_now(DAY, full=full).mode == FULL
            on = DAY
            for night in range(4):
                on = on + timedelta(days=rng.choice([0, 1, 3]))
                _mutate(rng, on, closes=closes == "yes")
                if night == 2:
                    settings.KA = replace(ka, safety_factor=rng.choice([Decimal("1.2"), Decimal("2")]))
                done = run_now(on, full=full)
                assert done.status == ReplenishmentRun.Status.SUCCEEDED
                assert done.mode == (INCREMENTAL if not full and night != 2 else FULL)
                _assert_one_row_in_force_per_pair(on)
                written = SuggestedOrder.objects.values_list(*VALUES[:2], "date", "superseded_on", *VALUES[2:])
                in_force = SuggestedOrder.objects.in_force_on(on).values_list(*VALUES[:2], "date", *VALUES[2:])
                nights.append((on, _normalized(in_force), _normalized(written), done.pairs, done.flagged))
            raise _Rollback
    except _Rollback:
        pass
    finally:
        settings.KA = ka
    return nights


@pytest.mark.parametrize("closes", ["no", "yes"])
@pytest.mark.parametrize("seed", range(4))
def test_an_incremental_history_equals_a_full_history_on_random_companies(seed, closes, settings, run_now):
    # given the same random company twice, with the same changes night after night
    incremental = _history(seed, closes, settings, run_now, full=False)
    full = _history(seed, closes, settings, run_now, full=True)
    # then each night leaves the same rows in force, the same rows written, and the same tally
    assert len(incremental) == len(full) == 4
    for (day, *got), (full_day, *expected) in zip(incremental, full, strict=True):
        assert day == full_day
        assert got[0] == expected[0], f"rows in force on {day}"
        assert got[1] == expected[1], f"rows written up to {day}"
        assert got[2:] == expected[2:]
    assert any(night[1] for night in full)  # not an empty company


@pytest.mark.postgres
@pytest.mark.parametrize("seed", [0, 5, 6])  # chunks of 2, 50 and 50 stores: many stores a chunk
def test_a_full_history_read_pair_by_pair_equals_one_read_in_one_pass(seed, settings, run_now, monkeypatch):
    """Once pairs have a history (replenishment_job.COUNTS_BY_PAIR_FROM counts a listing, ORDERS_BY_PAIR_FROM
    suggested orders), a full chunk of many stores reads each pair's two latest counts and its latest row through
    their indexes instead of every count and every row of its stores: the same random history (moves, back-dated and
    deleted counts, listings deactivated and deleted, a setting changed, a day run again) gives the same rows."""
    from django.test.utils import CaptureQueriesContext

    from visits import replenishment_job

    # given the full history read in one pass
    monkeypatch.setattr(replenishment_job, "COUNTS_BY_PAIR_FROM", float("inf"))
    monkeypatch.setattr(replenishment_job, "ORDERS_BY_PAIR_FROM", float("inf"))
    one_pass = _history(seed, "no", settings, run_now, full=True)
    # when the same history reads its counts pair by pair
    monkeypatch.setattr(replenishment_job, "COUNTS_BY_PAIR_FROM", 0.0)
    with CaptureQueriesContext(connection) as queries:
        counts_by_pair = _history(seed, "no", settings, run_now, full=True)
    statements = [" ".join(q["sql"].split()) for q in queries.captured_queries]
    assert any("l.active) pp CROSS JOIN LATERAL" in sql for sql in statements)
    assert not any("WITH RECURSIVE seen" in sql for sql in statements)
    # and its rows in force too, each pair's latest row found by skipping along the index
    monkeypatch.setattr(replenishment_job, "ORDERS_BY_PAIR_FROM", 0.0)
    with CaptureQueriesContext(connection) as queries:
        all_by_pair = _history(seed, "no", settings, run_now, full=True)
    assert any("WITH RECURSIVE seen" in " ".join(q["sql"].split()) for q in queries.captured_queries)
    # then every night leaves the same rows, the same history and the same tally all three ways
    assert counts_by_pair == one_pass
    assert all_by_pair == one_pass
    assert any(night[1] for night in one_pass)


@pytest.mark.postgres
def test_a_full_chunk_reads_by_pair_once_the_statistics_show_a_history():
    from visits.replenishment_job import COUNTS_BY_PAIR_FROM, _by_pair, _per_listing

    # given two stores with one product listed, counted once each, and the tables' statistics up to date
    listings = [ListingFactory(product=ProductFactory()) for _ in range(2)]
    chunk = Chunk(min(x.store_id for x in listings), max(x.store_id for x in listings))
    for listing in listings:
        count(listing, DAY, 10)

    def analysed() -> float:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE visits_stockcount; ANALYZE stores_listing")
        return _per_listing(StockCount._meta.db_table)

    # then the estimate is the counts a listing, and a full chunk of both stores reads every count in one pass
    assert analysed() == pytest.approx(StockCount.objects.count() / Listing.objects.count())
    assert analysed() < COUNTS_BY_PAIR_FROM
    assert _by_pair(False, chunk) is False
    # when the pairs gather a history, a count a day for a week and more
    for listing in listings:
        for days in range(1, 2 + int(COUNTS_BY_PAIR_FROM * Listing.objects.count() / len(listings))):
            count(listing, DAY - timedelta(days=days), 10 + days)
    # then the statistics tell, and the chunk reads pair by pair; an incremental chunk and one store always do
    assert analysed() >= COUNTS_BY_PAIR_FROM
    assert _by_pair(False, chunk) is True
    assert _by_pair(True, chunk) is True
    assert _by_pair(False, Chunk(chunk.first, chunk.first)) is True


@pytest.mark.postgres
def test_a_full_chunk_finds_its_rows_in_force_by_pair_once_the_statistics_show_a_history(monkeypatch, run_now):
    from visits import replenishment_job
    from visits.replenishment_job import _per_listing, _rows_by_pair

    # given suggested orders for two stores' listings, and the tables' statistics up to date
    listings = [ListingFactory(product=ProductFactory()) for _ in range(2)]
    for listing in listings:
        count(listing, DAY - timedelta(days=1), 30)
        count(listing, DAY, 10)
    run_now(DAY)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE visits_suggestedorder; ANALYZE stores_listing")
    per_listing = _per_listing(SuggestedOrder._meta.db_table)
    assert per_listing == pytest.approx(SuggestedOrder.objects.count() / Listing.objects.count())
    chunk = Chunk(min(x.store_id for x in listings), max(x.store_id for x in listings))
    # then below the threshold a full chunk reads its stores' rows, from it pair by pair; never one account's chunk
    # (its range holds other accounts' stores) nor one store's
    monkeypatch.setattr(replenishment_job, "ORDERS_BY_PAIR_FROM", per_listing + 1)
    assert _rows_by_pair(chunk) is False
    monkeypatch.setattr(replenishment_job, "ORDERS_BY_PAIR_FROM", per_listing)
    assert _rows_by_pair(chunk) is True
    assert _rows_by_pair(Chunk(chunk.first, chunk.last, listings[0].store.account_id)) is False
    assert _rows_by_pair(Chunk(chunk.first, chunk.first)) is False


@pytest.mark.parametrize("closes", ["no", "yes"])
@pytest.mark.parametrize("seed", range(2))
def test_a_full_run_after_an_incremental_night_finds_nothing_to_change(seed, closes, settings, run_now):
    rng = random.Random(seed)
    settings.KA = replace(
        settings.KA, promoter_stock_as_count=closes, replenishment_chunk_stores=rng.choice([1, 2, 50])
    )
    _company(rng, closes=closes == "yes")
    first = run_now(DAY)
    assert first.mode == FULL  # no run before: full
    on = DAY
    for night in range(2):
        # the next night is the same day again (a rerun) or one to three days later
        on = on + timedelta(days=rng.choice([0, 1, 3]))
        _mutate(rng, on, closes=closes == "yes")
        incremental = run_now(on)
        assert incremental.base_date == (DAY if night == 0 else incremental.base_date)
        _assert_equals_full(run_now, on, incremental)


def test_a_quiet_night_writes_nothing_and_the_rows_stay_in_force(run_now):
    rng = random.Random(7)
    _company(rng, closes=False)
    first = run_now(DAY)
    assert first.pairs > 0
    written = SuggestedOrder.objects.count()
    quiet = run_now(DAY + timedelta(days=1))
    assert (quiet.mode, quiet.base_date, quiet.pairs_recomputed, quiet.pairs) == (INCREMENTAL, DAY, 0, first.pairs)
    assert quiet.pairs_changed == 0 and SuggestedOrder.objects.count() == written
    assert rows(DAY + timedelta(days=1)) == rows(DAY)
    # every change of this company's pairs was taken by a run (a row another test left for a store with no listing
    # here is not this night's to take)
    ours = SuggestedOrder.objects.filter(date=DAY).values("store_id")
    assert ReplenishmentChange.objects.filter(store_id__in=ours).count() == 0
    _assert_equals_full(run_now, DAY + timedelta(days=1), quiet)


def test_only_the_changed_pairs_are_recomputed(run_now):
    product = ProductFactory(packs_per_case=12)
    listings = [ListingFactory(product=product) for _ in range(4)]
    for listing in listings:
        count(listing, DAY - timedelta(days=3), 50)
        count(listing, DAY - timedelta(days=1), 20)
    run_now(DAY)
    # a new count at one store, a delivery at another inside its window, one outside any window changes nothing
    count(listings[0], DAY + timedelta(days=1), 5)
    DeliveryFactory(store=listings[1].store, product=product, date=DAY - timedelta(days=2), quantity=12)
    night = run_now(DAY + timedelta(days=1))
    assert (night.mode, night.pairs_recomputed, night.pairs, night.pairs_changed) == (INCREMENTAL, 2, 4, 2)
    # the tally is the last night's plus the differences, and only the claimed stores' chunk ran
    assert (night.tallies_carried, night.chunks, night.chunks_done) == (True, 1, 1)
    assert SuggestedOrder.objects.get(store=listings[1].store, date=DAY + timedelta(days=1)).delivered_packs == 12
    _assert_equals_full(run_now, DAY + timedelta(days=1), night)


def test_full_flag_of_the_command_recomputes_every_pair(run_now, django_capture_on_commit_callbacks):
    _company(random.Random(3), closes=False)
    run_now(DAY)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("compute_suggested_orders", "--date", str(DAY), "--full", stdout=out)
    last = ReplenishmentRun.objects.order_by("-pk").first()
    assert (last.mode, last.pairs_recomputed, last.status) == (FULL, last.pairs, ReplenishmentRun.Status.SUCCEEDED)
    assert f"run {last.pk} for {DAY}" in out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("compute_suggested_orders", "--date", str(DAY), stdout=out)
    assert ReplenishmentRun.objects.order_by("-pk").first().mode == INCREMENTAL


@pytest.mark.parametrize(
    "change",
    [
        {"safety_factor": Decimal("2")},
        {"order_rounding": "down"},
        {"promoter_stock_as_count": "yes"},
    ],
)
def test_a_setting_the_statement_reads_forces_a_full_night(change, settings, run_now):
    _company(random.Random(5), closes=True)
    run_now(DAY)
    settings.KA = replace(settings.KA, replenishment_chunk_stores=1)  # how the work is split: still incremental
    assert run_now(DAY).mode == INCREMENTAL
    settings.KA = replace(settings.KA, **change)
    changed = run_now(DAY)
    assert (changed.mode, changed.pairs_recomputed) == (FULL, changed.pairs)
    after = rows(DAY)
    again = run_now(DAY)
    assert again.mode == INCREMENTAL and rows(DAY) == after
    settings.TIME_ZONE = "UTC"
    assert run_now(DAY).mode == FULL


def test_a_failed_run_leaves_the_next_night_full(settings, run_now):
    listings = _company(random.Random(11), closes=False)
    settings.KA = replace(settings.KA, replenishment_chunk_stores=1)
    run_now(DAY)
    store_ids = sorted({listing.store_id for listing in listings})
    drop = _fail_inserts_for(store_ids[-1])
    # a new count at the failing store so its chunk writes
    count(next(listing for listing in listings if listing.store_id == store_ids[-1]), DAY + timedelta(days=1), 3)
    with pytest.raises(Exception, match="injected failure"):
        run_now(DAY + timedelta(days=1))
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)
    after_failure = run_now(DAY + timedelta(days=1))
    assert after_failure.mode == FULL
    assert after_failure.status == ReplenishmentRun.Status.SUCCEEDED
    assert run_now(DAY + timedelta(days=1)).mode == INCREMENTAL


def test_a_run_of_one_store_is_full_and_leaves_the_changes_to_the_night(run_now):
    listings = _company(random.Random(13), closes=False)
    run_now(DAY)
    listing = listings[0]
    count(listing, DAY + timedelta(days=1), 4)
    one = run_now(DAY + timedelta(days=1), store_id=listing.store_id)
    assert (one.mode, one.scope) == (FULL, f"store {listing.store_id}")
    assert ReplenishmentChange.objects.filter(store_id=listing.store_id).exists()
    night = run_now(DAY + timedelta(days=1))
    assert night.mode == INCREMENTAL and night.base_date == DAY  # the store's run is no base
    assert not night.tallies_carried  # it wrote since the base: every chunk counts its rows in force
    _assert_equals_full(run_now, DAY + timedelta(days=1), night)


def test_a_store_deleted_with_its_suggestions_leaves_the_tally_to_be_counted(run_now):
    listings = _company(random.Random(23), closes=False)
    run_now(DAY)
    gone = listings[0].store
    assert SuggestedOrder.objects.filter(store=gone).exists()
    Visit.objects.filter(store=gone).delete()
    gone.delete()  # its suggested orders go with it
    night = run_now(DAY + timedelta(days=1))
    assert (night.mode, night.tallies_carried) == (INCREMENTAL, False)
    _assert_equals_full(run_now, DAY + timedelta(days=1), night)


def test_a_chunk_redelivered_after_its_commit_writes_the_same_rows(run_now):
    listings = _company(random.Random(17), closes=False)
    run_now(DAY)
    for listing in listings[:3]:
        count(listing, DAY + timedelta(days=1), 2)
    night = run_now(DAY + timedelta(days=1))
    once = rows(DAY + timedelta(days=1))
    (chunk,) = chunks_for()
    run_chunk(run_id=night.pk, chunk=Chunk(chunk.first, chunk.last))  # acks_late: the worker died before its ack
    assert rows(DAY + timedelta(days=1)) == once
    tally = (night.pairs, night.flagged)
    night.refresh_from_db()
    assert (night.pairs, night.flagged) == tally  # its differences are none the second time
    _assert_equals_full(run_now, DAY + timedelta(days=1), night)


def test_the_checksum_tells_days_apart_row_for_row(run_now):
    listings = _company(random.Random(19), closes=False)
    run_now(DAY)
    before = suggestions_checksum(DAY)
    assert before == suggestions_checksum(DAY)
    assert suggestions_checksum(DAY - timedelta(days=30)) != before  # no rows
    row = SuggestedOrder.objects.filter(date=DAY).first()
    SuggestedOrder.objects.filter(pk=row.pk).update(suggested_cases=row.suggested_cases + 1)
    assert suggestions_checksum(DAY) != before
    assert Store.objects.filter(pk=listings[0].store_id).exists()
