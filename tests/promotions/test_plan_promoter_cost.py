"""A plan's page and API detail show, beside its planned promoter fee, what its promoters' shifts have cost so far
(the ledger's promoter:plan:<id> lines, tradespend.promoter_pay.plan_shift_cost) and how many shifts that is, or
say that the planned fee counts while the plan has no shift.

Today is 2026-06-01 09:00 (tests/promotions/conftest.py). Plan "端午店促", RUNNING 05-25…06-07, promoter fee
200.00. Promoter PD (daily 150.00) works 05-26 and 05-27 (attended), misses 05-28 (absent), is on today's shift
(09:00–17:00, not ended) and on 06-03's → 3 shifts ended, 2 attended, 2 ahead; pay 2 × 150.00 = 300.00.
"""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from promotions.models import PromotionPlan
from tests.promoters.factories_appraisal import promoter, shift
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine
from tradespend.promoter_pay import plan_key

from .factories import PromotionItemFactory, PromotionPlanFactory

pytestmark = pytest.mark.django_db

Status = PromotionPlan.Status
WORKED = {"check_in": "09:00", "check_out": "17:00"}


def _plan(world, status=Status.RUNNING, **fields):
    plan = PromotionPlanFactory(
        account=world.account, type=world.in_store, title="端午店促", start_on=date(2026, 5, 25),
        end_on=date(2026, 6, 7), status=status, all_stores=True, owner=world.manager, promoter_fee=D("200.00"),
        **fields,
    )  # fmt: skip
    PromotionItemFactory(plan=plan, product=world.beer)
    return plan


def _shifts(world, plan, code="PD"):
    pd = promoter(supervisor=world.supervisor, stores=[world.store], daily_fee="150.00", started_on=date(2026, 5, 1),
                  code=code)  # fmt: skip
    shift(pd, world.store, date(2026, 5, 26), plan=plan, **WORKED)
    shift(pd, world.store, date(2026, 5, 27), plan=plan, **WORKED)
    shift(pd, world.store, date(2026, 5, 28), plan=plan)
    shift(pd, world.store, date(2026, 6, 1), plan=plan, check_in="08:55")
    shift(pd, world.store, date(2026, 6, 3), plan=plan)
    return pd


