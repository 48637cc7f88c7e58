"""Merged cells as a clerk merges them (QA: gap 1): a chain's code merged down its stores' rows, a city or a date merged
over a block of rows. A merged range shows one value beside every row it covers, so the import reads that value in
every cell of the range — required column or optional, in every kind (the runner does it before a kind sees a row). A
cell merged with the headers above it holds no value of its row: it is named, with its code."""

import json
import re
import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from imports import runner, texts
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from ka_portal.errors import DomainError
from stores.models import Delivery, Product, Store
from tests.factories import KeyAccountFactory, ProductFactory, StoreFactory

from .xlsx import errors_of, xlsx_styled

pytestmark = pytest.mark.django_db

STORES = ["account code", "store code", "store name", "city", "grade"]
DELIVERIES = ["门店编码", "产品编码", "进货日期", "数量（包）", "单价", "单号"]
PRODUCTS = ["product code", "product name", "packs per case", "suggested retail price", "distributor price",
            "wholesale price"]  # fmt: skip


def codes_of(excinfo) -> list[tuple]:
    return [(error.row, error.column, error.code) for error in excinfo.value.errors]


def test_an_optional_value_merged_down_counts_for_every_row(admin_user):
    # given a city merged over D2:D4 (only D2 holds 上海), one of the stores already stored in 北京
    KeyAccountFactory(code="WM")
    StoreFactory(code="S2", city="北京", account=KeyAccountFactory(code="OLD"))
    rows = [["WM", "S1", "一店", "上海", "A"], ["WM", "S2", "二店", None, "B"], ["WM", "S3", "三店", None, "C"]]
    # when
    result = run_import(kind=KINDS["stores"], source=xlsx_styled(STORES, rows, merged=["D2:D4"]), user=admin_user)
    # then every store the merged cell stands beside is in 上海: none is left without a city, none keeps 北京
    assert (result.created, result.updated) == (2, 1)
    assert dict(Store.objects.values_list("code", "city")) == {"S1": "上海", "S2": "上海", "S3": "上海"}


def test_a_required_value_merged_down_counts_for_every_row(admin_user):
    # given a store's code merged over A2:A4, its three deliveries beside it
    StoreFactory(code="S1")
    ProductFactory(code="P1")
    rows = [
        ["S1", "P1", "2026-11-23", 24, 4.5, "DN-1"],
        [None, "P1", "2026-11-24", 12, 4.5, "DN-2"],
        [None, "P1", "2026-11-25", 12, 4.5, "DN-3"],
    ]
    # when
    result = run_import(
        kind=KINDS["deliveries"], source=xlsx_styled(DELIVERIES, rows, merged=["A2:A4"]), user=admin_user
    )
    # then the three are the store's
    assert result.created == 3
    assert set(Delivery.objects.values_list("store__code", "reference")) == {("S1", "DN-1"), ("S1", "DN-2"),
                                                                              ("S1", "DN-3")}  # fmt: skip


def test_an_empty_cell_outside_the_merged_range_is_still_required(admin_user):
    # given the store code merged over A2:A3 and a product code left empty in row 4
    StoreFactory(code="S1")
    ProductFactory(code="P1")
    rows = [["S1", "P1", "2026-11-23", 24, 4.5, "DN-1"], [None, "P1", "2026-11-24", 12, 4.5, "DN-2"],
            ["S1", None, "2026-11-25", 12, 4.5, "DN-3"]]  # fmt: skip
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["deliveries"], source=xlsx_styled(DELIVERIES, rows, merged=["A2:A3"]), user=admin_user)
    # then only row 4's empty cell is a problem
    assert errors_of(excinfo) == [(4, "产品编码", "A value is required.")]
    assert codes_of(excinfo) == [(4, "产品编码", "import.required")]
    assert not Delivery.objects.exists()


