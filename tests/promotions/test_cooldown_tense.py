"""Rule 4's message about an earlier plan of the same product reads in its tense as of today: an earlier plan that
ended "was promoted … until"; one running today "is being promoted … until"; one still ahead (approved, starting
later than today but before this plan) "is to be promoted … from … to …". The first date allowed is the same in
each. The pure rule takes today from its facts; the pages, the API and the services give it the company's today.

Today is 2026-06-01 (tests/promotions/conftest.py)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from ka_portal.errors import DomainError
from promotions.models import PromotionPlan
from promotions.rules import ItemFacts, OtherPlan, PlanFacts, TypeNorms, check_plan
from promotions.services import promotion_approve, promotion_save_draft, promotion_submit

from .conftest import TODAY, plan_input

IN_STORE = TypeNorms(name="店促", max_days=56, periods_allowed=2)
ITEM = ItemFacts(1, "P001 啤酒", Decimal("4.50"), Decimal("5.00"))


def _detail(other: OtherPlan, *, start: date, today: date | None) -> str:
    facts = PlanFacts(IN_STORE, start, start + timedelta(days=13), (ITEM,), other_plans=(other,), today=today)
    with translation.override("en"):
        (violation,) = check_plan(facts)
        assert violation.code == "promotion.cooldown"
        return violation.detail


EARLIER = OtherPlan(7, "五一档", date(2026, 6, 5), date(2026, 6, 18), frozenset({1}))  # 06-05 … 06-18
THIS_START = date(2026, 7, 1)  # 13 days after EARLIER's end: inside its 30-day cool-down (first allowed 07-18)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (
            date(2026, 6, 19),  # the day after its end: ended
            "Rule 4: P001 啤酒 was promoted at this account in “五一档” until 2026-06-18; "
            "after a 30-day cool-down it may start again on 2026-07-18 at the earliest.",
        ),
        (
            date(2026, 6, 18),  # its last day: running
            "Rule 4: P001 啤酒 is being promoted at this account in “五一档” until 2026-06-18; "
            "after a 30-day cool-down it may start again on 2026-07-18 at the earliest.",
        ),
        (
            date(2026, 6, 5),  # its first day: running
            "Rule 4: P001 啤酒 is being promoted at this account in “五一档” until 2026-06-18; "
            "after a 30-day cool-down it may start again on 2026-07-18 at the earliest.",
        ),
        (
            date(2026, 6, 4),  # the day before its start: still ahead
            "Rule 4: P001 啤酒 is to be promoted at this account in “五一档” from 2026-06-05 to 2026-06-18; "
            "after a 30-day cool-down it may start again on 2026-07-18 at the earliest.",
        ),
    ],
)
def test_the_earlier_plans_message_reads_in_its_tense_as_of_today(today, expected):
    assert _detail(EARLIER, start=THIS_START, today=today) == expected


def test_without_a_today_the_earlier_plan_reads_as_ended():
    assert _detail(EARLIER, start=THIS_START, today=None).startswith("Rule 4: P001 啤酒 was promoted")


def test_the_ahead_message_gives_the_api_the_earlier_plans_start():
    facts = PlanFacts(IN_STORE, THIS_START, THIS_START + timedelta(days=13), (ITEM,), (EARLIER,), today=TODAY)
    (violation,) = check_plan(facts)
    assert violation.params == {
        "product": "P001 啤酒", "plan": "五一档", "days": 30, "start": "2026-06-05", "end": "2026-06-18",
        "first": "2026-07-18",
    }  # fmt: skip


@pytest.mark.django_db
def test_a_submission_after_an_approved_plan_still_ahead_says_it_is_to_be_promoted(world):
    # given: an approved plan of the beer 06-08 … 06-21 (ahead of today, 06-01), and a draft starting 07-01
    first = promotion_approve(
        plan=promotion_submit(
            plan=promotion_save_draft(user=world.rep, data=plan_input(world, title="六月店促")), by=world.supervisor
        ),
        by=world.manager,
    )
    assert first.status == PromotionPlan.Status.APPROVED and first.start_on > TODAY
    second = promotion_save_draft(user=world.rep, data=plan_input(world, start=date(2026, 7, 1), title="七月店促"))

    # when: the supervisor submits it
    with translation.override("en"):
        with pytest.raises(DomainError) as refused:
            promotion_submit(plan=second, by=world.supervisor)

        # then: the refusal speaks of the June plan as coming, not as past
        assert refused.value.detail == (
            "Rule 4: P001 纯生啤酒 is to be promoted at this account in “六月店促” from 2026-06-08 to 2026-06-21; "
            "after a 30-day cool-down it may start again on 2026-07-21 at the earliest."
        )


@pytest.mark.django_db
def test_the_plan_page_says_a_running_plan_is_being_promoted(client, world):
    from tests.promotions.factories import PromotionItemFactory, PromotionPlanFactory

    running = PromotionPlanFactory(
        account=world.account, type=world.in_store, title="端午店促", start_on=date(2026, 5, 25),
        end_on=date(2026, 6, 7), status=PromotionPlan.Status.RUNNING, owner=world.manager,
    )  # fmt: skip
    PromotionItemFactory(plan=running, product=world.beer)
    draft = promotion_save_draft(user=world.rep, data=plan_input(world, start=date(2026, 6, 20)))
    client.force_login(world.rep)

    html = client.get(f"/promotions/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "is being promoted at this account in “端午店促” until 2026-06-07" in html.replace("&quot;", '"')
    assert "was promoted" not in html
