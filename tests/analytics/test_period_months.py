"""The analyses' period of months (the chain page, channel mix, promotion expense; their API) is read by gross to
net's function (tradespend.reports.report_period): YYYY-MM, the last not before the first, at most 36 months; one
alone is that month, neither the year so far. A refusal names its parameter in the reader's language — the API
answers 400 under ``from`` / ``to``, the page shows it next to the box (status 400) with what was typed and no
figures of another period, and an export asked with it answers the page."""

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.factories import KeyAccountFactory
from tests.tradespend.g2n_helpers import invoice, line

pytestmark = pytest.mark.django_db

APIS = ["/api/v1/accounts/WMT/overview/", "/api/v1/reports/channel-mix/", "/api/v1/reports/promotion-expense-ratio/"]
PAGES = [("analytics:chain", ["WMT"]), ("analytics:channel-mix", []), ("analytics:promotion-expense", [])]
TOO_LONG = {"month_from": "2023-06", "month_to": "2026-06"}  # 37 months


@pytest.fixture
def chain(manager):
    account = KeyAccountFactory(code="WMT", name="沃尔玛", tier="GKA", owner=manager)
    invoice(account, date(2026, 2, 10), "10000.00")
    line(account, date(2026, 2, 1), "rebate", "420.00")
    return account


def _under(html: str, name: str) -> list[str]:
    """The messages right under a month box (includes/month_box.html)."""
    found = re.search(
        rf'<input[^>]*name="{name}"[^>]*>\s*((?:<div class="invalid-feedback d-block">[^<]*</div>\s*)*)', html
    )
    return re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', found.group(1))


def _box(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)


