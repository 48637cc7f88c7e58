"""The nightly job on the real engine: beat's task through Redis to a worker process, which runs the chunks."""

import time
from datetime import timedelta

import pytest

from tests.ka_portal.test_celery_worker import worker_queue  # noqa: F401 - the real-worker fixture
from visits.models import ReplenishmentRun, SuggestedOrder
from visits.tasks import suggested_orders_nightly

from .test_replenishment_job import DAY, _company

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
