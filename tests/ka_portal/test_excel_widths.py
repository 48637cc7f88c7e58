"""A list's Excel export has columns a clerk can read without widening them: each as wide as its header and the
values of its first rows as Excel draws them (a Chinese character two columns, an amount with its separators),
within bounds, set before the streaming sheet writes any row."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from ka_portal import excel
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def _widths(workbook) -> dict[str, float]:
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    return {letter: sheet.column_dimensions[letter].width for letter in "ABCDE"}


def test_columns_take_the_width_of_their_widest_value_within_bounds():
    workbook = excel.new_workbook()
    rows = [
        ("世纪联华上海浦东新区张江高科技园区店", Decimal("1234567.89"), date(2026, 12, 4), 7, "x" * 80),
        ("乐购", Decimal("5.00"), None, 12, ""),
    ]
    excel.write_sheet(workbook, "Stores", ["门店", "Amount", "Date", "N", "Notes"], iter(rows))
    widths = _widths(workbook)
    assert widths["A"] == 2 * 18 + 2  # eighteen characters of two columns each, beside a two-character header
    assert widths["B"] == len("1,234,567.89") + 2  # as the money format draws it
    assert widths["C"] == 10 + 2 and widths["D"] == 10  # a date; a short number keeps the least width
    assert widths["E"] == 50  # a long text stops at the most; the cell still holds all of it


def test_only_the_first_rows_are_measured_and_every_row_is_written():
    workbook = excel.new_workbook()
    rows = ([f"S{n}", "店" * 30 if n > excel.WIDTH_SAMPLE else "店"] for n in range(1, excel.WIDTH_SAMPLE + 6))
    excel.write_sheet(workbook, "Stores", ["Code", "Name"], rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    assert sheet.max_row == 1 + excel.WIDTH_SAMPLE + 5  # the header, the measured rows and those after them
    assert sheet.cell(sheet.max_row, 2).value == "店" * 30
    assert sheet.column_dimensions["B"].width == 10  # the rows after the sample stream through unmeasured


def test_the_store_export_reads_a_long_name_whole(client, admin_user):
    StoreFactory(name="华润万家深圳南山区海岸城购物中心旗舰店")
    client.force_login(admin_user)
    response = client.get(reverse("stores:store-list"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet.cell(1, 2).value in ("Store name", "门店名称")  # the list's columns: code, then name
    assert sheet.column_dimensions["B"].width == 2 * len("华润万家深圳南山区海岸城购物中心旗舰店") + 2
