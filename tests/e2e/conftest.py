"""Browser tests: Playwright for Python driving Debian's Chromium against Django's live server."""

import os
import shutil
import time

import pytest

# Playwright runs an event loop in this thread; Django's ORM in live_server is fine with that here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


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
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _close(context) -> None:
    """Close the browser, then give the live server a moment: the service worker fetches pages to keep in the
    background, and a request still being answered holds SQLite's table lock while the test database is flushed."""
    context.close()
    time.sleep(0.5)


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
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
