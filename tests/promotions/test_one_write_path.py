"""One write path per rule: a plan of five products, a second send and a foreign reference are refused the
same way on every door — the API's create and update, the page and the admin — and nothing is written."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils.html import escape
from django.utils.translation import gettext

from accounts.roles import Role
from ka_portal.errors import DomainConflict
from ka_portal.scope import NOT_FOUND_TEXT
from promotions.models import Budget, PromotionItem, PromotionPlan, PromotionTransition, PromotionType
from promotions.rules import MAX_PRODUCTS, too_many_products
from promotions.services import ItemInput, promotion_reject, promotion_save_draft, promotion_submit
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

from .conftest import plan_input
from .test_api import body
from .test_views import form_data

pytestmark = pytest.mark.django_db

TOO_MANY = "promotion.too_many_products"


@pytest.fixture
def five(world):
    """Five listed products at the rep's store: one more than a plan may hold."""
    extra = [ProductFactory(code=f"P90{n}", suggested_retail_price=Decimal("9.00")) for n in range(3)]
    for product in extra:
        ListingFactory(store=world.store, product=product, purchase_price=Decimal("5.00"), shelf_price=Decimal("9.00"))
    return [world.beer, world.chips, *extra]


def five_items(products):
    return [{"product": p.code, "promotion_price": "4.50", "forecast_volume": 10} for p in products]


def draft_of_five(world, products) -> PromotionPlan:
    """A draft of five products written before the limit was the service's: only the ORM can still make one."""
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    PromotionItem.objects.bulk_create(
        PromotionItem(plan=plan, product=p, normal_price=Decimal("9.00"), promotion_price=Decimal("8.50"))
        for p in products[1:]
    )
    return plan


def too_many_text() -> str:
    return escape(too_many_products(MAX_PRODUCTS + 1).detail)


# --- five products --------------------------------------------------------------------------------


