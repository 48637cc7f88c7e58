"""A plan's promoter cost on the promotion expense page is the one the trade-spend ledger books (issue 16): the
promoters' pay for the shifts assigned to it once it has any, else its planned promoter fee — worked out by hand
and checked against the ledger plan by plan.

Chain WMT, store S, January 2025:
  X  in-store, ENDED (not evaluated), 01-11…01-20: TG 100.00, promoter fee 200.00. Promoter PD (daily 150.00)
     works 01-12 and 01-13 on X (attended) and misses 01-14 on X → pay 300.00; cost 100 + 300 = 400.00 (not 300)
  Y  DM, EVALUATED, 01-25…01-31: DM 100.00, promoter fee 200.00, evaluation's total cost 500.00. Promoter PM
     (monthly 3,100.00 from 01-01) works 01-26 on Y and 01-27 off any plan → half of January, 1,550.00, is Y's;
     cost = DM 100 + (500 − 100 − 200) + 1,550 = 1,850.00 (not 500: the evaluation holds the planned fee)
  Z  DM, APPROVED, 01-05…01-09: promoter fee 50.00, no shift → its planned fee: 50.00
"""

from datetime import date

import pytest
from django.db.models import Sum
from django.utils import timezone

from accounts.models import KeyAccount
from analytics.promotion_expense import plan_figures, promotion_expense
from promotions.models import PromotionEvaluation, PromotionPlan
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.promoters.factories_appraisal import D, promoter, shift
from tests.promotions.factories import PromotionItemFactory, PromotionPlanFactory, promotion_type
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine

from .tables import table

pytestmark = pytest.mark.django_db

JAN = date(2025, 1, 1)
PAGE = "/analysis/promotion-expense/"
PERIOD = {"month_from": "2025-01", "month_to": "2025-01"}
Status = PromotionPlan.Status
NO_COSTS = {"dm_fee": D(0), "tg_fee": D(0), "gift_cost": D(0), "price_support": D(0), "supply_funding": D(0)}


def _plan(account, kind, start, end, status, **costs):
    plan = PromotionPlanFactory(
        account=account, type=promotion_type(kind), start_on=start, end_on=end, status=status, all_stores=True,
        owner=account.owner, **{**NO_COSTS, **costs},
    )  # fmt: skip
    PromotionItemFactory(plan=plan)
    return plan


@pytest.fixture
def plans(manager):
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    store = StoreFactory(account=wmt, code="S")
    x = _plan(wmt, "in_store", date(2025, 1, 11), date(2025, 1, 20), Status.ENDED, tg_fee=D(100),
              promoter_fee=D(200), total_cost=D(300))  # fmt: skip
    y = _plan(wmt, "dm", date(2025, 1, 25), date(2025, 1, 31), Status.EVALUATED, dm_fee=D(100), promoter_fee=D(200),
              total_cost=D(300))  # fmt: skip
    PromotionEvaluation.objects.create(
        plan=y, days=7, sales_units=100, sales_amount=D(1000), baseline_units=80, baseline_amount=D(800),
        total_cost=D(500),
    )  # fmt: skip
    z = _plan(wmt, "dm", date(2025, 1, 5), date(2025, 1, 9), Status.APPROVED, promoter_fee=D(50), total_cost=D(50))
    supervisor = make_user("supervisor", username="sup_expense")
    pd = promoter(supervisor=supervisor, stores=[store], daily_fee="150.00", started_on=JAN, code="PD")
    pm = promoter(supervisor=supervisor, stores=[store], monthly_pay="3100.00", started_on=JAN, code="PM")
    worked = {"check_in": "09:00", "check_out": "17:00"}
    shift(pd, store, date(2025, 1, 12), plan=x, **worked)
    shift(pd, store, date(2025, 1, 13), plan=x, **worked)
    shift(pd, store, date(2025, 1, 14), plan=x)
    shift(pm, store, date(2025, 1, 26), plan=y, **worked)
    shift(pm, store, date(2025, 1, 27), **worked)
    return {"x": x, "y": y, "z": z}


def test_a_plans_promoter_cost_is_its_shifts_pay_else_its_planned_fee(plans):
    figures = {item.plan.pk: item for item in plan_figures(accounts=KeyAccount.objects.all(), month_from=JAN,
                                                            month_to=JAN)}  # fmt: skip

    x, y, z = (figures[plans[name].pk] for name in "xyz")
    assert (x.figures.total_cost, x.promoter_pay) == (D("400.00"), D("300.00"))
    assert (y.figures.total_cost, y.promoter_pay) == (D("1850.00"), D("1550.00"))
    assert (z.figures.total_cost, z.promoter_pay) == (D("50.00"), None)
    assert y.figures.sell_out.total_cost == D("1850.00")  # the sell-out cost per pack reads the same cost


def test_each_plans_cost_is_what_the_ledger_books_for_it(plans):
    accruals_compute(as_of=timezone.localdate())

    figures = plan_figures(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=JAN)

    for item in figures:
        booked = AccrualLine.objects.filter(plan=item.plan).aggregate(total=Sum("amount"))["total"]
        assert item.figures.total_cost == booked, item.plan.title


def test_the_page_says_which_plans_promoter_cost_is_from_shifts(plans, client, finance):
    client.force_login(finance)

    html = client.get(PAGE, PERIOD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    zh = client.get(PAGE, PERIOD, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    _header, wmt, _total = table(html, "by-account")
    assert wmt[2] == "2,300.00 promoter cost: actual (shifts) for 2/3"  # 400 + 1,850 + 50
    assert "Its promoter cost is the promoters' pay for the shifts assigned to the plan" in html.replace("&#x27;", "'")
    assert "促销员费用：2/3 个方案按排班实际计" in zh
    report = promotion_expense(accounts=KeyAccount.objects.all(), month_from=JAN, month_to=JAN)
    assert report.total.total_cost == D("2300.00")