def test_a_bad_value_merged_down_is_named_on_every_row_it_covers(admin_user):
    # given a date typed wrong once, merged over C2:C3
    StoreFactory(code="S1")
    ProductFactory(code="P1")
    rows = [["S1", "P1", "11月23号", 24, 4.5, "DN-1"], ["S1", "P1", None, 12, 4.5, "DN-2"]]
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["deliveries"], source=xlsx_styled(DELIVERIES, rows, merged=["C2:C3"]), user=admin_user)
    # then both rows say why, each with its row
    message = "“11月23号” is not a date; write it as YYYY-MM-DD."
    assert errors_of(excinfo) == [(2, "进货日期", message), (3, "进货日期", message)]
    assert codes_of(excinfo) == [(2, "进货日期", "import.bad_date"), (3, "进货日期", "import.bad_date")]


def test_a_range_merged_across_columns_gives_each_column_its_value(admin_user):
    # given a distributor price and a wholesale price shown as one merged cell (E2:F2)
    rows = [["P1", "啤酒", 12, 5, 4, None]]
    # when
    run_import(kind=KINDS["products"], source=xlsx_styled(PRODUCTS, rows, merged=["E2:F2"]), user=admin_user)
    # then both prices are the one shown
    product = Product.objects.get(code="P1")
    assert (product.distributor_price, product.wholesale_price) == (Decimal("4.00"), Decimal("4.00"))


def test_a_row_only_a_merged_range_reaches_is_a_blank_row(admin_user):
    # given a chain's code merged over A2:A5, and row 5 otherwise empty (the merge went one row too far)
    KeyAccountFactory(code="WM")
    rows = [["WM", "S1", "一店", "上海", "A"], [None, "S2", "二店", "上海", "B"], [None, "S3", "三店", "上海", "C"]]
    # when
    result = run_import(kind=KINDS["stores"], source=xlsx_styled(STORES, rows, merged=["A2:A5"]), user=admin_user)
    # then the three stores are the chain's and row 5 is passed over like any blank row
    assert (result.created, result.rows) == (3, 3)
    assert set(Store.objects.values_list("account__code", flat=True)) == {"WM"}


def test_merged_cells_below_a_title_keep_their_real_rows(admin_user):
    # given a title row, then two products whose name is merged over B3:B4
    rows = [["P1", "啤酒", 12, 5, 4, 4], ["P2", None, "twelve", 5, 4, 4]]
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(
            kind=KINDS["products"],
            source=xlsx_styled(PRODUCTS, rows, above=[["海川 产品表"]], merged=["B3:B4"]),
            user=admin_user,
        )
    # then the one problem is row 4's, as Excel numbers it; its name was read
    assert codes_of(excinfo) == [(4, "packs per case", "import.bad_number")]


def test_a_cell_merged_with_the_header_above_it_is_named(admin_user):
    # given the store code's header merged down over the first data row (A1:A2)
    StoreFactory(code="S1")
    ProductFactory(code="P1")
    rows = [["S1", "P1", "2026-11-23", 24, 4.5, "DN-1"], ["S1", "P1", "2026-11-24", 12, 4.5, "DN-2"]]
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["deliveries"], source=xlsx_styled(DELIVERIES, rows, merged=["A1:A2"]), user=admin_user)
    # then row 2's cell is named as merged with the header, not read as the header's text
    message = (
        "This cell is merged with the headers above it (A1:A2), so it holds no value of its own: unmerge the cells "
        "and fill in this row's value."
    )
    assert errors_of(excinfo) == [(2, "门店编码", message)]
    assert codes_of(excinfo) == [(2, "门店编码", "import.merged_with_header")]
    # and it is kept to be read in either language, naming the cells
    kept = json.loads(excinfo.value.errors[0].text)
    assert kept["params"] == {"cells": "A1:A2"}
    with translation.override("zh-hans"):
        assert "A1:A2" in texts.render(kept)
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_reads_a_merged_value_in_each_row_it_covers(admin_user, name):
    # given the kind's first column (required in every kind) filled in row 2 only, something in row 3's second column
    kind = KINDS[name]
    headers = [column.header("en") for column in kind.columns]
    rows = [["X1", "x"], [None, "x"]]
    first = kind.columns[0].header("en")
    # when the cell is merged down (A2:A3), and when it is not
    with pytest.raises(ImportRejected) as merged:
        run_import(kind=kind, source=xlsx_styled(headers, rows, merged=["A2:A3"]), user=admin_user)
    with pytest.raises(ImportRejected) as plain:
        run_import(kind=kind, source=xlsx_styled(headers, rows), user=admin_user)
    # then merged, row 3 reads X1 as row 2 does (the same problems in that column, if any); not merged, it is empty
    in_first = [(row, code) for row, column, code in codes_of(merged) if column == first]
    assert (3, "import.required") not in in_first
    assert [code for row, code in in_first if row == 3] == [code for row, code in in_first if row == 2]
    assert (3, first, "import.required") in codes_of(plain)


