"""A manager checks a store file before importing it (QA finding 3): "Check only" shows what the file would do and
writes nothing; "Import this file" then imports the file so checked. The buttons are pressed in a browser: the
button pressed must reach the server (a disabled button is not sent)."""

import pytest

from accounts.roles import Role
from imports.models import ImportJob
from stores.models import Store
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.imports.xlsx import xlsx_bytes

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = ["系统编码", "门店编码", "门店名称", "城市", "等级"]


def test_a_manager_checks_a_file_then_imports_it(phone, live_server, tmp_path):
    # given a manager whose chain has one store, on the import page with a file of it and a new one
    manager = make_user(Role.MANAGER, username="mgr1", password="demo-pass-1")
    account = KeyAccountFactory(code="WM", name="沃尔玛", owner=manager)
    StoreFactory(account=account, code="S1", name="五角场店", city="上海", grade="A")
    path = tmp_path / "stores.xlsx"
    path.write_bytes(xlsx_bytes(HEADERS, [["WM", "S1", "五角场店", "上海", "A"], ["WM", "S2", "徐汇店", "上海", "B"]]))
    log_in(phone, "mgr1", "demo-pass-1")
    phone.goto("/imports/?kind=stores")
    phone.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    # when the manager presses "Check only"
    phone.get_by_test_id("check-submit").click()
    # then the job is a check: what it would do is shown, and nothing is written
    checked = phone.get_by_test_id("import-checked")
    checked.wait_for()
    assert phone.get_by_test_id("import-job").get_attribute("data-status") == "checked"
    assert ImportJob.objects.get().check_only
    assert set(Store.objects.values_list("code", flat=True)) == {"S1"}
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="tests/e2e/artifacts/import-checked-phone.png", full_page=True)
    # when the manager imports the file so checked
    phone.get_by_test_id("import-checked-file").click()
    # then it is imported
    phone.get_by_test_id("import-done").wait_for()
    assert phone.get_by_test_id("import-job").get_attribute("data-status") == "done"
    assert set(Store.objects.values_list("code", flat=True)) == {"S1", "S2"}


def test_the_import_button_still_imports(phone, live_server, tmp_path):
    manager = make_user(Role.MANAGER, username="mgr2", password="demo-pass-1")
    KeyAccountFactory(code="WM", name="沃尔玛", owner=manager)
    path = tmp_path / "stores.xlsx"
    path.write_bytes(xlsx_bytes(HEADERS, [["WM", "S1", "五角场店", "上海", "A"]]))
    log_in(phone, "mgr2", "demo-pass-1")
    phone.goto("/imports/?kind=stores")
    phone.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))

    phone.get_by_test_id("import-submit").click()

    phone.get_by_test_id("import-done").wait_for()
    assert not ImportJob.objects.get().check_only
    assert Store.objects.filter(code="S1").exists()
