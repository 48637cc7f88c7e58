"""Delivery import: whole packs, dates, the (store, product, date, reference) key, set-based writes."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from accounts.roles import Role
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Delivery
from tests.factories import DeliveryFactory, KeyAccountFactory, ProductFactory, StoreFactory, make_user

from .xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db

EN = ["store code", "product code", "date", "quantity (packs)", "unit price", "reference"]
ZH = ["门店编码", "产品编码", "进货日期", "数量（包）", "单价", "单号"]


@pytest.fixture
def store_and_product(db):
    return StoreFactory(code="S1"), ProductFactory(code="P1")


@pytest.mark.parametrize("headers", [EN, ZH], ids=["english", "chinese"])
def test_good_file_records_the_deliveries(admin_user, store_and_product, headers):
    rows = [
        ["S1", "P1", datetime(2026, 3, 1), 24, 4.5, "DN-1"],
        ["S1", "P1", "2026-03-02", "36", None, None],
    ]

    result = run_import(kind=KINDS["deliveries"], source=xlsx_upload(headers, rows), user=admin_user)

    assert (result.created, result.updated, result.rows) == (2, 0, 2)
    assert list(Delivery.objects.order_by("date").values_list("date", "quantity", "unit_price", "reference")) == [
        (date(2026, 3, 1), 24, Decimal("4.50"), "DN-1"),
        (date(2026, 3, 2), 36, None, ""),
    ]


def test_reimport_updates_by_store_product_date_and_reference(admin_user, store_and_product):
    # given a delivery already recorded, and another of the same day under another reference
    store, product = store_and_product
    known = DeliveryFactory(store=store, product=product, date=date(2026, 3, 1), quantity=10, reference="DN-1")
    other = DeliveryFactory(store=store, product=product, date=date(2026, 3, 1), quantity=5, reference="DN-2")
    rows = [["S1", "P1", "2026-03-01", 12, None, "DN-1"], ["S1", "P1", "2026-03-01", 7, None, "DN-3"]]
    # when
    result = run_import(kind=KINDS["deliveries"], source=xlsx_upload(EN, rows), user=admin_user)
    # then DN-1 is corrected, DN-3 is new, DN-2 untouched
    assert (result.created, result.updated) == (1, 1)
    known.refresh_from_db()
    other.refresh_from_db()
    assert (known.quantity, other.quantity) == (12, 5)
    assert Delivery.objects.count() == 3
    # and importing the same file again changes nothing
    again = run_import(kind=KINDS["deliveries"], source=xlsx_upload(EN, rows), user=admin_user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Delivery.objects.count() == 3


def test_reimport_without_a_unit_price_column_keeps_the_stored_price(admin_user, store_and_product):
    store, product = store_and_product
    delivery = DeliveryFactory(
        store=store, product=product, date=date(2026, 3, 1), reference="", unit_price=Decimal("4.40")
    )

    run_import(
        kind=KINDS["deliveries"],
        source=xlsx_upload(["store code", "product code", "date", "quantity"], [["S1", "P1", "2026-03-01", 48]]),
        user=admin_user,
    )

    delivery.refresh_from_db()
    assert (delivery.quantity, delivery.unit_price) == (48, Decimal("4.40"))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("quantity (packs)", 0, "A delivery is between 1 and 10000000 packs; 0 is not."),
        ("quantity (packs)", -3, "A delivery is between 1 and 10000000 packs; -3 is not."),
        ("quantity (packs)", 2.5, "“2.5” is not a whole number."),
        ("quantity (packs)", "两箱", "“两箱” is not a number."),
        ("quantity (packs)", None, "A value is required."),
        ("date", "yesterday", "“yesterday” is not a date; write it as YYYY-MM-DD."),
        ("date", 45000, "“45000” is not a date; write it as YYYY-MM-DD."),
        ("date", "2026-02-30", "“2026-02-30” is not a date; write it as YYYY-MM-DD."),
        ("unit price", "4.505", "More than 2 decimal places: 4.505."),
        ("store code", "S404", "No store with the code “S404” that you can reach."),
        ("product code", "P404", "No product with the code “P404”."),
    ],
)
def test_a_bad_cell_is_reported_and_nothing_is_imported(admin_user, store_and_product, column, value, message):
    good = ["S1", "P1", "2026-03-01", 24, None, "DN-1"]
    bad = ["S1", "P1", "2026-03-02", 24, None, "DN-2"]
    bad[EN.index(column)] = value

    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["deliveries"], source=xlsx_upload(EN, [good, bad]), user=admin_user)

    assert errors_of(excinfo) == [(3, column, message)]
    assert not Delivery.objects.exists()


def test_the_same_delivery_twice_in_a_file_is_a_duplicate(admin_user, store_and_product):
    rows = [["S1", "P1", "2026-03-01", 24, None, None], ["S1", "P1", date(2026, 3, 1), 30, None, None]]

    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["deliveries"], source=xlsx_upload(EN, rows), user=admin_user)

    assert errors_of(excinfo) == [
        (
            3,
            "",
            "Same “store code”, “product code”, “date” and “reference” as row 2 of this file: "
            "only one of the two rows can stay.",
        )
    ]


def test_a_manager_records_deliveries_only_for_stores_in_scope(manager):
    StoreFactory(code="MINE", account=KeyAccountFactory(owner=manager))
    StoreFactory(code="THEIRS", account=KeyAccountFactory(owner=make_user(Role.MANAGER, username="mgr_b")))
    ProductFactory(code="P1")
    rows = [["MINE", "P1", "2026-03-01", 24, None, None], ["THEIRS", "P1", "2026-03-01", 24, None, None]]

    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["deliveries"], source=xlsx_upload(EN, rows), user=manager)

    assert errors_of(excinfo) == [(3, "store code", "No store with the code “THEIRS” that you can reach.")]
    assert not Delivery.objects.exists()


def test_queries_do_not_grow_with_the_rows(admin_user, django_assert_max_num_queries):
    # given 20 stores × 10 products, 600 delivery rows of which 200 are already known
    stores = [StoreFactory(code=f"S{i:02d}") for i in range(20)]
    products = [ProductFactory(code=f"P{i:02d}") for i in range(10)]
    rows = []
    for day in (1, 2, 3):
        for store in stores:
            for product in products:
                rows.append([store.code, product.code, f"2026-03-0{day}", 12, "4.50", ""])
    for store in stores:
        for product in products:
            DeliveryFactory(store=store, product=product, date=date(2026, 3, 1), quantity=1, reference="")
    upload = xlsx_upload(EN, rows)
    # when: lookups, existing keys, one upsert batch, savepoints
    with django_assert_max_num_queries(12):
        result = run_import(kind=KINDS["deliveries"], source=upload, user=admin_user)
    # then
    assert (result.created, result.updated) == (400, 200)
    assert Delivery.objects.count() == 600


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_do_not_duplicate(admin_user):
    # given a file of 200 deliveries, uploaded twice at the same moment (a double tap, two tabs):
    # both uploads are checked, then start writing together
    import threading

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from stores.imports import DeliveryImport

    together = threading.Barrier(2)

    class StartingTogether(DeliveryImport):
        def write(self, rows, *, present):
            together.wait(timeout=30)
            return super().write(rows, present=present)

    stores = [StoreFactory(code=f"S{i}") for i in range(10)]
    products = [ProductFactory(code=f"P{i}") for i in range(20)]
    data = xlsx_upload(EN, [[s.code, p.code, "2026-03-01", 6, None, "DN"] for s in stores for p in products]).read()
    results, failures = [], []

    def upload():
        try:
            results.append(
                run_import(kind=StartingTogether(), source=SimpleUploadedFile("d.xlsx", data), user=admin_user)
            )
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then both went through (the second upsert waits on the first's keys, then updates them) and
    # every delivery is there once. (Which of the two counts them as created is decided before the
    # write, so in such a race both may say "created"; the rows never double.)
    assert failures == []
    assert [r.rows for r in results] == [200, 200]
    assert Delivery.objects.count() == 200
    assert set(Delivery.objects.values_list("quantity", flat=True)) == {6}
