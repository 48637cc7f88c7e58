"""An import problem that lists words reads wholly in the reader's language, not the uploader's: finance uploads a
contract-terms sheet on a Chinese page, then reads its problems in English (and the other way round) — on the job's
page, in the API and in the Excel of problems. The duplicate row's columns (as the file heads them) are joined by the
reader's separator and “and”; a choice's labels and a term's kind and bases are the reader's words; a column the file
lacks is named by the template's header in the reader's language."""

from datetime import date

import pytest

from imports.models import ImportJob
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory

from .xlsx import page_import, read_xlsx, xlsx_upload

pytestmark = pytest.mark.django_db

ZH = ["合同编号", "费用类型", "计费方式", "周期", "费率(%)", "金额", "阶梯", "开始日期", "结束日期", "结算方式", "备注"]
DM = ["HT-WMT", "DM 海报费", "每期固定金额", "一次性", None, 1200, None, "2026-03-01", "2026-03-31", "从货款中扣除", ""]
TG = ["HT-WMT", "TG费", "每期固定金额", "月份", None, 800, None, "2026-03-01", "2026-03-31", "从货款中扣除", ""]

DUPLICATE_EN = "Same “合同编号”, “费用类型” and “开始日期” as row 2 of this file: only one of the two rows can stay."
DUPLICATE_ZH = "与本文件第 2 行的“合同编号”、“费用类型”和“开始日期”相同：两行只能保留一行。"


@pytest.fixture
def contract(db):
    account = KeyAccountFactory(code="WMT", name="沃尔玛")
    return ContractFactory(account=account, number="HT-WMT", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))


def _upload(client, user, commit, language, headers, rows) -> ImportJob:
    client.force_login(user)
    page = page_import(
        client, "contract-terms", xlsx_upload(headers, rows), commit=commit, HTTP_ACCEPT_LANGUAGE=language
    )
    job = page.context["job"]
    assert job.status == ImportJob.Status.REFUSED
    return job


def _page(client, job, language) -> str:
    return client.get(f"/imports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _download(client, job, language) -> list[tuple]:
    response = client.get(f"/imports/jobs/{job.pk}/problems.xlsx", HTTP_ACCEPT_LANGUAGE=language)
    (rows,) = read_xlsx(b"".join(response.streaming_content)).values()
    return [row[:3] for row in rows[1:]]  # row, column, problem (its code, the fourth, reads alike in every language)


def test_a_duplicate_row_uploaded_in_chinese_reads_wholly_in_english(client, finance, contract, commit):
    job = _upload(client, finance, commit, "zh-hans", ZH, [DM, TG, DM])

    assert job.problems.get().message == DUPLICATE_ZH  # as the uploader read it
    assert DUPLICATE_EN in _page(client, job, "en")
    assert _download(client, job, "en") == [(4, "Whole row", DUPLICATE_EN)]


def test_a_duplicate_row_uploaded_in_english_reads_wholly_in_chinese(client, finance, contract, commit):
    job = _upload(client, finance, commit, "en", ZH, [DM, TG, DM])

    assert job.problems.get().message == DUPLICATE_EN
    assert DUPLICATE_ZH in _page(client, job, "zh-hans")
    assert _download(client, job, "zh-hans") == [(4, "整行", DUPLICATE_ZH)]


def test_the_api_answers_the_duplicate_in_the_language_of_the_request(client, api_client, finance, contract, commit):
    job = _upload(client, finance, commit, "zh-hans", ZH, [DM, TG, DM])
    api_client.force_authenticate(finance)

    errors = api_client.get(f"/api/v1/imports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["errors"]

    assert [(e["row"], e["column"], e["message"]) for e in errors] == [(4, "", DUPLICATE_EN)]


def test_a_key_column_the_file_lacks_is_named_in_the_readers_language(client, finance, contract, commit):
    """No start column: both rows start with the contract; the duplicate names the start as the template heads it."""
    headers = [header for header in ZH if header != "开始日期"]
    row = [value for header, value in zip(ZH, DM, strict=True) if header != "开始日期"]
    job = _upload(client, finance, commit, "zh-hans", headers, [row, row])

    assert job.problems.get().message == "与本文件第 2 行的“合同编号”、“费用类型”和“开始日期”相同：两行只能保留一行。"
    assert _download(client, job, "en") == [
        (3, "Whole row", "Same “合同编号”, “费用类型” and “Valid from” as row 2 of this file: only one of the two rows "
         "can stay.")
    ]  # fmt: skip


def test_a_required_column_the_file_lacks_is_named_in_the_readers_language(client, finance, contract, commit):
    headers = [header for header in ZH if header != "结算方式"]
    row = [value for header, value in zip(ZH, DM, strict=True) if header != "结算方式"]
    job = _upload(client, finance, commit, "zh-hans", headers, [row])

    assert _download(client, job, "en") == [(1, "Settlement", "Required column missing: “结算方式” or “Settlement”.")]
    assert _download(client, job, "zh-hans") == [(1, "结算方式", "缺少必填列：“结算方式”或“Settlement”。")]


def test_a_choice_not_offered_lists_the_choices_in_the_readers_words(client, finance, contract, commit):
    job = _upload(client, finance, commit, "zh-hans", ZH, [[*DM[:9], "现金", ""]])

    assert _download(client, job, "en") == [
        (2, "结算方式", "“现金” is not one of Deducted from payment, Paid, Credit note.")
    ]


def test_a_kind_charged_on_a_basis_it_cannot_have_reads_in_the_readers_words(client, finance, contract, commit):
    rebate_as_fixed = [
        "HT-WMT",
        "进货返利（按开票额）",
        "每期固定金额",
        "年度",
        None,
        500,
        None,
        None,
        None,
        "红字发票",
        "",
    ]
    job = _upload(client, finance, commit, "zh-hans", ZH, [rebate_as_fixed])
    expected = (
        "A Rebate on invoiced sell-in cannot be charged on the basis “Fixed per period”; allowed: Percentage of "
        "invoiced sell-in."
    )

    assert _download(client, job, "en") == [(2, "计费方式", expected)]
