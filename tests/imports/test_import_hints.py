"""The import page's column list, as finance reads it: a choice column's format names the choices as the sheet,
the export and a refusal write them (their labels, in the reader's language), not the codes behind them
("rebate, rebate_conditional…"); and on a phone each column's format reads under its name, the Format column (cut
off at 375 px) left to wider screens."""

import re

import pytest

from accounts.roles import Role
from contracts.models import ContractTerm
from tests.factories import make_user

from .xlsx import read_xlsx

pytestmark = pytest.mark.django_db
PAGE = "/imports/?kind=contract-terms"


@pytest.fixture
def finance_client(client):
    client.force_login(make_user(Role.FINANCE, username="u_finance"))
    return client


def _columns_table(page: str) -> str:
    found = re.search(r'<table[^>]*data-testid="import-columns".*?</table>', page, re.S)
    assert found
    return found.group(0)


def test_a_choice_columns_format_names_its_labels_in_english(finance_client):
    table = _columns_table(finance_client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    labels = ", ".join(str(label) for label in ContractTerm.Kind.labels)
    assert f"One of: {labels}" in table
    assert "Conditional rebate (on reaching the annual target)" in table
    assert "One of: Deducted from payment, Paid, Credit note" in table
    for code in ("rebate_conditional", "per_store_sku", "credit_note", "deducted"):
        assert code not in table


def test_a_choice_columns_format_names_its_labels_in_chinese(finance_client):
    table = _columns_table(finance_client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "以下之一：" in table and "条件返利" in table
    assert "rebate_conditional" not in table and "One of" not in table


def test_on_a_phone_each_format_reads_under_its_column(finance_client):
    table = _columns_table(finance_client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert '<th class="d-none d-sm-table-cell">Format</th>' in table
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td([^>]*)>(.*?)</td>", table, re.S)
    assert rows
    for first, second_attrs, hint in rows:
        assert "d-none d-sm-table-cell" in second_attrs
        if hint.strip():
            assert f'data-testid="column-hint-phone">{hint.strip()}</div>' in first


def test_the_templates_instructions_name_the_labels_too(finance_client):
    response = finance_client.get("/imports/contract-terms/template.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    instructions = read_xlsx(b"".join(response.streaming_content) if response.streaming else response.content)
    instructions = instructions["Instructions"]
    formats = " ".join(str(row[3]) for row in instructions[1:])
    assert "Conditional rebate (on reaching the annual target)" in formats and "rebate_conditional" not in formats
