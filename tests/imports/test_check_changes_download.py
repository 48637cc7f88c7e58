"""A check's whole preview as a download: the job's page lists the first updated rows' changes (old → new), and a KA
admin checking a 2,000-row update wants every one of them — row, record code, column, now, after the import — as
.xlsx, from the page and linked from the API's job, for the job's owner or an administrator only (others: 404)."""

import pytest

from accounts.roles import Role
from imports.kinds import CHANGES_SHOWN
from imports.models import ImportJob
from stores.models import Product
from tests.factories import ProductFactory, make_user

from .xlsx import read_xlsx, xlsx_upload

pytestmark = pytest.mark.django_db

HEADERS = ["product code", "product name", "packs per case", "suggested retail price", "distributor price",
           "wholesale price"]  # fmt: skip


def _products(count: int) -> None:
    for number in range(1, count + 1):
        ProductFactory(
            code=f"P{number:03d}",
            name=f"啤酒{number}",
            packs_per_case=12,
            suggested_retail_price=5,
            distributor_price=4,
            wholesale_price=4,
        )


def _renamed(count: int):
    """Every product renamed (and the first one's case size changed too), one row each."""
    rows = [[f"P{n:03d}", f"新啤酒{n}", 24 if n == 1 else 12, 5, 4, 4] for n in range(1, count + 1)]
    return xlsx_upload(HEADERS, rows)


def _check(client, upload, commit) -> ImportJob:
    with commit(execute=True):
        response = client.post("/imports/", {"kind": "products", "file": upload, "check_only": "true"})
    assert response.status_code == 302
    job = ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert job.status == ImportJob.Status.CHECKED
    return job


def _download(client, job: ImportJob, language: str = "en"):
    return client.get(f"/imports/jobs/{job.pk}/changes.xlsx", HTTP_ACCEPT_LANGUAGE=language)


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    return next(iter(read_xlsx(b"".join(response.streaming_content)).values()))


@pytest.mark.parametrize(
    ("language", "headers"),
    [("en", ("Row", "Code", "Column", "Now", "After the import")), ("zh-hans", ("行", "编码", "列", "现值", "导入后"))],
)
def test_the_owner_downloads_what_the_check_would_change_named_for_the_job(client, commit, language, headers):
    manager = make_user(Role.MANAGER)
    _products(3)
    client.force_login(manager)
    job = _check(client, _renamed(3), commit)

    response = _download(client, job, language)

    assert response["Content-Disposition"] == f'attachment; filename="import-products-changes-{job.pk}.xlsx"'
    rows = _sheet(response)
    assert rows[0] == headers
    name, case = "product name", "packs per case"  # the columns as the file heads them
    # a line a changed field: the row as Excel numbers it, the product's code, old → new as text
    assert rows[1:] == [  # a row's fields in the order of the sheet's columns, run after run
        (2, "P001", name, "啤酒1", "新啤酒1"),
        (2, "P001", case, "12", "24"),
        (3, "P002", name, "啤酒2", "新啤酒2"),
        (4, "P003", name, "啤酒3", "新啤酒3"),
    ]
    assert Product.objects.get(code="P001").name == "啤酒1"  # a check writes nothing


def test_the_page_links_the_download_and_another_user_finds_no_job(client, commit, admin_user):
    owner, other = make_user(Role.MANAGER), make_user(Role.MANAGER)
    _products(3)
    client.force_login(owner)
    job = _check(client, _renamed(3), commit)

    page = client.get(f"/imports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert f'href="/imports/jobs/{job.pk}/changes.xlsx"' in page.content.decode()
    assert "Download the changes of all 3 updated rows (.xlsx)" in page.content.decode()

    client.force_login(other)
    assert _download(client, job).status_code == 404
    assert client.get(f"/api/v1/imports/jobs/{job.pk}/changes/").status_code == 404
    client.force_login(admin_user)  # an administrator reads anyone's job
    assert len(_sheet(_download(client, job))) == 1 + 4


def test_the_api_job_links_the_download_and_it_answers_the_same_rows(client, commit):
    manager = make_user(Role.MANAGER)
    _products(2)
    client.force_login(manager)
    job = _check(client, _renamed(2), commit)

    body = client.get(f"/api/v1/imports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["changes_url"] == f"http://testserver/api/v1/imports/jobs/{job.pk}/changes/"
    assert [entry["code"] for entry in body["changes"]] == ["P001", "P002"]
    api = client.get(body["changes_url"], HTTP_ACCEPT_LANGUAGE="en")
    assert _sheet(api) == _sheet(_download(client, job))


def test_no_download_for_a_check_that_updates_nothing_nor_for_an_import(client, commit):
    manager = make_user(Role.MANAGER)
    client.force_login(manager)
    created_only = _check(client, _renamed(2), commit)  # no products stored: both rows would be created

    assert _download(client, created_only).status_code == 404
    body = client.get(f"/api/v1/imports/jobs/{created_only.pk}/").json()
    assert body["changes_url"] is None


def test_a_check_of_more_rows_than_the_page_shows_downloads_every_one(client, commit):
    manager = make_user(Role.MANAGER)
    count = CHANGES_SHOWN + 10
    _products(count)
    client.force_login(manager)
    job = _check(client, _renamed(count), commit)

    page = client.get(f"/imports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('data-testid="change-row"') == CHANGES_SHOWN + 1  # the first rows (the first has two fields)

    rows = _sheet(_download(client, job))

    assert job.updated == count
    assert [row[1] for row in rows[1:]] == ["P001", "P001", *(f"P{n:03d}" for n in range(2, count + 1))]
    assert rows[-1] == (count + 1, f"P{count:03d}", rows[-1][2], f"啤酒{count}", f"新啤酒{count}")
