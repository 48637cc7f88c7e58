"""Browser tests: Playwright for Python driving Debian's Chromium against Django's live server."""

import os
import shutil
import threading
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from scripts.walk_pages import TABLES_PAST_THEIR_BOX  # the same measure as the walk of the demo

# Playwright runs an event loop in this thread; Django's ORM in live_server is fine with that here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


# The live server's application, entered by one request at a time (the static-files handler wraps the media one: the
# same thread enters twice); and whether the test's browser has closed (`_close`), after which nothing more is served.
_APPLICATION = threading.RLock()
_CLOSED = threading.Event()


@pytest.fixture(autouse=True, scope="session")
def _one_request_at_a_time():
    """The live server answers one request at a time. Its threads share the test's single in-memory SQLite
    connection, and two requests reading at once can deadlock inside SQLite: one waits for the connection while
    holding Python's lock, the other runs one of Django's date functions and waits for that lock. A sign-in's home
    page still being computed when the test opened the next page hung a whole CI run that way. Connections stay
    threaded (a browser keeps several open); only the application is entered one request at a time."""
    from django.test import testcases

    original = testcases.FSFilesHandler.__call__

    def call(self, environ, start_response):
        with _APPLICATION:
            if _CLOSED.is_set():  # a request still on its way when the test's browser closed: its database is going
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b""]
            return original(self, environ, start_response)

    testcases.FSFilesHandler.__call__ = call
    yield
    testcases.FSFilesHandler.__call__ = original


# A wait's limit, not a speed check: on a slow CI host (a whole run 40 % slower than usual) a receivables page took
# over 15 s to load once, beside the other leg's tests.
WAIT_LIMIT_MS = 30000


@pytest.fixture(autouse=True)
def _context_defaults(request, browser, monkeypatch):
    """Every browser context a test opens (the fixtures' and its own) waits up to WAIT_LIMIT_MS, and runs without the
    service worker unless the test is marked `service_worker` (the visit offline, the outbox): its install fetches
    the app shell file by file and it keeps pages in the background, each a request the live server answers one at
    a time, queued before the test's own pages (a home page once waited out a 30 s limit behind them in CI)."""
    new_context = browser.new_context
    allow = request.node.get_closest_marker("service_worker") is not None
    _CLOSED.clear()

    def with_defaults(*args, **kwargs):
        if not allow:
            kwargs.setdefault("service_workers", "block")
        context = new_context(*args, **kwargs)
        context.set_default_timeout(WAIT_LIMIT_MS)
        return context

    monkeypatch.setattr(browser, "new_context", with_defaults)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        message = f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium fonts-wqy-microhei)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }  # fmt: skip


def _page(browser, live_server, width: int, height: int):
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
    )
    return context, context.new_page()


def _close(context) -> None:
    """Close the browser, then wait for the request the live server may still be answering (the service worker fetches
    pages to keep in the background): one that held SQLite's table lock while the test database was flushed failed the
    flush. From then on the live server answers 503 without touching the database, until the next test starts."""
    context.close()
    _CLOSED.set()
    with _APPLICATION:
        pass


@pytest.fixture
def phone(browser, live_server):
    """A phone-size page (375 × 812) in Simplified Chinese, on Asia/Shanghai time."""
    context, page = _page(browser, live_server, 375, 812)
    yield page
    _close(context)


@pytest.fixture
def desktop(browser, live_server):
    """An office screen (1280 × 900) in Simplified Chinese: managers and finance at their desks."""
    context, page = _page(browser, live_server, 1280, 900)
    yield page
    _close(context)


