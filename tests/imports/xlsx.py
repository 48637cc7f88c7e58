"""Build .xlsx uploads in tests with openpyxl, read downloads back, and list an import's problems."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook


def xlsx_bytes(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_upload(headers, rows, name: str = "import.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(headers, rows), content_type="application/octet-stream")


def read_xlsx(content: bytes) -> dict[str, list[tuple]]:
    """Every sheet's rows as value tuples, by sheet title."""
    workbook = load_workbook(BytesIO(content), read_only=True)
    sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}
    workbook.close()
    return sheets


def errors_of(excinfo) -> list[tuple]:
    """An ImportRejected's problems as (row, column, message), in the order the user sees them."""
    return [(error.row, error.column, error.message) for error in excinfo.value.errors]
