"""Excel out: every list, report, template and problem sheet is written through here, mostly in
openpyxl's streaming (write-only) mode.

Rows are written one at a time to a temporary file that spills to disk, so an export of a
hundred thousand rows keeps memory flat; the response then streams the file.

No other module puts values into cells: this is the one place where text a user typed (a store
name, a visit's problems, a payment reference) is kept as text, never run as a formula.
"""

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Border, Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"


# OWASP's CSV/formula injection guidance: text starting with one of these is read as a formula
# (or as the start of one) by Excel, LibreOffice and Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """Whether a spreadsheet could take this value for a formula: text (never a number) with a trigger first."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def keep_as_text(cell) -> None:
    """Make a cell holding formula-like text a plain text cell, its value unchanged.

    openpyxl stores a string starting with `=` as a formula (data type "f"); "s" writes it as a string.
    quotePrefix is what Excel sets for text typed after an apostrophe: the cell stays text even when
    someone edits it and presses Enter.
    """
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def _cell_value(value):
    if isinstance(value, datetime):
        # Excel has no time zones: write the local wall-clock time the user saw on the page.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None or isinstance(value, (str, int, Decimal, date, float, bool)):
        return value
    return str(value)


def _cell(sheet, value, number_format: str | None = None, font: Font | None = None, **style):
    cell = WriteOnlyCell(sheet, value=value)
    keep_as_text(cell)
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    for name, given in style.items():  # border, alignment: for a row laid out as a form (the statement)
        if given is not None:
            setattr(cell, name, given)
    return cell


def row_cells(
    sheet, values: Sequence, formats=None, font: Font | None = None, border: Border | None = None, alignment=None
) -> list:
    """A row ready for `sheet.append`: plain values where they are safe as they are, cells where a value
    needs a number format (Decimal is money unless `formats` says otherwise), a style, or must be kept as text.
    Works for write-only and ordinary worksheets alike."""
    formats = formats or {}
    styled = font is not None or border is not None or alignment is not None
    style = {"border": border, "alignment": alignment}
    cells = []
    for index, value in enumerate(values):
        value = _cell_value(value)
        if index in formats or isinstance(value, Decimal):
            cells.append(_cell(sheet, value, formats.get(index, MONEY_FORMAT), font, **style))
        elif styled or is_formula_like(value):
            cells.append(_cell(sheet, value, font=font, **style))
        else:
            cells.append(value)
    return cells


def append_row(sheet, values: Sequence, formats=None, font: Font | None = None, **style) -> None:
    """Append one row of values to a sheet, user text kept as text (see `row_cells`; ``border``, ``alignment``
    style every cell of the row)."""
    sheet.append(row_cells(sheet, values, formats, font, **style))


def write_sheet(
    workbook: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    formats=None,
    intro: Sequence[str] = (),
):
    """Append a sheet: the `intro` lines (what the figures cover, one cell each), a bold header row, then the rows.
    `formats` maps column index → number format.

    Each column is as wide as its header and the first `WIDTH_SAMPLE` rows show (a Chinese character takes two
    columns, a date or an amount as Excel draws it), within `WIDTH_RANGE`: a store's name or a reference reads
    whole where a header-wide column cut it. The widths are set before any row is written (the streaming sheet
    writes them first), so only those rows are held to measure; the rest stream through."""
    sheet = workbook.create_sheet(title=title[:31])
    formats = formats or {}
    rows = iter(rows)
    sample = [row if isinstance(row, (list, tuple)) else list(row) for row in islice(rows, WIDTH_SAMPLE)]
    widths = [_text_width(str(header)) + 2 for header in headers]  # bold, and room for a filter's arrow
    for row in sample:
        for index, value in zip(range(len(widths)), row, strict=False):  # a row may be shorter
            widths[index] = max(widths[index], _shown_width(value, formats.get(index)))
    low, high = WIDTH_RANGE
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(low, min(width + 2, high))
    for line in intro:
        append_row(sheet, [str(line)])
    append_row(sheet, [str(header) for header in headers], font=Font(bold=True))
    for row in chain(sample, rows):
        append_row(sheet, row, formats)
    return sheet


WIDTH_SAMPLE = 200  # rows measured for the columns' widths
WIDTH_RANGE = (10, 50)  # a column's width in characters: at least, at most


def _text_width(text: str) -> int:
    """Columns a text takes in Excel's default font: two for a CJK character or a full-width form, one for others;
    its longest line when it has several."""
    return max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in text.split("\n")), default=0)


def _shown_width(value, number_format: str | None) -> int:
    """Columns a value takes as the sheet shows it (row_cells' formats: Decimal as money unless told otherwise)."""
    value = _cell_value(value)
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, datetime):
        return 16  # 2026-12-04 15:03
    if isinstance(value, date):
        return 10
    if isinstance(value, (int, float, Decimal)):
        if number_format == PERCENT_FORMAT:
            return len(f"{value * 100:,.2f}%")
        if number_format == MONEY_FORMAT or (number_format is None and isinstance(value, Decimal)):
            return len(f"{value:,.2f}")
        return len(str(value))
    return _text_width(str(value))


def new_workbook(*, write_only: bool = True) -> Workbook:
    """A workbook to fill through `write_sheet` / `append_row`. Write-only (streaming) unless a layout needs
    merged cells or styling rows after they are written (the statement)."""
    return Workbook(write_only=write_only)


def workbook_response(workbook: Workbook, filename: str, *, in_memory_up_to: int = 8 * 1024 * 1024) -> FileResponse:
    """Save the workbook to a spooled temporary file and stream it as a download. ``in_memory_up_to=0`` writes it to
    disk from the first byte: for a file whose size grows with the data (a statement of a year), memory stays flat."""
    # closed by FileResponse
    spool = tempfile.SpooledTemporaryFile(max_size=in_memory_up_to) if in_memory_up_to else tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(spool)
    spool.seek(0)
    if not filename.endswith(".xlsx"):
        filename += ".xlsx"
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def xlsx_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence], formats=None, intro: Sequence[str] = ()
):
    """One sheet, one download: the common case for a list export."""
    workbook = new_workbook()
    write_sheet(workbook, title, headers, rows, formats, intro)
    return workbook_response(workbook, filename)
