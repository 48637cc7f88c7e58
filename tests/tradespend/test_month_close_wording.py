"""What finance reads around month close (QA on the demo): one Chinese word for the business act, 结账, on the
months page, the close preview, the ledger and the home page (never 关账 or 月结; the months page's action column is
结账, not a window's 关闭); who closed a month in one natural sentence; the TG fee named alike in the ledger and on
deductions; every chain in the close preview, those without a figure at 0.00 as gross to net lists them."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import KeyAccountFactory, make_user
from tradespend.accruals import accruals_compute
from tradespend.closing import month_close

from .g2n_helpers import invoice
from .test_accruals import contract, plan, term

pytestmark = pytest.mark.django_db

JAN = date(2025, 1, 1)
AFTER = date(2025, 6, 15)


@pytest.fixture
def liu_yang(db):
    return make_user(Role.FINANCE, username="fin_liu", first_name="洋", last_name="刘")


@pytest.fixture
def closed_january(liu_yang):
    """WMT invoiced 5,000.00 in January; PNS (Park'n Shop) nothing; 刘洋 closed January."""
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛")
    KeyAccountFactory(code="PNS", name="百佳")
    invoice(wmt, date(2025, 1, 3), "5000.00")
    return month_close(month=JAN, by=liu_yang, today=AFTER)


def _text(html: str) -> str:
    """What a reader sees of the markup: tags dropped, runs of white space one space."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def _page(client, user, url, language, **params) -> str:
    client.force_login(user)
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_months_page_says_who_closed_in_one_sentence_and_uses_one_word(client, liu_yang, closed_january):
    when = timezone.localtime(closed_january.closed_at).strftime("%Y-%m-%d %H:%M")
    zh = _page(client, liu_yang, reverse("tradespend:months"), "zh-hans")
    assert f"刘洋 于 {when} 结账" in _text(zh)
    assert "已结账 由" not in zh and "由 刘洋" not in zh
    assert '<span class="visually-hidden">结账</span>' in zh and "关闭</span>" not in zh
    assert "月度结账" in zh
    for other_word in ("关账", "月结"):
        assert other_word not in zh
    en = _page(client, liu_yang, reverse("tradespend:months"), "en")
    assert f"Closed by 刘洋 on {when}" in _text(en) and '<span class="visually-hidden">Close</span>' in en


def test_home_page_ledger_and_refusals_say_jiezhang(client, liu_yang, closed_january):
    home = _page(client, liu_yang, "/", "zh-hans")
    assert "待结账月份" in home and "关账" not in home
    ledger = _page(client, liu_yang, reverse("tradespend:ledger"), "zh-hans")
    assert "已结账月份不会再变" in ledger and "关账" not in ledger
    invoice(KeyAccountFactory(code="RTM", name="大润发"), date(2025, 2, 3), "100.00")
    refused = _page(client, liu_yang, reverse("tradespend:month-close"), "zh-hans", month="2025-03")
    assert "2025-02 尚未结账：月份须按顺序结账，请先结账 2025-02，再结账 2025-03。" in refused


def test_the_tg_fee_has_one_name(client, finance):
    account = KeyAccountFactory(code="CRF", name="家乐福")
    term(contract(account, number="HT-CRF-9"), "end_cap", "fixed", "once", amount="1200")
    plan(account, title="中秋堆头", tg_fee="800", start_on=date(2026, 3, 1))
    accruals_compute(as_of=date(2026, 3, 31))
    zh = _page(client, finance, reverse("tradespend:ledger"), "zh-hans", account="CRF")
    en = _page(client, finance, reverse("tradespend:ledger"), "en", account="CRF")
    # (the kind in a nowrap span: on a phone "TG费" never breaks between TG and 费)
    assert '<td><span class="text-nowrap">TG费</span>' in zh and "端架/堆头费" not in zh
    assert '<td><span class="text-nowrap">TG fee</span>' in en and "End-cap / TG fee" not in en


def test_close_preview_lists_every_chain_those_without_figures_at_zero(client, finance):
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛")
    KeyAccountFactory(code="PNS", name="百佳")
    invoice(wmt, date(2025, 1, 3), "5000.00")
    zh = _page(client, finance, reverse("tradespend:month-close"), "zh-hans", month="2025-01")
    assert 'data-account="WMT"' in zh and 'data-account="PNS"' in zh
    pns_row = zh.split('data-account="PNS"')[1].split("</tr>")[0]
    assert "百佳" in pns_row and pns_row.count("0.00</td>") == 6  # its six columns (the phone's list repeats them)
    en = _page(client, finance, reverse("tradespend:month-close"), "en", month="2025-01")
    assert 'data-account="PNS"' in en and "5,000.00" in en
