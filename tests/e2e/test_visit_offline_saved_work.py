"""Saved work on a phone with a dead network (the offline QA's findings): a visit page reopened from an old copy kept on
the phone neither shows nor sends blanks over what the server took since; an upload sent again (its answer lost) is
recorded once; shelf prices typed in a promotion check are kept like the visit's values; the reopened page counts what
it holds, a photo waiting to upload included; Today is drawn again once the uploads went up."""

import time
from decimal import Decimal

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from accounts.roles import Role
from demo.photos import shelf_jpeg
from tests.evidence import checks_world
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.models import ChecklistResult, Visit, VisitPhoto

from .conftest import kept_offline, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service_worker]
WAIT = 20_000  # ms: the live server answers slowly on a busy CI machine


@pytest.fixture
def open_visit():
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="好又多中山公园店")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    ListingFactory(store=store, product=beer)
    visit = VisitFactory(rep=rep, store=store, latitude=Decimal("31.160816"), longitude=Decimal("121.444800"))
    return visit, beer


def until(page, script: str, arg=None) -> None:
    """Wait until an (async) script answers true in the page (asked again if the page was drawn anew meanwhile)."""
    deadline = time.monotonic() + WAIT / 1000
    while True:
        try:
            if page.evaluate(script, arg):
                return
        except PlaywrightError:  # navigating (Today reloads itself after an upload)
            pass
        assert time.monotonic() < deadline, script
        page.wait_for_timeout(200)


@pytest.mark.parametrize("copy", ["refreshed", "left_old"])
def test_an_old_copy_opened_offline_neither_shows_nor_sends_blanks_over_saved_work(
    phone, live_server, open_visit, copy
):
    visit, beer = open_visit
    log_in(phone, "rep1", "demo-pass-1")
    kept_offline(phone, f"{live_server.url}/visits/today/")
    phone.goto(f"/visits/{visit.pk}/")
    page_url = f"{live_server.url}/visits/{visit.pk}/"
    kept_offline(phone, page_url)
    if copy == "left_old":
        # the copy kept on the phone stays the one drawn at this load (blank): the worker is not reached after the
        # save, as when its fetch fails. The phone must still neither show nor send blanks over what the server took.
        phone.evaluate("navigator.serviceWorker.getRegistration = () => Promise.resolve({active: {postMessage() {}}})")

    # with a network: a note and 5 cases, saved in place
    phone.get_by_label("发现的问题").fill("地堆被撤，已要求恢复")
    beer_row = phone.get_by_test_id("stock-row").filter(has_text="海川纯生啤酒")
    beer_row.locator("input[data-part=cases]").fill("5")
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.get_by_test_id("save-state")).to_contain_text("已保存", timeout=WAIT)
    assert Visit.objects.get(pk=visit.pk).stock_counts.get().packs == 60
    assert beer_row.locator("input[data-part=packs]").input_value() == "0"  # written as the server writes 60 packs
    if copy == "refreshed":  # the worker fetched the page again after the save: the copy holds the note (5 cases 0)
        until(
            phone,
            "async (url) => (await (await caches.match(url, {ignoreVary: true})).text()).includes('地堆被撤')",
            page_url,
        )

    # the network gone: 2 packs and the checklist, then the page is closed
    phone.context.set_offline(True)
    beer_row.locator("input[data-part=packs]").fill("2")
    phone.get_by_test_id("all-ok").click()
    phone.evaluate("window.kaDrafts[0].now()")
    context = phone.context
    phone.close()

    # reopened with no network: the old copy, caught up with what the server took and what was typed since
    page = context.new_page()
    page.goto(f"/visits/{visit.pk}/")
    row = page.get_by_test_id("stock-row").filter(has_text="海川纯生啤酒")
    assert page.get_by_label("发现的问题").input_value() == "地堆被撤，已要求恢复"
    assert row.locator("input[data-part=cases]").input_value() == "5"
    assert row.locator("input[data-part=packs]").input_value() == "2"
    # the bar counts what the page now holds (not the old copy's blanks)
    expect(page.get_by_test_id("visit-progress")).to_contain_text("5/5", timeout=WAIT)
    expect(page.get_by_test_id("visit-progress")).to_contain_text("1/1", timeout=WAIT)
    page.screenshot(path=f"tests/e2e/artifacts/visit-offline-reopened-{copy}-phone.png", full_page=False)

    page.get_by_test_id("check-out").click()
    expect(page.get_by_test_id("checked-out")).to_contain_text("签退已记在这部手机上", timeout=WAIT)

    # Today with no network (the copy kept on the phone), then the network returns: Today is drawn again once the
    # check-out went up, and says the visit is done
    page.goto("/visits/today/")
    expect(page.get_by_test_id("upload-queue")).to_contain_text("等待上传", timeout=WAIT)
    context.set_offline(False)
    until(page, "() => window.KaOutbox && KaOutbox.list('writes').then((writes) => writes.length === 0)")
    expect(page.get_by_test_id("stop").filter(has_text="好又多中山公园店")).to_contain_text("已完成", timeout=WAIT)
    page.screenshot(path=f"tests/e2e/artifacts/visit-offline-today-after-sync-{copy}-phone.png", full_page=False)

    visit.refresh_from_db()
    assert visit.checked_out_at is not None and visit.checkout_missing == {}
    assert visit.problems == "地堆被撤，已要求恢复"
    assert visit.stock_counts.get(product=beer).packs == 5 * 12 + 2
    assert visit.checklist.count() == len(ChecklistResult.Item.values)


