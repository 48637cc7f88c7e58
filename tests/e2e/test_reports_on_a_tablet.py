"""A KA manager reads the account performance and the month's targets on a tablet held upright (768 px): a report too
wide for the screen reads as cards, two side by side, each figure beside its column's name, not as a table crushed to
a character a line or scrolled sideways; turned to landscape or at a desk the same report is a table again, sortable
by its columns. The aging report keeps its buckets under each chain's name below 992 px. In English too."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services
from accounts.roles import Role
from contracts import services as contracts
from tests.factories import KeyAccountFactory, SalesTargetFactory, StoreFactory, make_user

from .conftest import _close, log_in, tables_past_their_box, text_lines
from .test_finance_receivables_on_a_phone import books, clerk, seven_digits  # noqa: F401 - the fixtures

pytestmark = pytest.mark.django_db(transaction=True)

STACKED = re.compile(r"\bka-stacked\b")
TABLET = {"width": 768, "height": 1024}
DESK = {"width": 1280, "height": 900}


@pytest.fixture
def chains():
    manager = make_user(Role.MANAGER, username="manager1", password="demo-pass-1")
    today = timezone.localdate()
    for code, name, name_en in [
        ("AUCHAN", "欧尚", "Auchan"),
        ("LH", "世纪联华", "Century Lianhua"),
        ("NGS", "农工商", ""),
    ]:
        account = KeyAccountFactory(code=code, name=name, name_en=name_en, owner=manager)
        store = StoreFactory(account=account, code=f"{code}-01")
        for month in range(1, 13):
            SalesTargetFactory(account=account, year=today.year, month=month, amount=Decimal("3202408.00"))
        services.store_target_save(store=store, month=today.replace(day=1), amount=Decimal("1372199.00"))
        contracts.invoice_create(
            account=account, number=f"FP-{code}", date=today.replace(day=1), amount=Decimal("2702791.00")
        )
    return manager


def _cards_in_a_row(table) -> int:
    """How many of the table's rows stand side by side on its first line (1 as a table's rows, 2 as cards at 768)."""
    tops = table.locator("tbody tr").evaluate_all("rows => rows.map(row => Math.round(row.getBoundingClientRect().y))")
    return tops.count(tops[0])


@pytest.mark.parametrize(("locale", "label"), [("zh-CN", "达成率"), ("en-US", "Achievement")])
def test_a_report_too_wide_for_a_tablet_reads_as_cards_and_as_a_table_again_when_turned(
    browser, live_server, chains, locale, label
):
    context = browser.new_context(viewport=TABLET, locale=locale, timezone_id="Asia/Shanghai", base_url=live_server.url)
    page = context.new_page()
    log_in(page, "manager1", "demo-pass-1")

    page.goto("/accounts/performance/")
    table = page.get_by_test_id("performance-table")
    expect(table).to_have_class(STACKED)
    assert tables_past_their_box(page) == []
    assert _cards_in_a_row(table) == 2
    row = table.locator('[data-account="LH"]')
    achievement = row.locator('[data-col="achievement"]')
    assert achievement.evaluate("cell => getComputedStyle(cell, '::before').content") == f'"{label}"'
    # the year's actual so far against the target of its months so far (January to this month, the page's default)
    so_far = Decimal("2702791.00") / (timezone.localdate().month * Decimal("3202408.00"))
    assert achievement.inner_text() == f"{so_far * 100:.2f} %"
    assert not row.locator("td").first.is_visible()  # the code beside the name is a table's column only

    page.set_viewport_size(DESK)  # turned, or at a desk: a table again, its columns' names to sort by
    expect(table).not_to_have_class(STACKED)
    assert _cards_in_a_row(table) == 1
    assert table.locator("thead").get_by_role("link").first.is_visible()
    assert tables_past_their_box(page) == []

    page.set_viewport_size(TABLET)
    page.goto("/analysis/targets/")
    targets = page.locator("table.ka-stack").first
    expect(targets).to_have_class(STACKED)
    assert tables_past_their_box(page) == []
    assert _cards_in_a_row(targets) == 2
    page.screenshot(path=f"tests/e2e/artifacts/targets-768-{locale}.png", full_page=True)

    page.goto("/contracts/aging/")
    assert tables_past_their_box(page) == []
    buckets = page.get_by_test_id("buckets-phone").first
    assert buckets.is_visible() and "2,702,791.00" in buckets.inner_text()
    _close(context)


@pytest.mark.usefixtures("books", "seven_digits")
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_finances_lists_and_reports_fit_a_tablet_held_upright(browser, live_server, locale):
    """At 768 px the finance clerk's pages keep to the screen with seven-digit amounts and long English names: a
    list shows the columns that fit and reads the rest under its first cell (below 992 px; the aging report below
    1200 px), and a headline figure stays on one line."""
    context = browser.new_context(viewport=TABLET, locale=locale, timezone_id="Asia/Shanghai", base_url=live_server.url)
    page = context.new_page()
    log_in(page, "finance1", "demo-pass-1")
    for path, figure in [
        ("/contracts/ledger/", "contract-figures-phone"),
        ("/contracts/terms/", None),
        ("/contracts/aging/?as_of=2025-02-28", "buckets-phone"),
        ("/contracts/aging/invoices/?as_of=2025-02-28&account=CRF", "drill-figures-phone"),
        ("/trade-spend/gross-to-net/?month_from=2025-01&month_to=2025-01", "g2n-figures-phone"),
        ("/trade-spend/deductions/", None),
    ]:
        page.goto(path)
        assert tables_past_their_box(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"], path
        if figure:
            assert page.get_by_test_id(figure).first.is_visible(), path
        for stat in page.locator(".stat").all():
            assert text_lines(stat) == 1, (path, stat.inner_text())
    _close(context)


def test_a_report_read_as_cards_prints_as_a_table(browser, live_server, chains):
    """Printed from a tablet or a phone, the report is a table across the sheet (landscape), not the screen's cards."""
    context = browser.new_context(viewport=TABLET, timezone_id="Asia/Shanghai", base_url=live_server.url)
    page = context.new_page()
    log_in(page, "manager1", "demo-pass-1")
    page.goto("/accounts/performance/")
    table = page.get_by_test_id("performance-table")
    expect(table).to_have_class(STACKED)

    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # what the browser sends when asked to print
    expect(table).not_to_have_class(STACKED)
    page.wait_for_timeout(300)  # the table's new height would have made the observer stack it again
    expect(table).not_to_have_class(STACKED)
    assert table.locator("thead").is_visible()

    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    expect(table).to_have_class(STACKED)
    _close(context)
