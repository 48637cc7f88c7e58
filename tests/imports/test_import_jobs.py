"""Import jobs: progress while a file runs, status for the page and the API, only one's own jobs, all or
nothing when a run breaks half-way, a job run twice, and a repeated POST with the same Idempotency-Key."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from imports import registry
from imports.models import ImportJob
from imports.runner import CHECK_CHUNK
from imports.services import import_job_run, import_job_start
from stores.imports import ProductImport
from stores.models import Product
from tests.factories import make_user

from .xlsx import api_import, page_import, xlsx_bytes, xlsx_upload

pytestmark = pytest.mark.django_db

HEADERS = ["product code", "product name", "packs per case", "suggested retail price", "distributor price",
           "wholesale price"]  # fmt: skip


def _products(count: int, *, start: int = 0) -> list[list]:
    return [[f"P{n:06d}", f"产品{n}", 12, 5, 4, 4] for n in range(start, start + count)]


@pytest.fixture
def test_kind():
    """Registers a kind for one test (a subclass of a real kind), and removes it afterwards."""
    added = []

    def add(kind):
        registry.register(kind, position=999)
        added.append(kind.name)
        return kind

    yield add
    for name in added:
        registry.unregister(name)


# --- progress ---


def test_the_job_records_rows_read_checked_and_written_as_it_goes(admin_user, test_kind, commit):
    # given a kind that notes, each time it checks a chunk, what the job's row says at that moment
    seen = []

    class Watched(ProductImport):
        name = "watched-products"

        def check(self, rows, problems, *, user):
            seen.append(ImportJob.objects.values_list("status", "rows_read", "rows_checked", "rows_written").get())
            super().check(rows, problems, user=user)

    kind = test_kind(Watched())
    rows = _products(2 * CHECK_CHUNK + 10)
    # when a file of three chunks is imported
    with commit(execute=True):
        job = import_job_start(kind=kind, upload=xlsx_upload(HEADERS, rows), user=admin_user)
    # then the row showed each chunk read before it was checked, and nothing written until the end
    assert seen == [
        ("running", CHECK_CHUNK, 0, 0),
        ("running", 2 * CHECK_CHUNK, CHECK_CHUNK, 0),
        ("running", len(rows), 2 * CHECK_CHUNK, 0),
    ]
    job.refresh_from_db()
    assert (job.status, job.rows_read, job.rows_checked, job.rows_written) == ("done", *[len(rows)] * 3)
    assert Product.objects.count() == len(rows)


def test_the_page_polls_a_status_url_that_answers_the_counts(admin_client_logged_in, admin_user):
    # given a job still running, as a worker in another process would leave it between two chunks
    job = ImportJob.objects.create(kind="products", user=admin_user, file_name="p.xlsx", status="running",
                                   rows_read=4000, rows_checked=2000)  # fmt: skip
    # when the job's page is opened
    page = admin_client_logged_in.get(f"/imports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then it shows the counts so far and loads the script that follows the status URL
    assert f'data-status-url="/imports/jobs/{job.pk}/status/"' in page
    assert 'data-count="rows_read">4000<' in page and 'data-count="rows_checked">2000<' in page
    assert "/static/js/import-progress.js" in page
    status = admin_client_logged_in.get(f"/imports/jobs/{job.pk}/status/", HTTP_ACCEPT_LANGUAGE="en")
    assert status.json() == {
        "id": job.pk,
        "status": "running",
        "status_label": "Running",
        "finished": False,
        "rows_read": 4000,
        "rows_checked": 2000,
        "rows_written": 0,
    }
    assert status["Cache-Control"] == "no-store"


@pytest.fixture
def admin_client_logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_api_answers_a_running_jobs_progress(api_client, admin_user):
    job = ImportJob.objects.create(kind="products", user=admin_user, status="running", rows_read=10, rows_checked=5)
    api_client.force_authenticate(admin_user)

    body = api_client.get(f"/api/v1/imports/jobs/{job.pk}/").json()

    assert (body["status"], body["rows_read"], body["rows_checked"], body["rows_written"]) == ("running", 10, 5, 0)
    assert body["finished_at"] is None


# --- whose jobs ---


def test_another_users_job_is_not_found_anywhere(client, api_client, manager, commit):
    # given a manager's refused job
    client.force_login(manager)
    page = page_import(client, "products", xlsx_upload(HEADERS, [["P1", "啤酒", 0, 5, 4, 4]]), commit=commit)
    job = page.context["job"]
    assert job.status == "refused"
    # when another manager asks for it, by page, status, problems or API
    other = make_user(Role.MANAGER, username="mgr_other")
    client.force_login(other)
    api_client.force_authenticate(other)
    # then it does not exist for them
    for url in (f"/imports/jobs/{job.pk}/", f"/imports/jobs/{job.pk}/status/", f"/imports/jobs/{job.pk}/problems.xlsx"):
        assert client.get(url).status_code == 404, url
    assert api_client.get(f"/api/v1/imports/jobs/{job.pk}/").status_code == 404
    assert api_client.get("/api/v1/imports/jobs/").json()["count"] == 0
    # while its owner lists it, and an administrator sees it too
    api_client.force_authenticate(manager)
    assert [row["id"] for row in api_client.get("/api/v1/imports/jobs/").json()["results"]] == [job.pk]
    api_client.force_authenticate(make_user(Role.ADMIN, username="adm_b"))
    assert api_client.get(f"/api/v1/imports/jobs/{job.pk}/").json()["problems_total"] == 1


# --- all or nothing ---


def test_a_run_that_breaks_half_way_writes_nothing_and_says_it_failed(api_client, admin_user, test_kind, commit):
    # given a kind whose write stores half the rows and then breaks (a lost connection, a bug)
    class BreaksHalfWay(ProductImport):
        name = "breaking-products"

        def write(self, rows, *, present):
            super().write(rows[: len(rows) // 2], present=present)
            assert Product.objects.count() == len(rows) // 2  # written, not yet committed
            raise RuntimeError("connection lost")

    test_kind(BreaksHalfWay())
    api_client.force_authenticate(admin_user)
    # when a good file is imported through it
    body = api_import(
        api_client, "breaking-products", xlsx_upload(HEADERS, _products(10)), commit=commit, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then the job failed, says nothing was imported, and nothing was
    assert (body["status"], body["code"], body["rows_read"], body["rows_written"]) == ("failed", "import.failed", 10, 0)
    assert "nothing was imported" in body["detail"]
    assert not Product.objects.exists()


def test_a_job_delivered_twice_runs_once(admin_user, commit):
    # given a job that has run
    kind = registry.KINDS["products"]
    with commit(execute=True):
        job = import_job_start(kind=kind, upload=xlsx_upload(HEADERS, _products(3)), user=admin_user)
    Product.objects.update(name="renamed since")
    # when the broker delivers its task again (at-least-once delivery)
    again = import_job_run(job_id=job.pk)
    # then the job is not run a second time
    assert again is None
    assert set(Product.objects.values_list("name", flat=True)) == {"renamed since"}


def test_the_upload_is_kept_privately_until_the_job_has_run(admin_user, client, settings, tmp_path, commit):
    settings.MEDIA_ROOT = tmp_path
    kind = registry.KINDS["products"]
    # when a job is queued (not yet run)
    job = import_job_start(kind=kind, upload=xlsx_upload(HEADERS, _products(1), name="../../etc/x.xlsx"),
                           user=admin_user)  # fmt: skip
    # then the file is under MEDIA_ROOT/imports, under a name of ours, and no URL serves it
    stored = tmp_path / job.file.name
    assert stored.read_bytes()[:2] == b"PK" and job.file.name.startswith("imports/")
    assert ".." not in job.file.name and job.file_name == "x.xlsx"
    client.force_login(admin_user)
    assert client.get(f"/media/{job.file.name}").status_code == 404
    # and once the job has run the upload is gone; what it found stays in the database
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.file.name, stored.exists()) == ("done", "", False)


# --- one effect per client key ---


def test_the_same_idempotency_key_answers_the_first_job_again(api_client, admin_user, commit):
    api_client.force_authenticate(admin_user)
    content = xlsx_bytes(HEADERS, _products(2))

    def post(data: bytes, key: str = "import-1"):
        with commit(execute=True):
            return api_client.post(
                "/api/v1/imports/products/",
                {"file": SimpleUploadedFile("p.xlsx", data)},
                format="multipart",
                HTTP_IDEMPOTENCY_KEY=key,
            )

    first, second = post(content), post(content)

    assert (first.status_code, second.status_code) == (202, 202)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert ImportJob.objects.count() == 1
    assert Product.objects.count() == 2
    # another file under the same key is refused, and queues nothing
    changed = post(xlsx_bytes(HEADERS, _products(3)))
    assert (changed.status_code, changed.json()["code"]) == (422, "idempotency.key_reused")
    assert ImportJob.objects.count() == 1


def test_the_import_page_lists_ones_own_recent_jobs(client, manager, admin_user):
    # given a job of the manager's and one of an administrator's
    mine = ImportJob.objects.create(kind="products", user=manager, file_name="我的.xlsx", status="done")
    ImportJob.objects.create(kind="products", user=admin_user, file_name="别人的.xlsx", status="refused")
    client.force_login(manager)
    # when the manager opens the import page
    page = client.get("/imports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then it links their job only
    assert f'href="/imports/jobs/{mine.pk}/"' in page and "我的.xlsx" in page
    assert "别人的.xlsx" not in page
