"""Incremental nights of the suggested-order job (issue 17 item 2): recompute only the pairs whose inputs changed.

What "equal to a full run" means: after a run for day D, the rows in force on D (SuggestedOrder.objects.in_force_on)
are exactly those a full run for D would leave at that moment (same pairs, same numbers, same flags, same days
computed); rows of other days are left alone. A run of either kind writes only the pairs whose result differs from
the row in force (replenishment_job.write_suggestions), so an unchanged pair costs an incremental night nothing.

How it holds. Database triggers (migration 0015) log every (store, product) whose inputs are written — a stock count
or its visit, a promoter's close (sell-out line or its shift), a delivery, a listing, a product — into
ReplenishmentChange. A whole-company run's chunks take their stores' log rows out of the log in the transaction that
answers them (a full chunk deletes them before its statement; an incremental chunk's statement deletes them and
computes the pairs it deleted, in one snapshot, so a change committed meanwhile stays logged for the next night). An
incremental run for D whose base (the previous whole-company run, succeeded, same settings) was for day B ≤ D:

1. the run, when it starts, logs the pairs with a count dated in (B, D] (log_counts_after: a count already stored
   but after B changes D's result without any write), and plans its chunks (carry_tallies);
2. each chunk computes its stores' logged pairs with the full run's own statement (restricted to them) and writes
   what differs from their rows in force on D; the other pairs' rows stay in force, untouched: their inputs up to D
   are those of B, and the statement reads the day only as "counts up to the end of the day".

Nothing else moves a pair's result: a delivery counts only between its pair's two latest counts, which a new count
would have logged. A setting the statement reads (anything in settings.KA but the chunk size, the time zone, the
statement's version) goes into the run's fingerprint; a different fingerprint, a failed or unfinished last run, a
base after D, or `--full` makes the night full. A chunk redelivered after its commit (acks_late) finds its stores'
pairs answered (none logged, or only later changes, which it answers as the next night would).

Before issue 17's HOT rework the run claimed every logged row when it started (an UPDATE of the whole log, on one
worker while the others waited: about a tenth of an incremental night); the chunks now take their own, in parallel.
"""

import hashlib
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ka_portal import config

from .models import ReplenishmentChange, ReplenishmentRun, StockCount, SuggestedOrder, Visit
from .replenishment_job import Chunk, _store_filter, day_end, write_suggestions

# An incremental run's chunks: consecutive stores with about total ÷ CHUNKS logged pairs each (a store is never
# split), within CHUNK_PAIRS: enough chunks that the last one leaves the other workers idle briefly (16: eight workers
# twice over), each large enough that its fixed cost (its message, its transaction, the run's tally) is small beside
# its statement (1,000 pairs take about 30 ms).
CHUNKS = 16
CHUNK_PAIRS = (1_000, 10_000)

# Bump when the statement's arithmetic changes, so the next night is full.
STATEMENT_VERSION = "2026-12-2"  # rows in force until superseded
# settings.KA fields that do not change a suggestion (how the work is split).
NOT_FINGERPRINTED = frozenset({"replenishment_chunk_stores"})


def settings_fingerprint() -> str:
    """A hash of everything global the statement reads: settings.KA (but the chunk size), TIME_ZONE, its version."""
    return config.fingerprint(exclude=NOT_FINGERPRINTED, extra=(settings.TIME_ZONE, STATEMENT_VERSION))


def plan(*, on: date, whole_company: bool, full: bool = False) -> tuple[str, date | None]:
    """(mode, base date) of a run for `on`: incremental from the last whole-company run when it may be, else full."""
    if full or not whole_company:
        return ReplenishmentRun.Mode.FULL, None
    last = ReplenishmentRun.objects.filter(scope="").order_by("-pk").first()
    if (
        last is None
        or last.status != ReplenishmentRun.Status.SUCCEEDED
        or last.settings_fingerprint != settings_fingerprint()
        or last.date > on
    ):
        return ReplenishmentRun.Mode.FULL, None
    return ReplenishmentRun.Mode.INCREMENTAL, last.date


def release_changes(cursor, *, run_id: int, chunk: Chunk) -> None:
    """A full whole-company chunk: its stores' log rows (claimed earlier or not) are answered by the recompute that
    follows in the same transaction (its statement sees at least what this one saw)."""
    stores, params = _store_filter("store_id", chunk)
    table = ReplenishmentChange._meta.db_table
    cursor.execute(f"DELETE FROM {table} WHERE {stores}", params)  # noqa: S608 - our table name only


def log_counts_after(*, base: date, on: date) -> None:
    """An incremental run for `on`, when it starts: log the pairs with a count dated in (base, on] stored before the
    base run finished (one stored since was logged by its trigger). Then, on PostgreSQL, analyse the log, so the
    planner of every chunk's statement knows how many pairs the run has: with a guess of one it chose to read every
    count of a visit per pair, 300 for one."""
    table = ReplenishmentChange._meta.db_table
    ops = connection.ops
    with connection.cursor() as cursor:
        if base != on:
            base_run = ReplenishmentRun.objects.filter(scope="", date=base, status=ReplenishmentRun.Status.SUCCEEDED)
            finished = base_run.order_by("-pk").values_list("finished_at", flat=True).first() or timezone.now()
            cursor.execute(
                f"INSERT INTO {table} (store_id, product_id) "  # noqa: S608 - our table names only
                f"SELECT DISTINCT v.store_id, sc.product_id FROM {StockCount._meta.db_table} sc "
                f"JOIN {Visit._meta.db_table} v ON v.id = sc.visit_id "
                "WHERE v.checked_in_at >= %s AND v.checked_in_at < %s AND v.created_at <= %s",
                [
                    ops.adapt_datetimefield_value(day_end(base)),
                    ops.adapt_datetimefield_value(day_end(on)),
                    ops.adapt_datetimefield_value(finished),
                ],
            )
            if settings.KA.promoter_stock_as_count == "yes":
                from promoters.models import SellOutLine, Shift

                cursor.execute(
                    f"INSERT INTO {table} (store_id, product_id) "  # noqa: S608 - our table names only
                    f"SELECT DISTINCT s.store_id, so.product_id FROM {SellOutLine._meta.db_table} so "
                    f"JOIN {Shift._meta.db_table} s ON s.id = so.shift_id "
                    "WHERE so.shelf_stock IS NOT NULL AND s.day > %s AND s.day <= %s",
                    [ops.adapt_datefield_value(base), ops.adapt_datefield_value(on)],
                )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")


