"""A visit's save refusing one line of a list it sent names that line: the product (code and name) not listed in the
store and the task of another store, pointing at the row by its place (`stock_counts.2.product`, `tasks.0.task`, as
visit.product_twice does). The phone's sync said "This product is not listed in the store." for a body of sixteen
counts, leaving the rep to guess which one."""

import uuid

import pytest

from tests.factories import ProductFactory, StoreFactory
from visits import services
from visits.models import StockCount, Visit

from .factories import TaskFactory, VisitFactory, rep_with_listed_store

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def shop():
    rep, store, products = rep_with_listed_store("rep_lines", 3)
    gone = ProductFactory(code="BEER-DARK", name="Dark lager 500ml")  # in the catalogue, not listed at the store
    return rep, store, products, gone


def test_a_create_naming_a_product_not_listed_names_it_and_its_row(api_client, shop):
    # given a phone syncing a visit whose third count is of a product the store does not list
    rep, store, products, gone = shop
    api_client.force_authenticate(rep)
    rows = [{"product": p.code, "packs": 5} for p in products[:2]] + [{"product": gone.code, "packs": 4}]
    # when it is sent
    answer = api_client.post(
        "/api/v1/visits/", {"uuid": str(uuid.uuid4()), "store": store.code, "stock_counts": rows}, format="json", **EN
    )
    # then the refusal names the product by code and name, and points at its row
    body = answer.json()
    assert answer.status_code == 400
    assert (body["code"], body["field"]) == ("visit.not_listed", "stock_counts.2.product")
    assert body["params"] == {"product": "BEER-DARK", "product_name": "Dark lager 500ml"}
    assert body["detail"] == (
        "Dark lager 500ml (BEER-DARK) is not listed in this store: count only the products it lists."
    )
    assert not Visit.objects.exists()


def test_an_update_marking_a_product_not_listed_not_counted_names_it_and_its_row(api_client, shop):
    rep, store, products, gone = shop
    visit = VisitFactory(rep=rep, store=store)
    api_client.force_authenticate(rep)
    rows = [{"product": gone.code, "not_counted": True}, {"product": products[0].code, "packs": 3}]

    answer = api_client.patch(f"/api/v1/visits/{visit.pk}/", {"stock_counts": rows}, format="json", **EN)

    body = answer.json()
    assert (answer.status_code, body["code"], body["field"]) == (400, "visit.not_listed", "stock_counts.0.product")
    assert body["params"]["product"] == "BEER-DARK" and "Dark lager 500ml (BEER-DARK)" in body["detail"]
    assert not StockCount.objects.filter(visit=visit).exists()


def test_the_refusal_reads_in_chinese_too(api_client, shop):
    rep, store, _products, gone = shop
    visit = VisitFactory(rep=rep, store=store)
    api_client.force_authenticate(rep)

    answer = api_client.patch(
        f"/api/v1/visits/{visit.pk}/",
        {"stock_counts": [{"product": gone.code, "packs": 1}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert answer.json()["params"] == {"product": "BEER-DARK", "product_name": "Dark lager 500ml"}
    assert "BEER-DARK" in answer.json()["detail"]


def test_a_task_of_another_store_answered_at_the_visit_names_the_task_and_its_row(api_client, shop):
    # given the rep's visit at one store and a task of another of the rep's stores (the rep reaches both)
    rep, store, _products, _gone = shop
    visit = VisitFactory(rep=rep, store=store)
    here = TaskFactory(store=store, title="检查端架陈列")
    elsewhere = TaskFactory(store=StoreFactory(rep=rep), title="补货堆头")
    api_client.force_authenticate(rep)
    # when the phone answers both at this visit
    answer = api_client.patch(
        f"/api/v1/visits/{visit.pk}/",
        {"tasks": [{"task": here.pk, "done": True}, {"task": elsewhere.pk, "done": True}]},
        format="json",
        **EN,
    )
    # then the task of the other store is named, at its row
    body = answer.json()
    assert (answer.status_code, body["code"], body["field"]) == (400, "task.other_store", "tasks.1.task")
    assert body["params"] == {"task": elsewhere.pk, "title": "补货堆头"}
    assert body["detail"] == f"Task {elsewhere.pk} (补货堆头) belongs to another store, not to this visit's."


def test_the_service_names_the_product_at_the_pages_field_without_lines(shop):
    # the visit page's own field of the product (stock_<id>) when the caller does not name its lines
    rep, store, _products, gone = shop
    visit, _created = services.visit_check_in(rep=rep, store=store)

    with pytest.raises(services.DomainError) as refused:
        services.visit_record(visit=visit, stock={gone.pk: 2})

    assert (refused.value.code, refused.value.field) == ("visit.not_listed", f"stock_{gone.pk}")
    assert refused.value.params == {"product": "BEER-DARK", "product_name": "Dark lager 500ml"}


def test_a_negative_count_through_the_service_names_the_product(shop):
    rep, store, products, _gone = shop
    visit, _created = services.visit_check_in(rep=rep, store=store)

    with pytest.raises(services.DomainError) as refused:
        services.visit_record(visit=visit, stock={products[1].pk: -1})

    assert (refused.value.code, refused.value.field) == ("visit.negative_stock", f"stock_{products[1].pk}")
    assert refused.value.params["product"] == products[1].code
    assert products[1].name in refused.value.detail
