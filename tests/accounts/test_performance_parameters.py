"""The account performance report reads ?sort= and ?tier= strictly: one it does not take is a 400 on the API naming
the parameter and what it takes; on the page an unknown sort is dropped and said so (the table in its own order, best
achievement first) and an unknown tier is refused next to the field naming the tiers, with no table — never the
report unsorted, or of no accounts, as if that had been asked for."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.selectors import Period, account_performance
from ka_portal.errors import DomainError
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory, SalesTargetFactory

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/v1/reports/account-performance/"
PERIOD = {"from": "2026-01", "to": "2026-03"}
SORTS = "code, name, tier, target, actual, difference, achievement, growth"


@pytest.fixture
def three_chains(manager):
    """By code A, B, C; by achievement B (150 %), C (100 %), A (50 %); B alone is NKA."""
    for code, tier, actual in (("A", "GKA", "50.00"), ("B", "NKA", "150.00"), ("C", "GKA", "100.00")):
        account = KeyAccountFactory(code=code, tier=tier, owner=manager)
        SalesTargetFactory(account=account, year=2026, month=2, amount=D("100.00"))
        InvoiceFactory(account=account, date=date(2026, 2, 10), amount=D(actual))


def _codes(html: str) -> list[str]:
    return [row.split('"')[0] for row in html.split('<tr data-account="')[1:] if not row.startswith("total")]


# --- the API ----------------------------------------------------------------------------------------------------


def test_the_api_refuses_an_unknown_sort_naming_the_parameter_and_the_sorts(api_client, manager, three_chains):
    api_client.force_authenticate(manager)

    response = api_client.get(URL, {**PERIOD, "sort": "achivement"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "sort": [f"“achivement” is not a sort of this list: give one of {SORTS} (a leading - sorts the other way)."]
    }


def test_the_api_says_it_in_chinese_too(api_client, manager, three_chains):
    api_client.force_authenticate(manager)

    response = api_client.get(URL, {**PERIOD, "sort": "achivement"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.json()["errors"]["sort"] == [
        f"“achivement”不是此列表可用的排序：请填 {SORTS} 之一（前加 - 为反向排序）。"
    ]


def test_the_api_refuses_an_unknown_tier_naming_the_tiers(api_client, manager, three_chains):
    api_client.force_authenticate(manager)

    response = api_client.get(URL, {**PERIOD, "tier": "gka"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"] == {"tier": ["“gka” is not a tier: give one of GKA, NKA, LKA."]}


def test_the_api_sorts_and_narrows_as_asked(api_client, manager, three_chains):
    api_client.force_authenticate(manager)

    by_actual = api_client.get(URL, {**PERIOD, "sort": "-actual"}).json()["results"]
    gka = api_client.get(URL, {**PERIOD, "tier": "GKA"}).json()["results"]
    plain = api_client.get(URL, {**PERIOD, "sort": ""}).json()["results"]  # no sort asked: by code

    assert [row["account"] for row in by_actual] == ["B", "C", "A"]
    assert [row["account"] for row in gka] == ["A", "C"]
    assert [row["account"] for row in plain] == ["A", "B", "C"]


def test_the_report_itself_refuses_a_sort_or_tier_it_does_not_know(manager):
    period = Period(date(2026, 1, 1), date(2026, 3, 1))

    for asked, code in (
        ({"sort": "-bogus"}, "performance.sort_unknown"),
        ({"tier": "XKA"}, "performance.tier_unknown"),
    ):
        with pytest.raises(DomainError) as refused:
            account_performance(user=manager, period=period, **asked)
        assert refused.value.code == code


# --- the page ---------------------------------------------------------------------------------------------------


def test_the_page_drops_an_unknown_sort_says_so_and_shows_its_own_order(client, manager, three_chains):
    client.force_login(manager)

    response = client.get(
        reverse("accounts:performance"),
        {"month_from": "2026-01", "month_to": "2026-03", "sort": "bogus"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "This list has no sort “bogus”: it is shown in its own order." in html
    assert _codes(html) == ["B", "C", "A"]  # best achievement first, the report's own order
    assert 'name="sort" value="-achievement"' in html  # the next Show keeps the order shown, not the bad one


def test_the_page_says_it_in_chinese(client, manager, three_chains):
    client.force_login(manager)

    html = client.get(reverse("accounts:performance"), {"sort": "bogus"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content

    assert "此列表没有“bogus”这种排序：已按默认顺序显示。" in html.decode()


def test_the_page_refuses_an_unknown_tier_next_to_the_field_naming_the_tiers(client, manager, three_chains):
    client.force_login(manager)

    response = client.get(
        reverse("accounts:performance"),
        {"month_from": "2026-01", "month_to": "2026-03", "tier": "XKA"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"tier": ["“XKA” is not a tier: give one of GKA, NKA, LKA."]}
    assert "“XKA” is not a tier: give one of GKA, NKA, LKA." in response.content.decode()
    assert _codes(response.content.decode()) == []  # no table of every tier as if it had been asked for


def test_the_page_narrows_to_a_known_tier(client, manager, three_chains):
    client.force_login(manager)

    html = client.get(
        reverse("accounts:performance"), {"month_from": "2026-01", "month_to": "2026-03", "tier": "GKA"}
    ).content

    assert _codes(html.decode()) == ["C", "A"]
