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


def api_import(api_client, kind: str, upload, *, commit, **headers) -> dict:
    """POST a file to the import API (202 and a job), then GET the job's status URL: the job as a client sees it.
    `commit` is pytest-django's django_capture_on_commit_callbacks: the job is queued when the request's
    transaction commits, which inside a test's transaction is when it leaves this block (on the embedded
    default the job has run before the 202 is answered; test_import_jobs.py takes the real commit)."""
    with commit(execute=True):
        response = api_client.post(f"/api/v1/imports/{kind}/", {"file": upload}, format="multipart", **headers)
    assert response.status_code == 202, response.content
    assert response["Location"] == response.json()["status_url"]
    job = api_client.get(response["Location"], **headers)
    assert job.status_code == 200
    return job.json()


def page_import(client, kind: str, upload, *, commit, **headers):
    """POST a file on the import page and follow to the job's page, once the job has run (see api_import)."""
    with commit(execute=True):
        response = client.post("/imports/", {"kind": kind, "file": upload}, **headers)
    if response.status_code != 302:
        return response  # refused before a job was made (no file, too large, unknown kind)
    assert response["Location"].startswith("/imports/jobs/")
    return client.get(response["Location"], **headers)


def xlsx_styled(headers, rows, *, above=(), formats=None, merged=(), name: str = "import.xlsx") -> SimpleUploadedFile:
    """An upload as a clerk's workbook may be: `above` rows (a title) before the headers, number formats by cell
    (`formats`: {"E2": "0%"}), and merged ranges (`merged`: ["A2:A4"], their first cell holding the value)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in [*above, headers, *rows]:
        sheet.append(list(row))
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    for cells in merged:
        sheet.merge_cells(cells)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")
