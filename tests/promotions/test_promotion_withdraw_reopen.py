"""Undoing a step (issue 11, item 7): who submits a plan (SPEC §1: the rep's supervisor or the account's KA manager,
not the sales rep who drafted it) withdraws it to draft before the decision, and the owner reopens a rejected plan as
a new draft linked to it; each step logged, the budget untouched."""

import html
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from accounts.roles import Role
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.formatting import display_name
from promotions.models import Budget, PromotionPlan, PromotionTransition
from promotions.services import (
    promotion_approve,
    promotion_reject,
    promotion_reopen,
    promotion_save_draft,
    promotion_submit,
    promotion_withdraw,
)
from tests.factories import make_user

from .conftest import plan_input

pytestmark = pytest.mark.django_db
Status = PromotionPlan.Status


def submitted(world, **fields):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world, **fields))
    return promotion_submit(plan=plan, by=world.supervisor)


def rejected(world):
    return promotion_reject(plan=submitted(world), by=world.manager, reason="档期冲突")


def log(plan):
    return [(t.from_status, t.to_status, t.by, t.text) for t in plan.transitions.all()]


def snapshot(plan):
    """Everything a refused step must leave as it was."""
    plan = PromotionPlan.objects.get(pk=plan.pk)
    budget = Budget.objects.get()
    return (plan.status, plan.first_approved_by_id, log(plan), PromotionPlan.objects.count(), budget.consumed)


# --- withdraw ----------------------------------------------------------------------------------


def test_the_supervisor_withdraws_a_submitted_plan_to_draft_and_the_step_is_logged(world):
    plan = submitted(world)
    plan = promotion_withdraw(plan=plan, by=world.supervisor, reason="价格再议")
    assert plan.status == Status.DRAFT and plan.owner == world.rep  # still the rep's request
    assert log(plan)[-1] == ("submitted", "draft", world.supervisor, "价格再议")
    world.budget.refresh_from_db()
    assert world.budget.consumed == 0  # a submitted plan never consumed any of it
    # and the draft can be changed and submitted again
    plan = promotion_save_draft(user=world.rep, data=plan_input(world, title="夏季啤酒店促（改）"), plan=plan)
    assert promotion_submit(plan=plan, by=world.supervisor).status == Status.SUBMITTED


def test_withdrawing_after_a_first_approval_voids_it(world, settings):
    settings.KA = replace(settings.KA, promotion_second_approval_above=Decimal("500.00"))
    plan = promotion_approve(plan=submitted(world), by=world.manager)  # 520.00: the first of two approvals
    assert plan.first_approved_by == world.manager
    plan = promotion_withdraw(plan=plan, by=world.supervisor)
    assert plan.status == Status.DRAFT and plan.first_approved_by is None
    assert display_name(world.manager) in log(plan)[-1][3]  # the note says whose first approval went
    world.budget.refresh_from_db()
    assert world.budget.consumed == 0


@pytest.mark.parametrize("status", ["draft", "approved", "rejected"])
def test_withdrawing_is_refused_unless_submitted_naming_the_status_with_nothing_written(world, status):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    if status != "draft":
        plan = promotion_submit(plan=plan, by=world.supervisor)
    if status == "approved":
        plan = promotion_approve(plan=plan, by=world.manager)
    if status == "rejected":
        plan = promotion_reject(plan=plan, by=world.manager, reason="不同意")
    before = snapshot(plan)
    with pytest.raises(DomainError) as refused:
        promotion_withdraw(plan=plan, by=world.supervisor)
    assert refused.value.code == "promotion.withdraw_status"
    assert refused.value.params["status"] == status  # the code; the message names it (status_label)
    assert refused.value.params["status_label"] == PromotionPlan.Status(status).label
    assert snapshot(plan) == before


@pytest.mark.parametrize("who", ["supervisor", "manager", "admin"])
def test_who_submits_may_withdraw_the_reps_plan(world, who, admin_user):
    # Given the rep's request, submitted by their supervisor
    plan = submitted(world)
    user = {"supervisor": world.supervisor, "manager": world.manager, "admin": admin_user}[who]
    # When the supervisor, the account's KA manager or an admin withdraws it
    plan = promotion_withdraw(plan=plan, by=user)
    # Then it is a draft again, withdrawn by them
    assert plan.status == Status.DRAFT and log(plan)[-1][:3] == ("submitted", "draft", user)


