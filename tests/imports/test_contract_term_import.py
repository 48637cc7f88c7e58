"""Contract term import ("contract-terms"): one line per contract + kind + start, Chinese or English headers,
choices by code or label, tiers as typed; every bad row named (row, column, why); the same file twice changes
nothing; the export reads back in."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from contracts.models import Contract, ContractTerm
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory

from .xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db
D = Decimal

EN = ["contract number", "kind", "basis", "period", "rate %", "amount", "tiers", "valid from", "valid to",
      "settlement", "note"]  # fmt: skip
ZH = ["合同编号", "费用类型", "计费方式", "周期", "费率(%)", "金额", "阶梯", "开始日期", "结束日期", "结算方式", "备注"]

ROWS = [
    ["HT-WMT", "rebate", "percent", "year", 2.5, None, None, None, None, "credit_note", "年返"],
    ["HT-WMT", "rebate_conditional", "percent", "year", 1.5, None, "90:1.5;100:2.5", None, None, "credit_note", ""],
    ["HT-WMT", "listing", "per_store_sku", "once", None, 800, None, "2026-01-01", "2026-12-31", "deducted", ""],
    ["HT-WMT", "dm", "fixed", "quarter", None, "6000.00", None, None, None, "deducted", "DM 每季"],
]


@pytest.fixture
def contract(db):
    account = KeyAccountFactory(code="WMT", name="沃尔玛")
    return ContractFactory(account=account, number="HT-WMT", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))


def _run(user, headers, rows):
    return run_import(kind=KINDS["contract-terms"], source=xlsx_upload(headers, rows), user=user)


@pytest.mark.parametrize("headers", [EN, ZH], ids=["english", "chinese"])
def test_a_good_file_adds_the_lines_and_the_contract_summary_follows(finance, contract, headers):
    result = _run(finance, headers, ROWS)

    assert (result.created, result.updated) == (4, 0)
    conditional = ContractTerm.objects.get(kind="rebate_conditional")
    assert conditional.tiers == [{"achievement": "90.00", "rate": "1.50"}, {"achievement": "100.00", "rate": "2.50"}]
    assert conditional.valid_from == date(2026, 1, 1) and conditional.valid_to == date(2026, 12, 31)
    contract.refresh_from_db()
    assert (contract.rebate_percent, contract.listing_fee) == (D("4.00"), D("800.00"))


def test_the_same_file_twice_changes_nothing(finance, contract):
    _run(finance, EN, ROWS)
    before = list(ContractTerm.objects.order_by("pk").values())

    again = _run(finance, EN, ROWS)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert list(ContractTerm.objects.order_by("pk").values()) == before


def test_a_changed_rate_updates_the_line_it_names(finance, contract):
    _run(finance, EN, ROWS)

    _run(finance, EN, [["HT-WMT", "Rebate on invoiced sell-in", "Percentage of invoiced sell-in", "Year", 3, None, None,
                        None, None, "Credit note", "年返"]])  # fmt: skip

    assert ContractTerm.objects.get(kind="rebate").rate == D("3.00")
    assert ContractTerm.objects.count() == 4


def test_bad_rows_are_named_by_row_column_and_why_and_nothing_is_written(finance, contract):
    rows = [
        ["HT-WMT", "rebate", "percent", "year", 120, None, None, None, None, "credit_note", ""],
        ["HT-WMT", "rebate_conditional", "percent", "year", 1, None, "100:2;90:1", None, None, "credit_note", ""],
        ["HT-WMT", "dm", "percent", "month", 1, None, None, None, None, "deducted", ""],
        ["HT-WMT", "listing", "fixed", "once", None, None, None, None, None, "deducted", ""],
        ["HT-WMT", "barcode", "fixed", "once", None, 100, None, "2026-06-01", "2027-01-31", "deducted", ""],
        ["HT-NONE", "rebate", "percent", "year", 1, None, None, None, None, "credit_note", ""],
        ["HT-WMT", "gift", "percent", "year", 1, None, None, None, None, "credit_note", ""],
    ]

    with pytest.raises(ImportRejected) as rejected:
        _run(finance, EN, rows)

    assert errors_of(rejected) == [
        (2, "rate %", "A % of sell-in needs a rate between 0 and 100 %; 120.00 is not."),
        (3, "tiers", "Tiers must ascend: 90.00 % at 1.00 % follows 100.00 % at 2.00 %."),
        (
            4,
            "basis",
            "A DM slot fee cannot be charged on the basis “Percentage of invoiced sell-in”; allowed: Fixed per period.",
        ),
        (5, "amount", "Required: a fixed or per-store fee needs an amount (0 or more)."),
        (
            6,
            "valid to",
            "The term runs 2026-06-01 – 2027-01-31, outside contract HT-WMT (2026-01-01 – 2026-12-31).",
        ),
        (7, "contract number", "No contract with the number “HT-NONE” that you can reach."),
        (8, "kind", errors_of(rejected)[-1][2]),
    ]
    assert "gift" in errors_of(rejected)[-1][2]
    assert not ContractTerm.objects.exists()


def test_a_text_amount_is_reported_once_without_a_follow_on(finance, contract):
    rows = [["HT-WMT", "listing", "fixed", "once", None, "abc", None, None, None, "deducted", ""]]

    with pytest.raises(ImportRejected) as rejected:
        _run(finance, EN, rows)

    [(row, column, message)] = errors_of(rejected)
    assert (row, column) == (2, "amount") and "abc" in message
    assert "needs an amount" not in message
    assert rejected.value.total == 1


@pytest.mark.parametrize(
    "second_start", ["2026-01-01", None], ids=["written-the-same", "empty-meaning-the-contracts-start"]
)
def test_a_line_twice_in_the_file_is_reported_once_naming_both_rows(finance, contract, second_start):
    first = ["HT-WMT", "dm", "fixed", "quarter", None, "6000.00", None, "2026-01-01", None, "deducted", ""]
    second = [*first[:7], second_start, *first[8:]]

    with pytest.raises(ImportRejected) as rejected:
        _run(finance, EN, [first, ROWS[0], second])

    assert errors_of(rejected) == [
        (
            4,
            "",
            "Same “contract number”, “kind” and “valid from” as row 2 of this file: only one of the two rows can stay.",
        )
    ]
    assert rejected.value.total == 1 and not ContractTerm.objects.exists()


def test_only_finance_and_admins_may_import_terms(finance, manager, rep):
    kind = KINDS["contract-terms"]
    assert kind.allowed(finance)
    assert not kind.allowed(manager)
    assert not kind.allowed(rep)


def test_the_export_reads_back_in_unchanged(client, finance, contract):
    _run(finance, EN, ROWS)
    before = list(ContractTerm.objects.order_by("pk").values())
    client.force_login(finance)

    with translation.override("zh-hans"):
        response = client.get(reverse("contracts:term-list"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    result = _run(finance, rows[0], rows[1:])

    assert rows[0][0] == "合同编号"
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert list(ContractTerm.objects.order_by("pk").values()) == before
    assert Contract.objects.get(pk=contract.pk).rebate_percent == D("4.00")


def test_an_unknown_kind_is_answered_with_the_kinds_as_the_sheet_names_them(finance, contract):
    """Finding: "DM费" was refused listing only the codes (listing, barcode, dm, …): a clerk writing Chinese names
    could not see what to write. The refusal names the kinds as the sheet and the export write them."""
    rows = [["HT-WMT", "DM费", "fixed", "quarter", None, "6000.00", None, None, None, "deducted", ""]]
    with translation.override("zh-hans"), pytest.raises(ImportRejected) as rejected:
        _run(finance, ZH, rows)
    [(row, column, message)] = errors_of(rejected)
    assert (row, column) == (2, "费用类型")
    assert message.startswith("“DM费”") and "DM 海报费" in message and "TG费" in message and ", dm," not in message
