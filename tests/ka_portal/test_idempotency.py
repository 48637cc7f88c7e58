"""The one idempotency mechanism (ka_portal/idempotency.py), seen through a create that takes only the
Idempotency-Key header (a supervisor's task): replay, 422 naming what differs, 409 in flight, per user,
expiry after the setting's hours, and the purge of expired keys."""

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from ka_portal.idempotency import differing_fields, field_hashes
from ka_portal.models import IdempotencyKey
from ka_portal.tasks import idempotency_keys_purge
from tests.concurrency import at_once
from tests.factories import StoreFactory, make_user
from visits.models import Task

pytestmark = pytest.mark.django_db

URL = "/api/v1/tasks/"


@pytest.fixture
def supervisor_and_store():
    supervisor = make_user(Role.SUPERVISOR, username="sup_keys")
    rep = make_user(Role.REP, username="rep_keys", supervisor=supervisor)
    return supervisor, StoreFactory(rep=rep)


@pytest.fixture
def post(api_client, supervisor_and_store):
    supervisor, _store = supervisor_and_store
    api_client.force_authenticate(supervisor)

    def send(body, key, client=api_client):
        headers = {"Idempotency-Key": key} if key is not None else {}
        return client.post(URL, body, format="json", headers=headers)

    return send


def _days_on(days: int) -> str:
    """A due day to come (a task due in the past is refused: visits.rules.task_due_on)."""
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _task(store, **fields):
    return {"store": store.code, "title": "检查堆头", "due_on": _days_on(7), **fields}


def test_the_same_key_and_body_twenty_times_make_one_task_and_one_answer(post, supervisor_and_store):
    _sup, store = supervisor_and_store
    key = str(uuid.uuid4())

    responses = [post(_task(store), key) for _ in range(20)]

    assert Task.objects.count() == 1
    assert {r.status_code for r in responses} == {201}
    assert {r.content for r in responses} == {responses[0].content}
    assert responses[0].json()["id"] == Task.objects.get().pk
    assert responses[1]["Idempotent-Replayed"] == "true"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_key_twenty_times_at_once_makes_one_task(supervisor_and_store):
    """Twenty phones' retries arriving together: one task; each answer is the first one's, or 409 while it runs."""
    supervisor, store = supervisor_and_store
    key = str(uuid.uuid4())

    def send():
        client = APIClient()
        client.force_authenticate(supervisor)
        response = client.post(URL, _task(store), format="json", headers={"Idempotency-Key": key})
        return response.status_code, response.content

    answers, errors = at_once(*[send] * 20)

    assert errors == []
    assert Task.objects.count() == 1
    assert {status for status, _content in answers} <= {201, 409}
    created = {content for status, content in answers if status == 201}
    assert len(created) == 1
    assert send() == (201, created.pop())


def test_without_a_key_every_post_is_a_new_task(post, supervisor_and_store):
    _sup, store = supervisor_and_store
    post(_task(store), None)
    post(_task(store), None)
    assert Task.objects.count() == 2


def test_the_same_key_with_another_body_is_422_naming_the_fields_that_differ(post, supervisor_and_store):
    _sup, store = supervisor_and_store
    key = str(uuid.uuid4())
    first = post(_task(store), key)

    changed = post(_task(store, title="换个标题", due_on=_days_on(8)), key)

    assert first.status_code == 201
    assert changed.status_code == 422
    body = changed.json()
    assert body["code"] == "idempotency.key_reused"
    assert body["differs"] == ["due_on", "title"]
    assert "换个标题" not in changed.content.decode()  # names fields, never values
    assert Task.objects.count() == 1
    # the first answer is still what the key means
    assert post(_task(store), key).content == first.content


def test_a_field_added_or_left_out_counts_as_differing(post, supervisor_and_store):
    _sup, store = supervisor_and_store
    key = str(uuid.uuid4())
    post(_task(store), key)
    assert post(_task(store, description="补充"), key).json()["differs"] == ["description"]


def test_a_key_still_in_flight_is_409(post, supervisor_and_store):
    supervisor, store = supervisor_and_store
    key = str(uuid.uuid4())
    body = _task(store)
    IdempotencyKey.objects.create(  # what a first request with this key and body leaves while it runs
        user=supervisor, scope="task.create", key=key, fingerprint=_fingerprint(body), field_hashes=field_hashes(body)
    )

    response = post(body, key)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency.in_flight"
    assert not Task.objects.exists()


