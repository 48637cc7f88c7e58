"""The nightly suggested-order job (SPEC §4), set-based: one statement computes every pair of a store range.

The rule is visits.replenishment.suggested_order's, written as SQL that runs on PostgreSQL and SQLite
alike: a window function picks each pair's two latest stock counts up to the day (the visits' counts, and with
settings.KA.promoter_stock_as_count "yes" the promoters' shelf stock at close as well), a correlated sum
adds the deliveries between them, and integer arithmetic does the safety factor (an exact fraction) and
the rounding. On PostgreSQL, where reading every count of a pair costs more than two index probes (a night's
changed pairs, one store at a visit's save, and every pair once pairs have a history: _by_pair), each pair's two
latest counts come from one probe of the counts' pair index instead; and once pairs have a long history of suggested
orders, a full chunk finds each pair's row in force by its latest row (_rows_by_pair) instead of reading them all.

What is written (issue 17): a suggested order is in force from the day it was computed until superseded
(models.SuggestedOrder). The computed rows are compared with the rows in force on the day, and only differences
are written: a changed or new pair gets a row dated the day (the row it replaces is superseded that day; a rerun of
the same day updates the day's row in place), a pair no longer computed has its row superseded (or the day's own
row removed). Unchanged pairs are not touched. On PostgreSQL this is one statement whose data-modifying CTEs also
count the pairs and the flagged, so nothing is scanned twice; SQLite does the same in steps over temporary tables.
A chunk (a store-id range) is one transaction, so a reader sees either the old or the new rows of a store, never
half; a failed chunk leaves the previous rows in place.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from promoters.models import SellOutLine, Shift
from stores.models import Delivery, Listing, Product
from stores.models import Store as StoreModel

from .models import ReplenishmentChange, ReplenishmentRun, StockCount, SuggestedOrder, Visit

# The columns of a row, in the model's order: store, product, date, superseded_on, then the numbers and the flag.
COLUMNS = tuple(field.column for field in SuggestedOrder._meta.concrete_fields if not field.primary_key)
# What the statement computes for a pair: the numbers and the flag (compared with the row in force).
RESULT = tuple(column for column in COLUMNS if column not in ("store_id", "product_id", "date", "superseded_on"))


@dataclass(frozen=True)
class Chunk:
    """Stores with ids first..last (inclusive), optionally only one key account's."""

    first: int
    last: int
    account_id: int | None = None


class Written(NamedTuple):
    """What write_suggestions did in a chunk: pairs computed, of them flagged, pairs changed (rows written), and how
    the chunk's pairs in force and flagged ones moved (after − before; an incremental night adds these to the previous
    night's tally instead of counting every row in force)."""

    pairs: int
    flagged: int
    changed: int
    pairs_delta: int
    flagged_delta: int


# The tally of a diff (see _diff_sql): rows written, and how the pairs in force and the flagged ones moved.
DIFF_TALLY = (
    "COUNT(*), "
    "SUM(CASE WHEN computed = 1 AND old_id IS NULL THEN 1 WHEN computed = 0 THEN -1 ELSE 0 END), "
    "SUM((CASE WHEN computed = 1 AND flag <> '' THEN 1 ELSE 0 END)"
    " - (CASE WHEN old_id IS NOT NULL AND old_flag <> '' THEN 1 ELSE 0 END))"
)


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


