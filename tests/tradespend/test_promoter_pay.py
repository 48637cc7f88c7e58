"""Promoters' pay as trade spend (issue 16): a worked example by hand (a daily and a monthly promoter, shifts at two
chains, one plan), the plan's own promoter fee not counted twice, idempotency, a closed month untouched (its
difference trued up), the ledger page's readable reason, a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from accounts.models import KeyAccount
from promoters.appraisal import promoter_appraisal
from promoters.appraisal_rules import cut_off
from promoters.models import Promoter, Shift
from promotions.models import PromotionEvaluation, PromotionPlan
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.promoters.factories_appraisal import D, at, promoter, shift
from tests.promotions.factories import PromotionPlanFactory
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine, ClosedMonth
from tradespend.reports import gross_to_net

pytestmark = pytest.mark.django_db

SEPTEMBER = date(2026, 9, 1)
AS_OF = date(2026, 9, 30)
A = Shift.Attendance


def day(n: int) -> date:
    return date(2026, 9, n)


def promoter_lines(**filters) -> dict[tuple, Decimal]:
    lines = AccrualLine.objects.filter(source=AccrualLine.Source.PROMOTER, **filters)
    return {(line.account.code, f"{line.month:%Y-%m}", line.source_key, line.stage): line.amount for line in lines}


@pytest.fixture
def example():
    """Chains A (store SA) and B (store SB); plan PL at A (approved, from Sep 10: DM 500, promoter fee 900).
    P1, daily fee 150: SA Sep 1 attended · SA Sep 2 attended on PL · SA Sep 3 absent on PL · SB Sep 4 attended.
    P2, monthly 3000 from Sep 1: SA Sep 5 · SA Sep 12 on PL · SB Sep 6 → a third each (1000.00).
    By hand, September: A promoter:P1 150 · A promoter:plan:PL 150 + 1000 = 1150 · B promoter:P1 150 ·
    A promoter:P2 1000 · B promoter:P2 1000; 3450 in all = P1's 3 × 150 + P2's 3000."""
    supervisor = make_user("supervisor", username="sup_pay")
    a, b = KeyAccountFactory(code="A"), KeyAccountFactory(code="B")
    sa, sb = StoreFactory(account=a, code="SA"), StoreFactory(account=b, code="SB")
    plan = PromotionPlanFactory(
        account=a, status=PromotionPlan.Status.APPROVED, start_on=day(10), end_on=day(23), dm_fee=D(500),
        promoter_fee=D(900), tg_fee=D(0), gift_cost=D(0), price_support=D(0), supply_funding=D(0),
        owner=make_user("manager"),
    )  # fmt: skip
    p1 = promoter(supervisor=supervisor, stores=[sa, sb], daily_fee="150.00", code="P1", name="王芳")
    p2 = promoter(supervisor=supervisor, stores=[sa], monthly_pay="3000.00", started_on=day(1), code="P2", name="李娜")
    shift(p1, sa, day(1), check_in="09:00", check_out="17:00")
    shift(p1, sa, day(2), check_in="09:00", check_out="17:00", plan=plan)
    shift(p1, sa, day(3), plan=plan)
    shift(p1, sb, day(4), check_in="09:00", check_out="17:00")
    shift(p2, sa, day(5), check_in="09:00", check_out="17:00")
    shift(p2, sa, day(12), plan=plan)
    shift(p2, sb, day(6), check_in="09:00", check_out="17:00")
    return {"plan": plan, "p1": p1, "p2": p2, "a": a, "b": b, "sa": sa, "sb": sb}


def test_the_worked_example_by_hand(example):
    plan, p1, p2 = example["plan"], example["p1"], example["p2"]

    accruals_compute(as_of=AS_OF)

    assert promoter_lines() == {
        ("A", "2026-09", f"promoter:{p1.pk}", "accrued"): D("150.00"),
        ("A", "2026-09", f"promoter:plan:{plan.pk}", "accrued"): D("1150.00"),
        ("B", "2026-09", f"promoter:{p1.pk}", "accrued"): D("150.00"),
        ("A", "2026-09", f"promoter:{p2.pk}", "accrued"): D("1000.00"),
        ("B", "2026-09", f"promoter:{p2.pk}", "accrued"): D("1000.00"),
    }
    daily = AccrualLine.objects.get(account=example["a"], source_key=f"promoter:{p1.pk}")
    assert (daily.kind, daily.category, daily.units, daily.basis_amount) == ("promoter", "promotion", 1, D("150.00"))
    on_plan = AccrualLine.objects.get(source_key=f"promoter:plan:{plan.pk}")
    assert on_plan.plan_id == plan.pk and on_plan.category == "promotion"


def test_the_plans_own_promoter_fee_is_replaced_by_its_shifts_pay(example):
    plan = example["plan"]

    accruals_compute(as_of=AS_OF)

    plan_lines = {line.kind: line.amount for line in AccrualLine.objects.filter(source="plan", plan=plan)}
    assert plan_lines == {"dm": D("500.00")}  # no "promoter" 900: the shifts' 1150 is the plan's promoter cost


def test_a_plan_without_shifts_keeps_its_promoter_fee(example):
    Shift.objects.filter(plan=example["plan"]).update(plan=None)

    accruals_compute(as_of=AS_OF)

    plan_lines = {line.kind: line.amount for line in AccrualLine.objects.filter(source="plan")}
    assert plan_lines == {"dm": D("500.00"), "promoter": D("900.00")}
    assert not AccrualLine.objects.filter(source_key__startswith="promoter:plan:").exists()


def test_an_evaluated_plan_takes_its_planned_fee_out_of_the_promotion_cost_and_not_back_in(example):
    plan = example["plan"]
    PromotionPlan.objects.filter(pk=plan.pk).update(status=PromotionPlan.Status.EVALUATED)
    PromotionEvaluation.objects.create(
        plan=plan, days=14, sales_units=100, sales_amount=D(1000), baseline_units=80, baseline_amount=D(800),
        total_cost=D(3000),
    )  # fmt: skip

    accruals_compute(as_of=AS_OF)

    plan_lines = {line.kind: line.amount for line in AccrualLine.objects.filter(source="plan", stage="actual")}
    assert plan_lines == {"dm": D("500.00"), "promotion": D("1600.00")}  # 3000 − 500 − 900


def test_running_twice_changes_nothing(example):
    accruals_compute(as_of=AS_OF)
    before = {line.pk: (line.amount, line.reason_params, line.updated_at) for line in AccrualLine.objects.all()}

    again = accruals_compute(as_of=AS_OF)

    assert (again.lines_written, again.lines_deleted) == (0, 0)
    assert {line.pk: (line.amount, line.reason_params, line.updated_at) for line in AccrualLine.objects.all()} == before


def test_one_account_computed_alone_gets_the_same_lines(example):
    accruals_compute(as_of=AS_OF, account=example["b"])

    assert promoter_lines() == {
        ("B", "2026-09", f"promoter:{example['p1'].pk}", "accrued"): D("150.00"),
        ("B", "2026-09", f"promoter:{example['p2'].pk}", "accrued"): D("1000.00"),
    }


def test_a_closed_month_is_untouched_and_its_difference_trued_up(example):
    plan, p1 = example["plan"], example["p1"]
    accruals_compute(as_of=AS_OF)
    ClosedMonth.objects.create(month=SEPTEMBER)
    september = {line.pk: line.amount for line in AccrualLine.objects.filter(month=SEPTEMBER)}
    # the supervisor confirms P1 did work the 3rd (on the plan), after September was closed
    Shift.objects.filter(promoter=p1, day=day(3)).update(
        confirmed_attendance=A.ATTENDED, confirmed_at=at(date(2026, 10, 2), "10:00")
    )

    accruals_compute(as_of=date(2026, 10, 5))

    assert {line.pk: line.amount for line in AccrualLine.objects.filter(month=SEPTEMBER)} == september
    true_up = AccrualLine.objects.get(stage="true_up", source_key=f"promoter:plan:{plan.pk}")
    assert (true_up.month, true_up.amount, true_up.plan_id, true_up.source) == (
        date(2026, 10, 1),
        D("150.00"),
        plan.pk,
        "promoter",
    )


def test_the_monthly_pay_accrues_every_month_on_the_roster_and_without_shifts_by_the_roster(example):
    p2 = example["p2"]

    accruals_compute(as_of=date(2026, 10, 20))

    october = AccrualLine.objects.get(month=date(2026, 10, 1), source_key=f"promoter:{p2.pk}")
    assert (october.account.code, october.amount, october.reason_code) == (
        "A",
        D("3000.00"),
        "accrual.promoter_monthly_roster",
    )


def test_the_ledger_page_shows_the_lines_with_a_readable_reason(example, client):
    plan, p1 = example["plan"], example["p1"]
    accruals_compute(as_of=AS_OF)
    client.force_login(make_user("finance", username="fin_pay"))

    response = client.get(reverse("tradespend:ledger"), {"account": "A"}, HTTP_ACCEPT_LANGUAGE="en")

    text = response.content.decode()
    assert response.status_code == 200
    assert "Promoter 王芳 (P1): daily fee 150.00 × 1 (shifts attended)." in text
    assert "Promoters&#x27; pay for shifts on this plan (2): 李娜 (P2), 王芳 (P1)." in text
    monthly = "Promoter 李娜 (P2): monthly pay 3,000.00 for 30/30 days on the roster, split by shifts: 1 of 3 here."
    assert monthly in text
    line = AccrualLine.objects.get(source_key=f"promoter:{p1.pk}", account__code="A")
    with translation.override("zh-hans"):
        assert line.reason_text.startswith("促销员 王芳 (P1)：日薪")
    assert plan.title in text
    # In Chinese the pay reads 促销员 like the rest of the portal, never 导购.
    zh = client.get(reverse("tradespend:ledger"), {"account": "A"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "本促销计划班次的促销员薪酬（2 个班次）" in zh and "导购" not in zh
    # and its kind (the ledger's filter, a line's kind) is the promoter fee of a plan, not the chain's management fee
    assert "促销员费用" in zh and "促销员管理费" not in zh


def test_a_fixed_number_of_queries_however_many_promoters(
    example, django_assert_num_queries, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40) as few:
        accruals_compute(as_of=AS_OF)
    for n in range(6):
        more = promoter(supervisor=example["p1"].supervisor, daily_fee="100.00", code=f"D{n}")
        for k in range(3):
            shift(more, example["sb"], day(1) + timedelta(days=k), check_in="09:00", check_out="17:00")
    AccrualLine.objects.all().delete()
    with django_assert_num_queries(len(few.captured_queries)):
        accruals_compute(as_of=AS_OF)
    assert AccrualLine.objects.filter(source="promoter").count() == 5 + 6


def test_gross_to_net_follows_the_ledger(example):
    accruals_compute(as_of=AS_OF)

    report = gross_to_net(
        accounts=KeyAccount.objects.filter(code__in=["A", "B"]), month_from=SEPTEMBER, month_to=SEPTEMBER
    )

    promotion = {row.account.code: row.figures.promotion for row in report.rows}
    # A: DM 500 (the plan) + promoters 150 + 1150 + 1000; B: promoters 150 + 1000
    assert promotion == {"A": D("2800.00"), "B": D("1150.00")}


def test_the_ledger_holds_exactly_the_pay_of_the_appraisal(example):
    accruals_compute(as_of=AS_OF)

    rows = promoter_appraisal(promoters=Promoter.objects.all(), month=SEPTEMBER, now=cut_off(AS_OF))

    ledger = AccrualLine.objects.filter(source="promoter", month=SEPTEMBER).aggregate(total=Sum("amount"))["total"]
    assert sum(row.pay for row in rows) == ledger == D("3450.00")
