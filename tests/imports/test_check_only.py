"""What an import changes, and seeing it before it changes anything (QA finding 3): rows are counted created,
updated (changed) or unchanged (the same as stored: left alone), and a check runs the whole import, rolls it back and
says the same — on the page (the "Check only" button, then "Import this file") and in the API (check_only, then
POST jobs/<id>/import/)."""

from decimal import Decimal

import pytest

from imports.models import ImportJob
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Product
from tests.factories import ProductFactory

from .xlsx import errors_of, page_import, xlsx_upload

pytestmark = pytest.mark.django_db

HEADERS = ["product code", "product name", "packs per case", "suggested retail price", "distributor price",
           "wholesale price"]  # fmt: skip
# P1 as stored, P2 with a new name, P3 new
ROWS = [["P1", "啤酒", 12, 5, 4, 4], ["P2", "薯片 大包", 24, 6, 4.5, 5], ["P3", "可乐", 12, 3, 2, 2.5]]


@pytest.fixture
def stored(db):
    common = {"packs_per_case": 12, "suggested_retail_price": 5, "distributor_price": 4, "wholesale_price": 4}
    first = ProductFactory(code="P1", name="啤酒", **common)
    second = ProductFactory(
        code="P2",
        name="薯片",
        packs_per_case=24,
        suggested_retail_price=6,
        distributor_price=Decimal("4.50"),
        wholesale_price=5,
    )
    return first, second


def _snapshot():
    return list(Product.objects.order_by("code").values())


# --- the counts ---


def test_rows_are_counted_created_updated_or_unchanged(admin_user, stored):
    result = run_import(kind=KINDS["products"], source=xlsx_upload(HEADERS, ROWS), user=admin_user)

    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert Product.objects.get(code="P2").name == "薯片 大包"


def test_the_same_file_again_is_all_unchanged(admin_user, stored):
    run_import(kind=KINDS["products"], source=xlsx_upload(HEADERS, ROWS), user=admin_user)
    before = _snapshot()

    again = run_import(kind=KINDS["products"], source=xlsx_upload(HEADERS, ROWS), user=admin_user)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert _snapshot() == before


# --- a check writes nothing and says what the import would do ---


def test_a_check_says_what_the_import_would_do_and_writes_nothing(
    admin_user, stored, django_capture_on_commit_callbacks
):
    before = _snapshot()

    with django_capture_on_commit_callbacks() as queued:
        result = run_import(kind=KINDS["products"], source=xlsx_upload(HEADERS, ROWS), user=admin_user, check_only=True)

    assert (result.created, result.updated, result.unchanged, result.check_only) == (1, 1, 1, True)
    assert _snapshot() == before
    assert queued == []
    # and the import itself does what the check said
    done = run_import(kind=KINDS["products"], source=xlsx_upload(HEADERS, ROWS), user=admin_user)
    assert (done.created, done.updated, done.unchanged) == (1, 1, 1)


def test_a_check_of_a_bad_file_gives_the_import_s_problems(admin_user, stored):
    rows = [*ROWS, ["P4", "雪碧", 0, 3, 2, 2]]

    with pytest.raises(ImportRejected) as checked:
        run_import(kind=KINDS["products"], source=xlsx_upload(HEADERS, rows), user=admin_user, check_only=True)
    with pytest.raises(ImportRejected) as imported:
        run_import(kind=KINDS["products"], source=xlsx_upload(HEADERS, rows), user=admin_user)

    assert errors_of(checked) == errors_of(imported) != []


# --- the page ---


