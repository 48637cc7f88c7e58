"""A chain's gross-to-net Excel is its page (QA): it held one row of the chain and a 合计 row the same, while the page
shows the steps, the spend by kind, month by month and the contract execution. Now a sheet per table, each cell the
figure the page shows."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import KeyAccount, SalesTarget
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory
from tests.imports.xlsx import read_xlsx
from tradespend.closing import month_close

from .g2n_helpers import deducted_term, deduction, invoice, line

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
PERIOD = {"month_from": "2026-01", "month_to": "2026-03"}


@pytest.fixture
def wmt(manager, finance):
    """WMT over 2026-01 to 2026-03, January closed: a contract with a 3 % rebate, a quarterly DM fee and a per-listing
    fee; invoices, spend lines of three kinds and a deduction half unsupported."""
    account = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager, tier=KeyAccount.Tier.GKA)
    contract = ContractFactory(account=account, number="HT-WMT-2026", valid_from=JAN, valid_to=date(2026, 12, 31))
    rebate = deducted_term(contract, "rebate", "percent", "month", rate="3.00")
    dm = deducted_term(contract, "dm", "fixed", "quarter", amount="600.00")
    deducted_term(contract, "listing", "per_store_sku", "once", amount="50.00")
    for month in range(1, 13):
        SalesTarget.objects.create(account=account, year=2026, month=month, amount=Decimal("10000.00"))
    first = invoice(account, date(2026, 1, 5), "10000.00")
    invoice(account, date(2026, 2, 10), "8000.00")
    line(account, JAN, "rebate", "300.00", term=rebate)
    line(account, FEB, "rebate", "240.00", term=rebate)
    line(account, JAN, "dm", "600.00", term=dm)
    line(account, FEB, "promotion", "150.00")
    deduction(first, date(2026, 1, 28), "800.00", matched="500.00")
    month_close(month=JAN, by=finance, today=date(2026, 2, 3))
    return account


def _n(value):
    """A cell's number as the Decimal the page shows (None for an empty cell)."""
    return None if value is None else Decimal(str(value))


def _read(client, language: str):
    url = reverse("tradespend:gross-to-net-account", args=["WMT"])
    page = client.get(url, PERIOD, HTTP_ACCEPT_LANGUAGE=language)
    export = client.get(url, {**PERIOD, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200 and export.status_code == 200
    return page.context, read_xlsx(b"".join(export.streaming_content))


def _body(rows: list[tuple], header: str) -> list[tuple]:
    """A sheet's rows under its header row (what the figures cover is said above it)."""
    at = next(index for index, row in enumerate(rows) if row and row[0] == header)
    return rows[at + 1 :]


def test_a_sheet_per_table_of_the_page_in_chinese(client, finance, wmt):
    client.force_login(finance)
    _page, sheets = _read(client, "zh-hans")
    assert list(sheets) == ["步骤", "按类型的费用", "逐月", "合同执行"]
    assert sheets["步骤"][0][0] == "WMT 沃尔玛" and "2026-01" in sheets["步骤"][1][0]
    # no chain row with a 合计 row the same under it: the steps of the one chain
    assert [row[0] for row in _body(sheets["步骤"], "步骤")][:2] == ["开票总额", "返利合计"]


def test_every_figure_is_the_pages(client, finance, wmt):
    client.force_login(finance)
    context, sheets = _read(client, "en")
    with translation.override("en"):
        steps = _body(sheets["Step"], "Step")
        assert [(row[0], _n(row[1]), _n(row[2])) for row in steps[:-1]] == [
            (str(step["label"]), step["amount"], step["share"]) for step in context["waterfall"]
        ]
        assert (steps[-1][0], _n(steps[-1][2])) == ("Trade-spend ratio", context["figures"].ratio)

        figures = context["figures"]
        kinds = [(row[0], _n(row[1]), _n(row[2])) for row in _body(sheets["Spend by kind"], "Kind")]
        assert kinds == [
            *((str(label), amount, share) for _kind, label, amount, share in figures.kinds()),
            ("Unsupported deductions", figures.unsupported, context["unsupported_ratio"]),
            ("Total", figures.spend, figures.ratio),
        ]

        months = [
            (row[0], row[1], _n(row[2]), _n(row[3]), _n(row[4]), _n(row[5]))
            for row in _body(sheets["Month by month"], "Month")
        ]
        assert months == [
            (f"{month:%Y-%m}", "Closed" if closed else "Not closed", row.gross, row.spend, row.net, row.ratio)
            for month, row, closed in context["months"]
        ]
        assert [month[1] for month in months] == ["Closed", "Not closed", "Not closed"]

        terms = _body(sheets["Contract execution"], "Contract")
        (item,) = context["execution"]
        assert [(row[0], _n(row[4]), _n(row[6]), _n(row[7])) for row in terms] == [
            (item.contract.number, item.sell_in, item.target, item.achievement)
        ] * len(item.terms)
        assert [(row[8], row[13] if isinstance(row[13], str) else _n(row[13]), _n(row[14]), _n(row[15]))
                for row in terms] == [
            (term.term.get_kind_display(), "per listing" if term.agreed is None else term.agreed, term.spent,
             term.share)
            for term in item.terms
        ]  # fmt: skip
    # and the figures are this chain's over the three months, spend and all (the steps' sheet ends with its net)
    assert figures.gross == Decimal("18000.00") and figures.spend > 0
    assert _n(steps[-2][1]) == figures.net == figures.gross - figures.spend
