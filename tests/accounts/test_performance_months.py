"""The account performance report's months are read by one function (accounts.selectors.performance_period, over
ka_portal.months) on the page and in the API: YYYY-MM, the last not before the first, at most 36 months. A refusal
names its parameter in the reader's language — the API answers 400 under ``from`` / ``to``, the page shows it next
to the box it is about — and the page's boxes keep what was typed."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.selectors import PERFORMANCE_MAX_MONTHS, performance_period
from ka_portal.errors import DomainError
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, SalesTargetFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/account-performance/"
TODAY = date(2026, 6, 15)


@pytest.fixture
def chain(manager):
    account = KeyAccountFactory(code="A", owner=manager)
    SalesTargetFactory(account=account, year=2026, month=2, amount=Decimal("100.00"))
    InvoiceFactory(account=account, date=date(2026, 2, 10), amount=Decimal("80.00"))
    return account


def _box(html: str, name: str) -> str:
    """The <input> of a month box as the page draws it."""
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)


# --- the rule --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "months"),
    [("2023-07", "2026-06", 36), ("2026-01", "2026-01", 1), ("2024-02", "2026-05", 28)],
)
def test_a_period_of_up_to_36_months_is_read(first, last, months):
    period = performance_period(first, last, today=TODAY)

    assert (period.first, period.last) == (date.fromisoformat(f"{first}-01"), date.fromisoformat(f"{last}-01"))
    assert months <= PERFORMANCE_MAX_MONTHS == 36


def test_one_month_more_is_refused_on_the_last_months_parameter():
    with pytest.raises(DomainError) as refused:
        performance_period("2023-06", "2026-06", today=TODAY)

    assert (refused.value.code, refused.value.field) == ("month.range_too_long", "to")
    assert refused.value.params["months"] == 37


def test_blank_months_read_january_to_this_month_unless_required():
    period = performance_period("", None, today=TODAY)

    assert (period.first, period.last) == (date(2026, 1, 1), date(2026, 6, 1))
    with pytest.raises(DomainError) as refused:
        performance_period("", "2026-03", today=TODAY, required=True)
    assert (refused.value.code, refused.value.field) == ("month.required", "from")


def test_a_blank_first_month_is_the_year_to_the_last_one_asked():
    """QA: "To: 2025-06 is before the first month, 2026-01" for a From box left empty."""
    period = performance_period("", "2025-06", today=TODAY)

    assert (period.first, period.last) == (date(2025, 1, 1), date(2025, 6, 1))


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_refuses_more_than_36_months_naming_to(api_client, manager, chain):
    api_client.force_authenticate(manager)

    response = api_client.get(URL, {"from": "2023-06", "to": "2026-06"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"] == {"to": ["to: 2023-06 to 2026-06 is 37 months; choose at most 36."]}


def test_the_api_reads_36_months(api_client, manager, chain):
    api_client.force_authenticate(manager)

    response = api_client.get(URL, {"from": "2023-07", "to": "2026-06"})

    assert response.status_code == 200
    assert (response.json()["from"], response.json()["to"]) == ("2023-07", "2026-06")
    assert response.json()["total"]["actual"] == "80.00"


def test_the_api_names_each_month_it_cannot_read(api_client, manager, chain):
    api_client.force_authenticate(manager)

    response = api_client.get(URL, {"from": "2026-13", "to": "26/3"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "from": ["from: “2026-13” is not a month: enter it as YYYY-MM, for example 2026-05."],
        "to": ["to: “26/3” is not a month: enter it as YYYY-MM, for example 2026-05."],
    }


def test_the_api_says_a_missing_or_reversed_month_under_its_parameter(api_client, manager, chain):
    api_client.force_authenticate(manager)

    missing = api_client.get(URL, {"to": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en")
    reversed_ = api_client.get(URL, {"from": "2026-03", "to": "2026-01"}, HTTP_ACCEPT_LANGUAGE="en")

    assert missing.json()["errors"] == {"from": ["from: required, a month as YYYY-MM (for example 2026-05)."]}
    assert reversed_.json()["errors"] == {"to": ["to: 2026-01 is before the first month, 2026-03."]}


def test_the_api_says_it_in_chinese(api_client, manager, chain):
    api_client.force_authenticate(manager)

    too_long = api_client.get(URL, {"from": "2023-06", "to": "2026-06"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    bad = api_client.get(URL, {"from": "2026-13", "to": "2026-03"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert too_long.status_code == bad.status_code == 400
    assert too_long.json()["errors"] == {"to": ["to：2023-06 至 2026-06 共 37 个月；最多选择 36 个月。"]}
    assert bad.json()["errors"] == {"from": ["from：“2026-13”不是月份：请按 YYYY-MM 填写，例如 2026-05。"]}


# --- the page --------------------------------------------------------------------------------------------------


def test_the_page_refuses_more_than_36_months_next_to_the_to_box_keeping_both(client, manager, chain):
    client.force_login(manager)

    response = client.get(
        reverse("accounts:performance"), {"month_from": "2023-06", "month_to": "2026-06"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "month_to": ["To month: 2023-06 to 2026-06 is 37 months; choose at most 36."]
    }
    assert 'class="invalid-feedback d-block">To month: 2023-06 to 2026-06 is 37 months' in html
    assert 'value="2023-06"' in _box(html, "month_from") and 'value="2026-06"' in _box(html, "month_to")
    assert 'data-testid="performance-table"' not in html


def test_a_month_the_page_cannot_read_stays_in_its_box_as_typed(client, manager, chain):
    client.force_login(manager)

    response = client.get(
        reverse("accounts:performance"), {"month_from": "2026/13", "month_to": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "month_from": ["From month: “2026/13” is not a month: enter it as YYYY-MM, for example 2026-05."]
    }
    # a month box would draw 2026/13 empty: the box is text while it holds what was typed
    assert 'type="text"' in _box(html, "month_from") and 'value="2026/13"' in _box(html, "month_from")
    assert 'type="month"' in _box(html, "month_to") and 'value="2026-03"' in _box(html, "month_to")


def test_both_boxes_are_said_at_once(client, manager, chain):
    client.force_login(manager)

    response = client.get(
        reverse("accounts:performance"), {"month_from": "x", "month_to": "y"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert set(response.context["form"].errors) == {"month_from", "month_to"}


def test_the_page_says_it_in_chinese(client, manager, chain):
    client.force_login(manager)

    response = client.get(
        reverse("accounts:performance"),
        {"month_from": "2023-06", "month_to": "2026-06"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.context["form"].errors == {
        "month_to": ["截止月份：2023-06 至 2026-06 共 37 个月；最多选择 36 个月。"]
    }
    assert "截止月份：2023-06 至 2026-06 共 37 个月；最多选择 36 个月。" in response.content.decode()


def test_the_page_reads_36_months(client, manager, chain):
    client.force_login(manager)

    response = client.get(reverse("accounts:performance"), {"month_from": "2023-07", "month_to": "2026-06"})

    assert response.status_code == 200
    assert 'data-testid="performance-table"' in response.content.decode()
