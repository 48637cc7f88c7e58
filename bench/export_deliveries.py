"""Benchmark: the deliveries list's Excel export of every delivery (80,000 rows), against baselines of the same run.

    .venv/bin/python bench/export_deliveries.py [--rows 80000] [--baseline-rows 8000]

On a scratch SQLite file (Django's test-database machinery: created, migrated, dropped) it fills a company of
200 stores × 40 products with listings and `--rows` deliveries (half with their own price, half at the listing's),
then, through the real page (`/stores/deliveries/?export=xlsx` as an administrator, Django's test client, the file
read to its last byte):

- **export**: every delivery, as the page serves it now (values() rows into openpyxl's streaming sheet);
- **read only**: the same rows read from the database and their column values computed, no workbook (the floor);
- **old way**: `--baseline-rows` deliveries (whole days of 8,000: a date filter) exported as before this change (a
  model instance with its store and product per row), its rate set beside the export's.

Prints rows, wall and CPU seconds and rows/s; the target is the export of 80,000 rows in under 15 s (it took 81 s in
QA, near gunicorn's 120 s timeout). Wall time moves with the load of a shared machine; the CPU time far less.
"""

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STORES, PRODUCTS = 200, 40
TARGET_SECONDS = 15
URL = "/stores/deliveries/"


def fill(rows: int):
    from django.contrib.auth import get_user_model

    from accounts.models import KeyAccount
    from accounts.roles import Role
    from accounts.services import user_set_role
    from stores.models import Delivery, Listing, Product, Store

    admin = get_user_model().objects.create_user("bench_admin")
    user_set_role(user=admin, role=Role.ADMIN)
    account = KeyAccount.objects.create(code="BKA", name="基准系统", tier=KeyAccount.Tier.NKA)
    stores = Store.objects.bulk_create(
        Store(account=account, code=f"BS{s:04d}", name=f"门店{s}") for s in range(STORES)
    )
    products = Product.objects.bulk_create(
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
    Listing.objects.bulk_create(
        Listing(store=s, product=p, purchase_price=Decimal("3.30"), shelf_price=Decimal("5.00"))
        for s in stores
        for p in products
    )
    per_day = STORES * PRODUCTS
    for day in range(-(-rows // per_day)):
        when = date(2026, 3, 1) + timedelta(days=day)
        left = min(per_day, rows - day * per_day)
        Delivery.objects.bulk_create(
            (
                Delivery(
                    store=stores[n // PRODUCTS],
                    product=products[n % PRODUCTS],
                    date=when,
                    quantity=6 + n % 40,
                    unit_price=None if n % 2 else Decimal("3.45"),
                    reference=f"DN{day}-{n // PRODUCTS}",
                )
                for n in range(left)
            ),
            batch_size=2000,
        )
    return admin


def timed(call):
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def export(client, query: dict) -> int:
    """Ask the page for the export; the rows in its sheet (read back from the file's XML: one <row> a row)."""
    response = client.get(URL, {"export": "xlsx", **query})
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml")
    return sheet.count(b"<row ") - 1  # the header row


def measure(rows: int, baseline_rows: int) -> list[tuple[str, int, float, float]]:
    from django.test import Client, RequestFactory

    from ka_portal.lists import value_records
    from stores.models import Delivery
    from stores.views import DeliveryListView

    admin = fill(rows)
    client = Client(SERVER_NAME="localhost")
    client.force_login(admin)
    export(client, {"date_from": "2026-03-01", "date_to": "2026-03-01"})  # warm: URL, templates, translations
    results = []

    written, wall, cpu = timed(lambda: export(client, {}))
    assert written == rows == Delivery.objects.count(), (written, rows)
    results.append(("export", written, wall, cpu))

    def read_only() -> int:
        request = RequestFactory().get(URL)
        request.user = admin
        view = DeliveryListView()
        view.setup(request)
        read = 0
        for record in value_records(view.get_queryset(), view.export_fields):
            [column.value(record) for column in view.export_columns]
            read += 1
        return read

    read, wall, cpu = timed(read_only)
    results.append(("read only", read, wall, cpu))

    # the old way: a model instance a row and openpyxl's writer for every cell, on the first days' deliveries
    per_day = STORES * PRODUCTS
    days = max(1, baseline_rows // per_day)
    fields = DeliveryListView.export_fields
    DeliveryListView.export_fields = ()
    try:
        last = (date(2026, 3, 1) + timedelta(days=days - 1)).isoformat()
        old, wall, cpu = timed(lambda: export(client, {"date_from": "2026-03-01", "date_to": last}))
    finally:
        DeliveryListView.export_fields = fields
    results.append(("old way", old, wall, cpu))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=80_000)
    parser.add_argument("--baseline-rows", type=int, default=8_000)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = ""  # SQLite, a scratch file
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ka_portal.settings")
    import django

    django.setup()
    from django.db import connection

    scratch = tempfile.mkdtemp(prefix="ka-bench-")
    real_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{scratch}/bench.sqlite3"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        results = measure(args.rows, args.baseline_rows)
    finally:
        connection.creation.destroy_test_db(real_name, verbosity=0)
    rates = {}
    for label, rows, wall, cpu in results:
        rates[label] = rows / wall
        print(f"{label:<10} {rows:>6} rows {wall:7.1f} s wall {cpu:6.1f} s CPU {rows / wall:8.0f} rows/s")
    print(f"ratio      export {rates['export'] / rates['old way']:.1f}× the old way's rows/s (same run)")
    export_seconds = results[0][2]
    ok = export_seconds < TARGET_SECONDS
    verdict = "OK" if ok else "TOO SLOW"
    print(f"target     {verdict}: {results[0][1]} rows in {export_seconds:.1f} s (< {TARGET_SECONDS} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
