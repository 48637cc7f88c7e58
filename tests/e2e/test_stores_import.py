"""A manager imports stores in the browser: a bad file shows every bad row in Chinese, the fixed one imports."""

import pytest

from accounts.roles import Role
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
    phone.goto("/stores/import/?kind=stores")
    assert phone.get_by_test_id("template-link").is_visible()

    # when the file has a bad grade and an unknown account
    _upload(phone, tmp_path, "bad.xlsx", [["WM", "S1", "五角场店", "上海", "A"], ["WM", "S2", "徐汇店", "上海", "E"],
                                          ["XX", "S3", "浦东店", "上海", "B"]])  # fmt: skip

    # then every bad row is listed in Chinese and nothing is imported
    errors = phone.get_by_test_id("import-errors")
    assert "未导入任何数据" in errors.inner_text()
    cells = [row.locator("td").all_inner_texts() for row in errors.locator("tbody tr").all()]
    assert cells == [["3", "等级", "“E”不是 A, B, C 之一。"], ["4", "系统编码", "未知的系统编码“XX”。"]]
    assert phone.get_by_role("link", name="门店", exact=True).get_attribute("aria-current") == "page"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="tests/e2e/artifacts/stores-import-errors-phone.png", full_page=True)
    assert not Store.objects.exists()

    # when the fixed file is uploaded
    _upload(phone, tmp_path, "good.xlsx", [["WM", "S1", "五角场店", "上海", "A"], ["WM", "S2", "徐汇店", "上海", "B"]])

    # then it says what was imported
    assert "门店：已导入 2 行，新增 2 条，更新 0 条。" in phone.get_by_role("alert").inner_text()
    assert set(Store.objects.values_list("code", flat=True)) == {"S1", "S2"}
