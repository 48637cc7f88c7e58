"""The roster's export imports back as it is, in either language; a row for a promoter on the roster keeps the
stored value of each empty cell; a row's every problem that can be known is listed at once."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.roles import Role
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from promoters.models import Promoter
from tests.factories import make_user
from tests.imports.xlsx import errors_of, xlsx_upload

from .factories import make_promoter

User = get_user_model()
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_week")]


def _export(client, language: str) -> bytes:
    response = client.get(reverse("promoters:roster"), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language)
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_roster_export_imports_back_as_it_is(client, scene, language):
    # The supervisor's name is not their username, another supervisor has the same name, and a third one's username
    # is that name: the export writes the username its heading names, so each row comes back to its own supervisor
    # (by name it was ambiguous, or found the third one).
    User.objects.filter(pk=scene.supervisor.pk).update(first_name="强", last_name="王")
    scene.supervisor.refresh_from_db()
    make_user(Role.SUPERVISOR, username="sup_c", first_name="强", last_name="王")
    named_so = make_user(Role.SUPERVISOR, username="王强")
    make_promoter(stores=[scene.store], supervisor=scene.supervisor, code="PA2", name="孙美玲", employer="agency",
                  agency="上海众邦劳务", daily_fee=None, monthly_pay=Decimal("4500.00"))  # fmt: skip
    make_promoter(stores=[scene.second_store], supervisor=scene.supervisor, code="PA3", name="马建华",
                  kind="merchandiser", employer="chain", ended_on=date(2026, 12, 31))  # fmt: skip
    client.force_login(scene.supervisor)
    content = _export(client, language)
    rows = list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    headers = rows[0]
    assert headers[0] == ("编号" if language == "zh-hans" else "Code")  # as the import's template heads it
    supervisor_column = headers.index("主管账号" if language == "zh-hans" else "Supervisor username")
    assert {row[supervisor_column] for row in rows[1:]} == {"sup_a"}

    with translation.override(language):
        result = run_import(
            kind=KINDS["promoters"], source=SimpleUploadedFile("roster.xlsx", content), user=scene.supervisor
        )

    assert (result.created, result.updated, result.unchanged, result.ignored_columns) == (0, 0, 3, ())
    agency = Promoter.objects.get(code="PA2")
    assert (agency.employer, agency.agency, agency.monthly_pay) == ("agency", "上海众邦劳务", Decimal("4500.00"))
    assert Promoter.objects.get(code="PA3").kind == "merchandiser"
    assert set(Promoter.objects.filter(code__in=["PA1", "PA2", "PA3"]).values_list("supervisor", flat=True)) == {
        scene.supervisor.pk
    }
    assert not Promoter.objects.filter(supervisor=named_so).exists()


@pytest.mark.parametrize(
    ("language", "headers", "words"),
    [
        ("en", ["Code", "Name", "Kind", "Employed by", "Supervisor", "Stores", "Daily fee", "Started on"],
         ["Promoter", "The chain"]),
        ("zh-hans", ["编码", "名称", "类型", "雇佣方", "主管", "门店", "日薪", "入职日期"], ["促销员", "本公司"]),
    ],
)  # fmt: skip
def test_an_export_of_before_reads_its_headers_and_labels(scene, language, headers, words):
    """The headers and choice labels the roster's export wrote before it took the import's (QA's roster files)."""
    row = ["PA1", "王小红", words[0], words[1], "sup_a", "S-A1,S-A2", 180, "2026-01-01"]

    with translation.override(language):
        result = run_import(kind=KINDS["promoters"], source=xlsx_upload(headers, [row]), user=scene.supervisor)

    assert result.rows == 1
    assert Promoter.objects.get(code="PA1").employer == ("chain" if language == "en" else "maker")


def test_an_empty_cell_keeps_the_stored_value_and_a_dash_empties_it(scene):
    promoter = scene.promoter
    Promoter.objects.filter(pk=promoter.pk).update(phone="13800000000", ended_on=date(2026, 12, 31))
    headers = ["code", "name", "phone", "supervisor username", "stores", "daily fee", "monthly pay", "started on",
               "ended on"]  # fmt: skip
    started = promoter.started_on
    rows = [["PA1", "王小红", None, "sup_a", None, None, None, started, "-"]]

    result = run_import(kind=KINDS["promoters"], source=xlsx_upload(headers, rows), user=scene.supervisor)

    assert result.updated == 1
    promoter.refresh_from_db()
    assert promoter.phone == "13800000000"
    assert sorted(promoter.stores.values_list("code", flat=True)) == ["S-A1", "S-A2"]
    assert (promoter.daily_fee, promoter.monthly_pay) == (scene.promoter.daily_fee, scene.promoter.monthly_pay)
    assert promoter.ended_on is None


def test_a_row_giving_the_other_pay_drops_the_stored_one(scene):
    headers = ["code", "name", "supervisor username", "daily fee", "monthly pay", "started on"]
    rows = [["PA1", "王小红", "sup_a", None, 4800, scene.promoter.started_on]]

    run_import(kind=KINDS["promoters"], source=xlsx_upload(headers, rows), user=scene.supervisor)

    promoter = Promoter.objects.get(pk=scene.promoter.pk)
    assert (promoter.daily_fee, promoter.monthly_pay) == (None, Decimal("4800.00"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_problem_of_a_row_is_listed(scene, language):
    headers = ["code", "name", "supervisor username", "daily fee", "monthly pay", "started on", "ended on"]
    rows = [["PR103", "钱小红", "sup_a", None, None, "2026-12-01", "2026-11-01"]]

    with translation.override(language), pytest.raises(ImportRejected) as refused:
        run_import(kind=KINDS["promoters"], source=xlsx_upload(headers, rows), user=scene.supervisor)

    assert {(row, column) for row, column, _message in errors_of(refused)} == {(2, "daily fee"), (2, "ended on")}
    assert {error.code for error in refused.value.errors} == {"promoter.pay_one", "promoter.ends_before_start"}
    assert not Promoter.objects.filter(code="PR103").exists()


def test_a_bad_supervisor_and_a_rule_are_both_listed(scene):
    headers = ["code", "name", "supervisor username", "daily fee", "monthly pay", "started on"]
    rows = [["PR104", "钱小红", "nobody", 180, 4500, "2026-12-01"]]

    with translation.override("en"), pytest.raises(ImportRejected) as refused:
        run_import(kind=KINDS["promoters"], source=xlsx_upload(headers, rows), user=scene.supervisor)
        assert False  # noqa: B011 (never reached)
    with translation.override("en"):
        problems = {column: message for _row, column, message in errors_of(refused)}
    assert problems["supervisor username"] == "“nobody” is not a KA supervisor's username or name."
    assert problems["daily fee"].startswith("Give either a daily fee or a monthly pay")


def test_a_supervisor_username_in_other_letters_names_the_supervisor(scene):
    headers = ["code", "name", "supervisor username", "daily fee", "started on"]
    rows = [["PN9", "钱小红", "SUP_A", 180, "2026-12-01"]]

    run_import(kind=KINDS["promoters"], source=xlsx_upload(headers, rows), user=scene.supervisor)

    assert Promoter.objects.get(code="PN9").supervisor == scene.supervisor


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_sheet_naming_the_supervisor_by_name_still_imports(scene, language):
    """A roster exported before it wrote usernames (the supervisor's name in the column), or typed by hand."""
    User.objects.filter(pk=scene.supervisor.pk).update(first_name="强", last_name="王")
    headers = ["编码", "名称", "主管账号", "日薪", "入职日期"] if language == "zh-hans" else [
        "Code", "Name", "Supervisor username", "Daily fee", "Started on"]  # fmt: skip

    with translation.override(language):
        result = run_import(kind=KINDS["promoters"], source=xlsx_upload(headers, [["PN7", "钱小红", "王强", 180,
                                                                                   "2026-12-01"]]),
                            user=scene.supervisor)  # fmt: skip

    assert result.created == 1
    assert Promoter.objects.get(code="PN7").supervisor == scene.supervisor
