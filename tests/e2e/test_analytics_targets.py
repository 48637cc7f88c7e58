"""A KA manager reads March's targets (the account's own beside its stores' roll-up), drills into the chain, sets
a store's target on the month's page and sees it counted."""

import re
from datetime import date
from decimal import Decimal

import pytest

from accounts import services
from accounts.models import SalesTarget, StoreTarget
from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_sets_a_store_target_and_sees_the_roll_up(desktop):
    manager = make_user(Role.MANAGER, username="manager1", password="demo-pass-1")
    account = KeyAccountFactory(code="WM", name="沃尔玛", owner=manager)
    first = StoreFactory(account=account, code="S1", name="沃尔玛一店")
    StoreFactory(account=account, code="S2", name="沃尔玛二店")
    SalesTarget.objects.create(account=account, year=2026, month=3, amount=Decimal("10000.00"))
    services.store_target_save(store=first, month=date(2026, 3, 1), amount=Decimal("4000.00"))

    log_in(desktop, "manager1", "demo-pass-1")
    desktop.goto("/analysis/targets/?month=2026-03")
    row = desktop.locator('[data-testid="targets-table"] tr[data-account="WM"]')
    assert row.locator('[data-col="difference"]').inner_text() == "-6,000.00"
    row.get_by_role("link").click()
    desktop.get_by_test_id("set-targets").click()
    desktop.get_by_label("S2 沃尔玛二店").fill("5500")
    desktop.get_by_role("button", name="保存").click()

    desktop.get_by_test_id("store-targets-table").wait_for()
    s2 = desktop.locator('[data-testid="store-targets-table"] tr[data-store="S2"]')
    assert s2.locator('[data-col="target"]').inner_text() == "5,500.00"
    assert desktop.get_by_test_id("targets-summary").locator('[data-col="difference"]').inner_text() == "-500.00"
    assert StoreTarget.objects.get(store__code="S2").month == date(2026, 3, 1)
    desktop.screenshot(path="tests/e2e/artifacts/manager-store-targets.png", full_page=True)


def test_the_targets_report_prints_across_the_sheet(desktop):
    """On A4 upright the ten columns crushed "有指标的门店数" to a character a line: printed, it goes across."""
    manager = make_user(Role.MANAGER, username="manager1", password="demo-pass-1")
    account = KeyAccountFactory(code="WM", name="沃尔玛", owner=manager)
    SalesTarget.objects.create(account=account, year=2026, month=3, amount=Decimal("10000.00"))
    log_in(desktop, "manager1", "demo-pass-1")
    desktop.goto("/analysis/targets/?month=2026-03")
    desktop.emulate_media(media="print")

    pdf = desktop.pdf(prefer_css_page_size=True)
    width, height = (float(side) for side in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 across, in points
