"""The Excel of a refused file's problems (the job page's "Download these problems as Excel") has a column for each
problem's code beside its message — the code the API's job gives (import.bad_date, import.store_not_found, a rule's
own such as delivery.quantity_out_of_range) — so a clerk with hundreds of problems sorts or filters them by kind; a
problem kept before codes were has that cell empty. Read back with openpyxl, as the clerk's Excel opens it."""

from io import BytesIO

import openpyxl
import pytest

from imports.models import ImportJob
from tests.factories import ProductFactory, StoreFactory

from .xlsx import page_import, xlsx_upload

pytestmark = pytest.mark.django_db

DELIVERIES = ["store code", "product code", "date", "quantity (packs)", "unit price", "reference"]


@pytest.fixture
def refused_job(client, admin_user, commit) -> ImportJob:
    """A delivery file with a date the import cannot read, a store no one has, and no packs delivered."""
    StoreFactory(code="S1")
    ProductFactory(code="P1", packs_per_case=12)
    rows = [
        ["S1", "P1", "11月23号", 24, 4.5, "DN-1"],
        ["S404", "P1", "2026-11-23", 24, 4.5, "DN-2"],
        ["S1", "P1", "2026-11-26", 0, 4.5, "DN-3"],
    ]
    client.force_login(admin_user)
    page = page_import(client, "deliveries", xlsx_upload(DELIVERIES, rows), commit=commit, HTTP_ACCEPT_LANGUAGE="en")
    job = page.context["job"]
    assert job.status == ImportJob.Status.REFUSED
    return job


def _sheet(client, job):
    download = client.get(f"/imports/jobs/{job.pk}/problems.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert download.status_code == 200
    return openpyxl.load_workbook(BytesIO(b"".join(download.streaming_content))).worksheets[0]


def test_each_problem_has_its_code_in_a_column_of_its_own(client, refused_job):
    # when the clerk downloads the problems
    sheet = _sheet(client, refused_job)
    # then the sheet has a code column, headed in their language, beside the problem
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Row", "Column", "Problem", "Problem code")
    assert [(row, column, code) for row, column, _problem, code in rows[1:]] == [
        (2, "date", "import.bad_date"),
        (3, "store code", "import.store_not_found"),
        (4, "quantity (packs)", "delivery.quantity_out_of_range"),
    ]
    assert rows[2][2] == "No store with the code “S404” that you can reach."
    # and the codes are those the API's job gives for the same file
    assert [code for *_rest, code in rows[1:]] == list(refused_job.problems.values_list("code", flat=True))
    assert sheet["D1"].font.bold


def test_a_problem_kept_before_codes_has_its_code_cell_empty(client, refused_job):
    refused_job.problems.filter(row=3).update(code="")

    rows = list(_sheet(client, refused_job).iter_rows(values_only=True))

    assert [code for *_rest, code in rows[1:]] == ["import.bad_date", None, "delivery.quantity_out_of_range"]
