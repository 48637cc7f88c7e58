"""The chain page's worked example (issue 15 item 1), shared by the page, API and browser tests."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import KeyAccount, SalesTarget
from contracts.models import Contract
from promotions.models import PromotionEvaluation, PromotionPlan
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory, ProductFactory, StoreFactory
from tests.promotions.factories import PromotionPlanFactory
from tests.tradespend.g2n_helpers import credit_note, deduction, invoice, line
from tests.visits.factories import RoutePlanFactory, RouteStopFactory, SuggestedOrderFactory, VisitFactory
from tradespend.models import Dispute

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
Status = PromotionPlan.Status


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def chain_example(manager, rep) -> KeyAccount:
    """WMT, January to March 2025.

    Targets 10,000 + 10,000 + 20,000 = 40,000. Invoiced 8,000 (Jan 10) + 12,000 (Feb 10) + 15,000 (Mar 5), less a
    1,000 credit note (Mar 20): actual 34,000 → achievement 85 %; last year 20,000 (2024-01-10) → growth 70 %.
    Ledger: rebate 1,020 (Jan), promotion 2,380 (Feb); a 680 TG deduction on the March invoice, unmatched and
    disputed → spend 4,080, ratio 12 % against the 20 % norm, net 29,920.
    Open on 2025-03-31: 2024's 20,000 (over 90 days), January's 8,000 (due Mar 11: 1–30), February's 12,000 and
    March's 14,320 not due → 54,320; DSO = 54,320 ÷ 35,000 invoiced in the last 90 days × 90 = 139.7 days.
    Three active stores (and one closed): visited two; four published stops due (Mar 24, 25, 26, 31), one done on
    its day. Latest suggestions (Mar 30): one negative sales, two without a previous count."""
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛", name_en="Walmart", owner=manager, tier=KeyAccount.Tier.GKA)
    for month, amount in ((1, "10000"), (2, "10000"), (3, "20000"), (4, "99999")):
        SalesTarget.objects.create(account=wmt, year=2025, month=month, amount=Decimal(amount))
    invoice(wmt, date(2024, 1, 10), "20000.00")
    invoice(wmt, date(2025, 1, 10), "8000.00")
    invoice(wmt, date(2025, 2, 10), "12000.00")
    march = invoice(wmt, date(2025, 3, 5), "15000.00")
    invoice(wmt, date(2025, 4, 2), "5000.00")  # after the period
    credit_note(wmt, date(2025, 3, 20), "1000.00")
    line(wmt, JAN, "rebate", "1020.00", category="rebate")
    line(wmt, FEB, "promotion", "2380.00")
    tg = deduction(march, date(2025, 3, 28), "680.00")
    Dispute.objects.create(deduction=tg, reason="无陈列照片", owner=wmt.owner, due_on=date(2025, 4, 30))

    evaluated = PromotionPlanFactory(
        account=wmt, title="春节堆头", status=Status.EVALUATED, start_on=date(2025, 2, 1), end_on=date(2025, 2, 14),
        total_cost=Decimal("2000.00"),
    )  # fmt: skip
    PromotionEvaluation.objects.create(
        plan=evaluated, days=14, sales_units=600, sales_amount=Decimal("3000.00"), baseline_units=400,
        baseline_amount=Decimal("2000.00"), uplift=Decimal("0.5000"), total_cost=Decimal("1900.00"),
        cost_per_incremental_unit=Decimal("9.50"), expense_ratio=Decimal("0.6333"),
    )  # fmt: skip
    PromotionPlanFactory(
        account=wmt, title="三月店促", status=Status.RUNNING, start_on=date(2025, 3, 10), end_on=date(2025, 3, 23),
        total_cost=Decimal("1000.00"),
    )  # fmt: skip
    PromotionPlanFactory(account=wmt, title="草稿", status=Status.DRAFT, start_on=MAR, end_on=date(2025, 3, 9))
    PromotionPlanFactory(
        account=wmt, title="去年年底", status=Status.ENDED, start_on=date(2024, 12, 1), end_on=date(2024, 12, 14)
    )
    PromotionPlanFactory(title="别家的", status=Status.RUNNING, start_on=MAR, end_on=date(2025, 3, 9))

    stores = [StoreFactory(account=wmt, rep=rep, code=f"WMT-{n}") for n in (1, 2, 3)]
    StoreFactory(account=wmt, rep=rep, code="WMT-CLOSED", active=False)
    week = RoutePlanFactory(rep=rep, week_start=date(2025, 3, 24))
    for day, store in enumerate(stores):
        RouteStopFactory(plan=week, day=day, store=store)
    next_week = RoutePlanFactory(rep=rep, week_start=date(2025, 3, 31))
    RouteStopFactory(plan=next_week, day=0, store=stores[2])
    RouteStopFactory(plan=next_week, day=1, store=stores[2])  # April 1st: after the period
    for store, day in ((stores[0], date(2025, 3, 24)), (stores[1], date(2025, 3, 26))):  # the second a day late
        VisitFactory(rep=rep, store=store, checked_in_at=at(day), checked_out_at=at(day, 11))
    VisitFactory(rep=rep, store=stores[2], checked_in_at=at(date(2025, 3, 31)))  # left open: not done

    products = [ProductFactory() for _ in range(3)]
    SuggestedOrderFactory(store=stores[0], product=products[0], date=date(2025, 3, 30), flag="negative_sales")
    for product in products[1:]:
        SuggestedOrderFactory(store=stores[0], product=product, date=date(2025, 3, 30), flag="no_previous_count")
    SuggestedOrderFactory(store=stores[1], product=products[0], date=date(2025, 3, 30))  # not flagged
    SuggestedOrderFactory(store=stores[0], product=products[0], date=date(2025, 3, 1), flag="negative_sales")
    SuggestedOrderFactory(store=stores[0], product=products[0], date=date(2025, 4, 2), flag="negative_sales")

    today = timezone.localdate()
    start = date(2026, 1, 1)
    ContractFactory(account=wmt, number="HT-WMT-END", valid_from=start, valid_to=today + timedelta(days=10))
    ContractFactory(account=wmt, number="HT-WMT-LONG", valid_from=start, valid_to=today + timedelta(days=200))
    ContractFactory(
        account=wmt, number="HT-WMT-DRAFT", status=Contract.Status.DRAFT, valid_to=today + timedelta(days=5)
    )
    return wmt
