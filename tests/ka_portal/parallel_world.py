"""A small company for the parallel-writes test, built in a separate database by `manage.py shell`.

20 submitted plans of 520.00 against a budget of 5,200.00 (ten fit), and 20 unallocated payments of
80.00 against one invoice of 1,000.00 (twelve fit). Prints the ids as JSON.
"""

import json
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.roles import Role
from contracts import services as contracts
from promotions.services import ItemInput, PlanInput, promotion_save_draft, promotion_submit
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.promotions.factories import BudgetFactory, promotion_type

PASSWORD = "parallel-writes-0"
PLANS = 20
PAYMENTS = 20


def build() -> None:
    manager = make_user(Role.MANAGER, username="par_manager")
    admin = make_user(Role.ADMIN, username="par_admin")
    rep = make_user(Role.REP, username="par_rep")
    for user in (manager, admin):
        user.set_password(PASSWORD)
        user.save()
    account = KeyAccountFactory(code="PAR", owner=manager)
    store = StoreFactory(account=account, rep=rep)
    first = timezone.localdate() + timedelta(days=10)
    budget = BudgetFactory(
        account=account, period_start=first, period_end=first + timedelta(days=90), amount=Decimal("5200.00")
    )
    in_store = promotion_type("in_store")
    plans = []
    for n in range(PLANS):
        product = ProductFactory(suggested_retail_price=Decimal("5.50"))
        ListingFactory(store=store, product=product, purchase_price=Decimal("4.00"), shelf_price=Decimal("5.00"))
        data = PlanInput(
            account=account,
            type=in_store,
            title=f"并发 {n}",
            start_on=first + timedelta(days=n),
            end_on=first + timedelta(days=n + 13),
            items=[ItemInput(product=product, promotion_price=Decimal("4.50"), forecast_volume=1000)],
            all_stores=False,
            stores=[store],
            dm_fee=Decimal("500.00"),
        )
        plans.append(promotion_submit(plan=promotion_save_draft(user=rep, data=data), by=manager).pk)
    invoice = contracts.invoice_create(
        account=account, number="PAR-1", date=timezone.localdate() - timedelta(days=30), amount=Decimal("1000.00")
    )
    payments = [
        contracts.payment_record(
            account=account, date=timezone.localdate(), amount=Decimal("80.00"), auto_allocate=False
        ).pk
        for _ in range(PAYMENTS)
    ]
    print(json.dumps({"budget": budget.pk, "plans": plans, "invoice": invoice.pk, "payments": payments}))
