"""A finance clerk at month end, in the browser: the gross-to-net period in its fields, a closed month's figures
as closed, the deductions list's date pickers, a TG fee read on one line on a phone, the current month's true-ups
explained on the months page and their stage on one line in the ledger."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from contracts import services
from contracts.models import Deduction
from tests.factories import KeyAccountFactory, make_user
from tests.tradespend.g2n_helpers import deduction, invoice
from tradespend import notes
from tradespend.closing import month_close
from tradespend.models import AccrualLine
from tradespend.rules import add_months, month_start

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

ARTIFACTS = "tests/e2e/artifacts"


def _split_terms(page, term: str) -> int:
    """How many times ``term`` shows broken over two lines on the page (each character's line compared)."""
    return page.evaluate(
        """term => { let split = 0; const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) { const node = walker.currentNode;
            for (let at = node.data.indexOf(term); at >= 0; at = node.data.indexOf(term, at + 1)) {
              const tops = new Set();
              for (let i = 0; i < term.length; i++) { const range = document.createRange();
                range.setStart(node, at + i); range.setEnd(node, at + i + 1);
                const box = range.getBoundingClientRect(); if (box.width) tops.add(Math.round(box.top)); }
              if (tops.size > 1) split += 1; } }
          return split; }""",
        term,
    )


@pytest.fixture
def clerk(db):
    return make_user(Role.FINANCE, username="finance1", password="demo-pass-1", first_name="洋", last_name="刘")


@pytest.fixture
def books(clerk):
    """沃尔玛: January 2025 invoiced 5,000.00 with a TG deduction of 1,000.00, closed by 刘洋, the deduction matched
    600.00 since; this month holds two true-ups owing January 12,500.00 more rebate, so its net is -12,500.00."""
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛")
    taken = deduction(invoice(wmt, date(2025, 1, 3), "5000.00"), date(2025, 1, 20), "1000.00", kind="tg")
    month_close(month=date(2025, 1, 1), by=clerk, today=date(2025, 6, 15))
    Deduction.objects.filter(pk=taken.pk).update(matched_amount=Decimal("600.00"))
    this = month_start(timezone.localdate())
    for amount, months in (("12000.00", "2025-01"), ("500.00", "2025-01")):
        AccrualLine.objects.create(
            account=wmt, month=this, source="adjustment", source_key=f"adjustment:{uuid.uuid4()}", kind="rebate",
            category="rebate", stage="true_up", amount=Decimal(amount), reason_code=notes.TRUE_UP_FOR,
            reason_params={"amount": amount, "months": months, "source": "WMT 年度返利"},
        )  # fmt: skip
    return wmt


def test_gross_to_net_shows_its_period_in_the_fields_it_edits(desktop, phone, clerk, books):
    this = month_start(timezone.localdate())
    last = add_months(this, -1)
    log_in(desktop, "finance1", "demo-pass-1")
    desktop.goto("/trade-spend/gross-to-net/")
    expect(desktop.get_by_label("起始月份")).to_have_value(f"{this:%Y-%m}")
    expect(desktop.get_by_label("截止月份")).to_have_value(f"{this:%Y-%m}")
    desktop.locator('[data-preset="last_month"]').click()
    expect(desktop.get_by_test_id("period")).to_contain_text(f"{last:%Y-%m}")
    expect(desktop.get_by_label("起始月份")).to_have_value(f"{last:%Y-%m}")
    # the clerk edits the months shown and gets what they asked for
    desktop.get_by_label("起始月份").fill("2025-01")
    desktop.get_by_label("截止月份").fill("2025-01")
    desktop.get_by_role("button", name="查看").click()
    expect(desktop.get_by_test_id("period")).to_contain_text("2025-01")
    expect(desktop.get_by_label("起始月份")).to_have_value("2025-01")
    desktop.screenshot(path=f"{ARTIFACTS}/tradespend-g2n-period.png", full_page=True)
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto("/trade-spend/gross-to-net/")
    expect(phone.get_by_label("起始月份")).to_have_value(f"{this:%Y-%m}")
    phone.screenshot(path=f"{ARTIFACTS}/tradespend-g2n-period-phone.png", full_page=True)


def test_a_closed_months_page_shows_it_as_closed_and_what_moved(desktop, phone, clerk, books):
    log_in(desktop, "finance1", "demo-pass-1")
    desktop.goto("/trade-spend/months/close/?month=2025-01")
    expect(desktop.get_by_test_id("closed-note")).to_contain_text("刘洋")
    wmt = desktop.get_by_test_id("preview").locator('[data-account="WMT"]')
    expect(wmt).to_contain_text("1,000.00")  # unsupported as frozen, not the live 400.00
    expect(desktop.get_by_test_id("drift")).to_contain_text("1,000.00 → 400.00")
    expect(desktop.get_by_test_id("confirm-close")).to_have_count(0)
    desktop.screenshot(path=f"{ARTIFACTS}/tradespend-closed-month.png", full_page=True)
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto("/trade-spend/months/close/?month=2025-01")
    expect(phone.get_by_test_id("drift")).to_contain_text("(+600.00)")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=f"{ARTIFACTS}/tradespend-closed-month-phone.png", full_page=True)


