"""A supervisor reads the month's appraisal on a phone: the promoters ranked by score, the late and early shifts
behind a tap, and the Excel for payroll one tap away."""

from datetime import date

import pytest

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from tests.promoters.factories_appraisal import promoter, shift, target

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_supervisor_reads_the_appraisal_on_a_phone(phone):
    supervisor = make_user(Role.SUPERVISOR, username="supervisor9", password="demo-pass-1")
    store = StoreFactory(code="LH01", name="联华一店", rep=make_user(Role.REP, username="rep9", supervisor=supervisor))
    good = promoter(supervisor=supervisor, stores=[store], code="P1", name="王芳")
    weak = promoter(supervisor=supervisor, stores=[store], monthly_pay="3000.00", code="P2", name="李娜")
    for n in range(1, 4):
        shift(good, store, date(2026, 9, n), check_in="08:55", check_out="17:00")
    shift(weak, store, date(2026, 9, 1), check_in="09:40", check_out="16:00")  # late and early
    shift(weak, store, date(2026, 9, 2))  # absent
    target(good, date(2026, 9, 1), "1000.00")

    log_in(phone, "supervisor9", "demo-pass-1")
    phone.goto("/promoters/appraisal/?month=2026-09")

    table = phone.get_by_test_id("appraisal-table")
    rows = table.locator("tbody tr")
    assert [rows.nth(i).get_attribute("data-promoter") for i in range(2)] == ["P2", "P1"]  # 50.0 before 37.5
    weak_row = table.locator('tr[data-promoter="P2"]')
    assert "迟到 1 次" in weak_row.inner_text() and "缺勤 1 次" in weak_row.inner_text()
    weak_row.get_by_text("哪些班次").click()
    assert "2026-09-01 LH01" in weak_row.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone.get_by_test_id("export-xlsx").count() == 1
    phone.screenshot(path="tests/e2e/artifacts/supervisor-promoter-appraisal.png", full_page=True)
