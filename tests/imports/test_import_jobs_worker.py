"""Import jobs on the real engine: the upload goes through Redis to a worker process, which reads the stored
file, writes progress and problems to PostgreSQL; this process reads them back through the API and the page."""

import time

import pytest

from imports.models import ImportJob
from imports.registry import KINDS
from imports.services import import_job_start
from stores.models import Product
from tests.ka_portal.test_celery_worker import worker_queue  # noqa: F401 - the real-worker fixture

from .xlsx import xlsx_upload

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

HEADERS = ["product code", "product name", "packs per case", "suggested retail price", "distributor price",
           "wholesale price"]  # fmt: skip


@pytest.fixture
def shared_media(tmp_path, settings, monkeypatch):
    """One MEDIA_ROOT for this process and the worker it starts (the worker takes it from the environment)."""
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _finished(job: ImportJob, timeout: float = 60) -> ImportJob:
    deadline = time.monotonic() + timeout
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.3)
        job.refresh_from_db()
    assert job.finished, f"job still {job.status} after {timeout}s"
    return job


def test_a_refused_files_problems_written_by_the_worker_are_read_here(
    shared_media,
    worker_queue,  # noqa: F811
    api_client,
    admin_user,
):
    # given a file with two bad rows, queued to a worker in another process
    rows = [["P1", "啤酒", 12, 5, 4, 4], ["P2", "啤酒", 0, 5, 4, 4], ["P3", "啤酒", 12, "five", 4, 4]]
    job = import_job_start(
        kind=KINDS["products"], upload=xlsx_upload(HEADERS, rows), user=admin_user, queue=worker_queue
    )
    # when the worker has run it
    _finished(job)
    # then this process reads its outcome and its problems, in the uploader's language
    api_client.force_authenticate(admin_user)
    body = api_client.get(f"/api/v1/imports/jobs/{job.pk}/").json()
    assert (body["status"], body["rows_read"], body["rows_checked"], body["rows_written"]) == ("refused", 3, 3, 0)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "packs_per_case"), (4, "suggested_retail_price")]
    assert body["problems_total"] == 2
    assert not Product.objects.exists()
    # and the stored upload is gone
    assert not list(shared_media.rglob("*.xlsx"))


def test_a_good_file_is_written_by_the_worker_and_shown_on_the_page(
    shared_media,
    worker_queue,  # noqa: F811
    client,
    manager,
):
    job = import_job_start(
        kind=KINDS["products"],
        upload=xlsx_upload(HEADERS, [[f"P{n}", "啤酒", 12, 5, 4, 4] for n in range(30)]),
        user=manager,
        queue=worker_queue,
    )

    _finished(job)

    assert (job.status, job.rows_written, job.created) == ("done", 30, 30)
    assert Product.objects.count() == 30
    client.force_login(manager)
    page = client.get(f"/imports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Products: 30 rows imported — 30 created, 0 updated, 0 unchanged." in page
