"""Gross to net's months are read by one function (tradespend.reports.report_period, over ka_portal.months) on its
pages and in its API: YYYY-MM, the last not before the first, at most 36 months; one alone is that month, neither
this month. A refusal names its parameter in the reader's language — the API answers 400 under the name it was given
by, the pages show it next to the box it is about (status 400, no figures) — and the boxes keep what was typed."""

import re
from datetime import date

import pytest
from django.urls import reverse

from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory
from tradespend.reports import PERIOD_MAX_MONTHS, report_period

from .g2n_helpers import invoice, line

pytestmark = pytest.mark.django_db
API = "/api/v1/reports/gross-to-net/"
TODAY = date(2026, 6, 15)
TOO_LONG = {"month_from": "2023-06", "month_to": "2026-06"}  # 37 months
LONGEST = {"month_from": "2023-07", "month_to": "2026-06"}  # 36 months


@pytest.fixture
def chain(manager):
    account = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    invoice(account, date(2026, 2, 10), "10000.00")
    line(account, date(2026, 2, 1), "rebate", "420.00")
    return account


def _box(html: str, name: str) -> str:
    """The <input> of a month box as the page draws it."""
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)


def _under(html: str, name: str) -> list[str]:
    """The messages right under a month box (includes/month_box.html)."""
    found = re.search(
        rf'<input[^>]*name="{name}"[^>]*>\s*((?:<div class="invalid-feedback d-block">[^<]*</div>\s*)*)', html
    )
    return re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', found.group(1))


# --- the rule --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("2023-07", "2026-06", (date(2023, 7, 1), date(2026, 6, 1))),  # 36 months
        ("2026-03", None, (date(2026, 3, 1), date(2026, 3, 1))),  # alone: that month
        ("", "2026-03-17", (date(2026, 3, 1), date(2026, 3, 1))),  # a day: its month
        (None, None, (date(2026, 6, 1), date(2026, 6, 1))),  # neither: the default preset
    ],
)
def test_a_period_of_up_to_36_months_is_read(first, last, expected):
    assert report_period(first, last, today=TODAY) == expected
    assert PERIOD_MAX_MONTHS == 36


def test_one_month_more_is_refused_on_the_last_months_parameter():
    with pytest.raises(DomainError) as refused:
        report_period("2023-06", "2026-06", today=TODAY)

    assert (refused.value.code, refused.value.field) == ("month.range_too_long", "to")
    assert refused.value.params["months"] == 37


def test_every_month_it_cannot_read_is_refused_at_once():
    with pytest.raises(DomainError) as refused:
        report_period("2026-13", "soon", today=TODAY, fields=("month_from", "month_to"))

    assert [(p.code, p.field) for p in refused.value.problems] == [
        ("month.invalid", "month_from"),
        ("month.invalid", "month_to"),
    ]


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_reads_36_months_with_the_figures_it_gave_before(api_client, finance, chain):
    api_client.force_authenticate(finance)

    longest = api_client.get(API, {"from": "2023-07", "to": "2026-06"})
    february = api_client.get(API, {"from": "2026-02", "to": "2026-02"})

    assert longest.status_code == february.status_code == 200
    assert (longest.json()["month_from"], longest.json()["month_to"]) == ("2023-07", "2026-06")
    assert len(longest.json()["rows"][0]["months"]) == 36
    assert longest.json()["total"] == february.json()["total"]
    assert february.json()["total"]["gross"] == "10000.00" and february.json()["total"]["rebates"] == "420.00"


