"""The deliveries export, read from values() rows and written as the sheet's XML text (a month's end export of every
delivery took 81 s in QA; docs/performance.md), holds what it held before: headers as the deliveries import reads
them in the reader's language, then a row a delivery with its date as a date, its prices and amount as numbers of
two decimals, the quantity in packs and as cases/packs, and its reference kept as text."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.utils import translation

from accounts.roles import Role
from ka_portal import excel
from stores.imports import DeliveryImport, header_of
from stores.models import Delivery
from tests.factories import DeliveryFactory, ListingFactory, ProductFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db

KEYS = ["date", "store_code", "store_name", "product_code", "product_name", "quantity", "quantity_cases",
        "unit_price", "price", "amount", "reference"]  # fmt: skip


def _sheet(client, language: str):
    response = client.get("/stores/deliveries/", {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_export_holds_every_delivery_as_its_record_says(client, language):
    store = StoreFactory(code="S001", name="沃尔玛 古北店")
    product = ProductFactory(code="P001", name="啤酒 500ml", packs_per_case=12)
    ListingFactory(store=store, product=product, purchase_price=Decimal("3.30"))
    DeliveryFactory(
        store=store, product=product, date=date(2026, 3, 2), quantity=30, unit_price=Decimal("3.45"), reference="=1+1"
    )
    DeliveryFactory(store=store, product=product, date=date(2026, 3, 1), quantity=7, reference="")
    client.force_login(make_user(Role.ADMIN))

    sheet = _sheet(client, language)

    rows = list(sheet.iter_rows())
    with translation.override(language):
        assert [cell.value for cell in rows[0]] == [str(header_of(DeliveryImport, key)) for key in KEYS]
    assert len(rows) == 1 + Delivery.objects.count()
    newest, oldest = (dict(zip(KEYS, row, strict=True)) for row in rows[1:])
    # newest first; values as the records hold them
    assert [newest[key].value for key in KEYS] == [
        datetime(2026, 3, 2), "S001", "沃尔玛 古北店", "P001", "啤酒 500ml", 30, "2/6", 3.45, 3.45, 103.5, "=1+1"
    ]  # fmt: skip
    assert [oldest[key].value for key in KEYS] == [
        datetime(2026, 3, 1), "S001", "沃尔玛 古北店", "P001", "啤酒 500ml", 7, "0/7", None, 3.3, 23.1, None
    ]  # fmt: skip
    assert newest["date"].is_date and newest["date"].number_format == "yyyy-mm-dd"
    for key in ("unit_price", "price", "amount"):
        assert newest[key].data_type == "n" and newest[key].number_format == excel.MONEY_FORMAT  # 2 decimals
    assert oldest["amount"].number_format == excel.MONEY_FORMAT
    assert newest["reference"].data_type == "s" and newest["reference"].quotePrefix  # text, never a formula


def test_an_export_reads_a_fixed_number_of_queries_however_many_deliveries(client, django_assert_max_num_queries):
    store, product = StoreFactory(), ProductFactory()
    ListingFactory(store=store, product=product)
    for day in range(1, 30):
        DeliveryFactory(store=store, product=product, date=date(2026, 3, day))
    client.force_login(make_user(Role.ADMIN))

    with django_assert_max_num_queries(12):
        response = client.get("/stores/deliveries/", {"export": "xlsx"})
        rows = list(openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows())

    assert len(rows) == 1 + 29
