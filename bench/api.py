"""API lists beside `GET /api/v1/me/` on gunicorn, and a rep's phone creating visits (issue 17 item 3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/api.py [--keep | --reuse]
        [--seconds 8] [--clients 4] [--workers 2] [--worker-class sync|gthread] [--threads 4]
        [--post-clients 16] [--post-seconds 15] [--counts 16] [--post-interval 0] [--check-outs both|database|api]
        [--source DIR] [--only PATH ...]
        [--no-lists | --no-post]

PostgreSQL (the issue's target): a scratch database `<NAME>_bench` beside DATABASE_URL's (or `--database-url`'s)
is made, migrated and filled by `seed_demo`, and dropped at the end unless `--keep`; `--reuse` measures a copy of
a kept one as it is (no migrate, no seed), dropped after, so each run starts from the same rows. A SQLite URL (or
none) falls back to a scratch SQLite demo in a temporary folder. The demo is served by gunicorn (`--workers`,
`--worker-class`, DEBUG off, no broker: work queued after commit runs in the worker) on 127.0.0.1 at a free port;
`--source DIR` serves another checkout (e.g. main before a change) against the same database.

Reads: `admin` signs in for a django-rest-knox token; one endpoint at a time, `--clients` threads with their own
keep-alive connection send GETs for `--seconds` (at most 20,000 requests an endpoint) after a warm-up request
each; every answer must be 200. me/ is measured again right before each list and the list's ratio is its rps
over that me/'s (the machine is shared: its load moves within a run, and the me/ column shows how much). Target:
every list at ≥ 0.5 of me/'s rps.

Writes: `--post-clients` phones, spread over the demo's reps (each signs in for its own token, as each phone
does; phones sharing a rep take turns of its stores), each POST /api/v1/visits/ a new visit at one of its stores
with `--counts` stock counts (cases/packs notation), the checklist answered and a position, under a new client
uuid sent as the body's `uuid` and the `Idempotency-Key` header, back to back (`--post-interval 0`: 16 requests
always in flight, so p95 is at least 16 ÷ the server's creates per second) or each phone one every
`--post-interval` s (±50 %). Every answer must be 201. Each phone then checks the visit out, untimed (a rep leaves
one store before the next: the server refuses a second open visit of a rep at a store the same day), in two phases
(`--check-outs both`): by an UPDATE of the visit's row from the bench's own connection (the create alone: the server
makes only the creates), then by the API (creates with check-outs; the check-outs' times printed beside). Target:
p95 ≤ 150 ms at 16 clients. Afterwards every created visit must be there once, and a repeat of some bodies must
answer the same visit again (replayed).

Everything stays on 127.0.0.1; the run is bounded in time and count and stops the server it started.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch_db import bench_database, drop_database, twin_database  # noqa: E402  (bench/, beside this script)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET = 0.5  # of me/'s requests per second
POST_P95_MS = 150.0
MAX_REQUESTS = 20_000
ME = "/api/v1/me/"
LISTS = [
    "/api/v1/stores/",
    "/api/v1/visits/?page_size=50",
    "/api/v1/suggested-orders/",
    "/api/v1/promotions/",
    "/api/v1/invoices/",
    "/api/v1/accounts/",
    "/api/v1/products/",
    "/api/v1/listings/",
    "/api/v1/deliveries/",
    "/api/v1/payments/",
    "/api/v1/contracts/",
    "/api/v1/tasks/",
    "/api/v1/routes/",
    "/api/v1/contacts/",
]
PASSWORD = "demo1234"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(database_url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "ka_portal.settings",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore:No directory at",
    }  # fmt: skip (no collectstatic)
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):  # no broker, the local cache: nothing shared with others
        env.pop(name, None)
    return env


def _seed(url: str) -> None:
    env = _environment(url)
    for command in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def _analyze(url: str) -> None:
    """Statistics for the planner, as autovacuum keeps them on a live database (it is off on this server): a
    freshly seeded database without them plans a store's suggested-order statement as a nested loop over every
    count of each product (79 ms for one store instead of 3 ms)."""
    import psycopg

    connection = psycopg.connect(url, autocommit=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


def _bench_url(base: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=parts.path + "_bench"))


def _wait(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start in 60 s")


def _call(connection, method: str, path: str, body=None, headers=None) -> tuple[int, bytes, http.client.HTTPResponse]:
    connection.request(method, path, json.dumps(body) if body is not None else None, headers or {})
    response = connection.getresponse()
    return response.status, response.read(), response


def _token(port: int, username: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = {"username": username, "password": PASSWORD}
    status, answer, _response = _call(
        connection, "POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json"}
    )
    connection.close()
    if status != 200:
        raise SystemExit(f"sign-in of {username} answered {status}: {answer[:200]!r}")
    return json.loads(answer)["token"]


def _run_clients(clients: int, seconds: float, make_client) -> list[float]:
    """Start `clients` threads (each `make_client(index)` → a function sending one request and returning its
    time), release them together, stop them after `seconds`; all the request times (s)."""
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(index: int):
        mine = []
        try:
            send = make_client(index)
            start.wait()
            while time.perf_counter() < stop_at[0] and len(times) + len(mine) * clients < MAX_REQUESTS:
                mine.append(send())
        except threading.BrokenBarrierError:
            return
        except Exception as error:  # noqa: BLE001  (a refused request stops the run, named)
            failures.append(str(error))
            start.abort()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + 3600
    with contextlib.suppress(threading.BrokenBarrierError):  # a client failed before the start: reported below
        start.wait()
    stop_at[0] = time.perf_counter() + seconds
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(failures[0])
    return times


def _load(port: int, token: str, path: str, seconds: float, clients: int, kept: list | None = None) -> list[float]:
    """GETs of `path` by `clients` keep-alive connections for `seconds`, every answer checked for 200; with `kept`,
    one True/False per answer: whether it came from the list pages kept in memory (ka_portal/api_cache.py)."""
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    def make_client(_index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        _call(connection, "GET", path, headers=headers)  # warm-up (the worker's first imports, the connection)

        def send() -> float:
            began = time.perf_counter()
            status, answer, response = _call(connection, "GET", path, headers=headers)
            elapsed = time.perf_counter() - began
            if status != 200:
                raise RuntimeError(f"{path}: {status} {answer[:200]!r}")
            if kept is not None:
                kept.append(response.getheader("X-List-Cache") == "hit")
            return elapsed

        return send

    return _run_clients(clients, seconds, make_client)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# --- a rep's phone creating visits ---------------------------------------------------------------


def _phones_plan(url: str, counts: int) -> dict[str, list[tuple[str, list[tuple[str, int]]]]]:
    """rep username → [(store code, [latitude, longitude], [(product code, packs per case)] of `counts` listed
    products)]: the stores of
    every rep with at least `counts` active listings, read from the database the server uses."""
    script = (
        "import json\n"
        "from stores.models import Listing, Store\n"
        "from accounts.roles import Role\n"
        "plan = {}\n"
        "for store in Store.objects.active().filter(rep__profile__role=Role.REP).select_related('rep')"
        ".order_by('code'):\n"
        "    rows = list(Listing.objects.active().filter(store=store).order_by('product__code')"
        ".values_list('product__code', 'product__packs_per_case')[:COUNTS])\n"
        "    if len(rows) == COUNTS:\n"
        "        where = [str(store.latitude or ''), str(store.longitude or '')]\n"
        "        plan.setdefault(store.rep.username, []).append([store.code, where, rows])\n"
        "print(json.dumps(plan))\n"
    ).replace("COUNTS", str(counts))
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=_environment(url), check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    plan = json.loads(out.stdout.strip().splitlines()[-1])
    if not plan:
        raise SystemExit(f"no rep's store lists {counts} products")
    return plan


def _visit_body(store: str, where: list[str], products: list[tuple[str, int]], rng: random.Random) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "store": store,
        "latitude": where[0] or None,  # at the store, as a phone in it
        "longitude": where[1] or None,
        "checklist": [
            {"item": item, "result": rng.choice(["pass", "pass", "fail"])}
            for item in ("together", "tidy", "price_tag", "promotion_display", "stock_level")
        ],
        "stock_counts": [
            {"product": code, "quantity": f"{rng.randint(0, 9)}/{rng.randint(0, per_case - 1)}"}
            for code, per_case in products
        ],
    }


def _post_visits(
    port: int, plan: dict, clients: int, seconds: float, interval: float, url: str, check_outs: str
) -> tuple[list[float], list[float], list]:
    """`clients` phones posting new visits for `seconds`, each its next one `interval` s after the start of its
    last (0: back to back); the create times, the check-out times (`check_outs` "api") and (body, visit id, token)
    of each create. Each visit is checked out before the phone's next create, untimed: by the API (`check_outs`
    "api", the server's work) or by an UPDATE of its row in the database (`check_outs` "database", from the
    bench's own connection: the server makes the creates only)."""
    reps = sorted(plan)
    out_times: list[float] = []
    tokens = [_token(port, reps[index % len(reps)]) for index in range(clients)]
    created: list[tuple[dict, int]] = []
    lock = threading.Lock()

    def make_client(index: int):
        rng = random.Random(index)
        # one open visit per rep, store and day (visits.services._open_visit): the phones sharing a rep take turns
        # of its stores, so two never check in at one store at once
        sharing = -(-clients // len(reps))
        stores = plan[reps[index % len(reps)]][index // len(reps) :: sharing] or plan[reps[index % len(reps)]]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        base = {"Authorization": f"Token {tokens[index]}", "Content-Type": "application/json"}
        next_at = [0.0]
        database = _database_connection(url) if check_outs == "database" else None

        def send() -> float:
            time.sleep(max(0.0, next_at[0] - time.perf_counter()))
            next_at[0] = time.perf_counter() + interval * rng.uniform(0.5, 1.5)  # phones out of step
            store, where, products = rng.choice(stores)
            body = _visit_body(store, where, products, rng)
            headers = {**base, "Idempotency-Key": body["uuid"]}
            began = time.perf_counter()
            status, answer, _response = _call(connection, "POST", "/api/v1/visits/", body, headers)
            elapsed = time.perf_counter() - began
            if status != 201:
                raise RuntimeError(f"POST /api/v1/visits/: {status} {answer[:300]!r}")
            visit_id = json.loads(answer)["id"]
            with lock:
                created.append((body, visit_id, tokens[index]))
            # the phone checks out before its next check-in (untimed: the create is what is measured), as a rep
            # leaves one store before the next; the server refuses a second open visit at a store the same day
            if database is not None:
                _check_out_in_database(database, visit_id)
                return elapsed
            out = f"/api/v1/visits/{visit_id}/check-out/"
            began = time.perf_counter()
            status, answer, _response = _call(connection, "POST", out, {"reason": "bench"}, base)
            with lock:
                out_times.append(time.perf_counter() - began)
            if status != 200:
                raise RuntimeError(f"POST {out}: {status} {answer[:300]!r}")
            return elapsed

        send()  # warm-up
        return send

    times = _run_clients(clients, seconds, make_client)
    return times, out_times, created


def _database_connection(url: str):
    """A connection of the bench's own to the database the server uses (autocommit)."""
    if url.startswith("postgres"):
        import psycopg

        return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)
    import sqlite3

    return sqlite3.connect(urlsplit(url).path, timeout=60, isolation_level=None)


def _check_out_in_database(database, visit_id: int) -> None:
    """The visit closed by its row alone (what a check-out sets that the one-open-visit rule reads)."""
    placeholder = "%s" if type(database).__module__.startswith("psycopg") else "?"
    database.execute(
        f"UPDATE visits_visit SET checked_out_at = checked_in_at, checkout_reason = 'bench' WHERE id = {placeholder}",
        (visit_id,),
    )


def _check_created(port: int, url: str, created: list) -> None:
    """Every 201 made one visit, and a repeated body answers the same visit (replayed), making none."""
    ids = [visit_id for _body, visit_id, _token in created]
    if len(set(ids)) != len(ids):
        raise SystemExit("two creates answered the same visit")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for body, visit_id, token in created[:: max(1, len(created) // 16)]:
        headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": body["uuid"],
        }
        status, answer, response = _call(connection, "POST", "/api/v1/visits/", body, headers)
        if status != 201 or json.loads(answer)["id"] != visit_id or response.getheader("Idempotent-Replayed") != "true":
            raise SystemExit(f"a repeated create answered {status}, not the first answer replayed")
    uuids = json.dumps([body["uuid"] for body, _id, _token in created])
    script = f"from visits.models import Visit; print(Visit.objects.filter(uuid__in={uuids}).count())"
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=_environment(url), check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    stored = int(out.stdout.strip().splitlines()[-1])
    if stored != len(created):
        raise SystemExit(f"{len(created)} visits created, {stored} stored")
    print(f"every create stored once ({stored} visits), repeats answered the first visit again: holds")


# --- the run -------------------------------------------------------------------------------------


def _gunicorn(args, url: str, port: int) -> subprocess.Popen:
    command = [PYTHON, "-m", "gunicorn", "ka_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
               str(args.workers), "--worker-class", args.worker_class, "--log-level", "warning"]  # fmt: skip
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    env = {**_environment(url), "API_LIST_CACHE": "true" if args.list_cache == "on" else "false"}
    return subprocess.Popen(command, cwd=args.source, env=env)


def _measure(args, url: str) -> bool:
    port = _free_port()
    server = _gunicorn(args, url, port)
    held = True
    try:
        _wait(port, server)
        kind = args.worker_class + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        print(f"gunicorn {args.workers} workers ({kind}), database {url.split(':', 1)[0]}, load {_load_average()}")
        if args.lists:
            token = _token(port, "admin")
            print(f"reads: {args.clients} clients, {args.seconds:g} s an endpoint, as admin; me/ measured again "
                  f"right before each list, and the list's ratio taken against that me/; list pages kept in memory: "
                  f"{args.list_cache} (kept: the share of answers that came from there)")  # fmt: skip
            print(f"{'endpoint':38} {'requests':>8} {'rps':>7} {'p50 ms':>7} {'p95 ms':>7} {'me/ rps':>7} {'of me/':>7}"
                  f" {'kept':>5}  target")  # fmt: skip
            lists_held = True
            for path in args.only or LISTS:
                me = _load(port, token, ME, args.seconds, args.clients)
                kept: list[bool] = []
                times = _load(port, token, path, args.seconds, args.clients, kept)
                me_rps, rps = len(me) / args.seconds, len(times) / args.seconds
                ratio = rps / me_rps
                lists_held &= ratio >= TARGET
                print(f"{path:38} {len(times):8d} {rps:7.1f} {_percentile(times, 0.5) * 1000:7.1f} "
                      f"{_percentile(times, 0.95) * 1000:7.1f} {me_rps:7.1f} {ratio:7.2f} "
                      f"{sum(kept) / max(1, len(kept)):5.0%}  "
                      f"≥ {TARGET:.2f}: {'holds' if ratio >= TARGET else 'MISSED'}")  # fmt: skip
            held &= lists_held
            print("every list at ≥ 0.5 of me/'s rps:", "holds" if lists_held else "MISSED", f"(load {_load_average()})")
        if args.post:
            plan = _phones_plan(url, args.counts)
            if url.startswith("postgres"):
                _analyze(url)
            pace = f"one every {args.post_interval:g} s (±50 %) each" if args.post_interval else "back to back"
            print(f"writes: {args.post_clients} phones of {len(plan)} reps, {args.post_seconds:g} s a phase, "
                  f"POST /api/v1/visits/ with {args.counts} stock counts each, {pace}")  # fmt: skip
            phases = ["database", "api"] if args.check_outs == "both" else [args.check_outs]
            for check_outs in phases:
                print(PHASES[check_outs])
                times, out_times, created = _post_visits(
                    port, plan, args.post_clients, args.post_seconds, args.post_interval, url, check_outs
                )
                held &= _post_line("POST /api/v1/visits/", times, args.post_seconds, target=True)
                if out_times:
                    _post_line("POST /api/v1/visits/{id}/check-out/", out_times, args.post_seconds, target=False)
                _check_created(port, url, created)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return held


PHASES = {
    "database": "creates alone: each visit checked out by an UPDATE of its row from the bench's own connection, "
    "untimed (the server makes only the creates)",
    "api": "creates with check-outs: each phone checks its visit out by the API before its next create (the server "
    "makes both; the create is timed, the check-out shown beside it)",
}


def _post_line(path: str, times: list[float], seconds: float, *, target: bool) -> bool:
    """Print one phase's line for `path`; whether its p95 is within the target (`target`: checked and printed)."""
    p50, p95 = _percentile(times, 0.5) * 1000, _percentile(times, 0.95) * 1000
    ok = p95 <= POST_P95_MS
    verdict = f"p95 ≤ {POST_P95_MS:.0f} ms: {'holds' if ok else 'MISSED'} " if target else ""
    print(f"{path:38} {len(times):8d} {len(times) / seconds:7.1f} {p50:7.1f} {p95:7.1f}  {verdict}"
          f"(load {_load_average()})")  # fmt: skip
    return ok or not target


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--keep", action="store_true", help="keep <name>_bench for another run")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a copy of a <name>_bench kept by --keep, as it is"
    )
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--post-clients", type=int, default=16)
    parser.add_argument("--post-seconds", type=float, default=15.0)
    parser.add_argument("--counts", type=int, default=16, help="stock counts per created visit")
    parser.add_argument(
        "--post-interval", type=float, default=0.0, help="seconds between a phone's creates (0: back to back)"
    )
    parser.add_argument(
        "--list-cache", choices=["on", "off"], default="on", help="off: every list page built (API_LIST_CACHE=false)"
    )
    parser.add_argument(
        "--check-outs",
        choices=["both", "database", "api"],
        default="both",
        help="how each created visit is checked out before the phone's next create: by the bench in the database "
        "(the create alone), by the API (creates with check-outs), or both, one phase each",
    )
    parser.add_argument("--only", nargs="*", help="these list paths instead of all (me/ is always measured)")
    parser.add_argument("--no-lists", dest="lists", action="store_false")
    parser.add_argument("--no-post", dest="post", action="store_false")
    parser.add_argument("--source", default=str(ROOT), help="the checkout to serve (another one for a before/after)")
    args = parser.parse_args()

    base = args.database_url
    if not base.startswith("postgres"):
        with tempfile.TemporaryDirectory() as folder:
            url = base or f"sqlite:///{Path(folder) / 'bench_api.sqlite3'}"
            if not base:
                _seed(url)
            return 0 if _measure(args, url) else 1
    # a kept database is measured on a fresh copy, dropped after: the creates of one run (some 1,800 visits) are
    # not in the next one's lists, and every run starts from the same rows
    url = twin_database(_bench_url(base), "_run") if args.reuse else bench_database(base)
    try:
        started = time.perf_counter()
        if not args.reuse:
            _seed(url)
        _analyze(url)
        print(f"{url.rsplit('/', 1)[1]}: {'' if args.reuse else 'migrated, seeded and '}analyzed in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        return 0 if _measure(args, url) else 1
    finally:
        if args.reuse or not args.keep:
            drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