def test_deductions_filter_by_date_pickers_and_refuse_bad_dates(desktop, clerk, books):
    log_in(desktop, "finance1", "demo-pass-1")
    desktop.goto("/trade-spend/deductions/")
    date_from = desktop.locator("#filters").get_by_label("起", exact=True)
    expect(date_from).to_have_attribute("type", "date")
    date_from.fill("2025-01-21")
    desktop.locator("#filters").get_by_role("button", name="筛选").click()
    expect(desktop.get_by_test_id("deductions")).to_have_count(0)
    expect(desktop.locator("#filters").get_by_label("起", exact=True)).to_have_value("2025-01-21")
    desktop.goto("/trade-spend/deductions/?date_from=2025-02-30")
    expect(desktop.locator("#filters")).to_contain_text("“2025-02-30”不是日期")
    desktop.screenshot(path=f"{ARTIFACTS}/tradespend-deductions-bad-date.png", full_page=True)


def test_the_tg_fee_reads_on_one_line_on_a_phone(phone, clerk, books):
    # Given a chain's deductions as the demo holds them: long invoice numbers, short reasons
    on = services.invoice_create(
        account=books, number="FP20261128-WMT", date=date(2026, 11, 28), amount=Decimal("90000.00")
    )
    for kind, reason in (("tg", "端架费"), ("listing", "新品进场费"), ("dm", "DM快讯费")):
        services.deduction_record(
            invoice=on, date=date(2026, 11, 28), kind=kind, amount=Decimal("3500.00"), reason=reason
        )
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto("/trade-spend/deductions/")
    expect(phone.get_by_test_id("deductions")).to_contain_text("TG费")
    assert _split_terms(phone, "TG费") == 0
    phone.screenshot(path=f"{ARTIFACTS}/tradespend-deductions-phone.png", full_page=True)
    # the chain's receivables page lists the same deductions in a narrow column
    phone.goto(f"/contracts/receivables/{books.pk}/")
    deductions = phone.get_by_test_id("deductions")
    expect(deductions).to_contain_text("TG费")
    assert _split_terms(phone, "TG费") == 0 and _split_terms(phone, "DM费") == 0
    deductions.screenshot(path=f"{ARTIFACTS}/contracts-receivables-deductions-phone.png")


def test_the_current_months_true_ups_are_explained(desktop, phone, clerk, books):
    this = month_start(timezone.localdate())
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto("/trade-spend/months/")
    row = phone.locator(f'[data-month="{this:%Y-%m}"]')
    expect(row.get_by_test_id("true-ups-phone")).to_contain_text("2025-01")  # under the month on a phone
    expect(row.get_by_test_id("true-ups-phone")).to_contain_text("-12,500.00")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=f"{ARTIFACTS}/tradespend-months-true-ups-phone.png", full_page=True)
    row.get_by_test_id("true-ups-link-phone").click()
    expect(phone.get_by_test_id("ledger")).to_contain_text("12,000.00")
    log_in(desktop, "finance1", "demo-pass-1")
    desktop.goto("/trade-spend/months/")
    desktop.screenshot(path=f"{ARTIFACTS}/tradespend-months-true-ups.png", full_page=True)
    # the promoters' fee ledger on a desktop: the stage 差额调整 and the columns' names on one line beside a true-up's
    # long reason
    months = ", ".join(f"2025-{month:02d}" for month in range(1, 8))
    AccrualLine.objects.create(
        account=books, month=this, source="promoter", source_key="promoter:1", kind="promoter", category="promotion",
        stage="true_up", amount=Decimal("29467.74"), reason_code=notes.TRUE_UP_FOR,
        reason_params={"amount": "29467.74", "months": months, "source": "孙美玲 (PR002)"},
    )  # fmt: skip
    desktop.set_viewport_size({"width": 1366, "height": 900})
    desktop.goto("/trade-spend/ledger/?source=promoter")
    expect(desktop.get_by_test_id("ledger")).to_contain_text("差额调整")
    assert _split_terms(desktop, "差额调整") == 0 and _split_terms(desktop, "重点客户") == 0
    desktop.screenshot(path=f"{ARTIFACTS}/tradespend-ledger-true-ups.png", full_page=True)
