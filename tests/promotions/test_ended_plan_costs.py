"""An ended plan not evaluated yet shows two totals that may differ: the Costs card's, as the trade-spend ledger
books it until the evaluation (the supply price funding as planned, on the forecast volume), and the evaluation's
(the funding on the packs actually sold in). The card names its total so and says why they differ; its funding line
is the planned one beside the evaluation's actual one. Once evaluated both read the evaluation's cost.

An ended plan with a planned promoter fee and no shift: nobody is still to be scheduled, so its page no longer
says "No shifts yet". SPEC §5 counts the promoter fee among a plan's costs and the trade-spend ledger books the
planned fee until shifts replace it (tradespend/accruals.py), so the planned fee is still counted — and said so:
beside the fee ("No shifts were worked — the planned fee is counted"), under the evaluation's total, and in the API
(`promoter_cost.actual` null, the evaluation's `total_cost` with the fee), all on the same figure.

Today is 2026-06-01 (tests/promotions/conftest.py). Plan "五月店促", ENDED 05-18…05-31: DM 300, TG 100, gifts 50,
promoter fee 200, the beer at a promotional supply price 2.00 below its normal 4.00 on a forecast of 500 packs: funding
1,000.00 planned, a planned total of 1,650.00. 120 packs were sold in: funding 240.00 actual. With shifts, a promoter
(daily 150.00) attended 05-20 and 05-21: pay 300.00 instead of the planned fee 200.00.

Without shifts nor supply prices (_fee_plan): the same dates, DM 300.00 and a promoter fee of 900.00, the beer at 4.50
(normal 5.00): planned total 1,200.00 (no price support, forecast 0).
"""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from promotions.models import PromotionPlan
from promotions.services import promotion_evaluate
from tests.factories import DeliveryFactory
from tests.promoters.factories_appraisal import promoter, shift
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine

from .factories import PromotionItemFactory, PromotionPlanFactory

pytestmark = pytest.mark.django_db
Status = PromotionPlan.Status
WORKED = {"check_in": "09:00", "check_out": "17:00"}
SAID_ENDED = "No shifts were worked — the planned fee is counted"
SAID_AHEAD = "No shifts yet — the planned fee counts"


def _ended_plan(world, *, shifts: bool) -> PromotionPlan:
    plan = PromotionPlanFactory(
        account=world.account, type=world.in_store, title="五月店促", start_on=date(2026, 5, 18),
        end_on=date(2026, 5, 31), status=Status.ENDED, all_stores=True, owner=world.manager, dm_fee=D("300.00"),
        tg_fee=D("100.00"), end_cap=True, gift_cost=D("50.00"), promoter_fee=D("200.00"),
        supply_funding=D("1000.00"), total_cost=D("1650.00"),
    )  # fmt: skip
    PromotionItemFactory(
        plan=plan, product=world.beer, forecast_volume=500, normal_supply_price=D("4.00"),
        promo_supply_price=D("2.00"),
    )  # fmt: skip
    DeliveryFactory(store=world.store, product=world.beer, date=date(2026, 5, 25), quantity=120, unit_price=D("2.00"))
    if shifts:
        pd = promoter(supervisor=world.supervisor, stores=[world.store], daily_fee="150.00",
                      started_on=date(2026, 5, 1), code="PD")  # fmt: skip
        shift(pd, world.store, date(2026, 5, 20), plan=plan, **WORKED)
        shift(pd, world.store, date(2026, 5, 21), plan=plan, **WORKED)
    return plan


def _fee_plan(world, status=Status.ENDED) -> PromotionPlan:
    """The plan with a planned promoter fee of 900.00, no shift and no supply price (status as given)."""
    plan = PromotionPlanFactory(
        account=world.account, type=world.in_store, title="五月店促", start_on=date(2026, 5, 18),
        end_on=date(2026, 5, 31), status=status, all_stores=True, owner=world.manager, dm_fee=D("300.00"),
        promoter_fee=D("900.00"), total_cost=D("1200.00"),
    )  # fmt: skip
    PromotionItemFactory(plan=plan, product=world.beer, forecast_volume=0)
    return plan


