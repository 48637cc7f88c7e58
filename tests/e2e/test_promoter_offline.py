"""A promoter without a network (QA: on My day with no network, 到店签到 / 保存销量 gave Chrome's
ERR_INTERNET_DISCONNECTED and what was typed was lost; the offline page linked to the rep's Today, 403 for them).
My day opens from the phone, the check-in and the sell-out wait in the phone's outbox with the phone's time and go up
when the network is back, each once; the offline page leads to My day. A whole day without a network (QA): the
sell-out is entered right after a check-in still waiting on the phone, and an early check-out asks on the phone and
carries the answer, so all three go up, in order, when the network is back."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from promoters.models import SellOutLine, Shift

from .conftest import log_in, until
from .test_promoters_phone import promoter_day  # noqa: F401 - the phone test's promoter at 沃尔玛五角场店, Wednesday

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service_worker]
SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = datetime(2026, 11, 25, 8, 52, tzinfo=SHANGHAI)
WAIT = 20_000  # ms


def _kept(phone, live_server, holding: str) -> None:
    """Wait until the service worker keeps My day as the server now draws it (`holding`: a test id it shows)."""
    until(
        phone,
        """async ([url, holding]) => {
            const kept = await caches.match(url, { cacheName: 'ka-pages', ignoreVary: true });
            return !!kept && (await kept.text()).includes(holding);
        }""",
        [f"{live_server.url}/promoters/my/", f'data-testid="{holding}"'],
    )


def _signed_in_and_kept(phone, live_server) -> None:
    """Signed in at the store, with My day kept on the phone as it is before the check-in, and the phone's worker
    (and the card's script) ready for no network."""
    log_in(phone, "promoter1", "demo-pass-1")
    expect(phone.get_by_role("heading", name="我的今天")).to_be_visible()
    _kept(phone, live_server, "check-in")  # My day as it was before the check-in
    # the worker's shell holds the card's scripts (ka_portal/pwa.py SHELL_FILES): no reload to keep them; and the
    # worker is the same for every user, so the one that took over before the sign-in leads offline to My day
    until(
        phone,
        """async () => {
            const registration = await navigator.serviceWorker.getRegistration();
            if (!registration || !registration.active || registration.installing || registration.waiting) return false;
            const shells = (await caches.keys()).filter((name) => name.startsWith('ka-shell-'));
            const kept = await Promise.all(shells.map(async (name) => (await (await caches.open(name)).keys())));
            return kept.flat().some((request) => request.url.includes('promoters/shift_card'));
        }""",
    )


@pytest.fixture
def at_the_store(phone, live_server, promoter_day):  # noqa: F811
    """The promoter of tests/e2e/test_promoters_phone.py signed in at the store on Wednesday morning (the phone's clock
    and the server's), with My day kept on the phone and its worker ready for no network: the day's shift and the
    beer."""
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 31.2992, "longitude": 121.5141})
    phone.clock.install(time=WEDNESDAY)
    shift, beer, _chips = promoter_day
    with time_machine.travel(WEDNESDAY, tick=True):
        _signed_in_and_kept(phone, live_server)
        yield shift, beer


def test_a_promoter_checks_in_and_reports_without_a_network(phone, live_server, at_the_store):
    shift, beer = at_the_store

    # no network in the store's basement: the check-in waits on the phone, My day opens from the phone
    phone.context.set_offline(True)
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_role("heading", name="我的今天")).to_be_visible(timeout=WAIT)
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("1项更改等待上传", timeout=WAIT)
    assert Shift.objects.get(pk=shift.pk).checked_in_at is None

    # a page the phone does not keep: the offline page leads to My day, not to a rep's Today
    phone.goto("/promoters/my/shifts/999999/")
    link = phone.get_by_role("link", name="我的今天")
    expect(link).to_have_attribute("href", "/promoters/my/")
    link.click()
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("1项更改等待上传", timeout=WAIT)

    # the network is back: the check-in goes up at the phone's time, and My day is drawn again by the server
    phone.context.set_offline(False)
    expect(phone.get_by_test_id("checked-in")).to_contain_text("08:5", timeout=WAIT)
    checked_in = Shift.objects.get(pk=shift.pk)
    assert datetime(2026, 11, 25, 8, 50, tzinfo=SHANGHAI) < checked_in.checked_in_at  # the phone's time,
    assert checked_in.checked_in_at < datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)  # not the upload's
    _kept(phone, live_server, "sell-out-form")  # My day kept with the sell-out form

    # no network again: the sell-out typed and saved waits on the phone, what was typed stays on My day
    phone.context.set_offline(True)
    phone.locator('[data-product="P-BEER"] > summary').click()
    phone.locator(f"#id_s{shift.pk}-p{beer.pk}_units_packs").fill("7")
    phone.locator(f"#id_s{shift.pk}-p{beer.pk}_price_seen").fill("¥5.20")
    phone.get_by_test_id("save-sell-out").click()
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("1项更改等待上传", timeout=WAIT)
    expect(phone.locator(f"#id_s{shift.pk}-p{beer.pk}_units_packs")).to_have_value("7")
    expect(phone.locator(f"#id_s{shift.pk}-p{beer.pk}_price_seen")).to_have_value("¥5.20")
    expect(phone.locator(f"#id_s{shift.pk}-p{beer.pk}_price_seen")).to_be_visible()  # its product open
    # the values put back wait in the outbox: said so, not "unsaved", and nothing to discard (QA: "已恢复2个未保存的值
    # [丢弃]", and 丢弃 emptied the fields while the upload still sent them)
    expect(phone.get_by_test_id("draft-queued")).to_be_visible(timeout=WAIT)
    expect(phone.get_by_test_id("draft-queued")).to_contain_text("2")
    expect(phone.get_by_test_id("draft-discard")).to_be_hidden()
    assert not SellOutLine.objects.exists()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="tests/e2e/artifacts/promoter-my-day-offline.png", full_page=True)

    # back online: it goes up once, at the phone's time
    phone.context.set_offline(False)
    expect(phone.get_by_test_id("reported")).to_contain_text("7", timeout=WAIT)
    expect(phone.get_by_test_id("upload-queue")).to_be_hidden(timeout=WAIT)
    expect(phone.get_by_test_id("draft-banner")).to_be_hidden(timeout=WAIT)  # uploaded: nothing put back to say
    line = SellOutLine.objects.get()
    assert (line.units, line.price_seen) == (7, Decimal("5.20"))
    assert line.reported_at.astimezone(SHANGHAI).date() == date(2026, 11, 25)


