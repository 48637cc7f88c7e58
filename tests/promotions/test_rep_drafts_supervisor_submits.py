"""SPEC §1: a sales rep drafts promotion requests; the KA supervisor drafts and submits plans (the account's KA
manager may too); the manager approves. A rep's submission is refused at every door with promotion.rep_cannot_submit
naming who submits (the write-path matrix knocks on the page's button, the API's action and the admin's); the pages
offer a rep no submit button and say instead who submits, and the supervisor finds the team's drafts to submit.
Taking a submitted plan back to draft is a step of who submits too: a rep's withdrawal is refused with
promotion.rep_cannot_withdraw naming who withdraws (page and API), and their plan page says so instead of the button.

Today is 2026-06-01 (tests/promotions/conftest.py); the rep rep_w works in the supervisor sup_w's team."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from ka_portal.errors import DomainError
from ka_portal.formatting import display_name
from promotions import selectors, services
from promotions.models import PromotionPlan, PromotionTransition
from promotions.services import promotion_save_draft, promotion_submit, promotion_withdraw
from tests.factories import StoreFactory, make_user

from .conftest import plan_input
from .test_views import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.english]
Status = PromotionPlan.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _draft(world, owner=None):
    return promotion_save_draft(user=owner or world.rep, data=plan_input(world))


def _said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _actions(html: str) -> str:
    return html.split('data-testid="plan-actions"')[1].split('data-testid="transitions"')[0]


# --- the service: every door asks it ------------------------------------------------------------------------------


def test_a_reps_submission_is_refused_naming_their_supervisor_and_nothing_is_written(world):
    plan = _draft(world)

    with translation.override("en"):
        with pytest.raises(DomainError) as refused:
            promotion_submit(plan=plan, by=world.rep)

        assert refused.value.code == "promotion.rep_cannot_submit"
        assert refused.value.detail == (
            f"A sales rep drafts promotion requests; your supervisor, {display_name(world.supervisor)}, "
            "submits them for approval."
        )
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT
    assert not PromotionTransition.objects.filter(plan=plan, to_status=Status.SUBMITTED).exists()


def test_the_supervisor_submits_the_reps_draft_and_the_manager_approves_it(world):
    plan = _draft(world)

    submitted = promotion_submit(plan=plan, by=world.supervisor)
    approved = services.promotion_approve(plan=submitted, by=world.manager)

    assert approved.status == Status.APPROVED and approved.owner == world.rep  # still the rep's request
    assert [(t.to_status, t.by) for t in approved.transitions.all()] == [
        (Status.DRAFT, world.rep),
        (Status.SUBMITTED, world.supervisor),
        (Status.APPROVED, world.manager),
    ]


def test_a_rep_without_a_supervisor_is_told_the_accounts_manager_submits(world):
    loner = make_user(Role.REP, username="rep_alone")
    StoreFactory(account=world.account, rep=loner, code="S-ALONE")
    plan = promotion_save_draft(user=loner, data=plan_input(world, stores=list(loner.stores.all())))

    with translation.override("en"):
        with pytest.raises(DomainError) as refused:
            promotion_submit(plan=plan, by=loner)
        assert refused.value.detail == (
            "A sales rep drafts promotion requests; the account's KA manager submits them for approval."
        )
    assert promotion_submit(plan=plan, by=world.manager).status == Status.SUBMITTED


def test_a_reps_non_draft_is_refused_for_its_status_first(world):
    plan = promotion_submit(plan=_draft(world), by=world.supervisor)

    with pytest.raises(DomainError) as refused:
        promotion_submit(plan=plan, by=world.rep)

    assert refused.value.code == "promotion.wrong_status"


@pytest.mark.parametrize("who", ["rep", "supervisor", "manager"])
def test_the_drafts_to_submit_are_the_drafts_the_user_may_submit(world, who):
    _draft(world)
    _draft(world, owner=world.supervisor)
    user = getattr(world, who)

    listed = set(selectors.drafts_to_submit_for(user))
    reachable = selectors.plan_list_for(user).filter(status=Status.DRAFT)

    assert listed == {plan for plan in reachable if services.can_submit(user, plan)}
    assert len(listed) == (0 if who == "rep" else 2)


# --- the pages ------------------------------------------------------------------------------------------------------


def test_the_reps_draft_page_offers_edit_but_no_submit_and_says_who_submits(client, world):
    plan = _draft(world)
    client.force_login(world.rep)

    actions = _actions(client.get(reverse("promotions:plan-detail", args=[plan.pk]), **EN).content.decode())

    assert f"/promotions/{plan.pk}/edit/" in actions
    assert f"/promotions/{plan.pk}/submit/" not in actions and "Submit for approval" not in actions
    note = re.search(r'data-testid="submitted-by-others">([^<]*)<', actions).group(1)
    assert note == (
        f"A sales rep drafts promotion requests; your supervisor, {display_name(world.supervisor)}, "
        "submits them for approval."
    )


def test_the_supervisor_sees_the_submit_button_on_the_reps_draft(client, world):
    plan = _draft(world)
    client.force_login(world.supervisor)

    actions = _actions(client.get(reverse("promotions:plan-detail", args=[plan.pk]), **EN).content.decode())

    assert f"/promotions/{plan.pk}/submit/" in actions and "Submit for approval" in actions
    assert 'data-testid="submitted-by-others"' not in actions


def test_the_reps_page_submit_is_refused_with_the_reason_and_keeps_the_draft(client, world):
    plan = _draft(world)
    client.force_login(world.rep)

    response = client.post(reverse("promotions:plan-submit", args=[plan.pk]), follow=True, **EN)

    assert _said(response) == [
        f"A sales rep drafts promotion requests; your supervisor, {display_name(world.supervisor)}, "
        "submits them for approval."
    ]
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT


@pytest.mark.parametrize("who", ["rep", "supervisor"])
def test_the_plan_form_offers_save_and_submit_only_to_who_submits(client, world, who):
    client.force_login(getattr(world, who))

    html = client.get(reverse("promotions:plan-create"), **EN).content.decode()

    assert ("Save and submit" in html) is (who == "supervisor")
    assert ('data-testid="submitted-by-others"' in html) is (who == "rep")
    assert "Save draft" in html


def test_a_reps_save_and_submit_saves_the_draft_and_says_who_submits(client, world):
    client.force_login(world.rep)

    response = client.post(reverse("promotions:plan-create"), {**form_data(world), "submit": "1"}, follow=True, **EN)

    plan = PromotionPlan.objects.get()
    assert plan.status == Status.DRAFT and plan.total_cost == Decimal("520.00")
    assert _said(response) == [
        "Draft saved, but not submitted: A sales rep drafts promotion requests; your supervisor, "
        f"{display_name(world.supervisor)}, submits them for approval."
    ]


def test_the_supervisor_finds_the_teams_drafts_to_submit_on_the_list(client, world):
    _draft(world)
    client.force_login(world.supervisor)

    html = client.get(reverse("promotions:plan-list"), **EN).content.decode()

    button = (
        html.split('data-testid="drafts-to-submit"')[0].rsplit("<a", 1)[1]
        + html.split('data-testid="drafts-to-submit"')[1].split("</a>")[0]
    )
    assert 'href="?status=draft"' in button and "Drafts to submit" in button and ">1<" in button
    owner = re.search(r'data-testid="draft-owner">([^<]*)<', html).group(1)
    assert owner == f"Owner: {display_name(world.rep)}"
    drafts = client.get(reverse("promotions:plan-list") + "?status=draft", **EN).content.decode()
    assert "夏季啤酒店促" in drafts


def test_the_rep_sees_no_drafts_to_submit_and_no_owner_on_their_own_draft(client, world):
    _draft(world)
    client.force_login(world.rep)

    html = client.get(reverse("promotions:plan-list"), **EN).content.decode()

    assert 'data-testid="drafts-to-submit"' not in html and 'data-testid="draft-owner"' not in html
    assert "夏季啤酒店促" in html


def test_a_rep_is_told_who_withdraws_their_submitted_request_and_the_supervisor_does(client, world):
    plan = promotion_submit(plan=_draft(world), by=world.supervisor)
    client.force_login(world.rep)

    actions = _actions(client.get(reverse("promotions:plan-detail", args=[plan.pk]), **EN).content.decode())
    refused = client.post(reverse("promotions:plan-withdraw", args=[plan.pk]), {"reason": ""}, follow=True, **EN)

    said = (
        f"A sales rep cannot withdraw a submitted plan; your supervisor, {display_name(world.supervisor)}, or the "
        "account's KA manager withdraws it to draft for you to change."
    )
    assert f"/promotions/{plan.pk}/withdraw/" not in actions
    assert html.unescape(re.search(r'data-testid="withdrawn-by-others">([^<]*)<', actions).group(1)) == said
    assert _said(refused) == [said]
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED

    client.force_login(world.supervisor)
    withdrawn = client.post(reverse("promotions:plan-withdraw", args=[plan.pk]), {"reason": ""}, follow=True, **EN)

    assert _said(withdrawn) == ["Plan withdrawn to draft: change it and submit it again."]
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT and plan.owner == world.rep


def test_a_supervisor_who_withdraws_their_own_plan_is_told_to_submit_it_again(client, world):
    plan = promotion_submit(plan=_draft(world, owner=world.supervisor), by=world.supervisor)
    client.force_login(world.supervisor)

    response = client.post(reverse("promotions:plan-withdraw", args=[plan.pk]), {"reason": ""}, follow=True, **EN)

    assert _said(response) == ["Plan withdrawn to draft: change it and submit it again."]


# --- the API --------------------------------------------------------------------------------------------------------


def test_the_api_refuses_a_reps_submission_with_the_rule_code(api_client, world):
    plan = _draft(world)
    api_client.force_authenticate(world.rep)

    refused = api_client.post(f"/api/v1/promotions/{plan.pk}/submit/", **EN)

    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "promotion.rep_cannot_submit"
    assert display_name(world.supervisor) in body["detail"] and body["params"] == {
        "supervisor": display_name(world.supervisor)
    }
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT


def test_the_withdraw_after_a_supervisors_submission_is_theirs_not_the_reps(world):
    """The rep still owns the request, but taking it back undoes the supervisor's submission: theirs (or the
    account's manager's) to do, before the decision; the rep changes the draft once it is back."""
    plan = promotion_submit(plan=_draft(world), by=world.supervisor)

    with pytest.raises(DomainError) as refused:
        promotion_withdraw(plan=plan, by=world.rep)

    assert refused.value.code == "promotion.rep_cannot_withdraw"
    draft = promotion_withdraw(plan=plan, by=world.supervisor)
    assert draft.status == Status.DRAFT and services.can_edit(world.rep, draft)
