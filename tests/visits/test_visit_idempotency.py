"""A visit's client uuid means one visit: the same uuid and body replay the first answer, another body
(other findings, another store) is 422 naming the fields, on the API, on the page and in the service."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from ka_portal.errors import KeyReused
from tests.concurrency import at_once
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from visits import services
from visits.models import Visit

URL = "/api/v1/visits/"


@pytest.fixture
def rep_with_stores(db):
    rep = make_user(Role.REP, username="rep_uuid")
    first, second = StoreFactory(rep=rep, name="沃尔玛五角场店"), StoreFactory(rep=rep, name="家乐福古北店")
    product = ProductFactory(packs_per_case=12)
    ListingFactory(store=first, product=product)
    return rep, first, second, product


def _body(store, product, **fields):
    return {
        "uuid": fields.pop("uuid", None) or str(uuid.uuid4()),
        "store": store.code,
        "checklist": [{"item": "tidy", "result": "fail"}],
        "stock_counts": [{"product": product.code, "quantity": "1/1"}],
        "problems": "价签缺失",
        **fields,
    }


@pytest.fixture
def client_for(rep_with_stores):
    def make(user=None):
        client = APIClient()
        client.force_authenticate(user or rep_with_stores[0])
        return client

    return make


@pytest.mark.django_db
def test_the_same_uuid_and_body_twenty_times_make_one_visit_and_one_answer(rep_with_stores, client_for):
    _rep, store, _second, product = rep_with_stores
    body = _body(store, product)
    client = client_for()

    responses = [client.post(URL, body, format="json") for _ in range(20)]

    assert Visit.objects.count() == 1
    assert {r.status_code for r in responses} == {201}
    assert {r.content for r in responses} == {responses[0].content}
    assert responses[0].json()["uuid"] == body["uuid"]


@pytest.mark.django_db
def test_the_same_uuid_with_other_findings_is_422_and_changes_nothing(rep_with_stores, client_for):
    _rep, store, _second, product = rep_with_stores
    body = _body(store, product)
    client = client_for()
    client.post(URL, body, format="json")

    changed = client.post(URL, {**body, "problems": "堆头倒塌", "checklist": []}, format="json")

    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency.key_reused"
    assert changed.json()["differs"] == ["checklist", "problems"]
    assert Visit.objects.get().problems == "价签缺失"


@pytest.mark.django_db
def test_the_same_uuid_at_another_store_is_422_and_names_no_store(rep_with_stores, client_for):
    rep, store, second, product = rep_with_stores
    body = _body(store, product)
    client = client_for()
    client.post(URL, body, format="json")
    foreign = StoreFactory(name="麦德龙外区店")

    own_other = client.post(URL, {**body, "store": second.code}, format="json")
    not_mine = client.post(URL, {**body, "store": foreign.code}, format="json")

    for response in (own_other, not_mine):
        assert response.status_code == 422
        assert response.json()["differs"] == ["store"]
        text = response.content.decode()
        assert "家乐福" not in text and "麦德龙" not in text and "沃尔玛" not in text
    assert list(Visit.objects.values_list("store", flat=True)) == [store.pk]


@pytest.mark.django_db
def test_the_idempotency_key_header_works_without_a_uuid(rep_with_stores, client_for):
    _rep, store, _second, product = rep_with_stores
    body = _body(store, product)
    del body["uuid"]
    client = client_for()
    key = str(uuid.uuid4())

    first = client.post(URL, body, format="json", headers={"Idempotency-Key": key})
    again = client.post(URL, body, format="json", headers={"Idempotency-Key": key})

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.content == again.content
    assert Visit.objects.count() == 1


@pytest.mark.django_db
def test_a_header_that_contradicts_the_uuid_is_400(rep_with_stores, client_for):
    _rep, store, _second, product = rep_with_stores
    body = _body(store, product)
    response = client_for().post(URL, body, format="json", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency.two_keys"
    assert not Visit.objects.exists()
    same = client_for().post(URL, body, format="json", headers={"Idempotency-Key": body["uuid"].upper()})
    assert same.status_code == 201


@pytest.mark.django_db
def test_after_the_key_expires_the_uuid_still_names_its_visit(rep_with_stores, client_for, time_machine):
    _rep, store, second, product = rep_with_stores
    body = _body(store, product)
    client = client_for()
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client.post(URL, body, format="json")
    time_machine.move_to(start + timedelta(hours=25), tick=False)

    same_store = client.post(URL, body, format="json")
    other_store = client.post(URL, {**body, "store": second.code}, format="json")

    assert same_store.status_code == 200  # the key is new again, the visit it names is not
    assert same_store.json()["id"] == Visit.objects.get().pk
    assert other_store.status_code == 422
    assert other_store.json()["differs"] == ["store"]
    assert Visit.objects.count() == 1


@pytest.mark.django_db
def test_the_service_refuses_a_uuid_reused_for_another_store(rep_with_stores):
    rep, store, second, _product = rep_with_stores
    client_id = uuid.uuid4()
    services.visit_check_in(rep=rep, store=store, uuid=client_id)

    with pytest.raises(KeyReused) as refused:
        services.visit_check_in(rep=rep, store=second, uuid=client_id)

    assert refused.value.differs == ["store"]
    assert refused.value.status_code == 422


@pytest.mark.django_db
def test_the_check_in_page_refuses_a_uuid_reused_for_another_store(client, rep_with_stores):
    rep, store, second, _product = rep_with_stores
    client.force_login(rep)
    client_id = str(uuid.uuid4())
    first = client.post(reverse("visits:check-in"), {"store": store.pk, "uuid": client_id})
    double_tap = client.post(reverse("visits:check-in"), {"store": store.pk, "uuid": client_id})

    tampered = client.post(reverse("visits:check-in"), {"store": second.pk, "uuid": client_id}, follow=True)

    assert first["Location"] == double_tap["Location"]  # a double-submitted form is still one visit
    assert tampered.redirect_chain[-1][0] == reverse("visits:today")
    assert len([m for m in tampered.context["messages"] if m.level_tag == "error"]) == 1
    assert list(Visit.objects.values_list("store", flat=True)) == [store.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_posts_of_one_uuid_make_one_visit(rep_with_stores):
    rep, store, _second, product = rep_with_stores
    body = _body(store, product)

    def post():
        client = APIClient()
        client.force_authenticate(rep)
        response = client.post(URL, body, format="json")
        return response.status_code, response.content

    answers, errors = at_once(*[post] * 20)

    assert errors == []
    assert Visit.objects.count() == 1
    assert {status for status, _content in answers} <= {201, 409}
    created = {content for status, content in answers if status == 201}
    assert len(created) == 1  # every 201 is the same answer
    after = APIClient()
    after.force_authenticate(rep)
    replay = after.post(URL, body, format="json")
    assert (replay.status_code, replay.content) == (201, created.pop())
