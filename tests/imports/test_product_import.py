"""Product import: prices as exact decimals, packs per case, every kind of bad cell, re-import."""

from decimal import Decimal

import pytest

from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Product
from tests.factories import ProductFactory

from .xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db

EN = [
    "product code", "barcode", "product name", "packs per case",
    "suggested retail price", "distributor price", "wholesale price", "active",
]  # fmt: skip
ZH = ["产品编码", "条码", "产品名称", "箱规", "建议零售价", "经销商进价", "二批价", "有效"]


@pytest.mark.parametrize("headers", [EN, ZH], ids=["english", "chinese"])
def test_good_file_creates_products_with_exact_prices(admin_user, headers):
    # given prices typed as numbers (floats inside the file) and as text
    rows = [
        ["P1", 6901234567892, "啤酒 500ml", 12, 5.5, 3.8, 4.1, "是"],
        ["P2", None, "薯片", "24", "12.30", "9", "10.05", "no"],
    ]
    # when
    result = run_import(kind=KINDS["products"], source=xlsx_upload(headers, rows), user=admin_user)
    # then
    assert (result.created, result.updated) == (2, 0)
    beer = Product.objects.get(code="P1")
    assert beer.barcode == "6901234567892"
    assert (beer.suggested_retail_price, beer.distributor_price, beer.wholesale_price) == (
        Decimal("5.50"),
        Decimal("3.80"),
        Decimal("4.10"),
    )
    assert beer.active is True
    chips = Product.objects.get(code="P2")
    assert (chips.packs_per_case, chips.wholesale_price, chips.active) == (24, Decimal("10.05"), False)


def test_reimport_updates_by_code(admin_user):
    ProductFactory(code="P1", name="旧", suggested_retail_price=Decimal("5.50"))

    result = run_import(
        kind=KINDS["products"],
        source=xlsx_upload(EN, [["P1", None, "新", 6, "6.00", "4.00", "4.50", None]]),
        user=admin_user,
    )

    assert (result.created, result.updated) == (0, 1)
    product = Product.objects.get()
    assert (product.name, product.packs_per_case, product.suggested_retail_price) == ("新", 6, Decimal("6.00"))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("packs per case", 0, "Packs per case must be between 1 and 10000; 0 is not."),
        ("packs per case", 2.5, "“2.5” is not a whole number."),
        ("packs per case", "十二", "“十二” is not a number."),
        ("suggested retail price", -1, "Suggested retail price must not be negative; -1.00 is."),
        ("suggested retail price", 5.555, "More than 2 decimal places: 5.555."),
        ("distributor price", "abc", "“abc” is not a number."),
        ("wholesale price", None, "A value is required."),
        ("product name", "   ", "A value is required."),
        ("active", "maybe", "“maybe” is not yes/no (是/否, 1/0)."),
    ],
)
def test_a_bad_cell_is_reported_with_its_row_and_column(admin_user, column, value, message):
    # given a good row and then a row with one bad cell
    good = ["P1", None, "啤酒", 12, "5.50", "3.80", "4.10", None]
    bad = ["P2", None, "薯片", 12, "5.50", "3.80", "4.10", None]
    bad[EN.index(column)] = value
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["products"], source=xlsx_upload(EN, [good, bad]), user=admin_user)
    # then
    assert errors_of(excinfo) == [(3, column, message)]
    assert not Product.objects.exists()


def test_a_date_in_a_number_column_is_a_wrong_type(admin_user):
    from datetime import date

    with pytest.raises(ImportRejected) as excinfo:
        run_import(
            kind=KINDS["products"],
            source=xlsx_upload(EN, [["P1", None, "啤酒", 12, date(2026, 1, 1), "3.80", "4.10", None]]),
            user=admin_user,
        )

    assert errors_of(excinfo) == [(2, "suggested retail price", "Expected a number, found a date.")]
