"""A promoter's check-in kept on the phone and refused when it goes up holds the shift's later writes on the phone, as
a rep's refused visit check-in holds the visit's (QA: the sell-out kept after it went up anyway and was refused
"check in before reporting", its numbers left only in the outbox's list). My day says to check in again first and
that the sell-out and the check-out wait for it; checked in again, they go up behind the check-in."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from promoters.models import SellOutLine, Shift

from .conftest import until
from .test_promoter_offline import _signed_in_and_kept
from .test_promoters_phone import promoter_day  # noqa: F401 - the phone test's promoter at 沃尔玛五角场店, Wednesday

# ruff: noqa: F811 - the test takes the phone test's fixture `promoter_day` by its name

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service_worker]
SHANGHAI = ZoneInfo("Asia/Shanghai")
EARLY = datetime(2026, 11, 25, 7, 30, tzinfo=SHANGHAI)  # the shift runs 9:00–17:00: check-in opens at 8:00
LATER = datetime(2026, 11, 25, 8, 52, tzinfo=SHANGHAI)
WAIT = 20_000  # ms


def _writes(phone) -> list:
    return phone.evaluate("KaOutbox.list('writes').then((writes) => writes.map((w) => [w.kind, w.visit]))")


def test_the_sell_out_waits_for_a_refused_check_in_to_be_made_again(phone, live_server, promoter_day):
    shift, beer, _chips = promoter_day
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 31.2992, "longitude": 121.5141})
    phone.clock.install(time=EARLY)
    with time_machine.travel(EARLY, tick=True) as clock:
        _signed_in_and_kept(phone, live_server)

        # no network, too early: the check-in waits on the phone, and the sell-out typed beside it waits behind it
        phone.context.set_offline(True)
        phone.get_by_test_id("check-in").click()
        expect(phone.get_by_test_id("upload-queue")).to_contain_text("1项更改等待上传", timeout=WAIT)
        phone.locator('[data-product="P-BEER"] > summary').click()
        phone.locator(f"#id_s{shift.pk}-p{beer.pk}_units_packs").fill("9")
        phone.get_by_test_id("save-sell-out").click()
        expect(phone.get_by_test_id("upload-queue")).to_contain_text("2项更改等待上传", timeout=WAIT)
        phone.get_by_test_id("check-out").click()  # and leaving early: asked on the phone, then kept
        phone.get_by_test_id("check-out-early-confirm").click()
        expect(phone.get_by_test_id("upload-queue")).to_contain_text("3项更改等待上传", timeout=WAIT)
        key = f"shift-{shift.pk}"
        assert _writes(phone) == [["check_in", key], ["save", key], ["check_out", key]]  # each filed under its shift

        # the network is back: the check-in is refused (check-in opens at 8:00); the sell-out stays on the phone
        phone.context.set_offline(False)
        refused = phone.get_by_test_id("upload-refused")
        expect(refused).to_contain_text("08:00", timeout=WAIT)
        expect(refused).to_contain_text(refused.get_attribute("data-check-in-again"))
        # how many wait for it, in the promoter's words (the page's own text for changes of the shift)
        held = refused.get_attribute("data-held-many").replace("{n}", "2")
        expect(phone.get_by_test_id("upload-held")).to_have_text(held)
        card = phone.get_by_test_id("check-in-refused")  # and on the shift's card: check in again first
        expect(card).to_be_visible()
        expect(card.locator("[data-held-here]")).to_be_visible()
        expect(phone.get_by_test_id("check-in")).to_be_visible()  # the step to take, on the card
        expect(phone.get_by_test_id("sell-out-form")).to_be_hidden()  # nothing more to type before it
        assert _writes(phone) == [["save", key], ["check_out", key]]  # held, not sent to find no check-in
        assert not SellOutLine.objects.exists()
        assert Shift.objects.get(pk=shift.pk).checked_in_at is None
        phone.screenshot(path="tests/e2e/artifacts/promoter-check-in-refused-holds.png", full_page=True)

        # at the time check-in opens, checked in again with the network: the sell-out goes up behind it, and the
        # check-out kept at 7:3x too, refused as before this check-in (the outbox says why): nothing is left waiting
        clock.move_to(LATER)
        phone.clock.set_system_time(LATER)
        phone.get_by_test_id("check-in").click()
        expect(phone.get_by_test_id("checked-in")).to_contain_text("08:5", timeout=WAIT)
        until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
        expect(phone.get_by_test_id("check-in-refused")).to_be_hidden()
        refused = phone.get_by_test_id("upload-refused")
        expect(refused.locator("li")).to_have_count(1, timeout=WAIT)  # the check-in's refusal done with
        assert phone.evaluate("KaOutbox.list('refused').then((r) => r.map((one) => [one.kind, one.code]))") == [
            ["check_out", "shift.check_out_before_check_in"]
        ]
    line = SellOutLine.objects.get()
    assert (line.shift_id, line.units) == (shift.pk, 9)
    checked = Shift.objects.get(pk=shift.pk)
    assert checked.checked_in_at is not None and checked.checked_out_at is None
