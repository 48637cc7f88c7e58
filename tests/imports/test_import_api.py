"""POST /api/v1/imports/<kind>/ and GET its template: the answers a client gets."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from stores.models import Store
from tests.factories import KeyAccountFactory, StoreFactory, make_user

from .xlsx import read_xlsx, xlsx_upload

pytestmark = pytest.mark.django_db

HEADERS = ["account code", "store code", "store name", "grade"]


def test_a_good_file_answers_the_counts(api_client, manager):
    # given
    KeyAccountFactory(code="WM", owner=manager)
    StoreFactory(code="S1", account__owner=manager)
    api_client.force_authenticate(manager)
    upload = xlsx_upload(HEADERS, [["WM", "S1", "改名", "A"], ["WM", "S2", "新店", "B"]])
    # when
    response = api_client.post("/api/v1/imports/stores/", {"file": upload}, format="multipart")
    # then
    assert response.status_code == 200
    assert response.json() == {"kind": "stores", "created": 1, "updated": 1, "rows": 2, "ignored_columns": []}
    assert set(Store.objects.values_list("code", "name")) == {("S1", "改名"), ("S2", "新店")}


def test_bad_rows_answer_400_with_every_row_column_and_reason(api_client, admin_user):
    KeyAccountFactory(code="WM")
    api_client.force_authenticate(admin_user)
    upload = xlsx_upload(HEADERS, [["WM", "S1", "店", "A"], ["WM", "S2", "店", "Z"], ["XX", "S3", None, "A"]])

    response = api_client.post(
        "/api/v1/imports/stores/", {"file": upload}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import.invalid_rows"
    assert body["detail"] == "Rows with problems: 2 of 3. Nothing was imported; fix them and upload again."
    assert [(e["row"], e["column"], e["message"]) for e in body["errors"]] == [
        (3, "grade", "“Z” is not one of A, B, C."),
        (4, "account code", "Unknown key account code “XX”."),
        (4, "store name", "A value is required."),
    ]
    assert not Store.objects.exists()


def test_the_reasons_come_in_chinese_for_a_chinese_client(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    upload = xlsx_upload(["系统编码", "门店编码", "门店名称", "等级"], [["XX", "S1", "店", "A"]])

    response = api_client.post(
        "/api/v1/imports/stores/", {"file": upload}, format="multipart", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "column": "系统编码", "field": "account_code", "message": "未知的系统编码“XX”。"}
    ]


def test_a_text_file_answers_not_a_spreadsheet(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    upload = SimpleUploadedFile("stores.xlsx", b"code,name\nS1,shop\n")

    response = api_client.post("/api/v1/imports/stores/", {"file": upload}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "import.not_a_spreadsheet"


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
    [("en", ("account code", "year", "month", "target amount")), ("zh-hans", ("系统编码", "年份", "月份", "指标金额"))],
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
        "系统编码" if language == "en" else "account code",
        "yes" if language == "en" else "是",
    )


def test_a_filled_template_imports_back(api_client, manager):
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
    response = api_client.post(
        "/api/v1/imports/targets/",
        {"file": SimpleUploadedFile("targets.xlsx", filled.getvalue())},
        format="multipart",
    )
    # then
    assert response.status_code == 200
    assert response.json()["created"] == 1


def test_the_schema_documents_both_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    upload = schema["paths"]["/api/v1/imports/{kind}/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"200", "400"} <= set(upload["responses"])
    template = schema["paths"]["/api/v1/imports/{kind}/template/"]["get"]
    assert (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in template["responses"]["200"]["content"]
    )
