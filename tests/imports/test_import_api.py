"""POST /api/v1/imports/<kind>/ (202 and a job), GET /api/v1/imports/jobs/<id>/ and the template: what a client gets."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from stores.models import Store
from tests.factories import KeyAccountFactory, StoreFactory, make_user

from .xlsx import api_import, read_xlsx, xlsx_upload

pytestmark = pytest.mark.django_db

HEADERS = ["account code", "store code", "store name", "grade"]


@pytest.mark.django_db(transaction=True)  # the request's transaction really commits, then the job runs
def test_a_good_file_answers_202_and_its_job_the_counts(api_client, manager):
    # given
    KeyAccountFactory(code="WM", owner=manager)
    StoreFactory(code="S1", account__owner=manager)
    api_client.force_authenticate(manager)
    upload = xlsx_upload(HEADERS, [["WM", "S1", "改名", "A"], ["WM", "S2", "新店", "B"]], name="门店.xlsx")
    # when
    response = api_client.post("/api/v1/imports/stores/", {"file": upload}, format="multipart")
    # then the answer is the job as queued, and where to follow it
    assert response.status_code == 202
    queued = response.json()
    assert (queued["kind"], queued["status"], queued["file_name"]) == ("stores", "queued", "门店.xlsx")
    assert queued["status_url"] == f"http://testserver/api/v1/imports/jobs/{queued['id']}/"
    # and the job, followed there, has run: rows read, checked and written, what was created and updated
    job = api_client.get(queued["status_url"]).json()
    assert {name: job[name] for name in ("status", "rows_read", "rows_checked", "rows_written")} == {
        "status": "done",
        "rows_read": 2,
        "rows_checked": 2,
        "rows_written": 2,
    }
    assert (job["created"], job["updated"], job["ignored_columns"], job["errors"]) == (1, 1, [], [])
    assert job["finished_at"] >= job["started_at"] >= job["queued_at"]
    assert set(Store.objects.values_list("code", "name")) == {("S1", "改名"), ("S2", "新店")}


def test_bad_rows_refuse_the_job_with_every_row_column_and_reason(
    api_client, admin_user, django_capture_on_commit_callbacks
):
    KeyAccountFactory(code="WM")
    api_client.force_authenticate(admin_user)
    upload = xlsx_upload(HEADERS, [["WM", "S1", "店", "A"], ["WM", "S2", "店", "Z"], ["XX", "S3", None, "A"]])

    body = api_import(
        api_client, "stores", upload, commit=django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert (body["status"], body["code"]) == ("refused", "import.invalid_rows")
    assert body["detail"] == "Rows with problems: 2 of 3. Nothing was imported; fix them and upload again."
    assert (body["problems_total"], body["rows_read"], body["rows_checked"], body["rows_written"]) == (3, 3, 3, 0)
    assert [(e["row"], e["column"], e["message"]) for e in body["errors"]] == [
        (3, "grade", "“Z” is not one of A, B, C."),
        (4, "account code", "No key account with the code “XX” that you can reach."),
        (4, "store name", "A value is required."),
    ]
    assert not Store.objects.exists()


def test_the_reasons_come_in_chinese_for_a_chinese_client(api_client, admin_user, django_capture_on_commit_callbacks):
    api_client.force_authenticate(admin_user)
    KeyAccountFactory(code="WM")
    upload = xlsx_upload(["系统编码", "门店编码", "门店名称", "等级"], [["WM", "S1", "店", "Z"]])

    body = api_import(
        api_client, "stores", upload, commit=django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert body["errors"] == [
        {"row": 2, "column": "等级", "field": "grade", "code": "import.bad_choice", "message": "“Z”不是 A, B, C 之一。"}
    ]


def test_a_text_file_is_refused_as_not_a_spreadsheet(api_client, admin_user, django_capture_on_commit_callbacks):
    api_client.force_authenticate(admin_user)
    upload = SimpleUploadedFile("stores.xlsx", b"code,name\nS1,shop\n")

    body = api_import(
        api_client, "stores", upload, commit=django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert (body["status"], body["code"]) == ("refused", "import.not_a_spreadsheet")
    # a CSV saved as .xlsx is read by its bytes and named as what it is, with what to do
    assert body["detail"].startswith("This is a CSV (text) file, not an Excel workbook: open it in Excel and Save As")


def test_no_file_answers_400(api_client, admin_user):
    api_client.force_authenticate(admin_user)

    response = api_client.post("/api/v1/imports/stores/", {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "import.no_file"


@pytest.mark.parametrize("role", [Role.REP, Role.SUPERVISOR, Role.FINANCE])
def test_roles_that_may_not_import_are_refused(api_client, role):
    api_client.force_authenticate(make_user(role, username=f"u_{role}"))
    upload = xlsx_upload(HEADERS, [["WM", "S1", "店", "A"]])

    assert api_client.post("/api/v1/imports/stores/", {"file": upload}, format="multipart").status_code == 403
    assert api_client.get("/api/v1/imports/stores/template/").status_code == 403


def test_an_unknown_kind_is_404(api_client, admin_user):
    api_client.force_authenticate(admin_user)

    assert api_client.get("/api/v1/imports/visits/template/").status_code == 404


def test_anonymous_is_401(api_client):
    assert api_client.get("/api/v1/imports/stores/template/").status_code == 401


@pytest.mark.parametrize(
    ("language", "headers"),
    [("en", ("Account code", "Year", "Month", "Target amount")), ("zh-hans", ("系统编码", "年份", "月份", "指标金额"))],
)
def test_the_template_opens_with_headers_in_the_callers_language(api_client, manager, language, headers):
    api_client.force_authenticate(manager)

    response = api_client.get("/api/v1/imports/targets/template/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheets = read_xlsx(b"".join(response.streaming_content))
    first, instructions = list(sheets.values())
    assert first == [headers]
    assert instructions[1][:3] == (
        headers[0],
        "系统编码" if language == "en" else "Account code",
        "yes" if language == "en" else "是",
    )


def test_a_filled_template_imports_back(api_client, manager, django_capture_on_commit_callbacks):
    # given the template as downloaded, filled in with openpyxl
    from io import BytesIO

    from openpyxl import load_workbook

    KeyAccountFactory(code="WM", owner=manager)
    api_client.force_authenticate(manager)
    template = b"".join(api_client.get("/api/v1/imports/targets/template/").streaming_content)
    workbook = load_workbook(BytesIO(template))
    workbook.worksheets[0].append(["WM", 2026, 5, 88000])
    filled = BytesIO()
    workbook.save(filled)
    # when
    job = api_import(
        api_client,
        "targets",
        SimpleUploadedFile("targets.xlsx", filled.getvalue()),
        commit=django_capture_on_commit_callbacks,
    )
    # then
    assert (job["status"], job["created"]) == ("done", 1)


def test_the_schema_documents_both_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    upload = schema["paths"]["/api/v1/imports/{kind}/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"202", "400", "413", "409", "422"} <= set(upload["responses"])
    assert any(parameter["name"] == "Idempotency-Key" for parameter in upload["parameters"])
    job = schema["paths"]["/api/v1/imports/jobs/{id}/"]["get"]
    assert {"200", "404"} <= set(job["responses"])
    template = schema["paths"]["/api/v1/imports/{kind}/template/"]["get"]
    assert (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in template["responses"]["200"]["content"]
    )
