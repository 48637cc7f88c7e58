"""A rep's stop with the network switched off (issue 14 item 1): Today keeps each stop's page on the phone, so the
rep checks in, records the whole visit and checks out with no network; the writes wait in the phone's outbox,
survive the page being closed, and reach the server in order when the network returns — one visit, with the
phone's times and every value."""

import time
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.roles import Role
from demo.photos import shelf_jpeg
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import RoutePlanFactory, RouteStopFactory, TaskFactory
from visits.models import ChecklistResult, Task, Visit

from .conftest import kept_offline, log_in, until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service_worker]
WAIT = 20_000  # ms: the live server answers slowly on a busy CI machine
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _server_time() -> datetime:
    """The server's time while the rep works offline: two minutes before the real time (the browser's clock, which is
    not moved), so the phone's times reach a server back on real time, and on the phone's day: a kept check-in names
    its route stop, which must be the stop of the day the phone dates it (visits.rules.check_route_stop; the server on
    last Thursday and the phone on today had the stop refused for its day)."""
    return datetime.now(SHANGHAI).replace(microsecond=0) - timedelta(minutes=2)


SERVER_TIME = _server_time()
# A route has no Sunday (RouteStop.day is Monday to Saturday): on a Sunday in Shanghai there is no stop to walk.
NO_ROUTE_TODAY = pytest.mark.skipif(
    SERVER_TIME.weekday() == 6, reason="a route has no Sunday: the phone's day (today, in Shanghai) has no stop"
)


class PhoneClock:
    """The real time (the browser's clock), read while the server's is moved to SERVER_TIME."""

    def __init__(self) -> None:
        self.started, self.ticking = datetime.now(SHANGHAI), time.monotonic()

    def now(self) -> datetime:
        return self.started + timedelta(seconds=time.monotonic() - self.ticking)


@pytest.fixture
def route():
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="家乐福曹杨店", latitude=Decimal("31.240000"), longitude=Decimal("121.420000"))
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    chips = ProductFactory(name="乐滋薯片 70g", code="P-CHIPS", packs_per_case=20)
    ListingFactory(store=store, product=beer)
    ListingFactory(store=store, product=chips)
    plan = RoutePlanFactory(rep=rep, week_start=SERVER_TIME.date() - timedelta(days=SERVER_TIME.weekday()))
    RouteStopFactory(plan=plan, store=store, day=SERVER_TIME.weekday(), position=0)
    task = TaskFactory(store=store, title="补齐端架价签", due_on=SERVER_TIME.date() + timedelta(days=1))
    return store, beer, chips, task