def _page(client, world, plan, language="en") -> str:
    client.force_login(world.manager)
    return client.get(reverse("promotions:plan-detail", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _lines(html: str, start: str, end: str) -> str:
    """A card's text between two markers, one line per row, as a reader sees it."""
    part = html[html.index(start) :]
    part = part[: part.index(end)]
    text = re.sub(r"<(dt|dd|div)[^>]*>", "\n", part)
    text = re.sub(r"<br>", " / ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _costs(html: str) -> str:
    return _lines(html, '<dl class="row small mb-0">', "</dl>")


def _evaluation(html: str) -> str:
    return _lines(html, 'data-testid="evaluation"', 'data-testid="sell-out')


def test_an_ended_plan_with_shifts_names_its_booked_total_apart_from_the_evaluations(client, world):
    plan = _ended_plan(world, shifts=True)

    html = _page(client, world, plan)
    costs, evaluation = _costs(html), _evaluation(html)

    # the Costs card: the planned total, and the ledger's until the evaluation, named for its planned funding
    assert "Supply price funding (planned)\n1,000.00" in costs
    assert "Total cost (planned)\n1,650.00\nTotal cost, funding as planned (shifts)\n1,750.00\n" in costs
    assert costs.endswith(
        "As the trade-spend ledger books it: the shifts' pay instead of the planned promoter fee / "
        "Until the plan is evaluated, with the supply price funding as planned; the evaluation's total counts it "
        "on the packs actually sold in."
    )
    assert "(actual" not in costs
    # the evaluation (preliminary): the funding on the 120 packs sold in, and its total on the same shifts' pay
    assert "Supply price funding (actual)\n240.00" in evaluation
    assert "Total cost (actual, shifts)\n990.00" in evaluation  # 300 + 100 + 50 + 300 + 240


def test_once_evaluated_the_card_and_the_evaluation_read_one_actual_total(client, world):
    plan = _ended_plan(world, shifts=True)
    promotion_evaluate(plan=plan, by=world.manager)

    html = _page(client, world, plan)

    assert "Total cost (actual, shifts)\n990.00\n" in _costs(html)
    assert "funding as planned" not in html
    assert "Total cost (actual, shifts)\n990.00" in _evaluation(html)


def test_an_ended_plan_without_shifts_labels_planned_against_actual(client, world):
    plan = _ended_plan(world, shifts=False)

    html = _page(client, world, plan)

    assert "Supply price funding (planned)\n1,000.00" in _costs(html)
    assert _costs(html).endswith("Total cost (planned)\n1,650.00")
    assert "Supply price funding (actual)\n240.00" in _evaluation(html)
    assert "Total cost (actual)\n890.00" in _evaluation(html)  # 300 + 100 + 50 + 200 + 240


def test_an_ended_plan_without_supply_funding_keeps_the_actual_label(client, world):
    """Without funding the ledger's total and the evaluation's agree: the card's total is simply the actual one."""
    plan = _ended_plan(world, shifts=True)
    PromotionPlan.objects.filter(pk=plan.pk).update(supply_funding=D("0.00"), total_cost=D("650.00"))
    plan.items.update(promo_supply_price=None, normal_supply_price=None)

    html = _page(client, world, plan)

    assert "Total cost (actual, shifts)\n750.00\n" in _costs(html)
    assert "Total cost (actual, shifts)\n750.00" in _evaluation(html)
    assert "funding as planned" not in html


def test_a_draft_shows_its_funding_without_planned(client, world):
    plan = _ended_plan(world, shifts=False)
    PromotionPlan.objects.filter(pk=plan.pk).update(status=Status.DRAFT)

    assert "Supply price funding\n1,000.00" in _costs(_page(client, world, plan))


# --- an ended plan with a planned promoter fee and no shift ------------------------------------------------------


@pytest.mark.parametrize("status", [Status.ENDED, Status.EVALUATED])
def test_an_ended_plan_without_shifts_says_none_were_worked_and_counts_the_planned_fee(client, world, status):
    # Given a plan over, with a planned promoter fee and no shift (evaluated or not)
    plan = _fee_plan(world)
    if status == Status.EVALUATED:
        promotion_evaluate(plan=plan, by=world.manager)
    # When its manager opens it
    html = _page(client, world, plan)
    # Then the fee is said to be counted because no shift was worked, not as if shifts were to come
    assert f"Promoter fee (planned)\n900.00\n{SAID_ENDED}" in _costs(html)
    assert SAID_AHEAD not in html
    # and the evaluation's total includes it, saying so
    evaluation = _evaluation(html)
    assert "Total cost (actual)\n1,200.00\n" in evaluation
    assert "Includes the planned promoter fee (900.00): no shifts were worked for this plan" in evaluation


def test_the_chinese_page_says_it_too(client, world):
    plan = _fee_plan(world)

    html = _page(client, world, plan, "zh-hans")

    assert "尚无排班" not in html


@pytest.mark.parametrize("status", [Status.APPROVED, Status.RUNNING])
def test_a_plan_not_over_still_says_no_shifts_yet(client, world, status):
    plan = _fee_plan(world, status=status)

    html = _page(client, world, plan)

    assert SAID_AHEAD in _costs(html)
    assert SAID_ENDED not in html
    assert "Includes the planned promoter fee" not in html


def test_the_ledger_and_the_api_count_the_same_planned_fee(client, api_client, world):
    # Given the ended plan without shifts, and the ledger computed
    plan = _fee_plan(world)
    accruals_compute(as_of=timezone.localdate())
    booked = AccrualLine.objects.get(source_key=f"plan:{plan.pk}", kind="promoter").amount
    # When the API's detail is read
    api_client.force_authenticate(world.manager)
    body = api_client.get(f"/api/v1/promotions/{plan.pk}/").json()
    # Then the ledger booked the planned fee, the API says no shift replaced it, and its evaluation counts it
    assert booked == D("900.00")
    assert body["promoter_cost"]["actual"] is None
    assert body["promoter_cost"]["shifts"] == 0
    assert D(body["evaluation"]["total_cost"]) == D("1200.00")
    assert body["evaluation"]["on_shifts_pay"] is False
    # as the page shows it
    assert "Total cost (actual)\n1,200.00\n" in _evaluation(_page(client, world, plan))


def test_no_note_without_a_planned_promoter_fee(client, world):
    plan = _fee_plan(world)
    PromotionPlan.objects.filter(pk=plan.pk).update(promoter_fee=D("0.00"), total_cost=D("300.00"))

    html = _page(client, world, plan)

    assert "Includes the planned promoter fee" not in html
