"""The channel mix in the browser, in Chinese and in English, on a phone (375 px) and at a desk (1280 px): the chart's
figures table reads in the page's language and nothing is wider than the screen."""

from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import KeyAccountFactory, make_user
from tests.tradespend.g2n_helpers import invoice, line

from .conftest import _close, in_view

pytestmark = pytest.mark.django_db(transaction=True)

JAN = date(2025, 1, 1)
LABELS = {
    "zh-CN": {
        "header": ["渠道", "销售占比", "费用占比"],
        "tiers": ["GKA（国际连锁）", "NKA（全国连锁）", "LKA（区域连锁）"],
        "summary": "以表格查看数字",
    },
    "en-US": {
        "header": ["Channel", "Share of sales", "Share of trade spend"],
        "tiers": ["GKA (global chain)", "NKA (national chain)", "LKA (regional chain)"],
        "summary": "Figures as a table",
    },
}


@pytest.fixture
def finance_session(live_server):
    """Three chains in January 2025 (sales 48,000 / 32,000 / 20,000; spend 6,000 / 8,000 / 3,000), and a finance
    user's session cookie."""
    for code, tier, sales, spend in (("WMT", "GKA", "48000.00", "6000.00"), ("LH", "NKA", "32000.00", "8000.00"),
                                     ("NGS", "LKA", "20000.00", "3000.00")):  # fmt: skip
        chain = KeyAccountFactory(code=code, tier=tier)
        invoice(chain, date(2025, 1, 10), sales)
        line(chain, JAN, "promotion", spend)
    client = Client()
    client.force_login(make_user(Role.FINANCE, username="finance_e2e"))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.parametrize("width", [375, 1280])
def test_channel_mix_reads_in_the_page_language_and_fits_the_screen(browser, live_server, finance_session, locale,
                                                                      width):  # fmt: skip
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=locale, timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": finance_session, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto("/analysis/channel-mix/?month_from=2025-01&month_to=2025-01")
        labels = LABELS[locale]
        figure = page.get_by_test_id("chart-channel-mix")
        assert figure.locator("canvas").count() == 1
        figure.locator("summary").click()
        assert figure.locator("summary").inner_text() == labels["summary"]
        chart_table = page.get_by_test_id("chart-table-channel-mix")
        header = chart_table.locator("thead th").all_inner_texts()
        assert [text.strip() for text in header] == labels["header"]
        rows = [row.locator("th, td").all_inner_texts() for row in chart_table.locator("tbody tr").all()]
        assert [row[0].strip() for row in rows] == labels["tiers"]
        # sales 48 / 32 / 20 % against spend 35.3 / 47.1 / 17.6 % (6,000, 8,000, 3,000 of 17,000)
        assert [[cell.strip() for cell in row[1:]] for row in rows] == [
            ["48.0 %", "35.3 %"], ["32.0 %", "47.1 %"], ["20.0 %", "17.7 %"],
        ]  # fmt: skip
        assert page.get_by_test_id("gap-flag").count() == 2  # GKA −12.71 points and NKA +15.06 flagged in words
        # every tier named under its bars, none skipped for room: on a phone a long name is drawn on two lines
        ticks = figure.locator("canvas").evaluate("canvas => Chart.getChart(canvas).scales.x.ticks.map(t => t.label)")
        assert ["".join([tick] if isinstance(tick, str) else tick).replace(" ", "") for tick in ticks] == [
            tier.replace(" ", "") for tier in labels["tiers"]
        ]
        assert any(isinstance(tick, list) for tick in ticks) == (width == 375)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"the page is {scroll_width} px wide on a {width} px screen"
        if width == 375:  # the phone turned sideways: each name on one line again
            page.set_viewport_size({"width": 900, "height": 375})
            labels_of = "canvas => Chart.getChart(canvas).data.labels.every(label => typeof label === 'string')"
            page.wait_for_function(
                f"() => ({labels_of})(document.querySelector('[data-testid=chart-channel-mix] canvas'))"
            )
    finally:
        _close(context)


def test_promotion_expense_on_a_phone_and_at_a_desk(browser, live_server, manager, finance_session):
    """A plan of each of two types on a 375 px phone: the chart's table names the types in Chinese, the tables are
    read row by row, and nothing is wider than the screen; at 1366 px in English the tables fit with payback in view."""
    from promotions.models import PromotionPlan
    from tests.analytics.test_promotion_expense import _kept, _plan
    from tests.factories import ProductFactory

    chain = KeyAccountFactory(code="RTM", owner=manager)
    beer = ProductFactory()
    in_store = _plan(chain, "in_store", date(2025, 1, 11), date(2025, 1, 20), PromotionPlan.Status.EVALUATED,
                     product=beer, promoter_fee=200)  # fmt: skip
    _kept(in_store, 10, 250, "1000.00", 100, "400.00", "200.00")  # 20 % of sell-in; pays back 600 ÷ 200 = 3
    dm = _plan(chain, "dm", date(2025, 1, 15), date(2025, 1, 28), PromotionPlan.Status.EVALUATED, product=beer,
               dm_fee=500)  # fmt: skip
    _kept(dm, 14, 100, "1000.00", 90, "900.00", "500.00")  # 50 %; pays back 100 ÷ 500 = 0.2
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", base_url=live_server.url)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": finance_session, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto("/analysis/promotion-expense/?month_from=2025-01&month_to=2025-01")
        figure = page.get_by_test_id("chart-promotion-expense")
        figure.locator("summary").click()
        rows = [row.locator("th, td").all_inner_texts() for row in figure.locator("tbody tr").all()]
        assert [[cell.strip() for cell in row] for row in rows] == [
            ["DM快讯", "50.0 %", "20.0 %"], ["店促", "20.0 %", "300.0 %"],
        ]  # fmt: skip
        assert page.get_by_test_id("by-type").is_visible() and page.get_by_test_id("by-account").is_visible()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 375, f"the page is {scroll_width} px wide on a 375 px screen"
        # At a desk (1366 px) in English, the longer headers: payback is in view, no sideways scroll to reach it
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
        page.set_viewport_size({"width": 1366, "height": 900})
        page.reload()
        for testid in ("by-type", "by-account"):
            expect(page.get_by_test_id(testid).locator("thead th").nth(8)).to_have_text("Payback")
            in_view(page.get_by_test_id(testid).locator('tfoot [data-col="payback"]'), 1366)
    finally:
        _close(context)