def day_end(day: date) -> datetime:
    """The end of `day`, local time (aware): counts before it are counts up to the day."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def _store_filter(column: str, chunk: Chunk) -> tuple[str, list]:
    sql, params = f"{column} BETWEEN %s AND %s", [chunk.first, chunk.last]
    if chunk.account_id is not None:
        sql += f" AND {column} IN (SELECT id FROM {StoreModel._meta.db_table} WHERE account_id = %s)"
        params.append(chunk.account_id)
    return sql, params


CLAIMED_TABLE = "ka_repl_claimed"  # SQLite: the chunk's logged pairs, taken from the log before the statements


def _claimed_cte(changed_only: bool, chunk: Chunk) -> tuple[str, list]:
    """The CTE `claimed` of an incremental chunk: the distinct logged pairs of its stores (ReplenishmentChange), in
    (store, product) order so the index lookups that follow walk their indexes forward; empty for a full run. On
    PostgreSQL the statement takes them out of the log itself (a DELETE … RETURNING in the same snapshot as the
    computation: a change committed after it stays logged for the next night); SQLite reads the temporary table
    _write_in_steps filled and emptied the log from."""
    if not changed_only:
        return "", []
    if connection.vendor != "postgresql":
        return f"claimed AS (SELECT store_id, product_id FROM temp.{CLAIMED_TABLE}),", []
    changes = ReplenishmentChange._meta.db_table
    stores, params = _store_filter("store_id", chunk)
    return (
        f"released AS (DELETE FROM {changes} WHERE {stores} RETURNING store_id, product_id), "  # noqa: S608
        "claimed AS MATERIALIZED (SELECT DISTINCT store_id, product_id FROM released ORDER BY store_id, product_id),",
        params,
    )


def _counts_from_sql(
    changed_only: bool, chunk: Chunk, *, table: str, alias: str, parent: str, parent_alias: str, link: str
):
    """The FROM of a count source (`table alias JOIN parent parent_alias ON parent_alias.id = alias.link`); for an
    incremental chunk (`changed_only`) driven by its claimed pairs, so the indexes reach just those pairs' counts."""
    if not changed_only:
        return f"{table} {alias} JOIN {parent} {parent_alias} ON {parent_alias}.id = {alias}.{link}", []
    return (
        f"claimed ch "
        f"JOIN {parent} {parent_alias} ON {parent_alias}.store_id = ch.store_id "
        f"JOIN {table} {alias} ON {alias}.{link} = {parent_alias}.id AND {alias}.product_id = ch.product_id",
        [],
    )


def _visit_counts_sql(on: date, chunk: Chunk, changed_only: bool = False) -> tuple[str, list]:
    """The `ranked` CTE from the visits' stock counts alone (settings.KA.promoter_stock_as_count "no")."""
    ops = connection.ops
    end = day_end(on)
    local = timezone.get_current_timezone_name()
    counted_on, counted_on_params = ops.datetime_cast_date_sql("v.checked_in_at", (), local)
    stores, store_params = _store_filter("v.store_id", chunk)
    source, source_params = _counts_from_sql(
        changed_only,
        chunk,
        table=StockCount._meta.db_table,
        alias="sc",
        parent=Visit._meta.db_table,
        parent_alias="v",
        link="visit_id",
    )
    order = "v.checked_in_at DESC, sc.id DESC"
    counts = f"""
            FROM {source}
            WHERE {stores} AND v.checked_in_at < %s
            WINDOW w AS (PARTITION BY v.store_id, sc.product_id ORDER BY {order})"""
    leads = f"LEAD(sc.packs) OVER w AS previous_packs, LEAD({counted_on}) OVER w AS previous_counted_on"
    if connection.vendor == "postgresql":
        # DISTINCT ON keeps each pair's first row in the window's order, its latest count (LEAD has given it the one
        # before): the planner counts one row a pair, where a filter on ROW_NUMBER() = 1 made it expect one row in
        # 200 and probe listings and products pair by pair instead of merging (some 15 % of a full chunk's time).
        sql = f"""
        ranked AS (
            SELECT DISTINCT ON (v.store_id, sc.product_id) v.store_id, sc.product_id, sc.packs,
                   {counted_on} AS counted_on, {leads}{counts}
            ORDER BY v.store_id, sc.product_id, {order}
        )"""  # noqa: S608 - only our table names are formatted in; values are parameters
    else:
        sql = f"""
        ranked AS (
            SELECT store_id, product_id, packs, counted_on, previous_packs, previous_counted_on FROM (
                SELECT v.store_id, sc.product_id, sc.packs, {counted_on} AS counted_on, {leads},
                       ROW_NUMBER() OVER w AS nth{counts}
            ) numbered WHERE nth = 1
        )"""  # noqa: S608 - only our table names are formatted in; values are parameters
    # counted_on appears twice (its select and LEAD): its params (time zone names) each time.
    return sql, [
        *counted_on_params,
        *counted_on_params,
        *source_params,
        *store_params,
        ops.adapt_datetimefield_value(end),
    ]


# From how many stock counts a listing on average a full chunk of many stores reads each pair's two latest counts
# through the pair index (_pair_counts_sql) instead of every count of its stores in one pass (_visit_counts_sql). A
# chunk of 200 stores × 300 products with nothing to write: at 2.75 counts a pair the pass 0.37 s, the probes 0.48 s;
# with 12 more weeks of weekly counts (15 a pair) the pass 1.35 s, the probes 0.57 s (docs/performance.md).
COUNTS_BY_PAIR_FROM = 4.0


