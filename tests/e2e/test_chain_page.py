"""The chain page in a browser (issue 15 items 1 and 4): the charts are drawn, each chart's figures table reads
the worked example in the reader's language, and no part of the page is wider than the screen at 375 or 1280 px."""

import io
import json
from contextlib import contextmanager

import pypdf
import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.analytics.chain_example import chain_example
from tests.factories import make_user

from .conftest import in_view, lines_spanned, log_in, on_one_line, week_nav_keeps_its_words

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/analysis/chains/WMT/?month_from=2025-01&month_to=2025-03"


@pytest.fixture
def chain(db):
    manager = make_user(Role.MANAGER, username="mgr1", password="demo-pass-1")
    return chain_example(manager, make_user(Role.REP, username="rep1"))


@contextmanager
def _the_chain_page(browser, live_server, width: int, locale: str):
    """The chain page open for its KA manager in a browser `width` px wide."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=locale, timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    try:
        page = context.new_page()
        log_in(page, "mgr1", "demo-pass-1")
        page.goto(URL)
        yield page
    finally:
        context.close()


def _table(page, name: str) -> list[list[str]]:
    """The rows of a chart's figures table, as text (read whether or not its <details> is open)."""
    return page.eval_on_selector_all(
        f"[data-testid=chart-table-{name}] tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )


def _check(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Chart.js drew on every canvas (a drawn canvas has a size set by the library)
    expect(page.locator("[data-chart] canvas")).to_have_count(3)
    page.wait_for_function("[...document.querySelectorAll('[data-chart] canvas')].every(c => Chart.getChart(c))")


CHART_OF_WATERFALL = "Chart.getChart(document.querySelector('[data-testid=chart-waterfall] canvas'))"


def _waterfall_names(page, axis: str | None) -> list[str]:
    """The waterfall's step names as drawn (x: under the bars, y: beside them), each name's lines joined; the chart
    must be drawn along `axis` where one is given."""
    axis = axis or page.evaluate(f"{CHART_OF_WATERFALL}.options.indexAxis")
    assert page.evaluate(f"{CHART_OF_WATERFALL}.options.indexAxis") == axis
    ticks = page.evaluate(f"{CHART_OF_WATERFALL}.scales.{axis}.ticks.map(t => t.label)")
    names = []
    for tick in ticks:
        lines = [tick] if isinstance(tick, str) else tick
        assert all(line.strip() and not line.endswith("-") for line in lines), tick  # whole words, no empty line
        names.append(" ".join(line.strip() for line in lines))
    return names


@pytest.mark.parametrize("width", [375, 1280])
def test_the_chain_page_in_both_languages(browser, live_server, chain, width):
    with _the_chain_page(browser, live_server, width, "zh-CN") as page:
        assert page.get_by_role("heading", level=1).inner_text() == "沃尔玛"
        _check(page, width)
        trend = _table(page, "trend")
        assert trend[0] == ["月份", "实际", "指标", "去年"]
        assert trend[1:] == [
            ["2025年1月", "8,000.00", "10,000.00", "20,000.00"],
            ["2025年2月", "12,000.00", "10,000.00", "0.00"],
            ["2025年3月", "14,000.00", "20,000.00", "0.00"],
        ]
        waterfall = _table(page, "waterfall")
        assert waterfall[1][1] == "34,000.00" and waterfall[-1][1] == "29,920.00"
        aging = _table(page, "aging")
        assert aging[1] == ["未到期", "26,320.00"] and aging[-1] == ["90天以上", "20,000.00"]
        # Chinese names break between any two characters: the waterfall stays upright even on a phone
        assert page.evaluate(f"{CHART_OF_WATERFALL}.options.indexAxis") == "x"
        page.screenshot(path=f"tests/e2e/artifacts/chain-page-zh-{width}.png", full_page=True)

        page.locator("#language").select_option("en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Walmart")
        _check(page, width)
        trend = _table(page, "trend")
        assert trend[0] == ["Month", "Actual", "Target", "Last year"]
        assert [row[0] for row in trend[1:]] == ["January 2025", "February 2025", "March 2025"]
        assert _table(page, "aging")[-1] == ["Over 90 days", "20,000.00"]
        # a step's sign stays with its name: not "−" alone on a line above "Unsupported deductions"
        unsupported = page.locator("[data-testid=g2n-steps] tr[data-step=unsupported] th")
        expect(unsupported).to_have_text("− Unsupported deductions")
        assert lines_spanned(unsupported, "−", "Unsupported") == 1
        # (with a chain's larger amounts the name's column narrows: a no-break space holds the sign to the name)
        assert unsupported.evaluate("el => el.textContent.trim()") == "−\u00a0Unsupported deductions"
        # every step of the waterfall is named whole, none skipped for want of room: under its bar where the names
        # fit between their words (a long one on two lines), else — on a phone, in a laptop's narrow column —
        # sideways, each name on its line beside its bar (not "Rebat-es", "Unsu-pport-ed…")
        names = json.loads(page.get_by_test_id("chart-waterfall").locator("script").text_content())["labels"]
        assert _waterfall_names(page, "y" if width == 375 else None) == names
        colours = page.evaluate(f"{CHART_OF_WATERFALL}.data.datasets[0].backgroundColor")
        assert colours[names.index("Unsupported deductions")] == "#dc3545"  # in red, as in "What needs attention"
        assert colours[names.index("Rebates")] == "#fd7e14"
        if width == 375:  # the phone turned sideways: wide enough for the names under the bars again
            page.set_viewport_size({"width": 900, "height": 375})
            page.wait_for_function(f"() => {CHART_OF_WATERFALL}.options.indexAxis === 'x'")
            assert _waterfall_names(page, "x") == names
        page.screenshot(path=f"tests/e2e/artifacts/chain-page-en-{width}.png", full_page=True)


def test_the_compliance_figure_opens_the_report_for_the_chain_on_a_phone(phone, chain):
    log_in(phone, "mgr1", "demo-pass-1")
    phone.goto(URL)
    phone.locator("[data-figure=compliance]").click()
    phone.wait_for_url("**/visits/reports/compliance/?account=WMT&week=2025-03-31")
    expect(phone.get_by_test_id("compliance-chain")).to_have_text("· 沃尔玛")
    expect(phone.locator("#compliance-account")).to_have_value("WMT")
    rows = phone.locator("[data-testid=compliance] tbody tr")
    expect(rows).to_have_count(1)
    done = rows.first.locator("td").nth(1)
    assert done.inner_text().split("\n") == ["0 / 2", "0 %"]  # the rate under the figure on a phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    # The week's arrows and dates share one line, inside the screen
    on_one_line(phone, ("week-previous", "week-label", "week-next"), 375)
    # The missed stops read as a list under the rep, as wide as the rep's cell, not squeezed into a column
    expect(rows.first.get_by_test_id("missed")).to_be_hidden()
    missed = rows.first.get_by_test_id("missed-phone")
    expect(missed.locator("li")).to_have_count(2)
    assert missed.bounding_box()["width"] >= 150
    phone.screenshot(path="tests/e2e/artifacts/compliance-chain-375.png", full_page=True)
    # The account performance table reads on a phone: the chain's achievement on the screen, not past its edge
    phone.goto("/accounts/performance/?start=2025-01&end=2025-03")
    in_view(phone.locator('[data-testid=performance-table] tr[data-account="WMT"] [data-col="achievement"]'), 375)
    phone.screenshot(path="tests/e2e/artifacts/account-performance-375.png", full_page=True)


def test_the_compliance_report_on_a_desktop_keeps_its_columns(desktop, chain):
    log_in(desktop, "mgr1", "demo-pass-1")
    desktop.goto("/visits/reports/compliance/?account=WMT&week=2025-03-31")
    week_nav_keeps_its_words(desktop)
    row = desktop.locator("[data-testid=compliance] tbody tr").first
    expect(row.get_by_test_id("missed").locator("li")).to_have_count(2)
    expect(row.get_by_test_id("missed-phone")).to_be_hidden()
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1280
    desktop.screenshot(path="tests/e2e/artifacts/compliance-chain-1280.png", full_page=True)


def test_the_promotions_read_on_a_phone_without_scrolling_sideways(phone, chain):
    # Given the worked example: 春节堆头 planned at 2,000 and evaluated at 1,900; 三月店促 planned at 1,000, running
    log_in(phone, "mgr1", "demo-pass-1")
    # When the manager opens the chain page on a phone
    phone.goto(URL)
    table = phone.get_by_test_id("promotions")
    # Then the promotions table fits its card: nothing scrolls sideways inside it
    assert table.evaluate("el => el.parentElement.scrollWidth <= el.parentElement.clientWidth")
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth")
    # and a plan's planned and actual cost are both on the screen, each beside its column's name
    spring = table.locator("tbody tr").filter(has_text="春节堆头")
    for figure, name, amount in (
        ("planned-cost", "总费用（计划）", "2,000.00"),
        ("actual-cost", "总费用（实际）", "1,900.00"),
    ):
        cell = spring.locator(f"[data-figure={figure}]")
        expect(cell).to_have_text(amount)
        in_view(cell, 375)
        assert cell.evaluate("el => getComputedStyle(el, '::before').content") == f'"{name}"'
    march = table.locator("tbody tr").filter(has_text="三月店促")
    expect(march.locator("[data-figure=planned-cost]")).to_have_text("1,000.00")
    expect(march.locator("[data-figure=actual-cost]")).to_have_text("尚未评估")
    in_view(march.locator("[data-figure=actual-cost]"), 375)
    in_view(table.get_by_test_id("planned-cost-total"), 375)
    expect(table.get_by_test_id("actual-cost-total")).to_have_text("1,900.00")
    expect(phone.locator("main, body").first).not_to_contain_text("{#")  # no template comment shown as text
    phone.screenshot(path="tests/e2e/artifacts/chain-promotions-375.png", full_page=True)


def test_the_promotions_keep_their_columns_on_an_office_screen(browser, live_server, chain):
    with _the_chain_page(browser, live_server, 1366, "zh-CN") as page:
        table = page.get_by_test_id("promotions")
        # one row per plan under the columns' headers, the plan's type among them
        expect(table.locator("thead")).to_be_visible()
        expect(table.get_by_test_id("planned-cost-header")).to_have_text("总费用（计划）")
        spring = table.locator("tbody tr").filter(has_text="春节堆头")
        tops = [
            spring.locator(cell).bounding_box()["y"]
            for cell in ("th", "[data-figure=planned-cost]", "[data-figure=actual-cost]")
        ]
        assert max(tops) - min(tops) < 2, tops
        expect(spring.locator("td").first).to_be_visible()
        assert table.evaluate("el => el.parentElement.scrollWidth <= el.parentElement.clientWidth")


def _lines_on_sheets(pdf: bytes) -> list[list[tuple[float, str]]]:
    """Each printed sheet's lines of text, as (height from the sheet's foot in points, text)."""
    sheets = []
    for sheet in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        lines = []

        def read(text, cm, tm, font, size, lines=lines):
            if text.strip():
                lines.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

        sheet.extract_text(visitor_text=read)
        sheets.append(lines)
    return sheets


def test_the_chain_page_prints_each_chart_whole_and_in_its_place(browser, live_server, chain):
    """Printed from a laptop onto A4 landscape, a sheet narrower than the screen: the browser prints a chart as it was
    drawn for the screen, and it ran past its box (onto its "Figures as a table" and the next column), a chart's
    title was left at a sheet's foot with the chart on the next sheet, and the next card ("What needs attention")
    was printed over the receivables' note under its chart. On paper a chart keeps inside its box, scaled, never
    apart from its title; the cards follow each other; a chart's folded figures are not printed as a bare summary."""
    with _the_chain_page(browser, live_server, 1366, "en-US") as page:
        _check(page, 1366)
        page.emulate_media(media="print")
        expect(page.get_by_text("Figures as a table").first).to_be_hidden()
        # laid out for a narrower sheet before anything is drawn again (one task: no frame in between)
        inside = page.evaluate(
            """() => [...document.querySelectorAll('.ka-chart-box')].map(box => {
                box.style.width = '60%'; box.style.height = '240px';
                const b = box.getBoundingClientRect(), c = box.querySelector('canvas').getBoundingClientRect();
                return c.right <= b.right + 0.5 && c.bottom <= b.bottom + 0.5 && c.width > 0;
            })"""
        )
        assert inside == [True, True, True]
        page.reload()
        _check(page, 1366)

        pdf = page.pdf(prefer_css_page_size=True)
        sheets = _lines_on_sheets(pdf)
        titles = ["Sell-in month by month", "From gross to net", "Receivables by days past due"]
        for title in titles:
            [(sheet, height)] = [(n, y) for n, lines in enumerate(sheets) for y, text in lines if text == title]
            # the chart (an image) is on its title's sheet, which has room for it under the title (its box is
            # 240 px, 180 pt): the title is not left alone at a sheet's foot
            assert pypdf.PdfReader(io.BytesIO(pdf)).pages[sheet].images and height > 180, (title, sheet, height)
        [receivables] = [lines for lines in sheets if any(text == titles[2] for _, text in lines)]
        note = next(y for y, text in receivables if text.startswith("Open on"))
        attention = next(y for y, text in receivables if text == "What needs attention")
        assert attention < note - 12  # under the note, not printed over it
