"""The statement at size (issue 17 item 4): its lines come from one ordered query, the page shows them 500 at a time
with the balance carried from page to page, and the Excel streams every one of them. Checked against the statement
as it was read before — every movement fetched, sorted in Python by (date, kind, reference), balanced one by one —
on books with ties on a day, references that sort differently by locale, and every kind of movement."""

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import services
from contracts.api import StatementLineSerializer
from contracts.models import CreditNote, Deduction, Invoice, Payment
from contracts.selectors import statement

pytestmark = pytest.mark.django_db
D = Decimal
START, END = date(2026, 3, 1), date(2026, 3, 31)
KIND_ORDER = ["invoice", "reversal", "payment", "deduction", "recovery", "credit_note", "write_off"]


def _as_read_before(account, date_from, date_to) -> list[tuple]:
    """(date, kind, reference, debit, credit) of every movement, in the order the statement always had: by date, the
    kinds in their order on a day, reference (as Python compares strings), then each kind's list order."""
    period = {"date__gte": date_from, "date__lte": date_to}
    lines = [(i.date, "invoice", i.number, i.amount, D(0)) for i in Invoice.objects.filter(account=account, **period)]
    lines += [
        (p.date, "payment", p.reference, D(0), p.amount) for p in Payment.objects.filter(account=account, **period)
    ]
    lines += [
        (p.reversed_on, "reversal", p.reference, p.amount, D(0))
        for p in Payment.objects.filter(account=account, reversed_on__gte=date_from, reversed_on__lte=date_to)
    ]
    lines += [
        (d.date, "deduction", " ".join(filter(None, [d.reference, d.invoice.number, d.reason])), D(0), d.amount)
        for d in Deduction.objects.filter(account=account, **period).select_related("invoice")
    ]
    lines += [
        (c.date, "credit_note", " ".join(filter(None, [c.number, c.invoice.number if c.invoice else "", c.reason])),
         D(0), c.amount)
        for c in CreditNote.objects.filter(account=account, **period).select_related("invoice")
    ]  # fmt: skip
    lines += [
        (i.written_off_on, "write_off", i.number, D(0), i.written_off_amount)
        for i in Invoice.objects.filter(account=account, written_off_on__gte=date_from, written_off_on__lte=date_to)
    ]
    return sorted(lines, key=lambda line: (line[0], KIND_ORDER.index(line[1]), line[2]))


@pytest.fixture
def month_of_books(account, finance):
    """March of 沃尔玛, with what makes ordering hard: several movements a day, payments with the same reference and
    none, references in upper and lower case, digits, Chinese; a reversal, a write-off, credit notes with and
    without an invoice; February before it for the opening balance."""
    services.invoice_create(account=account, number="FEB-1", date=date(2026, 2, 10), amount=D("5000.00"))
    # Numbers in upper and lower case side by side (b-7, B-8); two the same but for their case are refused, by the
    # service (invoice.number_taken) and the database alike (invoice_number_unique_ignoring_case). Each is raised
    # under a number of its own and then given the one the test needs.
    numbers = ["b-7", "B-8", "a10", "a9", "沃-1", "Z 1", "z", "10", "9", "_x"]
    invoices = [
        services.invoice_create(
            account=account, number=f"TMP-{n}", date=START + timedelta(days=n % 4), amount=D(1000 + 37 * n)
        )
        for n, number in enumerate(numbers)
    ]
    for invoice, number in zip(invoices, numbers, strict=True):
        Invoice.objects.filter(pk=invoice.pk).update(number=number)
        invoice.refresh_from_db()
    # The same reference twice is refused now (payment.reference_used): these stand for rows booked before that rule,
    # recorded under a reference of their own and then given the one they share.
    for n, reference in enumerate(["HK", "HK", "", "", "hk", "汇款", "HK"]):
        paid = services.payment_record(
            account=account, date=START + timedelta(days=n % 3), amount=D(300 + n), reference=f"{n}", by=finance
        )
        Payment.objects.filter(pk=paid.pk).update(reference=reference)
    bounced = services.payment_record(
        account=account, date=START + timedelta(days=2), amount=D("50.00"), reference="HK-bounced"
    )
    Payment.objects.filter(pk=bounced.pk).update(reference="HK")
    bounced.refresh_from_db()
    services.payment_reverse(payment=bounced, by=finance, reason="退票", on=START + timedelta(days=2))
    for n, invoice in enumerate(invoices[:5]):
        services.deduction_record(
            invoice=invoice, date=START + timedelta(days=3), kind=["dm", "tg"][n % 2], amount=D(20 + n), reason="费用",
            reference=["TG202611", "", "tg202610", "TG202610", ""][n],
        )  # fmt: skip
    services.credit_note_record(
        account=account,
        number="CN2",
        date=START + timedelta(days=3),
        amount=D("30.00"),
        reason="退货",
        invoice=invoices[6],
    )
    services.credit_note_record(
        account=account, number="CN1", date=START + timedelta(days=3), amount=D("10.00"), reason="折让"
    )
    services.invoice_write_off(invoice=invoices[9], reason="坏账", by=finance, on=START + timedelta(days=3))
    from tradespend.disputes import dispute_open, dispute_recover

    deduction = Deduction.objects.order_by("pk").first()
    dispute = dispute_open(deduction=deduction, reason="无依据", owner=finance, by=finance)
    dispute_recover(dispute=dispute, amount=D("5.00"), on=START + timedelta(days=3), note="", by=finance)
    return invoices


