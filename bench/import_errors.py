"""Benchmark: what a refused import costs — 200,000 bad delivery rows (~3 MB) against a good import.

    .venv/bin/python bench/import_errors.py            # SQLite (a scratch file per scenario)
    .venv/bin/python bench/import_errors.py --rows 50000 --good-rows 10000

Generates the workbooks once (openpyxl write-only), then runs each scenario in a child process of its
own (so its memory figures are its own) on a fresh scratch SQLite database: POST /api/v1/imports/
deliveries/ as an admin through the real API view, the request built before measuring. Per scenario it
prints the time, the process's resident memory before, at its peak (VmHWM, reset first) and after
(after gc), the peak of Python allocations (tracemalloc, in a second pass, not timed) and the size of
the answer. Scenarios, measured in the same run:

    good      a good file of --good-rows rows (the baseline: what an accepted import costs)
    bad-small --good-rows bad rows (to show the cost of a refused file does not grow with its rows)
    bad       --rows bad rows: each row has an unknown store code and a quantity of 0 (two problems)

Targets (issue 10, defect 9: 200,000 bad rows took 28.6 s, grew the process from 133 to 489 MB and
answered 39 MB of JSON): answer ≤ 100 KB; peak extra Python memory ≤ 50 MB; resident memory after the
import within 50 MB of before; flat: from the small refused file to the big one, each further row adds at
most 250 bytes to the peak (what openpyxl's read-only parser keeps a row, and the refused file's key
hashes; the problems themselves add nothing); a refused row (two problems each here) costs at most 1.5×
the time of an accepted one.
"""

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STORES, PRODUCTS = 100, 50
HEADERS = ["门店编码", "产品编码", "进货日期", "数量（包）"]
MB = 1024 * 1024


def generate_good(path: Path, rows: int) -> None:
    """Deliveries of known stores and products, a day per STORES × PRODUCTS rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("进货")
    sheet.append(HEADERS)
    for number in range(rows):
        day, rest = divmod(number, STORES * PRODUCTS)
        store, product = divmod(rest, PRODUCTS)
        sheet.append([f"BS{store:04d}", f"BP{product:03d}", date(2026, 3, 1) + timedelta(days=day), 6 + number % 40])
    workbook.save(path)


def generate_bad(path: Path, rows: int) -> None:
    """Every row bad twice: a store code nobody has, and a quantity of 0."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("进货")
    sheet.append(HEADERS)
    for number in range(rows):
        sheet.append([f"XS{number:06d}", f"BP{number % PRODUCTS:03d}", date(2026, 3, 1), 0])
    workbook.save(path)


def _status() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in bytes."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) * 1024
    return values


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # resets VmHWM to the current VmRSS (Linux ≥ 4.0)
        return True
    except OSError:
        return False


