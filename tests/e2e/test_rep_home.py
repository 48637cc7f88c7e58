"""A rep on a phone, in Chinese, logs in and sees their home page with their name and today's date."""

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.factories import StoreFactory, make_user

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_rep_logs_in_on_a_phone_and_sees_their_day(phone, live_server):
    rep = make_user(Role.REP, username="rep1", first_name="伟", last_name="张", password="demo-pass-1")
    StoreFactory(rep=rep, name="沃尔玛五角场店", grade="A")
    StoreFactory(name="别人的门店")

    log_in(phone, "rep1", "demo-pass-1")
    phone.wait_for_url("**/visits/today/")  # a rep's day starts on Today
    phone.goto("/")

    today = timezone.localdate()
    heading = phone.get_by_role("heading", level=1)
    assert heading.inner_text() == "张伟，您好"
    assert phone.get_by_test_id("today").inner_text().startswith(f"{today.year}年{today.month}月{today.day}日")
    assert phone.get_by_text("沃尔玛五角场店").is_visible()
    assert phone.get_by_text("别人的门店").count() == 0
    # Nothing overflows sideways on a 375 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="tests/e2e/artifacts/rep-home-phone.png", full_page=True)


def test_wrong_password_says_so_in_chinese_and_keeps_the_username(phone, live_server):
    make_user(Role.REP, username="rep1", password="demo-pass-1")
    log_in(phone, "rep1", "wrong")
    assert phone.get_by_role("alert").inner_text().startswith("请输入一个正确的")
    assert phone.get_by_label("用户名").input_value() == "rep1"
