"""A KA manager opens an account, adds a contact-log entry in place, and sees it listed."""

import pytest

from accounts.models import ContactLog
from accounts.roles import Role
from tests.factories import ContactFactory, KeyAccountFactory, make_user

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_adds_a_contact_log_entry_and_sees_it(desktop):
    manager = make_user(Role.MANAGER, username="manager1", first_name="静", last_name="陈", password="demo-pass-1")
    account = KeyAccountFactory(code="RTM", name="大润发", owner=manager)
    ContactFactory(account=account, name="王建国", title="采购总监")
    KeyAccountFactory(code="CRF", name="家乐福")  # not manager1's

    log_in(desktop, "manager1", "demo-pass-1")
    nav = desktop.get_by_test_id("main-nav")
    nav.get_by_role("button", name="客户").click()  # the Accounts menu
    nav.get_by_role("link", name="重点客户").click()
    assert desktop.get_by_text("家乐福").count() == 0
    desktop.get_by_role("link", name="大润发").click()
    assert desktop.get_by_role("heading", level=1).inner_text().startswith("大润发")

    form = desktop.get_by_test_id("contact-log-form")
    form.get_by_label("关键人").select_option(label="王建国 (RTM)")
    form.get_by_label("方式").select_option(label="电话")
    form.get_by_label("摘要").fill("确认二季度 DM 档期和堆头位置")
    form.get_by_label("下一步").fill("提交促销方案")
    form.get_by_role("button", name="添加记录").click()

    entries = desktop.get_by_test_id("contact-log-entries")
    entries.get_by_text("确认二季度 DM 档期和堆头位置").wait_for()
    assert "王建国" in entries.inner_text() and "提交促销方案" in entries.inner_text()
    assert desktop.get_by_test_id("contact-log-form").get_by_label("摘要").input_value() == ""  # ready for the next one
    assert ContactLog.objects.get().author == manager
    desktop.screenshot(path="tests/e2e/artifacts/manager-contact-log.png", full_page=True)


def test_summary_left_empty_is_named_next_to_the_field(desktop):
    manager = make_user(Role.MANAGER, username="manager1", password="demo-pass-1")
    account = KeyAccountFactory(name="大润发", owner=manager)

    log_in(desktop, "manager1", "demo-pass-1")
    desktop.goto(f"/accounts/{account.pk}/")
    form = desktop.get_by_test_id("contact-log-form")
    form.get_by_label("下一步").fill("回电")
    form.get_by_role("button", name="添加记录").click()

    desktop.get_by_text("该字段是必填项。").first.wait_for()
    assert desktop.get_by_test_id("contact-log-form").get_by_label("下一步").input_value() == "回电"
    assert not ContactLog.objects.exists()
