"""A KA manager with more stores than a select can hold assigns a task: the store is a box for its code, which offers
the stores their words find as they type (static/js/record-lookup.js, the API's store list in their scope)."""

import pytest
from django.utils import timezone

from accounts.roles import Role
from ka_portal.lists import RecordChoice
from stores.models import Store
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from visits.models import Task

from .conftest import in_view, log_in, offered

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_finds_a_store_by_name_among_hundreds_and_assigns_it_a_task(phone):
    manager = make_user(Role.MANAGER, username="mgr1", password="demo-pass-1")
    account = KeyAccountFactory(owner=manager, code="WMT", name="沃尔玛")
    Store.objects.bulk_create(
        Store(account=account, code=f"W{n:04d}", name=f"沃尔玛{n}号店", city="上海", grade=Store.Grade.B)
        for n in range(RecordChoice.MANY)
    )
    wujiao = StoreFactory(account=account, code="W9001", name="沃尔玛五角场店")
    other_chain = StoreFactory(code="X0001", name="家乐福五角场店")  # not the manager's
    log_in(phone, "mgr1", "demo-pass-1")
    phone.goto("/visits/tasks/")
    form = phone.get_by_test_id("task-form")
    box = form.locator("input[name=store]")
    assert box.get_attribute("placeholder") == "编码"
    in_view(box, 375)
    # typing part of a name offers the manager's stores it finds, not another chain's
    assert offered(box, "五角场") == [("W9001", "W9001 沃尔玛五角场店")]
    phone.screenshot(path="/tmp/store-lookup.png", full_page=True)
    # a code outside the manager's stores is refused beside the box, and what was typed stays
    box.fill(other_chain.code)
    form.get_by_label("事项", exact=True).fill("检查堆头")
    form.get_by_role("button", name="交办").click()
    form = phone.get_by_test_id("task-form")
    assert "可选范围内没有此编码" in form.inner_text()
    assert form.locator("input[name=store]").input_value() == "X0001"
    assert not Task.objects.exists()
    # the code chosen from the offer assigns the task to that store
    form.locator("input[name=store]").fill("W9001")
    form.get_by_role("button", name="交办").click()
    phone.get_by_text("事项已交办").wait_for()
    task = Task.objects.get()
    assert (task.store, task.title, task.due_on) == (wujiao, "检查堆头", timezone.localdate())
