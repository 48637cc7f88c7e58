"""Promotions API: same rules, scope and steps as the pages; 400 with the rule, 409 for the budget."""

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.roles import Role
from ka_portal.scope import NOT_FOUND_TEXT
from promotions.models import PromotionPlan
from promotions.services import promotion_save_draft, promotion_submit
from tests.factories import KeyAccountFactory, make_user

from .conftest import TODAY, plan_input

pytestmark = pytest.mark.django_db


def body(world, *, days=14, price="4.50"):
    start = TODAY + timedelta(days=7)
    return {
        "title": "API 店促",
        "account": world.account.code,
        "type": world.in_store.pk,
        "all_stores": False,
        "stores": [world.store.code],
        "start_on": start.isoformat(),
        "end_on": (start + timedelta(days=days - 1)).isoformat(),
        "dm_fee": "500.00",
        "items": [{"product": world.beer.code, "promotion_price": price, "forecast_volume": 1000}],
    }


def test_a_rep_drafts_the_supervisor_submits_and_the_manager_approves(api_client, world):
    api_client.force_authenticate(world.rep)
    created = api_client.post("/api/v1/promotions/", body(world), format="json")
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert plan["status"] == "draft" and plan["total_cost"] == "520.00" and plan["violations"] == []
    api_client.force_authenticate(world.supervisor)  # SPEC §1: the rep drafts the request, the supervisor submits
    assert api_client.post(f"/api/v1/promotions/{plan['id']}/submit/").json()["status"] == "submitted"

    api_client.force_authenticate(world.manager)
    approved = api_client.post(f"/api/v1/promotions/{plan['id']}/approve/", {"note": "ok"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert [t["to_status"] for t in approved.json()["transitions"]] == ["draft", "submitted", "approved"]
    budget = api_client.get(f"/api/v1/budgets/{world.budget.pk}/").json()
    assert budget["remaining"] == "9480.00"


def test_a_broken_rule_answers_400_with_the_rules_message(api_client, world):
    api_client.force_authenticate(world.rep)
    plan = api_client.post("/api/v1/promotions/", body(world, days=29), format="json").json()
    assert plan["violations"][0]["code"] == "promotion.period"
    api_client.force_authenticate(world.supervisor)
    refused = api_client.post(f"/api/v1/promotions/{plan['id']}/submit/")
    assert refused.status_code == 400
    assert refused.json()["code"] == "promotion.period" and "29" in refused.json()["detail"]


def test_an_exhausted_budget_answers_409(api_client, world):
    world.budget.amount = Decimal("100.00")
    world.budget.save()
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)
    api_client.force_authenticate(world.manager)
    refused = api_client.post(f"/api/v1/promotions/{plan.pk}/approve/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "promotion.budget_exhausted" and refused.json()["params"]["left"] == "100.00"


@pytest.mark.parametrize("role", [Role.REP, Role.FINANCE])
def test_a_rep_or_finance_cannot_approve(api_client, world, role):
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)
    user = world.rep if role == Role.REP else make_user(Role.FINANCE, username="fin_x")
    api_client.force_authenticate(user)
    assert api_client.post(f"/api/v1/promotions/{plan.pk}/approve/", {}, format="json").status_code == 403
    assert PromotionPlan.objects.get(pk=plan.pk).status == "submitted"


def test_reject_needs_a_reason(api_client, world):
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)
    api_client.force_authenticate(world.manager)
    assert api_client.post(f"/api/v1/promotions/{plan.pk}/reject/", {}, format="json").status_code == 400
    rejected = api_client.post(f"/api/v1/promotions/{plan.pk}/reject/", {"reason": "档期冲突"}, format="json")
    assert rejected.json()["status"] == "rejected" and rejected.json()["rejection_reason"] == "档期冲突"


