"""Every page's selects, in Chinese and in English (ka_portal/lists.py: style_form_fields, style_filter_form): none
shows Django's "---------" nor a dash a form put in its place; a select that must be chosen prompts for what it asks
("Choose a key account" / "选择重点客户"); a filter left at "no filter" reads All / 全部, never a yes/no filter's
"Unknown" nor a form's "None". The pages are the scope matrix's registry (tests/ka_portal/scope_matrix.py): every page
route, one with a record in the URL read with the demo administrator's first record there."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import resolve, reverse

from ka_portal.lists import FilteredListView
from tests.ka_portal.scope_matrix import ROUTES, SCOPES, VALUES, Own, url_routes

pytestmark = pytest.mark.django_db

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S)
OPTION = re.compile(r"<option\b([^>]*)>(.*?)</option>", re.S)
DASHES = "---------"
UNNAMED = {DASHES, "—", "–", "-"}  # Django's blank, or a form's own dash: neither says what choosing nothing means
FILTER_UNNAMED = {"Unknown", "未知", "None", "无"}  # a filter's "no filter" is All / 全部
PROMPT = {"en": "Choose a", "zh-hans": "选择"}


def _pages(admin) -> list[tuple[str, str]]:
    """(route name, URL) of every page (not the API's) the registry declares, a record kwarg filled with the first
    record the administrator reaches."""
    patterns = url_routes()
    pages = []
    for name, route in sorted(ROUTES.items()):
        if route.skip or name not in patterns or patterns[name].startswith("api/"):
            continue
        kwargs = {}
        for kwarg, key in route.params.items():
            key = key.key if isinstance(key, Own) else key
            if key in VALUES:
                kwargs[kwarg] = VALUES[key]
            else:
                record = SCOPES[key].reachable(admin).order_by("pk").first()
                kwargs[kwarg] = record and record.pk
        if None not in kwargs.values():
            pages.append((name, reverse(name, kwargs=kwargs)))
    return pages


@pytest.mark.one_leg
def test_no_select_shows_dashes_a_required_one_prompts_and_a_filter_reads_all(demo_company):
    # Given the demo company's administrator (every page, every record, every form open to them)
    admin = get_user_model().objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    problems, lists_without_filters, selects_read, prompts_read = [], [], 0, 0
    for name, url in _pages(admin):
        view = getattr(resolve(url).func, "view_class", None)
        is_list = isinstance(view, type) and issubclass(view, FilteredListView) and view.filterset_class is not None
        for language in ("zh-hans", "en"):
            # When the page is read in that language
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            filter_selects = 0
            for form_attrs, form in FORM.findall(response.content.decode()):
                is_filter = re.search(r'\bmethod="get"', form_attrs, re.I) is not None
                for attrs, options in SELECT.findall(form):
                    selects_read += 1
                    filter_selects += is_filter
                    where = f"{name} ({language}): <select{attrs}>"
                    choices = [(option_attrs, label.strip()) for option_attrs, label in OPTION.findall(options)]
                    labels = {label for _, label in choices}
                    # Then no select shows Django's "---------" (nor a dash a form put in its place)
                    if labels & UNNAMED:
                        problems.append(f"{where} shows {sorted(labels & UNNAMED)}")
                    # and one that must be chosen opens with a prompt naming what to choose
                    required = re.search(r"\brequired\b", attrs) is not None
                    if required and choices and re.search(r'\bvalue=""', choices[0][0]):
                        prompts_read += 1
                        if not choices[0][1].startswith(PROMPT[language]):
                            problems.append(f"{where} opens with {choices[0][1]!r}, not a prompt")
                    # and an optional filter says All when nothing is chosen
                    elif is_filter and labels & FILTER_UNNAMED:
                        problems.append(f"{where}: {sorted(labels & FILTER_UNNAMED)} in a filter")
            if is_list and not filter_selects:
                lists_without_filters.append(f"{name} ({language})")
    assert not problems, "\n".join(problems)
    assert not lists_without_filters, f"list pages whose filter selects were not read: {lists_without_filters}"
    assert selects_read > 300 and prompts_read > 30  # the walk read the pages' forms, record pages' too


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_filter_of_more_stores_than_a_select_holds_is_a_box_for_the_code(client, monkeypatch, language):
    """A filter's choice of stores is a select while it holds few; past RecordChoice.MANY a box for the store's code
    (an administrator's 10,000 stores were 581 KB of options). The box keeps what was typed, filters by it, and an
    unknown code is said next to it; a smaller scope still chooses from a select."""
    from accounts.roles import Role
    from ka_portal.lists import RecordChoice
    from tests.factories import StoreFactory, make_user
    from tests.visits.factories import SuggestedOrderFactory

    monkeypatch.setattr(RecordChoice, "MANY", 3)
    manager = make_user(Role.MANAGER, username="mgr_many")
    stores = [StoreFactory(account__owner=manager, code=f"BIG{n}", name=f"大店{n}") for n in range(4)]
    for store in stores:
        SuggestedOrderFactory(store=store)
    client.force_login(manager)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    page = client.get("/visits/suggested-orders/", **headers).content.decode()
    box = re.search(r'<input type="text" name="store"[^>]*>', page)
    assert box and "form-control" in box.group(0) and "BIG0" not in page[: page.index("<table")]
    assert ('placeholder="Code"' if language == "en" else 'placeholder="编码"') in box.group(0)
    # as the user types, each box offers what the API's search of that kind finds (static/js/record-lookup.js)
    assert 'data-lookup="/api/v1/stores/"' in box.group(0) and 'data-lookup-show="name"' in box.group(0)
    product_box = re.search(r'<input type="text" name="product"[^>]*>', page).group(0)
    assert 'data-lookup="/api/v1/products/"' in product_box and 'data-lookup-key="code"' in product_box
    page = client.get("/visits/suggested-orders/?store=BIG2", **headers).content.decode()
    assert 'value="BIG2"' in re.search(r'<input type="text" name="store"[^>]*>', page).group(0)
    listed = page[page.index("<table") :]
    assert "大店2" in listed and "大店1" not in listed
    page = client.get("/visits/suggested-orders/?store=NOPE", **headers)
    said = {"en": "None of the choices here goes by this code.", "zh-hans": "可选范围内没有此编码。"}[language]
    assert page.context["filter"].errors["store"] == [said]
    assert 'value="NOPE"' in page.content.decode() and said in page.content.decode()
    # three stores fit in a select: chosen from it, by name
    stores[3].delete()
    page = client.get("/visits/suggested-orders/", **headers).content.decode()
    assert '<select name="store"' in page and "大店0" in page
