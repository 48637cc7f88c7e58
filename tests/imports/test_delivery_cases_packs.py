"""A delivery's quantity in the import as the portal writes quantities, `cases/packs` (QA: `2/5` was "not a number"),
besides plain packs; a pack count of a case or more is an input error (SPEC, "Stock count notation"), said with what
to write. The delivery date's header as distributors' sheets head it (送货日期). And the deliveries list reads
quantity × price = amount (QA: "数量 2 | 单价 4.50 | 金额 108.00" for 24 packs)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Delivery
from tests.factories import DeliveryFactory, ListingFactory, ProductFactory, StoreFactory

from .xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db

EN = ["store code", "product code", "date", "quantity (packs)", "unit price", "reference"]


@pytest.fixture
def store_and_product(db):
    return StoreFactory(code="S1"), ProductFactory(code="P1", packs_per_case=12)


def test_a_quantity_in_cases_and_packs_is_read_into_packs(admin_user, store_and_product):
    rows = [
        ["S1", "P1", "2026-03-01", "2/5", 4.5, "DN-1"],  # two cases and five packs of 12
        ["S1", "P1", "2026-03-02", "２／０", 4.5, "DN-2"],  # full-width, as a Chinese keyboard types it
        ["S1", "P1", "2026-03-03", 24, 4.5, "DN-3"],  # plain packs, as before
        ["S1", "P1", "2026-03-04", "0/7", 4.5, "DN-4"],
    ]
    run_import(kind=KINDS["deliveries"], source=xlsx_upload(EN, rows), user=admin_user)
    assert list(Delivery.objects.order_by("date").values_list("quantity", flat=True)) == [29, 24, 24, 7]


def test_a_pack_count_of_a_case_or_more_is_an_input_error_saying_what_to_write(admin_user, store_and_product):
    rows = [
        ["S1", "P1", "2026-03-01", "1/12", None, "DN-1"],
        ["S1", "P1", "2026-03-02", "1/2/3", None, "DN-2"],
        ["S1", "P1", "2026-03-03", datetime(2026, 2, 5), None, "DN-3"],  # 2/5 typed where Excel makes it a date
        ["S1", "P9", "2026-03-04", "1/2", None, "DN-4"],  # no such product: its case is unknown, said once
    ]
    with pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["deliveries"], source=xlsx_upload(EN, rows), user=admin_user)
    problems = errors_of(rejected)
    assert [(row, column) for row, column, _m in problems] == [
        (2, "quantity (packs)"),
        (3, "quantity (packs)"),
        (4, "quantity (packs)"),
        (5, "product code"),
    ]
    assert problems[0][2] == "12 packs is a case or more: a case holds 12 packs, so write 2."
    assert "is not cases/packs" in problems[1][2]
    assert "Excel reads 2/5 typed in a cell as a date" in problems[2][2]
    assert not Delivery.objects.exists()


def test_songhuo_riqi_heads_the_delivery_date(admin_user, store_and_product):
    headers = ["门店编码", "产品编码", "送货日期", "数量", "单号"]
    run_import(kind=KINDS["deliveries"], source=xlsx_upload(headers, [["S1", "P1", "2026-03-01", 24, "DN-1"]]),
               user=admin_user)  # fmt: skip
    assert Delivery.objects.get().date == date(2026, 3, 1)


def test_the_deliveries_list_shows_the_packs_its_price_per_pack_multiplies(client, admin_user):
    listing = ListingFactory(product__packs_per_case=12, purchase_price=Decimal("4.50"))
    DeliveryFactory(store=listing.store, product=listing.product, quantity=24, unit_price=None)
    client.force_login(admin_user)
    html = client.get(reverse("stores:delivery-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    cell = html.split('data-testid="delivery-quantity">', 1)[1].split("</td>", 1)[0]
    assert cell.startswith("2<") and "24 包" in cell  # two cases, and the 24 packs 4.50 is the price of
    assert "108.00" in html
    english = client.get(reverse("stores:delivery-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Price per pack" in english and "24 packs" in english
