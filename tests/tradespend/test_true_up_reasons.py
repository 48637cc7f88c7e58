"""What finance reads of a true-up (QA on the demo, month 2026-12): its reason names the closed months it is for and
its source (a contract's number, a promoter's name), and amounts in ledger reasons are written as the page writes
money (29,467.74), on the page in Chinese and English and in the Excel export."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from ka_portal.system_texts import render
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.promoters.factories_appraisal import D, promoter
from tradespend import notes
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine

from .test_accruals import close, contract, invoice, term

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@pytest.fixture
def rebate_true_up():
    """AUCHAN's 2 % rebate (contract HT-AU-1): January and February close with no invoice; invoices dated in them
    come later (1,000,000.00 and 473,387.00), so the closed months are owed 20,000.00 + 9,467.74 = 29,467.74."""
    auchan = KeyAccountFactory(code="AUCHAN", name="欧尚")
    t = term(contract(auchan, number="HT-AU-1"), "rebate", "percent", rate="2.00")
    accruals_compute(as_of=date(2026, 2, 20))
    close(JAN, FEB)
    invoice(auchan, date(2026, 1, 10), "1000000.00")
    invoice(auchan, date(2026, 2, 10), "473387.00")
    accruals_compute(as_of=date(2026, 3, 10))
    return AccrualLine.objects.get(stage="true_up", source_key=f"term:{t.pk}")


def _ledger(client, finance, language: str, **params) -> str:
    client.force_login(finance)
    return client.get(reverse("tradespend:ledger"), params, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _export_reasons(client, finance, language: str, **params) -> list[str]:
    client.force_login(finance)
    params["export"] = "xlsx"
    response = client.get(reverse("tradespend:ledger"), params, HTTP_ACCEPT_LANGUAGE=language)
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    column = rows[0].index("Reason" if language == "en" else "原因")
    return [row[column] for row in rows[1:]]


def test_a_true_up_names_its_months_and_source_with_the_amount_as_money(client, finance, rebate_true_up):
    # Given the true-up of AUCHAN's rebate landed in March
    assert (rebate_true_up.month, rebate_true_up.amount) == (MAR, D("29467.74"))
    english = (
        "True-up for HT-AU-1, closed months 2026-01, 2026-02: owed 29,467.74 more (negative: less) than they hold."
    )
    chinese = "补差：HT-AU-1，已结账月份 2026-01, 2026-02 应计比已入账多 29,467.74（负数为少）。"
    # When finance reads the ledger's true-ups in either language, on the page and in the export
    # Then the reason says which months and which source, the amount grouped as money
    assert english in _ledger(client, finance, "en", stage="true_up")
    assert chinese in _ledger(client, finance, "zh-hans", stage="true_up")
    assert _export_reasons(client, finance, "en", stage="true_up") == [english]
    assert _export_reasons(client, finance, "zh-hans", stage="true_up") == [chinese]


def test_two_promoters_true_ups_at_one_chain_are_told_apart(client, finance):
    # Given two monthly promoters put on AUCHAN's roster after September was closed
    auchan = KeyAccountFactory(code="AUCHAN", name="欧尚")
    store = StoreFactory(account=auchan)
    accruals_compute(as_of=date(2026, 9, 30))
    close(date(2026, 9, 1))
    supervisor = make_user("supervisor", username="sup_trueup")
    for code, name, pay in (("P1", "王芳", "4500.00"), ("P2", "李娜", "3000.00")):
        promoter(supervisor=supervisor, stores=[store], monthly_pay=pay, started_on=date(2026, 9, 1), code=code,
                 name=name)  # fmt: skip
    # When the ledger is computed in October
    accruals_compute(as_of=date(2026, 10, 5))
    # Then each true-up names its promoter and September, and the pay reads as money
    page = _ledger(client, finance, "zh-hans", account="AUCHAN")
    assert "补差：王芳 (P1)，已结账月份 2026-09 应计比已入账多 4,500.00（负数为少）。" in page
    assert "补差：李娜 (P2)，已结账月份 2026-09 应计比已入账多 3,000.00（负数为少）。" in page
    assert "monthly pay 4,500.00 for" in _ledger(client, finance, "en", account="AUCHAN")
    reasons = _export_reasons(client, finance, "en", account="AUCHAN", stage="true_up")
    assert sorted(reasons) == [
        "True-up for 李娜 (P2), closed months 2026-09: owed 3,000.00 more (negative: less) than they hold.",
        "True-up for 王芳 (P1), closed months 2026-09: owed 4,500.00 more (negative: less) than they hold.",
    ]


def test_a_true_up_stored_before_reasons_named_their_months_still_reads_as_money():
    # A row written by an earlier version keeps its code and its one parameter
    with translation.override("en"):
        assert render(notes.TRUE_UP, {"amount": "-29467.74"}) == (
            "Closed months are owed -29,467.74 more (negative: less) than they hold."
        )
