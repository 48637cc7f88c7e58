"""The month-close page shows exactly what the close freezes: the close brings the ledger up to date and matches the
deductions before it snapshots, so the preview computes its figures the same way (in a transaction rolled back: the
page itself writes nothing)."""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from contracts.models import Deduction
from tests.factories import KeyAccountFactory
from tradespend.models import AccrualLine, AccrualRun, ClosedFigure, DeductionMatch

from .g2n_helpers import deduction, invoice
from .test_accruals import contract, term

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
STEPS = ("gross", "rebates", "fixed_fees", "promotion", "unsupported", "net")


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def _shown_row(page: str, code: str) -> dict[str, str]:
    """The amounts of a chain's row of the preview table, by step, as the clerk reads them."""
    row = page.split(f'<tr data-account="{code}">')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num[^"]*"[^>]*>(.*?)</td>', row, re.S)
    return dict(zip(STEPS, (_text(cell) for cell in cells), strict=True))


def _key(page: str) -> str:
    return re.search(r'name="request_key" value="([^"]+)"', page).group(1)


def test_the_preview_shows_the_figures_the_close_freezes(client, finance, time_machine):
    # Given at 2027-01-02 Carrefour with a 2.5 % rebate on invoiced sell-in, settled by deduction, and since the
    # ledger last ran an invoice of 150,000.00 (28 December) and a rebate deduction of 1,000.00 (30 December)
    time_machine.move_to(datetime(2027, 1, 2, 9, 0, tzinfo=SHANGHAI))
    crf = KeyAccountFactory(code="CRF", name="家乐福")
    term(contract(crf, number="HT-CRF-2026"), "rebate", "percent", rate="2.50")
    raised = invoice(crf, date(2026, 12, 28), "150000.00")
    deduction(raised, date(2026, 12, 30), "1000.00", kind="rebate")
    assert not AccrualLine.objects.exists()

    # When finance opens the close of December
    client.force_login(finance)
    page = client.get(reverse("tradespend:month-close"), {"month": "2026-12"}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()

    # Then the page shows the rebate accrued and the deduction matched to it, as the close will compute them
    shown = _shown_row(html, "CRF")
    assert shown == {
        "gross": "150,000.00",
        "rebates": "3,750.00",
        "fixed_fees": "0.00",
        "promotion": "0.00",
        "unsupported": "0.00",
        "net": "146,250.00",
    }
    # And opening the page wrote nothing: no ledger line, no run, the deduction still unmatched
    assert not AccrualLine.objects.exists() and not AccrualRun.objects.exists()
    assert not DeductionMatch.objects.exists()
    assert Deduction.objects.get().state == Deduction.State.UNSUPPORTED

    # When the clerk closes the month from that page
    client.post(reverse("tradespend:month-close"), {"month": "2026-12", "request_key": _key(html)})

    # Then what was frozen is, step by step, what the preview showed
    frozen = ClosedFigure.objects.get(account=crf)
    assert {step: f"{getattr(frozen, step):,.2f}" for step in STEPS} == shown
    assert frozen.rebates > 0 and frozen.unsupported == Decimal("0.00")
