"""remittance_record: a head office's lump sum over several stores' invoices, all or nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.roles import Role
from contracts.models import Allocation, Deduction, Invoice, Payment
from contracts.selectors import account_reconciliation
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tradespend.models import ClosedMonth, Remittance, RemittanceInvoice
from tradespend.remittances import (
    DeductionLine,
    InvoiceLine,
    RemittanceRefused,
    remittance_record,
    remittance_summary,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _remit_in_english():
    """The refusals are read in English here (the pages' tests read them in both languages)."""
    with translation.override("en"):
        yield


@pytest.fixture
def remit_world():
    account = KeyAccountFactory(code="WMT")
    other = KeyAccountFactory(code="CRF")

    def invoice(number, day, amount, account=account):
        return InvoiceFactory(number=number, account=account, date=day, amount=D(amount))

    return {
        "account": account,
        "other": other,
        "finance": make_user(Role.FINANCE),
        # five stores' invoices of one chain: A and E are not named by the advice
        "A": invoice("A-0701", date(2026, 7, 1), "10000.00"),
        "B": invoice("B-0801", date(2026, 8, 1), "8000.00"),
        "C": invoice("C-0815", date(2026, 8, 15), "5000.00"),
        "D": invoice("D-0901", date(2026, 9, 1), "3000.00"),
        "E": invoice("E-0910", date(2026, 9, 10), "6000.00"),
        "X": invoice("X-0901", date(2026, 9, 1), "4000.00", account=other),
    }


def _advice(**changes):
    advice = {
        "date": date(2026, 10, 8),
        "reference": "WMT-PAY-1008",
        "cash": D("30000.00"),
        "invoices": [
            InvoiceLine("B-0801", D("8000.00"), 2),
            InvoiceLine("C-0815", D("4000.00"), 3),
            InvoiceLine("D-0901", D("3000.00"), 4),
        ],
        "deductions": [
            DeductionLine("dm", D("600.00"), date(2026, 8, 1), date(2026, 8, 1), "DM-08", "", "C-0815", 5),
            DeductionLine("listing", D("1500.00"), date(2026, 7, 1), date(2026, 9, 1), "LST-Q3", "new SKUs", "", 6),
            DeductionLine("tg", D("700.00"), None, None, "TG-09", "end cap", "", 7),
        ],
    }
    advice.update(changes)
    return advice


def _record(world, **changes):
    return remittance_record(account=world["account"], by=world["finance"], **_advice(**changes))


def _state():
    return (
        Payment.objects.count(),
        Allocation.objects.count(),
        Deduction.objects.count(),
        Remittance.objects.count(),
        RemittanceInvoice.objects.count(),
        sorted(Invoice.objects.values_list("number", "open_amount", "status")),
    )


def _open(number):
    return Invoice.objects.get(number=number).open_amount


def test_worked_example_settles_lines_places_deductions_and_allocates_the_rest_oldest_first(remit_world):
    # Lines settle 8000 + 4000 + 3000 = 15000; deductions 600 + 1500 + 700 = 2800; cash 30000.
    # DM 600 names C. Rooms: B 8000, C 4000 − 600 = 3400, D 3000. Largest first: listing 1500 → B (8000 → 6500),
    # TG 700 → B (6500 → 5800). Cash per line: B 8000 − 2200 = 5800, C 4000 − 600 = 3400, D 3000 → 12200.
    # Rest 30000 + 2800 − 15000 = 17800 → A (oldest) 10000, E 6000; over 1800 stays unallocated.
    outcome = _record(remit_world)

    remittance = outcome.remittance
    assert outcome.created
    assert (remittance.settled, remittance.deducted, remittance.cash) == (D("15000.00"), D("2800.00"), D("30000.00"))
    cash = dict(remittance.payment.allocations.values_list("invoice__number", "amount"))
    assert cash == {
        "B-0801": D("5800.00"),
        "C-0815": D("3400.00"),
        "D-0901": D("3000.00"),
        "A-0701": D("10000.00"),
        "E-0910": D("6000.00"),
    }
    placed = {(d.kind, d.invoice.number, d.amount) for d in remittance.deductions.select_related("invoice")}
    assert placed == {
        ("dm", "C-0815", D("600.00")),
        ("listing", "B-0801", D("1500.00")),
        ("tg", "B-0801", D("700.00")),
    }
    listing = Deduction.objects.get(kind="listing")
    assert (listing.period_start, listing.period_end, listing.reference, listing.reason) == (
        date(2026, 7, 1),
        date(2026, 9, 1),
        "LST-Q3",
        "new SKUs",
    )
    tg = Deduction.objects.get(kind="tg")
    assert (tg.period_start, tg.period_end, tg.date) == (date(2026, 10, 1), date(2026, 10, 1), date(2026, 10, 8))
    assert Deduction.objects.get(kind="dm").reason_text == "Taken in remittance WMT-PAY-1008"
    assert [_open(n) for n in ("A-0701", "B-0801", "C-0815", "D-0901", "E-0910")] == [
        D("0.00"),
        D("0.00"),
        D("1000.00"),
        D("0.00"),
        D("0.00"),
    ]
    assert Invoice.objects.get(number="C-0815").status == Invoice.Status.PARTLY_PAID
    assert remittance.payment.unallocated_amount == D("1800.00")
    assert account_reconciliation(remit_world["account"]).reconciles

    summary = remittance_summary(remittance)
    by_number = {line.invoice.number: line for line in summary.lines}
    c = by_number["C-0815"]
    assert (c.open_before, c.settled, c.cash, c.deducted, c.still_open, c.short) == (
        D("5000.00"),
        D("4000.00"),
        D("3400.00"),
        D("600.00"),
        D("1000.00"),
        True,
    )
    assert not by_number["B-0801"].short
    assert summary.cash_to_lines == D("12200.00")
    assert summary.rest_allocated == D("16000.00")
    assert summary.unallocated == D("1800.00")
    assert summary.short_total == D("1000.00")


def test_an_exact_remittance_leaves_nothing_over(remit_world):
    # 15000 − 2800 = 12200 cash settles exactly the lines: no rest, nothing over.
    outcome = _record(remit_world, cash=D("12200.00"))

    assert outcome.remittance.payment.unallocated_amount == 0
    assert _open("A-0701") == D("10000.00")
    assert outcome.remittance.payment.allocated_amount == D("12200.00")


def _bad_invoice_line(invoice, amount="1000.00", row=9):
    return lambda a: {"invoices": [*a["invoices"], InvoiceLine(invoice, D(amount), row)]}


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (lambda a: {"cash": D("12199.99")}, "remittance.does_not_add_up", ["12,199.99", "2,800.00", "15,000.00"]),
        (_bad_invoice_line("NOPE-1"), "remittance.unknown_invoice", ["NOPE-1"]),
        (_bad_invoice_line("X-0901"), "remittance.other_account", ["X-0901", "CRF", "WMT"]),
        (_bad_invoice_line("E-0910", "6000.01"), "remittance.exceeds_open", ["6,000.01", "6,000.00", "E-0910"]),
        (_bad_invoice_line("B-0801"), "remittance.invoice_twice", ["B-0801", "row 2"]),
        (_bad_invoice_line("E-0910", "0"), "remittance.line_not_positive", ["0.00"]),
        (
            lambda a: {"deductions": [*a["deductions"], DeductionLine("dm", D("8000.01"), row=9)]},
            "remittance.deduction_too_big",
            ["8,000.01", "largest 8,000.00"],
        ),
        (
            lambda a: {"deductions": [DeductionLine("bribe", D("10.00"), row=9)]},
            "deduction.kind",
            ["bribe"],
        ),
        (
            lambda a: {"deductions": [DeductionLine("dm", D("10.00"), date(2026, 9, 1), date(2026, 8, 1), row=9)]},
            "deduction.period_order",
            ["2026-08", "2026-09"],
        ),
        (
            lambda a: {"deductions": [DeductionLine("dm", D("-5.00"), row=9)]},
            "deduction.amount_not_positive",
            ["-5.00"],
        ),
        (
            lambda a: {"deductions": [DeductionLine("dm", D("5.00"), invoice="E-0910", row=9)]},
            "remittance.deduction_invoice",
            ["E-0910"],
        ),
    ],
)
def test_every_refusal_names_its_row_and_leaves_nothing_behind(remit_world, change, code, words):
    advice = _advice()
    before = _state()

    with pytest.raises(RemittanceRefused) as refused:
        remittance_record(account=remit_world["account"], by=remit_world["finance"], **{**advice, **change(advice)})

    assert refused.value.code == code
    problem = refused.value.problems[0]
    text = problem.message
    for word in words:
        assert word in text
    if code != "remittance.does_not_add_up":
        assert problem.row == 9
    assert _state() == before


