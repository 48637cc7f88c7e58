"""Finance's reports read on a 375 px phone (QA walkthrough as finance1): the statement's balances, the aging buckets
and gross to net's net stay on the screen, with the other figures under the row's name, and no name or label stands
one character a line. On an office screen the columns are as they were."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import KeyAccount
from accounts.roles import Role
from contracts import services
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory, make_user
from tests.tradespend.g2n_helpers import deducted_term, deduction, invoice, line

from .conftest import MONTH_ROOM, in_view, log_in, text_lines

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = 375
JAN = date(2025, 1, 1)
PERIOD = "month_from=2025-01&month_to=2025-01"


@pytest.fixture
def clerk(db):
    return make_user(Role.FINANCE, username="finance1", first_name="洋", last_name="刘", password="demo-pass-1")


@pytest.fixture
def carrefour(db):
    return KeyAccountFactory(code="CRF", name="家乐福", tier=KeyAccount.Tier.NKA)


@pytest.fixture
def statement_lines(carrefour):
    """An opening balance, an invoice and two TG-fee deductions in November 2026."""
    invoice(carrefour, date(2026, 10, 5), "540437.00")
    on = invoice(carrefour, date(2026, 11, 28), "146397.00")
    deduction(on, date(2026, 11, 28), "2600.00", kind="tg")
    deduction(on, date(2026, 11, 30), "6800.00", kind="tg")


def test_the_statements_balances_read_on_a_phone(phone, clerk, statement_lines):
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto("/contracts/statement/?account=CRF&date_from=2026-11-01&date_to=2026-12-03")

    for figure in ("opening", "closing"):
        in_view(phone.get_by_test_id(figure), PHONE)
    expect(phone.get_by_test_id("closing")).to_have_text("677,434.00")
    in_view(phone.get_by_test_id("line-balance").last, PHONE)
    # the type reads on a line (扣款：TG费, not 扣/款/…), the movement and the reference under it
    labels = phone.get_by_test_id("line-label")
    expect(labels.last).to_have_text("扣款：TG费")
    assert all(text_lines(labels.nth(index)) == 1 for index in range(labels.count()))
    assert "贷方" in phone.get_by_test_id("line-type").last.inner_text()
    assert "2,600.00" in phone.get_by_test_id("line-type").nth(1).inner_text()
    phone.screenshot(path="tests/e2e/artifacts/finance-statement-phone.png", full_page=True)


def test_the_statement_on_a_desktop_keeps_its_columns(desktop, clerk, statement_lines):
    log_in(desktop, "finance1", "demo-pass-1")
    desktop.goto("/contracts/statement/?account=CRF&date_from=2026-11-01&date_to=2026-12-03")
    headers = desktop.get_by_test_id("statement").locator("thead th")
    expect(headers).to_have_text(["日期", "类型", "凭证号", "借方（应收）", "贷方（回款/扣款）", "余额"])
    expect(desktop.get_by_test_id("line-type").first.locator("dl")).to_be_hidden()


@pytest.fixture
def aging_invoices(db):
    """Two chains with open invoices in every bucket as of today."""
    today = timezone.localdate()
    for code, name in (("LOTUS", "易初莲花"), ("RTM", "大润发")):
        account = KeyAccountFactory(code=code, name=name)
        for number, days_past_due in enumerate((-10, 10, 40, 70, 120)):
            services.invoice_create(
                account=account, number=f"AG-{code}-{number}", date=today - timedelta(days=days_past_due + 30),
                amount=Decimal("258624.00"), due_on=today - timedelta(days=days_past_due),
            )  # fmt: skip


def test_the_aging_buckets_read_on_a_phone(phone, clerk, aging_invoices):
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto("/contracts/aging/")

    row = phone.locator('[data-account="LOTUS"]')
    assert text_lines(row.get_by_role("link", name="易初莲花")) == 1
    in_view(row.locator("td.num.fw-semibold"), PHONE)
    expect(row.locator("td.num.fw-semibold")).to_have_text("1,293,120.00")
    # every bucket after 1–30 is on the screen, under the name, and still opens its invoices
    buckets = row.get_by_test_id("buckets-phone")
    for label in ("未到期", "1–30天", "31–60天", "61–90天", "90天以上"):
        in_view(buckets.locator("dt", has_text=label), PHONE)
    in_view(buckets.locator("a[href*='bucket=over_90']"), PHONE)
    in_view(phone.get_by_test_id("aging-grand-total"), PHONE)
    # the Show button on one line
    assert text_lines(phone.get_by_role("button", name="查看")) == 1
    phone.screenshot(path="tests/e2e/artifacts/finance-aging-phone.png", full_page=True)


def test_the_aging_on_a_desktop_keeps_its_columns(desktop, clerk, aging_invoices):
    log_in(desktop, "finance1", "demo-pass-1")
    desktop.goto("/contracts/aging/")
    row = desktop.locator('[data-account="LOTUS"]')
    expect(row.locator('[data-bucket="over_90"]')).to_be_visible()
    expect(row.locator("td")).to_have_count(8)
    expect(row.get_by_test_id("buckets-phone")).to_be_hidden()


@pytest.fixture
def g2n_january(carrefour):
    """January 2025 at Carrefour: gross 15,000, a rebate of 450, a DM fee of 600, promotion 300, a deduction of 800 of
    which 500 matched → 300 unsupported; net 13,350."""
    contract = ContractFactory(account=carrefour, number="HT-CRF-2025", valid_from=JAN, valid_to=date(2025, 12, 31))
    rebate = deducted_term(contract, "rebate", "percent", "month", rate="3.00")
    dm = deducted_term(contract, "dm", "fixed", "quarter", amount="1800.00")
    first = invoice(carrefour, date(2025, 1, 5), "15000.00")
    line(carrefour, JAN, "rebate", "450.00", term=rebate)
    line(carrefour, JAN, "dm", "600.00", term=dm)
    line(carrefour, JAN, "promotion", "300.00")
    deduction(first, date(2025, 1, 28), "800.00", matched="500.00")


def test_gross_to_nets_net_reads_on_a_phone(phone, clerk, g2n_january):
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto(f"/trade-spend/gross-to-net/?{PERIOD}")

    row = phone.locator('[data-account="CRF"]')
    in_view(row.locator('[data-step="net"]'), PHONE)
    expect(row.locator('[data-step="net"]')).to_have_text("13,350.00")
    assert text_lines(row.get_by_role("link", name="家乐福")) == 1
    figures = row.get_by_test_id("g2n-figures-phone")
    expect(figures).to_contain_text("开票总额")
    in_view(figures.locator("dd").first, PHONE)
    in_view(phone.get_by_test_id("g2n-totals").locator('[data-step="net"]'), PHONE)
    phone.screenshot(path="tests/e2e/artifacts/finance-g2n-phone.png", full_page=True)


def test_the_chain_page_reads_on_a_phone(phone, clerk, g2n_january):
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto(f"/trade-spend/gross-to-net/CRF/?{PERIOD}")

    # the month fields as wide as the form, so 2025年1月 (or November 2026) is not cut
    for label in ("起始月份", "截止月份"):
        assert phone.get_by_label(label).bounding_box()["width"] > PHONE * 0.7
    in_view(phone.locator('[data-testid="waterfall"] [data-step="net"] td').first, PHONE)
    in_view(phone.get_by_test_id("month-net").first, PHONE)
    expect(phone.get_by_test_id("month-net").first).to_have_text("13,350.00")
    spent = phone.locator('[data-term="dm"]').get_by_test_id("term-spent")
    in_view(spent, PHONE)
    expect(spent).to_contain_text("600.00")
    expect(spent).to_contain_text("8.33 %")
    assert text_lines(phone.locator('[data-term="rebate"] td').first.locator("dt").first) == 1
    phone.screenshot(path="tests/e2e/artifacts/finance-g2n-chain-phone.png", full_page=True)


def test_gross_to_net_on_a_desktop_keeps_its_columns(desktop, clerk, g2n_january):
    log_in(desktop, "finance1", "demo-pass-1")
    desktop.goto(f"/trade-spend/gross-to-net/?{PERIOD}")
    expect(desktop.get_by_test_id("g2n-table").locator("thead th")).to_have_count(8)
    expect(desktop.locator('[data-account="CRF"] [data-step="unsupported"]')).to_be_visible()
    desktop.goto(f"/trade-spend/gross-to-net/CRF/?{PERIOD}")
    expect(desktop.get_by_test_id("by-month").locator("thead th")).to_have_count(5)
    expect(desktop.locator('[data-term="dm"] td')).to_have_count(5)
    for cell in desktop.locator('[data-term="dm"] td').all():
        expect(cell).to_be_visible()


@pytest.mark.parametrize("width", [375, 768, 1200, 1366])
def test_the_month_boxes_show_a_whole_month_in_english(browser, live_server, clerk, width):
    """At 768 px gross to net's two month boxes were 110 px wide ("Decemb") and the analyses' and the lists' 170 px
    ("December 202"); on a phone the channel mix's and a list's stood side by side, 152 px each, the targets' month
    alone in 152 px."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-US", timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    try:
        page = context.new_page()
        log_in(page, "finance1", "demo-pass-1")
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        for path, count in [
            ("/trade-spend/gross-to-net/", 2),
            ("/analysis/channel-mix/", 2),
            ("/trade-spend/ledger/", 2),  # a list's filters (includes/filter_form.html)
            ("/trade-spend/deductions/", 1),
            ("/analysis/targets/", 1),  # a month of targets (analytics/_month_form.html): "December 20" on a phone
        ]:
            page.goto(f"{path}?month_from=2026-11&month_to=2026-12&period=2026-12&month=2026-12")
            toggle = page.locator('[data-bs-target="#filters"]')
            if toggle.is_visible():  # a list's filters fold away on a phone
                toggle.click()
                expect(page.locator("#filters")).to_be_visible()
            boxes = page.locator("main input[type=month]").all()
            assert len(boxes) == count and boxes[-1].input_value() == "2026-12", path
            assert [round(box.evaluate(MONTH_ROOM)) >= 0 for box in boxes] == [True] * count, path
    finally:
        context.close()
