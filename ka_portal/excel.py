"""Excel out: every list and report is written through here, in openpyxl's streaming (write-only) mode.

Rows are written one at a time to a temporary file that spills to disk, so an export of a
hundred thousand rows keeps memory flat; the response then streams the file.
"""

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"


def _cell_value(value):
    if isinstance(value, datetime):
        # Excel has no time zones: write the local wall-clock time the user saw on the page.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None or isinstance(value, (str, int, Decimal, date, float, bool)):
        return value
    return str(value)


def write_sheet(workbook: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence], formats=None):
    """Append a sheet: a bold header row, then the rows. `formats` maps column index → number format."""
    sheet = workbook.create_sheet(title=title[:31])
    formats = formats or {}
    for index, header in enumerate(headers, start=1):
        # Wide enough for the header (a Chinese character takes two columns); set before any row is written.
        width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(header)) + 4
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(width, 50))
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            value = _cell_value(value)
            if index in formats or isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = formats.get(index, MONEY_FORMAT)
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    return sheet


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def workbook_response(workbook: Workbook, filename: str) -> FileResponse:
    """Save the workbook to a spooled temporary file and stream it as a download."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by FileResponse
    workbook.save(spool)
    spool.seek(0)
    if not filename.endswith(".xlsx"):
        filename += ".xlsx"
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def xlsx_response(filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence], formats=None):
    """One sheet, one download: the common case for a list export."""
    workbook = new_workbook()
    write_sheet(workbook, title, headers, rows, formats)
    return workbook_response(workbook, filename)