def test_a_claim_left_by_a_dead_request_is_taken_over_after_a_while(post, supervisor_and_store, time_machine):
    supervisor, store = supervisor_and_store
    key = str(uuid.uuid4())
    body = _task(store)
    IdempotencyKey.objects.create(
        user=supervisor, scope="task.create", key=key, fingerprint=_fingerprint(body), field_hashes=field_hashes(body)
    )
    time_machine.move_to(timezone.now() + timedelta(minutes=6))

    response = post(body, key)

    assert response.status_code == 201
    assert Task.objects.count() == 1


def test_a_refused_request_keeps_no_key(post, supervisor_and_store):
    _sup, store = supervisor_and_store
    key = str(uuid.uuid4())
    refused = post(_task(store, title="   "), key)  # the service refuses a blank title

    corrected = post(_task(store), key)

    assert refused.status_code == 400
    assert corrected.status_code == 201
    assert Task.objects.count() == 1


def test_keys_are_per_user(api_client, post, supervisor_and_store):
    _supervisor, store = supervisor_and_store
    colleague = make_user(Role.SUPERVISOR, username="sup_keys2")
    colleagues_store = StoreFactory(rep=make_user(Role.REP, username="rep_keys2", supervisor=colleague))
    key = str(uuid.uuid4())
    post(_task(store), key)

    api_client.force_authenticate(colleague)
    other = post(_task(colleagues_store), key)

    assert other.status_code == 201  # the same spelling of a key by another user is theirs, not a reuse
    assert Task.objects.count() == 2
    assert sorted(Task.objects.values_list("assigned_by__username", flat=True)) == ["sup_keys", "sup_keys2"]


def test_an_expired_key_is_treated_as_new(post, supervisor_and_store, settings, time_machine):
    _sup, store = supervisor_and_store
    settings.KA = replace(settings.KA, idempotency_ttl_hours=24)
    key = str(uuid.uuid4())
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    post(_task(store), key)

    time_machine.move_to(start + timedelta(hours=23, minutes=59), tick=False)
    assert post(_task(store, title="变了"), key).status_code == 422  # still remembered within the hours

    time_machine.move_to(start + timedelta(hours=24, minutes=1), tick=False)
    again = post(_task(store, title="变了"), key)

    assert again.status_code == 201
    assert Task.objects.count() == 2


def test_the_purge_forgets_only_expired_keys(supervisor_and_store, time_machine):
    supervisor, _store = supervisor_and_store
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    for key, age in (("old", timedelta(hours=25)), ("young", timedelta(hours=23))):
        IdempotencyKey.objects.create(
            user=supervisor, scope="task.create", key=key, fingerprint="f", created_at=now - age
        )

    assert idempotency_keys_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["young"]


def test_the_purge_runs_from_celery_beat(settings):
    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "ka_portal.tasks.idempotency_keys_purge"
    ]
    assert len(entries) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
def test_an_unusable_header_key_is_400(post, supervisor_and_store, key):
    _sup, store = supervisor_and_store
    response = post(_task(store), key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency.key_invalid"
    assert not Task.objects.exists()


def test_field_hashes_ignore_order_and_name_the_differing_fields():
    first = field_hashes({"b": [1, {"y": 2, "x": 1}], "a": "1", "uuid": "k"}, exclude="uuid")
    same = field_hashes({"a": "1", "b": [1, {"x": 1, "y": 2}]})
    other = field_hashes({"a": "2", "b": [{"x": 1, "y": 2}, 1], "c": None})
    assert first == same
    assert differing_fields(first, other) == ["a", "b", "c"]


@pytest.mark.one_leg  # the schema does not depend on the engine
def test_the_schema_documents_the_header_and_its_answers(api_client, supervisor_and_store):
    supervisor, _store = supervisor_and_store
    api_client.force_authenticate(supervisor)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/visits/", "/api/v1/tasks/", "/api/v1/payments/", "/api/v1/promotions/"):
        operation = schema["paths"][path]["post"]
        assert "Idempotency-Key" in [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert {"409", "422"} <= set(operation["responses"])


def _fingerprint(body):
    from ka_portal.idempotency import _digest

    return _digest(field_hashes(body))
