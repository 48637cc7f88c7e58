"""API lists beside `GET /api/v1/me/` on gunicorn (issue 17 item 3): requests per second and p50/p95 per endpoint.

    .venv/bin/python bench/api.py [--database-url URL] [--seconds 8] [--clients 4] [--workers 2] [--source DIR]

Serves the demo with gunicorn (`--workers`, sync workers, DEBUG off) on 127.0.0.1 at a free port, signs in as
`admin` for a django-rest-knox token (`POST /api/v1/auth/token/`, password demo1234), then loads one endpoint at a
time: `--clients` threads, each with its own keep-alive http.client connection, send GETs for `--seconds` (and
at most 20,000 requests an endpoint), after one warm-up request each. Every answer must be 200. Printed per
endpoint: requests, requests per second, p50 and p95 in ms, and rps as a ratio of me/'s in the same run; the
target (issue 17: every list at ≥ 0.5 of me/'s rps) and whether it holds.

Without --database-url a scratch SQLite file is made in a temporary folder (`migrate`, `seed_demo`: some minutes);
`--database-url postgres://…` measures against PostgreSQL (seeded beforehand with `manage.py seed_demo`).
`--source DIR` serves another checkout of the project (e.g. main before a change) against the same database.
Everything stays on 127.0.0.1; the run is bounded in time and count and stops the server it started.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET = 0.5  # of me/'s requests per second
MAX_REQUESTS = 20_000
ENDPOINTS = [
    "/api/v1/me/",
    "/api/v1/stores/",
    "/api/v1/visits/?page_size=50",
    "/api/v1/products/",
    "/api/v1/listings/",
    "/api/v1/invoices/",
    "/api/v1/deliveries/",
    "/api/v1/suggested-orders/",
    "/api/v1/tasks/",
    "/api/v1/routes/",
    "/api/v1/contacts/",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "ka_portal.settings"}
    env.pop("CELERY_BROKER_URL", None)
    return env


def _scratch_demo(folder: Path) -> str:
    url = f"sqlite:///{folder / 'bench_api.sqlite3'}"
    env = _environment(url)
    for command in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return url


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


def _token(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": "admin", "password": "demo1234"})
    connection.request("POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = response.read()
    if response.status != 200:
        raise SystemExit(f"sign-in answered {response.status}: {answer[:200]!r}")
    return json.loads(answer)["token"]


def _load(port: int, token: str, path: str, seconds: float, clients: int) -> list[float]:
    """Each client's request times (s) for `seconds`, every answer checked for 200."""
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    times: list[float] = []
    lock = threading.Lock()
    failures: list[str] = []
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers=headers)  # warm-up (the worker's first imports, the connection)
        connection.getresponse().read()
        mine = []
        start.wait()
        while time.perf_counter() < stop_at[0] and len(times) + len(mine) * clients < MAX_REQUESTS:
            began = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            if response.status != 200:
                failures.append(f"{path}: {response.status}")
                break
        connection.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + 3600
    start.wait()
    stop_at[0] = time.perf_counter() + seconds
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(failures[0])
    return times


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--source", default=str(ROOT), help="the checkout to serve (another one for a before/after)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or _scratch_demo(Path(folder))
        port = _free_port()
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "ka_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
             "--log-level", "warning"],
            cwd=args.source, env=_environment(url),
        )  # fmt: skip
        try:
            _wait(port, server)
            token = _token(port)
            print(f"gunicorn {args.workers} workers, {args.clients} clients, {args.seconds:g} s an endpoint, "
                  f"database {url.split(':', 1)[0]}")  # fmt: skip
            results = {}
            for path in ENDPOINTS:
                times = _load(port, token, path, args.seconds, args.clients)
                results[path] = (
                    len(times),
                    len(times) / args.seconds,
                    _percentile(times, 0.5),
                    _percentile(times, 0.95),
                )
            base = results["/api/v1/me/"][1]
            print(f"{'endpoint':38} {'requests':>8} {'rps':>7} {'p50 ms':>7} {'p95 ms':>7} {'of me/':>7}  target")
            held = True
            for path, (count, rps, p50, p95) in results.items():
                ratio = rps / base
                verdict = "" if path == "/api/v1/me/" else f"≥ {TARGET:.2f}: {'holds' if ratio >= TARGET else 'MISSED'}"
                held &= path == "/api/v1/me/" or ratio >= TARGET
                print(f"{path:38} {count:8d} {rps:7.1f} {p50 * 1000:7.1f} {p95 * 1000:7.1f} {ratio:7.2f}  {verdict}")
            print("every list at ≥ 0.5 of me/'s rps:", "holds" if held else "MISSED")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
