"""API: /api/v1/routes/, visits/ (idempotent create by uuid, nested checklist and stock), tasks/, suggested-orders/."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from visits.models import RoutePlan, Task, Visit

from .factories import (
    RoutePlanFactory,
    RouteStopFactory,
    SuggestedOrderFactory,
    TaskFactory,
    VisitFactory,
    complete_visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    sup = make_user(Role.SUPERVISOR, username="sup_api")
    rep = make_user(Role.REP, username="rep_api", supervisor=sup)
    other = make_user(Role.REP, username="rep_other")
    return sup, rep, other


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_repeated_post_with_the_same_uuid_answers_the_first_response(api_client, people):
    _sup, rep, _other = people
    store = StoreFactory(rep=rep)
    product = ProductFactory(packs_per_case=12)
    ListingFactory(store=store, product=product)
    body = {
        "uuid": str(uuid.uuid4()),
        "store": store.code,
        "checklist": [{"item": "tidy", "result": "fail"}],
        "stock_counts": [{"product": product.code, "quantity": "1/1"}],
    }
    client = _as(api_client, rep)

    first = client.post("/api/v1/visits/", body, format="json")
    again = client.post("/api/v1/visits/", body, format="json")

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert Visit.objects.count() == 1
    data = first.json()
    assert data["checklist"] == [{"item": "tidy", "result": "fail"}]
    assert data["stock_counts"] == [{"product": product.code, "packs": 13, "quantity": "1/1"}]
    assert (data["rating"], data["rating_reasons"]) == ("", [])  # open: rated at its check-out


def test_bad_quantity_is_refused_with_the_field(api_client, people):
    _sup, rep, _other = people
    store = StoreFactory(rep=rep)
    product = ProductFactory(packs_per_case=12)
    ListingFactory(store=store, product=product)
    response = _as(api_client, rep).post(
        "/api/v1/visits/",
        {"store": store.code, "stock_counts": [{"product": product.code, "quantity": "0/12"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "12" in response.json()["detail"]
    assert not Visit.objects.exists()


def test_packs_and_quantity_sent_together_must_agree_and_errors_name_the_row_sent(api_client, people):
    # A client echoing a count back sends both; one whose cases/packs box disagrees with a stale packs was stored
    # as the packs, the quantity dropped without a word.
    _sup, rep, _other = people
    store = StoreFactory(rep=rep)
    beer, chips = ProductFactory(packs_per_case=12), ProductFactory(packs_per_case=10)
    ListingFactory(store=store, product=beer)
    ListingFactory(store=store, product=chips)
    client = _as(api_client, rep)
    rows = [{"product": chips.code, "not_counted": True}, {"product": beer.code, "packs": 5, "quantity": "1/1"}]
    refused = client.post("/api/v1/visits/", {"store": store.code, "stock_counts": rows}, format="json",
                          HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert refused.status_code == 400
    assert refused.json()["errors"]["stock_counts"]["1"]["quantity"] == [
        "1/1 is 13 packs, not the 5 packs sent: send one of the two."
    ]
    assert not Visit.objects.exists()

    rows[1] = {"product": beer.code, "packs": 13, "quantity": "1/1"}  # alike: taken
    made = client.post("/api/v1/visits/", {"store": store.code, "stock_counts": rows}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["stock_counts"] == [{"product": beer.code, "packs": 13, "quantity": "1/1"}]

    # a bad quantity after a not-counted row is named at its own place (was the place among counted rows)
    again = [rows[0], {"product": beer.code, "quantity": "0/12"}]
    bad = client.patch(f"/api/v1/visits/{made.json()['id']}/", {"stock_counts": again}, format="json")
    assert bad.status_code == 400 and "1" in bad.json()["errors"]["stock_counts"]


def test_a_count_row_with_nothing_in_it_is_refused_in_the_callers_language(api_client, people):
    _sup, rep, _other = people
    store = StoreFactory(rep=rep)
    beer = ProductFactory()
    ListingFactory(store=store, product=beer)
    response = _as(api_client, rep).post(
        "/api/v1/visits/", {"store": store.code, "stock_counts": [{"product": beer.code}]}, format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # fmt: skip
    assert response.status_code == 400 and "packs、quantity 或 not_counted" in str(response.json())


def test_rep_cannot_create_a_visit_at_another_reps_store(api_client, people):
    _sup, rep, other = people
    response = _as(api_client, rep).post("/api/v1/visits/", {"store": StoreFactory(rep=other).code}, format="json")
    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_patch_records_and_check_out_closes(api_client, people):
    _sup, rep, _other = people
    visit = VisitFactory(rep=rep)
    client = _as(api_client, rep)
    patched = client.patch(
        f"/api/v1/visits/{visit.pk}/", {"promotion_executed": False, "problems": "促销未执行"}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["rating"] == ""  # open: not rated yet, in a read of it too
    assert client.get(f"/api/v1/visits/{visit.pk}/").json()["rating"] == ""
    assert client.get("/api/v1/visits/", {"rating": "green"}).json()["results"] == []
    complete_visit(visit)
    closed = client.post(f"/api/v1/visits/{visit.pk}/check-out/")
    assert closed.json()["checked_out_at"] is not None
    assert closed.json()["rating"] == "red"  # rated at the check-out: the promotion not executed
    refused = client.patch(f"/api/v1/visits/{visit.pk}/", {"problems": "later"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "visit.closed"


@pytest.mark.parametrize(
    "url",
    ["/api/v1/visits/{visit}/", "/api/v1/tasks/{task}/", "/api/v1/routes/{plan}/", "/api/v1/suggested-orders/{order}/"],
)
def test_another_reps_records_are_404(api_client, people, url):
    _sup, rep, other = people
    store = StoreFactory(rep=other)
    ids = {
        "visit": VisitFactory(rep=other, store=store).pk,
        "task": TaskFactory(store=store).pk,
        "plan": RoutePlanFactory(rep=other).pk,
        "order": SuggestedOrderFactory(store=store).pk,
    }
    assert _as(api_client, rep).get(url.format(**ids)).status_code == 404


def test_rep_sees_only_published_own_plans(api_client, people):
    _sup, rep, other = people
    mine = RoutePlanFactory(rep=rep)
    RouteStopFactory(plan=mine, store=StoreFactory(rep=rep))
    RoutePlanFactory(rep=rep, status=RoutePlan.Status.DRAFT, week_start=mine.week_start - timedelta(weeks=1))
    RoutePlanFactory(rep=other)
    data = _as(api_client, rep).get("/api/v1/routes/").json()
    assert [plan["id"] for plan in data["results"]] == [mine.pk]
    assert len(data["results"][0]["stops"]) == 1


def test_visit_list_runs_a_fixed_number_of_queries(api_client, people, django_assert_max_num_queries):
    _sup, rep, _other = people
    store = StoreFactory(rep=rep)
    product = ProductFactory()
    ListingFactory(store=store, product=product)
    for _ in range(8):
        visit = VisitFactory(rep=rep, store=store)
        visit.stock_counts.create(product=product, packs=3)
        visit.checklist.create(item="tidy", result="pass")
    client = _as(api_client, rep)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/visits/")
    assert response.json()["count"] == 8


def _days_on(days: int) -> str:
    """A due day to come (a task due in the past is refused: visits.rules.task_due_on)."""
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_supervisor_assigns_a_task_and_the_rep_completes_it(api_client, people):
    sup, rep, _other = people
    store = StoreFactory(rep=rep)
    created = _as(api_client, sup).post(
        "/api/v1/tasks/", {"store": store.code, "title": "检查堆头", "due_on": _days_on(7)}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["assigned_by"] == sup.username
    task_id = created.json()["id"]
    # the rep may not assign tasks, but may complete them
    assert (
        _as(api_client, rep)
        .post("/api/v1/tasks/", {"store": store.code, "title": "x", "due_on": _days_on(7)})
        .status_code
        == 403
    )
    done = api_client.post(f"/api/v1/tasks/{task_id}/complete/", {"comment": "已完成"}, format="json")
    assert done.status_code == 200
    assert Task.objects.get(pk=task_id).status == Task.Status.DONE


def test_suggested_orders_read_in_cases_packs(api_client, people, django_assert_max_num_queries):
    _sup, rep, _other = people
    store = StoreFactory(rep=rep)
    for _ in range(5):
        SuggestedOrderFactory(store=store, suggested_packs=13, product=ProductFactory(packs_per_case=12))
    with django_assert_max_num_queries(6):
        data = _as(api_client, rep).get("/api/v1/suggested-orders/").json()
    assert data["count"] == 5
    assert data["results"][0]["suggested"] == "1/1"