def test_the_lines_are_the_movements_in_the_order_they_always_had(account, month_of_books):
    # when the statement of March is read
    result = statement(account, date_from=START, date_to=END)
    # then its lines are every movement, in the order and with the balances the statement always had
    expected = _as_read_before(account, START, END)
    recovery = next(line for line in result.lines if line.kind == "recovery")
    got = [(line.date, line.kind, line.reference, line.debit, line.credit) for line in result.lines]
    assert [line for line in got if line[1] != "recovery"] == expected
    assert recovery.debit == D("5.00") and recovery.label == "扣款追回"
    balance = result.opening
    for line in result.lines:
        balance += line.debit - line.credit
        assert line.balance == balance
    assert result.closing == balance == result.opening + sum(line.debit - line.credit for line in result.lines)
    assert result.opening == D("5000.00")
    assert {line.label for line in result.lines if line.kind == "deduction"} == {"扣款：DM费", "扣款：TG费"}


def _bulk_books(account, lines: int) -> None:
    """About ``lines`` movements in March, half invoices, half payments, straight into the tables."""
    Invoice.objects.bulk_create(
        Invoice(account=account, number=f"BK{n:05d}", date=START + timedelta(days=n % 31), due_on=END,
                amount=D(100 + n % 50), open_amount=D(100 + n % 50))
        for n in range(lines // 2)
    )  # fmt: skip
    Payment.objects.bulk_create(
        Payment(account=account, date=START + timedelta(days=n % 31), amount=D(40 + n % 7), reference=f"P{n % 13}")
        for n in range(lines - lines // 2)
    )


def _workbook(response):
    assert response.streaming  # a file handed over as it is read, not a body built in memory
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_excel_has_every_line_of_a_large_statement(client, finance, account):
    # given a month of 1,200 movements
    _bulk_books(account, 1200)
    result = statement(account, date_from=START, date_to=END)
    # when finance exports it
    client.force_login(finance)
    params = {"account": account.code, "date_from": START, "date_to": END, "export": "xlsx"}
    cells = list(_workbook(client.get(reverse("contracts:statement"), params)).active.iter_rows(values_only=True))
    # then the sheet has every line of the statement, in its order, and its totals
    header = next(n for n, row in enumerate(cells) if row[0] == "日期")
    assert cells[header + 1][1] == "期初余额" and cells[header + 1][5] == 0
    rows = cells[header + 2 : header + 2 + len(result.lines)]
    assert [(r[0].date(), r[1], r[2], r[3], r[4], r[5]) for r in rows] == [
        (line.date, line.label, line.reference, line.debit or None, line.credit or None, line.balance)
        for line in result.lines
    ]
    assert len(rows) == 1200
    totals = {row[1]: row[5] for row in cells[header + 2 + len(result.lines) :] if row and len(row) > 5}
    assert totals["发票"] == result.invoiced and totals["回款"] == result.paid
    assert totals["期末余额"] == result.closing == rows[-1][5]


def test_the_page_shows_500_lines_at_a_time_and_carries_the_balance(client, finance, account):
    # given a month of 1,200 movements
    _bulk_books(account, 1200)
    result = statement(account, date_from=START, date_to=END)
    client.force_login(finance)
    params = {"account": account.code, "date_from": START, "date_to": END}
    # when finance opens the statement, then its second and last page
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(reverse("contracts:statement"), params)
    second = client.get(reverse("contracts:statement"), {**params, "page": 2})
    last = client.get(reverse("contracts:statement"), {**params, "page": 3})
    # then each page shows its 500 lines (the last the 200 left) with the balances of the whole statement
    assert [len(page.context["page_obj"].object_list) for page in (first, second, last)] == [500, 500, 200]
    assert second.context["page_obj"].object_list == result.lines[500:1000]
    assert second.context["brought_forward"] == result.lines[499].balance
    page = second.content.decode()
    assert "承前页" in page and "过次页" in page and "期末余额" not in page
    assert "期初余额" in first.content.decode() and "期末余额" in last.content.decode()
    # the totals are the whole period's on every page
    assert last.context["statement"].closing == result.closing == result.lines[-1].balance
    assert second.context["statement"].invoiced == result.invoiced
    # and a page of a month of 1,200 lines costs the queries of a month of a few
    other = services.invoice_create(account=account, number="FEW", date=START, amount=D("1.00"))
    few = {"account": account.code, "date_from": START, "date_to": START}
    with CaptureQueriesContext(connection) as few_queries:
        client.get(reverse("contracts:statement"), few)
    assert other.pk and len(first_queries) == len(few_queries)


def test_the_api_gives_every_line_as_its_fields_are_declared(api_client, finance, account, month_of_books):
    # when the API is asked for March's statement
    api_client.force_authenticate(finance)
    params = {"account": account.code, "from": START.isoformat(), "to": END.isoformat()}
    answer = api_client.get(reverse("report-statement"), params).json()
    # then every line is there, each as the declared fields write it (dates ISO, amounts with two places)
    result = statement(account, date_from=START, date_to=END)
    fields = StatementLineSerializer().fields
    assert answer["lines"] == [
        {name: field.to_representation(getattr(line, name)) for name, field in fields.items()} for line in result.lines
    ]
    assert answer["lines"][0]["debit"].endswith(".00") and len(answer["lines"]) == len(result.lines) > 20
