"""A finance clerk's contract-term file at month end, on the import's page in both languages: a line twice, a fee
left without its amount, and a line wholly in closed months. Each problem is named where the clerk fixes it: the
duplicate on the row as a whole (naming the key's columns and the other row), the blank amount as required in its
column, the closed line on its end date."""

import re
from datetime import date

import pytest
from django.utils import translation

from contracts.models import ContractTerm
from imports.registry import KINDS
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory
from tradespend.models import ClosedMonth

from .xlsx import page_import, xlsx_upload

pytestmark = pytest.mark.django_db

GOOD = ["HT-WMT", "dm", "fixed", "quarter", None, "6000.00", None, "2026-04-01", None, "deducted", ""]
ROWS = [
    GOOD,
    ["HT-WMT", "listing", "fixed", "once", None, None, None, "2026-04-01", None, "deducted", ""],  # no amount
    ["HT-WMT", "barcode", "fixed", "once", None, 100, None, "2026-01-01", "2026-03-31", "deducted", ""],  # closed
    GOOD,
]

EXPECTED = {
    "en": [
        ("3", "Amount", "Required: a fixed or per-store fee needs an amount (0 or more)."),
        ("4", "Valid to", "This line of contract HT-WMT runs 2026-01-01–2026-03-31, and those months are all closed"),
        ("5", "Whole row", "Same “Contract number”, “Kind” and “Valid from” as row 2 of this file: only one of the "
                           "two rows can stay."),
    ],
    "zh-hans": [
        ("3", "金额", "必填：固定或按店收费需要填写金额（不小于 0）。"),
        ("4", "结束日期", "合同 HT-WMT 的这条费用条款期间为 2026-01-01–2026-03-31"),
        ("5", "整行", "与本文件第 2 行的“合同编号”、“费用类型”和“开始日期”相同：两行只能保留一行。"),
    ],
}  # fmt: skip


@pytest.fixture
def contract(db, finance):
    account = KeyAccountFactory(code="WMT", name="沃尔玛")
    for month in (1, 2, 3):
        ClosedMonth.objects.create(month=date(2026, month, 1), closed_by=finance)
    return ContractFactory(account=account, number="HT-WMT", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))


def _table(page: str) -> list[tuple[str, str, str]]:
    body = page.split('data-testid="import-errors"')[1].split("</tbody>")[0]
    cells = r"<tr[^>]*><td class=\"num\">(\d+)</td><td class=\"text-nowrap\">(.*?)</td><td>(.*?)</td></tr>"
    rows = re.findall(cells, body)
    return [(number, re.sub(r"<[^>]+>", "", column), message) for number, column, message in rows]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_problem_is_named_where_the_clerk_fixes_it(client, finance, contract, commit, language):
    with translation.override(language):
        headers = [column.header() for column in KINDS["contract-terms"].columns]  # as the template writes them
    client.force_login(finance)

    response = page_import(
        client, "contract-terms", xlsx_upload(headers, ROWS), commit=commit, HTTP_ACCEPT_LANGUAGE=language
    )

    table = _table(response.content.decode())
    assert [(row, column) for row, column, _message in table] == [(r, c) for r, c, _m in EXPECTED[language]]
    for (_row, _column, message), (_r, _c, expected) in zip(table, EXPECTED[language], strict=True):
        assert message.startswith(expected), message
    assert "— " not in response.content.decode()
    assert not ContractTerm.objects.exists()
