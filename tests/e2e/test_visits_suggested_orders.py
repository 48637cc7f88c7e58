"""An administrator starts today's suggested orders from the runs page; a supervisor reads them on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.factories import DeliveryFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import StockCountFactory, VisitFactory

from .conftest import in_view, log_in

pytestmark = pytest.mark.django_db(transaction=True)

# how many lines an element's text takes on the screen
LINES = """e => { const r = document.createRange(); r.selectNodeContents(e);
               return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size }"""


def test_admin_runs_the_job_and_the_supervisor_reads_the_order(desktop, phone):
    # given the SPEC example: 10 cases counted a week ago, 4 delivered, 6 cases counted today
    sup = make_user(Role.SUPERVISOR, username="sup1", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1", supervisor=sup, first_name="伟", last_name="张")
    make_user(Role.ADMIN, username="admin1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    ListingFactory(store=store, product=beer)
    chips = ProductFactory(name="乐滋薯片 70g", packs_per_case=20)  # counted today only: flagged, no order
    ListingFactory(store=store, product=chips)
    now = timezone.now()
    for at, packs in ((now - timedelta(days=7), 120), (now, 72)):
        StockCountFactory(visit=VisitFactory(rep=rep, store=store, checked_in_at=at), product=beer, packs=packs)
    StockCountFactory(visit=VisitFactory(rep=rep, store=store, checked_in_at=now), product=chips, packs=30)
    DeliveryFactory(store=store, product=beer, date=timezone.localdate() - timedelta(days=3), quantity=48)
    # when an administrator starts today's run
    log_in(desktop, "admin1", "demo-pass-1")
    desktop.goto("/visits/suggested-orders/runs/")
    desktop.get_by_role("button", name="立即计算今天的建议订货").click()
    desktop.get_by_text("次计算已开始").wait_for()
    assert "成功" in desktop.locator("tbody tr").first.inner_text() or "Succeeded" in desktop.content()
    desktop.screenshot(path="/tmp/visits-runs.png", full_page=True)
    # then the supervisor reads the 6-case order on a phone
    log_in(phone, "sup1", "demo-pass-1")
    phone.goto("/visits/suggested-orders/")
    row = phone.locator("tbody tr").first
    assert "沃尔玛五角场店" in row.inner_text() and "6" in row.locator("strong").inner_text()
    phone.screenshot(path="/tmp/visits-suggested-orders.png", full_page=True)
    # its narrow column's header reads whole, "实际销量" on one line rather than broken "实际销 / 量"
    assert phone.get_by_test_id("head-sales").evaluate(LINES) == 1
    # in English too each row's order (a figure, or — under a flag said beside the product) is on the screen
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": phone.url}])
    phone.goto("/visits/suggested-orders/")
    assert phone.get_by_test_id("order-flag").inner_text() == "No previous stock count"
    for cell in phone.locator("tbody tr td:last-child").all():
        in_view(cell, 375)
