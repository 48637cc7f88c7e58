"""Benchmark of finding a reused photo among stored perceptual hashes on PostgreSQL (a benchmark, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ka .venv/bin/python bench/photo_reuse.py --hashes 100000

Creates a fresh database `<name>_bench` next to DATABASE_URL's (dropped at the end unless --keep) and stores
`--hashes` photo hashes (visits, photos and hashes by INSERT … SELECT; no image files). The hashes are made like
a field force's photos: perceptual hashes (imagehash.phash) of `--bases` generated shelf images, each spread into
variants by flipping 10–24 random bits (similar shelves of one chain, not copies), so bands collide more than
uniform random hashes would. Then, for `--queries` new photos (half a stored photo lightly changed, 0–5 bits;
half a new shelf), it times evidence.signals.near_duplicates — the band-indexed candidates, the Hamming distance
in SQL — per photo, and a naive scan (every row read, the distance in Python) on `--naive` of them in the same
run; checks both find the same photos; prints the target (≤ 50 ms per photo), whether it holds, and the ratio.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scratch_db import bench_database, drop_database  # noqa: E402  (bench/, beside this script)

TARGET_MS = 50.0
MAX_DISTANCE = 6


def _shelf_hash(seed: int) -> int:
    from PIL import Image, ImageDraw

    from visits import photos

    rng = random.Random(seed)
    image = Image.new("RGB", (256, 192), (rng.randint(200, 250),) * 3)
    draw = ImageDraw.Draw(image)
    for row in range(rng.randint(3, 5)):
        top = row * 48
        draw.rectangle([0, top + 42, 256, top + 47], fill=(90, 90, 90))
        x = rng.randint(0, 10)
        while x < 256:
            width = rng.randint(10, 40)
            colour = tuple(rng.randint(0, 255) for _ in range(3))
            draw.rectangle([x, top + rng.randint(4, 20), x + width, top + 41], fill=colour)
            x += width + rng.randint(1, 6)
    return photos.phash_of(image)


def _flip(value: int, bits: int, rng: random.Random) -> int:
    from visits import photos

    unsigned = value & 0xFFFFFFFFFFFFFFFF
    for bit in rng.sample(range(64), bits):
        unsigned ^= 1 << bit
    return photos.to_signed(unsigned)


def _store(hashes: list[int]) -> None:
    """One rep and store, a visit per ten photos, a photo per hash, the hashes with their bands."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from accounts.models import KeyAccount
    from stores.models import Store
    from visits import photos

    account = KeyAccount.objects.create(code="BENCH", name="基准连锁", tier=KeyAccount.Tier.NKA)
    rep = get_user_model().objects.create(username="bench_rep")
    store = Store.objects.create(account=account, code="BS000001", name="门店", rep=rep)
    visits = (len(hashes) + 9) // 10
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO visits_visit (uuid, rep_id, store_id, checked_in_at, far_from_store, problems, actions, "
            "rating, rating_reasons, checkout_reason, checkout_missing, short_visit, created_at, updated_at) "
            "SELECT md5(g::text)::uuid, %s, %s, %s - g * interval '1 hour', false, '', '', '', '[]', '', '{}', "
            "false, %s, %s FROM generate_series(1, %s) g",
            [rep.pk, store.pk, now, now, now, visits],
        )
        cursor.execute("SELECT min(id) FROM visits_visit")
        first_visit = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO visits_visitphoto (visit_id, image, caption, uploaded_at, thumbnail) "
            "SELECT %s + (g - 1) / 10, 'visits/bench/' || g || '.jpg', '', %s, '' FROM generate_series(1, %s) g",
            [first_visit, now, len(hashes)],
        )
        cursor.execute("SELECT id, visit_id FROM visits_visitphoto ORDER BY id")
        rows = cursor.fetchall()
        batch = []
        for (photo_id, visit_id), value in zip(rows, hashes, strict=True):
            batch.append((photo_id, visit_id, value, *photos.bands(value)))
        cursor.executemany(  # psycopg 3 sends the rows in one pipeline
            "INSERT INTO evidence_photohash (photo_id, visit_id, value, band0, band1, band2, band3, band4, band5, "
            "band6, band7) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            batch,
        )
        cursor.execute("ANALYZE evidence_photohash")


