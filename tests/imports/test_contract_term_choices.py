"""Contract-term choices as a clerk types them (QA finding 9): a label matches without spaces, case or character
width (“DM海报费” is “DM 海报费”), and the template's instructions give examples in the reader's language, not the
codes behind them ("rebate", "percent", "year", "deducted")."""

from datetime import date

import pytest
from django.utils import translation

from accounts.roles import Role
from contracts.imports import choice_of
from contracts.models import ContractTerm
from imports.registry import KINDS
from imports.runner import run_import
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory, make_user

from .xlsx import read_xlsx, xlsx_upload

pytestmark = pytest.mark.django_db

ZH = ["合同编号", "费用类型", "计费方式", "周期", "费率(%)", "金额", "结算方式"]


@pytest.fixture
def contract(db):
    account = KeyAccountFactory(code="HC", name="海川")
    return ContractFactory(account=account, number="HT-HC", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))


@pytest.mark.parametrize("typed", ["DM海报费", "dm 海报费", "ＤＭ　海报费", " DM  海报费 ", "DM slot fee", "dm"])
def test_a_kind_matches_its_label_without_spaces_case_or_width(typed):
    with translation.override("zh-hans"):
        assert choice_of(ContractTerm.Kind)(typed) == "dm"


@pytest.mark.parametrize("typed", ["per store sku", "Per Store Per SKU", "按店按sku", "按 店 按 ＳＫＵ"])
def test_a_basis_matches_its_code_or_label_loosely(typed):
    assert choice_of(ContractTerm.Basis)(typed) == "per_store_sku"


def test_a_file_with_dm_written_without_its_space_imports(finance, contract):
    rows = [["HT-HC", "DM海报费", "每期固定金额", "季度", None, "6000.00", "从货款中扣除"]]

    result = run_import(kind=KINDS["contract-terms"], source=xlsx_upload(ZH, rows), user=finance)

    assert result.created == 1
    assert ContractTerm.objects.get().kind == "dm"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_templates_examples_are_labels_in_the_readers_language(client, language):
    client.force_login(make_user(Role.FINANCE, username="u_finance"))

    response = client.get("/imports/contract-terms/template.xlsx", HTTP_ACCEPT_LANGUAGE=language)

    sheets = read_xlsx(b"".join(response.streaming_content) if response.streaming else response.content)
    instructions = sheets["填写说明" if language == "zh-hans" else "Instructions"]
    examples = {row[0]: row[4] for row in instructions[1:]}
    with translation.override(language):
        expected = {
            str(ContractTerm.Kind.REBATE.label),
            str(ContractTerm.Basis.PERCENT.label),
            str(ContractTerm.Period.YEAR.label),
            str(ContractTerm.Settlement.DEDUCTED.label),
        }
    assert expected <= set(examples.values())
    assert not {"rebate", "percent", "year", "deducted"} & set(examples.values())
    if language == "zh-hans":
        assert examples["费用类型"] == "进货返利（按开票额）"
        assert examples["结算方式"] == "从货款中扣除"
