# ruff: noqa: E402, SIM115, E501, B008, S608 -- a throwaway prototype script, its figures in docs/performance.md (issue 17 item 2, pair-state table)
"""Prototype of issue 17 item 2's pair-state table (not app code): measurements on a kept bench database.

    PSDB=ps .venv/bin/python -u bench/pairstate_prototype/build.py 10000 300   # ps_bench: company + first full run
    PSDB=ps .venv/bin/python -u bench/pairstate_prototype/measure.py setup|change 1 0|verify|setup_c|nights 1 3|
        triggers|check 1|check_c 1|profile 1 ps|profile 1 app|profile_c 1

Variant A ("ps"): ps_pair (pairstate.sql) holds each pair's two latest counts, the deliveries between them and the
listing, kept by statement-level triggers; an incremental chunk reads it instead of probing counts, listing and
deliveries, and writes suggested orders as today. Variant C ("c"): ps_pair also holds the row in force (updated in
place) and history goes to an append-only table ps_hist. Every night is run chunk by chunk on two threads, each chunk
in a transaction rolled back, so every kind meets the same data; see docs/performance.md at the repository's root.
"""

import os
import queue
import random
import statistics
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.dirname(HERE))
os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/" + os.environ.get("PSDB", "ps") + "_bench"
os.environ["CELERY_BROKER_URL"] = ""
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ka_portal.settings")
import django

django.setup()
from datetime import date, timedelta

import replenishment as B
from django.db import connection, transaction
from django.utils import timezone

from stores.models import Delivery, Product, Store
from visits import replenishment_job as J
from visits.models import StockCount, SuggestedOrder, Visit

PAIR_STATE = False  # an incremental chunk's `computed` from ps_pair (variant A)
_original_computed_sql = J._computed_sql


def pair_state_computed_sql(on: date, chunk: J.Chunk, claimed: str, claimed_params: list) -> tuple[str, list]:
    """PROTOTYPE: `computed` of an incremental chunk from the pair-state table ps_pair (one row a claimed pair)."""
    ops = connection.ops
    local = timezone.get_current_timezone_name()
    cur_on, cur_params = ops.datetime_cast_date_sql("ps.cur_at", (), local)
    prev_on, prev_params = ops.datetime_cast_date_sql("ps.prev_at", (), local)
    num, den = J._factor()
    sales = "(CAST(p.previous_packs AS BIGINT) + p.delivered_packs - p.current_packs)"
    short_den = f"({sales} * {num} - CAST(p.current_packs AS BIGINT) * {den})"
    short = f"(CASE WHEN {short_den} > 0 THEN {short_den} ELSE 0 END)"
    ok = f"(p.previous_packs IS NOT NULL AND {sales} >= 0)"
    sql = f"""
        {claimed}
        pairs AS MATERIALIZED (
            SELECT ps.store_id, ps.product_id, ps.cur_packs AS current_packs, {cur_on} AS current_counted_on,
                   ps.prev_packs AS previous_packs, {prev_on} AS previous_counted_on, pr.packs_per_case,
                   ps.delivered AS delivered_packs
            FROM claimed c JOIN ps_pair ps ON ps.store_id = c.store_id AND ps.product_id = c.product_id
            JOIN stores_product pr ON pr.id = ps.product_id
            WHERE ps.listed AND ps.cur_at < %s
        ),
        computed ({", ".join(("store_id", "product_id", *J.RESULT))}) AS (
            SELECT p.store_id, p.product_id, p.previous_packs, p.previous_counted_on, p.delivered_packs,
                   p.current_packs, p.current_counted_on,
                   CASE WHEN p.previous_packs IS NOT NULL THEN {sales} END,
                   CASE WHEN {ok} THEN ({sales} * {num} + {den} - 1) / {den} END,
                   CASE WHEN {ok} THEN ({short} + {den} - 1) / {den} ELSE 0 END,
                   CASE WHEN {ok} THEN {J._cases_sql(short, f"{den} * p.packs_per_case")} ELSE 0 END,
                   CASE WHEN p.previous_packs IS NULL THEN '{SuggestedOrder.Flag.NO_PREVIOUS_COUNT}'
                        WHEN {sales} < 0 THEN '{SuggestedOrder.Flag.NEGATIVE_SALES}' ELSE '' END
            FROM pairs p
        )"""  # noqa: S608
    return sql, [*claimed_params, *cur_params, *prev_params, ops.adapt_datetimefield_value(J.day_end(on))]