def child(scenario: str, path: Path) -> dict:
    """Runs inside a fresh process: a scratch database, the company, then the measured upload."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ka_portal.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    scratch = tempfile.mkdtemp(prefix="ka-bench-")
    real_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{scratch}/bench.sqlite3"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return _measure(scenario, path)
    finally:
        connection.creation.destroy_test_db(real_name, verbosity=0)


def _measure(scenario: str, path: Path) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIRequestFactory, force_authenticate

    from accounts.models import KeyAccount
    from accounts.roles import Role
    from accounts.services import user_set_role
    from imports.api import ImportJobSerializer, ImportView
    from imports.models import ImportJob
    from stores.models import Delivery, Product, Store

    admin = get_user_model().objects.create_user("bench_admin")
    user_set_role(user=admin, role=Role.ADMIN)
    account = KeyAccount.objects.create(code="BKA", name="基准系统", tier=KeyAccount.Tier.NKA)
    Store.objects.bulk_create(Store(account=account, code=f"BS{s:04d}", name=f"门店{s}") for s in range(STORES))
    Product.objects.bulk_create(
        Product(
            code=f"BP{p:03d}",
            name=f"产品{p}",
            packs_per_case=12,
            suggested_retail_price=5,
            distributor_price=3,
            wholesale_price=4,
        )
        for p in range(PRODUCTS)
    )
    content = path.read_bytes()
    view = ImportView.as_view()

    def upload():
        request = APIRequestFactory().post(
            "/api/v1/imports/deliveries/",
            {"file": SimpleUploadedFile(path.name, content)},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        force_authenticate(request, user=admin)
        return request

    # Pass 1, timed: resident memory before, at the peak and after.
    request = upload()
    gc.collect()
    before = _status()["VmRSS"]
    exact_peak = _reset_peak_rss()
    started = time.perf_counter()
    # Without a broker the job runs in the request (after its commit): the 202 comes once it has run.
    response = view(request, kind="deliveries")
    response.render()
    seconds = time.perf_counter() - started
    peak = _status()["VmHWM"]
    # What a client then reads at the job's status URL.
    job = ImportJob.objects.prefetch_related("problems").get(pk=json.loads(response.content)["id"])
    body = JSONRenderer().render(ImportJobSerializer(job).data)
    status_code = job.status
    answer = json.loads(body)
    del response, request
    gc.collect()
    after = _status()["VmRSS"]
    written = Delivery.objects.count()
    Delivery.objects.all().delete()

    # Pass 2, not timed: the peak of Python allocations (tracemalloc slows everything down several times).
    request = upload()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    view(request, kind="deliveries").render()
    traced_peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()

    return {
        "scenario": scenario,
        "file_bytes": len(content),
        "status": status_code,
        "problems": answer["problems_total"],
        "listed": len(answer.get("errors", [])),
        "written": written,
        "seconds": seconds,
        "rss_before": before,
        "rss_peak": peak,
        "rss_peak_exact": exact_peak,
        "rss_after": after,
        "traced_peak": traced_peak,
        "answer_bytes": len(body),
    }


def _run_child(scenario: str, path: Path) -> dict:
    run = subprocess.run(
        [sys.executable, __file__, "--child", scenario, str(path)],
        env={
            **os.environ,
            "DATABASE_URL": "",
            "CELERY_BROKER_URL": "",
            "REDIS_URL": "",
            "MEDIA_ROOT": str(path.parent),
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if run.returncode:
        print(run.stderr, file=sys.stderr)
        raise SystemExit(run.returncode)
    return json.loads(run.stdout.strip().splitlines()[-1])


def _line(result: dict) -> str:
    return (
        f"{result['scenario']:<9} {result['rows']:>7} rows {result['file_bytes'] / MB:5.1f} MB file → "
        f"{result['status']} in {result['seconds']:6.1f} s; RSS {result['rss_before'] / MB:4.0f} → peak "
        f"{result['rss_peak'] / MB:4.0f} → after {result['rss_after'] / MB:4.0f} MB; tracemalloc peak "
        f"{result['traced_peak'] / MB:5.1f} MB; answer {result['answer_bytes'] / 1024:7.1f} KB "
        f"({result['listed']} of {result['problems']} problems listed, {result['written']} rows written)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="bad rows in the big file")
    parser.add_argument("--good-rows", type=int, default=20_000, help="rows of the baseline and the small bad file")
    parser.add_argument("--child", nargs=2, metavar=("SCENARIO", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="ka-bench-"))
    files = {"good": workdir / "good.xlsx", "bad-small": workdir / "bad-small.xlsx", "bad": workdir / "bad.xlsx"}
    started = time.perf_counter()
    generate_good(files["good"], args.good_rows)
    generate_bad(files["bad-small"], args.good_rows)
    generate_bad(files["bad"], args.rows)
    print(f"generated in {time.perf_counter() - started:.1f} s")

    rows = {"good": args.good_rows, "bad-small": args.good_rows, "bad": args.rows}
    results = {}
    for scenario, path in files.items():
        results[scenario] = {**_run_child(scenario, path), "rows": rows[scenario]}
        print(_line(results[scenario]), flush=True)
    good, small, bad = results["good"], results["bad-small"], results["bad"]
    if not bad["rss_peak_exact"]:
        print("note: /proc/self/clear_refs was not writable; the RSS peaks are the process's whole life")

    per_row = {name: result["seconds"] / result["rows"] for name, result in results.items()}
    scale = args.rows / args.good_rows
    print(
        f"ratios    bad vs good (same run): time per row {per_row['bad'] / per_row['good']:.2f}×, "
        f"tracemalloc peak {bad['traced_peak'] / good['traced_peak']:.2f}×; "
        f"bad vs bad-small ({scale:g}× the rows): peak {bad['traced_peak'] / small['traced_peak']:.2f}×"
    )
    growth = (bad["traced_peak"] - small["traced_peak"]) / (args.rows - args.good_rows)
    targets = [
        ("answer ≤ 100 KB", bad["answer_bytes"] <= 100 * 1024, f"{bad['answer_bytes'] / 1024:.1f} KB"),
        ("peak extra Python memory ≤ 50 MB", bad["traced_peak"] <= 50 * MB, f"{bad['traced_peak'] / MB:.1f} MB"),
        (
            "resident memory after ≤ before + 50 MB",
            bad["rss_after"] - bad["rss_before"] <= 50 * MB,
            f"{(bad['rss_after'] - bad['rss_before']) / MB:+.0f} MB",
        ),
        (
            "flat: each further row adds ≤ 250 bytes to the peak (the problems add nothing)",
            growth <= 250,
            f"{growth:.0f} bytes a row from {args.good_rows} to {args.rows} rows",
        ),
        (
            "a refused row (two problems) costs ≤ 1.5× the time of an accepted one",
            per_row["bad"] <= 1.5 * per_row["good"],
            f"{per_row['bad'] * 1e6:.0f} vs {per_row['good'] * 1e6:.0f} µs a row",
        ),
        ("at most 100 problems listed, all counted", bad["listed"] <= 100 and bad["problems"] >= bad["rows"], ""),
        ("nothing written by a refused file", bad["written"] == 0 and small["written"] == 0, ""),
    ]
    ok = True
    for name, holds, figure in targets:
        ok = ok and holds
        print(f"target    {'OK  ' if holds else 'MISS'} {name}{': ' + figure if figure else ''}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
