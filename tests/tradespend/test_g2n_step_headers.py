"""Gross to net's spend steps are totals of kinds, and say so in Chinese: the export's step columns 返利合计 and
促销费用合计 beside the kind columns 返利 and 促销费用 (before, two columns each read 返利 and 促销费用 with different
figures); a chain's page and the ledger's cards name the steps alike; a kind a chain has no spend of is written 0,
like the steps, not left empty."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import KeyAccountFactory

from .g2n_helpers import invoice, line

pytestmark = pytest.mark.django_db
JAN = date(2025, 1, 1)
PERIOD = {"month_from": "2025-01", "month_to": "2025-01"}


@pytest.fixture
def chains(manager):
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    crf = KeyAccountFactory(code="CRF", name="家乐福")
    invoice(wmt, date(2025, 1, 5), "10000.00")
    invoice(crf, date(2025, 1, 9), "1000.00")
    line(wmt, JAN, "rebate", "420.00")
    line(wmt, JAN, "dm", "500.00", category="promotion")  # a plan's DM: promotion spend, not "Promotion cost"
    line(wmt, JAN, "promotion", "300.00")
    return wmt, crf


def _workbook_rows(client, user, language):
    client.force_login(user)
    response = client.get(
        reverse("tradespend:gross-to-net"), {**PERIOD, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language
    )
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


def test_the_chinese_export_has_one_header_per_column_and_zeros_written(client, finance, chains):
    rows = _workbook_rows(client, finance, "zh-hans")
    headers = rows[0]
    assert len(set(headers)) == len(headers), headers
    assert headers[3:6] == ("返利合计", "固定费用合计", "促销费用合计")
    assert "返利" in headers[9:] and "促销费用" in headers[9:]  # the kinds keep their names
    by_code = {row[0]: dict(zip(headers, row, strict=True)) for row in rows[1:]}
    wmt, crf = by_code["WMT"], by_code["CRF"]
    assert (wmt["返利合计"], wmt["返利"]) == (420, 420)
    assert (wmt["促销费用合计"], wmt["促销费用"]) == (800, 300)
    # CRF has no spend: its kind cells are 0 like its steps, not empty
    assert [crf[h] for h in ("返利合计", "促销费用合计", "返利", "促销费用")] == [0, 0, 0, 0]
    assert all(cell is not None for cell in rows[-1][2:])  # the total row too


def test_the_english_export_keeps_its_words(client, finance, chains):
    headers = _workbook_rows(client, finance, "en")[0]
    assert headers[3:6] == ("Rebates", "Fixed fees", "Promotion spend")
    assert "Rebate" in headers[9:] and "Promotion cost" in headers[9:]


def test_pages_name_the_steps_as_totals_beside_the_kinds(client, manager, finance, chains):
    client.force_login(manager)
    url = reverse("tradespend:gross-to-net-account", args=["WMT"])
    page = client.get(url, PERIOD, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "返利合计" in page and "促销费用合计" in page  # the waterfall's steps
    assert '<tr data-kind="promotion"><td>促销费用</td>' in page  # the spend by kind
    table = client.get(reverse("tradespend:gross-to-net"), PERIOD, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<th class="num d-none d-lg-table-cell">促销费用合计</th>' in table
    client.force_login(finance)
    ledger = client.get(reverse("tradespend:ledger"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert [str(label) for label, _total in ledger.context["totals"]] == ["返利合计", "固定费用合计", "促销费用合计"]
    assert ledger.context["totals"][2][1] == Decimal("800.00")