def carry_tallies(*, run: ReplenishmentRun) -> list[Chunk] | None:
    """An incremental run, when it starts: when the rows in force on its day are still those the base run left, start
    the run's pairs and flagged from the base run's (each chunk adds its differences) and return the chunks of the
    logged pairs only (consecutive stores, CHUNKS of them or CHUNK_PAIRS logged pairs each; none when none is logged).
    Else None: every store's chunk runs and counts its rows in force.

    The rows in force are the base run's when no run (of any scope) started since it and none was for a later day
    (only a run writes suggested orders), and no logged pair's store or product is gone (deleting one deletes its
    suggested orders; its listings' deletion logged the pair)."""
    base = (
        ReplenishmentRun.objects.filter(scope="", date=run.base_date, status=ReplenishmentRun.Status.SUCCEEDED)
        .exclude(pk=run.pk)
        .order_by("-pk")
        .first()
    )
    others = ReplenishmentRun.objects.exclude(pk=run.pk)
    if (
        base is None
        or others.filter(pk__gt=base.pk).exists()
        or others.filter(date__gt=base.date).exists()
        or _logged_pair_gone()
    ):
        return None
    table = ReplenishmentChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT store_id, COUNT(*) FROM {table} GROUP BY store_id ORDER BY store_id"  # noqa: S608
        )
        stores = cursor.fetchall()
        size = min(max(sum(pairs for _, pairs in stores) // CHUNKS, CHUNK_PAIRS[0]), CHUNK_PAIRS[1])
        chunks, first, claimed, last = [], None, 0, None
        for store_id, pairs in stores:
            if first is None:
                first = store_id
            last, claimed = store_id, claimed + pairs
            if claimed >= size:
                chunks.append(Chunk(first, last))
                first, claimed = None, 0
        if first is not None:
            chunks.append(Chunk(first, last))
    ReplenishmentRun.objects.filter(pk=run.pk).update(
        tallies_carried=True, pairs=base.pairs, flagged=base.flagged, chunks=len(chunks)
    )
    return chunks


def _logged_pair_gone() -> bool:
    from stores.models import Product, Store

    table = ReplenishmentChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} c WHERE "  # noqa: S608 - our table names only
            f"NOT EXISTS (SELECT 1 FROM {Store._meta.db_table} s WHERE s.id = c.store_id) OR "
            f"NOT EXISTS (SELECT 1 FROM {Product._meta.db_table} p WHERE p.id = c.product_id))"
        )
        return bool(cursor.fetchone()[0])


def chunk_compute_incremental(*, on: date, chunk: Chunk, carried: bool) -> tuple[int, int, int, int]:
    """Bring `on`'s suggested orders of the chunk's stores up to date from their logged pairs: (pairs in force,
    flagged — with `carried`, how they moved —, recomputed, changed). Call inside the chunk's transaction
    (replenishment_job.run_chunk)."""
    with transaction.atomic(), connection.cursor() as cursor:
        written = write_suggestions(cursor, on=on, chunk=chunk, changed_only=True)
        if carried:
            pairs, flagged = written.pairs_delta, written.flagged_delta
        else:
            pairs, flagged = in_force_tally(cursor, on=on, chunk=chunk)
    return pairs, flagged, written.pairs, written.changed


def in_force_tally(cursor, *, on: date, chunk: Chunk) -> tuple[int, int]:
    """(pairs, flagged) in force on `on` in the chunk's stores."""
    table = SuggestedOrder._meta.db_table
    stores, params = _store_filter("store_id", chunk)
    day = connection.ops.adapt_datefield_value(on)
    cursor.execute(
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN flag <> '' THEN 1 ELSE 0 END), 0) FROM {table} "  # noqa: S608
        f"WHERE {stores} AND date <= %s AND (superseded_on IS NULL OR superseded_on > %s)",
        [*params, day, day],
    )
    pairs, flagged = cursor.fetchone()
    return int(pairs), int(flagged)


def suggestions_checksum(on: date) -> str:
    """A SHA-256 over the suggested orders in force on `on`, row by row in (store, product) order, every column but
    the id: two histories whose rows in force that day are equal row for row have the same checksum (tests,
    bench/replenishment.py)."""
    digest = hashlib.sha256()
    rows = (
        SuggestedOrder.objects.in_force_on(on)
        .order_by("store_id", "product_id")
        .values_list(*(f.attname for f in SuggestedOrder._meta.concrete_fields if not f.primary_key))
    )
    for row in rows.iterator(chunk_size=10_000):
        digest.update(repr(tuple(str(value) for value in row)).encode())
    return digest.hexdigest()