def _naive(value: int, exclude_visit_id: int) -> list[tuple[int, int, int]]:
    """Every stored hash read, the distance computed in Python."""
    from evidence.models import PhotoHash
    from visits import photos

    found = [
        (photos.hamming(value, stored), photo_id, visit_id)
        for stored, photo_id, visit_id in PhotoHash.objects.values_list("value", "photo_id", "visit_id").iterator(
            chunk_size=10_000
        )
        if visit_id != exclude_visit_id
    ]
    return sorted(row for row in found if row[0] <= MAX_DISTANCE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hashes", type=int, default=100_000)
    parser.add_argument("--bases", type=int, default=1_000, help="generated shelf images the hashes spread from")
    parser.add_argument("--queries", type=int, default=200, help="new photos looked up through the index")
    parser.add_argument("--naive", type=int, default=20, help="of those, looked up by the naive scan too")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database")
    url = bench_database(base)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ka_portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from evidence import signals
    from evidence.models import PhotoHash

    rng = random.Random(13)
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        bases = [_shelf_hash(seed) for seed in range(args.bases)]
        hashes = [_flip(rng.choice(bases), rng.randint(10, 24), rng) for _ in range(args.hashes)]
        print(f"hashes: {args.bases} shelf images spread into {len(hashes):,} in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        _store(hashes)
        print(f"stored: {PhotoHash.objects.count():,} photo hashes in {time.perf_counter() - started:.1f} s")

        queries = []
        for i in range(args.queries):
            if i % 2 == 0:  # a stored photo re-sent, slightly changed (resized, re-compressed, cropped)
                queries.append((_flip(rng.choice(hashes), rng.randint(0, 5), rng), "reused"))
            else:  # a new shelf
                queries.append((_shelf_hash(1_000_000 + i), "new"))
        exclude = -1  # the new photo's own visit: none of the stored ones
        candidates = [signals.band_candidates(value).count() for value, _kind in queries[:50]]
        with connection.cursor() as cursor:
            sql, params = signals.band_candidates(queries[0][0]).values("photo_id").query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        print("plan of the candidates' query:\n    " + "\n    ".join(plan[:6]))
        print(
            f"candidates per photo (band matches read): median {statistics.median(candidates):,.0f}, "
            f"max {max(candidates):,} of {len(hashes):,}"
        )

        for value, _kind in queries[:5]:  # warm the cache and the connection
            signals.near_duplicates(value=value, max_distance=MAX_DISTANCE, exclude_visit_id=exclude)
        times, found = [], {}
        for value, _kind in queries:
            started = time.perf_counter()
            rows = signals.near_duplicates(value=value, max_distance=MAX_DISTANCE, exclude_visit_id=exclude, limit=50)
            times.append((time.perf_counter() - started) * 1000)
            found[value] = rows
        reused_found = sum(1 for value, kind in queries if kind == "reused" and found[value])
        print(
            f"indexed: {len(queries)} photos, median {statistics.median(times):.1f} ms, "
            f"p95 {sorted(times)[int(len(times) * 0.95) - 1]:.1f} ms, max {max(times):.1f} ms per photo; "
            f"{reused_found} of {len(queries) // 2} re-sent photos found"
        )

        naive_times = []
        for value, _kind in queries[: args.naive]:
            started = time.perf_counter()
            rows = _naive(value, exclude)
            naive_times.append((time.perf_counter() - started) * 1000)
            same = [(d, p) for d, p, _v in rows[:50]] == [(d, p) for d, p, _v in found[value]]
            assert same, "the indexed query and the scan disagree"
        naive_ms = statistics.median(naive_times)
        indexed_ms = statistics.median(times)
        print(f"naive scan of every row: {args.naive} photos, median {naive_ms:.0f} ms per photo (same answers)")
        p95 = sorted(times)[int(len(times) * 0.95) - 1]
        verdict = "holds" if indexed_ms <= TARGET_MS else "MISSED"
        print(
            f"target: ≤ {TARGET_MS:.0f} ms per photo among {len(hashes):,} hashes — {verdict} "
            f"(median {indexed_ms:.1f} ms, p95 {p95:.1f} ms); the naive scan is {naive_ms / indexed_ms:.0f}× slower"
        )
    finally:
        connection.close()
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
