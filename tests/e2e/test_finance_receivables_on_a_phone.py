"""A finance clerk checks receivables on a 375 px phone, in Chinese and in English: the disputes list, a chain's
open invoices, payments and deductions, the month close's figures (also in the millions), the months page and the
contracts app's other finance pages read without scrolling sideways — the amount (or net) stays on the row, the rest
under the row's name (.ka-figures). On an office screen the columns are as they were."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import KeyAccount
from accounts.roles import Role
from contracts import services
from contracts.models import Deduction
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory, make_user
from tests.tradespend.g2n_helpers import deduction, invoice, line
from tradespend.disputes import dispute_open
from tradespend.remittances import DeductionLine, InvoiceLine, remittance_record

from .conftest import every_tab_in_sight, in_view, log_in, text_lines

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = 375
ARTIFACTS = "tests/e2e/artifacts"
LANGUAGES = ["zh-hans", "en"]
DUE = timezone.localdate() + timedelta(days=10)


@pytest.fixture
def clerk(db):
    return make_user(Role.FINANCE, username="finance1", first_name="洋", last_name="刘", password="demo-pass-1")


@pytest.fixture
def books(clerk):
    """Carrefour in January 2025, a net of 618,305.09: an invoice of 646,397.00 with a TG fee of
    12,600.00 disputed for a long reason and a DM fee of 6,800.00; head office remittance HK1126 paid 8,000.00 of
    another invoice net of a 700.00 listing fee the advice gave no reason for; rebate and promotion in the ledger."""
    carrefour = KeyAccountFactory(code="CRF", name="家乐福", name_en="Carrefour", tier=KeyAccount.Tier.NKA)
    first = invoice(carrefour, date(2025, 1, 5), "646397.00")
    tg = deduction(first, date(2025, 1, 20), "12600.00", kind="tg")
    deduction(first, date(2025, 1, 22), "6800.00", kind="dm")
    dispute_open(
        deduction=tg, reason="端架未执行：门店无陈列照片，合同无此项费用依据", owner=clerk, due_on=DUE, by=clerk
    )
    number = invoice(carrefour, date(2025, 1, 8), "8700.00").number
    remittance_record(
        account=carrefour, date=date(2025, 1, 26), reference="HK1126", cash=Decimal("8000.00"), by=clerk,
        invoices=[InvoiceLine(number, Decimal("8700.00"), 1)], deductions=[DeductionLine("listing", Decimal("700.00"))],
    )  # fmt: skip
    line(carrefour, date(2025, 1, 1), "rebate", "4391.91")
    line(carrefour, date(2025, 1, 1), "promotion", "12300.00")
    return carrefour


def _open(page, live_server, language: str, path: str) -> None:
    log_in(page, "finance1", "demo-pass-1")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(path)


def _no_sideways_scroll(page, table: str) -> None:
    """Neither the page nor the table (by test id) scrolls sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    box = page.get_by_test_id(table).locator("xpath=ancestor::div[contains(@class, 'table-responsive')]")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth"), box.evaluate("b => [b.scrollWidth, b.clientWidth]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_disputes_list_reads_on_a_phone(phone, live_server, books, language):
    _open(phone, live_server, language, "/trade-spend/disputes/")

    amount = phone.get_by_test_id("dispute-amount").first
    expect(amount).to_have_text("12,600.00")
    in_view(amount, PHONE)
    _no_sideways_scroll(phone, "disputes")
    # the reason reads in lines of words under the deduction, not a character a line
    reason = phone.get_by_test_id("dispute-reason-phone").first
    expect(reason).to_be_visible()
    assert reason.bounding_box()["width"] > 150
    cell = phone.get_by_test_id("dispute-deduction").first
    expect(cell).to_contain_text("刘洋")
    expect(cell).to_contain_text(f"{DUE:%Y-%m-%d}")
    phone.screenshot(path=f"{ARTIFACTS}/finance-disputes-phone-{language}.png", full_page=True)


