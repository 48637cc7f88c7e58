"""A remittance advice with merged cells reads as the sheet shows it (QA): a chain's advice merges an invoice number
down the rows of the deductions taken from it, or a kind down its rows; the import read only the range's first cell,
so the other rows lost the invoice (their deductions went first-fit onto another invoice) or were refused without a
kind. A merged range's value counts in every cell it covers, read by the generic imports' own reader
(imports.runner), and a cell merged with the headers is named, as there."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from accounts.roles import Role
from contracts.models import Deduction, Invoice
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, make_user
from tradespend.models import Remittance
from tradespend.remittances import RemittanceRefused, advice_read, remittance_import

pytestmark = [pytest.mark.django_db, pytest.mark.english]
D = Decimal
HEADERS = ["发票号", "结算金额", "扣款类型", "费用期间", "扣款金额", "费用单号", "扣款原因"]


@pytest.fixture
def finance():
    account = KeyAccountFactory(code="WMT", owner=make_user(Role.MANAGER))
    InvoiceFactory(number="B-1", account=account, date=date(2026, 8, 1), amount=D("8000.00"))
    InvoiceFactory(number="C-1", account=account, date=date(2026, 8, 5), amount=D("3000.00"))
    return make_user(Role.FINANCE)


def _advice(rows, merged) -> SimpleUploadedFile:
    """A real .xlsx (openpyxl) with the headers, the rows and the merged ranges given ("A3:A4")."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    for cells in merged:
        sheet.merge_cells(cells)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("advice.xlsx", buffer.getvalue(), content_type="application/octet-stream")


ROWS = [
    ["B-1", 8000, None, None, None, None, None],
    ["C-1", 2000, "DM费", "2026-08", 300, "DM-0801", "八月DM"],  # C-1 merged down over the next row (A3:A4)
    [None, None, "listing", "2026-08", 200, "LST-0801", None],  # a second deduction taken from C-1
    [None, None, "tg", "2026-08", 500, "TG-0801", None],  # its kind merged down (C5:C6)
    [None, None, None, "2026-09", 500, "TG-0901", None],
]


def test_a_merged_invoice_number_and_kind_count_in_every_row_they_cover(client, finance):
    client.force_login(finance)
    upload = _advice(ROWS, merged=["A3:A4", "C5:C6"])
    # when finance uploads it: lines 8,000 + 2,000, deductions 300 + 200 + 500 + 500 = 1,500, cash 8,500
    response = client.post(
        reverse("tradespend:remittance-new"),
        {"account": "WMT", "date": "2026-10-08", "reference": "PAY-MRG", "cash": "8500.00", "mode": "upload",
         "file": upload, "invoices-TOTAL_FORMS": "1", "invoices-INITIAL_FORMS": "0", "deductions-TOTAL_FORMS": "1",
         "deductions-INITIAL_FORMS": "0"},
        follow=True,
    )  # fmt: skip
    # then it is recorded, both deductions of rows 3 and 4 taken from C-1 (the merged cell), two TG fees of row 5's
    # merged kind
    remittance = Remittance.objects.get()
    assert response.redirect_chain[-1][0] == reverse("tradespend:remittance-detail", args=[remittance.pk])
    taken = {d.reference: (d.invoice.number, d.kind) for d in Deduction.objects.select_related("invoice")}
    assert taken["DM-0801"] == ("C-1", "dm") and taken["LST-0801"] == ("C-1", "listing")
    assert taken["TG-0801"][1] == "tg" and taken["TG-0901"][1] == "tg"
    assert Invoice.objects.get(number="C-1").open_amount == D("1000.00")  # 3,000 − 2,000 settled by the advice


def test_the_reader_fills_merged_ranges_as_the_generic_imports_do():
    upload = _advice(ROWS, merged=["A3:A4", "C5:C6"])
    invoices, deductions, _sha, _columns, problems = advice_read(upload)
    assert problems == []
    assert [(line.invoice, line.amount, line.row) for line in invoices] == [
        ("B-1", D("8000.00"), 2),
        ("C-1", D("2000.00"), 3),
    ]
    assert [(d.row, d.invoice, d.kind, d.reference) for d in deductions] == [
        (3, "C-1", "dm", "DM-0801"),
        (4, "C-1", "listing", "LST-0801"),
        (5, "", "tg", "TG-0801"),
        (6, "", "tg", "TG-0901"),
    ]


def test_a_row_a_merged_range_alone_reaches_is_a_blank_row():
    # the invoice number merged down over a row with nothing else: not an empty line to refuse
    upload = _advice([["B-1", 8000, None, None, None, None, None], [None] * 7], merged=["A2:A3"])
    invoices, deductions, _sha, _columns, problems = advice_read(upload)
    assert (len(invoices), deductions, problems) == (1, [], [])


def test_a_cell_merged_with_the_headers_is_named(client, finance):
    # the reason's header merged down into the first data row: that row's reason is a header, not a value of its own
    upload = _advice(ROWS, merged=["G1:G2"])
    with translation.override("en"), pytest.raises(RemittanceRefused) as refusal:
        remittance_import(
            account=Invoice.objects.get(number="B-1").account, date=date(2026, 10, 8), reference="PAY-HDR",
            cash=D("8500.00"), file=upload, by=finance,
        )  # fmt: skip
    named = [(p.row, p.column, p.code) for p in refusal.value.problems]
    assert (2, "扣款原因", "import.merged_with_header") in named
    problem = next(p for p in refusal.value.problems if p.code == "import.merged_with_header")
    assert "merged with the headers above it (G1:G2)" in problem.message
    assert Remittance.objects.count() == 0
