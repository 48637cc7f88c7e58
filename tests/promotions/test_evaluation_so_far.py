"""A running plan's preliminary evaluation "so far" (services.evaluation_so_far): its days from the start through
today in Shanghai against as many days just before the start, sell-in and sell-out, on its page and in the API;
nothing kept, nothing for a plan yet to start, an ended plan's evaluation unchanged."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from promotions.models import PromotionEvaluation, PromotionPlan
from tests.factories import DeliveryFactory
from tests.promoters.factories_numbers import sold

from .factories import PromotionItemFactory, PromotionPlanFactory

pytestmark = pytest.mark.django_db

# 14 days, 28 May – 10 June; today (conftest) is 1 June: day 5, against the baseline 23–27 May
START, END = date(2026, 5, 28), date(2026, 6, 10)


def plan_with_sales(world, status=PromotionPlan.Status.RUNNING, start=START, end=END) -> PromotionPlan:
    plan = PromotionPlanFactory(
        account=world.account, type=world.in_store, all_stores=False, owner=world.manager, status=status,
        start_on=start, end_on=end, total_cost=Decimal("300.00"),
    )  # fmt: skip
    plan.stores.set([world.store])
    PromotionItemFactory(plan=plan, product=world.beer)
    for day, quantity, price in (
        (date(2026, 5, 22), 999, "4.00"),  # before the 5-day baseline (inside a 14-day one)
        (date(2026, 5, 23), 60, "4.00"),
        (date(2026, 5, 27), 40, "4.00"),
        (date(2026, 5, 28), 150, "4.20"),
        (date(2026, 6, 1), 100, None),  # valued at the listing's purchase price, 4.00
        (date(2026, 6, 2), 999, "4.00"),  # after today: not counted yet
    ):
        DeliveryFactory(store=world.store, product=world.beer, date=day, quantity=quantity,
                        unit_price=Decimal(price) if price else None)  # fmt: skip
    sold(world.store, world.beer, date(2026, 5, 20), 500)  # in a 14-day sell-out baseline, not in 5 days'
    sold(world.store, world.beer, date(2026, 5, 25), 10)
    sold(world.store, world.beer, date(2026, 5, 30), 40)
    sold(world.store, world.beer, date(2026, 6, 3), 700)  # after today
    return plan


def page(client, plan, language):
    return client.get(reverse("promotions:plan-detail", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()


@pytest.mark.parametrize("language, caption", [("en", "So far: day 5 of 14"), ("zh-hans", "截至目前：第5天，共14天")])
def test_a_running_plan_shows_its_figures_so_far(client, world, time_machine, language, caption):
    # Given a running plan with sell-in and sell-out before, during and after today, at 00:30 on 1 June in
    # Shanghai (still 31 May in UTC)
    plan = plan_with_sales(world)
    time_machine.move_to(datetime(2026, 5, 31, 16, 30, tzinfo=UTC), tick=False)
    client.force_login(world.manager)

    # When the manager opens its page
    html = page(client, plan, language)

    # Then the evaluation is of days 28 May – 1 June against 23–27 May: 250 packs (150 × 4.20 + 100 × 4.00)
    # against 100, uplift 150 %; the cost spent to date is 5 of the 14 days' share of the plan's 300.00, 107.14:
    # 107.14 ÷ 150 extra packs = 0.71, 107.14 ÷ 1,030 = 10.40 % (not the whole 300.00: 2.00 and 29.13 %);
    # sell-out 40 a day against 10
    evaluation = html[html.index('data-testid="evaluation"') :]
    assert caption in evaluation[: evaluation.index('data-testid="sell-out"')]
    assert "1,030.00 · 250" in evaluation and "400.00 · 100" in evaluation
    assert 'data-testid="evaluation-total">107.14<' in evaluation
    assert "150.00 %" in evaluation and "10.40 %" in evaluation
    assert 'data-testid="evaluation-cost-per-pack">0.71<' in evaluation
    assert 'data-testid="sell-out-uplift">300.00 %<' in evaluation
    assert not PromotionEvaluation.objects.exists()  # reading is not evaluating


def test_the_api_gives_a_running_plan_its_figures_so_far(client, world):
    plan = plan_with_sales(world)
    client.force_login(world.manager)
    body = client.get(f"/api/v1/promotions/{plan.pk}/").json()["evaluation"]
    assert (body["evaluated"], body["through"], body["days"]) == (False, "2026-06-01", 5)
    assert (body["sales_units"], body["baseline_units"], body["uplift"]) == (250, 100, "1.5000")
    assert (body["sell_out"]["units"], body["sell_out"]["uplift"]) == (40, "3.0000")
    assert not PromotionEvaluation.objects.exists()


def test_a_plan_yet_to_start_shows_none(client, world):
    plan = plan_with_sales(world, start=date(2026, 6, 2), end=date(2026, 6, 15))
    client.force_login(world.manager)
    assert 'data-testid="evaluation"' not in page(client, plan, "en")
    assert client.get(f"/api/v1/promotions/{plan.pk}/").json()["evaluation"] is None


def test_an_ended_plan_is_evaluated_over_its_whole_period(client, world, time_machine):
    # Given the plan ended (viewed on 20 June): all its 14 days count against the 14 days before, 15–27 May
    plan = plan_with_sales(world, status=PromotionPlan.Status.ENDED)
    time_machine.move_to(datetime(2026, 6, 20, 1, 0, tzinfo=UTC), tick=False)
    client.force_login(world.manager)
    html = page(client, plan, "en")
    # 630 + 400 + 999 × 4.00 = 5,026.00 during; 999 + 100 packs before
    assert "5,026.00 ·" in html and "4,396.00 ·" in html and 'data-testid="evaluation-so-far"' not in html
    assert client.get(f"/api/v1/promotions/{plan.pk}/").json()["evaluation"]["through"] is None


def test_the_expense_report_reads_a_running_plan_as_its_page_does(world):
    # Given the running plan on day 5 of 14 (its sell-out during: 40 packs on 30 May; 700 more on 3 June, to come)
    from analytics.promotion_expense import plan_figures
    from promotions.services import evaluation_so_far

    plan = plan_with_sales(world)

    # When the finance report reads the plans starting in May
    (row,) = plan_figures(accounts=[world.account], month_from=START, month_to=START)

    # Then its sell-in and sell-out are the page's figures so far, not the sell-out of the whole plan
    page_figures = evaluation_so_far(plan)
    report = row.figures
    assert (report.sales_units, report.baseline_units) == (page_figures.sales_units, page_figures.baseline_units)
    assert report.sell_out.units == page_figures.sell_out.units == 40
    assert report.sell_out.uplift == page_figures.sell_out.uplift


def test_the_plan_page_the_api_and_the_expense_report_weigh_the_same_cost_to_date(client, world):
    # Given the running plan on day 5 of 14, its 300.00 of undated costs and a supply funding of 0.50 a pack on the
    # 250 packs sold in so far (its forecast of 1,000 packs would fund 500.00)
    from analytics.promotion_expense import plan_figures

    plan = plan_with_sales(world)
    plan.items.update(normal_supply_price=Decimal("4.00"), promo_supply_price=Decimal("3.50"), forecast_volume=1000)
    plan.supply_funding, plan.total_cost = Decimal("500.00"), Decimal("800.00")
    plan.save(update_fields=["supply_funding", "total_cost"])
    client.force_login(world.manager)

    # When the manager reads the plan's page and the API, and the expense report reads the plans starting in May
    html = page(client, plan, "en")
    body = client.get(f"/api/v1/promotions/{plan.pk}/").json()["evaluation"]
    (row,) = plan_figures(accounts=[world.account], month_from=START, month_to=START)

    # Then all three weigh 300 × 5/14 = 107.14 + 125.00 of funding = 232.14 against 1,030.00 and 150 extra packs
    assert 'data-testid="evaluation-total">232.14<' in html
    assert 'data-testid="evaluation-expense-ratio">22.54 %<' in html
    assert 'data-testid="evaluation-cost-per-pack">1.55<' in html
    figures = ("total_cost", "expense_ratio", "cost_per_incremental_unit")
    assert [body[name] for name in figures] == ["232.14", "0.2254", "1.55"]
    report = row.figures
    assert [getattr(report, name) for name in figures] == [Decimal("232.14"), Decimal("0.2254"), Decimal("1.55")]
    assert report.supply_funding == Decimal("125.00") and report.through == date(2026, 6, 1)
