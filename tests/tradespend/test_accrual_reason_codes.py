"""The ledger's own reasons are codes read in the reader's language; the sentences written before are converted
(tradespend migration 0004), an adjustment's typed reason is left as typed."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation

from tests.factories import KeyAccountFactory
from tests.promotions.factories import PromotionPlanFactory
from tradespend.models import AccrualLine

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tradespend.migrations.0004_accrual_reasons_as_codes")


@pytest.mark.parametrize(
    ("reason", "found"),
    [
        ("2026年无销售目标：按最低档 1.50 %。", ("accrual.no_target", {"year": 2026, "rate": "1.50"})),
        (
            "2026年目标达成 112.08 %：100.00 % 档 → 2.00 %。",
            ("accrual.year_achieved", {"year": 2026, "achievement": "112.08", "threshold": "100.00", "rate": "2.00"}),
        ),
        (
            "预计档位：截至 2026-03 目标达成 88.33 % → — % 档，0.00 %。",
            ("accrual.expected_tier", {"through": "2026-03", "achievement": "88.33", "threshold": "—", "rate": "0.00"}),
        ),
        (
            "Closed months are owed -40.00 more (negative: less) than they hold.",
            ("accrual.true_up", {"amount": "-40.00"}),
        ),
        ("已不再应计；因已有扣款核销到此行，保留为 0。", ("accrual.no_longer_due", {})),
        ("返还部分进场费", None),
    ],
)
def test_the_migration_recognises_the_ledgers_sentences(reason, found):
    assert migration.recognise(reason) == found


def test_the_migration_converts_computed_lines_and_keeps_adjustments():
    account = KeyAccountFactory()
    common = {"account": account, "month": date(2026, 3, 1), "kind": "rebate", "category": "rebate"}
    computed = AccrualLine.objects.create(
        **common, source="plan", plan=PromotionPlanFactory(account=account), source_key="plan:1", stage="true_up",
        amount=Decimal("-40.00"),
        reason="已关账月份应计比已入账多 -40.00（负数为少）。",
    )  # fmt: skip
    typed = AccrualLine.objects.create(
        **common, source="adjustment", source_key="adjustment:1", stage="adjustment", amount=Decimal("10.00"),
        reason="已关账月份应计比已入账多 -40.00（负数为少）。",  # a person may type anything: kept
    )  # fmt: skip
    migration.forwards(apps, None)
    computed.refresh_from_db()
    typed.refresh_from_db()
    assert (computed.reason, computed.reason_code) == ("", "accrual.true_up")
    with translation.override("en"):
        assert computed.reason_text == "Closed months are owed -40.00 more (negative: less) than they hold."
    assert (typed.reason_code, typed.reason) == ("", "已关账月份应计比已入账多 -40.00（负数为少）。")
