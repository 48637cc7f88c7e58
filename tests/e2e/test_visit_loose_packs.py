"""A rep on a 390 px phone types loose packs of a case or more (SPEC §4: an input error the server refuses): the page
marks the packs at once, in that product's words with its case size, sends nothing and, without a network, keeps
nothing on the phone (neither the save a change makes by itself, nor Save, nor Save and check out); written as cases
and loose packs, the count is kept and reaches the server when the network is back."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.models import Visit

from .conftest import _close, _page, log_in, until

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 20_000  # ms: the live server answers slowly on a busy machine


@pytest.fixture
def phone(browser, live_server):
    """The QA tester's phone: 390 px wide, in Simplified Chinese, on Shanghai time."""
    context, page = _page(browser, live_server, 390, 844)
    yield page
    _close(context)


def _writes(page) -> list:
    return page.evaluate("KaOutbox.list('writes').then((writes) => writes.map((w) => w.kind))")


def test_loose_packs_of_a_case_or_more_are_marked_at_once_and_not_kept_offline(phone):
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    chips = ProductFactory(name="乐滋薯片 70g", packs_per_case=20)
    for product in (beer, chips):
        ListingFactory(store=store, product=product)
    visit = VisitFactory(rep=rep, store=store)
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(f"/visits/{visit.pk}/")
    phone.wait_for_function("() => !!window.KaQueue && !!window.kaDrafts")
    beer_row = phone.get_by_test_id("stock-row").filter(has_text=beer.name)
    chips_row = phone.get_by_test_id("stock-row").filter(has_text=chips.name)
    beer_packs = beer_row.locator("input[data-part=packs]")
    chips_cases, chips_packs = chips_row.locator("input[data-part=cases]"), chips_row.locator("input[data-part=packs]")
    stock = phone.get_by_test_id("visit-progress").locator("[data-progress=stock]")

    # a case of loose packs, typed: marked at once, beside the field, in the product's words with its case size; the
    # row is not counted in the bar, and nothing goes to the server (not even the save a change makes by itself)
    beer_row.locator("input[data-part=cases]").fill("5")
    beer_packs.press_sequentially("12")
    expect(beer_row.get_by_test_id("stock-error")).to_have_text("散包须少于 12 包：满一箱请计入箱数。")
    expect(beer_packs).to_have_attribute("aria-invalid", "true")
    expect(beer_row.locator("input[data-part=cases]")).not_to_have_class(re.compile(r"is-invalid"))
    expect(stock).to_have_text("库存 0/2")
    beer_packs.blur()  # a change: the page would save it a second later
    # as a Chinese keyboard types it (full-width digits) it is the same count, marked the same
    beer_packs.fill("１５")
    expect(beer_row.get_by_test_id("stock-error")).to_have_text("散包须少于 12 包：满一箱请计入箱数。")
    # fewer than a case: the mark goes as it is typed, and the row counts
    beer_packs.fill("11")
    expect(beer_row.get_by_test_id("stock-error")).to_be_hidden()
    expect(beer_packs).not_to_have_class(re.compile(r"is-invalid"))
    expect(stock).to_have_text("库存 1/2")
    # each row in its own words: the chips come 20 to a case, so 19 packs are loose packs and 20 are not
    chips_packs.fill("19")
    expect(chips_row.get_by_test_id("stock-error")).to_be_hidden()
    chips_packs.fill("20")
    expect(chips_row.get_by_test_id("stock-error")).to_have_text("散包须少于 20 包：满一箱请计入箱数。")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator("#stock").screenshot(path="tests/e2e/artifacts/visits-loose-packs-phone.png")

    # without a network nothing wrong is kept on the phone: the save by itself, Save, Save and check out (with a
    # reason, which would keep an incomplete check-out) are all stopped at the field, which the page lands on
    phone.context.set_offline(True)
    chips_packs.blur()
    phone.locator("#id_checkout_reason").fill("店长不让盘点")
    phone.wait_for_timeout(1500)  # past the second a change waits before it saves by itself
    phone.evaluate("window.scrollTo(0, 0)")
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.get_by_test_id("fix-count")).to_have_text("1处需要修改")
    expect(chips_packs).to_be_focused()
    phone.get_by_test_id("check-out").click()
    expect(chips_packs).to_be_focused()
    expect(phone.get_by_test_id("checked-out")).to_be_hidden()  # not "签退已记在这部手机上"
    assert _writes(phone) == []
    expect(phone.get_by_test_id("save-state")).not_to_contain_text("已保存在这部手机上")

    # written as a case: kept on the phone, and it reaches the server with the network
    chips_cases.fill("1")
    chips_packs.fill("0")
    expect(chips_row.get_by_test_id("stock-error")).to_be_hidden()
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.get_by_test_id("save-state")).to_contain_text("已保存在这部手机上", timeout=WAIT)
    assert set(_writes(phone)) == {"save"}
    phone.context.set_offline(False)  # the `online` event sends it
    until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
    assert {c.product_id: c.packs for c in visit.stock_counts.all()} == {beer.pk: 71, chips.pk: 20}
    assert Visit.objects.get(pk=visit.pk).checked_out_at is None
