"""A small KA world for promotion tests: an account owned by the manager, a store of the rep in the
supervisor's team, two listed products, and a budget for the coming months."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from accounts.roles import Role
from promotions.services import ItemInput, PlanInput
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

from .factories import BudgetFactory, promotion_type

TODAY = date(2026, 6, 1)


@pytest.fixture
def world(db, manager):
    supervisor = make_user(Role.SUPERVISOR, username="sup_w")
    rep = make_user(Role.REP, username="rep_w", supervisor=supervisor)
    account = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    store = StoreFactory(account=account, rep=rep, name="沃尔玛五角场店")
    beer = ProductFactory(code="P001", name="纯生啤酒", suggested_retail_price=Decimal("5.50"))
    chips = ProductFactory(code="P101", name="薯片", suggested_retail_price=Decimal("6.50"),
                           distributor_price=Decimal("4.30"), wholesale_price=Decimal("4.60"))  # fmt: skip
    ListingFactory(store=store, product=beer, purchase_price=Decimal("4.00"), shelf_price=Decimal("5.00"))
    ListingFactory(store=store, product=chips, purchase_price=Decimal("5.00"), shelf_price=Decimal("6.30"))
    budget = BudgetFactory(
        account=account, period_start=date(2026, 6, 1), period_end=date(2026, 8, 31), amount=Decimal("10000.00")
    )
    return SimpleNamespace(
        manager=manager, supervisor=supervisor, rep=rep, account=account, store=store,
        beer=beer, chips=chips, budget=budget, in_store=promotion_type("in_store"), dm=promotion_type("dm"),
    )  # fmt: skip


def plan_input(world, *, start=TODAY + timedelta(days=7), days=14, items=None, **fields) -> PlanInput:
    """A valid 10 % in-store plan for the rep's store unless told otherwise."""
    defaults = {
        "account": world.account,
        "type": world.in_store,
        "title": "夏季啤酒店促",
        "start_on": start,
        "end_on": start + timedelta(days=days - 1),
        "all_stores": False,
        "stores": [world.store],
        "items": items or [ItemInput(world.beer, Decimal("4.50"), 1000)],
        "dm_fee": Decimal("500.00"),
    }
    return PlanInput(**{**defaults, **fields})


@pytest.fixture(autouse=True)
def _on_today(time_machine):
    """Promotion tests run on 2026-06-01, 09:00 in Shanghai, so dates in them read plainly."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
