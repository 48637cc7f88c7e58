"""Sheets as a clerk lays them out: a title row (or a few) above the headers (QA finding 5) and merged cells
(finding 8). The headers are found below the title and every problem keeps the row number Excel shows; a required
cell left empty because it lies in merged cells says so."""

import json
from datetime import date

import pytest
from django.utils import translation

from imports import texts
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Delivery, Product
from tests.factories import ProductFactory, StoreFactory

from .xlsx import errors_of, page_import, xlsx_styled

pytestmark = pytest.mark.django_db

TITLE = [["海川经销商 上海KA 第48周送货明细"]]
DELIVERIES = ["门店编码", "产品编码", "进货日期", "数量（包）", "单价", "单号"]
PRODUCTS = ["product code", "product name", "packs per case", "suggested retail price", "distributor price",
            "wholesale price"]  # fmt: skip


@pytest.fixture
def store_and_product(db):
    return StoreFactory(code="S1"), ProductFactory(code="P1")


# --- a title above the headers ---


def test_a_title_row_above_the_headers_is_passed_over(admin_user, store_and_product):
    # given the week's delivery sheet with its title in row 1 and the headers in row 2
    rows = [["S1", "P1", "2026-11-23", 24, 4.5, "DN-1"], ["S1", "P1", "2026-11-24", 12, 4.5, "DN-2"]]
    # when
    result = run_import(kind=KINDS["deliveries"], source=xlsx_styled(DELIVERIES, rows, above=TITLE), user=admin_user)
    # then both deliveries are recorded
    assert (result.created, result.rows, result.header_row) == (2, 2, 2)
    assert Delivery.objects.filter(date=date(2026, 11, 23), quantity=24).exists()


def test_below_a_title_problems_keep_the_rows_excel_shows(admin_user, store_and_product):
    # given two title rows and a blank one, the headers in row 4, and a bad quantity in the second data row
    above = [["海川经销商"], ["上海KA 第48周送货明细"], []]
    rows = [["S1", "P1", "2026-11-23", 24, 4.5, "DN-1"], ["S1", "P1", "2026-11-24", "十二", 4.5, "DN-2"]]
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["deliveries"], source=xlsx_styled(DELIVERIES, rows, above=above), user=admin_user)
    # then the problem is on row 6, where the clerk sees it
    assert [(row, column) for row, column, _message in errors_of(excinfo)] == [(6, "数量（包）")]


def test_headers_with_a_column_missing_below_a_title_are_named_on_their_own_row(admin_user):
    # given a title, then headers that lack the packs per case (the row with most of the kind's headers)
    headers = ["product code", "product name", "suggested retail price", "distributor price", "wholesale price"]
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(
            kind=KINDS["products"], source=xlsx_styled(headers, [["P1", "啤酒", 5, 4, 4]], above=TITLE), user=admin_user
        )
    # then the header row is named, and the title is not taken for the headers
    assert excinfo.value.detail == (
        "The column headers in row 2 have problems. Nothing was imported; fix them and upload again."
    )
    assert errors_of(excinfo) == [(2, "Packs per case", "Required column missing: “箱规” or “Packs per case”.")]


def test_the_job_page_names_the_header_row_below_a_title(client, manager, commit):
    client.force_login(manager)
    headers = ["product code", "product name"]

    response = page_import(
        client,
        "products",
        xlsx_styled(headers, [["P1", "啤酒"]], above=TITLE),
        commit=commit,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    page = response.content.decode()
    assert "The column headers in row 2 have problems. Fix them and upload the file again." in page
    assert '<td class="num">2</td><td class="text-nowrap">Packs per case</td>' in page


# --- merged cells ---


def test_a_required_cell_empty_because_it_is_merged_says_so(admin_user, store_and_product):
    # given a store code merged over A2:A4 (only A2 holds it) and a product code left empty in row 5
    rows = [
        ["S1", "P1", "2026-11-23", 24, 4.5, "DN-1"],
        [None, "P1", "2026-11-24", 12, 4.5, "DN-2"],
        [None, "P1", "2026-11-25", 12, 4.5, "DN-3"],
        ["S1", None, "2026-11-26", 12, 4.5, "DN-4"],
    ]
    upload = xlsx_styled(DELIVERIES, rows, merged=["A2:A4"])
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["deliveries"], source=upload, user=admin_user)
    # then rows 3 and 4 say the cell is merged; row 5's empty cell is only empty
    merged = (
        "A value is required. This cell is merged with others (A2:A4), so it is empty: unmerge the cells and fill in "
        "every row."
    )
    assert errors_of(excinfo) == [
        (3, "门店编码", merged),
        (4, "门店编码", merged),
        (5, "产品编码", "A value is required."),
    ]
    assert not Delivery.objects.exists()


def test_merged_cells_below_a_title_are_found_by_their_real_rows(admin_user):
    # given a title row, then products whose name is merged over B3:B4
    rows = [["P1", "啤酒", 12, 5, 4, 4], ["P2", None, 12, 5, 4, 4]]
    upload = xlsx_styled(PRODUCTS, rows, above=TITLE, merged=["B3:B4"])
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["products"], source=upload, user=admin_user)
    # then
    ((row, column, message),) = errors_of(excinfo)
    assert (row, column) == (4, "product name")
    assert "(B3:B4)" in message and "unmerge" in message
    # and it is kept to be read in either language, naming the cells
    kept = json.loads(excinfo.value.errors[0].text)
    assert kept["msgid"].startswith("A value is required. This cell is merged with others")
    with translation.override("zh-hans"):
        assert "B3:B4" in texts.render(kept)
    assert not Product.objects.exists()
