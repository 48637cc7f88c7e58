"""Celery: a task goes through Redis to a real worker process and back; without a broker it runs in-process."""

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from ka_portal.tasks import health_check
from tests.factories import KeyAccountFactory

ROOT = Path(__file__).resolve().parents[2]


def test_without_a_broker_tasks_run_in_process(db):
    KeyAccountFactory()
    result = health_check.delay("hello").get(timeout=5)
    assert result["value"] == "hello"
    assert result["pid"] == os.getpid()
    assert result["key_accounts"] == 1


@contextmanager
def celery_worker(*queues: str):
    """A real `celery worker` process (solo pool) taking the queues named, using the test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    name = f"test-{uuid.uuid4().hex[:8]}"
    log = open(ROOT / f".worker-{name}.log", "w+")  # noqa: SIM115 - kept open for the worker's lifetime
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ka_portal", "worker", "--pool=solo", "-Q", ",".join(queues),
         "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.seek(0)
        output = log.read()
        log.close()
        os.unlink(log.name)
        if process.returncode not in (0, -15):
            print(output)


@pytest.fixture
def worker_queue(transactional_db):
    """A real `celery worker` process on a queue of its own, using the test database: a test sends its tasks there
    (apply_async(queue=worker_queue)), so no other worker on the same Redis takes them."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with celery_worker(queue):
        yield queue


@pytest.mark.worker
@pytest.mark.postgres
def test_task_round_trips_through_a_real_worker(worker_queue):
    KeyAccountFactory.create_batch(3)
    result = health_check.apply_async(args=["over redis"], queue=worker_queue).get(timeout=60)
    assert result["value"] == "over redis"
    assert result["pid"] != os.getpid()  # ran in the worker process, not here
    assert result["database"] == "postgresql"
    assert result["database_name"] == connection.settings_dict["NAME"]
    assert result["key_accounts"] == 3  # the worker reads the rows this test committed


@pytest.mark.worker
@pytest.mark.postgres
def test_a_worker_keeps_its_connection_between_tasks_and_replaces_one_the_server_dropped(worker_queue):
    # given a worker that has answered one task
    first = health_check.apply_async(queue=worker_queue).get(timeout=60)
    # when it answers the next, it uses the same server process (no new connection a task: CONN_MAX_AGE holds)
    second = health_check.apply_async(queue=worker_queue).get(timeout=60)
    assert second["backend_pid"] == first["backend_pid"] is not None
    # and when the server ends that connection between tasks (a restart, an idle timeout)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [second["backend_pid"]])
        assert cursor.fetchone()[0] is True
    # then the next task still answers, on a new connection, instead of failing on the dead one
    third = health_check.apply_async(args=["after"], queue=worker_queue).get(timeout=60)
    assert third["value"] == "after"
    assert third["backend_pid"] not in (None, second["backend_pid"])
    assert third["key_accounts"] == 0
