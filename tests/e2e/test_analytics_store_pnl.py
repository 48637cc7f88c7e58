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


def test_on_a_phone_the_promoter_fees_say_where_they_come_from(phone):
    from promoters.models import Shift
    from promotions.models import PromotionPlan
    from tests.promoters.factories_appraisal import promoter, shift
    from tests.promotions.factories import PromotionPlanFactory

    manager = make_user(Role.MANAGER, username="manager1", password="demo-pass-1")
    account = KeyAccountFactory(code="LHB", name="联华", owner=manager)
    a, b = (StoreFactory(account=account, code=code, name=f"联华{code}店") for code in ("A", "B"))
    for store in (a, b):
        DeliveryFactory(store=store, date=date(2026, 6, 10), quantity=100, unit_price=Decimal("80"))
    approved = {"account": account, "status": PromotionPlan.Status.APPROVED, "owner": manager}
    with_shifts = PromotionPlanFactory(
        start_on=date(2026, 6, 10), end_on=date(2026, 6, 20), promoter_fee=Decimal("900"), **approved
    )
    PromotionPlanFactory(start_on=date(2026, 6, 12), end_on=date(2026, 6, 18), promoter_fee=Decimal("300"), **approved)
    daily = promoter(supervisor=make_user(Role.SUPERVISOR), stores=[a], daily_fee="150.00")
    shift(daily, a, date(2026, 6, 11), check_in="09:00", check_out="17:00", plan=with_shifts)
    shift(daily, a, date(2026, 6, 12), check_in="09:00", check_out="17:00")
    assert Shift.objects.count() == 2

    log_in(phone, "manager1", "demo-pass-1")
    phone.goto("/analysis/store-pnl/?account=LHB&from=2026-06-01&to=2026-06-30")

    table = phone.get_by_test_id("store-pnl-table")
    table.wait_for()
    cell = table.locator('tr[data-store="A"] td[data-col="promoter_fees"]')
    # 2 shifts × 150.00 (one on the plan with shifts, whose planned 900 is left out) + the other plan's 300 / 2
    assert cell.inner_text().split() == ["450.00", "实际（排班）", "300.00", "计划", "150.00"]
    assert "计划" in table.locator('tr[data-store="B"] td[data-col="promoter_fees"]').inner_text()
    notes = phone.get_by_test_id("store-pnl-notes")
    assert "促销员费用与费用台账的计提一致" not in notes.inner_text()  # folded on a phone, the table comes first
    notes.get_by_text("计算口径").click()
    assert "促销员费用与费用台账的计提一致" in notes.inner_text()
    phone.wait_for_function("document.querySelector('[data-chart] canvas').width > 0")
    table.locator('tr[data-store="A"] td[data-col="promoter_fees"]').scroll_into_view_if_needed()
    phone.screenshot(path="tests/e2e/artifacts/manager-store-pnl-phone.png", full_page=True)


def test_on_a_phone_the_notes_fold_to_a_few_lines_above_the_table(phone):
    manager = make_user(Role.MANAGER, username="manager1", password="demo-pass-1")
    account = KeyAccountFactory(code="LHB", name="联华", owner=manager)
    store = StoreFactory(account=account, code="A", name="联华A店")
    DeliveryFactory(store=store, date=date(2026, 6, 10), quantity=100, unit_price=Decimal("80"))

    log_in(phone, "manager1", "demo-pass-1")
    phone.goto("/analysis/store-pnl/?account=LHB&from=2026-06-01&to=2026-06-30")
    phone.get_by_test_id("store-pnl-table").wait_for()

    notes = phone.get_by_test_id("store-pnl-notes")
    assert "按贡献排序" in notes.inner_text() and "重新谈判或退场" in notes.inner_text()  # what the figures are
    assert "不是毛利" not in notes.inner_text()  # how they are worked out: folded
    assert notes.bounding_box()["height"] < 130  # a few lines, not the 20-odd of the explanation on a 375 px phone
    phone.screenshot(path="tests/e2e/artifacts/manager-store-pnl-notes-phone.png")
    notes.get_by_text("计算口径").click()
    assert "不是毛利" in notes.inner_text()
