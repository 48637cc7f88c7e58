"""Every page's filter form (its GET form), in Chinese and in English: a select left at "no filter" reads All / 全部,
never Django's "---------" nor a yes/no filter's "Unknown" (ka_portal/lists.py, style_filter_form). The pages are the
scope matrix's registry (tests/ka_portal/scope_matrix.py): every page route that takes no record."""

import re

import pytest
from django.test import Client
from django.urls import resolve, reverse

from accounts.roles import Role
from ka_portal.lists import FilteredListView
from tests.factories import KeyAccountFactory, make_user
from tests.ka_portal.scope_matrix import ROUTES, url_routes

pytestmark = pytest.mark.django_db

GET_FORM = re.compile(r'<form\b[^>]*\bmethod="get"[^>]*>.*?</form>', re.S | re.I)
SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S)
OPTION = re.compile(r"<option\b[^>]*>(.*?)</option>", re.S)
UNNAMED = {"---------", "Unknown", "未知"}


def _pages() -> list[str]:
    """Page routes (not the API's) without a record in the URL, as the registry declares them."""
    patterns = url_routes()
    return [
        name
        for name, route in sorted(ROUTES.items())
        if not route.skip and name in patterns and not patterns[name].startswith("api/") and "<" not in patterns[name]
    ]


@pytest.mark.one_leg
def test_every_filter_select_reads_all_when_nothing_is_chosen():
    # Given an administrator (every page and every filter open to them) and a chain to choose from
    KeyAccountFactory(code="WMT", name="沃尔玛", name_en="Walmart")
    client = Client()
    client.force_login(make_user(Role.ADMIN))
    problems, lists_without_form, selects_read = [], [], 0
    for name in _pages():
        url = reverse(name)
        view = getattr(resolve(url).func, "view_class", None)
        is_list = isinstance(view, type) and issubclass(view, FilteredListView) and view.filterset_class is not None
        for language in ("zh-hans", "en"):
            # When the page is read in that language
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            forms = GET_FORM.findall(response.content.decode())
            selects = [(attrs, options) for form in forms for attrs, options in SELECT.findall(form)]
            if is_list and not selects:
                lists_without_form.append(f"{name} ({language})")
            # Then no optional select of its filter forms offers an unnamed "no filter" (one that must be chosen, a
            # statement's chain, keeps its prompt)
            for attrs, options in selects:
                selects_read += 1
                unnamed = {label.strip() for label in OPTION.findall(options)} & UNNAMED
                if unnamed and not re.search(r"\brequired\b", attrs):
                    problems.append(f"{name} ({language}): {sorted(unnamed)} in <select{attrs}>")
    assert not problems, "\n".join(problems)
    assert not lists_without_form, f"list pages whose filter selects were not read: {lists_without_form}"
    assert selects_read > 100  # the walk read the lists' selects (23 lists, most with several), in both languages
