"""The bar at the top in English: one line at 1280 px for every role, menus by mouse and keyboard, and the
collapsed menu on a phone."""

import pytest

from accounts.roles import Role
from tests.factories import make_user

from .conftest import _close

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "demo-pass-1"


@pytest.fixture
def english(browser, live_server):
    """Open a page of the given width in English, signed in as a new user of the given role."""
    contexts = []

    def open_as(role: str, width: int, height: int = 900):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="en-US",
            timezone_id="Asia/Shanghai",
            base_url=live_server.url,
        )
        contexts.append(context)
        page = context.new_page()
        # a long name and the longest role label make the bar as wide as it gets
        make_user(role, username=f"u-{role}", first_name="Alexandra", last_name="Montgomery", password=PASSWORD)
        page.goto("/login/")
        page.get_by_label("Username").fill(f"u-{role}")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():  # the landing page loaded before the test goes on (see conftest.log_in)
            page.get_by_role("button", name="Log in").click()
        return page

    yield open_as
    for context in contexts:
        _close(context)


# The bar is one line when every item in it starts on the brand's row: a second row would start below it.
ROWS = """() => {
  const nav = document.querySelector('nav.navbar');
  const brand = nav.querySelector('.navbar-brand').getBoundingClientRect();
  const items = [...nav.querySelectorAll('[data-testid=main-nav] > li, .navbar-collapse > .d-flex')];
  return {
    navHeight: nav.getBoundingClientRect().height,
    brandBottom: brand.bottom,
    tops: items.map(item => item.getBoundingClientRect().top),
    bottoms: items.map(item => item.getBoundingClientRect().bottom),
    scrollWidth: document.documentElement.scrollWidth,
  };
}"""


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.FINANCE, Role.SUPERVISOR, Role.REP])
def test_the_english_bar_is_one_line_at_1280(english, role):
    page = english(role, 1280)
    page.goto("/stores/")
    bar = page.evaluate(ROWS)
    assert bar["tops"], "the bar has its entries"
    assert max(bar["tops"]) < bar["brandBottom"]  # nothing wrapped below the brand's row
    assert bar["navHeight"] < 2 * (max(bar["bottoms"]) - min(bar["tops"]))  # the height of one row, not two
    assert bar["scrollWidth"] <= 1280
    page.screenshot(path=f"tests/e2e/artifacts/nav-1280-en-{role}.png")


def test_an_admin_opens_a_menu_with_the_mouse_and_the_keyboard(english):
    page = english(Role.ADMIN, 1280)
    page.goto("/trade-spend/deductions/")
    nav = page.get_by_test_id("main-nav")
    finance = nav.get_by_role("button", name="Finance")
    assert "active" in finance.get_attribute("class")  # the page's menu is marked

    finance.click()
    assert nav.get_by_role("link", name="Trade spend").get_attribute("aria-current") == "page"
    page.keyboard.press("Escape")

    nav.get_by_role("button", name="Field").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "Visits"
    page.keyboard.press("Enter")
    page.wait_for_url("**/visits/history/")
    assert page.get_by_test_id("main-nav").get_by_role("button", name="Field").get_attribute("class").endswith("active")


def test_on_a_phone_the_collapsed_menu_opens_and_its_entries_are_reached(english):
    page = english(Role.MANAGER, 375, 812)
    page.goto("/stores/")
    nav = page.get_by_test_id("main-nav")
    assert not nav.is_visible()  # collapsed behind the toggler
    page.get_by_role("button", name="Menu").click()
    page.wait_for_selector("#main-nav.show")  # opened, not still sliding open
    nav.get_by_role("button", name="Finance").click()
    receivables = nav.get_by_role("link", name="Receivables")
    assert receivables.is_visible()
    page.screenshot(path="tests/e2e/artifacts/nav-375-en-manager.png")
    receivables.click()
    page.wait_for_url("**/contracts/receivables/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
