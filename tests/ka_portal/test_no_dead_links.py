"""Every link a user's pages offer opens for that user: a tab, a menu entry or a row's link that answers 403 or 404
is a door shown and then shut (finance was offered the listings and deliveries tabs of the store pages). Each demo
role's pages are walked from its home, two links deep, as the browser would follow them."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from scripts.walk_pages import NOT_A_PAGE  # the browser's walk of the demo skips the same paths

pytestmark = [pytest.mark.django_db, pytest.mark.one_leg]

DEPTH = 2
PAGES_A_ROLE = 120


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.hrefs.append(href)


def _links(page: bytes, base: str) -> list[str]:
    anchors = _Anchors()
    anchors.feed(page.decode())
    found = []
    for href in anchors.hrefs:
        target = urlsplit(urljoin(base, href))
        if not target.scheme and not target.netloc and target.path.startswith("/") and not NOT_A_PAGE.search(href):
            found.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


def _kind(url: str) -> str:
    """Pages of one kind (a store's page, whichever store; one list under any filter) are opened once."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


@pytest.mark.parametrize("username", ["rep1", "supervisor1", "manager1", "finance1", "admin", "promoter1"])
def test_every_link_a_role_is_shown_opens(demo_company, on_the_demos_monday, username):
    # (on the demo's day: a promoter's day and shifts are the demo's month's, whatever day the tests run on)
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    seen, shut, queue = set(), [], [("/", 0, "")]
    while queue and len(seen) < PAGES_A_ROLE:
        url, depth, linked_from = queue.pop(0)
        if _kind(url) in seen:
            continue
        seen.add(_kind(url))
        answer = client.get(url, follow=True)
        if answer.status_code != 200:
            shut.append(f"{url} ({answer.status_code}, linked from {linked_from})")
            continue
        if depth < DEPTH and answer["Content-Type"].startswith("text/html"):
            queue.extend((link, depth + 1, url) for link in _links(answer.content, answer.request["PATH_INFO"]))
    assert len(seen) >= 3, seen  # a promoter's pages are their day, their shifts and a shift
    assert shut == []
