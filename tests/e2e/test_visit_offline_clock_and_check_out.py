"""A rep on a 390 px phone, the network coming and going (QA round on the visit page's offline behaviour):

- a check-in sent at once is timed by the server, so a phone 7 minutes fast checks in; one kept offline on a phone 2
  hours fast is refused when it goes up, said clearly on the stop's page and in the outbox (in the error style, with
  what to do next), the visit's save held on the phone rather than sent to a visit that does not exist (no 404 page),
  and checking in again sends both;
- a check-out kept offline of a visit not done is refused on the phone, with the online refusal's words and marks;
- values put back from a save waiting in the outbox are said to wait to upload, not "unsaved", and Discard leaves them;
- a stop's page kept on the phone stops saying "you are still checked in at …" once that visit is checked out;
- a check-out refused after it waited says to complete the visit, in one sentence, not a list of every product."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.models import Visit

from .conftest import _close, _page, kept_offline, log_in, until

pytestmark = pytest.mark.django_db(transaction=True)
SHANGHAI = ZoneInfo("Asia/Shanghai")
WAIT = 20_000  # ms: the live server answers slowly on a busy machine
ARTIFACTS = "tests/e2e/artifacts"


@pytest.fixture
def phone(browser, live_server):
    """The QA tester's phone: 390 px wide, in Simplified Chinese, on Shanghai time, where the store is."""
    context, page = _page(browser, live_server, 390, 844)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 31.2992, "longitude": 121.5141})
    yield page
    _close(context)


@pytest.fixture
def store():
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    for name in ("海川纯生啤酒 500ml", "海川清爽啤酒 330ml", "清源绿茶 500ml"):
        ListingFactory(store=store, product=ProductFactory(name=name, packs_per_case=12))
    return store


def _ready(page) -> None:
    page.wait_for_function("() => !!window.KaQueue && !!window.kaDrafts")


def _writes(page) -> list:
    return page.evaluate("KaOutbox.list('writes').then((writes) => writes.map((w) => w.kind))")


def test_a_check_in_with_a_network_is_timed_by_the_server_on_a_phone_seven_minutes_fast(phone, store):
    log_in(phone, "rep1", "demo-pass-1")
    phone.clock.install(time=datetime.now(SHANGHAI) + timedelta(minutes=7))
    phone.goto(f"/visits/start/{store.pk}/")
    _ready(phone)

    phone.get_by_test_id("check-in").click()

    phone.wait_for_url("**/visits/*/", timeout=WAIT)  # not "…晚于服务器当前时间"
    visit = Visit.objects.get(store=store)
    assert abs(visit.checked_in_at - timezone.now()) < timedelta(minutes=1)


def test_a_check_in_kept_on_a_phone_two_hours_fast_is_refused_clearly_and_made_again(phone, store):
    log_in(phone, "rep1", "demo-pass-1")
    phone.clock.install(time=datetime.now(SHANGHAI) + timedelta(hours=2))
    phone.goto(f"/visits/start/{store.pk}/")
    _ready(phone)

    # no network: the check-in and a save wait on the phone
    phone.context.set_offline(True)
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("checked-in-offline")).to_be_visible(timeout=WAIT)
    phone.get_by_label("发现的问题").fill("端架有破损包装")
    phone.get_by_role("button", name="保存", exact=True).click()
    queue = phone.get_by_test_id("upload-queue")
    expect(queue).to_contain_text("2项更改等待上传", timeout=WAIT)

    # the network is back: the check-in's time is the phone's, two hours ahead of the server's clock: refused
    phone.context.set_offline(False)
    error = phone.get_by_test_id("check-in-error")
    expect(error).to_contain_text("晚于服务器当前时间", timeout=WAIT)
    expect(error).to_contain_text("请检查手机的日期和时间")
    expect(phone.get_by_test_id("check-in")).to_be_enabled()  # ready to check in again
    refused = phone.get_by_test_id("upload-refused")
    expect(refused).to_contain_text("沃尔玛五角场店：时间", timeout=WAIT)  # the store's name, then why
    assert "alert-danger" in refused.get_attribute("class")  # an error, not the light-blue information
    # what to do next: check in again (not "correct the values"), and the save that waits for it
    assert refused.get_attribute("data-check-in-again") in refused.inner_text()
    assert refused.get_attribute("data-fix") not in refused.inner_text()
    expect(phone.get_by_test_id("upload-held")).to_be_visible()
    assert phone.url.endswith(f"/visits/start/{store.pk}/")  # not led on to a visit that does not exist (404)
    assert _writes(phone) == ["save"]  # held on the phone, not sent to find no visit
    assert not Visit.objects.exists()
    phone.screenshot(path=f"{ARTIFACTS}/visit-check-in-refused-clock-phone.png")
    refused.screenshot(path=f"{ARTIFACTS}/visit-check-in-refused-clock-queue.png")

    # checked in again with the network: timed by the server, and the save that waited goes up behind it
    phone.get_by_test_id("check-in").click()
    # polled, not wait_for_url: the stop's page may start a navigation of its own that the check-in's answer aborts
    # (net::ERR_ABORTED), which wait_for_url takes as a failure though the visit's page then opens
    until(phone, "/^\\/visits\\/\\d+\\/$/.test(location.pathname) && document.readyState === 'complete'")
    until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
    visit = Visit.objects.get(store=store)
    assert abs(visit.checked_in_at - timezone.now()) < timedelta(minutes=1)
    assert visit.problems == "端架有破损包装"
    expect(phone.get_by_test_id("upload-refused")).to_be_hidden(timeout=WAIT)  # the refusal is done with