def test_a_whole_day_without_a_network_goes_up_in_order(phone, live_server, at_the_store):
    shift, beer = at_the_store

    # no network in the store's basement: the check-in waits on the phone, and the day's sell-out opens beside it
    phone.context.set_offline(True)
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("1项更改等待上传", timeout=WAIT)
    expect(phone.get_by_test_id("checked-in-waiting")).to_be_visible()
    expect(phone.get_by_test_id("checked-in-waiting")).to_contain_text("08:5")
    expect(phone.get_by_test_id("check-in")).to_be_hidden()
    expect(phone.get_by_test_id("sell-out-form")).to_be_visible()
    phone.locator('[data-product="P-BEER"] > summary').click()
    phone.locator(f"#id_s{shift.pk}-p{beer.pk}_units_packs").fill("9")
    phone.get_by_test_id("save-sell-out").click()
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("2项更改等待上传", timeout=WAIT)
    expect(phone.get_by_test_id("sell-out-form")).to_be_visible()  # the copy kept before the check-in, opened
    expect(phone.locator(f"#id_s{shift.pk}-p{beer.pk}_units_packs")).to_have_value("9")

    # leaving hours before the shift's end: the phone asks, in the server's words, before anything is kept
    phone.get_by_test_id("check-out").click()
    question = phone.get_by_test_id("check-out-early")
    expect(question).to_be_visible()
    expect(question).to_contain_text("本班次 17:00 结束：08:5")
    expect(question).to_contain_text("是早退 8 小时")
    expect(phone.get_by_test_id("check-out")).to_be_hidden()
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("2项更改等待上传")  # nothing kept for the tap
    phone.screenshot(path="tests/e2e/artifacts/promoter-early-check-out-asked-offline.png")
    # "Keep working" takes the question back; asked again, the promoter confirms
    phone.get_by_test_id("keep-working").click()
    expect(question).to_be_hidden()
    expect(phone.get_by_test_id("check-out")).to_be_visible()
    phone.get_by_test_id("check-out").click()
    phone.get_by_test_id("check-out-early-confirm").click()
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("3项更改等待上传", timeout=WAIT)
    expect(phone.get_by_test_id("checked-out-waiting")).to_contain_text("08:5")
    expect(phone.get_by_test_id("check-out")).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="tests/e2e/artifacts/promoter-day-offline-waiting.png", full_page=True)
    checked = Shift.objects.get(pk=shift.pk)
    assert checked.checked_in_at is None and checked.checked_out_at is None and not SellOutLine.objects.exists()

    # back online: the check-in, then the sell-out, then the check-out go up, each at the phone's time
    phone.context.set_offline(False)
    expect(phone.get_by_test_id("checked-out")).to_contain_text("08:5", timeout=WAIT)
    expect(phone.get_by_test_id("upload-queue")).to_be_hidden(timeout=WAIT)
    expect(phone.get_by_test_id("upload-refused")).to_be_hidden()
    shift = Shift.objects.get(pk=shift.pk)
    assert (
        datetime(2026, 11, 25, 8, 50, tzinfo=SHANGHAI)
        < shift.checked_in_at
        < datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
    )
    assert shift.checked_in_at <= shift.checked_out_at < datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
    line = SellOutLine.objects.get()
    assert line.shift_id == shift.pk and line.units == 9
    assert shift.checked_in_at <= line.reported_at <= shift.checked_out_at
