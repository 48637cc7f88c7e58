"""A finance clerk records a chain's deduction against one of its hundreds of open invoices: the invoice is a box for
its number, which offers, as the clerk types, the account's open invoices the API's search finds (static/js/
record-lookup.js, ?account=…&open=true) — not a settled one, nor another chain's."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.models import Deduction, Invoice
from ka_portal.lists import RecordChoice
from tests.factories import KeyAccountFactory, make_user

from .conftest import in_view, log_in, offered

pytestmark = pytest.mark.django_db(transaction=True)


def _invoices(account, numbers, *, open_amount="100.00"):
    today = timezone.localdate()
    Invoice.objects.bulk_create(
        Invoice(
            account=account,
            number=number,
            date=today - timedelta(days=30),
            due_on=today + timedelta(days=30),
            amount=Decimal("100.00"),
            open_amount=Decimal(open_amount),
            status=Invoice.Status.OPEN if open_amount != "0.00" else Invoice.Status.PAID,
        )
        for number in numbers
    )


def test_a_clerk_finds_an_open_invoice_by_part_of_its_number_and_records_a_deduction_on_it(phone):
    make_user(Role.FINANCE, username="finance1", password="demo-pass-1")
    wumart = KeyAccountFactory(code="WMT", name="物美")
    _invoices(wumart, [f"WM-{n:04d}" for n in range(RecordChoice.MANY)])
    _invoices(wumart, ["WM-7001", "WM-7002"])
    _invoices(wumart, ["WM-7003"], open_amount="0.00")  # paid: no deduction against it
    _invoices(KeyAccountFactory(code="CRF", name="家乐福"), ["WM-7004"])  # another chain's
    log_in(phone, "finance1", "demo-pass-1")
    phone.goto(f"/contracts/receivables/{wumart.pk}/")
    phone.locator("summary", has_text="登记扣款").click()
    form = phone.get_by_test_id("deduction-form")
    box = form.locator("input[name=deduction-invoice]")
    assert box.get_attribute("placeholder") == "发票号"
    in_view(box, 375)
    day = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert offered(box, "WM-700") == [("WM-7001", f"WM-7001 {day} 100.00"), ("WM-7002", f"WM-7002 {day} 100.00")]
    phone.screenshot(path="/tmp/invoice-lookup.png", full_page=False)
    # the number chosen from the offer takes the deduction
    box.fill("WM-7002")
    form.get_by_label("金额").fill("20.00")
    form.get_by_label("原因").fill("堆头费")
    form.get_by_role("button", name="登记扣款").click()
    phone.get_by_test_id("deductions").wait_for()
    deduction = Deduction.objects.get()
    assert (deduction.invoice.number, deduction.amount) == ("WM-7002", Decimal("20.00"))