def test_a_closed_month_is_refused(remit_world):
    ClosedMonth.objects.create(month=date(2026, 10, 1))
    before = _state()

    with pytest.raises(RemittanceRefused) as refused:
        _record(remit_world)

    assert refused.value.code == "month.closed"
    assert "2026-10" in refused.value.detail
    assert _state() == before


def test_every_bad_row_is_named_at_once(remit_world):
    advice = _advice()
    invoices = [*advice["invoices"], InvoiceLine("NOPE-1", D("1.00"), 10), InvoiceLine("X-0901", D("1.00"), 11)]

    with pytest.raises(RemittanceRefused) as refused:
        _record(remit_world, invoices=invoices, deductions=[DeductionLine("zzz", D("1"), row=12)])

    assert [(p.row, p.column) for p in refused.value.problems] == [(10, "invoice"), (11, "invoice"), (12, "kind")]
    assert "3 problems" in refused.value.detail
    assert len(refused.value.extra["errors"]) == 3


def test_the_same_advice_twice_changes_nothing(remit_world):
    first = _record(remit_world).remittance
    after_first = _state()

    again = _record(remit_world)

    assert not again.created
    assert again.remittance.pk == first.pk
    assert _state() == after_first


def test_the_same_reference_with_other_content_is_refused_naming_the_date(remit_world):
    first = _record(remit_world).remittance
    after_first = _state()

    with pytest.raises(Exception) as refused:
        _record(remit_world, cash=D("29999.00"))

    assert refused.value.code == "remittance.reference_used"
    assert f"{first.created_at:%Y-%m-%d}" in refused.value.detail
    assert _state() == after_first