def log_in(page, username: str, password: str) -> None:
    """Sign in, in whichever language the page is in (the form's boxes by their names)."""
    page.goto("/login/")
    form = page.locator("form:has(input[name=username])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    # Wait for the page the sign-in lands on (or the refusal) to have loaded: the live server's threads share the
    # test's one in-memory SQLite connection, and the next goto while a heavy home page is still being computed
    # made two requests read at once, which hung a whole CI run.
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def on_one_line(page, names: tuple[str, ...], width: int) -> None:
    """The elements named by test id sit side by side on one line, left to right, inside a screen `width` wide:
    a week's (or month's) arrows and what they step through, as .ka-week-nav lays them out."""
    boxes = [page.get_by_test_id(name).bounding_box() for name in names]
    middles = [box["y"] + box["height"] / 2 for box in boxes]
    assert max(middles) - min(middles) < 2, boxes
    lefts = [box["x"] for box in boxes]
    assert lefts == sorted(lefts) and boxes[-1]["x"] + boxes[-1]["width"] <= width, boxes
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def week_nav_keeps_its_words(page) -> None:
    """On an office screen includes/week_nav.html's arrows keep their words, on one line with the dates."""
    expect(page.get_by_test_id("week-previous")).to_have_text("‹ 上一周")
    expect(page.get_by_test_id("week-next")).to_have_text("下一周 ›")
    on_one_line(page, ("week-previous", "week-label", "week-next"), 1280)


def in_view(locator, width: int) -> None:
    """The element (a key figure's cell) lies wholly inside a screen `width` wide, and the table around it need not be
    scrolled sideways to show it: what a clerk reads for is on the screen as the page opens."""
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    scrolls = "el => { const box = el.closest('.table-responsive'); return !!box && box.scrollWidth > box.clientWidth }"
    assert not locator.evaluate(scrolls)
    assert locator.page.evaluate("document.documentElement.scrollWidth") <= width


def tables_past_their_box(page) -> list[int]:
    """How far each table in sight runs past its box, in px (a table-responsive box scrolls it sideways instead)."""
    return page.evaluate(TABLES_PAST_THEIR_BOX)


def every_tab_in_sight(page, nav: str, tabs: int, width: int = 375) -> None:
    """Each of a section's tabs (`ul.<nav>`) on the screen, its name on one line: in a strip scrolling sideways the
    last ones were cut off at 375 px (扣款核销 half shown, 争议 to 月度结账 out of sight)."""
    links = page.locator(f"ul.{nav} .nav-link")
    expect(links).to_have_count(tabs)
    for link in links.all():
        in_view(link, width)
        assert text_lines(link) == 1


def text_lines(locator) -> int:
    """How many lines the element's text takes: a name squeezed into a one-character column takes as many lines as it
    has characters."""
    return locator.evaluate(
        """el => { const range = document.createRange(); range.selectNodeContents(el);
        const bottoms = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.bottom).sort((a, b) => a - b);
        return bottoms.filter((b, i) => i === 0 || b - bottoms[i - 1] > 4).length }"""
    )


def lines_spanned(locator, first: str, last: str) -> int:
    """How many lines the element's text takes from `first` to the end of the next `last`, read across the elements
    inside it: 1 where a group such as "10:05 · 25分钟" stays on one line; 0 where the text is not there."""
    return locator.evaluate(
        """(el, [first, last]) => { const chars = [];
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) { const node = walker.currentNode;
          for (let i = 0; i < node.data.length; i++) chars.push([node, i]); }
        const text = chars.map(([node, i]) => node.data[i]).join(""); const from = text.indexOf(first);
        const end = from < 0 ? -1 : text.indexOf(last, from); if (end < 0) return 0;
        const bottoms = chars.slice(from, end + last.length).map(([node, i]) => { const range = document.createRange();
          range.setStart(node, i); range.setEnd(node, i + 1); return range.getBoundingClientRect(); })
          .filter(r => r.width > 0).map(r => r.bottom).sort((a, b) => a - b);
        return bottoms.filter((b, i) => i === 0 || b - bottoms[i - 1] > 4).length }""",
        [first, last],
    )


def offered(box, words: str) -> list[tuple[str, str]]:
    """Type `words` into a record box (ka_portal.lists.RecordChoice past 500) as a user does, and read what its
    datalist then offers (static/js/record-lookup.js fills it from the API): (value, text) of each option."""
    box.press_sequentially(words)
    options = box.page.locator(f"#{box.get_attribute('list')} option")
    options.first.wait_for(state="attached")
    return [(option.get_attribute("value"), option.inner_text()) for option in options.all()]


# the room a month box leaves its month's name: its width less its padding and the browser's calendar button (about
# 20 px), less the name as written in its font (a box 168 px wide cut "December 2026" to "December 202")
MONTH_ROOM = """box => {
    const style = getComputedStyle(box);
    const context = document.createElement('canvas').getContext('2d');
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    return box.clientWidth - padding - 20 - context.measureText('December 2026').width;
}"""


def until(page, script: str, arg=None, *, wait_ms: int = WAIT_LIMIT_MS) -> None:
    """Wait until a script answers true in the page, polled from here: `wait_for_function` takes a promise (an async
    check: the outbox, the worker's caches) as true at once, without waiting for it. A page drawn again meanwhile
    (Today reloads itself once uploads went up) is asked again."""
    deadline = time.monotonic() + wait_ms / 1000
    while not _answer(page, script, arg):
        assert time.monotonic() < deadline, f"still not so: {script}"
        page.wait_for_timeout(200)


def kept_offline(page, url: str) -> None:
    """The service worker controls the page and keeps `url` for when there is no network. A page that loaded while
    the worker was installing may stay uncontrolled (Chromium): the next load is controlled, as for a rep."""
    until(page, "() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    until(page, "() => !!navigator.serviceWorker.controller")
    until(page, "async (url) => !!(await caches.match(url, {ignoreVary: true}))", url)


def _answer(page, script: str, arg):
    try:
        return page.evaluate(script, arg)
    except PlaywrightError:  # the page navigated (reloaded) while asked: not yet
        return False