# --- the API ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", APIS)
def test_the_api_refuses_more_than_36_months_naming_to(api_client, manager, chain, url):
    api_client.force_authenticate(manager)

    response = api_client.get(url, {"from": "2023-06", "to": "2026-06"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"] == {"to": ["to: 2023-06 to 2026-06 is 37 months; choose at most 36."]}


@pytest.mark.parametrize("url", APIS)
def test_the_api_reads_36_months(api_client, manager, chain, url):
    api_client.force_authenticate(manager)

    response = api_client.get(url, {"from": "2023-07", "to": "2026-06"})

    assert response.status_code == 200
    assert (response.json()["month_from"], response.json()["month_to"]) == ("2023-07", "2026-06")


@pytest.mark.parametrize("url", APIS)
def test_the_api_says_each_wrong_empty_or_reversed_month_under_its_parameter(api_client, manager, chain, url):
    api_client.force_authenticate(manager)

    bad = api_client.get(url, {"from": "2026-13", "to": "26/3"}, HTTP_ACCEPT_LANGUAGE="en")
    empty = api_client.get(url, {"from": "2026-01", "to": ""}, HTTP_ACCEPT_LANGUAGE="en")
    reversed_ = api_client.get(url, {"from": "2026-03", "to": "2026-01"}, HTTP_ACCEPT_LANGUAGE="en")

    assert bad.status_code == empty.status_code == reversed_.status_code == 400
    assert bad.json()["errors"] == {
        "from": ["from: “2026-13” is not a month: enter it as YYYY-MM, for example 2026-05."],
        "to": ["to: “26/3” is not a month: enter it as YYYY-MM, for example 2026-05."],
    }
    assert empty.json()["errors"] == {"to": ["to: required, a month as YYYY-MM (for example 2026-05)."]}
    assert reversed_.json()["errors"] == {"to": ["to: 2026-01 is before the first month, 2026-03."]}


def test_the_api_without_a_period_still_reads_the_year_so_far(api_client, manager, chain):
    api_client.force_authenticate(manager)

    body = api_client.get("/api/v1/reports/channel-mix/").json()

    assert body["month_from"][-2:] == "01" and body["month_from"][:4] == body["month_to"][:4]


@pytest.mark.parametrize("url", APIS)
def test_the_api_says_it_in_chinese(api_client, manager, chain, url):
    api_client.force_authenticate(manager)

    too_long = api_client.get(url, {"from": "2023-06", "to": "2026-06"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    bad = api_client.get(url, {"from": "2026-13", "to": "2026-03"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert too_long.json()["errors"] == {"to": ["to：2023-06 至 2026-06 共 37 个月；最多选择 36 个月。"]}
    assert bad.json()["errors"] == {"from": ["from：“2026-13”不是月份：请按 YYYY-MM 填写，例如 2026-05。"]}


# --- the pages -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("view", "args"), PAGES)
def test_the_page_refuses_more_than_36_months_next_to_the_to_box_with_no_figures(client, manager, chain, view, args):
    client.force_login(manager)

    response = client.get(reverse(view, args=args), TOO_LONG, HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 400
    assert _under(html, "month_to") == ["To month: 2023-06 to 2026-06 is 37 months; choose at most 36."]
    assert _under(html, "month_from") == []
    assert 'value="2023-06"' in _box(html, "month_from") and 'value="2026-06"' in _box(html, "month_to")
    # no figures of another period (the year so far's would read as the asked ones), and no export of them
    assert 'data-testid="refused"' in html and 'data-testid="period"' not in html
    assert "10,000.00" not in html and 'data-testid="export-xlsx"' not in html and "<canvas" not in html


@pytest.mark.parametrize(("view", "args"), PAGES)
def test_an_export_of_a_refused_period_answers_the_page(client, manager, chain, view, args):
    client.force_login(manager)

    response = client.get(reverse(view, args=args), {**TOO_LONG, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("view", "args"), PAGES)
def test_a_month_the_page_cannot_read_stays_in_its_box_as_typed(client, manager, chain, view, args):
    client.force_login(manager)

    response = client.get(
        reverse(view, args=args), {"month_from": "2026/13", "month_to": "2026-01"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert _under(html, "month_from") == [
        "From month: “2026/13” is not a month: enter it as YYYY-MM, for example 2026-05."
    ]
    assert 'type="text"' in _box(html, "month_from") and 'value="2026/13"' in _box(html, "month_from")
    assert 'type="month"' in _box(html, "month_to") and 'value="2026-01"' in _box(html, "month_to")


def test_a_reversed_period_is_said_under_the_to_box(client, manager, chain):
    client.force_login(manager)

    response = client.get(
        reverse("analytics:channel-mix"), {"month_from": "2026-03", "month_to": "2026-01", "by": "format"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip

    html = response.content.decode()
    assert _under(html, "month_to") == ["To month: 2026-01 is before the first month, 2026-03."]
    assert 'name="by" value="format"' in html  # the grouping asked is kept for the corrected period


@pytest.mark.parametrize(("view", "args"), PAGES)
def test_the_page_says_it_in_chinese(client, manager, chain, view, args):
    client.force_login(manager)

    response = client.get(reverse(view, args=args), TOO_LONG, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert _under(response.content.decode(), "month_to") == [
        "截止月份：2023-06 至 2026-06 共 37 个月；最多选择 36 个月。"
    ]


@pytest.mark.parametrize(("view", "args"), PAGES)
def test_the_page_reads_36_months(client, manager, chain, view, args):
    client.force_login(manager)

    response = client.get(reverse(view, args=args), {"month_from": "2023-07", "month_to": "2026-06"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="period"' in html and 'data-testid="refused"' not in html
    assert 'value="2023-07"' in _box(html, "month_from") and 'value="2026-06"' in _box(html, "month_to")


NOTHING_EXPORTED = "Nothing was exported: a value above is not valid. Correct it, then export again."
REFUSED_EXPORTS = [
    *((view, args, TOO_LONG) for view, args in PAGES),
    ("tradespend:gross-to-net", [], TOO_LONG),
    ("tradespend:gross-to-net-account", ["WMT"], TOO_LONG),
    ("analytics:store-pnl", [], {"account": "WMT", "from": "2026-02-30"}),
    ("analytics:targets", [], {"month": "2026-13"}),
    ("contracts:aging", [], {"as_of": "yesterday"}),
    ("contracts:statement", [], {"account": "WMT", "date_from": "2026-12-01", "date_to": "2026-01-01"}),
]


@pytest.mark.parametrize(("view", "args", "asked"), REFUSED_EXPORTS)
def test_an_export_refused_says_nothing_was_exported_and_a_look_does_not(client, finance, chain, view, args, asked):
    # given: finance on a page whose values are refused (a period too long, a day or month that is none)
    client.force_login(finance)

    # when: the Excel is asked for with them, and when the page is only looked at with them
    exported = client.get(reverse(view, args=args), {**asked, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    looked = client.get(reverse(view, args=args), asked, HTTP_ACCEPT_LANGUAGE="en")

    # then: the export answers the page, saying no workbook was made; the look does not speak of exporting
    assert exported.status_code == 400 and exported["Content-Type"].startswith("text/html")
    assert NOTHING_EXPORTED in exported.content.decode()
    assert looked.status_code == 400 and NOTHING_EXPORTED not in looked.content.decode()
