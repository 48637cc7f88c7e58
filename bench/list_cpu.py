"""CPU of a list page built afresh, beside `GET /api/v1/me/`, in process (issue 17 item 3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/list_cpu.py [--rounds 40]
        [--source DIR] [--only PATH ...]

No server: Django's test client with a knox token of `admin` on a database already filled by `seed_demo` (and
analyzed), DEBUG off, `API_LIST_CACHE=false` (every page built afresh), no broker. Each round asks me/ and then
each list once (page_size=50), timing `time.process_time()` of the request: the worker's CPU, which the load of
a shared machine moves far less than wall time (printed beside it, PostgreSQL's share with it). Prints the
median CPU ms per endpoint, its ratio to me/'s (a list at 2× me/'s CPU serves about half me/'s requests a
second on the same workers), the queries and bytes of a page and a digest of its body, so two checkouts
(`--source`, e.g. main before a change) can be compared on the same database byte for byte. Reads only; the
token it makes is deleted at the end.
"""

import argparse
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

ME = "/api/v1/me/"
LISTS = [
    "/api/v1/routes/?page_size=50",
    "/api/v1/deliveries/?page_size=50",
    "/api/v1/payments/?page_size=50",
    "/api/v1/visits/?page_size=50",
    "/api/v1/promotions/?page_size=50",
    "/api/v1/stores/?page_size=50",
    "/api/v1/invoices/?page_size=50",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--source", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database filled by seed_demo")
    os.environ.update(DEBUG="false", API_LIST_CACHE="false", CELERY_BROKER_URL="", REDIS_URL="")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ka_portal.settings")
    sys.path.insert(0, args.source)
    os.chdir(args.source)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from knox.models import AuthToken

    token, key = AuthToken.objects.create(get_user_model().objects.get(username="admin"))
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    paths = [ME, *(args.only or LISTS)]
    try:
        shape = {}
        for path in paths:  # warm-up, and what a page is
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
            shape[path] = (len(queries), len(response.content), hashlib.sha256(response.content).hexdigest()[:12])
        cpu = {path: [] for path in paths}
        wall = {path: [] for path in paths}
        for _ in range(args.rounds):
            for path in paths:
                start, start_wall = time.process_time(), time.perf_counter()
                client.get(path)
                cpu[path].append((time.process_time() - start) * 1000)
                wall[path].append((time.perf_counter() - start_wall) * 1000)
    finally:
        token.delete()
    me = statistics.median(cpu[ME])
    print(f"{args.source}: {args.rounds} rounds, median CPU ms of a request")
    print(f"{'endpoint':36} {'CPU ms':>7} {'× me/':>6} {'wall ms':>7} {'queries':>7} {'bytes':>7}  sha256")
    for path in paths:
        ms = statistics.median(cpu[path])
        queries, size, digest = shape[path]
        wall_ms = statistics.median(wall[path])
        print(f"{path:36} {ms:7.2f} {ms / me:6.2f} {wall_ms:7.2f} {queries:7d} {size:7d}  {digest}")


if __name__ == "__main__":
    main()