def test_today_is_drawn_again_when_the_page_hears_the_network_after_the_upload_went_up(phone, live_server, open_visit):
    """The service worker (or this page) may upload the check-out before the page hears that the network is back: Today
    is drawn again when it does, not left saying the visit is in progress (CI saw the stop stay 拜访中)."""
    visit, _beer = open_visit
    log_in(phone, "rep1", "demo-pass-1")
    kept_offline(phone, f"{live_server.url}/visits/today/")
    phone.goto(f"/visits/{visit.pk}/")
    kept_offline(phone, f"{live_server.url}/visits/{visit.pk}/")
    phone.context.set_offline(True)
    phone.get_by_test_id("stock-row").filter(has_text="海川纯生啤酒").locator("input[data-part=cases]").fill("5")
    phone.get_by_test_id("all-ok").click()
    phone.get_by_test_id("check-out").click()
    expect(phone.get_by_test_id("checked-out")).to_contain_text("签退已记在这部手机上", timeout=WAIT)
    phone.goto("/visits/today/")
    queue = phone.get_by_test_id("upload-queue")
    expect(queue).to_contain_text("等待上传", timeout=WAIT)
    stop = phone.get_by_test_id("stop").filter(has_text="好又多中山公园店")
    expect(stop).to_contain_text("拜访中")

    # the page still believes it is offline while the check-out goes up
    phone.evaluate("Object.defineProperty(navigator, 'onLine', {configurable: true, get: () => false})")
    phone.context.set_offline(False)
    phone.evaluate("KaQueue.upload()")
    until(phone, "() => KaOutbox.list('writes').then((writes) => writes.length === 0)")
    expect(queue).to_be_hidden(timeout=WAIT)  # the page counted the outbox again: nothing waits
    visit.refresh_from_db()
    assert visit.checked_out_at is not None
    expect(stop).to_contain_text("拜访中")  # not drawn again yet: no network as far as the page knows

    # then it hears the network is back: Today is drawn by the server, the visit done
    phone.evaluate("delete navigator.onLine; window.dispatchEvent(new Event('online'))")
    expect(stop).to_contain_text("已完成", timeout=WAIT)


