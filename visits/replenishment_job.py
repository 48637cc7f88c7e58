"""The nightly suggested-order job (SPEC §4), set-based: one statement computes every pair of a store range.

The rule is visits.replenishment.suggested_order's, written as SQL that runs on PostgreSQL and SQLite
alike: a window function picks each pair's two latest stock counts up to the day (the visits' counts, and with
settings.KA.promoter_stock_as_count "yes" the promoters' shelf stock at close as well), a correlated sum
adds the deliveries between them, integer arithmetic does the safety factor (an exact fraction) and
the rounding, and ``INSERT … SELECT … ON CONFLICT`` writes the rows. A chunk (a store-id range) is one
transaction: it replaces that date's rows for its stores, so a reader sees either the old or the new
rows of a store, never half; a failed chunk leaves the previous rows in place.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from promoters.models import SellOutLine, Shift
from stores.models import Delivery, Listing, Product
from stores.models import Store as StoreModel

from .models import ReplenishmentChange, ReplenishmentRun, StockCount, SuggestedOrder, Visit

# The columns the statement writes, in the model's order: store, product, date, then the numbers and the flag.
COLUMNS = tuple(field.column for field in SuggestedOrder._meta.concrete_fields if not field.primary_key)


@dataclass(frozen=True)
class Chunk:
    """Stores with ids first..last (inclusive), optionally only one key account's."""

    first: int
    last: int
    account_id: int | None = None


def _factor() -> tuple[int, int]:
    """The safety factor as an exact fraction (1.5 → 3/2), so SQL integer arithmetic rounds as Decimal does."""
    numerator, denominator = Decimal(str(settings.KA.safety_factor)).as_integer_ratio()
    return numerator, denominator


def _cases_sql(short: str, per_case: str) -> str:
    """short / per_case rounded to whole cases by settings.KA.order_rounding; both non-negative integers."""
    rounding = settings.KA.order_rounding
    if rounding == "up":
        return f"(({short}) + ({per_case}) - 1) / ({per_case})"
    if rounding == "nearest":
        return f"(2 * ({short}) + ({per_case})) / (2 * ({per_case}))"
    if rounding == "down":
        return f"({short}) / ({per_case})"
    raise ValueError(f"KA ORDER_ROUNDING must be up, nearest or down, not {rounding!r}")


def _store_filter(column: str, chunk: Chunk) -> tuple[str, list]:
    sql, params = f"{column} BETWEEN %s AND %s", [chunk.first, chunk.last]
    if chunk.account_id is not None:
        sql += f" AND {column} IN (SELECT id FROM {StoreModel._meta.db_table} WHERE account_id = %s)"
        params.append(chunk.account_id)
    return sql, params


def _counts_from_sql(only_run: int | None, *, table: str, alias: str, parent: str, parent_alias: str, link: str):
    """The FROM of a count source (`table alias JOIN parent parent_alias ON parent_alias.id = alias.link`); for an
    incremental chunk (`only_run`) driven by the pairs it claimed, so the indexes reach just those pairs' counts."""
    if only_run is None:
        return f"{table} {alias} JOIN {parent} {parent_alias} ON {parent_alias}.id = {alias}.{link}", []
    changes = ReplenishmentChange._meta.db_table
    return (
        f"(SELECT DISTINCT store_id, product_id FROM {changes} WHERE run_id = %s) ch "  # noqa: S608 - table names
        f"JOIN {parent} {parent_alias} ON {parent_alias}.store_id = ch.store_id "
        f"JOIN {table} {alias} ON {alias}.{link} = {parent_alias}.id AND {alias}.product_id = ch.product_id",
        [only_run],
    )


