"""The ledger's Excel names the amount a rate or units multiply as such (QA): its column read 计费方式, the contract
term's billing method ("Basis"), over a column of amounts (180, 150…)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import KeyAccountFactory
from tests.imports.xlsx import read_xlsx
from tradespend.models import AccrualLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def promotion_line(db):
    """A promotion line of December: 3.00 % of 6,000.00 = 180.00."""
    account = KeyAccountFactory(code="AUCHAN", name="欧尚")
    return AccrualLine.objects.create(
        account=account, month=date(2026, 12, 1), source="adjustment", source_key="adjustment:base-amount",
        kind="promotion", category="promotion", stage="adjustment", amount=Decimal("180.00"),
        basis_amount=Decimal("6000.00"), rate=Decimal("3.00"), reason="测试",
    )  # fmt: skip


def _sheet(client, language: str) -> list[tuple]:
    query = {"account": "AUCHAN", "month_from": "2026-12", "month_to": "2026-12", "category": "promotion"}
    answer = client.get(reverse("tradespend:ledger"), {**query, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200
    (rows,) = read_xlsx(b"".join(answer.streaming_content)).values()
    return rows


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_base_amount_is_not_headed_as_a_terms_billing_method(client, finance, promotion_line, language):
    client.force_login(finance)
    headers, row = _sheet(client, language)
    base = row.index(6000)  # the amount the rate multiplies
    with translation.override(language):
        billing_method = translation.gettext("Basis")  # the contract term's 计费方式
    assert headers[base] != billing_method
    assert headers[row.index(180)] != billing_method  # nor the amount's


def test_the_english_header_says_what_the_figure_is(client, finance, promotion_line):
    client.force_login(finance)
    headers, row = _sheet(client, "en")
    assert headers[row.index(6000)] == "Base amount" and headers[row.index(3)] == "Rate %"