def test_a_sheet_of_more_merged_ranges_than_the_bound_is_refused(admin_user, monkeypatch):
    # given a bound of 3 merged ranges and a sheet of 4 in the columns read
    monkeypatch.setattr(runner, "MERGED_RANGES_MAX", 3)
    KeyAccountFactory(code="WM")
    rows = [["WM", f"S{number}", "店", "上海", "A"] for number in range(8)]
    upload = xlsx_styled(STORES, rows, merged=["A2:A3", "A4:A5", "A6:A7", "A8:A9"])
    # when
    with pytest.raises(DomainError) as excinfo:
        run_import(kind=KINDS["stores"], source=upload, user=admin_user)
    # then
    assert excinfo.value.code == "import.too_many_merged_ranges"
    assert "more than 3 merged cell ranges" in excinfo.value.detail
    assert not Store.objects.exists()


def _prefixed(content: bytes) -> bytes:
    """The workbook with its sheet's XML written under a namespace prefix (x:worksheet, x:mergeCell), as some
    programs write it."""
    source, target = zipfile.ZipFile(BytesIO(content)), BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<(/?)([A-Za-z])", rb"<\1x:\2", data)
                data = data.replace(b"<x:worksheet xmlns=", b"<x:worksheet xmlns:x=", 1)
            out.writestr(item, data)
    return target.getvalue()


def test_merged_ranges_are_found_under_a_namespace_prefix(admin_user):
    # given a sheet whose XML writes every tag with a prefix, a chain's code merged over A2:A3
    KeyAccountFactory(code="WM")
    rows = [["WM", "S1", "一店", "上海", "A"], [None, "S2", "二店", "上海", "B"]]
    content = _prefixed(xlsx_styled(STORES, rows, merged=["A2:A3"]).read())
    assert b'<x:mergeCell ref="A2:A3"' in zipfile.ZipFile(BytesIO(content)).read("xl/worksheets/sheet1.xml")
    # when
    result = run_import(kind=KINDS["stores"], source=SimpleUploadedFile("prefixed.xlsx", content), user=admin_user)
    # then
    assert result.created == 2
    assert set(Store.objects.values_list("account__code", flat=True)) == {"WM"}


def test_a_delivery_date_merged_down_a_days_rows(admin_user):
    # given the day's deliveries with the date merged over C2:C4, as a distributor's daily sheet has it
    StoreFactory(code="S1")
    StoreFactory(code="S2")
    ProductFactory(code="P1")
    rows = [["S1", "P1", date(2026, 11, 23), 24, 4.5, "DN-1"], ["S2", "P1", None, 12, 4.5, "DN-2"],
            ["S1", "P1", None, 6, 4.5, "DN-3"]]  # fmt: skip
    # when
    run_import(kind=KINDS["deliveries"], source=xlsx_styled(DELIVERIES, rows, merged=["C2:C4"]), user=admin_user)
    # then all three are that day's
    assert set(Delivery.objects.values_list("date", flat=True)) == {date(2026, 11, 23)}
    assert Delivery.objects.count() == 3
