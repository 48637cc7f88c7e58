"""Deep pages of long API lists: a numbered page far in against a cursor page at the same depth (issue 17 item 3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python -u bench/deep_pages.py [--grow 10] [--keep]

A scratch database `<NAME>_bench` is made, migrated and filled by `seed_demo`; its deliveries and visits are then
copied `--grow` times over (a delivery's copy under a new reference, so the natural key holds; a visit's a week
earlier per copy, without its counts) and `ANALYZE`d, and it is dropped at the end unless `--keep`. In this
process (Django's test client with the admin's knox token, list pages built afresh: `API_LIST_CACHE`
off), for the deliveries and the visits: the first numbered page (the baseline), a numbered page 90 % of the way
in, the first cursor page and a cursor page at the same depth (reached by walking the list 500 rows a page by
cursor, as an integration would), and the page before that one by its `previous` (walked back). Each is the median of
15 requests after one warm-up.

Target: a cursor page at depth costs at most 1.25× the first numbered page, whatever the depth (a numbered page's
OFFSET reads every row before it, and its count the whole list).
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch_db import bench_database, drop_database  # noqa: E402  (bench/, beside this script)

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.25  # a cursor page at depth ÷ the first numbered page
PAGE = 50
LISTS = ["/api/v1/deliveries/", "/api/v1/visits/"]


def _setup(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url, DEBUG="false", DJANGO_SETTINGS_MODULE="ka_portal.settings", LOG_LEVEL="WARNING",
        API_LIST_CACHE="false", PYTHONWARNINGS="ignore:No directory at",
    )  # fmt: skip
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):  # no broker, the local cache
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _fill(grow: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO stores_delivery (date, quantity, unit_price, reference, product_id, store_id) "
            "SELECT d.date, d.quantity, d.unit_price, LEFT(d.reference || '-' || g, 60), d.product_id, d.store_id "
            "FROM stores_delivery d CROSS JOIN generate_series(1, %s) g",
            [grow],
        )
        # the visits too, each copy a week earlier per round (their counts and photos stay with the originals)
        columns = (
            "checked_out_at, latitude, longitude, distance_m, far_from_store, price_check_ok, promotion_executed, "
            "problems, actions, rating, rep_id, route_stop_id, store_id, created_at, updated_at, checkout_missing, "
            "checkout_reason, rating_reasons, short_visit"
        )
        cursor.execute(
            f"INSERT INTO visits_visit (uuid, checked_in_at, {columns}) "  # noqa: S608 - column names only
            f"SELECT gen_random_uuid(), v.checked_in_at - g * INTERVAL '7 days', "
            f"{', '.join('v.' + c.strip() for c in columns.split(','))} "
            "FROM visits_visit v CROSS JOIN generate_series(1, %s) g",
            [grow],
        )
        cursor.execute("ANALYZE")


class Client:
    """Django's test client with the admin's knox token (as bench/list_cpu.py), timing its GETs."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model
        from django.test import Client as TestClient
        from knox.models import AuthToken

        key = AuthToken.objects.create(get_user_model().objects.get(username="admin"))[1]
        self.client = TestClient(HTTP_AUTHORIZATION=f"Token {key}")

    def get(self, url: str) -> dict:
        answer = self.client.get(url)  # a page's `next` is absolute: the client reads its path and query
        if answer.status_code != 200:
            raise SystemExit(f"GET {url}: {answer.status_code} {answer.content[:300]!r}")
        return answer.json()

    def timed(self, url: str) -> float:
        self.get(url)
        times = []
        for _ in range(15):
            began = time.perf_counter()
            self.get(url)
            times.append(time.perf_counter() - began)
        return statistics.median(times) * 1000


def _cursor_at(client: Client, path: str, rows: int) -> str:
    """The cursor page of PAGE rows starting `rows` rows in, reached by walking up to 500 rows a page."""
    from rest_framework.utils.urls import replace_query_param

    url, walked = f"{path}?cursor=", 0
    while walked < rows:
        answer = client.get(replace_query_param(url, "page_size", min(500, rows - walked)))
        walked += len(answer["results"])
        url = answer["next"]
    return replace_query_param(url, "page_size", PAGE)


def _measure(client: Client, path: str) -> bool:
    count = client.get(f"{path}?page_size={PAGE}")["count"]
    deep = max(1, int(count / PAGE * 0.9))
    first = client.timed(f"{path}?page_size={PAGE}")
    numbered = client.timed(f"{path}?page_size={PAGE}&page={deep}")
    cursor_first = client.timed(f"{path}?page_size={PAGE}&cursor=")
    deep_url = _cursor_at(client, path, (deep - 1) * PAGE)
    cursor_deep = client.timed(deep_url)
    cursor_back = client.timed(client.get(deep_url)["previous"])  # the page before it, walked back
    ratio, back_ratio = cursor_deep / first, cursor_back / first
    held = ratio <= TARGET and back_ratio <= TARGET
    print(
        f"{path} ({count:,} rows; page {deep} of {PAGE}): numbered page 1 {first:.1f} ms, page {deep} "
        f"{numbered:.1f} ms ({numbered / first:.2f}x); cursor first {cursor_first:.1f} ms "
        f"({cursor_first / first:.2f}x), at the same depth {cursor_deep:.1f} ms ({ratio:.2f}x), the page before it "
        f"by `previous` {cursor_back:.1f} ms ({back_ratio:.2f}x): target ≤ {TARGET}x {'holds' if held else 'MISSED'}"
    )
    return held


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--grow", type=int, default=10, help="copies of the demo's deliveries and visits added")
    parser.add_argument("--keep", action="store_true", help="keep <name>_bench")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("DATABASE_URL (or --database-url) must name a PostgreSQL database")
    url = bench_database(args.database_url)
    try:
        _setup(url)
        began = time.perf_counter()
        _fill(args.grow)
        print(f"{url.rsplit('/', 1)[-1]}: migrated, seeded, deliveries and visits grown {args.grow}x in "
              f"{time.perf_counter() - began:.0f} s")  # fmt: skip
        client = Client()
        held = [_measure(client, path) for path in LISTS]
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)
    return 0 if all(held) else 1


if __name__ == "__main__":
    sys.exit(main())