def _visit_counts_sql(on: date, chunk: Chunk, only_run: int | None = None) -> tuple[str, list]:
    """The `ranked` CTE from the visits' stock counts alone (settings.KA.promoter_stock_as_count "no")."""
    ops = connection.ops
    end = timezone.make_aware(datetime.combine(on + timedelta(days=1), datetime.min.time()))
    local = timezone.get_current_timezone_name()
    counted_on, counted_on_params = ops.datetime_cast_date_sql("v.checked_in_at", (), local)
    stores, store_params = _store_filter("v.store_id", chunk)
    source, source_params = _counts_from_sql(
        only_run,
        table=StockCount._meta.db_table,
        alias="sc",
        parent=Visit._meta.db_table,
        parent_alias="v",
        link="visit_id",
    )
    sql = f"""
        ranked AS (
            SELECT v.store_id, sc.product_id, sc.packs, {counted_on} AS counted_on,
                   ROW_NUMBER() OVER w AS nth,
                   LEAD(sc.packs) OVER w AS previous_packs,
                   LEAD({counted_on}) OVER w AS previous_counted_on
            FROM {source}
            JOIN {Listing._meta.db_table} l ON l.store_id = v.store_id AND l.product_id = sc.product_id AND l.active
            WHERE {stores} AND v.checked_in_at < %s
            WINDOW w AS (PARTITION BY v.store_id, sc.product_id ORDER BY v.checked_in_at DESC, sc.id DESC)
        )"""  # noqa: S608 - only our table names are formatted in; values are parameters
    # counted_on appears twice (its select and LEAD): its params (time zone names) each time.
    return sql, [
        *counted_on_params,
        *counted_on_params,
        *source_params,
        *store_params,
        ops.adapt_datetimefield_value(end),
    ]


def _visit_and_close_counts_sql(on: date, chunk: Chunk, only_run: int | None = None) -> tuple[str, list]:
    """The `ranked` CTE when a promoter's shelf stock at close counts too (settings.KA.promoter_stock_as_count
    "yes", issue 16): a sell-out line's shelf stock is a count of its store × product on its shift's day, taken at
    the shift's check-out (else when it was reported). On a day with such a count, only the day's newest count
    (a visit's or a close's) stands: deliveries are dated by day, so two counts of one day cannot tell what came in
    between them, and a morning visit's count against the evening's close would read as a few hours' sales. Days
    without a close keep their visits' counts as they are, so a store without promoters suggests as with "no"."""
    ops = connection.ops
    end = timezone.make_aware(datetime.combine(on + timedelta(days=1), datetime.min.time()))
    local = timezone.get_current_timezone_name()
    counted_on, counted_on_params = ops.datetime_cast_date_sql("v.checked_in_at", (), local)
    visit_stores, visit_store_params = _store_filter("v.store_id", chunk)
    shift_stores, shift_store_params = _store_filter("s.store_id", chunk)
    visit_source, visit_source_params = _counts_from_sql(
        only_run,
        table=StockCount._meta.db_table,
        alias="sc",
        parent=Visit._meta.db_table,
        parent_alias="v",
        link="visit_id",
    )
    shift_source, shift_source_params = _counts_from_sql(
        only_run,
        table=SellOutLine._meta.db_table,
        alias="so",
        parent=Shift._meta.db_table,
        parent_alias="s",
        link="shift_id",
    )
    sql = f"""
        counts AS (
            SELECT v.store_id, sc.product_id, sc.packs, {counted_on} AS counted_on, v.checked_in_at AS counted_at,
                   1 AS from_visit, sc.id AS row_id
            FROM {visit_source}
            WHERE {visit_stores} AND v.checked_in_at < %s
            UNION ALL
            SELECT s.store_id, so.product_id, so.shelf_stock, s.day, COALESCE(s.checked_out_at, so.reported_at),
                   0, so.id
            FROM {shift_source}
            WHERE {shift_stores} AND so.shelf_stock IS NOT NULL AND s.day <= %s
        ),
        by_day AS (
            SELECT c.store_id, c.product_id, c.packs, c.counted_on, c.counted_at, c.from_visit, c.row_id,
                   ROW_NUMBER() OVER (
                       PARTITION BY c.store_id, c.product_id, c.counted_on
                       ORDER BY c.counted_at DESC, c.from_visit DESC, c.row_id DESC
                   ) AS nth_of_day,
                   MIN(c.from_visit) OVER (PARTITION BY c.store_id, c.product_id, c.counted_on) AS visits_only
            FROM counts c
        ),
        ranked AS (
            SELECT d.store_id, d.product_id, d.packs, d.counted_on,
                   ROW_NUMBER() OVER w AS nth,
                   LEAD(d.packs) OVER w AS previous_packs,
                   LEAD(d.counted_on) OVER w AS previous_counted_on
            FROM by_day d
            JOIN {Listing._meta.db_table} l ON l.store_id = d.store_id AND l.product_id = d.product_id AND l.active
            WHERE d.nth_of_day = 1 OR d.visits_only = 1
            WINDOW w AS (
                PARTITION BY d.store_id, d.product_id
                ORDER BY d.counted_on DESC, d.counted_at DESC, d.from_visit DESC, d.row_id DESC
            )
        )"""  # noqa: S608 - only our table names are formatted in; values are parameters
    params = [
        *counted_on_params,
        *visit_source_params,
        *visit_store_params,
        ops.adapt_datetimefield_value(end),
        *shift_source_params,
        *shift_store_params,
        ops.adapt_datefield_value(on),
    ]
    return sql, params


