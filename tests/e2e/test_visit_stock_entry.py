"""A rep on a phone (375 × 812, Chinese) counts stock with the number pad: "same as last count" for every empty
product (what was typed stays), one product changed, a bad value caught before sending, one refused by the
server; the page lands on the bad field and says how many need fixing, with no stale marks beside it; the fixed counts
reach the server."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import StockCountFactory, VisitFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _in_view(locator) -> bool:
    return locator.evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )


def test_rep_counts_stock_with_same_as_last_and_lands_on_the_bad_field(phone, live_server):
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    chips = ProductFactory(name="乐滋薯片 70g", packs_per_case=20)
    water = ProductFactory(name="清泉矿泉水 550ml", packs_per_case=24)
    for product in (beer, chips, water):
        ListingFactory(store=store, product=product)
    last_week = timezone.now() - timedelta(days=7)
    before = VisitFactory(
        rep=rep, store=store, checked_in_at=last_week, checked_out_at=last_week + timedelta(minutes=30)
    )
    StockCountFactory(visit=before, product=beer, packs=120)  # 10 cases
    StockCountFactory(visit=before, product=chips, packs=45)  # 2 cases 5 packs; the water was never counted
    visit = VisitFactory(rep=rep, store=store)

    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(f"/visits/{visit.pk}/")
    field = {
        p.pk: (phone.locator(f"#id_stock_{p.pk}_cases"), phone.locator(f"#id_stock_{p.pk}_packs"))
        for p in (beer, chips, water)
    }
    assert field[beer.pk][0].get_attribute("inputmode") == "numeric"
    assert field[beer.pk][0].get_attribute("pattern") == "[0-9]*"

    # the last counts read in the words of the two fields, not the sheets' 10, 2/5
    chips_row = phone.get_by_test_id("stock-row").filter(has_text="乐滋薯片 70g")
    expect(chips_row.get_by_test_id("last-count")).to_have_text("2 箱 5 包")
    expect(chips_row.get_by_test_id("same-as-last")).to_have_text("同上次（2 箱 5 包）")
    # the chips' loose packs typed first; "same as last count" for all fills only the empty beer (the water has
    # no last count) and keeps what was typed
    field[chips.pk][1].fill("7")
    phone.get_by_test_id("same-as-last-all").click()
    assert (field[beer.pk][0].input_value(), field[beer.pk][1].input_value()) == ("10", "0")
    assert (field[chips.pk][0].input_value(), field[chips.pk][1].input_value()) == ("", "7")
    assert (field[water.pk][0].input_value(), field[water.pk][1].input_value()) == ("", "")
    # the chips' own button takes its last count; then the beer is changed to 8 cases
    phone.get_by_test_id("stock-row").filter(has_text="乐滋薯片 70g").get_by_test_id("same-as-last").click()
    assert (field[chips.pk][0].input_value(), field[chips.pk][1].input_value()) == ("2", "5")
    field[beer.pk][0].fill("8")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.locator("#stock").screenshot(path="tests/e2e/artifacts/visits-stock-entry-phone.png")

    # a minus is flagged as it is typed, beside the field, with the server's message (nothing saved yet); taking
    # it back takes the mark away
    water_row = phone.get_by_test_id("stock-row").filter(has_text="清泉矿泉水 550ml")
    field[water.pk][1].press_sequentially("-3")
    expect(water_row.get_by_test_id("stock-error")).to_have_text("库存数量不能为负数。")
    expect(field[water.pk][1]).to_have_attribute("aria-invalid", "true")
    field[water.pk][1].fill("")
    expect(water_row.get_by_test_id("stock-error")).to_be_hidden()
    expect(field[water.pk][1]).not_to_have_class(re.compile(r"is-invalid"))

    # an obviously bad value is caught before sending: the page stays, focused on it, with the count
    field[water.pk][1].fill("-2")
    phone.evaluate("window.scrollTo(0, 0)")
    phone.get_by_role("button", name="保存", exact=True).click()
    assert phone.get_by_test_id("fix-count").inner_text() == "1处需要修改"
    assert phone.evaluate("document.activeElement.id") == f"id_stock_{water.pk}_packs"
    assert _in_view(field[water.pk][1])
    assert not visit.stock_counts.exists()

    # a value only the server can judge (more than a count may hold) comes back refused: the page lands on it
    field[water.pk][1].fill("2")
    # (eleven digits typed stay eleven: the input cuts nothing, and the refusal says it in the cases typed)
    field[beer.pk][0].fill("")
    field[beer.pk][0].press_sequentially("99999999999")
    assert field[beer.pk][0].input_value() == "99999999999"
    phone.get_by_role("button", name="保存", exact=True).click()
    beer_row = phone.get_by_test_id("stock-row").filter(has_text="海川纯生啤酒 500ml")
    expect(beer_row.get_by_test_id("stock-error")).to_contain_text(
        "99,999,999,999 箱超过一次盘点的上限 833,333 箱 4 包。"
    )
    assert field[beer.pk][0].input_value() == "99999999999"
    expect(phone.get_by_test_id("fix-count")).to_have_text("1处需要修改")
    assert phone.evaluate("document.activeElement.id") == f"id_stock_{beer.pk}_cases"
    assert _in_view(field[beer.pk][0])
    # only the cases typed are marked, not the packs beside them (as the page without JavaScript marks them)
    expect(field[beer.pk][0]).to_have_class(re.compile(r"is-invalid"))
    expect(field[beer.pk][1]).not_to_have_class(re.compile(r"is-invalid"))
    assert (field[chips.pk][0].input_value(), field[chips.pk][1].input_value()) == ("2", "5")  # everything typed stays
    assert field[water.pk][1].input_value() == "2"
    phone.locator("#stock").screenshot(path="tests/e2e/artifacts/visits-stock-refused-phone.png")

    # fixed, its mark goes as it is typed
    field[beer.pk][0].fill("8")
    expect(beer_row.get_by_test_id("stock-error")).to_be_hidden()
    # a refused check-out marks the unanswered checklist; a bad value caught next shows what is wrong now, not the
    # check-out's old marks beside it (the banner said "1 to fix" over six red messages)
    phone.get_by_test_id("check-out").click()
    expect(phone.get_by_test_id("checkout-error")).to_be_visible()
    field[water.pk][1].fill("x")
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.get_by_test_id("fix-count")).to_have_text("1处需要修改")
    assert phone.locator("[data-visit-sections] .invalid-feedback.d-block").count() == 1
    field[water.pk][1].fill("2")
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.get_by_test_id("save-state")).to_contain_text("已保存")
    assert {c.product_id: c.packs for c in visit.stock_counts.all()} == {beer.pk: 96, chips.pk: 45, water.pk: 2}

    # in English too the time it was saved reads as the rest of the portal writes times (24-hour), not "04:36 PM"
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    phone.reload()
    phone.get_by_test_id("stock-row").filter(has_text=water.name).locator("input[data-part=packs]").fill("3")
    phone.get_by_role("button", name="Save", exact=True).click()
    expect(phone.get_by_test_id("save-state")).to_have_text(re.compile(r"^Saved \d{2}:\d{2}$"))
    assert visit.stock_counts.get(product=water).packs == 3


def test_without_javascript_the_same_as_last_buttons_are_not_offered(browser, live_server):
    """Finding: without JavaScript "同上次" and "未填的都同上次" were shown and did nothing when tapped. They only
    work with the script, so only the script shows them (with it they are there: the test above)."""
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    ListingFactory(store=store, product=beer)
    last_week = timezone.now() - timedelta(days=7)
    before = VisitFactory(
        rep=rep, store=store, checked_in_at=last_week, checked_out_at=last_week + timedelta(minutes=30)
    )
    StockCountFactory(visit=before, product=beer, packs=27)
    visit = VisitFactory(rep=rep, store=store)
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", java_script_enabled=False, base_url=live_server.url
    )
    page = context.new_page()
    log_in(page, "rep1", "demo-pass-1")
    page.goto(f"/visits/{visit.pk}/")
    expect(page.get_by_test_id("last-count")).to_have_text("2 箱 3 包")  # what the last count was, still said
    expect(page.get_by_test_id("same-as-last")).to_be_hidden()
    expect(page.get_by_test_id("same-as-last-all")).to_be_hidden()
    context.close()


def test_a_count_refused_for_size_is_not_counted_in_the_bar_sent_or_queued(phone, live_server):
    """The bar's "stock n/m" counts what is counted: a count the server refused for size (sent from the page, or
    kept on the phone without a network and refused when it went up) is not, until it holds a count again."""
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    chips = ProductFactory(name="乐滋薯片 70g", packs_per_case=20)
    for product in (beer, chips):
        ListingFactory(store=store, product=product)
    visit = VisitFactory(rep=rep, store=store)
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(f"/visits/{visit.pk}/")
    stock = phone.get_by_test_id("visit-progress").locator("[data-progress=stock]")
    expect(stock).to_have_text("库存 0/2")
    beer_cases, beer_packs = phone.locator(f"#id_stock_{beer.pk}_cases"), phone.locator(f"#id_stock_{beer.pk}_packs")
    beer_row = phone.get_by_test_id("stock-row").filter(has_text="海川纯生啤酒 500ml")

    # sent from the page: typed, it counts; refused for size, it no longer does (the chips still do)
    phone.locator(f"#id_stock_{chips.pk}_cases").fill("2")
    beer_cases.fill("99999999999")
    expect(stock).to_have_text("库存 2/2")
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(beer_row.get_by_test_id("stock-error")).to_contain_text("超过一次盘点的上限 833,333 箱 4 包")
    expect(stock).to_have_text("库存 1/2")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    # fixed, it counts again
    beer_cases.fill("3")
    expect(stock).to_have_text("库存 2/2")
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.get_by_test_id("save-state")).to_contain_text("已保存")

    # without a network: kept on the phone, then refused when it goes up; only the cases typed are marked (not the
    # packs beside them), and the bar no longer counts it (packs of a case or more never leave the page: the page
    # marks them, test_visit_loose_packs.py)
    phone.context.set_offline(True)
    beer_cases.fill("99999999999")
    beer_packs.fill("3")
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.get_by_test_id("save-state")).to_contain_text("已保存在这部手机上")
    phone.context.set_offline(False)  # the `online` event sends it
    expect(phone.get_by_test_id("upload-refused")).to_contain_text("超过一次盘点的上限 833,333 箱 4 包", timeout=15_000)
    expect(beer_row.get_by_test_id("stock-error")).to_contain_text("超过一次盘点的上限 833,333 箱 4 包")
    expect(beer_cases).to_have_class(re.compile(r"is-invalid"))
    expect(beer_packs).not_to_have_class(re.compile(r"is-invalid"))
    expect(stock).to_have_text("库存 1/2")
    phone.screenshot(path="tests/e2e/artifacts/visits-stock-refused-bar-phone.png")
    assert {c.product_id: c.packs for c in visit.stock_counts.all()} == {beer.pk: 36, chips.pk: 40}