@NO_ROUTE_TODAY
def test_a_whole_stop_with_no_network_reaches_the_server_when_it_returns(phone, live_server, route):
    store, beer, chips, task = route
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 31.2401, "longitude": 121.4201})
    phone_clock = PhoneClock()
    with time_machine.travel(SERVER_TIME, tick=True) as server_clock:
        log_in(phone, "rep1", "demo-pass-1")
        phone.wait_for_url("**/visits/today/")  # a rep lands on Today
        # the service worker keeps the stop's page before the rep goes underground
        kept_offline(phone, f"{live_server.url}/visits/start/{store.pk}/")
        # and Today itself (asked of the worker at the same time): the rep comes back to it with no network
        today = f"{live_server.url}/visits/today/"
        until(phone, "async (url) => !!(await caches.match(url, {ignoreVary: true}))", today)

        phone.context.set_offline(True)
        phone.get_by_test_id("stop").get_by_role("button", name="签到").click()

        # the stop's page, from the phone: checked in here, the visit's form open
        expect(phone.get_by_test_id("checked-in-offline")).to_be_visible(timeout=WAIT)
        assert phone.get_by_role("heading", level=1).inner_text() == "家乐福曹杨店"
        phone.get_by_test_id("all-ok").click()
        phone.get_by_test_id("choice-check_tidy").get_by_text("不合格", exact=True).click()
        beer_row = phone.get_by_test_id("stock-row").filter(has_text="海川纯生啤酒")
        beer_row.locator("input[data-part=cases]").fill("3")
        beer_row.locator("input[data-part=packs]").fill("5")
        phone.get_by_test_id("stock-row").filter(has_text="乐滋薯片").locator("input[type=checkbox]").check()
        phone.get_by_test_id("task").locator("input[type=checkbox]").check()
        phone.get_by_label("发现的问题").fill("端架有破损包装")
        # a photo of the end cap, its item and caption given after it is taken, resized on the phone and kept
        # there with the visit when "Add photo" is tapped
        phone.locator("[data-photo-input]").set_input_files(
            {"name": "IMG_0001.JPG", "mimeType": "image/jpeg", "buffer": shelf_jpeg(7)}
        )
        phone.get_by_test_id("photo-checklist-item").select_option("promotion_display")
        phone.get_by_placeholder("说明").fill("端架照片")
        phone.get_by_role("button", name="添加照片").click()
        expect(phone.get_by_test_id("photo-upload")).to_contain_text("已保存在这部手机上", timeout=WAIT)
        expect(phone.get_by_test_id("visit-progress")).to_contain_text("2/2", timeout=WAIT)
        expect(phone.get_by_test_id("visit-progress")).to_contain_text("照片 1", timeout=WAIT)
        assert Visit.objects.count() == 0  # nothing reached the server

        # a reload with no network: every value back, the form still open
        phone.evaluate("window.kaDrafts[0].now()")
        phone.reload()
        expect(phone.get_by_test_id("checked-in-offline")).to_be_visible(timeout=WAIT)
        assert beer_row.locator("input[data-part=cases]").input_value() == "3"
        assert phone.get_by_label("发现的问题").input_value() == "端架有破损包装"
        assert phone.get_by_test_id("choice-check_tidy").locator("input[value=fail]").is_checked()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375

        phone.get_by_test_id("check-out").click()
        expect(phone.get_by_test_id("checked-out")).to_contain_text("签退已记在这部手机上", timeout=WAIT)
        expect(phone.get_by_test_id("upload-queue")).to_contain_text("等待上传", timeout=WAIT)
        phone.screenshot(path="tests/e2e/artifacts/visit-offline-route-phone.png", full_page=True)
        waiting = phone.evaluate("KaOutbox.list('writes').then(w => w.map(x => x.kind))")
        # the check-in first, the check-out last (it carries the form's values); between them the photo, and at
        # most one save: older saves are folded into the newest, and none is queued when the check-out came before
        # the autosave's second had passed
        assert waiting[0] == "check_in" and waiting[-1] == "check_out"
        assert waiting[1:-1].count("photo") == 1 and waiting[1:-1].count("save") <= 1
        assert set(waiting[1:-1]) <= {"photo", "save"}

        # Today, still with no network: the stop waits to upload, and leads back to its page, not to a second check-in
        phone.goto("/visits/today/")
        expect(phone.get_by_test_id("stop-waiting")).to_be_visible(timeout=WAIT)
        expect(phone.get_by_test_id("stop-continue")).to_be_visible(timeout=WAIT)
        assert phone.get_by_test_id("stop").get_by_role("button", name="签到").is_hidden()

        # the phone closes the page; later, with a network, Today opens and uploads what waited
        context = phone.context
        phone.close()
        # the network returns to a server on the phone's time: its check-in and check-out, taken at the taps, arrive
        # within KA_VISIT_SYNC_MAX_HOURS (rules.phone_time)
        server_clock.move_to(phone_clock.now())
        back_online = phone_clock.now()
        context.set_offline(False)
        page = context.new_page()
        page.goto("/visits/today/")
        until(page, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
        expect(page.get_by_test_id("upload-queue")).to_be_hidden(timeout=WAIT)

    visit = Visit.objects.get()
    assert visit.store == store and visit.checked_out_at is not None
    assert visit.latitude == Decimal("31.240100")
    results = dict(visit.checklist.values_list("item", "result"))
    assert results["tidy"] == ChecklistResult.Result.FAIL
    assert set(results.values()) == {ChecklistResult.Result.PASS, ChecklistResult.Result.FAIL}
    assert visit.stock_counts.get(product=beer).packs == 3 * 12 + 5
    assert visit.not_counted.filter(product=chips).exists()
    assert visit.problems == "端架有破损包装"
    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE
    photo = visit.photos.get()
    assert photo.checklist_item == "promotion_display" and photo.caption == "端架照片" and photo.thumbnail
    # the times are the phone's (taken at the taps), not the upload's
    assert visit.checked_in_at <= visit.checked_out_at <= back_online


@NO_ROUTE_TODAY
def test_the_same_stop_offline_reads_in_english(phone, live_server, route):
    """A rep who reads English gets the offline stop in English: the page kept on the phone, its banners and the
    'no network' page are in the rep's language, and the visit still reaches the server when the network returns."""
    store, beer, chips, _task = route
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 31.2401, "longitude": 121.4201})
    phone_clock = PhoneClock()
    with time_machine.travel(SERVER_TIME, tick=True) as server_clock:
        log_in(phone, "rep1", "demo-pass-1")
        phone.wait_for_url("**/visits/today/")
        phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        phone.goto("/visits/today/")
        # the page registers the worker for its language (its offline page speaks it): wait for that one to control
        until(
            phone,
            "() => navigator.serviceWorker.ready.then((r) => !!r.active && r.active.scriptURL.includes('lang=en'))",
        )
        if "lang=en" not in phone.evaluate("navigator.serviceWorker.controller?.scriptURL || ''"):
            phone.reload()
        until(phone, "() => (navigator.serviceWorker.controller?.scriptURL || '').includes('lang=en')")
        stop_page = f"{live_server.url}/visits/start/{store.pk}/"
        kept_offline(phone, stop_page)
        # the stop's page was kept in Chinese when the rep signed in: Today in English has it fetched again
        until(
            phone,
            "async (url) => (await caches.match(url, {ignoreVary: true})).headers.get('Content-Language') === 'en'",
            stop_page,
        )

        phone.context.set_offline(True)
        phone.get_by_test_id("stop").get_by_role("button", name="Check in").click()
        expect(phone.get_by_test_id("checked-in-offline")).to_contain_text("Checked in on this phone", timeout=WAIT)
        phone.get_by_test_id("all-ok").click()
        beer_row = phone.get_by_test_id("stock-row").filter(has_text="海川纯生啤酒")
        beer_row.locator("input[data-part=cases]").fill("2")
        phone.get_by_test_id("stock-row").filter(has_text="乐滋薯片").locator("input[type=checkbox]").check()
        phone.get_by_test_id("task").locator("input[type=checkbox]").check()
        phone.get_by_test_id("check-out").click()
        expect(phone.get_by_test_id("checked-out")).to_contain_text(
            "Checked out on this phone: it uploads when the network is back.", timeout=WAIT
        )
        expect(phone.get_by_test_id("upload-queue")).to_contain_text("waiting to upload", timeout=WAIT)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375

        phone.goto("/visits/")  # never opened on this phone: said in English, not the browser's error page
        assert phone.get_by_role("heading", level=1).inner_text().startswith("No network")
        phone.goto("/visits/today/")
        expect(phone.get_by_test_id("stop-waiting")).to_have_text("Waiting to upload", timeout=WAIT)
        assert Visit.objects.count() == 0

        server_clock.move_to(phone_clock.now())  # the network returns to a server on the phone's time
        phone.context.set_offline(False)
        phone.reload()
        until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")

    visit = Visit.objects.get()
    assert visit.store == store and visit.checked_out_at is not None
    assert visit.stock_counts.get(product=beer).packs == 2 * 12
    assert visit.not_counted.filter(product=chips).exists()