def _compute_sql(on: date, chunk: Chunk, only_run: int | None = None) -> tuple[str, list]:
    """INSERT … SELECT of every active listing in the chunk with a stock count up to `on` (end of day, local);
    with `only_run`, only of the pairs that run's incremental chunk claimed."""
    if settings.KA.promoter_stock_as_count == "yes":
        ranked, ranked_params = _visit_and_close_counts_sql(on, chunk, only_run)
    else:
        ranked, ranked_params = _visit_counts_sql(on, chunk, only_run)
    num, den = _factor()
    sales = "(CAST(p.previous_packs AS BIGINT) + p.delivered_packs - p.current_packs)"
    # What the store is short of, times the factor's denominator (an integer), never below 0.
    short_den = f"({sales} * {num} - CAST(p.current_packs AS BIGINT) * {den})"
    short = f"(CASE WHEN {short_den} > 0 THEN {short_den} ELSE 0 END)"
    ok = f"(p.previous_packs IS NOT NULL AND {sales} >= 0)"
    sql = f"""
        INSERT INTO {SuggestedOrder._meta.db_table} ({", ".join(COLUMNS)})
        WITH {ranked},
        pairs AS MATERIALIZED (
            SELECT r.store_id, r.product_id, r.packs AS current_packs, r.counted_on AS current_counted_on,
                   r.previous_packs, r.previous_counted_on, pr.packs_per_case,
                   COALESCE((
                       SELECT SUM(d.quantity) FROM {Delivery._meta.db_table} d
                       WHERE d.store_id = r.store_id AND d.product_id = r.product_id
                         AND d.date > r.previous_counted_on AND d.date <= r.counted_on
                   ), 0) AS delivered_packs
            FROM ranked r JOIN {Product._meta.db_table} pr ON pr.id = r.product_id
            WHERE r.nth = 1
        )
        SELECT p.store_id, p.product_id, %s, p.previous_packs, p.previous_counted_on, p.delivered_packs,
               p.current_packs, p.current_counted_on,
               CASE WHEN p.previous_packs IS NOT NULL THEN {sales} END,
               CASE WHEN {ok} THEN ({sales} * {num} + {den} - 1) / {den} END,
               CASE WHEN {ok} THEN ({short} + {den} - 1) / {den} ELSE 0 END,
               CASE WHEN {ok} THEN {_cases_sql(short, f"{den} * p.packs_per_case")} ELSE 0 END,
               CASE WHEN p.previous_packs IS NULL THEN '{SuggestedOrder.Flag.NO_PREVIOUS_COUNT}'
                    WHEN {sales} < 0 THEN '{SuggestedOrder.Flag.NEGATIVE_SALES}' ELSE '' END
        FROM pairs p
        WHERE 1 = 1
        ON CONFLICT (store_id, product_id, date) DO UPDATE SET
            {", ".join(f"{column} = excluded.{column}" for column in COLUMNS[3:])}
    """  # noqa: S608 - only our table names and numbers are formatted in; values are parameters
    return sql, [*ranked_params, connection.ops.adapt_datefield_value(on)]