def test_the_api_create_refuses_five_products_and_writes_nothing(api_client, world, five):
    api_client.force_authenticate(world.rep)
    refused = api_client.post("/api/v1/promotions/", {**body(world), "items": five_items(five)}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == TOO_MANY and refused.json()["params"] == {"limit": 4, "count": 5}
    assert not PromotionPlan.objects.exists() and not PromotionItem.objects.exists()


def test_the_api_update_refuses_five_products_and_keeps_the_draft(api_client, world, five):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    api_client.force_authenticate(world.rep)
    refused = api_client.put(
        f"/api/v1/promotions/{plan.pk}/", {**body(world), "items": five_items(five)}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == TOO_MANY
    assert list(plan.items.values_list("product__code", flat=True)) == ["P001"]


def test_the_page_refuses_five_products_with_the_rules_message_and_writes_nothing(client, world, five):
    client.force_login(world.rep)
    rows = {"items-TOTAL_FORMS": "5", "items-MAX_NUM_FORMS": "4"}
    for n, product in enumerate(five):
        rows |= {
            f"items-{n}-product": product.code,
            f"items-{n}-promotion_price": "4.50",
            f"items-{n}-forecast_volume": "10",
        }
    page = client.post("/promotions/new/", {**form_data(world), **rows, "submit": "1"})
    assert page.status_code == 200 and too_many_text() in page.content.decode()
    assert not PromotionPlan.objects.exists()


def test_the_service_refuses_five_products_for_every_caller(world, five):
    items = [ItemInput(p, Decimal("4.50"), 10) for p in five]
    with pytest.raises(Exception) as refused:
        promotion_save_draft(user=world.rep, data=plan_input(world, items=items))
    assert refused.value.code == TOO_MANY
    assert not PromotionPlan.objects.exists()


def test_the_admin_submit_action_refuses_a_plan_of_five_products_kept_from_before(client, world, five, admin_user):
    plan = draft_of_five(world, five)
    client.force_login(admin_user)
    page = client.post(
        "/admin/promotions/promotionplan/", {"action": "submit_plans", "_selected_action": [plan.pk]}, follow=True
    )
    assert too_many_text() in page.content.decode()
    assert PromotionPlan.objects.get(pk=plan.pk).status == "draft"
    assert not PromotionTransition.objects.filter(plan=plan, to_status="submitted").exists()


def test_the_api_submit_refuses_a_plan_of_five_products_kept_from_before(api_client, world, five):
    plan = draft_of_five(world, five)
    api_client.force_authenticate(world.supervisor)
    refused = api_client.post(f"/api/v1/promotions/{plan.pk}/submit/")
    assert refused.status_code == 400 and refused.json()["code"] == TOO_MANY
    assert PromotionPlan.objects.get(pk=plan.pk).status == "draft"


# --- sent twice -----------------------------------------------------------------------------------


def test_a_plan_submitted_twice_is_submitted_once(api_client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    api_client.force_authenticate(world.supervisor)
    first = api_client.post(f"/api/v1/promotions/{plan.pk}/submit/")
    second = api_client.post(f"/api/v1/promotions/{plan.pk}/submit/")
    assert first.status_code == 200 and first.json()["status"] == "submitted"
    assert second.status_code == 400 and second.json()["code"] == "promotion.wrong_status"
    assert PromotionTransition.objects.filter(plan=plan, to_status="submitted").count() == 1


def test_the_page_submit_pressed_twice_submits_once(client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    client.force_login(world.supervisor)
    client.post(f"/promotions/{plan.pk}/submit/")
    again = client.post(f"/promotions/{plan.pk}/submit/", follow=True)
    assert "已提交" in again.content.decode() or "submitted" in again.content.decode()
    assert PromotionTransition.objects.filter(plan=plan, to_status="submitted").count() == 1


def test_the_same_form_sent_from_a_new_session_is_still_one_plan(world):
    # The guard is the plan's row, not the browser session: a second session (another tab after a
    # re-login, a retry by a proxy) sending the same form finds the first plan.
    first, second = Client(), Client()
    first.force_login(world.supervisor)  # "Save and submit": a supervisor's (a rep saves drafts)
    second.force_login(world.supervisor)
    data = {**form_data(world, form_token=uuid.uuid4().hex), "submit": "1"}
    created = first.post("/promotions/new/", data)
    again = second.post("/promotions/new/", data)
    plan = PromotionPlan.objects.get()
    assert created.url == again.url == f"/promotions/{plan.pk}/"
    assert plan.status == "submitted"
    assert PromotionTransition.objects.filter(plan=plan, to_status="submitted").count() == 1


def test_the_service_refuses_a_second_draft_with_the_same_client_key(world):
    first = promotion_save_draft(user=world.rep, data=plan_input(world), client_key="k-1")
    with pytest.raises(DomainConflict) as refused:
        promotion_save_draft(user=world.rep, data=plan_input(world), client_key="k-1")
    assert refused.value.code == "promotion.already_saved" and refused.value.params == {"id": first.pk}
    assert PromotionPlan.objects.count() == 1


# --- references by code ---------------------------------------------------------------------------


def test_a_plan_names_its_account_stores_and_products_by_code(api_client, world):
    api_client.force_authenticate(world.rep)
    created = api_client.post("/api/v1/promotions/", body(world), format="json").json()
    assert created["account"] == "WMT" and created["stores"] == [world.store.code]
    assert created["items"][0]["product"] == "P001" and created["owner"] == "rep_w"


@pytest.mark.parametrize("field", ["account", "stores", "product"])
def test_a_foreign_code_is_not_found_and_nothing_is_written(api_client, world, field):
    stranger = KeyAccountFactory(code="CRF", owner=make_user(Role.MANAGER, username="mgr_far"))
    far_store = StoreFactory(account=stranger, code="S-FAR")
    api_client.force_authenticate(world.rep)
    sent = body(world)
    if field == "account":
        sent["account"] = stranger.code
    elif field == "stores":
        sent["stores"] = [far_store.code]
    else:
        sent["items"][0]["product"] = "NO-SUCH"
    refused = api_client.post("/api/v1/promotions/", sent, format="json")
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    found = errors["items"]["0"]["product"] if field == "product" else errors[field]
    assert found == [str(NOT_FOUND_TEXT)]
    assert "CRF" not in refused.content.decode() and "S-FAR" not in refused.content.decode()
    assert not PromotionPlan.objects.exists()


def test_the_plan_list_filters_by_codes(api_client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    other = KeyAccountFactory(code="CRF", owner=world.manager)
    api_client.force_authenticate(world.manager)
    listed = api_client.get("/api/v1/promotions/", {"account": "WMT", "store": world.store.code, "product": "P001"})
    assert [p["id"] for p in listed.json()["results"]] == [plan.pk]
    assert api_client.get("/api/v1/promotions/", {"account": other.code}).json()["results"] == []
    assert api_client.get("/api/v1/promotions/", {"product": "P101"}).json()["results"] == []


def test_a_budget_names_its_account_by_code_and_a_foreign_one_is_not_found(api_client, world):
    far = KeyAccountFactory(code="CRF", owner=make_user(Role.MANAGER, username="mgr_far"))
    api_client.force_authenticate(world.manager)
    listed = api_client.get("/api/v1/budgets/", {"account": "WMT", "on": "2026-07-01"}).json()["results"]
    assert [(b["id"], b["account"]) for b in listed] == [(world.budget.pk, "WMT")]
    period = {"period_start": "2026-09-01", "period_end": "2026-09-30", "amount": "100.00"}
    refused = api_client.post("/api/v1/budgets/", {**period, "account": far.code}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"]["account"] == [str(NOT_FOUND_TEXT)]
    assert not Budget.objects.filter(account=far).exists()


# --- Idempotency-Key on every create --------------------------------------------------------------


def test_a_budget_create_sent_twice_with_one_key_is_one_budget(api_client, world):
    api_client.force_authenticate(world.manager)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    sent = {"account": "WMT", "period_start": "2026-09-01", "period_end": "2026-09-30", "amount": "800.00"}
    first = api_client.post("/api/v1/budgets/", sent, format="json", headers=key)
    again = api_client.post("/api/v1/budgets/", sent, format="json", headers=key)
    changed = api_client.post("/api/v1/budgets/", {**sent, "amount": "900.00"}, format="json", headers=key)
    assert (first.status_code, again.status_code, changed.status_code) == (201, 201, 422)
    assert first.content == again.content and changed.json()["differs"] == ["amount"]
    assert Budget.objects.filter(account=world.account, period_start="2026-09-01").count() == 1


def test_a_promotion_type_create_sent_twice_with_one_key_is_one_type(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    sent = {"code": "TASTE", "kind": "in_store", "name": "试吃", "periods_allowed": 1}
    first = api_client.post("/api/v1/promotion-types/", sent, format="json", headers=key)
    again = api_client.post("/api/v1/promotion-types/", sent, format="json", headers=key)
    assert (first.status_code, again.status_code) == (201, 201) and first.content == again.content
    assert PromotionType.objects.filter(code="TASTE").count() == 1


def test_a_reopen_sent_twice_with_one_key_is_one_draft(api_client, world):
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)
    promotion_reject(plan=plan, by=world.manager, reason="档期冲突")
    api_client.force_authenticate(world.rep)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api_client.post(f"/api/v1/promotions/{plan.pk}/reopen/", headers=key)
    again = api_client.post(f"/api/v1/promotions/{plan.pk}/reopen/", headers=key)
    assert (first.status_code, again.status_code) == (201, 201) and first.content == again.content
    assert PromotionPlan.objects.filter(reopened_from=plan).count() == 1


# --- types through the service, invariants in the database ----------------------------------------


def test_a_type_in_use_is_not_deleted(api_client, world, admin_user):
    promotion_save_draft(user=world.rep, data=plan_input(world))
    api_client.force_authenticate(admin_user)
    refused = api_client.delete(f"/api/v1/promotion-types/{world.in_store.pk}/")
    assert refused.status_code == 409 and refused.json()["code"] == "promotion_type.in_use"
    assert PromotionType.objects.filter(pk=world.in_store.pk).exists()


def test_the_admin_saves_a_type_through_the_service(client, admin_user):
    client.force_login(admin_user)
    sent = {"code": "TASTE", "kind": "in_store", "name": "试吃", "periods_allowed": "1"}
    client.post("/admin/promotions/promotiontype/add/", sent)
    assert PromotionType.objects.get(code="TASTE").name == "试吃"


def test_the_admin_saves_a_budget_through_the_service(client, world, admin_user):
    client.force_login(admin_user)
    sent = {"account": world.account.pk, "period_start": "2026-09-01", "period_end": "2026-09-30", "amount": "700"}
    client.post("/admin/promotions/budget/add/", sent)
    assert Budget.objects.get(account=world.account, period_start="2026-09-01").amount == Decimal("700.00")


@pytest.mark.parametrize(
    ("model", "change"),
    [
        (PromotionPlan, {"dm_fee": Decimal("-1")}),
        (PromotionPlan, {"total_cost": Decimal("-0.01")}),
        (PromotionPlan, {"company_share": Decimal("1.5")}),
        (Budget, {"amount": Decimal("-1"), "consumed": Decimal("-2")}),
        (PromotionItem, {"promotion_price": Decimal("-1")}),
        (PromotionType, {"periods_allowed": 0}),
    ],
)
def test_the_database_refuses_what_no_door_may_write(world, model, change):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    row = {PromotionPlan: plan, Budget: world.budget, PromotionItem: plan.items.first(), PromotionType: world.dm}[model]
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**change)


def test_a_dates_reversed_plan_is_refused_by_the_service_on_the_page(client, world):
    client.force_login(world.rep)
    start = world.budget.period_start + timedelta(days=10)
    sent = {**form_data(world), "start_on": start.isoformat(), "end_on": (start - timedelta(days=1)).isoformat()}
    page = client.post("/promotions/new/", sent)
    assert page.status_code == 200 and not PromotionPlan.objects.exists()
    said = gettext("The end date %(end)s is before the start date %(start)s.") % {
        "end": (start - timedelta(days=1)).isoformat(),
        "start": start.isoformat(),
    }
    assert escape(said) in page.content.decode()  # the rule's words, as the service says them