def test_an_offline_check_out_of_a_visit_not_done_is_refused_on_the_phone_as_online(phone, store):
    visit = VisitFactory(rep=store.rep, store=store)  # checked in without a position
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(f"/visits/{visit.pk}/")
    _ready(phone)
    rows = phone.get_by_test_id("stock-row")
    rows.nth(0).locator("input[data-part=cases]").fill("2")
    rows.nth(0).locator("input[data-part=cases]").blur()
    banner = phone.get_by_test_id("fix-count")

    # with a network: refused at once by the server
    phone.get_by_test_id("check-out").click()
    expect(banner).to_contain_text("未签退", timeout=WAIT)
    online = banner.inner_text()
    online_marked = phone.locator("[data-visit-sections] .is-invalid").count()
    assert "5个检查项未作答" in online and "2个产品既未盘点也未标记为未盘点" in online and "签到无定位" in online

    # without one: the phone refuses it itself, in the same words, with the same fields marked; nothing kept
    phone.reload()
    _ready(phone)
    phone.context.set_offline(True)
    phone.get_by_test_id("check-out").click()
    expect(banner).to_be_visible(timeout=WAIT)
    assert banner.inner_text() == online
    assert phone.locator("[data-visit-sections] .is-invalid").count() == online_marked
    expect(rows.nth(1).locator("input[data-part=cases]")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(phone.get_by_test_id("checkout-error")).to_have_text(online)
    expect(phone.get_by_test_id("checked-out")).to_be_hidden()  # not "签退已记在这部手机上"
    assert "check_out" not in _writes(phone)
    phone.screenshot(path=f"{ARTIFACTS}/visit-offline-check-out-refused-phone.png")

    # with a reason the check-out is kept, to upload with the network
    phone.locator("#id_checkout_reason").fill("店长不让盘点")
    phone.get_by_test_id("check-out").click()
    expect(phone.get_by_test_id("checked-out")).to_contain_text("签退已记在这部手机上", timeout=WAIT)
    assert "check_out" in _writes(phone)
    phone.context.set_offline(False)
    until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
    assert Visit.objects.get(pk=visit.pk).checkout_reason == "店长不让盘点"


@pytest.mark.service_worker
def test_values_waiting_to_upload_are_said_so_and_discard_leaves_them(phone, live_server, store):
    visit = VisitFactory(rep=store.rep, store=store)
    url = f"/visits/{visit.pk}/"
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(url)
    kept_offline(phone, f"{live_server.url}{url}")

    phone.context.set_offline(True)
    phone.get_by_label("发现的问题").fill("端架有破损包装")
    phone.get_by_label("采取的措施").fill("已整理端架")
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("1项更改等待上传", timeout=WAIT)

    # reopened: the values are put back and said to wait to upload, with nothing to discard
    phone.reload()
    _ready(phone)
    waiting = phone.get_by_test_id("draft-queued")
    expect(waiting).to_be_visible(timeout=WAIT)
    expect(waiting).to_contain_text("2")
    expect(phone.get_by_test_id("draft-discard")).to_be_hidden()
    phone.evaluate("window.scrollTo(0, 0)")
    phone.screenshot(path=f"{ARTIFACTS}/visit-offline-values-waiting-phone.png")

    # one typed over and not saved: that one is unsaved; Discard takes it back to the value that will upload
    phone.get_by_label("采取的措施").fill("另一段文字")
    phone.evaluate("window.kaDrafts.forEach((draft) => draft.now())")
    phone.reload()
    _ready(phone)
    expect(phone.get_by_test_id("draft-banner")).to_contain_text("已恢复1个未保存的值", timeout=WAIT)
    expect(waiting).to_contain_text("1")
    phone.get_by_test_id("draft-discard").click()
    assert phone.get_by_label("采取的措施").input_value() == "已整理端架"
    assert phone.get_by_label("发现的问题").input_value() == "端架有破损包装"
    expect(phone.get_by_test_id("draft-discard")).to_be_hidden()
    expect(waiting).to_contain_text("2")

    # uploaded: the server has them, and nothing is said any more
    phone.context.set_offline(False)
    until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
    expect(phone.get_by_test_id("draft-banner")).to_be_hidden(timeout=WAIT)
    visit.refresh_from_db()
    assert (visit.problems, visit.actions) == ("端架有破损包装", "已整理端架")


@pytest.mark.service_worker
def test_a_stops_page_kept_on_the_phone_stops_saying_a_visit_is_open_once_checked_out(phone, live_server, store):
    other = StoreFactory(rep=store.rep, name="家乐福古北店")
    visit = VisitFactory(rep=store.rep, store=store, latitude="31.299000", longitude="121.514000")
    stop, visit_url = f"/visits/start/{other.pk}/", f"/visits/{visit.pk}/"
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(stop)
    kept_offline(phone, f"{live_server.url}{stop}")
    expect(phone.get_by_test_id("still-open")).to_contain_text("沃尔玛五角场店")
    phone.goto(visit_url)
    kept_offline(phone, f"{live_server.url}{visit_url}")

    # checked out with no network: the stop's page, opened from the phone, leaves that visit out
    phone.context.set_offline(True)
    phone.locator("#id_checkout_reason").fill("店长不在")
    phone.get_by_test_id("check-out").click()
    expect(phone.get_by_test_id("checked-out")).to_contain_text("签退已记在这部手机上", timeout=WAIT)
    phone.goto(stop)
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("1项更改等待上传", timeout=WAIT)
    expect(phone.get_by_test_id("still-open-visits")).to_be_hidden(timeout=WAIT)

    # the check-out goes up: the copy of the stop's page kept on the phone is fetched again, without the reminder
    phone.context.set_offline(False)
    until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
    until(
        phone,
        """async (url) => {
            const kept = await caches.match(url, { ignoreVary: true });
            return !!kept && !(await kept.text()).includes('data-still-open-visit');
        }""",
        f"{live_server.url}{stop}",
    )
    phone.context.set_offline(True)
    phone.goto(stop)
    expect(phone.get_by_test_id("start-check-in")).to_be_visible()
    assert phone.get_by_test_id("still-open").count() == 0
    phone.context.set_offline(False)


def test_a_check_out_refused_after_it_waited_says_to_complete_the_visit_in_one_sentence(phone, store):
    visit = VisitFactory(rep=store.rep, store=store)
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(f"/visits/{visit.pk}/")
    _ready(phone)

    # a check-out kept by an older copy of the page, with nothing recorded and no reason
    phone.context.set_offline(True)
    phone.evaluate(
        """async ([url, uuid, title]) => {
            const body = "action=check_out&changed=";
            await KaOutbox.put({url, page: url, visit: uuid, title, kind: "check_out", body});
            await KaQueue.refresh();
        }""",
        [f"/visits/{visit.pk}/", str(visit.uuid), store.name],
    )
    phone.context.set_offline(False)
    refused = phone.get_by_test_id("upload-refused")
    expect(refused).to_contain_text("未签退：5个检查项未作答、3个产品既未盘点也未标记为未盘点", timeout=WAIT)

    line = refused.locator("li")
    assert line.count() == 1
    assert "海川纯生啤酒" not in line.inner_text()  # one sentence, not each product named
    assert refused.get_attribute("data-complete-visit") in line.inner_text()  # complete the visit, or a reason
    assert refused.get_attribute("data-fix") not in line.inner_text()
    assert "alert-danger" in refused.get_attribute("class")
    # the visit page marks the gaps, with the refusal's sentence at the top
    expect(phone.get_by_test_id("fix-count")).to_contain_text("未签退", timeout=WAIT)
    assert "海川纯生啤酒" not in phone.get_by_test_id("fix-count").inner_text()
    refused.screenshot(path=f"{ARTIFACTS}/visit-check-out-refused-queue.png")
