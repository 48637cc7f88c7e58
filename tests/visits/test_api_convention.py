"""The visits API names master data by code and people by username, within the caller's scope (issue 11 items 2–4).

A store, product or account code outside the caller's scope is refused exactly like one that does not exist
("Not found."); visits, route stops and tasks are named by id, also within scope; a task created twice with one
Idempotency-Key is one task.
"""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from visits.models import Task, Visit

from .factories import RoutePlanFactory, RouteStopFactory, SuggestedOrderFactory, TaskFactory, VisitFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def people():
    sup = make_user(Role.SUPERVISOR, username="sup_conv")
    rep = make_user(Role.REP, username="rep_conv", supervisor=sup)
    other = make_user(Role.REP, username="rep_elsewhere")
    return sup, rep, other


def test_a_visit_names_its_store_and_products_by_code_and_its_rep_by_username(api_client, people):
    _sup, rep, _other = people
    store = StoreFactory(rep=rep, code="S-CONV-1")
    beer, chips = ProductFactory(code="BEER-1", packs_per_case=12), ProductFactory(code="CHIPS-1")
    ListingFactory(store=store, product=beer)
    ListingFactory(store=store, product=chips)
    api_client.force_authenticate(rep)

    created = api_client.post(
        "/api/v1/visits/",
        {
            "store": "S-CONV-1",
            "stock_counts": [{"product": "BEER-1", "quantity": "1/2"}, {"product": "CHIPS-1", "not_counted": True}],
        },
        format="json",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["store"], body["rep"]) == ("S-CONV-1", "rep_conv")
    assert body["stock_counts"] == [{"product": "BEER-1", "packs": 14, "quantity": "1/2"}]
    assert body["not_counted"] == ["CHIPS-1"]
    listed = api_client.get("/api/v1/visits/", {"store": "S-CONV-1"}).json()
    assert [v["id"] for v in listed["results"]] == [body["id"]]


@pytest.mark.parametrize("whose", ["another rep's", "no one's"])
def test_a_store_code_outside_the_reps_scope_is_not_found_and_nothing_is_written(api_client, people, whose):
    _sup, rep, other = people
    code = StoreFactory(rep=other).code if whose == "another rep's" else "NO-SUCH-STORE"
    api_client.force_authenticate(rep)

    refused = api_client.post("/api/v1/visits/", {"store": code}, format="json", **EN)

    assert refused.status_code == 400
    assert refused.json()["errors"]["store"] == ["Not found."]
    assert code not in refused.content.decode()
    assert not Visit.objects.exists()


def test_a_store_id_is_no_longer_a_store(api_client, people):
    _sup, rep, _other = people
    store = StoreFactory(rep=rep)
    api_client.force_authenticate(rep)

    refused = api_client.post("/api/v1/visits/", {"store": store.pk}, format="json", **EN)

    assert refused.status_code == 400 and refused.json()["errors"]["store"] == ["Not found."]


def test_a_product_code_in_a_count_is_a_product_of_the_catalogue_listed_in_the_store(api_client, people):
    _sup, rep, _other = people
    visit = VisitFactory(rep=rep)
    api_client.force_authenticate(rep)

    unknown = api_client.patch(
        f"/api/v1/visits/{visit.pk}/", {"stock_counts": [{"product": "NOPE", "packs": 1}]}, format="json", **EN
    )
    unlisted = api_client.patch(
        f"/api/v1/visits/{visit.pk}/",
        {"stock_counts": [{"product": ProductFactory().code, "packs": 1}]},
        format="json",
        **EN,
    )

    assert unknown.status_code == 400 and unknown.json()["detail"] == "Not found."
    assert unlisted.status_code == 400 and unlisted.json()["code"] == "visit.not_listed"
    assert not visit.stock_counts.exists()


def test_a_route_stop_of_another_rep_is_not_found(api_client, people):
    _sup, rep, other = people
    store = StoreFactory(rep=rep)
    foreign_stop = RouteStopFactory(plan=RoutePlanFactory(rep=other), store=StoreFactory(rep=other))
    api_client.force_authenticate(rep)

    refused = api_client.post(
        "/api/v1/visits/", {"store": store.code, "route_stop": foreign_stop.pk}, format="json", **EN
    )

    assert refused.status_code == 400 and refused.json()["errors"]["route_stop"] == ["Not found."]
    assert not Visit.objects.exists()


