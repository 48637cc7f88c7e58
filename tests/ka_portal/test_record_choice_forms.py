"""A write form's choice of a store (a task's, a display agreement's, a promoter's shift's) takes the store's code
(ka_portal.lists.choose_by_code): a select of codes while the user's stores fit in one, past RecordChoice.MANY a box
for the code that offers the stores found by the API's search as the user types (tests/e2e/test_store_lookup.py
drives it in a browser; the roster's and the agreements' own tests edit theirs). A code outside the user's stores is
refused beside the field, and what was typed stays."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from ka_portal.lists import RecordChoice
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from visits.models import Task

pytestmark = pytest.mark.django_db

REFUSED = {"en": "None of the choices here goes by this code.", "zh-hans": "可选范围内没有此编码。"}


def _field(page: str, name: str = "store", form: str = "") -> str:
    """The first control named `name` after `form` (a data-testid) on the page: a select whole, or an input."""
    start = page.index(f'data-testid="{form}"') if form else 0
    found = re.search(rf'<select name="{name}".*?</select>|<input type="text" name="{name}"[^>]*>', page[start:], re.S)
    assert found, f"no {name} control"
    return found.group(0)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_task_is_assigned_to_a_store_by_its_code_from_a_select_or_past_many_a_box(client, monkeypatch, language):
    manager = make_user(Role.MANAGER, username="mgr_tasks")
    account = KeyAccountFactory(owner=manager)
    mine = [StoreFactory(account=account, code=f"MY{n}", name=f"我的店{n}") for n in range(3)]
    elsewhere = StoreFactory(code="ELSE1", name="别人的店")
    client.force_login(manager)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    url = reverse("visits:task-list")
    # three stores: a select whose choices post the store's code
    select = _field(client.get(url, **headers).content.decode(), form="task-form")
    assert select.startswith("<select") and '<option value="MY1">' in select and "ELSE1" not in select
    form = {"title": "检查堆头", "due_on": timezone.localdate().isoformat()}
    # past RecordChoice.MANY a box for the code, offering what the store API's search finds
    monkeypatch.setattr(RecordChoice, "MANY", 2)
    box = _field(client.get(url, **headers).content.decode(), form="task-form")
    assert box.startswith("<input") and "MY1" not in box
    assert f'data-lookup="{reverse("store-list")}"' in box and 'list="task_store-found"' in box
    assert ('placeholder="Code"' if language == "en" else 'placeholder="编码"') in box
    # another manager's store, an unknown code, and a store's key (what the select posted before): refused beside
    # the box, which keeps what was typed; nothing assigned
    for typed in (elsewhere.code, "NOPE", str(mine[1].pk)):
        answer = client.post(url, {**form, "store": typed}, **headers)
        assert answer.status_code == 400 and answer.context["task_form"].errors["store"] == [REFUSED[language]]
        assert f'value="{typed}"' in _field(answer.content.decode(), form="task-form")
    assert not Task.objects.exists()
    # the code assigns it
    client.post(url, {**form, "store": "MY1"}, **headers)
    assert Task.objects.get().store == mine[1]


def test_the_store_api_finds_a_managers_stores_by_name_for_the_box(client):
    manager = make_user(Role.MANAGER, username="mgr_lookup")
    account = KeyAccountFactory(owner=manager)
    StoreFactory(account=account, code="W1", name="沃尔玛五角场店")
    StoreFactory(account=account, code="W2", name="沃尔玛徐家汇店")
    StoreFactory(code="C1", name="家乐福五角场店")  # another manager's
    client.force_login(manager)
    # ?search= (what static/js/record-lookup.js asks) finds what the page list's ?q= does; the API takes no ?q=
    found = client.get(reverse("store-list"), {"search": "五角场", "page_size": 20}, HTTP_ACCEPT="application/json")
    assert [(store["code"], store["name"]) for store in found.json()["results"]] == [("W1", "沃尔玛五角场店")]
    assert client.get(reverse("store-list"), {"q": "五角场"}, HTTP_ACCEPT="application/json").status_code == 400
