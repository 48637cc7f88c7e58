"""An import's problems read in the language of whoever reads them, not of whoever uploaded: a manager uploads a bad
product sheet in Chinese; an administrator reads its problems in English — on the job's page, in the API and in the
Excel of problems — and the manager, switching to English, too. Each problem keeps its message's id and parameters
(imports/texts.py: a rule's refusal, a cell that is no number, a word inside a message); problems stored before
that read as they were written."""

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from imports.models import ImportJob, ImportProblem

from .xlsx import page_import, read_xlsx, xlsx_upload

pytestmark = pytest.mark.django_db

HEADERS = ["产品编码", "产品名称", "箱规", "建议零售价", "经销商进价", "二批价"]
ENGLISH = [
    (2, "箱规", "Packs per case must be between 1 and 10000; 0 is not."),  # the rule's DomainError
    (2, "建议零售价", "“five” is not a number."),  # the cell parser's
    (3, "建议零售价", "Expected a number, found a date."),  # a translatable word inside the message
]
CHINESE = [
    (2, "箱规", "箱规须在 1 到 10000 之间；0 不符合。"),
    (2, "建议零售价", "“five”不是数字。"),
    (3, "建议零售价", "应为数字，却是日期。"),
]


@pytest.fixture
def job(client, manager, commit) -> ImportJob:
    """The manager's sheet, uploaded from a Chinese page: two bad rows, three problems."""
    client.force_login(manager)
    rows = [["P1", "产品1", 0, "five", 4, 4], ["P2", "产品2", 12, datetime(2026, 1, 5), 4, 4]]
    response = page_import(
        client, "products", xlsx_upload(HEADERS, rows), commit=commit, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    job = response.context["job"]
    assert job.status == ImportJob.Status.REFUSED
    return job


def _page_problems(client, job, language) -> list[tuple]:
    page = client.get(f"/imports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    return [(row, column, message) for row, column, message in CHINESE + ENGLISH if
            f'<td class="num">{row}</td><td class="text-nowrap">{column}</td><td>{message}</td>' in page]  # fmt: skip


def test_the_problems_were_found_in_the_uploaders_language(job):
    assert [p.message for p in job.problems.all()] == [message for _row, _column, message in CHINESE]


def test_an_administrator_reads_them_in_english_on_the_page(job, admin_user):
    reader = Client()
    reader.force_login(admin_user)

    assert _page_problems(reader, job, "en") == ENGLISH


def test_the_uploader_reads_them_in_the_language_they_switch_to(client, job):
    assert _page_problems(client, job, "en") == ENGLISH
    assert _page_problems(client, job, "zh-hans") == CHINESE


def test_the_api_answers_them_in_the_language_of_the_request(api_client, admin_user, job):
    api_client.force_authenticate(admin_user)

    errors = api_client.get(f"/api/v1/imports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["errors"]

    assert [(e["row"], e["column"], e["message"]) for e in errors] == ENGLISH


def test_the_excel_of_problems_is_in_the_readers_language(admin_user, job):
    reader = Client()
    reader.force_login(admin_user)

    download = reader.get(f"/imports/jobs/{job.pk}/problems.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    (rows,) = read_xlsx(b"".join(download.streaming_content)).values()

    assert [row[:3] for row in rows[1:]] == ENGLISH


def test_a_problem_stored_before_reads_as_it_was_written(client, job):
    ImportProblem.objects.filter(job=job, row=3).update(message_text=None)

    assert sorted(_page_problems(client, job, "en")) == sorted([*ENGLISH[:2], CHINESE[2]])


def test_why_the_file_was_refused_reads_in_the_readers_language_too(client, api_client, admin_user, job):
    summary = "Rows with problems: 2 of 2. Nothing was imported; fix them and upload again."
    api_client.force_authenticate(admin_user)

    body = api_client.get(f"/api/v1/imports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert job.detail == "有问题的行：2 / 2。未导入任何数据，请修改后重新上传。"  # as written for the uploader
    assert body["detail"] == summary


def test_a_file_refused_as_a_whole_says_why_in_the_readers_language(client, manager, admin_user, commit):
    client.force_login(manager)
    upload = SimpleUploadedFile("products.xlsx", b"not a workbook")
    job = page_import(client, "products", upload, commit=commit, HTTP_ACCEPT_LANGUAGE="zh-hans").context["job"]
    reader = Client()
    reader.force_login(admin_user)

    page = reader.get(f"/imports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert job.status == ImportJob.Status.REFUSED and job.detail != job.shown_detail
    assert job.shown_detail in page and job.shown_detail.isascii()