def _page(client, user, plan, language="en") -> str:
    client.force_login(user)
    url = reverse("promotions:plan-detail", args=[plan.pk])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _costs(html: str) -> str:
    """The Costs card's text, one line per row, as a reader sees it."""
    card = html[html.index('<dl class="row small mb-0">') :]
    card = card[: card.index("</dl>")]
    text = re.sub(r"<(dt|dd)[^>]*>", "\n", card)
    text = re.sub(r"<br>", " / ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def test_a_running_plan_shows_its_shifts_pay_beside_the_planned_fee(client, world):
    plan = _plan(world)
    _shifts(world, plan)

    costs = _costs(_page(client, world.manager, plan))

    assert "Promoter fee (planned)\n200.00\nActual (shifts)\n300.00\n" in costs
    assert "Shifts so far: 3 (2 attended) · Scheduled ahead: 2 / The shifts' pay counts, not the planned fee" in costs


def test_the_page_says_so_in_chinese(client, world):
    plan = _plan(world)
    _shifts(world, plan)

    costs = _costs(_page(client, world.manager, plan, "zh-hans"))

    assert "实际（排班）\n300.00" in costs
    assert "至今班次：3（出勤 2） · 待上班次：2 / 按排班工资计，不计计划费用" in costs


def test_a_plan_without_shifts_says_the_planned_fee_counts(client, world):
    plan = _plan(world, status=Status.APPROVED)

    html = _page(client, world.manager, plan)

    assert "Promoter fee (planned)\n200.00\nNo shifts yet — the planned fee counts" in _costs(html)
    assert 'data-testid="promoter-actual"' not in html
    assert "尚无排班——按计划费用计" in _page(client, world.manager, plan, "zh-hans")


def test_a_draft_shows_its_promoter_fee_alone(client, world):
    plan = _plan(world, status=Status.DRAFT)

    costs = _costs(_page(client, world.manager, plan))

    assert "Promoter fee\n200.00\nGifts" in costs
    assert "shifts" not in costs


def test_the_page_shows_what_the_ledger_books_for_the_plans_promoters(client, world):
    plan = _plan(world)
    _shifts(world, plan)
    accruals_compute(as_of=timezone.localdate())

    booked = sum(line.amount for line in AccrualLine.objects.filter(source_key=plan_key(plan.pk)))

    assert booked == D("300.00")
    assert f"Actual (shifts)\n{booked:,.2f}\n" in _costs(_page(client, world.manager, plan))


def _queries(client, plan) -> int:
    url = reverse("promotions:plan-detail", args=[plan.pk])
    client.get(url)  # warm caches (types, settings)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_promoter_cost_costs_a_fixed_number_of_queries(client, world):
    plan = _plan(world)
    client.force_login(world.manager)
    without = _queries(client, plan)
    _shifts(world, plan)
    with_one = _queries(client, plan)
    for code in ("PD2", "PD3", "PD4"):
        _shifts(world, plan, code=code)

    assert _queries(client, plan) == with_one <= without + 3  # the pay's three queries, however many shifts


def test_the_api_detail_carries_the_promoter_cost(api_client, world):
    plan = _plan(world)
    _shifts(world, plan)
    empty = _plan(world, status=Status.APPROVED)
    draft = _plan(world, status=Status.DRAFT)
    api_client.force_authenticate(world.manager)

    def detail(p):
        return api_client.get(f"/api/v1/promotions/{p.pk}/").json()["promoter_cost"]

    assert detail(plan) == {
        "planned_fee": "200.00", "actual": "300.00", "planned_total_cost": "0.00", "actual_total_cost": "300.00",
        "shifts": 5, "shifts_ended": 3, "shifts_attended": 2,
    }  # fmt: skip
    assert detail(empty) == {
        "planned_fee": "200.00", "actual": None, "planned_total_cost": "0.00", "actual_total_cost": None,
        "shifts": 0, "shifts_ended": 0, "shifts_attended": 0,
    }  # fmt: skip
    assert detail(draft) is None


def _costed_plan(world, status=Status.RUNNING):
    """DM 300.00, TG 100.00, promoter fee 200.00, gifts 50.00: a planned total of 650.00."""
    return _plan(world, status=status, dm_fee=D("300.00"), tg_fee=D("100.00"), gift_cost=D("50.00"),
                 total_cost=D("650.00"))  # fmt: skip


def test_the_total_cost_is_the_ledgers_once_the_plan_has_shifts(client, world):
    plan = _costed_plan(world)
    _shifts(world, plan)
    accruals_compute(as_of=timezone.localdate())

    booked = sum(line.amount for line in AccrualLine.objects.filter(plan=plan))
    costs = _costs(_page(client, world.manager, plan))

    assert booked == D("750.00")  # 300 + 100 + 50 + the shifts' pay 300.00, not the planned fee 200.00
    # a running plan's: the whole plan's costs, beside the evaluation's cost to date (QA finding 5)
    assert f"Total cost (planned)\n650.00\nTotal cost, whole plan (shifts)\n{booked:,.2f}\n" in costs
    assert "As the trade-spend ledger books it: the shifts' pay instead of the planned promoter fee" in costs


def test_the_total_cost_says_so_in_chinese(client, world):
    plan = _costed_plan(world, status=Status.ENDED)
    _shifts(world, plan)

    costs = _costs(_page(client, world.manager, plan, "zh-hans"))

    assert "总费用（计划）\n650.00\n总费用（实际，按排班）\n750.00\n" in costs


def test_without_shifts_the_total_cost_is_the_planned_one(client, world):
    plan = _costed_plan(world, status=Status.APPROVED)

    costs = _costs(_page(client, world.manager, plan))

    # the plan's own total is its planned one, named so (as the list and the export name it), and no actual beside it
    assert costs.endswith("Total cost (planned)\n650.00")
    assert "actual" not in costs


def test_the_api_detail_carries_the_ledgers_total(api_client, world):
    plan = _costed_plan(world)
    _shifts(world, plan)
    api_client.force_authenticate(world.manager)

    body = api_client.get(f"/api/v1/promotions/{plan.pk}/").json()

    assert body["total_cost"] == "650.00"
    assert (body["promoter_cost"]["planned_total_cost"], body["promoter_cost"]["actual_total_cost"]) == (
        "650.00",
        "750.00",
    )


def _evaluation_card(html: str) -> dict[str, str]:
    """The evaluation card's figures by their test ids, as shown."""
    return {
        key: re.search(rf'data-testid="{key}">([^<]*)<', html).group(1).strip()
        for key in ("evaluation-total", "evaluation-cost-per-pack", "evaluation-expense-ratio")
    }


def test_an_ended_plans_evaluation_is_on_the_ledgers_basis_once_it_has_shifts(client, world):
    """DM 300 + TG 100 + gifts 50 + the shifts' pay 300.00 = 750.00, not the planned 650.00: the cost per extra pack
    and the expense ratio are of that cost, as the promotion expense report shows them for the plan."""
    from analytics.promotion_expense import plan_figures
    from tests.factories import DeliveryFactory

    plan = _costed_plan(world, status=Status.ENDED)
    _shifts(world, plan)
    DeliveryFactory(store=world.store, product=world.beer, date=date(2026, 5, 20), quantity=70, unit_price=D("4.00"))
    DeliveryFactory(store=world.store, product=world.beer, date=date(2026, 5, 30), quantity=120, unit_price=D("4.00"))

    html = _page(client, world.manager, plan)
    (report,) = plan_figures(accounts=[world.account], month_from=date(2026, 5, 1), month_to=date(2026, 5, 1))

    card = _evaluation_card(html)
    assert card["evaluation-total"] == "750.00" == f"{report.figures.total_cost:,.2f}"
    assert card["evaluation-cost-per-pack"] == f"{report.figures.cost_per_incremental_unit:,.2f}"
    assert report.figures.cost_per_incremental_unit == (D("750.00") / report.figures.incremental_units).quantize(
        D("0.01")
    )
    assert "Total cost (actual, shifts)" in html[html.index('data-testid="evaluation-total"') - 300 :]
    assert 'data-testid="evaluation-basis"' in html


def test_an_ended_plans_evaluation_without_shifts_keeps_the_planned_fee(client, world):
    plan = _costed_plan(world, status=Status.ENDED)

    html = _page(client, world.manager, plan)

    assert _evaluation_card(html)["evaluation-total"] == "650.00"
    assert 'data-testid="evaluation-basis"' not in html


def test_the_api_evaluation_is_on_the_same_basis_as_the_page(api_client, client, world):
    from tests.factories import DeliveryFactory

    plan = _costed_plan(world, status=Status.ENDED)
    _shifts(world, plan)
    DeliveryFactory(store=world.store, product=world.beer, date=date(2026, 5, 30), quantity=120, unit_price=D("4.00"))
    plain = _costed_plan(world, status=Status.ENDED)
    api_client.force_authenticate(world.manager)

    shown = _evaluation_card(_page(client, world.manager, plan))
    evaluation = api_client.get(f"/api/v1/promotions/{plan.pk}/").json()["evaluation"]
    without = api_client.get(f"/api/v1/promotions/{plain.pk}/").json()["evaluation"]

    assert (evaluation["total_cost"], evaluation["on_shifts_pay"]) == ("750.00", True)
    assert evaluation["cost_per_incremental_unit"] == shown["evaluation-cost-per-pack"].replace(",", "")
    assert (without["total_cost"], without["on_shifts_pay"]) == ("650.00", False)
