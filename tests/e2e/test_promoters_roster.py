"""A supervisor schedules a promoter's week on a phone: two days ticked at once, the week read day by day (on a 600 px
screen too), then an overlapping shift at another store refused next to its field with what was typed kept; nothing
wider than the screen."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from promoters.models import Shift
from tests.factories import StoreFactory, make_user
from tests.promoters.factories import make_promoter

from .conftest import log_in, on_one_line, week_nav_keeps_its_words

pytestmark = pytest.mark.django_db(transaction=True)


def test_supervisor_schedules_a_week_on_a_phone(phone):
    supervisor = make_user(
        Role.SUPERVISOR, username="supervisor1", first_name="强", last_name="王", password="demo-pass-1"
    )
    rep = make_user(Role.REP, username="rep1", supervisor=supervisor)
    first = StoreFactory(rep=rep, code="WMT-001", name="沃尔玛五角场店")
    second = StoreFactory(rep=rep, code="WMT-002", name="沃尔玛控江路店", account=first.account)
    promoter = make_promoter(stores=[first, second], supervisor=supervisor, code="PR001", name="钱小红")
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)  # next week: planned before it starts
    Shift.objects.create(promoter=promoter, store=second, day=monday + timedelta(days=1), starts_at=time(12),
                         ends_at=time(18))  # fmt: skip

    log_in(phone, "supervisor1", "demo-pass-1")
    phone.goto(f"/promoters/shifts/?week={monday.isoformat()}")
    form = phone.get_by_test_id("week-form")
    form.get_by_label("促销员").select_option(label="钱小红 (PR001)")
    form.get_by_label("门店").select_option(label="WMT-001 沃尔玛五角场店")
    form.get_by_label(f"周一 {monday:%m-%d}").check()
    form.get_by_label(f"周三 {monday + timedelta(days=2):%m-%d}").check()
    form.get_by_label("起").fill("09:00")
    form.get_by_label("止").fill("13:00")
    form.get_by_role("button", name="排班").click()
    phone.get_by_text("已排 2 个班次。").wait_for()
    # On a phone the week reads day by day, down the screen: nothing scrolls sideways, not even inside its box.
    expect(phone.get_by_test_id("week-grid")).to_be_hidden()
    days = phone.get_by_test_id("week-days")
    assert days.inner_text().count("09:00–13:00") == 2
    expect(days.get_by_test_id("week-day").first).to_contain_text(f"周一 {monday:%m-%d} 钱小红")
    assert days.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    # So does a large phone or a small tablet (600 px): seven days' columns of shifts scrolled inside their box there
    phone.set_viewport_size({"width": 600, "height": 812})
    expect(phone.get_by_test_id("week-grid")).to_be_hidden()
    expect(days.get_by_test_id("week-day").first).to_contain_text(f"周一 {monday:%m-%d} 钱小红")
    assert days.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 600
    phone.screenshot(path="tests/e2e/artifacts/supervisor-promoter-week-600.png", full_page=True)
    phone.set_viewport_size({"width": 375, "height": 812})

    form = phone.get_by_test_id("week-form")
    form.get_by_label("促销员").select_option(label="钱小红 (PR001)")
    form.get_by_label("门店").select_option(label="WMT-001 沃尔玛五角场店")
    form.get_by_label(f"周二 {monday + timedelta(days=1):%m-%d}").check()
    form.get_by_label("起").fill("10:00")
    form.get_by_label("止").fill("14:00")
    form.get_by_role("button", name="排班").click()
    error = phone.get_by_test_id("week-form").locator(".invalid-feedback")
    error.first.wait_for()
    assert "与该促销员当天在 沃尔玛控江路店 (WMT-002) 从 12:00 到 18:00 的班次时间重叠。" in error.first.inner_text()
    assert phone.get_by_test_id("week-form").get_by_label(f"周二 {monday + timedelta(days=1):%m-%d}").is_checked()
    assert Shift.objects.filter(promoter=promoter).count() == 3
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="tests/e2e/artifacts/supervisor-promoter-week.png", full_page=True)


def test_the_roster_on_a_phone(phone):
    supervisor = make_user(Role.SUPERVISOR, username="supervisor1", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1", supervisor=supervisor)
    store = StoreFactory(rep=rep, code="WMT-001", name="沃尔玛五角场店")
    make_promoter(stores=[store], supervisor=supervisor, code="PR001", name="钱小红", started_on=date(2026, 1, 1))

    log_in(phone, "supervisor1", "demo-pass-1")
    phone.goto("/promoters/roster/")
    row = phone.get_by_test_id("promoter-row")
    assert "钱小红" in row.inner_text() and "沃尔玛五角场店" in row.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="tests/e2e/artifacts/supervisor-promoter-roster.png", full_page=True)


@pytest.fixture
def week_scene(db):
    supervisor = make_user(Role.SUPERVISOR, username="supervisor1", password="demo-pass-1")
    store = StoreFactory(rep=make_user(Role.REP, username="rep1", supervisor=supervisor), code="WMT-001")
    make_promoter(stores=[store], supervisor=supervisor, code="PR001", name="钱小红", started_on=date(2026, 1, 1))
    return store


def test_the_weeks_arrows_and_dates_share_one_line_on_a_phone(phone, week_scene):
    log_in(phone, "supervisor1", "demo-pass-1")
    phone.goto("/promoters/shifts/?week=2026-03-02&store=WMT-001")
    on_one_line(phone, ("week-previous", "week-label", "week-next"), 375)
    expect(phone.get_by_test_id("week-label")).to_have_text("2026-03-02 – 2026-03-08")
    # Only ‹ › show; the words stay for screen readers and as the title, and the links keep the store
    expect(phone.get_by_test_id("week-previous")).to_have_accessible_name("‹ 上一周")
    expect(phone.get_by_test_id("week-next")).to_have_attribute("title", "下一周")
    assert phone.get_by_test_id("week-previous").bounding_box()["width"] < 60  # the arrow alone
    expect(phone.get_by_test_id("week-next")).to_have_attribute("href", "?week=2026-03-09&store=WMT-001")
    phone.screenshot(path="tests/e2e/artifacts/supervisor-promoter-week-nav-375.png", full_page=True)


def test_the_weeks_arrows_keep_their_words_on_a_desktop(desktop, week_scene):
    log_in(desktop, "supervisor1", "demo-pass-1")
    desktop.goto("/promoters/shifts/?week=2026-03-02")
    week_nav_keeps_its_words(desktop)
    desktop.screenshot(path="tests/e2e/artifacts/supervisor-promoter-week-nav-1280.png", full_page=True)


def test_the_months_arrows_field_and_show_share_one_line_on_a_phone(phone, week_scene):
    log_in(phone, "supervisor1", "demo-pass-1")
    phone.goto("/promoters/roster/targets/?month=2026-03")
    on_one_line(phone, ("month-previous", "month-field", "month-show", "month-next"), 375)
    # "Show" reads on one line, not stacked a character a line
    lines = phone.get_by_test_id("month-show").evaluate(
        "b => { const r = document.createRange(); r.selectNodeContents(b); return r.getClientRects().length; }"
    )
    assert lines == 1
    phone.screenshot(path="tests/e2e/artifacts/supervisor-promoter-targets-nav-375.png", full_page=True)
