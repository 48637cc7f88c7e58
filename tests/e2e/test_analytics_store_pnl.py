"""Finance opens a chain's store P&L at a desk: picks the chain and June, sees the stores ranked by contribution,
the store whose fees eat its sell-in flagged, and the chart of fees as % of sell-in drawn with its figures."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.roles import Role
from evidence.models import DisplayAgreement
from tests.factories import DeliveryFactory, KeyAccountFactory, StoreFactory, make_user

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_finance_sees_the_ranked_stores_and_the_flag(desktop):
    make_user(Role.FINANCE, username="finance1", password="demo-pass-1")
    account = KeyAccountFactory(code="LHB", name="联华")
    june = {"account": account, "kind": "end_cap", "start_on": date(2026, 6, 1), "end_on": date(2026, 6, 30)}
    for code, sell_in, fee in (("A", "8000", "400"), ("B", "1000", "900")):
        store = StoreFactory(account=account, code=code, name=f"联华{code}店")
        DeliveryFactory(store=store, date=date(2026, 6, 10), quantity=100, unit_price=Decimal(sell_in) / 100)
        DisplayAgreement.objects.create(store=store, fee=Decimal(fee), **june)

    log_in(desktop, "finance1", "demo-pass-1")
    desktop.goto("/analysis/store-pnl/")
    form = desktop.get_by_test_id("store-pnl-form")
    form.get_by_label("重点客户").select_option(label="LHB 联华")
    form.get_by_label("起").fill("2026-06-01")
    form.get_by_label("止").fill("2026-06-30")
    form.get_by_role("button", name="查看").click()

    table = desktop.get_by_test_id("store-pnl-table")
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.nth(0).get_attribute("data-store") == "A"  # 8,000 − 400 = 7,600 before 1,000 − 900 = 100
    flagged = table.locator('tr[data-store="B"]')
    assert "重新谈判或退场" in flagged.inner_text() and "90.00 %" in flagged.inner_text()
    assert "重新谈判或退场" not in table.locator('tr[data-store="A"]').inner_text()
    chart = desktop.get_by_test_id("chart-store-fee-ratio")
    assert chart.locator("canvas").count() == 1
    desktop.wait_for_function("document.querySelector('[data-chart] canvas').width > 0")
    desktop.screenshot(path="tests/e2e/artifacts/finance-store-pnl.png", full_page=True)
