"""Sales target import: one target per account × year × month, in the manager's scope."""

from decimal import Decimal

import pytest

from accounts.models import SalesTarget
from accounts.roles import Role
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from tests.factories import KeyAccountFactory, SalesTargetFactory, make_user

from .xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db

EN = ["account code", "year", "month", "target amount"]
ZH = ["系统编码", "年份", "月份", "指标金额"]


@pytest.mark.parametrize("headers", [EN, ZH], ids=["english", "chinese"])
def test_good_file_sets_monthly_targets(manager, headers):
    KeyAccountFactory(code="WM", owner=manager)

    result = run_import(
        kind=KINDS["targets"],
        source=xlsx_upload(headers, [["WM", 2026, 1, 1200000], ["WM", 2026, 2, "980000.50"]]),
        user=manager,
    )

    assert (result.created, result.updated) == (2, 0)
    assert dict(SalesTarget.objects.values_list("month", "amount")) == {
        1: Decimal("1200000.00"),
        2: Decimal("980000.50"),
    }


def test_reimport_updates_the_month_and_never_duplicates(admin_user):
    target = SalesTargetFactory(account__code="WM", year=2026, month=1, amount=Decimal("100.00"))

    result = run_import(
        kind=KINDS["targets"], source=xlsx_upload(EN, [["WM", 2026, 1, 150], ["WM", 2026, 2, 90]]), user=admin_user
    )

    assert (result.created, result.updated) == (1, 1)
    target.refresh_from_db()
    assert target.amount == Decimal("150.00")
    assert SalesTarget.objects.count() == 2


def test_bad_months_years_amounts_and_codes_are_listed(manager):
    KeyAccountFactory(code="WM", owner=manager)
    KeyAccountFactory(code="CRF", owner=make_user(Role.MANAGER, username="mgr_b"))
    rows = [
        ["WM", 2026, 13, 100],
        ["WM", 1999, 1, 100],
        ["WM", 2026, 2, -100],
        ["NOPE", 2026, 3, 100],
        ["CRF", 2026, 3, 100],
        ["WM", 2026, 4, 100],
        ["WM", 2026, 4, 200],
    ]

    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["targets"], source=xlsx_upload(EN, rows), user=manager)

    assert errors_of(excinfo) == [
        (2, "month", "Must be at most 12."),
        (3, "year", "Must be at least 2000."),
        (4, "target amount", "The target for month 2 must not be negative."),
        (5, "account code", "No key account with the code “NOPE” that you can reach."),
        (6, "account code", "No key account with the code “CRF” that you can reach."),
        (8, "", "Same “account code”, “year” and “month” as row 7 of this file: only one of the two rows can stay."),
    ]
    assert not SalesTarget.objects.exists()
