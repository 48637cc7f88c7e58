"""A period that ends before it starts, on the ledger (page and API) and on gross to net: refused on its To — the
ledger in the words the other lists use ("The period ends before it starts." / 期间的结束早于开始。), gross to net in
the words of its months' reading (tradespend.reports.report_period, tests/tradespend/test_g2n_months.py) — with no
rows and no figures shown as if they were the asked period's (docs/rules.md: a refused value shows a message and no
rows)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.factories import KeyAccountFactory
from tradespend.accruals import accruals_compute

from .g2n_helpers import invoice, line
from .test_accruals import contract, term

pytestmark = pytest.mark.django_db

REVERSED = {"month_from": "2026-12", "month_to": "2026-01"}


@pytest.fixture
def ledger(manager):
    account = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    term(contract(account, number="HT-WMT-1"), "rebate", "percent", rate="2.00")
    invoice(account, date(2026, 1, 10), "10000.00")
    invoice(account, date(2026, 3, 10), "5000.00")
    accruals_compute(as_of=date(2026, 6, 15))
    return account


def _page(client, user, url, language="en", status=200, **params) -> str:
    client.force_login(user)
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == status
    return response.content.decode()


def _error_under(page: str, name: str) -> str:
    """The messages right under a filter's box (includes/filter_form.html, includes/period_form.html)."""
    found = re.search(
        rf'<input[^>]*name="{name}"[^>]*>\s*((?:<div class="invalid-feedback d-block">[^<]*</div>\s*)*)', page
    )
    assert found, name
    return found.group(1)


# --- the ledger --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["finance", "manager"])
def test_the_ledger_refuses_a_reversed_month_range_under_its_to_month(client, request, ledger, role):
    user = request.getfixturevalue(role)
    page = _page(client, user, reverse("tradespend:ledger"), **REVERSED)
    assert "The period ends before it starts." in _error_under(page, "month_to")
    assert _error_under(page, "month_from") == ""
    # both months kept as typed; no cards of zeros, no table, and not "no lines match" either
    assert 'value="2026-12"' in page and 'value="2026-01"' in page
    assert 'data-testid="ledger-totals"' not in page and 'data-testid="ledger"' not in page
    assert "No ledger lines match these filters." not in page
    assert "A filter above is not valid: correct it to see the ledger lines." in page
    zh = _page(client, user, reverse("tradespend:ledger"), "zh-hans", **REVERSED)
    assert "期间的结束早于开始。" in _error_under(zh, "month_to")
    assert "截止月份" in zh and 'data-testid="ledger-totals"' not in zh
    assert "上方筛选条件有误：请改正后查看台账行。" in zh


def test_two_days_of_one_month_are_that_month_not_a_reversed_range(client, finance, ledger):
    client.force_login(finance)
    page = client.get(reverse("tradespend:ledger"), {"month_from": "2026-01-20", "month_to": "2026-01-01"})
    assert not page.context["filter"].errors
    assert {x.month for x in page.context["object_list"]} == {date(2026, 1, 1)}


def test_the_ledger_api_answers_400_naming_month_to(api_client, finance, manager, ledger):
    for user in (finance, manager):
        api_client.force_authenticate(user)
        response = api_client.get(reverse("accrual-line-list"), REVERSED, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        body = response.json()
        assert "month_to" in str(body) and "The period ends before it starts." in str(body)
        assert "month_from" not in str(body)
    ok = api_client.get(reverse("accrual-line-list"), {"month_from": "2026-01", "month_to": "2026-12"})
    assert ok.status_code == 200 and ok.json()["count"] == 2


# --- gross to net: a refused value shows no figures of another period --------------------------------------------


@pytest.fixture
def january(manager):
    account = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    invoice(account, date(2026, 1, 10), "10000.00")
    line(account, date(2026, 1, 1), "rebate", "420.00")
    return account


def test_gross_to_net_shows_the_refusal_and_no_figures_of_the_default_period(client, finance, january):
    page = _page(client, finance, reverse("tradespend:gross-to-net"), status=400, **REVERSED)
    assert "To month: 2026-01 is before the first month, 2026-12." in _error_under(page, "month_to")
    assert 'value="2026-12"' in page and 'value="2026-01"' in page  # kept as typed, not this month's
    assert 'data-testid="g2n-table"' not in page and 'data-testid="period"' not in page
    assert "10,000.00" not in page and 'data-testid="export-xlsx"' not in page
    assert "A value above is not valid: correct it to see the figures." in page
    zh = _page(client, finance, reverse("tradespend:gross-to-net"), "zh-hans", status=400, **REVERSED)
    assert "截止月份：2026-01 早于起始月份 2026-12。" in _error_under(zh, "month_to")
    assert "上方填写的内容有误：请改正后查看数据。" in zh


def test_gross_to_net_export_of_a_reversed_period_gives_no_workbook(client, finance, january):
    client.force_login(finance)
    response = client.get(reverse("tradespend:gross-to-net"), {**REVERSED, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"].startswith("text/html")
    assert "To month: 2026-01 is before the first month, 2026-12." in response.content.decode()


def test_a_chains_gross_to_net_shows_the_refusal_and_no_figures(client, manager, january):
    url = reverse("tradespend:gross-to-net-account", args=["WMT"])
    page = _page(client, manager, url, status=400, month_from="2026-01", month_to="soon")
    assert "To month: “soon” is not a month: enter it as YYYY-MM" in _error_under(page, "month_to")
    page = _page(client, manager, url, status=400, **REVERSED)
    assert "To month: 2026-01 is before the first month, 2026-12." in _error_under(page, "month_to")
    assert 'data-testid="waterfall"' not in page and 'id="g2n-data"' not in page and "10,000.00" not in page
    assert "A value above is not valid: correct it to see the figures." in page
    # the right period still shows the figures
    shown = _page(client, manager, url, month_from="2026-01", month_to="2026-01")
    assert 'data-testid="waterfall"' in shown and "10,000.00" in shown


def test_the_gross_to_net_api_says_the_same_words_on_to(api_client, finance, january):
    api_client.force_authenticate(finance)
    response = api_client.get(
        reverse("report-gross-to-net"), {"from": "2026-12", "to": "2026-01"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"to": ["to：2026-01 早于起始月份 2026-12。"]}
