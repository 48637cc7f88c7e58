"""A month written right but outside the months the portal holds is said to be so, naming the range (QA): gross to
net's ?month_from=1999-01 read "“1999-01”不是月份" — it is a month, only before 2000-01. The same on the API and in a
list's month filter (the ledger's)."""

import pytest
from django.urls import reverse

from ka_portal.months import MonthOutOfRange, parse_month

pytestmark = pytest.mark.django_db

API = "/api/v1/reports/gross-to-net/"
RANGE = "is outside the months the portal holds: enter one from 2000-01 to 2100-12."


@pytest.mark.parametrize("typed", ["1999-01", "1999-12-31", "2101-01"])
def test_a_month_outside_the_years_is_told_apart_from_a_typo(typed):
    with pytest.raises(MonthOutOfRange):
        parse_month(typed)


@pytest.mark.parametrize("typed", ["2026-13", "26/3", "May 2026"])
def test_a_typo_is_still_no_month(typed):
    with pytest.raises(ValueError) as refused:
        parse_month(typed)
    assert not isinstance(refused.value, MonthOutOfRange)


def test_the_gross_to_net_page_names_the_range(client, finance):
    client.force_login(finance)
    answer = client.get(reverse("tradespend:gross-to-net"), {"month_from": "1999-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    page = answer.content.decode()
    assert f"From month: 1999-01 {RANGE}" in page and "is not a month" not in page


def test_the_api_names_the_range_under_its_parameter(api_client, finance):
    api_client.force_authenticate(finance)
    answer = api_client.get(API, {"from": "1999-01", "to": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"from": [f"from: 1999-01 {RANGE}"]}


def test_the_ledgers_month_filter_names_the_range(client, finance):
    client.force_login(finance)
    page = client.get(reverse("tradespend:ledger"), {"month_to": "2101-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert f"2101-01 {RANGE}" in page.content.decode()
    assert page.context["filter"].errors["month_to"] == [f"2101-01 {RANGE}"]
