"""Above the second-approval threshold the pages offer the approval only to whom it is: after a manager's first
approval the plan page says who approved and what is still needed, the queue no longer lists it for them, and an
admin (not the one who gave the first) sees the second approval's button."""

from dataclasses import replace
from decimal import Decimal

import pytest

from accounts.roles import Role
from promotions.models import PromotionPlan
from promotions.services import promotion_approve, promotion_save_draft, promotion_submit
from tests.factories import make_user

from .conftest import plan_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_plan(world, settings):
    """A submitted plan costing 520.00, above a threshold of 500.00."""
    settings.KA = replace(settings.KA, promotion_second_approval_above=Decimal("500.00"))
    return promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)


def _page(client, user, path):
    client.force_login(user)
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_after_the_first_approval_the_manager_sees_who_approved_and_no_approve_button(client, world, big_plan):
    # Given the manager's first approval, from the plan page
    client.force_login(world.manager)
    client.post(f"/promotions/{big_plan.pk}/approve/")
    big_plan.refresh_from_db()
    assert big_plan.status == PromotionPlan.Status.SUBMITTED and big_plan.first_approved_by == world.manager
    # When the manager opens the plan again
    html = _page(client, world.manager, f"/promotions/{big_plan.pk}/")
    # Then it says who approved first and what is still needed, and offers no approval they cannot give
    assert 'data-testid="first-approval"' in html and "an admin's second approval is needed" in html
    assert 'data-testid="approve-form"' not in html and "Second approval" not in html
    # (rejecting stays theirs: the service lets the account's manager reject a submitted plan)
    assert 'data-testid="reject-form"' in html
    # and the queue no longer lists it for them
    queue = _page(client, world.manager, "/promotions/queue/")
    assert big_plan.title not in queue and "Nothing waits for your approval." in queue


def test_an_admin_is_offered_the_second_approval_and_it_works(client, world, big_plan, admin_user):
    # Given the manager's first approval
    promotion_approve(plan=big_plan, by=world.manager)
    # When an admin opens the queue and the plan
    queue = _page(client, admin_user, "/promotions/queue/")
    html = _page(client, admin_user, f"/promotions/{big_plan.pk}/")
    # Then both offer the approval, the plan page as the second one
    assert big_plan.title in queue and "awaiting admin approval" in queue
    assert 'data-testid="approve-form"' in html and "Second approval" in html
    # and it approves the plan
    client.post(f"/promotions/{big_plan.pk}/approve/")
    big_plan.refresh_from_db()
    assert big_plan.status == PromotionPlan.Status.APPROVED


def test_the_admin_who_gave_the_first_approval_waits_for_another(client, world, big_plan, admin_user):
    # Given an admin's first approval
    promotion_approve(plan=big_plan, by=admin_user)
    # Then that admin is not offered the second one, on the plan page or in the queue
    html = _page(client, admin_user, f"/promotions/{big_plan.pk}/")
    assert 'data-testid="first-approval"' in html and 'data-testid="approve-form"' not in html
    assert big_plan.title not in _page(client, admin_user, "/promotions/queue/")
    # and another admin is
    other = make_user(Role.ADMIN, username="adm_b")
    assert 'data-testid="approve-form"' in _page(client, other, f"/promotions/{big_plan.pk}/")
    assert big_plan.title in _page(client, other, "/promotions/queue/")


def test_below_the_threshold_the_manager_approves_in_one_step_as_before(client, world, settings):
    # Given a plan at no more than the threshold
    settings.KA = replace(settings.KA, promotion_second_approval_above=Decimal("520.00"))
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)
    # Then the manager is offered the approval, as "Approve"
    html = _page(client, world.manager, f"/promotions/{plan.pk}/")
    assert 'data-testid="approve-form"' in html and "Second approval" not in html
