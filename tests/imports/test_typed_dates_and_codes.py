"""What a clerk types, read as they meant it: a date in full-width digits (a Chinese keyboard) or with its time of
day, a store's code in another case in any import that names stores (a store target's `s1` is store S1), and a
month typed as YYYY-MM on the store and collection targets' API lists as everywhere else."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import StoreTarget
from accounts.roles import Role
from imports.kinds import CellError, a_date
from imports.registry import KINDS
from imports.runner import run_import
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.imports.xlsx import xlsx_upload


@pytest.mark.parametrize(
    "typed", ["２０２６／１１／２５", "2026-11-25 00:00:00", "2026-11-25T08:30", "2026年11月25日", "20261125"]
)
def test_a_date_typed_in_full_width_or_with_its_time_is_the_day(typed):
    assert a_date(typed) == date(2026, 11, 25)


def test_text_that_is_no_date_is_still_refused():
    with pytest.raises(CellError):
        a_date("11/25 下午")


@pytest.mark.django_db
def test_a_store_target_names_its_store_in_any_case():
    manager = make_user(Role.MANAGER, username="mgr")
    store = StoreFactory(code="WMT-001", account=KeyAccountFactory(code="WM", owner=manager))

    result = run_import(
        kind=KINDS["store-targets"],
        source=xlsx_upload(["store code", "month", "amount"], [["wmt-001", "2026-03", 4500]]),
        user=manager,
    )

    assert result.created == 1
    assert StoreTarget.objects.get().store == store and StoreTarget.objects.get().amount == Decimal("4500")


@pytest.mark.django_db
def test_the_store_targets_api_filters_by_a_typed_month(api_client):
    manager = make_user(Role.MANAGER, username="mgr")
    store = StoreFactory(code="S1", account=KeyAccountFactory(code="WM", owner=manager))
    for month in (date(2026, 11, 1), date(2026, 12, 1)):
        StoreTarget.objects.create(store=store, month=month, amount=Decimal("100"))
    api_client.force_authenticate(manager)

    december = api_client.get("/api/v1/store-targets/", {"month": "2026-12"})
    spring = api_client.get("/api/v1/store-targets/", {"month_from": "2026-12", "month_to": "2027-01"})
    wrong = api_client.get("/api/v1/store-targets/", {"month": "2026-13"})

    assert [row["month"] for row in december.json()["results"]] == ["2026-12-01"]
    assert [row["month"] for row in spring.json()["results"]] == ["2026-12-01"]
    assert wrong.status_code == 400 and "month" in wrong.json()["errors"]
