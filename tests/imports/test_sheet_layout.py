"""Sheets as a clerk lays them out: a title row (or a few) above the headers (QA finding 5). The headers are found
below the title and every problem keeps the row number Excel shows. Merged cells: test_merged_cells.py."""

from datetime import date

import pytest

from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Delivery
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
