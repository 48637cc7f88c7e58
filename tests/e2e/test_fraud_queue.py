"""A supervisor works the fraud-signal queue on a phone: a signal of their rep, confirmed in place with a note
(refused first without one), nothing wider than the screen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from evidence.models import FraudSignal
from tests.factories import StoreFactory, make_user
from visits import services

from .conftest import every_tab_in_sight, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_supervisor_confirms_a_signal_with_a_note_on_a_phone(phone):
    supervisor = make_user(
        Role.SUPERVISOR, username="supervisor1", first_name="强", last_name="王", password="demo-pass-1"
    )
    rep = make_user(Role.REP, username="rep1", first_name="伟", last_name="张", supervisor=supervisor)
    store = StoreFactory(rep=rep, name="五角场店")
    services.visit_check_in(rep=rep, store=store, at=timezone.now() - timedelta(minutes=30))
    signal = FraudSignal.objects.get()

    log_in(phone, "supervisor1", "demo-pass-1")
    phone.goto("/evidence/signals/")
    card = phone.get_by_test_id("signal")
    assert "签到无定位：手机未发送位置。" in card.inner_text() and "五角场店" in card.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    every_tab_in_sight(phone, "evidence-nav", 3)  # the field-evidence tabs wrap, as finance's do

    card.get_by_label("确认", exact=True).check()
    card.get_by_role("button", name="保存结论").click()
    phone.get_by_text("请说明核实结果：确认信号须填写备注。").wait_for()
    card = phone.get_by_test_id("signal")
    card.get_by_label("备注").fill("电话核实：当天未到店")
    card.get_by_role("button", name="保存结论").click()

    phone.get_by_test_id("signal-review").wait_for()
    assert phone.get_by_test_id("signal-status").inner_text() == "已确认"
    assert "电话核实：当天未到店" in phone.get_by_test_id("signal-review").inner_text()
    signal.refresh_from_db()
    assert (signal.status, signal.reviewed_by, signal.review_note) == ("confirmed", supervisor, "电话核实：当天未到店")
    phone.screenshot(path="tests/e2e/artifacts/supervisor-fraud-queue.png", full_page=True)
