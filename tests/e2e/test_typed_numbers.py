"""Numbers as a Chinese keyboard types them reach the server: a `type=number` box dropped 。 before sending, so a
budget typed 12000。5 was saved as 120,005.00 and no error could say so (tests/ka_portal/test_typed_numbers.py
has the reading itself)."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from promotions.models import Budget
from tests.factories import KeyAccountFactory, make_user

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_budget_typed_with_the_chinese_full_stop_is_saved_as_meant_and_fits_a_phone(phone):
    manager = make_user(Role.MANAGER, username="mgr1", password="demo-pass-1")
    KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    log_in(phone, "mgr1", "demo-pass-1")
    phone.goto("/promotions/budgets/")
    phone.select_option("#id_account", "WMT")
    phone.fill("#id_period_start", "2027-01-01")
    phone.fill("#id_period_end", "2027-03-31")
    amount = phone.locator("#id_amount")
    assert amount.get_attribute("type") == "text" and amount.get_attribute("inputmode") == "decimal"

    # 万 is not a number: refused beside the box, and what was typed is still there
    amount.press_sequentially("16万")
    phone.get_by_role("button", name="保存").click()
    expect(phone.locator("#id_amount")).to_have_value("16万")
    expect(phone.locator(".invalid-feedback")).to_contain_text("输入一个数字")
    assert not Budget.objects.exists()

    phone.locator("#id_amount").fill("")
    phone.locator("#id_amount").press_sequentially("12000。5")
    phone.get_by_role("button", name="保存").click()
    expect(phone.get_by_test_id("budget-table")).to_contain_text("12,000.50")
    budget = Budget.objects.get()
    assert (budget.amount, budget.period_start) == (Decimal("12000.50"), date(2027, 1, 1))

    # the list fits the phone: the row's edit button is on screen
    edit = phone.get_by_role("link", name="编辑")
    box = edit.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375
    assert phone.evaluate("document.querySelector('[data-testid=budget-table]').parentElement.scrollWidth") <= 375


def test_a_number_typed_in_a_form_is_still_there_after_going_back_to_it(phone):
    """A number box keeps what was typed when the user leaves the form unsent and comes back with the browser's Back,
    as a text box does: autocomplete=off on the number boxes made Chrome draw them empty again."""
    manager = make_user(Role.MANAGER, username="mgr1", password="demo-pass-1")
    KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    log_in(phone, "mgr1", "demo-pass-1")
    phone.goto("/promotions/budgets/")
    phone.locator("#id_amount").press_sequentially("12000.50")

    # the user looks something up elsewhere before saving, then comes back
    phone.goto("/")
    phone.go_back()

    expect(phone.locator("#id_amount")).to_have_value("12000.50")
    assert not Budget.objects.exists()