@pytest.fixture
def seven_digits(books, clerk):
    """Under contract HT-CRF-2025 an invoice of 12,345,678.90 of which a payment of 1,234,567.89 with a long
    reference paid part: 11,111,111.01 open beside a long invoice number made the open invoices 509 px and the
    payments 256 px too wide for a 375 px phone while each kept all its columns."""
    contract = ContractFactory(
        account=books, number="HT-CRF-2025", valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31)
    )
    big = services.invoice_create(
        account=books,
        contract=contract,
        number="CRF-2025-010099",
        date=date(2025, 1, 10),
        amount=Decimal("12345678.90"),
    )
    services.payment_record(
        account=books, date=date(2025, 1, 28), amount=Decimal("1234567.89"), reference="HK-2025-0128-家乐福总部",
        allocations=[(big, Decimal("1234567.89"))], by=clerk,
    )  # fmt: skip


def _right_of_label(line) -> float:
    """Where the text after a line's first word ends up on the line (the label's right edge plus a space)."""
    return line.evaluate(
        """el => { const range = document.createRange(); range.setStart(el.firstChild, 0);
        range.setEnd(el.firstChild, el.firstChild.textContent.length); return range.getBoundingClientRect().right }"""
    )


def _figures_on_one_line(figures) -> None:
    for amount in figures.locator("dd").all():
        in_view(amount, PHONE)
        assert text_lines(amount) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_chains_receivables_read_on_a_phone(phone, live_server, books, seven_digits, language):
    credited = services.invoice_create(  # returned in full: a long invoice number beside a wide credit
        account=books, number="FP20250129-CRF-000123", date=date(2025, 1, 29), amount=Decimal("123456.78")
    )
    services.credit_note_record(
        account=books, number="HZ202501-CRF", date=date(2025, 1, 30), amount=Decimal("123456.78"), reason="退货冲红",
        invoice=credited,
    )  # fmt: skip
    _open(phone, live_server, language, f"/contracts/receivables/{books.pk}/")

    # each open invoice and payment a card: the open amount (or the payment) on the row, its figures named under it
    big = phone.get_by_test_id("open-invoices").locator('[data-invoice="CRF-2025-010099"]')
    expect(big.get_by_test_id("invoice-open")).to_have_text("11,111,111.01")
    in_view(big.get_by_test_id("invoice-open"), PHONE)
    expect(big.get_by_test_id("invoice-figures-phone")).to_contain_text("12,345,678.90")
    _figures_on_one_line(big.get_by_test_id("invoice-figures-phone"))
    expect(big.get_by_test_id("invoice-status-phone")).to_be_visible()
    payment = phone.get_by_test_id("payments").locator("tbody tr").first
    in_view(payment.get_by_test_id("payment-amount"), PHONE)
    expect(payment.get_by_test_id("payment-figures-phone")).to_contain_text("CRF-2025-010099")
    _figures_on_one_line(payment.get_by_test_id("payment-figures-phone"))
    _no_sideways_scroll(phone, "open-invoices")
    _no_sideways_scroll(phone, "payments")

    table = phone.get_by_test_id("deductions")
    for amount in table.get_by_test_id("deduction-amount").all():
        in_view(amount, PHONE)
    expect(table.get_by_test_id("deduction-amount")).to_have_text(["700.00", "6,800.00", "12,600.00"])
    remitted = table.get_by_test_id("deduction-reason-phone").first
    expect(remitted).to_have_text("总部回款 HK1126 扣款" if language == "zh-hans" else "Taken in remittance HK1126")
    assert text_lines(remitted) <= 2
    _no_sideways_scroll(phone, "deductions")

    # a credit note's invoice reads on one line after its label, its number whole (it fell to a line of its own,
    # right-aligned, beside a wide amount)
    line = phone.get_by_test_id("credit-notes").get_by_test_id("credit-note-invoice-phone")
    expect(line).to_have_text(("发票 " if language == "zh-hans" else "Invoice ") + credited.number)
    number = line.locator(".text-nowrap")
    assert text_lines(number) == 1
    in_view(number, PHONE)
    # beside its label, or (too long for that) starting the next line under it: never flushed right on a line alone
    assert number.bounding_box()["x"] in (line.bounding_box()["x"], pytest.approx(_right_of_label(line), abs=8))
    phone.screenshot(path=f"{ARTIFACTS}/finance-receivables-account-phone-{language}.png", full_page=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_contracts_finance_pages_read_on_a_phone(phone, live_server, books, seven_digits, language):
    """Month end through the contracts app: every table's key figure on the row, nothing scrolls sideways, every
    finance tab (the contracts app's and trade spend's) in sight."""
    contract = books.contracts.get()
    pages = [
        ("/contracts/receivables/", "receivables", "receivables-open"),
        ("/contracts/ledger/", "contracts", "contract-total"),
        (f"/contracts/ledger/{contract.pk}/", "contract-invoices", "contract-open-total"),
        ("/contracts/aging/invoices/?as_of=2025-02-28&account=CRF", "aging-invoices", "drill-open"),
    ]
    log_in(phone, "finance1", "demo-pass-1")
    phone.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    for path, table, figure in pages:
        phone.goto(path)
        _no_sideways_scroll(phone, table)
        in_view(phone.get_by_test_id(figure).first, PHONE)
    every_tab_in_sight(phone, "finance-nav", 5)
    expect(phone.get_by_test_id("drill-open").last).to_have_text("11,111,111.01")
    # the shared filter form: a month field as wide as the form, so December 2026 is not cut to December 20
    # deduction matching: a promotion cost of seven digits suspected a duplicate at a chain with a long one-word name
    # (with a date column beside them the amount was pushed out of the screen in English) and the states' totals each
    # on the screen whole
    KeyAccount.objects.filter(pk=books.pk).update(name_en="Nonggongshang")
    on = contract.invoices.get(number="CRF-2025-010099")
    duplicate = deduction(on, date(2025, 1, 31), "1234567.89", kind="promotion")
    Deduction.objects.filter(pk=duplicate.pk).update(state=Deduction.State.DUPLICATE)
    phone.goto("/trade-spend/deductions/?period=2025-01")
    assert phone.locator("#filters input[type=month]").bounding_box()["width"] > PHONE * 0.7
    every_tab_in_sight(phone, "tradespend-nav", 6)
    _no_sideways_scroll(phone, "deductions")
    expect(phone.get_by_test_id("deduction-amount").first).to_have_text("1,234,567.89")
    for amount in (*phone.get_by_test_id("deduction-amount").all(), *phone.get_by_test_id("state-total-amount").all()):
        in_view(amount, PHONE)
        assert text_lines(amount) == 1
    phone.screenshot(path=f"{ARTIFACTS}/finance-deductions-phone-{language}.png")


def _in_the_millions(carrefour) -> None:
    """Another January invoice of 12,345,678.90 with an unsupported TG fee of 1,234,567.89 and a rebate of
    1,000,000.00: gross 13,000,775.90, net 10,729,416.10. The longest English label word ("Unsupported") beside a
    seven-digit amount and an eight-digit net made the table 50 px too wide for a 375 px phone while .ka-figures was a
    grid."""
    big = invoice(carrefour, date(2025, 1, 9), "12345678.90")
    deduction(big, date(2025, 1, 27), "1234567.89", kind="tg")
    line(carrefour, date(2025, 1, 1), "rebate", "1000000.00")


@pytest.mark.parametrize(
    "language, millions", [("zh-hans", False), ("en", False), ("en", True)], ids=["zh-hans", "en", "en-millions"]
)
def test_the_month_closes_figures_read_on_a_phone(phone, live_server, books, language, millions):
    if millions:
        _in_the_millions(books)
    _open(phone, live_server, language, "/trade-spend/months/close/?month=2025-01")

    row = phone.get_by_test_id("preview").locator('[data-account="CRF"]')
    net = row.locator('[data-step="net"]')
    suffix = "-millions" if millions else ""
    phone.screenshot(path=f"{ARTIFACTS}/finance-month-close-phone-{language}{suffix}.png", full_page=True)
    in_view(net, PHONE)
    expect(net).to_have_text("10,729,416.10" if millions else "618,305.09")
    in_view(phone.get_by_test_id("preview-totals").locator('[data-step="net"]'), PHONE)
    figures = row.get_by_test_id("g2n-figures-phone")
    expect(figures).to_contain_text("13,000,775.90" if millions else "655,097.00")  # gross invoiced, under the name
    for amount in figures.locator("dd").all():  # each amount on the screen, on one line
        in_view(amount, PHONE)
        assert text_lines(amount) == 1
    assert text_lines(row.locator("td").first.locator("span").first) == 1
    _no_sideways_scroll(phone, "preview")
    if millions:  # the spend ledger's totals, two cards to a row: an eight-digit total inside its card, on one line
        line(books, date(2025, 1, 1), "promotion", "23456789.00")
        phone.goto("/trade-spend/ledger/")
        expect(phone.get_by_test_id("grand-total")).to_have_text("24,473,480.91")
        for total in (*phone.get_by_test_id("ledger-total").all(), phone.get_by_test_id("grand-total")):
            assert total.evaluate("el => el.scrollWidth <= el.clientWidth") and text_lines(total) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_months_page_reads_on_a_phone(phone, live_server, books, language):
    _open(phone, live_server, language, "/trade-spend/months/")

    row = phone.locator('[data-month="2025-01"]')
    net = row.get_by_test_id("month-net")
    expect(net).to_have_text("618,305.09")
    in_view(net, PHONE)
    expect(row.get_by_test_id("status-phone")).to_be_visible()
    expect(row.locator("dl.ka-figures")).to_contain_text("655,097.00")
    _no_sideways_scroll(phone, "months-table")
    phone.screenshot(path=f"{ARTIFACTS}/finance-months-phone-{language}.png", full_page=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_desktop_the_columns_are_as_they_were(desktop, live_server, books, language):
    _open(desktop, live_server, language, "/trade-spend/disputes/")
    expect(desktop.get_by_test_id("disputes").locator("thead th")).to_have_count(8)  # with who resolved it, when
    for header in desktop.get_by_test_id("disputes").locator("thead th").all():
        expect(header).to_be_visible()
    expect(desktop.get_by_test_id("dispute-reason-phone")).to_be_hidden()
    desktop.screenshot(path=f"{ARTIFACTS}/finance-disputes-desktop-{language}.png", full_page=True)

    desktop.goto(f"/contracts/receivables/{books.pk}/")
    for table, columns in (("open-invoices", 7), ("payments", 6)):
        headers = desktop.get_by_test_id(table).locator("thead th")
        expect(headers).to_have_count(columns)
        for header in headers.all():
            expect(header).to_be_visible()
        expect(desktop.get_by_test_id(table).locator("dl.ka-figures").first).to_be_hidden()
    deductions = desktop.get_by_test_id("deductions")
    for header in deductions.locator("thead th").all():
        expect(header).to_be_visible()
    expect(deductions.locator("dl.ka-figures").first).to_be_hidden()
    deductions.screenshot(path=f"{ARTIFACTS}/finance-receivables-deductions-desktop-{language}.png")

    desktop.goto("/trade-spend/months/close/?month=2025-01")
    preview = desktop.get_by_test_id("preview")
    expect(preview.locator("thead th")).to_have_count(7)
    for header in preview.locator("thead th").all():
        expect(header).to_be_visible()
    expect(preview.get_by_test_id("g2n-figures-phone").first).to_be_hidden()
    desktop.screenshot(path=f"{ARTIFACTS}/finance-month-close-desktop-{language}.png", full_page=True)

    desktop.goto("/trade-spend/months/")
    desktop.screenshot(path=f"{ARTIFACTS}/finance-months-desktop-{language}.png", full_page=True)
