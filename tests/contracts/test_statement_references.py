"""A chain's several TG fees taken from one remittance on one day each read by the chain's own reference (费用单号,
e.g. TG202610, TG202611) on the statement — the page, its Excel and the API alike — so a clerk can match each line
to the chain's paperwork; a deduction without one still reads by its invoice and reason."""

import io
from datetime import date
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from contracts import services
from contracts.selectors import statement
from tradespend.remittances import DeductionLine, InvoiceLine, remittance_record

pytestmark = pytest.mark.django_db
NOV = {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)}
EXPECTED = [
    ("invoice", "INV-1101"),
    ("payment", "HK1126"),
    ("deduction", "INV-1101 9月陈列"),  # recorded by hand, no chain reference
    ("deduction", "TG202610 INV-1101 总部回款 HK1126 扣款"),  # the remittance's own reason, in the reader's language
    ("deduction", "TG202611 INV-1101 总部回款 HK1126 扣款"),
]


def remit_two_tg_fees(account, by):
    """INV-1101 of 10,000.00; remittance HK1126 on 26 November: 7,500.00 cash, TG fees of October (1,200.00,
    TG202610) and November (800.00, TG202611) taken from it. Also for tests/e2e/test_statement_references.py."""
    invoice = services.invoice_create(account=account, number="INV-1101", date=date(2026, 11, 1), amount=D("10000"))
    remittance_record(
        account=account, date=date(2026, 11, 26), reference="HK1126", cash=D("7500.00"),
        invoices=[InvoiceLine("INV-1101", D("9500.00"))],
        deductions=[
            DeductionLine("tg", D("800.00"), date(2026, 11, 1), date(2026, 11, 1), reference="TG202611"),
            DeductionLine("tg", D("1200.00"), date(2026, 10, 1), date(2026, 10, 1), reference="TG202610"),
        ],
        by=by,
    )  # fmt: skip
    return invoice


@pytest.fixture
def tg_fees(account, finance):
    """The two TG fees remitted, and a DM fee of 500.00 recorded by hand that day."""
    invoice = remit_two_tg_fees(account, finance)
    services.deduction_record(invoice=invoice, date=date(2026, 11, 26), kind="dm", amount=D("500.00"), reason="9月陈列")
    return invoice


def test_each_tg_fee_reads_by_the_chains_own_reference(account, tg_fees):
    lines = statement(account, **NOV).lines

    assert [(line.kind, line.reference) for line in lines] == EXPECTED
    assert [line.credit for line in lines if line.kind == "deduction"] == [D("500.00"), D("1200.00"), D("800.00")]


def test_the_page_shows_each_lines_reference(client, finance, account, tg_fees):
    client.force_login(finance)

    html = client.get(reverse("contracts:statement"), {"account": account.code, **NOV}).content.decode()

    for _kind, reference in EXPECTED[3:]:
        assert html.count(reference) == 2  # in the phone's line and the desktop's column


def test_the_excel_has_each_lines_reference(client, finance, account, tg_fees):
    client.force_login(finance)

    response = client.get(reverse("contracts:statement"), {"account": account.code, **NOV, "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active

    references = [row[2] for row in sheet.iter_rows(values_only=True) if row[1] and str(row[1]).startswith("扣款：")]
    assert references == [reference for kind, reference in EXPECTED if kind == "deduction"]


def test_the_api_has_each_lines_reference(api_client, finance, account, tg_fees):
    api_client.force_authenticate(finance)

    query = {"account": account.code, "from": NOV["date_from"], "to": NOV["date_to"]}
    body = api_client.get("/api/v1/reports/statement/", query).json()

    assert [(line["kind"], line["reference"]) for line in body["lines"]] == EXPECTED