def _computed_sql(on, chunk, changed_only=False):
    if PAIR_STATE and changed_only:
        claimed, claimed_params = J._claimed_cte(True, chunk)
        return pair_state_computed_sql(on, chunk, claimed, claimed_params)
    return _original_computed_sql(on, chunk, changed_only)


J._computed_sql = _computed_sql

ON = B.ON
PS_TRIGGERS = {
    "visits_stockcount": ("ps_count_ins", "ps_count_del", "ps_count_upd"),
    "stores_delivery": ("ps_delivery_ins", "ps_delivery_del", "ps_delivery_upd"),
    "stores_listing": ("ps_listing_ins", "ps_listing_del", "ps_listing_upd"),
}


def sql(q, params=None):
    with connection.cursor() as c:
        c.execute(q, params)
        try:
            return c.fetchall()
        except Exception:
            return None


def ps_triggers(on: bool):
    for table, names in PS_TRIGGERS.items():
        for n in names:
            sql(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER {n}")


def setup():
    sql(open(os.path.join(HERE, "pairstate.sql")).read())
    t = time.perf_counter()
    sql(open(os.path.join(HERE, "populate.sql")).read().replace("VACUUM (ANALYZE) ps_pair;", ""))
    print(f"populate ps_pair: {time.perf_counter() - t:.1f} s", sql("SELECT COUNT(*) FROM ps_pair"))
    sql("VACUUM (ANALYZE) ps_pair")
    print("size", sql("SELECT pg_size_pretty(pg_total_relation_size('ps_pair'))"))


def _visit_with_counts(store, products, at):
    now = timezone.now()
    v = Visit.objects.create(
        uuid=uuid.uuid4(), rep_id=store.rep_id, store=store, checked_in_at=at, created_at=now, updated_at=now
    )
    StockCount.objects.bulk_create([StockCount(visit=v, product_id=p, packs=7) for p in products])


def triggers(n=int(os.environ.get("NV", 200)), rounds=4):
    stores = list(Store.objects.only("pk", "rep_id").order_by("?")[:n])
    products = list(Product.objects.values_list("pk", flat=True))
    at = timezone.make_aware(timezone.datetime(2026, 11, 23, 15))
    res = {True: [], False: []}
    dres = {True: [], False: []}
    for r in range(rounds):
        for on in (False, True) if r % 2 == 0 else (True, False):
            ps_triggers(on)
            rng = random.Random(r)
            with transaction.atomic():
                t = time.perf_counter()
                for s in stores:
                    _visit_with_counts(s, rng.sample(products, 16), at)
                res[on].append((time.perf_counter() - t) / n * 1000)
                transaction.set_rollback(True)
            # 10,000 deliveries of random pairs on a day inside the pairs' windows (an import)
            ids = list(Store.objects.values_list("pk", flat=True))
            rows = [
                Delivery(
                    store_id=rng.choice(ids),
                    product_id=rng.choice(products),
                    date=date(2026, 11, 19),
                    quantity=5,
                    reference=f"R{r}-{i}",
                )
                for i in range(10_000)
            ]
            with transaction.atomic():
                t = time.perf_counter()
                Delivery.objects.bulk_create(rows, batch_size=1000)
                dres[on].append(time.perf_counter() - t)
                transaction.set_rollback(True)
    ps_triggers(True)
    for on in (False, True):
        print(
            f"ps triggers {'on ' if on else 'off'}: a visit with 16 counts {statistics.median(res[on]):.2f} ms "
            f"(runs {', '.join(f'{x:.2f}' for x in res[on])}); 10,000 deliveries {statistics.median(dres[on]):.2f} s "
            f"({', '.join(f'{x:.2f}' for x in dres[on])})"
        )


def change(day, hour, remainder):
    for on in (False, True):
        ps_triggers(on)
        with transaction.atomic():
            t = time.perf_counter()
            n = B._change_pairs(day, hour, remainder)
            dt = time.perf_counter() - t
            print(
                f"5 % change ({n} counts in one INSERT, visits bulk-created), ps triggers {'on' if on else 'off'}: {dt:.2f} s"
            )
            if not on:
                transaction.set_rollback(True)
    sql("VACUUM (ANALYZE)")


def incr_chunks():
    rows = sql("SELECT store_id, COUNT(*) FROM visits_replenishmentchange GROUP BY store_id ORDER BY store_id")
    from visits.replenishment_incremental import CHUNK_PAIRS, CHUNKS

    size = min(max(sum(p for _, p in rows) // CHUNKS, CHUNK_PAIRS[0]), CHUNK_PAIRS[1])
    chunks, first, claimed = [], None, 0
    for s, p in rows:
        first = s if first is None else first
        last, claimed = s, claimed + p
        if claimed >= size:
            chunks.append(J.Chunk(first, last))
            first, claimed = None, 0
    if first is not None:
        chunks.append(J.Chunk(first, last))
    return chunks


def night(kind, day, workers=2):
    """Every chunk of a night on `workers` threads, each chunk in its own transaction, rolled back. Seconds."""
    changed_only = kind != "full"
    chunks = J.chunks_for() if kind == "full" else incr_chunks()
    q = queue.Queue()
    for c in chunks:
        q.put(c)
    written = []

    def work():
        try:
            while True:
                try:
                    c = q.get_nowait()
                except queue.Empty:
                    return
                with transaction.atomic(), connection.cursor() as cur:
                    w = J.write_suggestions(cur, on=day, chunk=c, changed_only=changed_only)
                    written.append(w)
                    transaction.set_rollback(True)
        finally:
            connection.close()

    global PAIR_STATE
    PAIR_STATE = kind == "ps"
    t = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    dt = time.perf_counter() - t
    PAIR_STATE = False
    return dt, len(chunks), sum(w.pairs for w in written), sum(w.changed for w in written)


def nights(day, reps):
    kinds = ["full", "app", "ps"] + (["c"] if sql("SELECT to_regclass('ps_hist')")[0][0] else [])
    times = {k: [] for k in kinds}
    for r in range(reps):
        order = kinds if r % 2 == 0 else kinds[::-1]
        for kind in order:
            if kind == "c":
                dt, n, changed = night_c(day)
                pairs = "-"
            else:
                dt, n, pairs, changed = night(kind, day)
            times[kind].append(dt)
            print(
                f"  rep {r + 1} {kind:4}: {dt:6.2f} s, {n} chunks, {pairs} pairs computed, {changed} written",
                flush=True,
            )
            connection.close()
            sql("VACUUM visits_suggestedorder")
            sql("VACUUM ps_pair")
            if kind == "c":
                sql("VACUUM ps_hist")
        print(
            f"rep {r + 1}: " + "; ".join(f"{k} / full {times[k][-1] / times['full'][-1]:.1%}" for k in kinds[1:]),
            flush=True,
        )
    m = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"medians: full {m['full']:.2f} s; "
        + "; ".join(f"{k} {m[k]:.2f} s ({m[k] / m['full']:.1%})" for k in kinds[1:])
    )


def check(day):
    from visits.replenishment_incremental import suggestions_checksum

    out = {}
    for kind in ("ps", "app", "full"):
        global PAIR_STATE
        PAIR_STATE = kind == "ps"
        chunks = J.chunks_for() if kind == "full" else incr_chunks()
        with transaction.atomic(), connection.cursor() as cur:
            for c in chunks:
                J.write_suggestions(cur, on=day, chunk=c, changed_only=kind != "full")
            out[kind] = suggestions_checksum(day)
            transaction.set_rollback(True)
        PAIR_STATE = False
        print(kind, out[kind][:12], flush=True)
    print("checksums equal" if len(set(out.values())) == 1 else "CHECKSUMS DIFFER")


def main():
    cmd = sys.argv[1]
    if cmd == "setup":
        setup()
    elif cmd == "triggers":
        triggers()
    elif cmd == "change":
        change(ON + timedelta(days=int(sys.argv[2])), 10, int(sys.argv[3]))
    elif cmd == "nights":
        nights(ON + timedelta(days=int(sys.argv[2])), int(sys.argv[3]))
    elif cmd == "check":
        check(ON + timedelta(days=int(sys.argv[2])))


def verify():
    """The triggers' ps_pair equals one computed afresh from the sources."""
    q = open(os.path.join(HERE, "populate.sql")).read().split("VACUUM")[0]
    sql("CREATE TEMP TABLE fresh (LIKE ps_pair INCLUDING DEFAULTS)")
    sql(q.replace("INSERT INTO ps_pair", "INSERT INTO fresh").replace("FROM ps_pair p", "FROM fresh p"))
    cols = "store_id, product_id, cur_at, cur_id, cur_packs, prev_at, prev_id, prev_packs, delivered, listed"
    a = sql(
        f"SELECT COUNT(*) FROM (SELECT {cols} FROM ps_pair WHERE listed OR cur_at IS NOT NULL EXCEPT SELECT {cols} FROM fresh) x"
    )
    b = sql(f"SELECT COUNT(*) FROM (SELECT {cols} FROM fresh EXCEPT SELECT {cols} FROM ps_pair) x")
    print("ps_pair vs fresh: rows only in ps_pair", a, "only in fresh", b)


class _Explain:
    def __init__(self, cur):
        self.cur = cur

    def execute(self, q, params=None):
        self.cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q, params)
        self.plan = "\n".join(r[0] for r in self.cur.fetchall())

    def fetchone(self):
        return (0, 0, 0, 0, 0)


def profile(day, kind):
    global PAIR_STATE
    PAIR_STATE = kind == "ps"
    cs = incr_chunks()
    c = cs[min(3, len(cs) - 1)]
    for _attempt in range(2):
        with transaction.atomic(), connection.cursor() as cur:
            e = _Explain(cur)
            J.write_suggestions(e, on=day, chunk=c, changed_only=True)
            transaction.set_rollback(True)
    print(e.plan)


RES = list(J.RESULT)


def setup_c():
    """Variant C: the rows in force kept in ps_pair (result columns, updated in place), history append-only."""
    cols = ", ".join(
        f"r_{c} {t}"
        for c, t in zip(
            RES,
            ["integer", "date", "bigint", "integer", "date", "integer", "integer", "integer", "integer", "varchar(20)"],
            strict=False,
        )
    )
    sql(
        "ALTER TABLE ps_pair ADD COLUMN IF NOT EXISTS r_date date, "
        + ", ".join(f"ADD COLUMN IF NOT EXISTS {c.split(' ', 1)[0]} {c.split(' ', 1)[1]}" for c in cols.split(", "))
    )
    t = time.perf_counter()
    sql("CREATE TABLE ps_pair2 (LIKE ps_pair INCLUDING ALL) WITH (fillfactor = 90)")
    other = "store_id, product_id, cur_at, cur_id, cur_packs, prev_at, prev_id, prev_packs, delivered, listed"
    sql(
        f"INSERT INTO ps_pair2 ({other}, r_date, {', '.join('r_' + c for c in RES)}) "
        f"SELECT {', '.join('p.' + c for c in other.split(', '))}, o.date, {', '.join('o.' + c for c in RES)} "
        "FROM ps_pair p LEFT JOIN visits_suggestedorder o ON o.store_id = p.store_id AND o.product_id = p.product_id "
        "AND o.superseded_on IS NULL ORDER BY p.store_id, p.product_id"
    )
    sql("DROP TABLE ps_pair CASCADE")
    sql("ALTER TABLE ps_pair2 RENAME TO ps_pair")
    sql("ALTER INDEX ps_pair2_pkey RENAME TO ps_pair_pkey")
    sql(
        "CREATE TABLE ps_hist (store_id bigint NOT NULL, product_id bigint NOT NULL, date date NOT NULL, "
        + ", ".join(f"{c.split(' ', 1)[0][2:]} {c.split(' ', 1)[1]}" for c in cols.split(", "))
        + ")"
    )
    sql(
        f"INSERT INTO ps_hist SELECT store_id, product_id, date, {', '.join(RES)} FROM visits_suggestedorder "
        "ORDER BY store_id, product_id, date"
    )
    sql("CREATE UNIQUE INDEX ps_hist_pair_date ON ps_hist (store_id, product_id, date)")
    sql("VACUUM (ANALYZE) ps_pair")
    sql("VACUUM (ANALYZE) ps_hist")
    print(f"variant C set up in {time.perf_counter() - t:.1f} s")


def c_chunk(cur, day, chunk):
    claimed, claimed_params = J._claimed_cte(True, chunk)
    computed, params = pair_state_computed_sql(day, chunk, claimed, claimed_params)
    same = " AND ".join(f"c.{col} IS NOT DISTINCT FROM t.r_{col}" for col in RES)
    cur.execute(
        f"""WITH {computed},
        upd AS (UPDATE ps_pair t SET r_date = %s, {", ".join(f"r_{col} = c.{col}" for col in RES)}
                FROM computed c WHERE t.store_id = c.store_id AND t.product_id = c.product_id AND NOT ({same})
                RETURNING c.*),
        ins AS (INSERT INTO ps_hist (store_id, product_id, date, {", ".join(RES)})
                SELECT store_id, product_id, %s, {", ".join(RES)} FROM upd RETURNING 1)
        SELECT COUNT(*) FROM ins""",
        [*params, day, day],
    )
    return cur.fetchone()[0]


def night_c(day, workers=2):
    chunks = incr_chunks()
    q = queue.Queue()
    for c in chunks:
        q.put(c)
    written = []

    def work():
        try:
            while True:
                try:
                    c = q.get_nowait()
                except queue.Empty:
                    return
                with transaction.atomic(), connection.cursor() as cur:
                    written.append(c_chunk(cur, day, c))
                    transaction.set_rollback(True)
        finally:
            connection.close()

    t = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t, len(chunks), sum(written)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "verify":
        verify()
    elif cmd == "profile":
        profile(ON + timedelta(days=int(sys.argv[2])), sys.argv[3])
    elif cmd == "setup_c":
        setup_c()
    elif cmd == "night_c":
        print(night_c(ON + timedelta(days=int(sys.argv[2]))))
    else:
        main()


def check_c(day):
    """Variant C's rows in force (ps_pair's result columns) against a full run's, as an order-free row hash."""
    cols = ", ".join(RES)
    d = connection.ops.adapt_datefield_value(day)
    with transaction.atomic(), connection.cursor() as cur:
        for c in incr_chunks():
            c_chunk(cur, day, c)
        a = sql(
            f"SELECT COUNT(*), SUM(hashtextextended(ROW(store_id, product_id, r_date, "
            f"{', '.join('r_' + c for c in RES)})::text, 0)) FROM ps_pair WHERE r_date IS NOT NULL"
        )
        transaction.set_rollback(True)
    with transaction.atomic(), connection.cursor() as cur:
        for c in J.chunks_for():
            J.write_suggestions(cur, on=day, chunk=c)
        b = sql(
            f"SELECT COUNT(*), SUM(hashtextextended(ROW(store_id, product_id, date, {cols})::text, 0)) "
            "FROM visits_suggestedorder WHERE date <= %s AND (superseded_on IS NULL OR superseded_on > %s)",
            [d, d],
        )
        transaction.set_rollback(True)
    print("variant C in force", a, "full run in force", b, "EQUAL" if a == b else "DIFFERENT")


if __name__ == "__main__" and sys.argv[1] == "check_c":
    check_c(ON + timedelta(days=int(sys.argv[2])))


def profile_c(day):
    cs = incr_chunks()
    c = cs[min(3, len(cs) - 1)]
    for _attempt in range(2):
        with transaction.atomic(), connection.cursor() as cur:
            e = _Explain(cur)
            c_chunk(e, day, c)
            transaction.set_rollback(True)
    print(e.plan)


if __name__ == "__main__" and sys.argv[1] == "profile_c":
    profile_c(ON + timedelta(days=int(sys.argv[2])))