def test_out_of_scope_is_404_and_lists_only_what_is_reachable(api_client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    stranger = make_user(Role.REP, username="rep_far")
    api_client.force_authenticate(stranger)
    assert api_client.get(f"/api/v1/promotions/{plan.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/promotions/{plan.pk}/submit/").status_code == 404
    assert api_client.get("/api/v1/promotions/").json()["count"] == 0
    other_manager = make_user(Role.MANAGER, username="mgr_far")
    api_client.force_authenticate(other_manager)
    assert api_client.post(f"/api/v1/promotions/{plan.pk}/approve/", {}, format="json").status_code == 404
    assert api_client.get(f"/api/v1/budgets/{world.budget.pk}/").status_code == 404


def test_a_rep_cannot_draft_for_someone_elses_store(api_client, world):
    from tests.factories import StoreFactory

    other = StoreFactory(account=world.account)
    api_client.force_authenticate(world.rep)
    refused = api_client.post("/api/v1/promotions/", {**body(world), "stores": [other.code]}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"]["stores"] == [str(NOT_FOUND_TEXT)]
    assert not PromotionPlan.objects.exists()
    assert other.name not in refused.content.decode() and other.code not in refused.content.decode()


def test_only_a_draft_can_be_changed(api_client, world):
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)
    api_client.force_authenticate(world.rep)
    refused = api_client.put(f"/api/v1/promotions/{plan.pk}/", body(world), format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "promotion.not_editable"


def test_the_manager_sets_a_budget_and_cannot_overlap_or_go_below_consumed(api_client, world):
    api_client.force_authenticate(world.manager)
    period = {"account": world.account.code, "period_start": "2026-09-01", "period_end": "2026-09-30"}
    created = api_client.post("/api/v1/budgets/", {**period, "amount": "3000.00"}, format="json")
    assert created.status_code == 201 and created.json()["remaining"] == "3000.00"
    overlap = api_client.post("/api/v1/budgets/", {**period, "amount": "1.00"}, format="json")
    assert overlap.status_code == 400 and overlap.json()["code"] == "budget.overlap"
    world.budget.consumed = Decimal("600.00")
    world.budget.save()
    lower = api_client.patch(f"/api/v1/budgets/{world.budget.pk}/", {"amount": "500.00"}, format="json")
    assert lower.status_code == 400 and lower.json()["params"]["consumed"] == "600.00"


def test_a_budget_keeps_the_period_and_account_its_approved_plans_drew_on(api_client, world):
    # A budget shrunk away from its plans would go on carrying their cost while the budget that holds them
    # showed nothing spent, and a new plan could be approved against it as if nothing were.
    api_client.force_authenticate(world.rep)
    plan = api_client.post("/api/v1/promotions/", body(world), format="json").json()  # starts 2026-06-08
    api_client.force_authenticate(world.manager)
    api_client.post(f"/api/v1/promotions/{plan['id']}/submit/")
    assert api_client.post(f"/api/v1/promotions/{plan['id']}/approve/").json()["status"] == "approved"
    url = f"/api/v1/budgets/{world.budget.pk}/"

    later_quarter = {"period_start": "2026-07-01", "period_end": "2026-09-30"}
    later = api_client.patch(url, later_quarter, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert later.status_code == 400 and later.json()["code"] == "budget.plans_outside"
    assert later.json()["field"] == "period_start" and "“API 店促” (2026-06-08)" in later.json()["detail"]
    earlier = api_client.patch(url, {"period_start": "2026-03-01", "period_end": "2026-05-31"}, format="json")
    assert earlier.status_code == 400 and earlier.json()["field"] == "period_end"
    other = KeyAccountFactory(code="CRF", name="家乐福", owner=world.manager)
    moved = api_client.patch(url, {"account": other.code}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert moved.status_code == 400 and moved.json()["field"] == "account" and "stays with" in moved.json()["detail"]
    world.budget.refresh_from_db()
    assert (world.budget.account, world.budget.period_start.isoformat()) == (world.account, "2026-06-01")

    # a period that still holds the plan is fine
    shorter = api_client.patch(url, {"period_start": "2026-06-01", "period_end": "2026-06-30"}, format="json")
    assert shorter.status_code == 200, shorter.json()


def test_finance_reads_budgets_but_cannot_set_them(api_client, world, finance):
    api_client.force_authenticate(finance)
    assert api_client.get("/api/v1/budgets/").json()["count"] == 1
    period = {"account": world.account.code, "period_start": "2026-09-01", "period_end": "2026-09-30", "amount": "1"}
    assert api_client.post("/api/v1/budgets/", period, format="json").status_code == 403


def test_types_are_listed_for_everyone_and_edited_by_admins_only(api_client, world, admin_user):
    api_client.force_authenticate(world.rep)
    types = api_client.get("/api/v1/promotion-types/").json()
    assert {t["code"] for t in types} >= {"IN_STORE", "DM"}
    assert (
        api_client.patch(f"/api/v1/promotion-types/{world.dm.pk}/", {"max_days": 20}, format="json").status_code == 403
    )
    api_client.force_authenticate(admin_user)
    assert (
        api_client.patch(f"/api/v1/promotion-types/{world.dm.pk}/", {"max_days": 21}, format="json").json()["max_days"]
        == 21
    )


def test_the_plan_list_runs_a_fixed_number_of_queries(api_client, world, django_assert_max_num_queries):
    for n in range(6):
        promotion_save_draft(user=world.rep, data=plan_input(world, title=f"P{n}"))
    api_client.force_authenticate(world.manager)
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/promotions/")
    assert response.json()["count"] == 6


def test_the_schema_documents_the_steps(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/promotions/{id}/approve/" in schema["paths"]
    assert "409" in schema["paths"]["/api/v1/promotions/{id}/approve/"]["post"]["responses"]


def test_the_budget_list_runs_a_fixed_number_of_queries(api_client, world, django_assert_max_num_queries):
    from .factories import BudgetFactory

    for month in range(9, 13):
        BudgetFactory(account=world.account, period_start=f"2026-{month:02d}-01", period_end=f"2026-{month:02d}-28")
    api_client.force_authenticate(world.manager)
    with django_assert_max_num_queries(6):
        response = api_client.get("/api/v1/budgets/")
    assert response.json()["count"] == 5
    assert all(b["remaining"] == b["amount"] for b in response.json()["results"])


def test_a_step_refused_by_the_plans_status_names_it_the_same_in_every_language(api_client, world):
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)
    api_client.force_authenticate(world.manager)
    assert api_client.post(f"/api/v1/promotions/{plan.pk}/approve/", {}, format="json").status_code == 200
    for language, label in (("en", "Approved"), ("zh-hans", "已批准")):
        refused = api_client.post(f"/api/v1/promotions/{plan.pk}/submit/", HTTP_ACCEPT_LANGUAGE=language).json()
        assert refused["code"] == "promotion.wrong_status" and refused["params"]["status"] == "approved"
        assert label in refused["detail"]
