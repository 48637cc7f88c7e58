"""The nightly job on the real engine: beat's task through Redis to a worker process, which runs the chunks."""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection

from ka_portal.tasks import health_check
from tests.ka_portal.test_celery_worker import worker_queue  # noqa: F401 - the real-worker fixture
from visits.models import ReplenishmentRun, SuggestedOrder
from visits.replenishment_job import chunks_for, run_chunk, run_start
from visits.tasks import suggested_orders_nightly

from .test_replenishment_job import DAY, _company, count, rows

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


def test_nightly_job_round_trips_through_a_real_worker(worker_queue):  # noqa: F811
    # given a company of 3 stores × 2 products with two counts each, committed for the worker to read
    _company(stores=3, products=2)
    on = DAY + timedelta(days=2)
    # when beat's task is sent to the worker, which queues the chunks to itself
    run_id = suggested_orders_nightly.apply_async(args=[on.isoformat(), worker_queue], queue=worker_queue).get(
        timeout=60
    )
    deadline = time.monotonic() + 60
    run = ReplenishmentRun.objects.get(pk=run_id)
    while run.status == ReplenishmentRun.Status.RUNNING and time.monotonic() < deadline:
        time.sleep(0.5)
        run.refresh_from_db()
    # then the run finished and every pair has its order for the day
    assert (run.status, run.pairs, run.chunks_done) == (ReplenishmentRun.Status.SUCCEEDED, 6, run.chunks)
    assert SuggestedOrder.objects.filter(date=on).count() == 6


def _compute_in_process(on) -> ReplenishmentRun:
    chunks = chunks_for()
    run = run_start(on=on, chunks=chunks)
    for chunk in chunks:
        run_chunk(run_id=run.pk, chunk=chunk)
    run.refresh_from_db()
    return run


# Another session of this database running a chunk's statement (compute, compare and write in one).
CHUNK_STATEMENT = "datname = current_database() AND pid <> pg_backend_pid() AND position('ranked AS (' in query) > 0"


def _wait_for(sql: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(sql)
            if cursor.fetchone()[0]:
                return
            time.sleep(0.2)
    raise AssertionError(f"timed out waiting for: {sql}")


def test_a_worker_killed_mid_chunk_leaves_the_previous_rows_and_the_next_run_completes(worker_queue):  # noqa: F811
    # given a complete result for the day, then new counts later that day
    listings = _company(stores=2, products=2)
    on = DAY + timedelta(days=2)
    _compute_in_process(on)
    before = rows(on)
    for listing in listings:
        count(listing, on, 1, hour=20)
    worker_pid = health_check.apply_async(queue=worker_queue).get(timeout=60)["pid"]
    # and a reader holding the table, so the worker's chunk stops in the middle of its transaction
    blocker = connection.get_new_connection(connection.get_connection_params())
    blocker.cursor().execute("BEGIN; LOCK TABLE visits_suggestedorder IN SHARE MODE")
    try:
        # when the nightly task starts a run and the worker, in its first chunk, is killed
        run_id = suggested_orders_nightly.apply_async(args=[on.isoformat(), worker_queue], queue=worker_queue).get(
            timeout=60
        )
        _wait_for(f"SELECT COUNT(*) FROM pg_stat_activity WHERE {CHUNK_STATEMENT} AND wait_event_type = 'Lock'")
        os.kill(worker_pid, signal.SIGKILL)
    finally:
        blocker.rollback()
        blocker.close()
    # then the database drops the dead worker's transaction: every previous row is still there
    _wait_for(f"SELECT COUNT(*) = 0 FROM pg_stat_activity WHERE {CHUNK_STATEMENT}")
    assert rows(on) == before
    killed = ReplenishmentRun.objects.get(pk=run_id)
    assert (killed.status, killed.chunks_done) == (ReplenishmentRun.Status.RUNNING, 0)
    # when the next run computes the day, it completes and closes the killed one
    again = _compute_in_process(on)
    assert (again.status, again.pairs) == (ReplenishmentRun.Status.SUCCEEDED, 4)
    assert set(SuggestedOrder.objects.filter(date=on).values_list("current_packs", flat=True)) == {1}
    killed.refresh_from_db()
    assert killed.status == ReplenishmentRun.Status.FAILED and "superseded" in killed.error