# From how many suggested orders a listing on average (a pair's history: a row a change) a full chunk finds its rows in
# force pair by pair — each pair's latest row, the pairs found by skipping along the (store, product, date) index —
# instead of reading every row of its stores (and first every row again, for one after the day: _rows_there). A chunk
# of 60,000 pairs with nothing to write: at 21 rows a pair both ways 0.62 s, at 51 rows 1.05 s and 0.71 s; at one
# row a pair reading the store range is the cheaper (docs/performance.md).
ORDERS_BY_PAIR_FROM = 20.0


def _per_listing(table: str) -> float:
    """Rows of `table` per listing, from PostgreSQL's statistics (pg_class.reltuples, kept by ANALYZE and autovacuum;
    0 while either table was never analysed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT GREATEST(c.reltuples, 0) / NULLIF(GREATEST(l.reltuples, 0), 0) FROM pg_class c, pg_class l "
            "WHERE c.oid = %s::regclass AND l.oid = %s::regclass",
            [table, Listing._meta.db_table],
        )
        row = cursor.fetchone()
    return float(row[0] or 0) if row else 0.0


def _rows_by_pair(chunk: Chunk) -> bool:
    """Whether a full chunk of many stores finds its rows in force pair by pair (PostgreSQL; not for one account's
    chunk, whose store range holds other accounts' stores): once pairs have a history (ORDERS_BY_PAIR_FROM)."""
    return (
        connection.vendor == "postgresql"
        and chunk.account_id is None
        and chunk.first != chunk.last
        and _per_listing(SuggestedOrder._meta.db_table) >= ORDERS_BY_PAIR_FROM
    )


def _by_pair(changed_only: bool, chunk: Chunk) -> bool:
    """Whether the chunk's counts are read pair by pair through the count's pair index (PostgreSQL, visits' counts
    only): for an incremental chunk's logged pairs and for one store's pairs (a visit's save), where walking every
    count of the chunk's stores would read far more than the two latest of each pair; and for a full chunk of many
    stores once their pairs have a history (COUNTS_BY_PAIR_FROM). While pairs have few counts, a full chunk reads them
    all in one pass (_visit_counts_sql), cheaper than a probe a pair."""
    return (
        connection.vendor == "postgresql"
        and settings.KA.promoter_stock_as_count == "no"
        and (
            changed_only or chunk.first == chunk.last or _per_listing(StockCount._meta.db_table) >= COUNTS_BY_PAIR_FROM
        )
    )


def _pair_counts_sql(on: date, chunk: Chunk, changed_only: bool) -> tuple[str, list]:
    """The `ranked` CTE pair by pair (_by_pair): for each pair (the claimed ones, or the store's active listings) its
    latest count up to `on` and the one before, with one probe of the index on (pair_store_id, product_id,
    pair_checked_in_at DESC, id DESC) that migration 0018 keeps on PostgreSQL. The same two counts, in the same
    order (check-in time, then the count's id), as the window of _visit_counts_sql."""
    ops = connection.ops
    end = day_end(on)
    local = timezone.get_current_timezone_name()
    counted_on, counted_on_params = ops.datetime_cast_date_sql("t.counted_at", (), local)
    if changed_only:
        pairs, pairs_params = "claimed pp", []
    else:
        stores, pairs_params = _store_filter("l.store_id", chunk)
        pairs = f"(SELECT l.store_id, l.product_id FROM {Listing._meta.db_table} l WHERE {stores} AND l.active) pp"
    sql = f"""
        ranked AS (
            SELECT pp.store_id, pp.product_id, lc.packs, lc.counted_on, lc.previous_packs, lc.previous_counted_on
            FROM {pairs} CROSS JOIN LATERAL (
                SELECT t.packs, {counted_on} AS counted_on,
                       ROW_NUMBER() OVER w AS nth,
                       LEAD(t.packs) OVER w AS previous_packs,
                       LEAD({counted_on}) OVER w AS previous_counted_on
                FROM (
                    SELECT sc.packs, sc.pair_checked_in_at AS counted_at, sc.id
                    FROM {StockCount._meta.db_table} sc
                    WHERE sc.pair_store_id = pp.store_id AND sc.product_id = pp.product_id
                      AND sc.pair_checked_in_at < %s
                    ORDER BY sc.pair_checked_in_at DESC, sc.id DESC
                    LIMIT 2
                ) t
                WINDOW w AS (ORDER BY t.counted_at DESC, t.id DESC)
            ) lc
            WHERE lc.nth = 1
        )"""  # noqa: S608 - only our table names are formatted in; values are parameters
    return sql, [
        *pairs_params,
        *counted_on_params,
        *counted_on_params,
        ops.adapt_datetimefield_value(end),
    ]


def _visit_and_close_counts_sql(on: date, chunk: Chunk, changed_only: bool = False) -> tuple[str, list]:
    """The `ranked` CTE when a promoter's shelf stock at close counts too (settings.KA.promoter_stock_as_count
    "yes", issue 16): a sell-out line's shelf stock is a count of its store × product on its shift's day, taken at
    the shift's check-out (else when it was reported). On a day with such a count, only the day's newest count
    (a visit's or a close's) stands: deliveries are dated by day, so two counts of one day cannot tell what came in
    between them, and a morning visit's count against the evening's close would read as a few hours' sales. Days
    without a close keep their visits' counts as they are, so a store without promoters suggests as with "no"."""
    ops = connection.ops
    end = day_end(on)
    local = timezone.get_current_timezone_name()
    counted_on, counted_on_params = ops.datetime_cast_date_sql("v.checked_in_at", (), local)
    visit_stores, visit_store_params = _store_filter("v.store_id", chunk)
    shift_stores, shift_store_params = _store_filter("s.store_id", chunk)
    visit_source, visit_source_params = _counts_from_sql(
        changed_only,
        chunk,
        table=StockCount._meta.db_table,
        alias="sc",
        parent=Visit._meta.db_table,
        parent_alias="v",
        link="visit_id",
    )
    shift_source, shift_source_params = _counts_from_sql(
        changed_only,
        chunk,
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
        numbered AS (
            SELECT d.store_id, d.product_id, d.packs, d.counted_on,
                   ROW_NUMBER() OVER w AS nth,
                   LEAD(d.packs) OVER w AS previous_packs,
                   LEAD(d.counted_on) OVER w AS previous_counted_on
            FROM by_day d
            WHERE d.nth_of_day = 1 OR d.visits_only = 1
            WINDOW w AS (
                PARTITION BY d.store_id, d.product_id
                ORDER BY d.counted_on DESC, d.counted_at DESC, d.from_visit DESC, d.row_id DESC
            )
        ),
        ranked AS (
            SELECT store_id, product_id, packs, counted_on, previous_packs, previous_counted_on
            FROM numbered WHERE nth = 1
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


def _computed_sql(on: date, chunk: Chunk, changed_only: bool = False) -> tuple[str, list]:
    """The CTEs up to `computed` (store_id, product_id, RESULT): every active listing in the chunk with a stock count
    up to `on` (end of day, local); with `changed_only`, only the chunk's logged pairs (an incremental night; the CTE
    `claimed` first)."""
    claimed, claimed_params = _claimed_cte(changed_only, chunk)
    if settings.KA.promoter_stock_as_count == "yes":
        ranked, ranked_params = _visit_and_close_counts_sql(on, chunk, changed_only)
    elif _by_pair(changed_only, chunk):
        ranked, ranked_params = _pair_counts_sql(on, chunk, changed_only)
    else:
        ranked, ranked_params = _visit_counts_sql(on, chunk, changed_only)
    listing_stores, listing_params = _store_filter("l.store_id", chunk)
    num, den = _factor()
    sales = "(CAST(p.previous_packs AS BIGINT) + p.delivered_packs - p.current_packs)"
    # What the store is short of, times the factor's denominator (an integer), never below 0.
    short_den = f"({sales} * {num} - CAST(p.current_packs AS BIGINT) * {den})"
    short = f"(CASE WHEN {short_den} > 0 THEN {short_den} ELSE 0 END)"
    ok = f"(p.previous_packs IS NOT NULL AND {sales} >= 0)"
    sql = f"""
        {claimed}{ranked},
        pairs AS MATERIALIZED (
            SELECT r.store_id, r.product_id, r.packs AS current_packs, r.counted_on AS current_counted_on,
                   r.previous_packs, r.previous_counted_on, pr.packs_per_case,
                   COALESCE((
                       SELECT SUM(d.quantity) FROM {Delivery._meta.db_table} d
                       WHERE d.store_id = r.store_id AND d.product_id = r.product_id
                         AND d.date > r.previous_counted_on AND d.date <= r.counted_on
                   ), 0) AS delivered_packs
            FROM ranked r JOIN {Product._meta.db_table} pr ON pr.id = r.product_id
            -- only active listings, after the window (the counts of a pair share its listing): one row a pair; the
            -- chunk's stores named for the listings too, so a full chunk merges with their range of the index
            JOIN {Listing._meta.db_table} l ON l.store_id = r.store_id AND l.product_id = r.product_id AND l.active
            WHERE {listing_stores}
        ),
        computed ({", ".join(("store_id", "product_id", *RESULT))}) AS (
            SELECT p.store_id, p.product_id, p.previous_packs, p.previous_counted_on, p.delivered_packs,
                   p.current_packs, p.current_counted_on,
                   CASE WHEN p.previous_packs IS NOT NULL THEN {sales} END,
                   CASE WHEN {ok} THEN ({sales} * {num} + {den} - 1) / {den} END,
                   CASE WHEN {ok} THEN ({short} + {den} - 1) / {den} ELSE 0 END,
                   CASE WHEN {ok} THEN {_cases_sql(short, f"{den} * p.packs_per_case")} ELSE 0 END,
                   CASE WHEN p.previous_packs IS NULL THEN '{SuggestedOrder.Flag.NO_PREVIOUS_COUNT}'
                        WHEN {sales} < 0 THEN '{SuggestedOrder.Flag.NEGATIVE_SALES}' ELSE '' END
            FROM pairs p
        )"""  # noqa: S608 - only our table names and numbers are formatted in; values are parameters
    return sql, [*claimed_params, *ranked_params, *listing_params]


def _rows_there(cursor, on: date, chunk: Chunk) -> tuple[bool, bool]:
    """(any row of the chunk's stores written for a day after `on`, any current row there). Rows after `on` (a run for
    an earlier day than the last) make the rows in force on `on` other than the current ones; no row at all (a first
    run, new stores) lets every computed row go straight in.

    Each is the first such row in the order of the (store, product, date) index, not an EXISTS: PostgreSQL drops an
    EXISTS's ORDER BY and, expecting a current row early, read the table from its start up to the chunk's stores (on
    average half of a 3,000,000-row table per chunk) once no partial index on current rows served it (migration
    0017); ordered, it walks the index from the chunk's first store."""
    stores, params = _store_filter("store_id", chunk)
    day = connection.ops.adapt_datefield_value(on)
    table = SuggestedOrder._meta.db_table
    first = "ORDER BY store_id, product_id, date LIMIT 1) IS NOT NULL"
    cursor.execute(
        f"SELECT (SELECT 1 FROM {table} WHERE {stores} AND (date > %s OR superseded_on > %s) {first}, "  # noqa: S608
        f"(SELECT 1 FROM {table} WHERE {stores} AND superseded_on IS NULL {first}",
        [*params, day, day, *params],
    )
    later, current = cursor.fetchone()
    return bool(later), bool(current)


def _pairs_with_rows_sql(chunk: Chunk) -> tuple[str, list]:
    """The distinct (store, product) pairs with any suggested order in the chunk's store range, in index order, each
    found by one probe of the (store, product, date) index past the one before (a skip scan: PostgreSQL 15 walks
    every row of a DISTINCT). A pair whose listing is gone still has its rows, so it is found too."""
    table = SuggestedOrder._meta.db_table
    first = f"SELECT o.store_id, o.product_id FROM {table} o WHERE o.store_id BETWEEN %s AND %s"
    return (
        f"""(WITH RECURSIVE seen(store_id, product_id) AS (
                ({first} ORDER BY o.store_id, o.product_id LIMIT 1)
                UNION ALL
                SELECT n.store_id, n.product_id FROM seen p CROSS JOIN LATERAL (
                    SELECT o.store_id, o.product_id FROM {table} o
                    WHERE (o.store_id, o.product_id) > (p.store_id, p.product_id) AND o.store_id <= %s
                    ORDER BY o.store_id, o.product_id LIMIT 1
                ) n
            ) SELECT store_id, product_id FROM seen)""",  # noqa: S608 - our table name only
        [chunk.first, chunk.last, chunk.last],
    )


def _diff_sql(
    on: date, chunk: Chunk, changed_only: bool, *, later: bool, rows_by_pair: bool = False
) -> tuple[str, list]:
    """The CTEs `in_force` (the chunk's rows in force on `on`, of the claimed pairs with `changed_only`) and `diff`: the
    pairs whose computed result differs from their row in force (computed = 0: no longer computed), with that row's
    id, date, end and flag (old_id, old_date, old_until, old_flag). Follows _computed_sql's CTEs.

    The rows are found through the unique (store, product, date) index (a store range, or each claimed pair's few
    rows), and the one in force picked by its dates: no index names `superseded_on` (migration 0017). On PostgreSQL
    a claimed pair reads only its latest row up to `on` (the rows of a pair never overlap, so that row is the one in
    force on `on` unless it ended by then): one heap row a pair however long its history; and each row carries its
    `ctid` (old_ctid), so the superseding UPDATE reaches it without a second probe of the primary key. With
    `rows_by_pair` (_rows_by_pair: a full chunk once pairs have a history) every pair with rows in the chunk's stores
    reads its latest row the same way, the pairs found by a skip scan (_pairs_with_rows_sql)."""
    table = SuggestedOrder._meta.db_table
    pg = connection.vendor == "postgresql"
    stores, store_params = _store_filter("o.store_id", chunk)
    day = connection.ops.adapt_datefield_value(on)
    ended = "(o.superseded_on IS NULL OR o.superseded_on > %s)"
    columns = f"o.id, o.store_id, o.product_id, o.date, o.superseded_on, {', '.join(f'o.{c}' for c in RESULT)}"
    if pg and (changed_only or rows_by_pair):
        pairs, store_params = ("claimed", []) if changed_only else _pairs_with_rows_sql(chunk)
        source, in_force, in_force_params = (
            f"{pairs} cl CROSS JOIN LATERAL (SELECT o.ctid, {columns} FROM {table} o "
            "WHERE o.store_id = cl.store_id AND o.product_id = cl.product_id AND o.date <= %s "
            "ORDER BY o.date DESC LIMIT 1) o",
            ended,
            [day, day],
        )
    else:
        claimed = (
            " JOIN claimed cl ON cl.store_id = o.store_id AND cl.product_id = o.product_id" if changed_only else ""
        )
        source = f"{table} o{claimed}"
        if later:
            in_force, in_force_params = f"{stores} AND o.date <= %s AND {ended}", [day, day]
        else:  # the usual night: nothing after `on`, so the rows in force are the current ones
            in_force, in_force_params = f"{stores} AND o.superseded_on IS NULL", []
    same = " AND ".join(f"c.{column} IS NOT DISTINCT FROM o.{column}" for column in RESULT)
    sql = f"""
        in_force AS (
            SELECT {"o.ctid, " if pg else ""}{columns}
            FROM {source}
            WHERE {in_force}
        ),
        diff AS MATERIALIZED (
            SELECT COALESCE(c.store_id, o.store_id) AS store_id, COALESCE(c.product_id, o.product_id) AS product_id,
                   CASE WHEN c.store_id IS NULL THEN 0 ELSE 1 END AS computed,
                   {", ".join(f"c.{column}" for column in RESULT)},{" o.ctid AS old_ctid," if pg else ""}
                   o.id AS old_id, o.date AS old_date, o.superseded_on AS old_until, o.flag AS old_flag
            FROM computed c FULL JOIN in_force o ON o.store_id = c.store_id AND o.product_id = c.product_id
            WHERE c.store_id IS NULL OR o.id IS NULL OR NOT ({same})
        )"""  # noqa: S608 - only our table and column names are formatted in; values are parameters
    return sql, [*store_params, *in_force_params]


def _new_row_until(on: date, *, later: bool, source: str) -> tuple[str, list]:
    """The end of a new row: the end of the row it replaces, or for a pair with none in force on `on` the day of the
    pair's next row (only when rows after `on` exist; else it is in force from now on)."""
    if not later:
        return f"{source}.old_until", []
    table = SuggestedOrder._meta.db_table
    return (
        f"CASE WHEN {source}.old_id IS NOT NULL THEN {source}.old_until ELSE (SELECT MIN(n.date) FROM {table} n "  # noqa: S608
        f"WHERE n.store_id = {source}.store_id AND n.product_id = {source}.product_id AND n.date > %s) END",
        [connection.ops.adapt_datefield_value(on)],
    )


def write_suggestions(
    cursor, *, on: date, chunk: Chunk, changed_only: bool = False, look_first: bool = True
) -> Written:
    """Compute the chunk's pairs (with `changed_only` those of its stores in the change log, which it empties) for
    `on` and write what differs from the rows in force. Call inside the chunk's transaction. `look_first` False:
    take the statement that serves every case without first looking what is there (_rows_there), for one store
    at a visit's save, where the look costs a statement and the general one no more than the others."""
    rows_by_pair = not changed_only and look_first and _rows_by_pair(chunk)
    if not changed_only and look_first and not rows_by_pair:
        later, current = _rows_there(cursor, on, chunk)
    else:  # the rows are reached pair by pair through their index: no need to scan the chunk's rows first
        later, current = True, True
    if connection.vendor != "postgresql":
        return _write_in_steps(cursor, on=on, chunk=chunk, changed_only=changed_only, later=later)
    if not later and not current:
        return _insert_in_one_statement(cursor, on=on, chunk=chunk, changed_only=changed_only)
    return _write_in_one_statement(
        cursor, on=on, chunk=chunk, changed_only=changed_only, later=later, rows_by_pair=rows_by_pair
    )


def _insert_in_one_statement(cursor, *, on: date, chunk: Chunk, changed_only: bool):
    """PostgreSQL, nothing of the chunk's stores in force nor after `on`: every computed row is new, so insert them
    as computed and count from what the insert returns (no comparison, no second scan)."""
    table = SuggestedOrder._meta.db_table
    computed, computed_params = _computed_sql(on, chunk, changed_only)
    written = ", ".join(("store_id", "product_id", "date", *RESULT))
    sql = f"""
        WITH {computed},
        inserted AS (
            INSERT INTO {table} ({written}) SELECT store_id, product_id, %s, {", ".join(RESULT)} FROM computed
            RETURNING flag
        )
        SELECT COUNT(*), COUNT(*) FILTER (WHERE flag <> '') FROM inserted
    """  # noqa: S608 - only our table and column names are formatted in; values are parameters
    cursor.execute(sql, [*computed_params, connection.ops.adapt_datefield_value(on)])
    pairs, flagged = (int(value) for value in cursor.fetchone())
    return Written(pairs, flagged, pairs, pairs, flagged)


def _write_in_one_statement(
    cursor, *, on: date, chunk: Chunk, changed_only: bool, later: bool, rows_by_pair: bool = False
):
    """PostgreSQL: compute, compare, write and count in one statement. The new rows are inserted from what the
    superseding UPDATE returns: a pair whose row in force another transaction superseded meanwhile (the UPDATE
    rechecks its end on the row's newest version) gets no second current row from this one. The row is reached by
    its ctid; a row another transaction rewrote meanwhile (its newest version has another ctid) is left to that
    writer the same way, and its pair, logged by that writer's counts, is recomputed the next night."""
    table = SuggestedOrder._meta.db_table
    computed, computed_params = _computed_sql(on, chunk, changed_only)
    diff, diff_params = _diff_sql(on, chunk, changed_only, later=later, rows_by_pair=rows_by_pair)
    until_superseded, until_superseded_params = _new_row_until(on, later=False, source="s")
    until_new, until_new_params = _new_row_until(on, later=later, source="d")
    day = connection.ops.adapt_datefield_value(on)
    result = ", ".join(RESULT)
    written = ", ".join(("store_id", "product_id", "date", "superseded_on", *RESULT))
    sql = f"""
        WITH {computed}, {diff},
        superseded AS (
            UPDATE {table} so SET superseded_on = %s FROM diff d
            WHERE so.ctid = d.old_ctid AND so.id = d.old_id AND d.old_date < %s
              AND so.superseded_on IS NOT DISTINCT FROM d.old_until
            RETURNING d.*
        ),
        inserted AS (
            INSERT INTO {table} ({written})
            SELECT s.store_id, s.product_id, %s, {until_superseded}, {", ".join(f"s.{c}" for c in RESULT)}
            FROM superseded s WHERE s.computed = 1
            UNION ALL
            SELECT d.store_id, d.product_id, %s, {until_new}, {", ".join(f"d.{c}" for c in RESULT)}
            FROM diff d WHERE d.old_id IS NULL
            RETURNING 1
        ),
        updated AS (
            UPDATE {table} so SET ({result}) = ({", ".join(f"d.{c}" for c in RESULT)})
            FROM diff d WHERE so.id = d.old_id AND d.old_date = %s AND d.computed = 1
            RETURNING 1
        ),
        deleted AS (
            DELETE FROM {table} so USING diff d WHERE so.id = d.old_id AND d.old_date = %s AND d.computed = 0
            RETURNING 1
        )
        SELECT (SELECT COUNT(*) FROM computed), (SELECT COUNT(*) FROM computed WHERE flag <> ''), {DIFF_TALLY}
        FROM diff
    """  # noqa: S608 - only our table and column names are formatted in; values are parameters
    cursor.execute(
        sql,
        [
            *computed_params,
            *diff_params,
            day,
            day,
            day,
            *until_superseded_params,
            day,
            *until_new_params,
            day,
            day,
        ],
    )
    return Written(*(int(value or 0) for value in cursor.fetchone()))


def _write_in_steps(cursor, *, on: date, chunk: Chunk, changed_only: bool, later: bool):
    """SQLite (no data-modifying CTEs): the computed rows and the differences into temporary tables, then the writes
    one statement each (superseding before inserting). An incremental chunk first takes its stores' logged pairs out
    of the change log into a temporary table (the transaction holds the database: nothing is logged in between)."""
    table = SuggestedOrder._meta.db_table
    if changed_only:
        changes = ReplenishmentChange._meta.db_table
        stores, store_params = _store_filter("store_id", chunk)
        cursor.execute(f"DROP TABLE IF EXISTS temp.{CLAIMED_TABLE}")
        cursor.execute(
            f"CREATE TEMP TABLE {CLAIMED_TABLE} AS SELECT DISTINCT store_id, product_id FROM {changes} "  # noqa: S608
            f"WHERE {stores} ORDER BY store_id, product_id",
            store_params,
        )
        cursor.execute(f"DELETE FROM {changes} WHERE {stores}", store_params)  # noqa: S608 - our table name only
    computed, computed_params = _computed_sql(on, chunk, changed_only)
    diff, diff_params = _diff_sql(on, chunk, changed_only, later=later)
    until, until_params = _new_row_until(on, later=later, source="d")
    day = connection.ops.adapt_datefield_value(on)
    result = ", ".join(RESULT)
    computed_table, diff_table = "temp.ka_repl_computed", "temp.ka_repl_diff"
    for name in (computed_table, diff_table):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE ka_repl_computed AS WITH {computed} SELECT * FROM computed", computed_params)
    cursor.execute(
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN flag <> '' THEN 1 ELSE 0 END), 0) FROM {computed_table}"  # noqa: S608
    )
    pairs, flagged = cursor.fetchone()
    claimed, claimed_params = _claimed_cte(changed_only, chunk)
    cursor.execute(
        f"CREATE TEMP TABLE ka_repl_diff AS WITH {claimed} computed AS (SELECT * FROM {computed_table}), "  # noqa: S608
        f"{diff} SELECT * FROM diff",
        [*claimed_params, *diff_params],
    )
    cursor.execute(
        f"UPDATE {table} SET superseded_on = %s WHERE id IN "  # noqa: S608 - our table name only
        "(SELECT old_id FROM temp.ka_repl_diff WHERE old_date < %s)",
        [day, day],
    )
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(('store_id', 'product_id', 'date', 'superseded_on', *RESULT))}) "  # noqa: S608
        f"SELECT d.store_id, d.product_id, %s, {until}, {', '.join(f'd.{c}' for c in RESULT)} "
        "FROM temp.ka_repl_diff d WHERE d.computed = 1 AND (d.old_id IS NULL OR d.old_date < %s)",
        [day, *until_params, day],
    )
    cursor.execute(
        f"UPDATE {table} SET ({result}) = ({', '.join(f'd.{c}' for c in RESULT)}) "  # noqa: S608
        f"FROM temp.ka_repl_diff d WHERE {table}.id = d.old_id AND d.old_date = %s AND d.computed = 1",
        [day],
    )
    cursor.execute(
        f"DELETE FROM {table} WHERE id IN "  # noqa: S608 - our table name only
        "(SELECT old_id FROM temp.ka_repl_diff WHERE old_date = %s AND computed = 0)",
        [day],
    )
    cursor.execute(f"SELECT {DIFF_TALLY} FROM temp.ka_repl_diff")  # noqa: S608 - our expressions only
    changed, pairs_delta, flagged_delta = (int(value or 0) for value in cursor.fetchone())
    for name in (computed_table, diff_table, *([f"temp.{CLAIMED_TABLE}"] if changed_only else [])):
        cursor.execute(f"DROP TABLE {name}")
    return Written(int(pairs), int(flagged), changed, pairs_delta, flagged_delta)


def chunk_compute(*, on: date, chunk: Chunk) -> Written:
    """Bring `on`'s suggested orders of the chunk's stores up to date, in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        return write_suggestions(cursor, on=on, chunk=chunk)


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
    incremental recomputes only the pairs changed since `base_date`'s run."""
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
                pairs, flagged, recomputed, changed = chunk_compute_incremental(
                    on=run.date, chunk=chunk, carried=run.tallies_carried
                )
            else:
                with connection.cursor() as cursor:
                    if not run.scope:  # a whole-company run answers its stores' logged changes
                        release_changes(cursor, run_id=run_id, chunk=chunk)
                    pairs, flagged, changed, _, _ = write_suggestions(cursor, on=run.date, chunk=chunk)
                recomputed = pairs
            ReplenishmentRun.objects.filter(pk=run_id).update(
                chunks_done=F("chunks_done") + 1,
                pairs=F("pairs") + pairs,
                flagged=F("flagged") + flagged,
                pairs_recomputed=F("pairs_recomputed") + recomputed,
                pairs_changed=F("pairs_changed") + changed,
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