def test_a_route_plan_names_its_rep_by_username_and_its_stores_by_code(api_client, people):
    sup, rep, _other = people
    plan = RoutePlanFactory(rep=rep)
    RouteStopFactory(plan=plan, store=StoreFactory(rep=rep, code="S-ROUTE-1"))
    api_client.force_authenticate(sup)

    mine = api_client.get("/api/v1/routes/", {"rep": "rep_conv"}).json()["results"]
    outside = api_client.get("/api/v1/routes/", {"rep": "rep_elsewhere"}, **EN)

    assert [(p["rep"], [s["store"] for s in p["stops"]]) for p in mine] == [("rep_conv", ["S-ROUTE-1"])]
    assert outside.status_code == 400 and "rep_elsewhere" not in outside.content.decode()


def _days_on(days: int) -> str:
    """A due day to come (a task due in the past is refused: visits.rules.task_due_on)."""
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_tasks_take_and_show_the_store_by_code_and_filter_by_it(api_client, people):
    sup, rep, other = people
    mine, theirs = StoreFactory(rep=rep, code="S-TASK-1"), StoreFactory(rep=other, code="S-TASK-2")
    TaskFactory(store=theirs)
    api_client.force_authenticate(sup)

    created = api_client.post(
        "/api/v1/tasks/", {"store": "S-TASK-1", "title": "检查堆头", "due_on": _days_on(7)}, format="json"
    )
    foreign = api_client.post(
        "/api/v1/tasks/", {"store": "S-TASK-2", "title": "x", "due_on": _days_on(7)}, format="json", **EN
    )
    listed = api_client.get("/api/v1/tasks/", {"store": "S-TASK-1"}).json()["results"]
    filtered_outside = api_client.get("/api/v1/tasks/", {"store": "S-TASK-2"})

    assert created.status_code == 201
    assert (created.json()["store"], created.json()["assigned_by"]) == ("S-TASK-1", "sup_conv")
    assert foreign.status_code == 400 and foreign.json()["errors"]["store"] == ["Not found."]
    assert [t["id"] for t in listed] == [created.json()["id"]]
    assert filtered_outside.status_code == 400
    assert list(Task.objects.values_list("store", flat=True).order_by("id")) == [theirs.pk, mine.pk]


def test_completing_a_task_at_another_reps_visit_is_not_found(api_client, people):
    _sup, rep, other = people
    store = StoreFactory(rep=rep)
    task = TaskFactory(store=store)
    foreign_visit = VisitFactory(rep=other)
    api_client.force_authenticate(rep)

    refused = api_client.post(f"/api/v1/tasks/{task.pk}/complete/", {"visit": foreign_visit.pk}, format="json", **EN)

    assert refused.status_code == 400 and refused.json()["errors"]["visit"] == ["Not found."]
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_the_same_idempotency_key_makes_one_task_and_answers_the_same(api_client, people):
    sup, rep, _other = people
    store = StoreFactory(rep=rep)
    api_client.force_authenticate(sup)
    key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    body = {"store": store.code, "title": "补货", "due_on": _days_on(7)}

    first = api_client.post("/api/v1/tasks/", body, format="json", **key)
    again = api_client.post("/api/v1/tasks/", body, format="json", **key)
    changed = api_client.post("/api/v1/tasks/", {**body, "title": "换价签"}, format="json", **key)

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert changed.status_code == 422 and changed.json()["differs"] == ["title"]
    assert Task.objects.count() == 1


def test_suggested_orders_filter_by_account_store_and_product_code(api_client, people):
    _sup, rep, other = people
    account = KeyAccountFactory(code="KA-CONV")
    store = StoreFactory(rep=rep, account=account, code="S-SO-1")
    product = ProductFactory(code="P-SO-1")
    SuggestedOrderFactory(store=store, product=product)
    SuggestedOrderFactory(store=store)
    SuggestedOrderFactory(store=StoreFactory(rep=rep))
    foreign_account = StoreFactory(rep=other).account
    api_client.force_authenticate(rep)

    def codes(**query):
        rows = api_client.get("/api/v1/suggested-orders/", query).json()["results"]
        return sorted((row["store"], row["product"]) for row in rows)

    assert len(codes(account="KA-CONV")) == 2
    assert codes(store="S-SO-1", product="P-SO-1") == [("S-SO-1", "P-SO-1")]
    outside = api_client.get("/api/v1/suggested-orders/", {"account": foreign_account.code})
    assert outside.status_code == 400 and foreign_account.code not in outside.content.decode()
