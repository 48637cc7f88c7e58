"""The trade-term import ("contract-terms") brings the ledger up to date once per import — one computation per chain
its rows touch, however many rows (contracts.services.contract_terms_imported) — all or nothing: a file refused, or
only checked, leaves the ledger as it was."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import ContractTerm
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from tests.factories import KeyAccountFactory
from tests.imports.xlsx import xlsx_upload
from tradespend.models import AccrualLine, AccrualRun

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal
EN = ["contract number", "kind", "basis", "period", "rate %", "amount", "tiers", "valid from", "valid to",
      "settlement", "note"]  # fmt: skip


@pytest.fixture
def year():
    return timezone.localdate().year


@pytest.fixture
def contracts(account, year):
    """Two contracts of Walmart's and one of Carrefour's, all running this year."""
    carrefour = KeyAccountFactory(code="CRF", name="家乐福")
    dates = {"signed_on": date(year, 1, 5), "valid_from": date(year, 1, 1), "valid_to": date(year, 12, 31)}
    return (
        ContractFactory(account=account, number="HT-W1", **dates),
        ContractFactory(account=account, number="HT-W2", **dates),
        ContractFactory(account=carrefour, number="HT-C1", **dates),
    )


def _rows(year) -> list[list]:
    """Eight lines over three contracts of two chains: fixed monthly fees, a quarterly one and a yearly one-off."""

    def fee(number, kind, period, amount, start, end):
        return [number, kind, "fixed", period, None, amount, None, start, end, "deducted", ""]

    return [
        fee("HT-W1", "dm", "month", "1000.00", f"{year}-01-01", f"{year}-12-31"),
        fee("HT-W1", "barcode", "month", "200.00", f"{year}-01-01", f"{year}-12-31"),
        fee("HT-W1", "dm", "month", "50.00", f"{year}-12-01", f"{year}-12-31"),  # a second DM line from December
        fee("HT-W2", "end_cap", "month", "300.00", f"{year}-01-01", f"{year}-12-31"),
        fee("HT-W2", "listing", "once", "5000.00", f"{year}-01-01", f"{year}-12-31"),
        fee("HT-C1", "dm", "month", "700.00", f"{year}-01-01", f"{year}-12-31"),
        fee("HT-C1", "barcode", "month", "90.00", f"{year}-01-01", f"{year}-12-31"),
        fee("HT-C1", "promoter", "quarter", "1200.00", f"{year}-01-01", f"{year}-12-31"),
    ]


def _import(user, rows, **options):
    return run_import(kind=KINDS["contract-terms"], source=xlsx_upload(EN, rows), user=user, **options)


def _accrued(number, kind, valid_from, month) -> Decimal:
    term = ContractTerm.objects.get(contract__number=number, kind=kind, valid_from=valid_from)
    return AccrualLine.objects.get(term=term, month=month, stage=AccrualLine.Stage.ACCRUED).amount


def test_an_import_of_many_rows_computes_each_chain_s_ledger_once_and_right(finance, contracts, year):
    # given no ledger yet
    runs = AccrualRun.objects.count()
    month = timezone.localdate().replace(day=1)
    january = date(year, 1, 1)
    # when finance imports eight lines over three contracts of two chains
    result = _import(finance, _rows(year))
    # then the ledger was computed once per chain the rows touch, as of today — not once per row, nor per contract
    assert result.created == 8
    made = AccrualRun.objects.order_by("pk")[runs:]
    assert sorted(run.account.code for run in made) == ["CRF", "WMT"]
    assert {run.run_on for run in made} == {timezone.localdate()}
    # and it holds every line's spend in the open months at once
    assert _accrued("HT-W1", "dm", january, month) == D("1000.00")
    assert _accrued("HT-W1", "barcode", january, january) == D("200.00")
    assert _accrued("HT-W2", "end_cap", january, month) == D("300.00")
    assert _accrued("HT-W2", "listing", january, january) == D("5000.00")
    assert _accrued("HT-C1", "dm", january, month) == D("700.00")
    if month == date(year, 12, 1):
        assert _accrued("HT-W1", "dm", month, month) == D("50.00")
    walmart_dm = AccrualLine.objects.filter(term__contract__number="HT-W1", term__kind="dm", month=month)
    assert sum(line.amount for line in walmart_dm) == (D("1050.00") if month.month == 12 else D("1000.00"))
    # every month of the year so far holds the chains' monthly fees, each once
    for number, kind, fee in (("HT-W1", "barcode", "200.00"), ("HT-C1", "barcode", "90.00")):
        lines = AccrualLine.objects.filter(term__contract__number=number, term__kind=kind)
        assert sorted(lines.values_list("month", flat=True)) == [date(year, m, 1) for m in range(1, month.month + 1)]
        assert {line.amount for line in lines} == {D(fee)}


def test_the_same_file_again_computes_each_chain_once_and_changes_no_line(finance, contracts, year):
    _import(finance, _rows(year))
    before = list(AccrualLine.objects.order_by("pk").values_list("pk", "amount"))
    runs = AccrualRun.objects.count()

    again = _import(finance, _rows(year))

    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    assert AccrualRun.objects.count() - runs == 2
    assert list(AccrualLine.objects.order_by("pk").values_list("pk", "amount")) == before


def test_a_changed_row_moves_its_lines_in_the_same_import(finance, contracts, year):
    _import(finance, _rows(year))
    month = timezone.localdate().replace(day=1)
    rows = _rows(year)
    rows[0][5] = "1100.00"  # HT-W1's DM fee raised
    runs = AccrualRun.objects.count()

    changed = _import(finance, rows)

    assert (changed.updated, changed.unchanged) == (1, 7)
    assert _accrued("HT-W1", "dm", date(year, 1, 1), month) == D("1100.00")
    assert AccrualRun.objects.count() - runs == 2


def test_a_file_refused_or_only_checked_leaves_the_ledger_as_it_was(finance, contracts, year):
    bad = _rows(year)
    bad[-1][5] = "-5"  # the last row's fee below 0: the whole file is refused

    with pytest.raises(ImportRejected):
        _import(finance, bad)
    checked = _import(finance, _rows(year), check_only=True)

    assert checked.check_only and checked.created == 8
    assert not ContractTerm.objects.exists()
    assert not AccrualLine.objects.exists() and not AccrualRun.objects.exists()
