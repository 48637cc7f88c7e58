"""The import pages: who reaches them, template downloads, and a job's page — its progress, the error table in
the user's language, success."""

from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from stores.models import Product, Store
from tests.factories import KeyAccountFactory, make_user

from .xlsx import page_import, read_xlsx, xlsx_upload

pytestmark = pytest.mark.django_db

PAGE = "/imports/"


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.mark.parametrize("role", [Role.REP])
def test_roles_that_may_not_import_do_not_find_the_page(client, role):
    client.force_login(make_user(role, username=f"u_{role}"))

    assert client.get(PAGE).status_code == 404
    assert client.get("/imports/stores/template.xlsx").status_code == 404


def test_a_supervisor_imports_the_roster_and_nothing_else(client):
    client.force_login(make_user(Role.SUPERVISOR, username="u_supervisor"))

    page = client.get(PAGE)

    assert page.status_code == 200
    assert [kind.name for kind in page.context["kinds"]] == ["promoters", "promoter-shifts"]
    assert client.get("/imports/stores/template.xlsx").status_code == 404


def test_finance_imports_contract_terms_and_nothing_else(client):
    client.force_login(make_user(Role.FINANCE, username="u_finance"))

    page = client.get(PAGE)

    assert page.status_code == 200
    assert [kind.name for kind in page.context["kinds"]] == ["contract-terms"]
    assert client.get("/imports/stores/template.xlsx").status_code == 404
    assert client.get("/imports/contract-terms/template.xlsx").status_code == 200
    # one kind only: no empty "Other templates:" line
    assert 'data-testid="other-templates"' not in page.content.decode()
    assert "其他模板" not in client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_a_manager_sees_the_other_templates(manager_client):
    page = manager_client.get(PAGE).content.decode()

    others = page.split('data-testid="other-templates"')[1].split("</p>")[0]
    assert others.count("<a ") == len(manager_client.get(PAGE).context["kinds"]) - 1 > 0


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_page_offers_every_kind_and_the_chosen_kinds_columns(manager_client):
    page = manager_client.get(PAGE + "?kind=deliveries", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    for label in ("门店", "产品", "进场SKU", "进货", "销售指标"):
        assert label in page
    assert 'href="/imports/deliveries/template.xlsx"' in page
    assert "进货日期" in page and "数量（包）" in page
    assert 'name="kind" value="deliveries"' in page
    assert "导入" in page  # the nav entry and the button


def test_the_template_download_opens_with_the_kinds_headers(manager_client):
    response = manager_client.get("/imports/products/template.xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert 'filename="import-products.xlsx"' in response["Content-Disposition"]
    sheets = read_xlsx(b"".join(response.streaming_content))
    first = next(iter(sheets.values()))
    assert first[0][:4] == ("产品编码", "条码", "产品名称", "品牌")


@pytest.mark.parametrize("kind", ["stores", "products", "listings", "deliveries", "targets"])
def test_every_kinds_template_carries_its_english_headers_and_instructions(client, admin_user, kind):
    from imports.registry import KINDS

    client.force_login(admin_user)

    response = client.get(f"/imports/{kind}/template.xlsx", HTTP_ACCEPT_LANGUAGE="en")

    data, instructions = read_xlsx(b"".join(response.streaming_content)).values()
    assert data == [tuple(column.header("en") for column in KINDS[kind].columns)]  # “Store code”
    columns = KINDS[kind].columns
    assert [row[:3] for row in instructions[1 : len(columns) + 1]] == [
        (column.header("en"), column.zh, "yes" if column.required else "no") for column in columns
    ]
    # below the columns: how a row for an existing record reads an empty cell, and how a field is emptied
    assert instructions[-1][0].startswith("On a row for an existing record, an empty cell leaves that field as it is")


def test_bad_rows_show_a_table_in_chinese_and_keep_the_kind(
    manager_client, manager, django_capture_on_commit_callbacks
):
    # given
    KeyAccountFactory(code="WM", owner=manager)
    upload = xlsx_upload(
        ["系统编码", "门店编码", "门店名称", "等级"], [["WM", "S1", "店", "A"], ["WM", "S2", "店", "Z"]]
    )
    # when
    response = page_import(
        manager_client, "stores", upload, commit=django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    # then the job's page shows it refused, how far it came, and the table
    page = response.content.decode()
    assert response.status_code == 200
    assert "未导入任何数据" in page
    assert response.context["job"].status == "refused"
    assert 'data-count="rows_read">2<' in page and 'data-count="rows_written">0<' in page
    assert '<td class="num">3</td><td class="text-nowrap">等级</td><td>“Z”不是 A, B, C 之一。</td>' in page
    assert 'name="kind" value="stores"' in page
    assert not Store.objects.exists()


def test_a_file_that_is_not_a_workbook_is_named_on_the_jobs_page(manager_client, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("stores.txt", "门店编码\nS1\n".encode())

    response = page_import(
        manager_client, "products", upload, commit=django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "This file is not an Excel workbook (.xlsx)." in page
    assert 'name="kind" value="products"' in page


def test_a_good_file_goes_to_its_jobs_page_which_says_what_was_imported(
    manager_client, django_capture_on_commit_callbacks
):
    headers = ["产品编码", "产品名称", "箱规", "建议零售价", "经销商进价", "二批价", "备注"]
    upload = xlsx_upload(headers, [["P1", "啤酒", 12, 5.5, 3.8, 4.1, "x"]])

    response = page_import(
        manager_client, "products", upload, commit=django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert 'data-testid="job-status">Imported<' in page
    assert "import-progress.js" not in page  # a finished job's page has nothing to follow
    assert "Products: 1 row imported — 1 created, 0 updated, 0 unchanged." in page
    assert "These columns were not recognised and were ignored: 备注" in page
    assert Product.objects.get().name == "啤酒"


def test_posting_without_a_file_keeps_the_kind_and_asks_for_one(manager_client):
    response = manager_client.post(PAGE, {"kind": "targets"}, HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert "This field is required." in page
    assert 'name="kind" value="targets"' in page


def test_an_unknown_kind_is_not_found_rather_than_imported_as_something_else(manager_client):
    upload = xlsx_upload(["store code"], [["S1"]])

    assert manager_client.get(PAGE + "?kind=visits").status_code == 404
    assert manager_client.post(PAGE, {"kind": "visits", "file": upload}).status_code == 404


def test_the_problems_shown_download_as_excel_and_the_page_counts_the_rest(
    manager_client, settings, django_capture_on_commit_callbacks
):
    # given a file with 5 bad rows, and imports that list only the first 3 problems
    settings.KA = replace(settings.KA, import_max_errors=3)
    headers = ["产品编码", "产品名称", "箱规", "建议零售价", "经销商进价", "二批价"]
    upload = xlsx_upload(headers, [[f"P{i}", "啤酒", 0, 5, 4, 4] for i in range(5)])
    # when
    response = page_import(
        manager_client, "products", upload, commit=django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then the page lists the first 3 and says how many there are
    page = response.content.decode()
    assert page.count("Packs per case must be between 1 and 10000; 0 is not.") == 3
    assert "Showing the first 3 of 5 problems." in page
    assert "Download these problems as Excel" in page
    link = f"/imports/jobs/{response.context['job'].pk}/problems.xlsx"
    download = manager_client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    (rows,) = read_xlsx(b"".join(download.streaming_content)).values()
    assert rows[0] == ("Row", "Column", "Problem", "Problem code")
    problem = ("Packs per case must be between 1 and 10000; 0 is not.", "product.packs_per_case_out_of_range")
    assert rows[1:] == [(n, "箱规", *problem) for n in range(2, 5)]
    # and another manager (the same browser, logged in as them) cannot fetch it
    manager_client.force_login(make_user(Role.MANAGER, username="mgr_b"))
    assert manager_client.get(link).status_code == 404
    assert manager_client.get(link.replace("problems.xlsx", "")).status_code == 404


def test_missing_columns_are_reported_against_the_header_row(manager_client, django_capture_on_commit_callbacks):
    upload = xlsx_upload(["产品编码", "产品名称"], [["P1", "啤酒"]])

    response = page_import(
        manager_client, "products", upload, commit=django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    page = response.content.decode()
    assert "第 1 行的列标题有问题。请修改后重新上传。" in page
    missing = "<td>缺少必填列：“箱规”或“Packs per case”。</td>"
    assert '<td class="num">1</td><td class="text-nowrap">箱规</td>' + missing in page