def test_the_api_refuses_more_than_36_months_naming_to(api_client, finance, chain):
    api_client.force_authenticate(finance)

    response = api_client.get(API, {"from": "2023-06", "to": "2026-06"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"] == {"to": ["to: 2023-06 to 2026-06 is 37 months; choose at most 36."]}


def test_the_api_names_each_month_it_cannot_read(api_client, finance, chain):
    api_client.force_authenticate(finance)

    response = api_client.get(API, {"from": "2026-13", "to": "26/3"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "from": ["from: “2026-13” is not a month: enter it as YYYY-MM, for example 2026-05."],
        "to": ["to: “26/3” is not a month: enter it as YYYY-MM, for example 2026-05."],
    }


def test_the_api_says_an_empty_or_reversed_month_under_its_parameter(api_client, finance, chain):
    api_client.force_authenticate(finance)

    empty = api_client.get(API, {"from": "", "to": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en")
    reversed_ = api_client.get(API, {"from": "2026-03", "to": "2026-01"}, HTTP_ACCEPT_LANGUAGE="en")

    assert empty.status_code == reversed_.status_code == 400
    assert empty.json()["errors"] == {"from": ["from: required, a month as YYYY-MM (for example 2026-05)."]}
    assert reversed_.json()["errors"] == {"to": ["to: 2026-01 is before the first month, 2026-03."]}


def test_a_parameter_left_out_is_still_the_other_month(api_client, finance, chain):
    api_client.force_authenticate(finance)

    response = api_client.get(API, {"to": "2026-02"})

    assert response.status_code == 200
    assert (response.json()["month_from"], response.json()["month_to"]) == ("2026-02", "2026-02")


def test_the_api_answers_under_the_name_the_month_was_given_by(api_client, finance, chain):
    api_client.force_authenticate(finance)

    response = api_client.get(API, {"month_from": "2023-06", "month_to": "2026-06"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"] == {"month_to": ["month_to: 2023-06 to 2026-06 is 37 months; choose at most 36."]}


def test_the_api_says_it_in_chinese(api_client, finance, chain):
    api_client.force_authenticate(finance)

    too_long = api_client.get(API, {"from": "2023-06", "to": "2026-06"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    bad = api_client.get(API, {"from": "2026-13", "to": "2026-03"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    reversed_ = api_client.get(API, {"from": "2026-03", "to": "2026-01"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert too_long.status_code == bad.status_code == reversed_.status_code == 400
    assert too_long.json()["errors"] == {"to": ["to：2023-06 至 2026-06 共 37 个月；最多选择 36 个月。"]}
    assert bad.json()["errors"] == {"from": ["from：“2026-13”不是月份：请按 YYYY-MM 填写，例如 2026-05。"]}
    assert reversed_.json()["errors"] == {"to": ["to：2026-01 早于起始月份 2026-03。"]}


# --- the pages -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["tradespend:gross-to-net", "tradespend:gross-to-net-account"])
def test_the_page_refuses_more_than_36_months_next_to_the_to_box_keeping_both(client, manager, chain, view):
    client.force_login(manager)
    url = reverse(view, args=["WMT"] if view.endswith("account") else [])

    response = client.get(url, TOO_LONG, HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 400
    assert _under(html, "month_to") == ["To month: 2023-06 to 2026-06 is 37 months; choose at most 36."]
    assert _under(html, "month_from") == []
    assert 'value="2023-06"' in _box(html, "month_from") and 'value="2026-06"' in _box(html, "month_to")
    assert "10,000.00" not in html and 'data-testid="export-xlsx"' not in html
    assert "A value above is not valid: correct it to see the figures." in html


def test_an_export_of_too_long_a_period_answers_the_page_not_a_workbook(client, finance, chain):
    client.force_login(finance)

    response = client.get(reverse("tradespend:gross-to-net"), {**TOO_LONG, "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "is 37 months; choose at most 36." in response.content.decode()


def test_a_month_the_page_cannot_read_stays_in_its_box_as_typed(client, finance, chain):
    client.force_login(finance)

    response = client.get(
        reverse("tradespend:gross-to-net"), {"month_from": "2026/13", "month_to": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "month_from": ["From month: “2026/13” is not a month: enter it as YYYY-MM, for example 2026-05."]
    }
    # a month box would draw 2026/13 empty: the box is text while it holds what was typed
    assert 'type="text"' in _box(html, "month_from") and 'value="2026/13"' in _box(html, "month_from")
    assert 'type="month"' in _box(html, "month_to") and 'value="2026-03"' in _box(html, "month_to")


def test_both_boxes_are_said_at_once(client, finance, chain):
    client.force_login(finance)

    response = client.get(reverse("tradespend:gross-to-net"), {"month_from": "x", "month_to": "y"})

    assert set(response.context["form"].errors) == {"month_from", "month_to"}


def test_the_page_says_it_in_chinese(client, finance, chain):
    client.force_login(finance)

    response = client.get(reverse("tradespend:gross-to-net"), TOO_LONG, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert _under(response.content.decode(), "month_to") == [
        "截止月份：2023-06 至 2026-06 共 37 个月；最多选择 36 个月。"
    ]


def test_the_page_reads_36_months_and_shows_them(client, finance, chain):
    client.force_login(finance)

    response = client.get(reverse("tradespend:gross-to-net"), LONGEST, HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Months 2023-07 to 2026-06" in html and "10,000.00" in html
    assert 'value="2023-07"' in _box(html, "month_from") and 'type="month"' in _box(html, "month_from")


def test_a_preset_and_a_month_alone_read_as_before(client, finance, chain):
    client.force_login(finance)

    last_year = client.get(reverse("tradespend:gross-to-net"), {"preset": "last_year"})
    alone = client.get(reverse("tradespend:gross-to-net"), {"month_from": "", "month_to": "2026-02"})

    assert last_year.status_code == alone.status_code == 200
    assert (last_year.context["report"].month_from.month, last_year.context["report"].month_to.month) == (1, 12)
    assert (alone.context["report"].month_from, alone.context["report"].month_to) == (date(2026, 2, 1),) * 2
    assert 'value="2026-02"' in _box(alone.content.decode(), "month_from")  # the box shows the month read
