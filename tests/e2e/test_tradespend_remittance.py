"""Finance uploads a head office's remittance advice in the browser and reads what was paid, deducted and short."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tests.imports.xlsx import xlsx_bytes

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_finance_uploads_a_remittance_and_sees_paid_deducted_and_short(desktop, phone, live_server, tmp_path):
    make_user(Role.FINANCE, username="finance1", password="demo-pass-1")
    account = KeyAccountFactory(code="WMT", name="沃尔玛")
    for number, day, amount in [
        ("WM-0701", date(2026, 7, 1), "5000.00"),  # not named: takes the rest, oldest first
        ("WM-0801", date(2026, 8, 1), "8000.00"),  # 上海店
        ("WM-0805", date(2026, 8, 5), "3000.00"),  # 杭州店
    ]:
        InvoiceFactory(number=number, account=account, date=day, amount=Decimal(amount))
    advice = tmp_path / "回款明细.xlsx"
    advice.write_bytes(
        xlsx_bytes(
            ["发票号", "结算金额", "扣款类型", "费用期间", "扣款金额", "费用单号", "扣款原因"],
            [
                ["WM-0801", 8000, None, None, None, None, None],
                ["WM-0805", 2000, None, None, None, None, None],
                ["WM-0805", None, "DM费", "2026-08", 300, "DM-0801", "八月海报"],
                [None, None, "进场费", "2026-07~2026-09", 1200, "LST-Q3", None],
            ],
        )
    )

    log_in(desktop, "finance1", "demo-pass-1")
    desktop.goto("/trade-spend/remittances/")
    desktop.get_by_test_id("remittance-new").click()
    form = desktop.get_by_test_id("remittance-form")
    form.get_by_label("重点客户").select_option("WMT")
    form.get_by_label("到账日期").fill("2026-10-08")
    form.get_by_label("回款凭证号").fill("WMT-HK-1008")
    form.get_by_label("实收金额").fill("9500")
    form.locator('input[type="file"]').set_input_files(str(advice))
    form.get_by_test_id("remittance-submit").click()

    # Lines 10000; deductions 1500; cash 9500 → 8500 on the lines, 1000 to WM-0701; WM-0805 is 1000 short.
    assert "WMT-HK-1008" in desktop.get_by_role("alert").inner_text()
    assert desktop.get_by_test_id("paid").inner_text() == "9,500.00"
    assert desktop.get_by_test_id("deducted").inner_text() == "1,500.00"
    assert desktop.get_by_test_id("short").inner_text() == "1,000.00"
    assert desktop.get_by_test_id("over").inner_text() == "0.00"
    lines = desktop.get_by_test_id("invoice-lines").inner_text()
    assert "WM-0805" in lines and "少付" in lines
    deductions = desktop.get_by_test_id("deductions").inner_text()
    assert "八月海报" in deductions and "LST-Q3" in deductions and "2026-07~2026-09" in deductions
    assert "WM-0701" in desktop.get_by_test_id("rest").inner_text()
    desktop.screenshot(path="tests/e2e/artifacts/tradespend-remittance.png", full_page=True)

    # the same file again: already imported, nothing changes
    desktop.goto("/trade-spend/remittances/new/")
    form = desktop.get_by_test_id("remittance-form")
    form.get_by_label("重点客户").select_option("WMT")
    form.get_by_label("到账日期").fill("2026-10-08")
    form.get_by_label("回款凭证号").fill("WMT-HK-1008")
    form.get_by_label("实收金额").fill("9500")
    form.locator('input[type="file"]').set_input_files(str(advice))
    form.get_by_test_id("remittance-submit").click()
    assert "已于" in desktop.get_by_role("alert").inner_text()
    assert desktop.get_by_test_id("paid").inner_text() == "9,500.00"

    # on a phone the screen reads too
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto(desktop.url.replace(live_server.url, ""))
    assert phone.get_by_test_id("short").inner_text() == "1,000.00"
    phone.screenshot(path="tests/e2e/artifacts/tradespend-remittance-phone.png", full_page=True)


def test_a_bad_advice_lists_every_row_on_a_phone(phone, live_server, tmp_path):
    make_user(Role.FINANCE, username="finance1", password="demo-pass-1")
    account = KeyAccountFactory(code="CRF", name="家乐福")
    InvoiceFactory(number="CF-0801", account=account, date=date(2026, 8, 1), amount=Decimal("8000.00"))
    advice = tmp_path / "advice.xlsx"
    advice.write_bytes(
        xlsx_bytes(
            ["invoice number", "amount settled", "deduction kind", "period", "deduction amount"],
            [
                ["CF-0801", 8000.5, None, None, None],
                ["CF-9999", 10, None, None, None],
                [None, None, "贿赂", "2026-13", 5],
            ],
        )
    )

    log_in(phone, "finance1", "demo-pass-1")
    phone.goto("/trade-spend/remittances/new/")
    form = phone.get_by_test_id("remittance-form")
    form.get_by_label("重点客户").select_option("CRF")
    form.get_by_label("回款凭证号").fill("CRF-BAD")
    form.get_by_label("实收金额").fill("7000")
    form.locator('input[type="file"]').set_input_files(str(advice))
    form.get_by_test_id("remittance-submit").click()

    problems = phone.get_by_test_id("problems").inner_text()
    assert "8,000.50" in problems and "CF-9999" in problems and "贿赂" in problems and "2026-13" in problems
    assert phone.get_by_label("回款凭证号").input_value() == "CRF-BAD"
    phone.screenshot(path="tests/e2e/artifacts/tradespend-remittance-refused-phone.png", full_page=True)
    # keying the lines in, a deduction's kind and period as wide as the form: in half of it "Choose a kind" read
    # "Choose a kin" and the period's example was cut
    form.get_by_text("或手工录入明细").click()
    for field in ("#id_deductions-0-kind", "#id_deductions-0-period"):
        assert phone.locator(field).bounding_box()["width"] > 375 * 0.7


def test_finance_imports_a_remittance_and_resolves_its_unsupported_deduction(desktop, phone, live_server, tmp_path):
    """The chain deducts its agreed DM fee (matched against the ledger) and a display fee nobody agreed: finance
    takes the second up with the chain, accepts it in the end, and the chain's KA manager approves the write-off
    because it is above the threshold. On a phone the DM fee's sheet reads down the screen."""
    from contracts.models import ContractTerm, Deduction
    from tests.contracts.factories import ContractFactory
    from tradespend.accruals import accruals_compute

    make_user(Role.FINANCE, username="finance1", password="demo-pass-1")
    manager = make_user(Role.MANAGER, username="manager1", password="demo-pass-2")
    account = KeyAccountFactory(code="CRF", name="家乐福", owner=manager)
    agreed = ContractFactory(account=account, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), status="active")
    ContractTerm.objects.create(
        contract=agreed, kind="dm", basis="fixed", period="month", amount=Decimal("800.00"), settlement="deducted",
        valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31),
    )  # fmt: skip
    InvoiceFactory(number="CF-0901", account=account, date=date(2026, 9, 1), amount=Decimal("20000.00"))
    accruals_compute(as_of=date(2026, 10, 8))
    advice = tmp_path / "家乐福回款.xlsx"
    advice.write_bytes(
        xlsx_bytes(
            ["发票号", "结算金额", "扣款类型", "费用期间", "扣款金额", "费用单号", "扣款原因"],
            [
                ["CF-0901", 20000, None, None, None, None, None],
                [None, None, "DM费", "2026-09", 800, "DM-0901", "九月海报"],
                [None, None, "陈列费", "2026-09", 6000, "CL-0901", "堆头陈列"],
            ],
        )
    )

    log_in(desktop, "finance1", "demo-pass-1")
    desktop.goto("/trade-spend/remittances/new/")
    form = desktop.get_by_test_id("remittance-form")
    form.get_by_label("重点客户").select_option("CRF")
    form.get_by_label("到账日期").fill("2026-10-08")
    form.get_by_label("回款凭证号").fill("CRF-HK-1008")
    form.get_by_label("实收金额").fill("13200")
    form.locator('input[type="file"]').set_input_files(str(advice))
    form.get_by_test_id("remittance-submit").click()
    deductions = desktop.get_by_test_id("deductions")
    assert desktop.get_by_test_id("deducted").inner_text() == "6,800.00"
    assert "已匹配" in deductions.locator("tr", has_text="DM-0901").inner_text()
    unsupported = deductions.locator("tr", has_text="CL-0901")
    assert "无依据" in unsupported.inner_text()

    # the validation sheet: nothing in the ledger supports the display fee; finance disputes it
    unsupported.get_by_test_id("deduction-sheet-link").click()
    assert desktop.get_by_test_id("unsupported").inner_text() == "6,000.00"
    desktop.get_by_text("向客户发起争议").click()
    dispute = desktop.get_by_test_id("dispute-form")
    dispute.get_by_label("原因").fill("无陈列协议，要求退回")
    dispute.get_by_role("button", name="发起争议").click()
    assert "处理中" in desktop.get_by_test_id("dispute-status").inner_text()

    # the chain will not pay it back: finance accepts it; above 5,000 it waits for the KA manager
    write_off = desktop.get_by_test_id("write-off-form")
    write_off.get_by_label("接受原因").fill("卖场坚持，本次接受")
    write_off.get_by_role("button", name="接受该扣款").click()
    assert "核销待审批" in desktop.get_by_test_id("dispute-status").inner_text()
    sheet = desktop.url.replace(live_server.url, "")

    desktop.context.clear_cookies()  # finance signs out; the manager signs in on the same screen
    log_in(desktop, "manager1", "demo-pass-2")
    desktop.goto(sheet)
    desktop.get_by_test_id("approve").click()
    assert "已接受并核销" in desktop.get_by_test_id("dispute-status").inner_text()
    desktop.screenshot(path="tests/e2e/artifacts/tradespend-dispute-approved.png", full_page=True)

    # what the chain cost: the written-off fee stays an unsupported deduction in gross to net
    desktop.goto("/trade-spend/gross-to-net/CRF/?month_from=2026-10&month_to=2026-10")
    assert "6,000.00" in desktop.locator("body").inner_text()

    # on a phone the matched DM fee's sheet: its spend line's month, stage and figures read down the line's cell,
    # what is left on the line beside it; neither the page nor the table scrolls sideways
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto(f"/trade-spend/deductions/{Deduction.objects.get(reference='DM-0901').pk}/")
    lines = phone.get_by_test_id("sheet-lines")
    expect(lines.get_by_test_id("line-month-phone")).to_contain_text("2026-09")
    expect(lines.get_by_test_id("line-figures-phone")).to_contain_text("本笔扣款")
    expect(lines.get_by_test_id("line-figures-phone")).to_contain_text("800.00")
    expect(lines.get_by_role("columnheader", name="剩余")).to_be_visible()
    expect(lines.get_by_role("columnheader", name="本笔扣款")).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert lines.evaluate("table => table.parentElement.scrollWidth <= table.parentElement.clientWidth")
    phone.screenshot(path="tests/e2e/artifacts/tradespend-deduction-sheet-phone.png", full_page=True)
