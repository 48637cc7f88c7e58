"""A rate typed as an Excel percentage (QA finding 1): a cell formatted as a percentage is read as the percentage it
shows in a percent column (a “5%” cell holds 0.05: the rate is 5), text “2.5%” as 2.5, money-safe; a percent cell in
a column that takes no percentages is refused, saying why, rather than read 100 times too small or too large."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.models import ContractTerm
from imports.registry import KINDS
from imports.runner import ImportRejected, is_percent_format, run_import
from stores.models import Product
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory

from .xlsx import errors_of, xlsx_styled

pytestmark = pytest.mark.django_db
D = Decimal

TERMS = ["合同编号", "费用类型", "计费方式", "周期", "费率(%)", "结算方式"]
PRODUCTS = ["product code", "product name", "packs per case", "suggested retail price", "distributor price",
            "wholesale price"]  # fmt: skip


@pytest.fixture
def contract(db):
    account = KeyAccountFactory(code="HC", name="海川")
    return ContractFactory(account=account, number="HT-HC", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))


def _rates(user, rows, formats=None):
    result = run_import(kind=KINDS["contract-terms"], source=xlsx_styled(TERMS, rows, formats=formats), user=user)
    return result, dict(ContractTerm.objects.values_list("kind", "rate"))


def test_a_cell_formatted_as_a_percentage_is_the_percentage_it_shows(finance, contract):
    # given the clerk's rates as Excel percentages: 5% (0.05, format 0%) and 2.5% (0.025, format 0.00%)
    rows = [
        ["HT-HC", "rebate", "percent", "year", 0.05, "credit_note"],
        ["HT-HC", "other", "percent", "year", 0.025, "deducted"],
    ]
    # when
    result, rates = _rates(finance, rows, formats={"E2": "0%", "E3": "0.00%"})
    # then the rates are those the cells show, as Decimals
    assert result.created == 2
    assert rates == {"rebate": D("5.00"), "other": D("2.50")}


@pytest.mark.parametrize("typed", ["2.5%", "2.5％", " 2.5 % "])
def test_a_rate_typed_with_a_percent_sign_is_that_percentage(finance, contract, typed):
    result, rates = _rates(finance, [["HT-HC", "rebate", "percent", "year", typed, "credit_note"]])

    assert rates == {"rebate": D("2.50")}


def test_a_plain_number_in_the_percent_column_stays_as_it_is(finance, contract):
    _result, rates = _rates(finance, [["HT-HC", "rebate", "percent", "year", 2.5, "credit_note"]])

    assert rates == {"rebate": D("2.50")}


def test_a_percent_cell_in_a_column_that_takes_no_percentages_is_refused(admin_user):
    # given a distributor price cell formatted as a percentage (it shows 5%)
    rows = [["P1", "啤酒", 12, 5, 0.05, 4]]
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["products"], source=xlsx_styled(PRODUCTS, rows, formats={"E2": "0%"}), user=admin_user)
    # then the clerk is told why, against the cell, and nothing is written
    assert errors_of(excinfo) == [
        (
            2,
            "distributor price",
            "This cell is formatted as a percentage (5%), but this column does not take percentages: "
            "format the cell as a number and write the value itself.",
        )
    ]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("number_format", "percent"),
    [
        ("0%", True),
        ("0.00%", True),
        ("#,##0.0%;[Red]-#,##0.0%", True),
        ("General", False),
        ("#,##0.00", False),
        ('0"%"', False),  # a % written as text: the number is not multiplied
        ("0\\%", False),
        (None, False),
    ],
)
def test_which_number_formats_show_a_percentage(number_format, percent):
    assert is_percent_format(number_format) is percent
