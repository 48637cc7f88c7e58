"""A KA manager enters a display agreement: once a chain is chosen the store list holds only its stores (QA: after
choosing 沃尔玛 the list still held all 50 stores of every chain), and past 500 stores the store box offers only the
chain's as they type (evidence/static/evidence/agreement-form.js)."""

import pytest

from accounts.roles import Role
from ka_portal.lists import RecordChoice
from stores.models import Store
from tests.factories import KeyAccountFactory, StoreFactory, make_user

from .conftest import in_view, log_in, offered

pytestmark = pytest.mark.django_db(transaction=True)


def _manager_of_two_chains():
    manager = make_user(Role.MANAGER, username="mgr1", password="demo-pass-1")
    walmart = KeyAccountFactory(owner=manager, code="WMT", name="沃尔玛")
    carrefour = KeyAccountFactory(owner=manager, code="CRF", name="家乐福")
    return manager, walmart, carrefour


def test_the_store_list_holds_the_chosen_chains_stores_only(phone):
    _manager, walmart, carrefour = _manager_of_two_chains()
    StoreFactory(account=walmart, code="W001", name="沃尔玛五角场店")
    StoreFactory(account=walmart, code="W002", name="沃尔玛古北店")
    StoreFactory(account=carrefour, code="C001", name="家乐福杨浦店")
    log_in(phone, "mgr1", "demo-pass-1")
    phone.goto("/evidence/agreements/new/")
    form = phone.get_by_test_id("agreement-form")
    chain, store = form.locator("select[name=account]"), form.locator("select[name=store]")

    def offered_stores():
        return store.evaluate("s => Array.from(s.options).filter(o => !o.hidden && !o.disabled).map(o => o.value)")

    assert offered_stores() == ["", "C001", "W001", "W002"]  # no chain yet: every store
    # a store of Carrefour chosen, then Walmart: only Walmart's stores, and the Carrefour store let go, saying so
    store.select_option("C001")
    chain.select_option(label="WMT 沃尔玛")
    assert offered_stores() == ["", "W001", "W002"]
    assert store.input_value() == ""
    note = form.get_by_test_id("store-let-go")
    assert note.is_visible() and note.inner_text()
    in_view(store, 375)
    phone.screenshot(path="/tmp/agreement-form-chain.png", full_page=True)
    store.select_option("W002")
    chain.select_option(label="CRF 家乐福")
    assert offered_stores() == ["", "C001"]
    chain.select_option(label="WMT 沃尔玛")
    store.select_option("W001")
    assert not note.is_visible()  # a store of the chain: nothing to say


def test_past_500_stores_the_box_offers_the_chosen_chains_stores_only(phone):
    _manager, walmart, carrefour = _manager_of_two_chains()
    Store.objects.bulk_create(
        Store(account=carrefour, code=f"C{n:04d}", name=f"家乐福{n}号店", city="上海", grade=Store.Grade.B)
        for n in range(RecordChoice.MANY)
    )
    StoreFactory(account=carrefour, code="C9001", name="家乐福五角场店")
    StoreFactory(account=walmart, code="W9001", name="沃尔玛五角场店")
    log_in(phone, "mgr1", "demo-pass-1")
    phone.goto("/evidence/agreements/new/")
    form = phone.get_by_test_id("agreement-form")
    form.locator("select[name=account]").select_option(label="WMT 沃尔玛")

    assert offered(form.locator("input[name=store]"), "五角场") == [("W9001", "W9001 沃尔玛五角场店")]
