"""F14: a budget is for a month or a quarter (SPEC §5) — a 1-day, 43-day or 21-month period is refused, named on the
field, at the API and the page; any three whole months from a month's 1st are a quarter (June–August too)."""

from datetime import date

import pytest

from promotions.models import Budget
from promotions.rules import budget_period_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2027-04-01", "2027-04-30"),
        ("2027-04-01", "2027-06-30"),
        ("2026-06-01", "2026-08-31"),  # a quarter need not be a calendar one
        ("2027-11-01", "2028-01-31"),  # across the year's end
        ("2028-02-01", "2028-02-29"),  # a leap February
        ("2027-12-01", "2027-12-31"),
    ],
)
def test_a_whole_month_or_quarter_is_a_budget_period(start, end):
    assert budget_period_problem(date.fromisoformat(start), date.fromisoformat(end)) is None


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2027-04-05", "2027-05-17", "period_start"),  # 43 days
        ("2027-04-01", "2028-12-31", "period_end"),  # 21 months
        ("2027-04-01", "2027-04-01", "period_end"),  # one day
        ("2027-04-01", "2027-05-31", "period_end"),  # two months
        ("2027-04-02", "2027-04-30", "period_start"),
        ("2028-02-01", "2028-02-28", "period_end"),  # not the leap February's last day
    ],
)
def test_any_other_span_is_refused_on_its_field(start, end, field):
    problem = budget_period_problem(date.fromisoformat(start), date.fromisoformat(end))
    assert problem is not None and (problem.code, problem.field) == ("budget.period_shape", field)


def test_the_api_refuses_a_21_month_budget_saying_what_a_period_is(api_client, world):
    api_client.force_authenticate(world.manager)
    sent = {"account": world.account.code, "period_start": "2027-04-01", "period_end": "2028-12-31", "amount": "9"}
    refused = api_client.post("/api/v1/budgets/", sent, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == ("budget.period_shape", "period_end")
    assert refused.json()["detail"] == (
        "A budget is for a whole month or a whole quarter, such as 2027-04-01–2027-04-30 or 2027-04-01–2027-06-30."
    )
    assert refused.json()["params"]["end"] == "2028-12-31"
    assert not Budget.objects.filter(period_start="2027-04-01").exists()
    # nor may an existing budget be stretched into one
    url = f"/api/v1/budgets/{world.budget.pk}/"
    stretched = api_client.patch(url, {"period_end": "2026-09-30"}, format="json")
    assert stretched.status_code == 400 and stretched.json()["code"] == "budget.period_shape"
    # the quarter that used to be blocked by the long one is free
    quarter = {**sent, "period_end": "2027-06-30"}
    assert api_client.post("/api/v1/budgets/", quarter, format="json").status_code == 201


def test_the_page_says_so_beside_the_start_and_keeps_the_input(client, world):
    client.force_login(world.manager)
    sent = {"account": world.account.code, "period_start": "2027-04-05", "period_end": "2027-05-17", "amount": "1000"}
    html = client.post("/promotions/budgets/", sent).content.decode()
    assert "预算须为整月或整季度，如 2027-04-01–2027-04-30 或 2027-04-01–2027-06-30。" in html
    assert 'value="2027-04-05"' in html and 'value="2027-05-17"' in html
    assert not Budget.objects.filter(period_start="2027-04-05").exists()
