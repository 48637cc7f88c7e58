"""Benchmark: import 50,000 delivery rows from .xlsx, against a naive per-row ORM import of 2,000 rows.

    .venv/bin/python bench/import_deliveries.py                 # SQLite (a scratch file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ka_imports .venv/bin/python bench/import_deliveries.py
                                                                # SQLite, then PostgreSQL (a scratch database)

Generates the workbook once (openpyxl write-only), then per database runs in a child process on a
fresh scratch database (Django's test-database machinery: created, migrated, dropped): the real
import (`run_import`, first as 50,000 inserts, then the same file again as 50,000 updates) and the
naive baseline (load the workbook normally, then per row look up the store and product and
`update_or_create` the delivery) on a 2,000-row subset. Prints rows, seconds, rows/s and the ratio.
The target (SPEC / issue 3): 50,000 rows in under 60 s on this machine.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STORES, PRODUCTS, DAYS = 200, 50, 5  # 200 × 50 × 5 = 50,000 rows
NAIVE_ROWS = 2_000
TARGET_SECONDS = 60
HEADERS = ["门店编码", "产品编码", "进货日期", "数量（包）", "单价", "单号"]


def generate(path: Path, *, start: date, days: int, stores: int = STORES, products: int = PRODUCTS) -> int:
    """Write a delivery workbook the way an ERP export looks: dates as dates, prices as numbers."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("进货")
    sheet.append(HEADERS)
    rows = 0
    for day in range(days):
        when = start + timedelta(days=day)
        for s in range(stores):
            for p in range(products):
                sheet.append([f"BS{s:04d}", f"BP{p:03d}", when, 6 + (s + p) % 40, 3.5 + p % 10 / 10, f"DN{day}-{s}"])
                rows += 1
    workbook.save(path)
    return rows


def child(big: Path, small: Path) -> dict:
    """Runs inside a process whose DATABASE_URL names the database to measure on."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ka_portal.settings")
    import django

    django.setup()
    from django.db import connection

    scratch = tempfile.mkdtemp(prefix="ka-bench-")
    vendor = connection.vendor
    real_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{scratch}/bench.sqlite3" if vendor == "sqlite" else "bench_ka_imports"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return _measure(vendor, big, small)
    finally:
        connection.creation.destroy_test_db(real_name, verbosity=0)


def _measure(vendor: str, big: Path, small: Path) -> dict:
    from django.contrib.auth import get_user_model
    from openpyxl import load_workbook

    from accounts.models import KeyAccount
    from accounts.roles import Role
    from accounts.services import user_set_role
    from imports.registry import KINDS
    from imports.runner import run_import
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
    kind = KINDS["deliveries"]

    started = time.perf_counter()
    with big.open("rb") as source:
        first = run_import(kind=kind, source=source, user=admin)
    insert_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with big.open("rb") as source:
        again = run_import(kind=kind, source=source, user=admin)
    update_seconds = time.perf_counter() - started
    assert Delivery.objects.count() == first.rows == first.created == again.updated

    # The naive way: a normal (not streaming) workbook, and per row two lookups and an update_or_create.
    started = time.perf_counter()
    workbook = load_workbook(small)
    naive_rows = 0
    for store_code, product_code, when, quantity, price, reference in workbook.active.iter_rows(
        min_row=2, values_only=True
    ):
        Delivery.objects.update_or_create(
            store=Store.objects.get(code=store_code),
            product=Product.objects.get(code=product_code),
            date=when.date(),
            reference=reference,
            defaults={"quantity": int(quantity), "unit_price": price},
        )
        naive_rows += 1
    naive_seconds = time.perf_counter() - started

    return {
        "vendor": vendor,
        "rows": first.rows,
        "insert_seconds": insert_seconds,
        "update_seconds": update_seconds,
        "naive_rows": naive_rows,
        "naive_seconds": naive_seconds,
    }


def report(result: dict) -> bool:
    rows, naive_rows = result["rows"], result["naive_rows"]
    insert_rate = rows / result["insert_seconds"]
    naive_rate = naive_rows / result["naive_seconds"]
    name = result["vendor"]
    print(f"{name:<10} import (new)     {rows:>6} rows {result['insert_seconds']:7.1f} s {insert_rate:8.0f} rows/s")
    print(
        f"{name:<10} re-import (upd.) {rows:>6} rows {result['update_seconds']:7.1f} s "
        f"{rows / result['update_seconds']:8.0f} rows/s"
    )
    print(f"{name:<10} naive per-row    {naive_rows:>6} rows {result['naive_seconds']:7.1f} s {naive_rate:8.0f} rows/s")
    print(f"{name:<10} baseline ratio   {insert_rate / naive_rate:.1f}× faster than per-row saves")
    ok = max(result["insert_seconds"], result["update_seconds"]) < TARGET_SECONDS
    print(f"{name:<10} target           {'OK' if ok else 'TOO SLOW'}: under {TARGET_SECONDS} s for {rows} rows")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("BIG", "SMALL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child[0]), Path(args.child[1]))))
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="ka-bench-"))
    big, small = workdir / "deliveries-50000.xlsx", workdir / "deliveries-2000.xlsx"
    started = time.perf_counter()
    rows = generate(big, start=date(2026, 3, 1), days=DAYS)
    print(f"generated  {rows} rows in {time.perf_counter() - started:.1f} s ({big.stat().st_size / 1e6:.1f} MB)")
    # The naive subset: other days, so its rows are new inserts as in the real import's first run.
    generate(small, start=date(2026, 4, 1), days=1, stores=NAIVE_ROWS // PRODUCTS)

    databases = [("sqlite", "")]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        databases.append(("postgresql", os.environ["DATABASE_URL"]))
    ok = True
    for _name, url in databases:
        env = {**os.environ, "DATABASE_URL": url}
        run = subprocess.run(
            [sys.executable, __file__, "--child", str(big), str(small)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if run.returncode:
            print(run.stderr, file=sys.stderr)
            return run.returncode
        ok = report(json.loads(run.stdout.strip().splitlines()[-1])) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