def test_the_rep_who_drafted_it_may_not_withdraw_and_is_told_who_does(world):
    plan = submitted(world)
    before = snapshot(plan)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        promotion_withdraw(plan=plan, by=world.rep, reason="改价")
    assert refused.value.code == "promotion.rep_cannot_withdraw"
    assert refused.value.params == {"supervisor": display_name(world.supervisor)}
    with translation.override("en"):  # the detail is read in the language it is asked in
        assert str(refused.value.detail) == (
            f"A sales rep cannot withdraw a submitted plan; your supervisor, {display_name(world.supervisor)}, or the "
            "account's KA manager withdraws it to draft for you to change."
        )
    assert snapshot(plan) == before


def test_a_rep_without_a_supervisor_is_told_the_accounts_manager_withdraws(world):
    loner = make_user(Role.REP, username="rep_alone")
    plan = submitted(world)
    PromotionPlan.objects.filter(pk=plan.pk).update(owner=loner)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        promotion_withdraw(plan=plan, by=loner)
    with translation.override("en"):
        assert str(refused.value.detail) == (
            "A sales rep cannot withdraw a submitted plan; the account's KA manager withdraws it to draft for you to "
            "change."
        )
    assert PromotionPlan.objects.get(pk=plan.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("who", ["another_manager", "another_supervisor", "finance"])
def test_no_one_else_may_withdraw(world, who, finance):
    # another chain's KA manager, another team's supervisor, and finance (reads every plan, changes none)
    plan = submitted(world)
    before = snapshot(plan)
    users = {
        "another_manager": lambda: make_user(Role.MANAGER, username="mgr_other"),
        "another_supervisor": lambda: make_user(Role.SUPERVISOR, username="sup_other"),
        "finance": lambda: finance,
    }
    with pytest.raises(PermissionDenied):
        promotion_withdraw(plan=plan, by=users[who]())
    assert snapshot(plan) == before


# --- reopen ------------------------------------------------------------------------------------


def test_the_owner_reopens_a_rejected_plan_as_a_new_draft_that_keeps_the_history(world):
    old = rejected(world)
    draft = promotion_reopen(plan=old, by=world.rep)
    # the new draft: same account, stores, products and costs, linked to the rejected one
    assert draft.pk != old.pk and draft.status == Status.DRAFT and draft.owner == world.rep
    assert draft.reopened_from == old
    assert (draft.title, draft.start_on, draft.end_on, draft.total_cost) == (
        old.title,
        old.start_on,
        old.end_on,
        old.total_cost,
    )
    assert list(draft.stores.all()) == [world.store]
    assert [(i.product, i.promotion_price, i.forecast_volume) for i in draft.items.all()] == [
        (world.beer, Decimal("4.50"), 1000)
    ]
    # the rejected plan stays rejected with its whole log, plus a line saying where it went
    old.refresh_from_db()
    assert old.status == Status.REJECTED and old.rejection_reason == "档期冲突"
    assert log(old)[:3] == [
        ("", "draft", world.rep, ""),
        ("draft", "submitted", world.supervisor, ""),
        ("submitted", "rejected", world.manager, "档期冲突"),
    ]
    (_from, _to, by, note), *more = log(old)[3:]
    assert (_from, _to, by, more) == ("rejected", "rejected", world.rep, []) and str(draft.pk) in note
    ((_from, _to, by, note),) = log(draft)
    assert (_from, _to, by) == ("", "draft", world.rep) and str(old.pk) in note and "档期冲突" in note
    world.budget.refresh_from_db()
    assert world.budget.consumed == 0
    # and the new draft can be submitted and approved
    promotion_submit(plan=draft, by=world.supervisor)
    assert promotion_approve(plan=draft, by=world.manager).status == Status.APPROVED


def test_a_rejected_plan_is_reopened_once(world):
    old = rejected(world)
    draft = promotion_reopen(plan=old, by=world.rep)
    before = snapshot(old)
    with pytest.raises(DomainConflict) as refused:
        promotion_reopen(plan=old, by=world.rep)
    assert refused.value.code == "promotion.already_reopened" and refused.value.params["id"] == draft.pk
    assert snapshot(old) == before


@pytest.mark.parametrize("status", ["draft", "submitted", "approved"])
def test_reopening_is_refused_unless_rejected_with_nothing_written(world, status):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    if status != "draft":
        plan = promotion_submit(plan=plan, by=world.supervisor)
    if status == "approved":
        plan = promotion_approve(plan=plan, by=world.manager)
    before = snapshot(plan)
    with pytest.raises(DomainError) as refused:
        promotion_reopen(plan=plan, by=world.rep)
    assert refused.value.code == "promotion.reopen_status"
    assert refused.value.params["status"] == status
    assert refused.value.params["status_label"] == PromotionPlan.Status(status).label
    assert snapshot(plan) == before


def test_only_the_owner_may_reopen(world):
    old = rejected(world)
    before = snapshot(old)
    for user in (world.manager, world.supervisor, make_user(Role.REP, username="rep_other")):
        with pytest.raises(PermissionDenied):
            promotion_reopen(plan=old, by=user)
    assert snapshot(old) == before
    assert PromotionTransition.objects.filter(plan=old).count() == 3


# --- API ---------------------------------------------------------------------------------------


def test_api_withdraw_and_reopen(api_client, world):
    plan = submitted(world)
    api_client.force_authenticate(world.supervisor)  # who submitted it
    response = api_client.post(f"/api/v1/promotions/{plan.pk}/withdraw/", {"reason": "改价"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "draft"
    assert body["transitions"][-1] | {"at": None} == {
        "from_status": "submitted",
        "to_status": "draft",
        "step": "已提交 → 草稿",  # what happened, in the reader's language (Chinese by default)
        "by": "sup_w",
        "at": None,
        "note": "改价",
        "message": "",  # typed by a person: no system message
        "params": {},
    }
    again = api_client.post(f"/api/v1/promotions/{plan.pk}/withdraw/", {}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "promotion.withdraw_status"

    promotion_submit(plan=plan, by=world.supervisor)
    promotion_reject(plan=plan, by=world.manager, reason="档期冲突")
    api_client.force_authenticate(world.rep)  # the owner reopens their request
    response = api_client.post(f"/api/v1/promotions/{plan.pk}/reopen/")
    assert response.status_code == 201
    draft = response.json()
    assert draft["status"] == "draft" and draft["reopened_from"] == plan.pk and draft["id"] != plan.pk
    assert [(t["plan"], t["to_status"]) for t in draft["earlier_transitions"]] == [
        (plan.pk, "draft"),
        (plan.pk, "submitted"),
        (plan.pk, "draft"),
        (plan.pk, "submitted"),
        (plan.pk, "rejected"),
        (plan.pk, "rejected"),
    ]
    assert api_client.get(f"/api/v1/promotions/{plan.pk}/").json()["reopened_as"] == draft["id"]
    twice = api_client.post(f"/api/v1/promotions/{plan.pk}/reopen/")
    assert twice.status_code == 409 and twice.json()["code"] == "promotion.already_reopened"
    wrong = api_client.post(f"/api/v1/promotions/{draft['id']}/reopen/")
    assert wrong.status_code == 400 and wrong.json()["code"] == "promotion.reopen_status"


def test_api_who_may_not(api_client, world, finance):
    plan = submitted(world)
    stranger = make_user(Role.REP, username="rep_far")
    api_client.force_authenticate(stranger)  # another rep: the plan is not in reach
    assert api_client.post(f"/api/v1/promotions/{plan.pk}/withdraw/", {}, format="json").status_code == 404
    api_client.force_authenticate(world.rep)  # the owner, a sales rep: the rule's refusal, naming who withdraws
    refused = api_client.post(f"/api/v1/promotions/{plan.pk}/withdraw/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "promotion.rep_cannot_withdraw"
    assert refused.json()["params"] == {"supervisor": display_name(world.supervisor)}
    api_client.force_authenticate(finance)  # reads every plan, may change none
    assert api_client.post(f"/api/v1/promotions/{plan.pk}/withdraw/", {}, format="json").status_code == 403
    assert PromotionPlan.objects.get().status == Status.SUBMITTED
    promotion_reject(plan=plan, by=world.manager, reason="不同意")
    api_client.force_authenticate(stranger)
    assert api_client.post(f"/api/v1/promotions/{plan.pk}/reopen/").status_code == 404
    api_client.force_authenticate(world.manager)
    assert api_client.post(f"/api/v1/promotions/{plan.pk}/reopen/").status_code == 403
    assert PromotionPlan.objects.count() == 1
    assert PromotionPlan.objects.get().status == Status.REJECTED


# --- pages -------------------------------------------------------------------------------------


def test_the_withdraw_button_shows_for_who_submits_and_the_rep_is_told_who_withdraws(client, world):
    plan = submitted(world)
    client.force_login(world.supervisor)
    page = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="withdraw-form"' in page and "Withdraw to draft" in page
    assert 'data-testid="reopen-form"' not in page and 'data-testid="withdrawn-by-others"' not in page
    client.force_login(world.manager)  # who decides may also take it back (SPEC §1: a supervisor's steps too)
    page = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="withdraw-form"' in page and "Approve" in page
    client.force_login(world.rep)
    page = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="withdraw-form"' not in page and "Withdraw to draft" not in page
    note = html.unescape(page.split('data-testid="withdrawn-by-others">')[1].split("<")[0])
    assert note == (
        f"A sales rep cannot withdraw a submitted plan; your supervisor, {display_name(world.supervisor)}, or the "
        "account's KA manager withdraws it to draft for you to change."
    )
    client.force_login(world.supervisor)
    page = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "撤回为草稿" in page


def test_withdrawing_from_the_page(client, world):
    plan = submitted(world)
    client.force_login(world.supervisor)
    response = client.post(f"/promotions/{plan.pk}/withdraw/", {"reason": "改价"}, follow=True)
    assert PromotionPlan.objects.get(pk=plan.pk).status == Status.DRAFT
    page = response.content.decode()
    assert 'data-testid="withdraw-form"' not in page and "改价" in page
    # a second tap finds the plan in draft: refused with the message, nothing written
    response = client.post(f"/promotions/{plan.pk}/withdraw/", {}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert any("only a submitted plan" in str(m) for m in response.context["messages"])
    assert PromotionTransition.objects.filter(plan=plan).count() == 3


def test_the_rep_cannot_withdraw_from_the_page(client, world, finance):
    plan = submitted(world)
    client.force_login(world.rep)
    response = client.post(
        f"/promotions/{plan.pk}/withdraw/", {"reason": "改价"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"A sales rep cannot withdraw a submitted plan; your supervisor, {display_name(world.supervisor)}, or the "
        "account's KA manager withdraws it to draft for you to change."
    ]
    assert PromotionPlan.objects.get(pk=plan.pk).status == Status.SUBMITTED
    client.force_login(finance)
    assert client.post(f"/promotions/{plan.pk}/withdraw/").status_code == 403
    assert PromotionPlan.objects.get(pk=plan.pk).status == Status.SUBMITTED
    stranger = make_user(Role.REP, username="rep_far")
    client.force_login(stranger)
    assert client.post(f"/promotions/{plan.pk}/withdraw/").status_code == 404


def test_reopening_from_the_page_goes_to_the_new_draft_with_the_old_history(client, world):
    old = rejected(world)
    client.force_login(world.manager)
    page = client.get(f"/promotions/{old.pk}/").content.decode()
    assert 'data-testid="reopen-form"' not in page
    client.force_login(world.rep)
    page = client.get(f"/promotions/{old.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="reopen-form"' in page and "Reopen as a new draft" in page
    response = client.post(f"/promotions/{old.pk}/reopen/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    draft = PromotionPlan.objects.get(reopened_from=old)
    assert response.redirect_chain[-1][0] == f"/promotions/{draft.pk}/"
    page = response.content.decode()
    assert 'data-testid="reopened-from"' in page and 'data-testid="earlier-plan"' in page
    assert "档期冲突" in page  # the rejection, in the history kept below
    # the rejected plan links to its new draft and offers no second reopening
    page = client.get(f"/promotions/{old.pk}/").content.decode()
    assert 'data-testid="reopened-as"' in page and 'data-testid="reopen-form"' not in page
    assert client.post(f"/promotions/{old.pk}/reopen/").status_code == 302
    assert PromotionPlan.objects.count() == 2


# --- a date-driven status is today's -----------------------------------------------------------


def test_a_plan_approved_on_its_start_day_is_running_at_once(world, time_machine):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    plan = submitted(world, start=world.budget.period_start + timedelta(days=7))
    # the manager approves on the start day itself: no wait for the next night's date move
    time_machine.move_to(datetime(2026, 6, 8, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    plan = promotion_approve(plan=plan, by=world.manager)
    assert plan.status == Status.RUNNING
    assert [(t.from_status, t.to_status, t.by) for t in plan.transitions.all()][-2:] == [
        ("submitted", "approved", world.manager),
        ("approved", "running", None),
    ]
    world.budget.refresh_from_db()
    assert world.budget.consumed == plan.total_cost
