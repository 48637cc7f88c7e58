"""An administrator onboards a new chain from a phone (onboarding report, item 1): the key-account list's button opens
the new-account page, a code another chain has in other letters is refused beside the box with what was typed kept,
and the corrected account is saved with its KA manager."""

import pytest
from playwright.sync_api import expect

from accounts.models import KeyAccount
from accounts.roles import Role
from tests.factories import KeyAccountFactory, make_user

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_opens_a_new_chain_on_a_phone(phone):
    make_user(Role.ADMIN, username="admin1", password="demo-pass-1", is_staff=True, is_superuser=True)
    make_user(Role.MANAGER, username="mgr1", first_name="经理", last_name="王")
    KeyAccountFactory(code="WMT", name="沃尔玛")
    log_in(phone, "admin1", "demo-pass-1")

    phone.goto("/accounts/")
    phone.get_by_test_id("account-add").click()
    form = phone.get_by_test_id("account-form")
    form.locator("[name=code]").fill("wmt")
    form.locator("[name=name]").fill("盒马鲜生")
    form.locator("[name=name_en]").fill("Hema")
    form.get_by_label("级别 *").select_option("NKA")
    for name, value in (("format", "supermarket"), ("purchasing_mode", "central"), ("margin_model", "front")):
        form.locator(f"[name={name}]").select_option(value)  # chosen, not left at a default
    form.get_by_label("KA经理").select_option(label="王经理 (mgr1)")
    form.locator("[name=region]").fill("华东")
    form.get_by_role("button", name="保存").click()

    form = phone.get_by_test_id("account-form")
    expect(form.locator(".invalid-feedback")).to_contain_text("WMT")
    assert form.locator("[name=code]").input_value() == "wmt"
    assert form.locator("[name=name]").input_value() == "盒马鲜生"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="/tmp/onboarding-account-refused-375.png", full_page=True)

    form.locator("[name=code]").fill("HEMA")
    form.get_by_role("button", name="保存").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("盒马鲜生")
    account = KeyAccount.objects.get(code="HEMA")
    assert (account.name_en, account.tier, account.owner.username, account.region) == ("Hema", "NKA", "mgr1", "华东")
