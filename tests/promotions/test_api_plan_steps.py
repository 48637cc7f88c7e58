"""The API's plan detail tells a client which steps the user may take on the plan now (can_edit, can_submit,
can_withdraw, can_approve, can_reject, can_reopen), by the same service checks the plan page offers its buttons by:
a client draws the page's buttons from them, and a step it offers is not refused for who takes it.

Today is 2026-06-01 (tests/promotions/conftest.py): the rep rep_w of the supervisor sup_w drafted the plan for the
account of the KA manager mgr_a; finance reads every plan and changes none."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse

from promotions.models import PromotionPlan
from promotions.services import promotion_approve, promotion_reject, promotion_save_draft, promotion_submit

from .conftest import plan_input

pytestmark = pytest.mark.django_db
Status = PromotionPlan.Status
STEPS = ("can_edit", "can_submit", "can_withdraw", "can_approve", "can_reject", "can_reopen")


def _plan(world, state: str, admin=None) -> PromotionPlan:
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    if state == "draft":
        return plan
    plan = promotion_submit(plan=plan, by=world.supervisor)
    if state == "first_approval":  # above the second-approval threshold: the manager's first, an admin's to come
        return promotion_approve(plan=plan, by=world.manager)
    if state == "rejected":
        return promotion_reject(plan=plan, by=world.manager, reason="档期冲突")
    if state == "approved":  # the manager's first approval, an admin's second
        return promotion_approve(plan=promotion_approve(plan=plan, by=world.manager), by=admin)
    return plan


# the steps each user may take, by the plan's state (the rest are False)
MAY = {
    "draft": {
        "rep": {"can_edit"},  # drafts and changes their request; the supervisor submits it (SPEC §1)
        "supervisor": {"can_edit", "can_submit"},
        "manager": {"can_edit", "can_submit"},
        "admin": {"can_edit", "can_submit"},
        "finance": set(),
    },
    "submitted": {
        "rep": set(),  # who submitted it takes it back
        "supervisor": {"can_withdraw"},
        "manager": {"can_withdraw", "can_approve", "can_reject"},
        "admin": {"can_withdraw", "can_approve", "can_reject"},
        "finance": set(),
    },
    "first_approval": {
        "rep": set(),
        "supervisor": {"can_withdraw"},
        "manager": {"can_withdraw", "can_reject"},  # the second approval is an admin's
        "admin": {"can_withdraw", "can_approve", "can_reject"},
        "finance": set(),
    },
    "rejected": {
        "rep": {"can_reopen"},  # the owner's, once
        "supervisor": set(),
        "manager": set(),
        "admin": set(),
        "finance": set(),
    },
    "approved": {who: set() for who in ("rep", "supervisor", "manager", "admin", "finance")},
}

# what the plan page draws for each step
BUTTONS = {
    "can_edit": "/promotions/{pk}/edit/",
    "can_submit": "/promotions/{pk}/submit/",
    "can_withdraw": 'data-testid="withdraw-form"',
    "can_approve": 'data-testid="approve-form"',
    "can_reject": 'data-testid="reject-form"',
    "can_reopen": 'data-testid="reopen-form"',
}


@pytest.fixture
def users(world, admin_user, finance):
    return {"rep": world.rep, "supervisor": world.supervisor, "manager": world.manager, "admin": admin_user,
            "finance": finance}  # fmt: skip


@pytest.mark.parametrize("state", list(MAY))
def test_the_detail_says_the_steps_each_user_may_take_as_the_page_offers_them(
    api_client, client, world, users, settings, state
):
    # Given the rep's plan in this state (520.00: above a threshold of 500.00, approvals come in two)
    settings.KA = replace(settings.KA, promotion_second_approval_above=Decimal("500.00"))
    plan = _plan(world, state, users["admin"])
    assert plan.status == (Status.SUBMITTED if state == "first_approval" else state)
    for who, user in users.items():
        # When each user reads it through the API and opens its page
        api_client.force_authenticate(user)
        body = api_client.get(f"/api/v1/promotions/{plan.pk}/").json()
        client.force_login(user)
        page = client.get(reverse("promotions:plan-detail", args=[plan.pk])).content.decode()
        # Then the API names the steps they may take, and the page draws a button for each, and for no other
        assert {step for step in STEPS if body[step] is True} == MAY[state][who], who
        assert all(body[step] is False for step in STEPS if step not in MAY[state][who]), who
        drawn = {step for step, marker in BUTTONS.items() if marker.format(pk=plan.pk) in page}
        assert drawn == MAY[state][who], who


def test_a_step_the_detail_offers_is_taken_and_one_it_does_not_is_refused(api_client, world):
    plan = _plan(world, "draft")
    api_client.force_authenticate(world.rep)
    assert api_client.get(f"/api/v1/promotions/{plan.pk}/").json()["can_submit"] is False
    assert api_client.post(f"/api/v1/promotions/{plan.pk}/submit/").json()["code"] == "promotion.rep_cannot_submit"

    api_client.force_authenticate(world.supervisor)
    assert api_client.get(f"/api/v1/promotions/{plan.pk}/").json()["can_submit"] is True
    submitted = api_client.post(f"/api/v1/promotions/{plan.pk}/submit/").json()
    # the step's answer is the detail again, as the user who took it reads it now
    assert submitted["status"] == "submitted" and submitted["can_submit"] is False and submitted["can_withdraw"] is True

    api_client.force_authenticate(world.rep)
    assert api_client.get(f"/api/v1/promotions/{plan.pk}/").json()["can_withdraw"] is False
    refused = api_client.post(f"/api/v1/promotions/{plan.pk}/withdraw/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "promotion.rep_cannot_withdraw"

    api_client.force_authenticate(world.supervisor)
    withdrawn = api_client.post(f"/api/v1/promotions/{plan.pk}/withdraw/", {}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "draft"
    assert withdrawn.json()["can_submit"] is True and withdrawn.json()["can_withdraw"] is False
