"""A promoter's phone with its clock set wrong (QA: a phone 7 minutes fast was refused "…ahead of the server's clock" at
every check-in; one 3 hours slow checked in 3 hours early, or was refused as too early): a check-in sent at once is
timed by the server's clock. Only a check-in the phone kept with no network and uploads later from its outbox (the
page's queue.js, marking it `X-Queue-Replay`) keeps the phone's time, with when it reached the server beside it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from promoters.models import Shift

from .test_promoter_offline import _signed_in_and_kept
from .test_promoters_phone import promoter_day  # noqa: F401 - the phone test's promoter at 沃尔玛五角场店, Wednesday

# ruff: noqa: F811 - the tests take the phone test's fixture `promoter_day` by its name

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service_worker]
SHANGHAI = ZoneInfo("Asia/Shanghai")
SERVER = datetime(2026, 11, 25, 8, 52, tzinfo=SHANGHAI)  # the server's clock; the shift runs 9:00–17:00
WAIT = 20_000  # ms


def _at_the_store(phone, live_server, phone_off: timedelta):
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 31.2992, "longitude": 121.5141})
    phone.clock.install(time=SERVER + phone_off)
    _signed_in_and_kept(phone, live_server)


@pytest.mark.parametrize("phone_off", [timedelta(minutes=7), timedelta(hours=-3)], ids=["7min-fast", "3h-slow"])
def test_a_check_in_sent_at_once_is_timed_by_the_server_whatever_the_phones_clock(
    phone, live_server, promoter_day, phone_off
):
    shift, _beer, _chips = promoter_day
    with time_machine.travel(SERVER, tick=True):
        _at_the_store(phone, live_server, phone_off)

        phone.get_by_test_id("check-in").click()

        # recorded, at the server's 08:52, not refused (no error said) nor dated by the phone
        expect(phone.get_by_text("已签到，祝工作顺利。")).to_be_visible(timeout=WAIT)
        expect(phone.get_by_test_id("checked-in")).to_contain_text("08:52")
        expect(phone.locator(".alert-danger:visible")).to_have_count(0)
    checked_in = Shift.objects.get(pk=shift.pk)
    assert SERVER <= checked_in.checked_in_at < SERVER + timedelta(minutes=1)
    assert checked_in.check_in_received_at == checked_in.checked_in_at


def test_a_check_in_kept_offline_keeps_the_phones_time_and_when_it_arrived(phone, live_server, promoter_day):
    """The phone's clock 20 minutes behind the server's: kept with no network, the check-in goes up later at the
    phone's 08:3x, the server's arrival kept beside it (lateness is judged on that: promoters/attendance.py)."""
    shift, _beer, _chips = promoter_day
    with time_machine.travel(SERVER, tick=True):
        _at_the_store(phone, live_server, timedelta(minutes=-20))
        phone.context.set_offline(True)
        phone.get_by_test_id("check-in").click()
        expect(phone.get_by_test_id("upload-queue")).to_contain_text("1项更改等待上传", timeout=WAIT)
        assert Shift.objects.get(pk=shift.pk).checked_in_at is None

        phone.context.set_offline(False)

        expect(phone.get_by_test_id("checked-in")).to_contain_text("08:3", timeout=WAIT)
        expect(phone.get_by_test_id("upload-queue")).to_be_hidden(timeout=WAIT)
        expect(phone.get_by_test_id("upload-refused")).to_be_hidden()
    checked_in = Shift.objects.get(pk=shift.pk)
    phone_time = SERVER - timedelta(minutes=20)
    assert phone_time <= checked_in.checked_in_at < phone_time + timedelta(minutes=2)  # the phone's, when tapped
    assert SERVER <= checked_in.check_in_received_at < SERVER + timedelta(minutes=2)  # the server's, on arrival
