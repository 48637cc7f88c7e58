"""An ended plan with a planned promoter fee and no shift: nobody is still to be scheduled, so its page no longer
says "No shifts yet". SPEC §5 counts the promoter fee among a plan's costs and the trade-spend ledger books the
planned fee until shifts replace it (tradespend/accruals.py), so the planned fee is still counted — and said so:
beside the fee ("No shifts were worked — the planned fee is counted"), under the evaluation's total, and in the API
(`promoter_cost.actual` null, the evaluation's `total_cost` with the fee), all on the same figure.

Today is 2026-06-01 (tests/promotions/conftest.py). Plan "五月店促", 05-18…05-31, DM 300.00 and a promoter fee of
900.00, the beer at 4.50 (normal 5.00): planned total 1,200.00 (no price support, forecast 0).
"""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from promotions.models import PromotionPlan
from promotions.services import promotion_evaluate
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine

from .factories import PromotionItemFactory, PromotionPlanFactory

pytestmark = pytest.mark.django_db
Status = PromotionPlan.Status

SAID_ENDED = "No shifts were worked — the planned fee is counted"
SAID_AHEAD = "No shifts yet — the planned fee counts"


def _plan(world, status=Status.ENDED) -> PromotionPlan:
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


def _text(html: str, start: str, end: str) -> str:
    part = html[html.index(start) :]
    part = part[: part.index(end)]
    part = re.sub(r"<(dt|dd|div)[^>]*>", "\n", part)
    part = re.sub(r"<[^>]+>", "", part)
    return "\n".join(" ".join(line.split()) for line in part.splitlines() if line.strip())


def _costs(html: str) -> str:
    return _text(html, '<dl class="row small mb-0">', "</dl>")


def _evaluation(html: str) -> str:
    return _text(html, 'data-testid="evaluation"', 'data-testid="sell-out')


@pytest.mark.parametrize("status", [Status.ENDED, Status.EVALUATED])
def test_an_ended_plan_without_shifts_says_none_were_worked_and_counts_the_planned_fee(client, world, status):
    # Given a plan over, with a planned promoter fee and no shift (evaluated or not)
    plan = _plan(world)
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
    plan = _plan(world)

    html = _page(client, world, plan, "zh-hans")

    assert "尚无排班" not in html


@pytest.mark.parametrize("status", [Status.APPROVED, Status.RUNNING])
def test_a_plan_not_over_still_says_no_shifts_yet(client, world, status):
    plan = _plan(world, status=status)

    html = _page(client, world, plan)

    assert SAID_AHEAD in _costs(html)
    assert SAID_ENDED not in html
    assert "Includes the planned promoter fee" not in html


def test_the_ledger_and_the_api_count_the_same_planned_fee(client, api_client, world):
    # Given the ended plan without shifts, and the ledger computed
    plan = _plan(world)
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
    plan = _plan(world)
    PromotionPlan.objects.filter(pk=plan.pk).update(promoter_fee=D("0.00"), total_cost=D("300.00"))

    html = _page(client, world, plan)

    assert "Includes the planned promoter fee" not in html
