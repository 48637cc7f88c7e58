"""A contract's rebate % and listing fee as a finance clerk reads them: what its term lines make (what the trade-spend
ledger accrues), or — typed on the contract with no line of its kind — flagged as accruing nothing; a line of another
kind added at any door (page, API, Excel import) never wipes a typed figure, and a figure typed over what the lines
make is refused, not silently replaced."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from contracts import services
from contracts.models import Contract, ContractTerm
from imports.registry import KINDS
from imports.runner import run_import
from tests.factories import KeyAccountFactory
from tests.imports.xlsx import xlsx_upload

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal
EN = "en"
REBATE_FLAG = "Typed on the contract: it has no rebate term line, so nothing accrues from it."
LISTING_FLAG = "Typed on the contract: it has no listing fee term line, so nothing accrues from it."
ZH = ["合同编号", "费用类型", "计费方式", "周期", "费率(%)", "金额", "阶梯", "开始日期", "结束日期", "结算方式", "备注"]
FEES_ONLY = [  # the tester's terms_good.xlsx: DM, TG and barcode lines, no rebate, no listing fee
    ["HT-CX-PNS", "DM 海报费", "每期固定金额", "一次性", None, 1200, None, None, None, "从货款中扣除", ""],
    ["HT-CX-PNS", "TG费", "每期固定金额", "月份", None, 800.5, None, None, None, "从货款中扣除", ""],
    ["HT-CX-TRUST", "条码费", "按店按SKU", "一次性", None, 150, None, None, None, "我方付款", ""],
]
REBATE = {"kind": "rebate", "basis": "percent", "period": "year", "rate": D("2.50"), "settlement": "credit_note"}
DM = {"kind": "dm", "basis": "fixed", "period": "once", "amount": D("1200.00"), "settlement": "deducted"}


@pytest.fixture
def promotion_contracts(db):
    """Two promotion agreements with a rebate % typed on them and no term lines (the demo's HT-DEMO-CX-*)."""
    return [
        ContractFactory(
            account=KeyAccountFactory(code=code),
            number=f"HT-CX-{code}",
            kind=Contract.Kind.PROMOTION,
            valid_from=date(2026, 12, 16),
            valid_to=date(2027, 1, 15),
            rebate_percent=D("5.00"),
            listing_fee=D("0.00"),
        )
        for code in ("PNS", "TRUST")
    ]


def _ledger_row(client, contract) -> str:
    page = client.get("/contracts/ledger/", HTTP_ACCEPT_LANGUAGE=EN).content.decode()
    start = page.index(f'data-contract="{contract.number}"')
    return page[start : page.index("</tr>", start)]


def _detail(client, contract) -> str:
    return client.get(f"/contracts/ledger/{contract.pk}/", HTTP_ACCEPT_LANGUAGE=EN).content.decode()


def test_a_rebate_typed_on_a_contract_without_lines_is_flagged_as_accruing_nothing(
    client, finance, promotion_contracts
):
    pns, _trust = promotion_contracts
    client.force_login(finance)

    row, detail = _ledger_row(client, pns), _detail(client, pns)

    assert "5.00 %" in row and "no term line" in row and REBATE_FLAG in row
    assert "5.00 %" in detail and REBATE_FLAG in detail
    assert LISTING_FLAG not in detail  # a listing fee of 0 says nothing


def test_importing_fee_lines_keeps_the_typed_rebate_and_its_flag(client, finance, promotion_contracts):
    pns, trust = promotion_contracts
    client.force_login(finance)

    with translation.override("zh-hans"):
        result = run_import(kind=KINDS["contract-terms"], source=xlsx_upload(ZH, FEES_ONLY), user=finance)

    assert result.created == 3
    assert [Contract.objects.get(pk=c.pk).rebate_percent for c in (pns, trust)] == [D("5.00"), D("5.00")]
    assert REBATE_FLAG in _detail(client, pns) and REBATE_FLAG in _detail(client, trust)
    assert "no term line" in _ledger_row(client, pns)


def test_a_line_of_another_kind_added_on_the_page_keeps_a_typed_listing_fee(client, finance):
    contract = ContractFactory(number="HT-JC", rebate_percent=D("0"), listing_fee=D("6000.00"))
    client.force_login(finance)

    services.contract_term_create(contract=contract, **DM)

    contract.refresh_from_db()
    assert contract.listing_fee == D("6000.00")
    assert LISTING_FLAG in _detail(client, contract)


def test_a_rebate_line_makes_the_rebate_what_accrues_and_the_flag_goes(client, finance, promotion_contracts):
    pns, _trust = promotion_contracts
    client.force_login(finance)

    term = services.contract_term_create(contract=pns, **{**REBATE, "rate": D("5.00")})

    assert Contract.objects.get(pk=pns.pk).rebate_percent == D("5.00")
    assert REBATE_FLAG not in _detail(client, pns) and "no term line" not in _ledger_row(client, pns)

    services.contract_term_delete(term=term)  # its last rebate line gone: nothing accrues, and it says 0

    assert Contract.objects.get(pk=pns.pk).rebate_percent == D("0.00")
    assert REBATE_FLAG not in _detail(client, pns)


def test_a_rebate_line_changed_to_another_kind_leaves_no_stale_rebate(finance, promotion_contracts):
    pns, _trust = promotion_contracts
    term = services.contract_term_create(contract=pns, **REBATE)

    services.contract_term_update(term=term, kind="other")

    assert Contract.objects.get(pk=pns.pk).rebate_percent == D("0.00")


def test_a_rebate_typed_over_its_lines_is_refused_on_the_api_naming_the_field(api_client, finance, promotion_contracts):
    pns, _trust = promotion_contracts
    services.contract_term_create(contract=pns, **REBATE)
    api_client.force_authenticate(finance)

    refused = api_client.patch(
        f"/api/v1/contracts/{pns.pk}/", {"rebate_percent": "9.00"}, format="json", HTTP_ACCEPT_LANGUAGE=EN
    )
    same = api_client.patch(
        f"/api/v1/contracts/{pns.pk}/", {"rebate_percent": "2.50", "total_amount": "100.00"}, format="json"
    )

    assert refused.status_code == 400 and refused.json()["code"] == "contract.figure_from_terms"
    assert refused.json()["detail"] == (
        "The rebate % of contract HT-CX-PNS is summed from its trade-term lines (2.50); change those lines instead."
    )
    assert same.status_code == 200 and same.json()["rebate_percent"] == "2.50"
    assert Contract.objects.get(pk=pns.pk).rebate_percent == D("2.50")


def test_the_contract_form_keeps_a_typed_rebate_editable_and_says_it_accrues_nothing(client, finance):
    contract = ContractFactory(number="HT-CX-X", rebate_percent=D("5.00"))
    services.contract_term_create(contract=contract, **DM)
    client.force_login(finance)

    form = client.get(f"/contracts/ledger/{contract.pk}/edit/", HTTP_ACCEPT_LANGUAGE=EN).context["form"]

    assert not form.fields["rebate_percent"].disabled
    assert "nothing accrues from it" in str(form.fields["rebate_percent"].help_text)


def test_no_demo_contract_shows_a_figure_that_accrues_nothing(demo_company):
    from contracts.selectors import with_figure_sources

    typed = with_figure_sources(Contract.objects.all()).filter(number__startswith="HT-DEMO")
    assert not typed.filter(rebate_typed=True).exists()
    assert not typed.filter(listing_typed=True).exists()
    assert ContractTerm.objects.filter(contract__number__startswith="HT-DEMO-JC", kind="listing").exists()
