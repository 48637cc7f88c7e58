"""A manager imports stores in the browser: the upload becomes a job whose page shows its progress; a bad file
shows every bad row in Chinese, the fixed one imports. A job still running is followed live by the page."""

import pytest

from accounts.roles import Role
from imports.models import ImportJob
from stores.models import Store
from tests.factories import KeyAccountFactory, make_user
from tests.imports.xlsx import xlsx_bytes

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = ["系统编码", "门店编码", "门店名称", "城市", "等级"]


def _upload(page, tmp_path, name, rows):
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(HEADERS, rows))
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="导入", exact=True).click()


def test_manager_fixes_a_bad_store_file_and_imports_it(phone, live_server, tmp_path):
    # given a manager with an account, on the import page
    manager = make_user(Role.MANAGER, username="mgr1", password="demo-pass-1")
    KeyAccountFactory(code="WM", name="沃尔玛", owner=manager)
    log_in(phone, "mgr1", "demo-pass-1")
    phone.goto("/imports/?kind=stores")
    assert phone.get_by_test_id("template-link").is_visible()

    # when the file has a bad grade and an unknown account
    _upload(phone, tmp_path, "bad.xlsx", [["WM", "S1", "五角场店", "上海", "A"], ["WM", "S2", "徐汇店", "上海", "E"],
                                          ["XX", "S3", "浦东店", "上海", "B"]])  # fmt: skip

    # then the job's page shows it read and checked the 3 rows, wrote none, and lists every bad row in Chinese
    assert phone.get_by_test_id("job-status").inner_text() == "已拒绝"
    assert phone.get_by_test_id("job-progress").inner_text().split() == ["已读取行数", "3", "已检查行数", "3",
                                                                      "已写入行数", "0"]  # fmt: skip
    errors = phone.get_by_test_id("import-errors")
    assert "未导入任何数据" in errors.inner_text()
    cells = [row.locator("td").all_inner_texts() for row in errors.locator("tbody tr").all()]
    assert cells == [
        ["3", "等级", "“E”不是 A, B, C 之一。"],
        ["4", "系统编码", "在您可访问的系统中，没有编码为“XX”的系统。"],
    ]
    assert phone.get_by_role("link", name="门店", exact=True).get_attribute("aria-current") == "page"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="tests/e2e/artifacts/stores-import-errors-phone.png", full_page=True)
    assert not Store.objects.exists()

    # when the fixed file is uploaded
    _upload(phone, tmp_path, "good.xlsx", [["WM", "S1", "五角场店", "上海", "A"], ["WM", "S2", "徐汇店", "上海", "B"]])

    # then it says what was imported, with every row written
    assert "门店：已导入 2 行，新增 2 条，更新 0 条，无变化 0 条。" in phone.get_by_test_id("import-done").inner_text()
    assert phone.get_by_test_id("job-status").inner_text() == "已导入"
    assert phone.locator('[data-count="rows_written"]').inner_text() == "2"
    assert set(Store.objects.values_list("code", flat=True)) == {"S1", "S2"}


def test_the_job_page_follows_a_running_job_until_it_is_done(desktop, live_server):
    # given a job that a worker (another process) has half checked
    manager = make_user(Role.MANAGER, username="mgr2", password="demo-pass-1")
    job = ImportJob.objects.create(kind="products", user=manager, file_name="产品.xlsx", status="running",
                                   rows_read=4000, rows_checked=2000)  # fmt: skip
    log_in(desktop, "mgr2", "demo-pass-1")
    # when the manager opens its page
    desktop.goto(f"/imports/jobs/{job.pk}/")
    # then it shows how far it has come, with a moving bar
    assert desktop.get_by_test_id("job-status").inner_text() == "进行中"
    assert desktop.locator('[data-count="rows_checked"]').inner_text() == "2000"
    # when the worker checks the rest
    ImportJob.objects.filter(pk=job.pk).update(rows_read=5000, rows_checked=5000)
    # then the page catches up without a reload
    desktop.locator('[data-count="rows_checked"]:text("5000")').wait_for()
    assert desktop.get_by_test_id("job-bar").get_attribute("aria-valuenow") == "50"
    # when the worker has written every row
    ImportJob.objects.filter(pk=job.pk).update(status="done", rows_written=5000, created=5000)
    # then the page shows the outcome
    desktop.get_by_test_id("import-done").wait_for()
    assert (
        "产品：已导入 5000 行，新增 5000 条，更新 0 条，无变化 0 条。"
        in desktop.get_by_test_id("import-done").inner_text()
    )
    desktop.screenshot(path="tests/e2e/artifacts/imports-job-done-desktop.png", full_page=True)
