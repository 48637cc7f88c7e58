"""Walk every page each demo user reaches from home, in a real browser, and say what a user would trip on.

Run against the demo (`make run` in another terminal), with Chromium installed (STACK.md):

    .venv/bin/python scripts/walk_pages.py                       # 375 px, Simplified Chinese, every demo role
    .venv/bin/python scripts/walk_pages.py --width 1280 --locale en-US manager1 finance1

For each page, two links deep from the user's home (a page of one kind, a store's whichever store, once), it reports
an answer other than 200, a page wider than the window, a table that scrolls sideways inside its box, a key figure
broken over two lines, a script's error and a part of the page that did not load; `--shots DIR` keeps a screenshot of
each. Exit 1 when anything was found. A developer's check of the whole demo before a release, not a test: the tests
hold the pages it found wanting (tests/e2e/test_lists_on_a_phone.py, tests/ka_portal/test_no_dead_links.py).
"""

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import sync_playwright

USERS = ["rep1", "supervisor1", "manager1", "finance1", "admin", "promoter1"]
# Not pages: signing out, the admin (its own permission screens), the API, files and the language switch (the test
# client's walk, tests/ka_portal/test_no_dead_links.py, skips the same).
NOT_A_PAGE = re.compile(r"^/(logout|admin|api|media|static|i18n)/|[?&](export|format)=|\.xlsx$")
# (a chart's figures folded under it, "Figures as a table", are not in sight until opened)
TABLES_PAST_THEIR_BOX = """Array.from(document.querySelectorAll('.table-responsive'))
    .filter(box => box.offsetParent && !box.closest('details:not([open])'))
    .map(box => box.scrollWidth - box.clientWidth).filter(over => over > 1)"""

# a key figure (.stat: an amount in a card at the top of a page) broken over two lines ("7,667,16" / "8.75")
FIGURES_BROKEN = """Array.from(document.querySelectorAll('.stat')).filter(figure => figure.offsetParent
    && figure.getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(figure).lineHeight))
    .map(figure => figure.textContent.trim())"""


def walk(page, base: str, depth: int, limit: int, shots: Path | None, user: str) -> list[str]:
    problems, seen, queue = [], set(), [(page.url, 0)]
    errors: list[str] = []
    # a script's error, and any part of the page that did not load
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {urlsplit(response.url).path}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    while queue and len(seen) < limit:
        url, level = queue.pop(0)
        parts = urlsplit(url)
        kind = re.sub(r"\d+", "N", parts.path)
        if kind in seen or NOT_A_PAGE.search(parts.path + ("?" + parts.query if parts.query else "")):
            continue
        seen.add(kind)
        errors.clear()
        answer = page.goto(url)
        found = []
        if answer is None or answer.status != 200:
            found.append(f"answered {answer.status if answer else 'nothing'}")
        width = page.viewport_size["width"]
        if page.evaluate("document.documentElement.scrollWidth") > width + 1:
            found.append("wider than the window")
        if over := page.evaluate(TABLES_PAST_THEIR_BOX):
            found.append(f"a table {max(over)} px past its box")
        if broken := page.evaluate(FIGURES_BROKEN):
            found.append(f"a figure over two lines: {broken[0]}")
        if errors:
            found.append("in the browser: " + " | ".join(errors[:3]))
        if found:
            problems.append(f"{user} {parts.path}{'?' + parts.query if parts.query else ''}: {'; '.join(found)}")
        if shots:
            page.screenshot(path=shots / f"{user}{re.sub(r'[^a-z0-9]+', '_', parts.path)[:80]}.png")
        if level < depth:
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
                target = urljoin(url, href)
                if urlsplit(target).netloc == urlsplit(base).netloc:
                    queue.append((target, level + 1))
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("users", nargs="*", default=USERS)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default="demo1234")
    parser.add_argument("--width", type=int, default=375)
    parser.add_argument("--locale", default="zh-CN")
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--limit", type=int, default=80, help="kinds of page a user at most")
    parser.add_argument("--shots", type=Path, help="a folder for a screenshot of each page")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    options = parser.parse_args()
    if options.shots:
        options.shots.mkdir(parents=True, exist_ok=True)
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=options.chromium, args=["--no-sandbox", "--disable-gpu"])
        for user in options.users:
            context = browser.new_context(
                viewport={"width": options.width, "height": 812}, locale=options.locale, timezone_id="Asia/Shanghai"
            )
            page = context.new_page()
            page.goto(options.base + "/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", options.password)
            with page.expect_navigation():
                page.click("button[type=submit]")
            problems += walk(page, options.base, options.depth, options.limit, options.shots, user)
            context.close()
        browser.close()
    print("\n".join(problems) or f"nothing found ({len(options.users)} users, {options.width} px, {options.locale})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
