"""Gross to net as a clerk reads it at month end: a trade-spend ratio over no gross (credit notes at or above the
invoices) is "—" on every page and blank in the export, never a negative percentage; and the chains are listed by
code, as on every other page, in the rows, the key-account filter and the month-close preview."""

import re
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import KeyAccountFactory
from tradespend import reports

from .g2n_helpers import credit_note, invoice, line

pytestmark = [pytest.mark.django_db, pytest.mark.english]
NOV = date(2026, 11, 1)
PERIOD = {"month_from": "2026-11", "month_to": "2026-11"}


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime(2026, 12, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


@pytest.mark.parametrize(("gross", "spend"), [(Decimal("-1000.00"), Decimal("2600.00")), (Decimal("0"), Decimal("1"))])
def test_the_ratio_is_none_without_a_gross_above_zero(gross, spend):
    assert reports.ratio(spend, gross) is None
    assert reports.ratio(Decimal("260.00"), Decimal("1000.00")) == Decimal("0.2600")


def test_a_credit_note_without_invoices_shows_no_ratio(client, finance, today):
    # Given November of CRF: a credit note of 1,000.00 and no invoice, and a DM fee of 2,600.00
    crf = KeyAccountFactory(code="CRF", name="家乐福")
    credit_note(crf, date(2026, 11, 5), "1000.00")
    line(crf, NOV, "dm", "2600.00")
    client.force_login(finance)

    # When finance reads the chain, the months and the report, and exports it
    chain = client.get(reverse("tradespend:gross-to-net-account", args=["CRF"]), PERIOD).content.decode()
    months = client.get(reverse("tradespend:months")).content.decode()
    report = client.get(reverse("tradespend:gross-to-net"), PERIOD).content.decode()
    export = client.get(reverse("tradespend:gross-to-net"), {**PERIOD, "export": "xlsx"})

    # Then every ratio reads "—", never −260.0 %
    assert re.search(r'data-testid="ratio">—<', chain)
    assert "-260" not in chain and "−260" not in chain and "%" not in _text(chain.split('data-testid="ratio"')[1])[:4]
    november = months.split('data-month="2026-11"')[1].split("</tr>")[0]
    assert "%" not in _text(november) and "—" in _text(november)
    row = report.split('data-account="CRF"')[1].split("</tr>")[0]
    assert _text(row.split('data-step="ratio">')[1].split("</td>")[0]) == "—"
    # And the export leaves the ratio blank, for the chain and the total
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    assert (rows[1][0], *rows[1][2:9]) == ("CRF", -1000, 0, 2600, 0, 0, -3600, None)
    assert rows[-1][8] is None


CHAINS = [("LH", "联华"), ("TESCO", "乐购"), ("NGS", "农工商"), ("CRF", "家乐福"), ("WMT", "沃尔玛")]
BY_CODE = ["CRF", "LH", "NGS", "TESCO", "WMT"]


def test_chains_are_listed_by_code(client, finance, today):
    # Given five chains, their Chinese names in another order than their codes, each with an invoice in November
    for code, name in CHAINS:
        invoice(KeyAccountFactory(code=code, name=name), date(2026, 11, 10), "1000.00")
    client.force_login(finance)

    # When finance reads gross to net and the close of November
    report = client.get(reverse("tradespend:gross-to-net"), PERIOD).content.decode()
    close = client.get(reverse("tradespend:month-close"), {"month": "2026-11"}).content.decode()

    # Then the rows, the key-account filter and the preview read by code
    assert re.findall(r'<tr data-account="([A-Z]+)"', report) == BY_CODE
    options = report.split('name="account"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([A-Z]+)"', options) == BY_CODE
    assert re.findall(r'<tr data-account="([A-Z]+)"', close) == BY_CODE