def test_a_photo_whose_answer_was_lost_is_added_once_and_shown_waiting_when_reopened(phone, live_server, open_visit):
    visit, _beer = open_visit
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(f"/visits/{visit.pk}/")
    kept_offline(phone, f"{live_server.url}/visits/{visit.pk}/")

    phone.context.set_offline(True)
    phone.locator("[data-photo-input]").set_input_files(
        {"name": "IMG_0002.JPG", "mimeType": "image/jpeg", "buffer": shelf_jpeg(11)}
    )
    phone.get_by_placeholder("说明").fill("货架全景")
    phone.get_by_role("button", name="添加照片").click()
    expect(phone.get_by_test_id("photo-upload")).to_contain_text("已保存在这部手机上", timeout=WAIT)

    # reopened before it went up: the photo waiting on the phone is shown, and counted
    phone.reload()
    kept = phone.get_by_test_id("photos-kept")
    expect(kept).to_contain_text("货架全景", timeout=WAIT)
    expect(kept).to_contain_text("已保存在这部手机上", timeout=WAIT)
    expect(phone.get_by_test_id("visit-progress")).to_contain_text("照片 1", timeout=WAIT)
    assert "暂无照片" not in phone.get_by_test_id("photo-gallery").inner_text()

    # the network returns; the server records the photo but its answer never reaches the phone: sent again
    posts = []

    def lose_the_first_answer(route):
        if route.request.method == "POST" and "/photos/" in route.request.url:
            posts.append(route.request.headers.get("idempotency-key"))
            if len(posts) == 1:
                route.fetch()  # the server answers 201 …
                route.abort("connectionreset")  # … and the phone never hears it
                return
        route.continue_()

    phone.context.route("**/visits/**", lose_the_first_answer)
    phone.context.set_offline(False)
    until(phone, "() => KaOutbox.list('writes').then((writes) => writes.length === 0)")

    assert len(posts) >= 2 and len(set(posts)) == 1  # sent again, with the same key
    assert list(VisitPhoto.objects.filter(visit=visit).values_list("caption", flat=True)) == ["货架全景"]
    # the gallery drawn again from the server, the row waiting gone
    expect(phone.get_by_test_id("photo-gallery").get_by_test_id("photo")).to_have_count(1, timeout=WAIT)
    expect(phone.get_by_test_id("photos-kept")).to_be_hidden(timeout=WAIT)


def test_shelf_prices_typed_in_a_promotion_check_survive_a_reload_and_an_offline_reopening(phone, live_server):
    w = checks_world.build()
    log_in(phone, "ck_rep", "pass-1234")
    phone.goto(f"/visits/{w.visit.pk}/")
    kept_offline(phone, f"{live_server.url}/visits/{w.visit.pk}/")

    phone.locator(f"#id_price_{w.beer.pk}").fill("10.10")
    phone.get_by_test_id("promotion").get_by_text("在位", exact=True).click()
    phone.evaluate("window.kaDrafts.forEach((draft) => draft.now())")  # what pagehide does when the phone kills it
    phone.reload()
    assert phone.locator(f"#id_price_{w.beer.pk}").input_value() == "10.10"
    assert phone.locator("#id_present_end_cap_yes").is_checked()
    expect(phone.get_by_test_id("draft-banner")).to_contain_text("已恢复2个未保存的值", timeout=WAIT)

    phone.context.set_offline(True)  # the back room: the copy kept on the phone, the prices put back on it
    phone.locator(f"#id_price_{w.chips.pk}").fill("5")
    phone.evaluate("window.kaDrafts.forEach((draft) => draft.now())")
    phone.reload()
    assert phone.locator(f"#id_price_{w.beer.pk}").input_value() == "10.10"
    assert phone.locator(f"#id_price_{w.chips.pk}").input_value() == "5"
    assert not w.visit.promotion_checks.exists()

    # saved with a network: the server has them, and the page shows them as its own (no draft left for them)
    phone.context.set_offline(False)
    phone.get_by_test_id("promotion").get_by_test_id("promotion-save").click()
    expect(phone.get_by_test_id("promotion").get_by_test_id("execution")).not_to_contain_text("未检查", timeout=WAIT)
    assert w.visit.promotion_checks.count() == 2
    phone.reload()
    assert phone.locator(f"#id_price_{w.beer.pk}").input_value() == "10.10"
    assert phone.get_by_test_id("draft-banner").is_hidden()
