"""The browser's Back on a promoter's phone shows the shift as it now stands (QA finding): back to My day after the
check-out the shift is checked out, with no check-out button — never the copy from before, "on shift" with the
check-out buttons (after an early check-out, back to the page that asked). With the service worker on, as on the
promoter's phone (it keeps its own copy for no network)."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.roles import Role
from promoters.models import Shift
from tests.factories import StoreFactory, make_user
from tests.promoters.factories_phone import PromoterFactory, ShiftFactory

from .conftest import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service_worker]
WAIT = 15_000  # ms: the live server answers slowly on a busy CI machine
CHECK_OUT_TIME = datetime(2026, 11, 25, 12, 3, tzinfo=ZoneInfo("Asia/Shanghai"))  # 4 h 57 min early


@pytest.fixture
def on_shift():
    supervisor = make_user(Role.SUPERVISOR, username="sup1")
    user = make_user(Role.PROMOTER, username="promoter1", password="demo-pass-1")
    store = StoreFactory(name="沃尔玛五角场店", latitude=Decimal("31.299000"), longitude=Decimal("121.514000"))
    promoter = PromoterFactory(user=user, supervisor=supervisor, name="李芳")
    promoter.stores.add(store)
    return ShiftFactory(
        promoter=promoter, store=store, day=date(2026, 11, 25), starts_at=time(9), ends_at=time(17),
        checked_in_at=datetime(2026, 11, 25, 8, 55, tzinfo=ZoneInfo("Asia/Shanghai")), check_in_distance_m=20,
        check_in_latitude=Decimal("31.2992"), check_in_longitude=Decimal("121.5141"),
    )  # fmt: skip


def test_back_after_the_check_out_shows_the_shift_checked_out(phone, live_server, on_shift):
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 31.2992, "longitude": 121.5141})
    phone.clock.install(time=CHECK_OUT_TIME)
    with time_machine.travel(CHECK_OUT_TIME, tick=True):
        log_in(phone, "promoter1", "demo-pass-1")
        phone.goto("/promoters/my/")
        expect(phone.get_by_test_id("check-out")).to_be_visible()
        # given: the promoter checks out early: the page asks, the promoter confirms
        phone.get_by_test_id("check-out").click()
        expect(phone.get_by_test_id("check-out-early-confirm")).to_be_visible(timeout=WAIT)
        phone.get_by_test_id("check-out-early-confirm").click()
        expect(phone.get_by_test_id("checked-out")).to_contain_text("12:0", timeout=WAIT)
        assert Shift.objects.get(pk=on_shift.pk).checked_out_at is not None
        # when: Back (to the page that asked)
        phone.go_back()
        # then: the day as it stands: checked out, no check-out buttons, no question, not "on shift"
        expect(phone.get_by_test_id("checked-out")).to_contain_text("12:0", timeout=WAIT)
        expect(phone.get_by_test_id("check-out-early-confirm")).to_have_count(0)
        expect(phone.get_by_test_id("check-out")).to_have_count(0)
        expect(phone.get_by_test_id("shift-reading")).not_to_have_text("上班中")
