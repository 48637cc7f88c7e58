"""A promoter's check-in kept on a phone whose clock is 2 hours fast (no network at the store's door), refused for its
time when it goes up: the outbox on My day says to check in again on the shift, as the rep's refused visit check-in
says to check in again on the store's page, not "correct the values and save again" (the service worker filed it as
a save). The same next step in Chinese and in English; checked in again with the network, it is recorded at the
server's time and the refusal is done with."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from promoters.models import Shift

from .conftest import _close, log_in, until
from .test_promoter_offline import _kept
from .test_promoters_phone import promoter_day  # noqa: F401 - the phone test's promoter at 沃尔玛五角场店, Wednesday

# ruff: noqa: F811 - the tests take the phone test's fixture `promoter_day` by its name

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service_worker]
SHANGHAI = ZoneInfo("Asia/Shanghai")
SERVER = datetime(2026, 11, 25, 8, 52, tzinfo=SHANGHAI)  # the server's clock; the shift runs 9:00–17:00
WAIT = 20_000  # ms
ARTIFACTS = "tests/e2e/artifacts"
WORDS = {
    "zh-CN": {"my_day": "我的今天", "waiting": "1项更改等待上传", "ahead": "晚于服务器当前时间"},
    "en": {"my_day": "My day", "waiting": "1 change waiting to upload", "ahead": "is ahead of the server's clock"},
}


@pytest.fixture(params=["zh-CN", "en"])
def phone(request, browser, live_server):
    """The promoter's 390 px phone at the store, in the language of the test."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale=request.param,
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
    )
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 31.2992, "longitude": 121.5141})
    page = context.new_page()
    page.words = WORDS[request.param]
    page.lang = request.param
    yield page
    _close(context)


def _signed_in_and_kept(phone, live_server) -> None:
    """Signed in, My day kept on the phone as it is before the check-in, the worker ready for no network."""
    log_in(phone, "promoter1", "demo-pass-1")
    expect(phone.get_by_role("heading", name=phone.words["my_day"])).to_be_visible()
    _kept(phone, live_server, "check-in")
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


def test_a_kept_check_in_refused_for_the_phones_time_says_to_check_in_again(phone, live_server, promoter_day):
    shift, _beer, _chips = promoter_day
    words = phone.words
    with time_machine.travel(SERVER, tick=True):
        phone.clock.install(time=SERVER + timedelta(hours=2))
        _signed_in_and_kept(phone, live_server)

        # no network at the store's door: the check-in waits on the phone, with the phone's (wrong) time
        phone.context.set_offline(True)
        phone.get_by_test_id("check-in").click()
        expect(phone.get_by_test_id("upload-queue")).to_contain_text(words["waiting"], timeout=WAIT)
        assert phone.evaluate("KaOutbox.list('writes').then((w) => w.map((one) => one.kind))") == ["check_in"]

        # the network is back: refused for its time, said as an error with the next step for a check-in
        phone.context.set_offline(False)
        refused = phone.get_by_test_id("upload-refused")
        expect(refused).to_contain_text(words["ahead"], timeout=WAIT)
        assert "alert-danger" in refused.get_attribute("class")
        check_in_again = refused.get_attribute("data-check-in-again")
        expect(refused).to_contain_text(check_in_again)
        assert refused.get_attribute("data-fix") not in refused.inner_text()  # not "correct the values on My day"
        expect(refused.get_by_role("link")).to_have_attribute("href", "/promoters/my/")  # My day, the shift on it
        assert Shift.objects.get(pk=shift.pk).checked_in_at is None
        phone.screenshot(path=f"{ARTIFACTS}/promoter-check-in-refused-clock-{phone.lang}.png", full_page=True)

        # checked in again with the network: timed by the server's clock, and the refusal is done with (My day shows
        # the shift checked in: shift_card.js), as a rep's is once the visit is checked in again
        until(phone, "!!document.querySelector('[data-testid=check-in]') && document.readyState === 'complete'")
        phone.get_by_test_id("check-in").click()
        expect(phone.get_by_test_id("checked-in")).to_contain_text("08:5", timeout=WAIT)
        expect(phone.get_by_test_id("upload-refused")).to_be_hidden(timeout=WAIT)
    checked_in = Shift.objects.get(pk=shift.pk)
    assert SERVER <= checked_in.checked_in_at < SERVER + timedelta(minutes=2)
