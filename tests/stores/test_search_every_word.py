"""A search box finds what holds every word typed (QA: a manager typing "chain + area", 沃尔玛 古北, got "no store
matches" on the stores and visit lists, while 古北 alone found three stores). Each word may match a different field:
the chain's name, then the store's. Pages read the words as the API's ?search= does (ka_portal.lists.WordsFilter)."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(manager):
    rep = make_user(Role.REP, username="rep_words")
    walmart = KeyAccountFactory(code="WMT", name="沃尔玛", name_en="Walmart", owner=manager)
    carrefour = KeyAccountFactory(code="CRF", name="家乐福", name_en="Carrefour", owner=manager)
    shops = {
        "walmart gubei": StoreFactory(account=walmart, rep=rep, code="S-001", name="古北店"),
        "walmart wujiaochang": StoreFactory(account=walmart, rep=rep, code="S-002", name="五角场店"),
        "carrefour gubei": StoreFactory(account=carrefour, rep=rep, code="S-003", name="古北店"),
    }
    for store in shops.values():
        VisitFactory(rep=rep, store=store)
    return rep, shops


LISTS = {
    "stores": (reverse("stores:store-list"), lambda row: row),
    "visits": (reverse("visits:visit-list"), lambda row: row.store),
}


@pytest.mark.parametrize("text", ["沃尔玛 古北", "古北 沃尔玛", "Walmart 古北", "wmt,古北"])
@pytest.mark.parametrize("name", list(LISTS))
def test_every_word_narrows_the_list(client, world, name, text):
    # given a rep with Walmart's stores at Gubei and Wujiaochang, and Carrefour's at Gubei
    rep, shops = world
    url, store_of = LISTS[name]
    client.force_login(rep)
    # when they search for the chain and the area, with a space (or a comma) between
    page = client.get(url, {"q": text}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then only Walmart's Gubei store is listed: both words hold for it, one of them for each of the others
    assert {store_of(row).pk for row in page.context["object_list"]} == {shops["walmart gubei"].pk}


def test_a_quoted_phrase_is_one_word(client, world):
    rep, shops = world
    client.force_login(rep)

    page = client.get(reverse("stores:store-list"), {"q": '"沃尔玛 古北"'}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    # no store's name, code or chain holds "沃尔玛 古北" with its space: nothing, and the page says so
    assert list(page.context["object_list"]) == []
    assert "没有符合筛选条件的门店" in page.content.decode()
