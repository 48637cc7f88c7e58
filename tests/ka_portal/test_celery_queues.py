"""Celery queues (ka_portal/queues.py): every task of the project has a route to one of the three queues, the nightly
work goes to `nightly`, imports to `imports`, a run started by hand to `interactive`; a worker listening on a queue
takes what is sent there (real worker leg)."""

import time
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from ka_portal import queues
from ka_portal.celery import app as celery_app
from ka_portal.tasks import health_check

from .test_celery_worker import celery_worker

ROOT = Path(__file__).resolve().parents[2]


def _project_apps() -> set[str]:
    """The installed apps that are this project's own (not a library's)."""
    return {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ROOT) and "site-packages" not in Path(config.path).parts
    }


def _project_tasks() -> list[str]:
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscover every app's tasks
    own = _project_apps()
    found = sorted(name for name, task in celery_app.tasks.items() if task.__module__.split(".")[0] in own)
    assert found, "no task discovered"
    return found


def _queue_of(task_name: str) -> str:
    """The queue a message for `task_name` sent without an explicit queue goes to (Celery's own router)."""
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_of_the_project_has_a_route_to_one_of_the_queues():
    unrouted = [name for name in _project_tasks() if name not in queues.ROUTES]
    assert unrouted == [], "add each to ka_portal/queues.py ROUTES (nightly, imports or interactive)"
    for name in _project_tasks():
        assert _queue_of(name) == queues.ROUTES[name] in queues.QUEUES, name
    # and no route names a task that does not exist (a renamed task would lose its route silently)
    assert sorted(queues.ROUTES) == _project_tasks()


def test_the_nightly_computation_goes_to_the_nightly_queue():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled  # suggested orders, receivables, agreements, accruals and matching, promotions, …
    for name in sorted(scheduled) + ["visits.tasks.suggested_orders_chunk"]:
        assert _queue_of(name) == queues.NIGHTLY, name


def test_imports_go_to_the_imports_queue():
    names = [name for name in _project_tasks() if name.startswith("imports.")]
    assert names == ["imports.tasks.import_job_run"]
    assert {_queue_of(name) for name in names} == {queues.IMPORTS}


def test_a_task_without_a_route_goes_to_the_interactive_queue_and_an_explicit_queue_wins():
    assert _queue_of("some.task.without_a_route") == queues.INTERACTIVE
    options = celery_app.amqp.router.route({"queue": "test-own"}, "visits.tasks.suggested_orders_chunk")
    assert options["queue"].name == "test-own"  # the worker tests' own queues; a run started by hand
    # a queue of None (suggested_orders_run's default) leaves the route in place
    options = celery_app.amqp.router.route({"queue": None}, "visits.tasks.suggested_orders_chunk")
    assert options["queue"].name == queues.NIGHTLY


def test_a_worker_without_q_takes_all_three_queues():
    assert [queue.name for queue in celery_app.conf.task_queues] == list(queues.QUEUES)
    assert celery_app.conf.task_default_queue == queues.INTERACTIVE


def _spy_runs(monkeypatch, module):
    calls = []
    real = module.suggested_orders_run

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(module, "suggested_orders_run", spy)
    return calls


def test_a_run_started_by_hand_sends_its_chunks_to_the_interactive_queue(client, admin_user, monkeypatch):
    from visits import views

    calls = _spy_runs(monkeypatch, views)
    client.force_login(admin_user)
    response = client.post(reverse("visits:replenishment-run-start"))
    assert response.status_code == 302
    assert [call["queue"] for call in calls] == [queues.INTERACTIVE]


def test_the_command_sends_its_chunks_to_the_interactive_queue_unless_told(db, monkeypatch):
    from visits.management.commands import compute_suggested_orders as command

    calls = _spy_runs(monkeypatch, command)
    call_command("compute_suggested_orders", stdout=StringIO())
    call_command("compute_suggested_orders", "--queue", "nightly", stdout=StringIO())
    assert [call["queue"] for call in calls] == [queues.INTERACTIVE, queues.NIGHTLY]


@pytest.fixture
def nightly_worker(transactional_db):
    """A real worker listening only on the nightly queue, as on a machine that runs the night's work."""
    with celery_worker(queues.NIGHTLY) as process:
        yield process


def _waiting_in(queue: str) -> int:
    with celery_app.connection_for_write() as conn:
        return conn.default_channel.client.llen(queue)


@pytest.mark.worker
@pytest.mark.postgres
def test_a_task_routed_to_a_queue_is_taken_by_the_worker_listening_on_it(nightly_worker):
    from imports.tasks import import_job_run

    # when a nightly task and an import are sent by name, with no queue given (as beat and the import page do)
    elsewhere = import_job_run.delay(0)
    answer = health_check.delay("routed").get(timeout=60)
    # then the worker on the nightly queue ran the nightly task…
    assert (answer["value"], answer["pid"]) == ("routed", nightly_worker.pid)
    # …and left the import alone: it waits in the imports queue for an imports worker
    time.sleep(1)
    assert elsewhere.state == "PENDING"
    assert _waiting_in(queues.IMPORTS) >= 1
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queues.IMPORTS)
