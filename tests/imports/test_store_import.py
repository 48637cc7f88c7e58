"""Store import: good files in either language, every kind of bad row, re-import, scope."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.roles import Role
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Store
from tests.factories import KeyAccountFactory, StoreFactory, make_user

from .xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db

EN = ["account code", "store code", "store name", "city", "grade", "latitude", "longitude", "rep username", "opened on"]
ZH = ["系统编码", "门店编码", "门店名称", "城市", "等级", "纬度", "经度", "业代账号", "开业日期"]


def test_good_file_with_english_headers_creates_the_stores(admin_user):
    # given
    KeyAccountFactory(code="WM")
    make_user(Role.REP, username="rep_zhang")
    upload = xlsx_upload(
        EN,
        [
            ["WM", "S100", "沃尔玛浦东店", "上海", "A", 31.230416, 121.473701, "rep_zhang", date(2024, 5, 1)],
            ["WM", 1001, "沃尔玛徐汇店", "上海", "b", None, None, None, "2024/6/1"],
        ],
    )
    # when
    result = run_import(kind=KINDS["stores"], source=upload, user=admin_user)
    # then
    assert (result.created, result.updated, result.rows) == (2, 0, 2)
    first = Store.objects.get(code="S100")
    assert first.account.code == "WM"
    assert first.grade == "A"
    assert first.visits_per_week == 3
    assert first.rep.username == "rep_zhang"
    assert first.latitude == Decimal("31.230416")
    assert first.opened_on == date(2024, 5, 1)
    second = Store.objects.get(code="1001")  # a code typed as a number stays the same text
    assert second.grade == "B"
    assert second.rep is None
    assert second.opened_on == date(2024, 6, 1)


def test_good_file_with_chinese_headers_creates_the_stores(admin_user):
    KeyAccountFactory(code="WM")
    upload = xlsx_upload(ZH, [["WM", "S100", "沃尔玛浦东店", "上海", "C", None, None, None, None]])

    result = run_import(kind=KINDS["stores"], source=upload, user=admin_user)

    assert result.created == 1
    assert Store.objects.get(code="S100").name == "沃尔玛浦东店"


def test_reimport_updates_by_code_and_never_duplicates(admin_user):
    # given a store imported once
    account = KeyAccountFactory(code="WM")
    run_import(kind=KINDS["stores"], source=xlsx_upload(EN[:5], [["WM", "S100", "旧名", "上海", "C"]]), user=admin_user)
    # when the same code comes again with new values
    result = run_import(
        kind=KINDS["stores"], source=xlsx_upload(EN[:5], [["WM", "S100", "新名", "苏州", "A"]]), user=admin_user
    )
    # then it is updated in place
    assert (result.created, result.updated) == (0, 1)
    store = Store.objects.get(code="S100")
    assert (store.name, store.city, store.grade, store.account) == ("新名", "苏州", "A", account)
    assert Store.objects.count() == 1


def test_a_column_the_file_lacks_leaves_the_stored_value_alone(admin_user):
    store = StoreFactory(code="S100", address="人民路1号", grade="B")

    run_import(
        kind=KINDS["stores"],
        source=xlsx_upload(
            ["account code", "store code", "store name", "grade"], [[store.account.code, "S100", "新名", "A"]]
        ),
        user=admin_user,
    )

    store.refresh_from_db()
    assert (store.name, store.grade, store.address) == ("新名", "A", "人民路1号")


def test_every_bad_row_is_listed_and_nothing_is_imported(admin_user):
    # given a file with one good row and one bad row of each kind
    KeyAccountFactory(code="WM")
    rows = [
        ["WM", "S1", "好门店", "上海", "A", None, None, None, None],  # row 2: good
        ["XX", "S2", "门店", "上海", "A", None, None, None, None],  # row 3: unknown account
        ["WM", "S3", "门店", "上海", "D", None, None, None, None],  # row 4: grade
        ["WM", "S4", None, "上海", "B", None, None, None, None],  # row 5: name missing
        ["WM", "S1", "重复", "上海", "B", None, None, None, None],  # row 6: duplicate code
        ["WM", "S6", "门店", "上海", "B", "north", None, None, None],  # row 7: text in a number column
        ["WM", "S7", "门店", "上海", "B", None, None, "nobody", None],  # row 8: unknown rep
        ["WM", "S8", "门店", "上海", "B", None, None, None, "2024-13-45"],  # row 9: bad date
    ]
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["stores"], source=xlsx_upload(EN, rows), user=admin_user)
    # then
    assert errors_of(excinfo) == [
        (3, "account code", "No key account with the code “XX” that you can reach."),
        (4, "grade", "“D” is not one of A, B, C."),
        (5, "store name", "A value is required."),
        (6, "", "Same “store code” as row 2 of this file: only one of the two rows can stay."),
        (7, "latitude", "“north” is not a number."),
        (8, "rep username", "“nobody” is not the username of a sales rep you may give stores to."),
        (9, "opened on", "“2024-13-45” is not a date; write it as YYYY-MM-DD."),
    ]
    assert excinfo.value.code == "import.invalid_rows"
    assert excinfo.value.params == {"bad_rows": 7, "rows": 8, "problems": 7, "shown": 7}
    assert not Store.objects.exists()


def test_chinese_messages_name_the_chinese_column(admin_user, settings):
    from django.utils import translation

    KeyAccountFactory(code="WM")
    with translation.override("zh-hans"), pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["stores"], source=xlsx_upload(ZH, [["WM", "S1", "门店", "上海", "E"]]), user=admin_user)

    assert errors_of(excinfo) == [(2, "等级", "“E”不是 A, B, C 之一。")]


def test_a_manager_may_not_import_a_store_into_another_managers_account(manager):
    # given an account of mine and one of another manager
    KeyAccountFactory(code="MINE", owner=manager)
    KeyAccountFactory(code="THEIRS", owner=make_user(Role.MANAGER, username="mgr_b"))
    rows = [["MINE", "S1", "我的店", "上海", "A"], ["THEIRS", "S2", "别人的店", "上海", "A"]]
    # when
    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["stores"], source=xlsx_upload(EN[:5], rows), user=manager)
    # then
    assert errors_of(excinfo) == [(3, "account code", "No key account with the code “THEIRS” that you can reach.")]
    assert not Store.objects.exists()


def test_a_manager_may_not_take_over_another_managers_store_by_its_code(manager):
    KeyAccountFactory(code="MINE", owner=manager)
    StoreFactory(code="S9", account=KeyAccountFactory(owner=make_user(Role.MANAGER, username="mgr_b")))

    with pytest.raises(ImportRejected) as excinfo:
        run_import(
            kind=KINDS["stores"], source=xlsx_upload(EN[:5], [["MINE", "S9", "抢来的店", "上海", "A"]]), user=manager
        )

    # then refused as the page and the API refuse a new store given a code that is taken (store.code_taken), saying
    # that the code is in use, never whose: that store is outside the manager's scope (SPEC §1)
    assert errors_of(excinfo) == [
        (2, "store code", "The code S9 is already in use: choose another (codes are compared without case).")
    ]
    assert excinfo.value.errors[0].code == "store.code_taken"
    assert Store.objects.get(code="S9").name != "抢来的店"


def test_a_manager_imports_stores_of_their_own_accounts(manager):
    KeyAccountFactory(code="MINE", owner=manager)

    result = run_import(
        kind=KINDS["stores"], source=xlsx_upload(EN[:5], [["MINE", "S1", "我的店", "上海", "A"]]), user=manager
    )

    assert result.created == 1
