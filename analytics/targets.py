"""Store targets and collection targets for one month (issue 15): per account, its own sales target beside the sum
of its stores' targets (the roll-up, never replacing it) and their difference; the stores' sell-in against that
sum; the collection target against payments received. Per store of one account, its target against its sell-in.

- Store sell-in is deliveries (quantity × price, stores.selectors.delivery_value): invoices name a chain, never a
  store. An account's sell-in here is the sum over all its stores, those without a target included.
- Payments received: the account's payments dated in the month, less those reversed (a bounced payment brought
  nothing in).

A fixed number of queries, however many accounts or stores.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet

from accounts.models import CollectionTarget, KeyAccount, SalesTarget, StoreTarget
from contracts.models import Payment
from ka_portal.db_router import reads_from_replica
from ka_portal.money import CENT, ZERO, money_sum
from stores.models import Delivery, Store
from stores.selectors import sell_in_by


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _ratio(actual: Decimal, target: Decimal | None) -> Decimal | None:
    return actual / target if target else None


@dataclass
class AccountTargets:
    account: KeyAccount
    sales_target: Decimal | None = None  # the account's own monthly target (SalesTarget), if set
    store_targets: Decimal = ZERO  # Σ of its stores' targets
    stores_with_target: int = 0
    sell_in: Decimal = ZERO  # Σ deliveries to its stores
    collection_target: Decimal | None = None
    received: Decimal = ZERO

    @property
    def roll_up_difference(self) -> Decimal | None:
        """Σ store targets − the account's own target (None without one): what the stores' targets leave out."""
        return None if self.sales_target is None else self.store_targets - self.sales_target

    @property
    def achievement(self) -> Decimal | None:
        """Stores' sell-in ÷ Σ store targets."""
        return _ratio(self.sell_in, self.store_targets)

    @property
    def collection_achievement(self) -> Decimal | None:
        """Payments received ÷ collection target."""
        return _ratio(self.received, self.collection_target)


@dataclass
class StoreTargetLine:
    store: Store
    target: Decimal | None = None
    sell_in: Decimal = ZERO

    @property
    def difference(self) -> Decimal | None:
        return None if self.target is None else self.sell_in - self.target

    @property
    def achievement(self) -> Decimal | None:
        return _ratio(self.sell_in, self.target)


@reads_from_replica()
def targets_by_account(*, accounts: QuerySet, month: date) -> tuple[list[AccountTargets], AccountTargets]:
    """Per account (of `accounts`, already scoped) for the month: the figures above, and their total. Six queries."""
    end = month_end(month)
    rows = {account.pk: AccountTargets(account=account) for account in accounts.order_by("code")}
    ids = list(rows)
    for account_id, amount in SalesTarget.objects.filter(
        account_id__in=ids, year=month.year, month=month.month
    ).values_list("account_id", "amount"):
        rows[account_id].sales_target = amount
    for account_id, total, count in (
        StoreTarget.objects.filter(store__account_id__in=ids, month=month)
        .values("store__account_id")
        .annotate(total=money_sum("amount"), count=Count("pk"))
        .order_by()
        .values_list("store__account_id", "total", "count")
    ):
        rows[account_id].store_targets = total
        rows[account_id].stores_with_target = count
    deliveries = Delivery.objects.filter(store__account_id__in=ids)
    for account_id, total in sell_in_by(deliveries, "store__account_id", month, end).items():
        rows[account_id].sell_in = (total or ZERO).quantize(CENT)
    for account_id, amount in CollectionTarget.objects.filter(account_id__in=ids, month=month).values_list(
        "account_id", "amount"
    ):
        rows[account_id].collection_target = amount
    for account_id, total in (
        Payment.objects.filter(account_id__in=ids, date__gte=month, date__lte=end, reversed_at__isnull=True)
        .values("account_id")
        .annotate(total=money_sum("amount"))
        .order_by()
        .values_list("account_id", "total")
    ):
        rows[account_id].received = total
    lines = list(rows.values())
    total = AccountTargets(account=None)  # type: ignore[arg-type]
    total.store_targets = sum((r.store_targets for r in lines), ZERO)
    total.stores_with_target = sum(r.stores_with_target for r in lines)
    total.sell_in = sum((r.sell_in for r in lines), ZERO)
    total.received = sum((r.received for r in lines), ZERO)
    if any(r.sales_target is not None for r in lines):
        total.sales_target = sum((r.sales_target or ZERO for r in lines), ZERO)
    if any(r.collection_target is not None for r in lines):
        total.collection_target = sum((r.collection_target or ZERO for r in lines), ZERO)
    return lines, total


@reads_from_replica()
def targets_by_store(*, stores: QuerySet, month: date) -> list[StoreTargetLine]:
    """Per store (of `stores`, already scoped) for the month: its target and sell-in. Three queries."""
    end = month_end(month)
    lines = {store.pk: StoreTargetLine(store=store) for store in stores.order_by("code")}
    for store_id, amount in StoreTarget.objects.filter(store_id__in=list(lines), month=month).values_list(
        "store_id", "amount"
    ):
        lines[store_id].target = amount
    for store_id, total in sell_in_by(
        Delivery.objects.filter(store_id__in=list(lines)), "store_id", month, end
    ).items():
        lines[store_id].sell_in = (total or ZERO).quantize(CENT)
    return [line for line in lines.values() if line.store.active or line.target is not None or line.sell_in]
