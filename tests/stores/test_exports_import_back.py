"""A list exported imports back (QA onboarding report, item 4): the stores, products, listings and deliveries exports
are headed as their imports read them, so a sheet exported, changed in one cell and imported changes that and nothing
else. Before, the stores export (编码, 名称, 重点客户) and the products export were refused for missing columns, the
stores export's frequency in effect would have become every store's override, and the listings export's 生效 was
ignored as an unknown column (its English Store column was even taken for a second store-code column)."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from imports.registry import KINDS
from imports.runner import run_import
from stores.models import Delivery, Listing, Product, Store
from tests.factories import (
    DeliveryFactory,
    KeyAccountFactory,
    ListingFactory,
    ProductFactory,
    StoreFactory,
    make_user,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]


def _export(client, url: str, language: str) -> openpyxl.Workbook:
    response = client.get(url, {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))


def _change(book: openpyxl.Workbook, row: int, header: str, value) -> SimpleUploadedFile:
    """Change one cell (by its column's header) and give the sheet back as an upload."""
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row, headers.index(header) + 1).value = value
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("export.xlsx", buffer.getvalue())


def _stored(model) -> dict:
    return {record.pk: {f.attname: getattr(record, f.attname) for f in model._meta.concrete_fields}
            for record in model.objects.all()}  # fmt: skip


def _only_changed(before: dict, after: dict) -> dict:
    return {pk: {name: value for name, value in after[pk].items() if before[pk][name] != value}
            for pk in after if after[pk] != before.get(pk)}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_stores_export_imports_back_changing_only_the_cell_changed(client, admin_user, language):
    account = KeyAccountFactory(code="HEMA")
    rep = make_user(Role.REP, username="rep1")
    first = StoreFactory(account=account, code="HM001", grade="A", rep=rep, city="上海", region="华东",
                         address="金桥路 1 号", latitude=Decimal("31.230416"), longitude=Decimal("121.473701"),
                         visits_per_week_override=5, opened_on=date(2024, 5, 1))  # fmt: skip
    StoreFactory(account=account, code="HM002", grade="B", active=False)  # follows its grade: no override
    client.force_login(admin_user)
    before = _stored(Store)
    book = _export(client, "/stores/?account=HEMA", language)
    city = "城市" if language == "zh-hans" else "City"

    result = run_import(kind=KINDS["stores"], source=_change(book, 2, city, "杭州"), user=admin_user)

    assert (result.created, result.updated, result.unchanged, result.ignored_columns) == (0, 1, 1, ())
    assert _only_changed(before, _stored(Store)) == {first.pk: {"city": "杭州"}}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_products_export_imports_back_changing_only_the_cell_changed(client, admin_user, language):
    beer = ProductFactory(code="P001", barcode="6910192058881", name="纯生 500ml", brand="海川", category="啤酒",
                          packs_per_case=12, suggested_retail_price=Decimal("5.00"))  # fmt: skip
    ProductFactory(code="P002", active=False)
    client.force_login(admin_user)
    before = _stored(Product)
    book = _export(client, "/stores/products/", language)
    price = "建议零售价" if language == "zh-hans" else "Suggested retail price"

    result = run_import(kind=KINDS["products"], source=_change(book, 2, price, 5.5), user=admin_user)

    assert (result.updated, result.unchanged, result.ignored_columns) == (1, 1, ())
    assert _only_changed(before, _stored(Product)) == {beer.pk: {"suggested_retail_price": Decimal("5.50")}}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_listings_export_imports_back_and_its_active_column_is_applied(client, admin_user, language):
    listing = ListingFactory(store__code="HM001", product__code="P001", listed_on=date(2026, 1, 15),
                             listing_fee=Decimal("3000"), purchase_price=Decimal("4.20"),
                             shelf_price=Decimal("5.20"))  # fmt: skip
    ListingFactory(store=listing.store, product__code="P002")
    client.force_login(admin_user)
    before = _stored(Listing)
    book = _export(client, "/stores/listings/", language)
    active = "有效" if language == "zh-hans" else "Active"

    result = run_import(kind=KINDS["listings"], source=_change(book, 2, active, False), user=admin_user)

    # the store's and product's names are for reference (so headed): recognised, never written
    assert (result.updated, result.unchanged, result.ignored_columns) == (1, 1, ())
    assert _only_changed(before, _stored(Listing)) == {listing.pk: {"active": False}}


def test_an_older_listings_export_has_its_active_column_applied(admin_user):
    listing = ListingFactory(store__code="HM001", product__code="P001", purchase_price=Decimal("4.20"),
                             shelf_price=Decimal("5.20"))  # fmt: skip
    book = openpyxl.Workbook()
    book.active.append(["门店编码", "门店", "产品编码", "产品", "终端进价", "终端零售价", "生效"])
    book.active.append(["HM001", listing.store.name, "P001", listing.product.name, 4.2, 5.2, False])

    result = run_import(kind=KINDS["listings"], source=_change(book, 2, "生效", False), user=admin_user)

    assert (result.updated, result.ignored_columns) == (1, ())
    listing.refresh_from_db()
    assert listing.active is False


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_deliveries_export_imports_back_changing_only_the_cell_changed(client, admin_user, language):
    listing = ListingFactory(store__code="HM001", product__code="P001", product__packs_per_case=12,
                             purchase_price=Decimal("4.20"))  # fmt: skip
    valued_by_listing = DeliveryFactory(store=listing.store, product=listing.product, date=date(2026, 3, 1),
                                        quantity=30, unit_price=None, reference="DN-1")  # fmt: skip
    DeliveryFactory(store=listing.store, product=listing.product, date=date(2026, 3, 2), quantity=12,
                    unit_price=Decimal("4.00"), reference="DN-2")  # fmt: skip
    client.force_login(admin_user)
    before = _stored(Delivery)
    book = _export(client, "/stores/deliveries/", language)
    quantity = "数量（包）" if language == "zh-hans" else "Quantity (packs)"

    result = run_import(kind=KINDS["deliveries"], source=_change(book, 3, quantity, 36), user=admin_user)

    assert (result.updated, result.unchanged, result.ignored_columns) == (1, 1, ())
    # the price it was valued at (the listing's) stays the listing's: its own price stays empty; the row changed is
    # marked changed (updated_at, for the integrations' ?updated_since=), the other is not
    changed = _only_changed(before, _stored(Delivery))
    assert changed[valued_by_listing.pk].pop("updated_at") > before[valued_by_listing.pk]["updated_at"]
    assert changed == {valued_by_listing.pk: {"quantity": 36}}