def _many(account, count):
    invoices = [
        Invoice(
            number=f"M{count}-{i:05d}",
            account=account,
            date=date(2026, 9, 1),
            due_on=date(2026, 10, 31),
            amount=D("1000.00"),
            open_amount=D("1000.00"),
        )
        for i in range(count)
    ]
    Invoice.objects.bulk_create(invoices)
    lines = [InvoiceLine(invoice.number, D("900.00"), i + 2) for i, invoice in enumerate(invoices)]
    deductions = [DeductionLine("dm", D("50.00"), row=count + i + 2) for i in range(count // 3)]
    cash = D("900.00") * count - D("50.00") * (count // 3) + D("100.00")
    return lines, deductions, cash


@pytest.mark.parametrize("count", [6, 60])
def test_the_number_of_queries_does_not_grow_with_the_lines(remit_world, count):
    lines, deductions, cash = _many(remit_world["account"], count)

    with CaptureQueriesContext(connection) as queries:
        remittance_record(
            account=remit_world["account"],
            date=date(2026, 10, 8),
            reference=f"BIG-{count}",
            cash=cash,
            invoices=lines,
            deductions=deductions,
            by=remit_world["finance"],
        )

    # 27: a fixed number; matching reads the twins of its deductions in one grouped query (helper bench) and the
    # closed months once (a deduction dated in one is left as it was)
    assert len(queries) <= 27, [q["sql"][:120] for q in queries.captured_queries]
    assert Remittance.objects.get(reference=f"BIG-{count}").invoice_lines.count() == count


@pytest.mark.postgres
def test_a_thousand_invoices_and_three_hundred_deductions_land_well_under_five_seconds(remit_world):
    import time

    lines, deductions, cash = _many(remit_world["account"], 1000)
    deductions = deductions[:300]
    cash = D("900.00") * 1000 - D("50.00") * 300

    started = time.perf_counter()
    outcome = remittance_record(
        account=remit_world["account"],
        date=date(2026, 10, 8),
        reference="BIG-1000",
        cash=cash,
        invoices=lines,
        deductions=deductions,
        by=remit_world["finance"],
    )
    elapsed = time.perf_counter() - started

    assert outcome.remittance.invoice_lines.count() == 1000
    assert outcome.remittance.deductions.count() == 300
    assert elapsed < 2.5, f"{elapsed:.2f} s"
