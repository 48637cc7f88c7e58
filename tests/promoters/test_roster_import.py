"""The roster import (kind `promoters`): Chinese or English headers, through promoter_save, bad rows named with
row, column and why, all or nothing."""

from decimal import Decimal

import pytest
from django.utils import translation

from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from promoters.models import Promoter, Shift
from tests.imports.xlsx import errors_of, xlsx_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_the_week")]

EN = ["code", "name", "phone", "kind", "employer", "agency", "supervisor username", "stores", "daily fee",
      "monthly pay", "started on", "ended on"]  # fmt: skip
ZH = [
    "编号",
    "姓名",
    "电话",
    "类型",
    "雇佣方",
    "代理公司",
    "主管账号",
    "门店编码",
    "日薪",
    "月薪",
    "入职日期",
    "离职日期",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("headers", [EN, ZH], ids=["english", "chinese"])
def test_a_good_file_creates_and_changes_promoters(scene, headers):
    rows = [
        [
            "PN1",
            "赵小燕",
            "13900000001",
            "导购",
            "代理",
            "众邦劳务",
            "sup_a",
            "S-A1, S-A2",
            None,
            4500,
            "2026-11-01",
            None,
        ],
        ["PA1", "王小红", "13900000002", "promoter", "maker", None, "sup_a", "S-A1", 190, None, "2026-01-01", None],
        ["PN2", "马建华", None, "理货", "卖场", None, "sup_a", "S-A2", 150, None, "2026-11-01", "2026-12-31"],
    ]
    result = run_import(kind=KINDS["promoters"], source=xlsx_upload(headers, rows), user=scene.supervisor)
    assert (result.created, result.updated) == (2, 1)
    new = Promoter.objects.get(code="PN1")
    assert (new.employer, new.agency, new.monthly_pay) == ("agency", "众邦劳务", Decimal("4500.00"))
    assert sorted(new.stores.values_list("code", flat=True)) == ["S-A1", "S-A2"]
    assert Promoter.objects.get(code="PA1").daily_fee == Decimal("190.00")
    assert Promoter.objects.get(code="PN2").kind == "merchandiser"


def test_bad_rows_are_named_and_nothing_is_written(scene):
    rows = [
        ["PN1", "好人", None, "导购", "厂家", None, "sup_a", "S-A1", 180, None, "2026-11-01", None],
        ["PN2", "两份工资", None, "导购", "厂家", None, "sup_a", "S-A1", 180, 4000, "2026-11-01", None],
        ["PN3", "没有代理", None, "导购", "代理", None, "sup_a", "S-A1", 180, None, "2026-11-01", None],
        ["PN4", "别人的店", None, "导购", "厂家", None, "sup_a", "S-B1", 180, None, "2026-11-01", None],
        ["PN5", "不是主管", None, "导购", "厂家", None, "rep_x", "S-A1", 180, None, "2026-11-01", None],
        ["PN6", "早走", None, "导购", "厂家", None, "sup_a", "S-A1", 180, None, "2026-11-01", "2026-10-01"],
        ["PB1", "别人的导购", None, "导购", "厂家", None, "sup_a", "S-A1", 180, None, "2026-11-01", None],
        ["PN7", "坏类型", None, "经理", "厂家", None, "sup_a", "S-A1", 180, None, "2026-11-01", None],
    ]
    with pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["promoters"], source=xlsx_upload(EN, rows), user=scene.supervisor)
    problems = {(row, column): message for row, column, message in errors_of(rejected)}
    assert set(problems) == {
        (3, "daily fee"), (4, "agency"), (5, "stores"), (6, "supervisor username"), (7, "ended on"), (8, "code"),
        (9, "kind"),
    }  # fmt: skip
    assert problems[5, "stores"] == "No store with the code “S-B1” that you can reach."
    assert "agency" in problems[4, "agency"].lower()
    assert not Promoter.objects.filter(code__startswith="PN").exists()


def test_reps_cannot_import_the_roster(scene):
    from accounts.roles import Role
    from tests.factories import make_user

    assert not KINDS["promoters"].allowed(make_user(Role.REP, username="rep_q"))
    assert KINDS["promoters"].allowed(scene.supervisor)


SHIFT_HEADERS = ["promoter code", "store code", "day", "from", "to", "plan id"]


def test_a_shifts_file_schedules_every_row(scene):
    rows = [
        ["PA1", "S-A1", "2026-11-23", "09:00", "13:00", None],
        ["PA1", "S-A2", "2026-11-23", "13:00", "18:00", None],
    ]
    result = run_import(kind=KINDS["promoter-shifts"], source=xlsx_upload(SHIFT_HEADERS, rows), user=scene.supervisor)
    assert result.created == 2
    assert sorted(Shift.objects.values_list("store__code", flat=True)) == ["S-A1", "S-A2"]


def test_a_shifts_file_with_an_overlap_between_its_rows_writes_nothing(scene):
    rows = [
        ["PA1", "S-A1", "2026-11-23", "09:00", "13:00", None],
        ["PA1", "S-A2", "2026-11-23", "12:00", "18:00", None],  # overlaps the row above
        ["PA1", "S-A1", "2025-11-23", "09:00", "13:00", None],  # before the promoter started
        ["PB1", "S-A1", "2026-11-24", "09:00", "13:00", None],  # another supervisor's promoter
        ["PA1", "S-A1", "2026-11-25", "9点", "13:00", None],
    ]
    with pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["promoter-shifts"], source=xlsx_upload(SHIFT_HEADERS, rows), user=scene.supervisor)
    assert [(row, column) for row, column, _m in errors_of(rejected)] == [
        (3, "from"), (4, "day"), (5, "promoter code"), (6, "from"),
    ]  # fmt: skip
    assert "S-A1" in errors_of(rejected)[0][2] or "甲店" in errors_of(rejected)[0][2]
    assert not Shift.objects.exists()
