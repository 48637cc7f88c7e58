"""Finance records a payment for an account in the browser and sees the aging report change."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from contracts import services
from tests.factories import KeyAccountFactory, make_user

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(browser, live_server):
    """Finance works at a desk: a laptop-size window, in Simplified Chinese, on Asia/Shanghai time."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    page = context.new_page()
    yield page
    context.close()


def test_finance_records_a_payment_and_the_aging_report_changes(desk, live_server):
    make_user(Role.FINANCE, username="finance1", first_name="洋", last_name="刘", password="demo-pass-1")
    account = KeyAccountFactory(code="WMT", name="沃尔玛")
    today = timezone.localdate()
    services.invoice_create(
        account=account, number="FP-OLD", date=today - timedelta(days=100), amount=Decimal("10000.00"),
        due_on=today - timedelta(days=45),
    )  # fmt: skip
    services.invoice_create(account=account, number="FP-NEW", date=today - timedelta(days=5), amount=Decimal("2000.00"))

    log_in(desk, "finance1", "demo-pass-1")
    desk.goto("/contracts/aging/")
    row = desk.locator('[data-account="WMT"]')
    assert row.locator('[data-bucket="31_60"]').inner_text() == "10,000.00"
    assert desk.get_by_test_id("aging-past-due").inner_text() == "10,000.00"

    # from the aging row to the account's receivables, and record a payment there
    row.get_by_role("link", name="沃尔玛").click()
    payment = desk.get_by_test_id("payment-form")
    payment.get_by_label("金额", exact=True).fill("4000")
    payment.get_by_label("凭证号").fill("HK-E2E")
    payment.get_by_role("button", name="登记回款").click()

    alert = desk.get_by_role("alert")
    assert "FP-OLD" in alert.inner_text()
    assert desk.get_by_test_id("account-open").inner_text() == "8,000.00"
    assert "HK-E2E" in desk.get_by_test_id("payments").inner_text()
    desk.screenshot(path="tests/e2e/artifacts/contracts-receivables.png", full_page=True)

    desk.get_by_role("link", name="账龄").first.click()
    row = desk.locator('[data-account="WMT"]')
    assert row.locator('[data-bucket="31_60"]').inner_text() == "6,000.00"
    assert desk.get_by_test_id("aging-past-due").inner_text() == "6,000.00"
    assert desk.get_by_test_id("aging-total").inner_text() == "8,000.00"
    desk.screenshot(path="tests/e2e/artifacts/contracts-aging.png", full_page=True)

    # drill down from the bucket to its invoice
    row.locator('[data-bucket="31_60"]').click()
    assert "account=WMT" in desk.url  # the account by its code, as in every filter
    assert "FP-OLD" in desk.get_by_test_id("aging-invoices").inner_text()
    assert desk.get_by_test_id("drill-total").inner_text() == "6,000.00"


def _box_tops(form, names):
    return {name: round(form.locator(f"[name=deduction-{name}]").bounding_box()["y"]) for name in names}


def test_a_deductions_boxes_line_up_whatever_help_or_error_shows_under_one(desk, live_server):
    """The deduction's period boxes sit side by side on one line at a desk, though "Period from" carries its help under
    its box; after a refused save (no amount) the row with the error lines up too, and what the clerk typed stays."""
    make_user(Role.FINANCE, username="finance1", password="demo-pass-1")
    account = KeyAccountFactory(code="WMT", name="沃尔玛")
    services.invoice_create(account=account, number="FP-1", date=timezone.localdate(), amount=Decimal("500.00"))
    log_in(desk, "finance1", "demo-pass-1")
    desk.goto(f"/contracts/receivables/{account.pk}/")
    desk.locator("summary", has_text="登记扣款").click()
    form = desk.get_by_test_id("deduction-form")
    tops = _box_tops(form, ["period_start", "period_end"])
    assert tops["period_start"] == tops["period_end"], tops
    assert form.get_by_text("客户所称的费用月份", exact=False).is_visible()

    form.get_by_label("原因").fill("堆头费")
    with desk.expect_navigation():  # the refused save answers with the page again; measure that one, not this
        form.get_by_role("button", name="登记扣款").click()
    form = desk.get_by_test_id("deduction-form")
    expect(form.locator(".invalid-feedback").first).to_be_visible()
    tops = _box_tops(form, ["invoice", "date", "kind", "amount", "reason", "reference"])
    assert len(set(tops.values())) == 1, tops
    assert form.get_by_label("原因").input_value() == "堆头费"


def test_the_statement_prints_as_a_document_to_sign_and_stamp(desk, live_server):
    """Printed, the statement is the chain's name and period, its lines and totals and a place to sign and stamp (as
    the Excel sent to the chain): no menu, tabs, period form, buttons or language switch; on the screen no signature
    lines."""
    make_user(Role.FINANCE, username="finance1", password="demo-pass-1")
    account = KeyAccountFactory(code="WMT", name="沃尔玛")
    today = timezone.localdate()
    services.invoice_create(account=account, number="FP-PRINT", date=today, amount=Decimal("63419.00"))
    log_in(desk, "finance1", "demo-pass-1")
    desk.goto(f"/contracts/statement/?account=WMT&date_from={today.replace(day=1)}&date_to={today}")
    confirm = desk.get_by_test_id("statement-confirm")
    expect(confirm).to_be_hidden()
    chrome = [desk.locator("nav.navbar"), desk.locator("footer"), desk.locator("main form"), desk.locator(".ka-tabs")]
    for part in chrome:
        expect(part).to_be_visible()

    desk.emulate_media(media="print")
    for part in chrome:
        expect(part).to_be_hidden()
    expect(desk.get_by_test_id("export-xlsx")).to_be_hidden()
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("确认人（签字盖章）")
    assert "FP-PRINT" in desk.get_by_test_id("statement").inner_text()
    expect(desk.get_by_test_id("closing")).to_have_text("63,419.00")
    # on A4, upright, as a document sent to a Chinese chain is (the browser's own paper in English was US Letter)
    pdf = desk.pdf(path="tests/e2e/artifacts/statement-printed.pdf", prefer_css_page_size=True)
    width, height = (float(side) for side in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) == (595, 842)