def _check_on_the_page(client, upload, commit):
    with commit(execute=True):
        response = client.post(
            "/imports/", {"kind": "products", "file": upload, "check_only": "1"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 302
    return response["Location"]


def test_the_page_checks_a_file_then_imports_it_as_checked(client, manager, stored, commit):
    client.force_login(manager)
    before = _snapshot()
    # when the clerk presses "Check only"
    location = _check_on_the_page(client, xlsx_upload(HEADERS, ROWS), commit)
    page = client.get(location, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then the page says what importing would do, and nothing is written
    assert 'data-testid="job-status">Checked<' in page
    assert (
        "Products: 3 rows checked, no problems. Importing this file would create 1, update 1 and leave 1 unchanged. "
        "Nothing has been written yet." in page
    )
    assert 'data-testid="import-checked-file"' in page
    assert _snapshot() == before
    # when the clerk then imports the file so checked
    job = ImportJob.objects.get()
    with commit(execute=True):
        response = client.post(f"/imports/jobs/{job.pk}/import/", HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then it is imported
    assert "Products: 3 rows imported — 1 created, 1 updated, 1 unchanged." in page
    assert Product.objects.get(code="P3").name == "可乐"
    # and the check cannot be imported a second time
    with commit(execute=True):
        again = client.post(f"/imports/jobs/{job.pk}/import/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "has already been imported or is no longer kept" in again.content.decode()
    assert ImportJob.objects.filter(status=ImportJob.Status.DONE).count() == 1


def test_the_import_button_imports_and_says_how_many_rows_were_unchanged(client, manager, stored, commit):
    client.force_login(manager)
    run_import(kind=KINDS["products"], source=xlsx_upload(HEADERS, ROWS), user=manager)

    response = page_import(client, "products", xlsx_upload(HEADERS, ROWS), commit=commit, HTTP_ACCEPT_LANGUAGE="en")

    assert "Products: 3 rows imported — 0 created, 0 updated, 3 unchanged." in response.content.decode()


def test_the_page_offers_both_buttons(client, manager):
    client.force_login(manager)

    page = client.get("/imports/?kind=products", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'data-testid="import-submit">Import<' in page
    assert 'name="check_only" value="1" data-check-only data-testid="check-submit">Check only<' in page


def test_another_upload_of_the_kind_lets_a_check_s_file_go(client, manager, stored, commit):
    client.force_login(manager)
    _check_on_the_page(client, xlsx_upload(HEADERS, ROWS), commit)
    first = ImportJob.objects.get()
    assert first.can_import

    _check_on_the_page(client, xlsx_upload(HEADERS, ROWS[:1]), commit)

    first.refresh_from_db()
    assert not first.can_import
    page = client.get(f"/imports/jobs/{first.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This file is no longer kept" in page
    assert 'data-testid="import-checked-file"' not in page


# --- the API ---


def test_the_api_checks_then_imports(api_client, admin_user, stored, commit):
    api_client.force_authenticate(admin_user)
    before = _snapshot()
    # when a client posts the file with check_only
    with commit(execute=True):
        response = api_client.post(
            "/api/v1/imports/products/", {"file": xlsx_upload(HEADERS, ROWS), "check_only": "true"}, format="multipart"
        )
    assert response.status_code == 202
    job = api_client.get(response["Location"]).json()
    # then the job is checked, with what it would do, and nothing is written
    assert (job["status"], job["check_only"], job["created"], job["updated"], job["unchanged"]) == (
        "checked",
        True,
        1,
        1,
        1,
    )
    assert job["rows_written"] == 0
    assert _snapshot() == before
    # when it then imports the checked file
    with commit(execute=True):
        confirmed = api_client.post(f"/api/v1/imports/jobs/{job['id']}/import/")
    assert confirmed.status_code == 202
    done = api_client.get(confirmed["Location"]).json()
    # then
    assert (done["status"], done["check_only"], done["created"], done["updated"], done["unchanged"]) == (
        "done",
        False,
        1,
        1,
        1,
    )
    assert Product.objects.count() == 3
    # and a second time is a conflict
    again = api_client.post(f"/api/v1/imports/jobs/{job['id']}/import/")
    assert (again.status_code, again.json()["code"]) == (409, "import.check_used")


def test_a_job_answers_unchanged_rows_and_a_plain_upload_is_no_check(api_client, admin_user, stored, commit):
    api_client.force_authenticate(admin_user)

    with commit(execute=True):
        response = api_client.post(
            "/api/v1/imports/products/", {"file": xlsx_upload(HEADERS, ROWS[:1])}, format="multipart"
        )
    job = api_client.get(response["Location"]).json()

    assert (job["status"], job["check_only"], job["created"], job["updated"], job["unchanged"]) == (
        "done",
        False,
        0,
        0,
        1,
    )


def test_another_user_cannot_import_someone_s_check(api_client, admin_user, manager, stored, commit):
    api_client.force_authenticate(manager)
    with commit(execute=True):
        response = api_client.post(
            "/api/v1/imports/products/", {"file": xlsx_upload(HEADERS, ROWS), "check_only": "1"}, format="multipart"
        )
    job_id = response.json()["id"]
    api_client.force_authenticate(admin_user)

    answer = api_client.post(f"/api/v1/imports/jobs/{job_id}/import/")

    assert answer.status_code == 404
    assert Product.objects.count() == 2