def chunk_compute(*, on: date, chunk: Chunk) -> tuple[int, int]:
    """Replace `on`'s suggested orders for the chunk's stores, in one transaction: (pairs, flagged)."""
    table = SuggestedOrder._meta.db_table
    stores, store_params = _store_filter("store_id", chunk)
    day = connection.ops.adapt_datefield_value(on)
    with transaction.atomic(), connection.cursor() as cursor:
        # Rows of pairs that no longer have a count (listing ended, count removed) go; the rest is upserted,
        # so a concurrent per-store refresh of the same rows updates instead of colliding.
        cursor.execute(f"DELETE FROM {table} WHERE date = %s AND {stores}", [day, *store_params])  # noqa: S608
        cursor.execute(*_compute_sql(on, chunk))
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN flag <> '' THEN 1 ELSE 0 END), 0) FROM {table} "  # noqa: S608
            f"WHERE date = %s AND {stores}",
            [day, *store_params],
        )
        pairs, flagged = cursor.fetchone()
    return int(pairs), int(flagged)


def chunks_for(*, account_id: int | None = None, store_id: int | None = None, size: int | None = None) -> list[Chunk]:
    """Store-id ranges of about `size` stores each (settings.KA.replenishment_chunk_stores).

    Every store, not only those with listings, so a rerun also clears the rows of a store whose listings ended.
    """
    size = size or settings.KA.replenishment_chunk_stores
    stores = StoreModel.objects.all()
    if account_id is not None:
        stores = stores.filter(account_id=account_id)
    if store_id is not None:
        stores = stores.filter(pk=store_id)
    ids = list(stores.order_by("pk").values_list("pk", flat=True))
    return [Chunk(part[0], part[-1], account_id) for part in (ids[i : i + size] for i in range(0, len(ids), size))]


def run_start(
    *,
    on: date,
    chunks: list[Chunk],
    scope: str = "",
    mode: str = ReplenishmentRun.Mode.FULL,
    base_date: date | None = None,
    settings_fingerprint: str = "",
) -> ReplenishmentRun:
    """Record a run; an earlier run of the same date still marked running is marked failed (superseded).

    `scope` empty is a whole-company run (it owns the change log, visits/replenishment_incremental.py); `mode`
    incremental copies `base_date`'s rows of unchanged pairs."""
    with transaction.atomic():
        run = ReplenishmentRun.objects.create(
            date=on,
            chunks=len(chunks),
            scope=scope,
            mode=mode,
            base_date=base_date,
            settings_fingerprint=settings_fingerprint,
        )
        ReplenishmentRun.objects.filter(date=on, status=ReplenishmentRun.Status.RUNNING, pk__lt=run.pk).update(
            status=ReplenishmentRun.Status.FAILED, finished_at=timezone.now(), error=f"superseded by run {run.pk}"
        )
        if not chunks:
            ReplenishmentRun.objects.filter(pk=run.pk).update(
                status=ReplenishmentRun.Status.SUCCEEDED, finished_at=timezone.now()
            )
            run.refresh_from_db()
    return run


def run_chunk(*, run_id: int, chunk: Chunk) -> tuple[int, int]:
    """One chunk of a run: its rows and the run's tally commit together; the last chunk closes the run.

    A failure marks the run failed (with the error) and re-raises; the chunk's stores keep their previous rows.
    """
    from .replenishment_incremental import chunk_compute_incremental, release_changes

    run = ReplenishmentRun.objects.get(pk=run_id)
    try:
        with transaction.atomic():
            if run.mode == ReplenishmentRun.Mode.INCREMENTAL:
                pairs, flagged, recomputed = chunk_compute_incremental(
                    on=run.date, base=run.base_date, chunk=chunk, run_id=run_id
                )
            else:
                if not run.scope:  # a whole-company run answers its stores' logged changes
                    with connection.cursor() as cursor:
                        release_changes(cursor, run_id=run_id, chunk=chunk)
                pairs, flagged = chunk_compute(on=run.date, chunk=chunk)
                recomputed = pairs
            ReplenishmentRun.objects.filter(pk=run_id).update(
                chunks_done=F("chunks_done") + 1,
                pairs=F("pairs") + pairs,
                flagged=F("flagged") + flagged,
                pairs_recomputed=F("pairs_recomputed") + recomputed,
            )
            ReplenishmentRun.objects.filter(
                pk=run_id, status=ReplenishmentRun.Status.RUNNING, chunks_done__gte=F("chunks")
            ).update(status=ReplenishmentRun.Status.SUCCEEDED, finished_at=timezone.now())
    except Exception as exc:
        ReplenishmentRun.objects.filter(pk=run_id).update(
            status=ReplenishmentRun.Status.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"
        )
        raise
    return pairs, flagged
