"""A deduction's sheet as a finance clerk reads it: a term's line names its kind once, the manual-match list writes
what is left of what was accrued on a line as money (剩余 1,477.50 / 计提 5,477.50), and the dispute form's date and
its refusal use one word."""

import dataclasses
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import ContractTerm
from tests.contracts.factories import ContractFactory
from tests.tradespend.matching_data import matching_deduction, matching_line

pytestmark = pytest.mark.django_db
SEP = date(2026, 9, 1)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _tg_term_line(account, amount):
    contract = ContractFactory(account=account, number="HT-RTM-01")
    term = ContractTerm.objects.create(
        contract=contract, kind="end_cap", basis="fixed", period="month", amount=Decimal("5000"),
        valid_from=contract.valid_from, valid_to=contract.valid_to,
    )  # fmt: skip
    return matching_line(account, SEP, amount, stage="accrued", term=term, source="term", source_key=f"term:{term.pk}")


def _sheet(client, user, deduction, language="zh-hans", **post):
    client.force_login(user)
    url = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    if post:
        return client.post(url, post, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_a_term_line_names_its_kind_once(client, finance, matching_account, matching_invoice):
    _tg_term_line(matching_account, "300.00")
    deduction = matching_deduction(matching_invoice, "800.00")  # a TG fee: the TG term's line is behind it

    page = _sheet(client, finance, deduction)

    lines = _text(page.split('data-testid="sheet-lines"')[1].split("</table>")[0])
    assert "HT-RTM-01 · TG费" in lines and "TG费 TG费" not in lines
    assert lines.count("TG费") == 1


def test_an_adjustment_line_still_says_its_kind(client, finance, matching_account, matching_invoice):
    matching_line(matching_account, SEP, "300.00", kind="end_cap", reason="补计")
    deduction = matching_deduction(matching_invoice, "800.00")

    page = _sheet(client, finance, deduction)

    lines = _text(page.split('data-testid="sheet-lines"')[1].split("</table>")[0])
    assert re.search(r"补计 TG费", lines), lines


def test_the_manual_match_list_writes_what_is_left_as_money(client, finance, matching_account, matching_invoice):
    matching_line(matching_account, SEP, "5477.50", kind="end_cap")
    deduction = matching_deduction(matching_invoice, "8000.00", period_start=SEP, period_end=SEP)
    deduction.matches.update(amount=Decimal("4000.00"))  # matched automatically: 4,000.00 of the line is taken

    page = _sheet(client, finance, deduction)

    form = page.split('data-testid="match-form"')[1].split("</form>")[0]
    options = [_text(option) for option in re.findall(r"<option[^>]*>(.*?)</option>", form)]
    assert any(option.endswith("· 剩余 1,477.50 / 计提 5,477.50") for option in options), options
    assert not any("5477.5" in option for option in options)


def test_the_dispute_form_and_its_refusal_call_the_date_the_same(client, finance, matching_invoice):
    deduction = matching_deduction(matching_invoice, "800.00")
    yesterday = timezone.localdate() - timedelta(days=1)

    page = _sheet(
        client, finance, deduction, action="dispute_open", **{"dispute-reason": "无依据", "dispute-due_on": yesterday}
    )

    form = page.split('data-testid="dispute-form"')[1].split("</form>")[0]
    label = re.search(r'<label[^>]*for="id_dispute-due_on"[^>]*>(.*?)</label>', form, re.S)
    assert label and _text(label.group(1)) == "到期日"
    assert f"到期日 {yesterday:%Y-%m-%d} 已过" in _text(form)
    assert "截止日期" not in form


def test_the_dispute_form_says_what_an_empty_due_date_becomes(client, finance, matching_invoice, settings):
    """Finding: a blank due date silently became today + 30 days; the form says so beside the field."""
    settings.KA = dataclasses.replace(settings.KA, dispute_due_days=14)
    deduction = matching_deduction(matching_invoice, "800.00")
    client.force_login(finance)
    page = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).content.decode()
    form = page.split('data-testid="dispute-form"')[1].split("</form>")[0]
    assert "留空：从今天起 14 天。" in _text(form)


def test_a_promoters_pay_line_names_the_promoter_not_an_adjustment(client, finance, matching_account, matching_invoice):
    """QA: every promoter-pay line behind a promoter-fee deduction read "Adjustment" (调整) on its sheet."""
    matching_line(matching_account, SEP, "800.00", kind="promoter", stage="accrued", source="promoter",
                  source_key="promoter:7", reason_params={"promoter": "郑晓燕 (PR004)"})  # fmt: skip
    deduction = matching_deduction(matching_invoice, "800.00", kind="promoter")

    page = _text(_sheet(client, finance, deduction, language="en"))

    assert "Promoter pay: 郑晓燕 (PR004)" in page and "Adjustment" not in page
