"""The accrual ledger (issue 12 item 4): worked examples for each term kind, basis and period, plans forecast →
actual, conditional rebates trued up, closed months never touched, adjustments, idempotency, query counts."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.utils import translation

from accounts.models import SalesTarget
from contracts.models import Contract, ContractTerm, CreditNote, Invoice
from ka_portal.errors import DomainError
from promotions.models import PromotionEvaluation, PromotionPlan
from tests.contracts.factories import ContractFactory
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.promotions.factories import PromotionPlanFactory
from tradespend.accruals import accrual_adjust, accruals_compute
from tradespend.models import AccrualLine, ClosedMonth

_numbers = count(1)


def D(value) -> Decimal:
    return Decimal(str(value))


def invoice(account, day: date, amount) -> Invoice:
    return Invoice.objects.create(
        account=account, number=f"AC-INV-{next(_numbers)}", date=day, due_on=day + timedelta(days=30),
        amount=D(amount), open_amount=D(amount),
    )  # fmt: skip


def credit_note(account, day: date, amount) -> CreditNote:
    return CreditNote.objects.create(
        account=account, number=f"AC-CN-{next(_numbers)}", date=day, amount=D(amount), reason="退货"
    )


def contract(account, **fields) -> Contract:
    fields.setdefault("valid_from", date(2026, 1, 1))
    fields.setdefault("valid_to", date(2026, 12, 31))
    return ContractFactory(account=account, **fields)


def term(contract_, kind, basis, period="month", *, rate=None, amount=None, tiers=None, valid_from=None, valid_to=None):
    return ContractTerm.objects.create(
        contract=contract_, kind=kind, basis=basis, period=period,
        rate=None if rate is None else D(rate), amount=None if amount is None else D(amount),
        tiers=[{"achievement": f"{D(a):.2f}", "rate": f"{D(r):.2f}"} for a, r in (tiers or [])],
        valid_from=valid_from or contract_.valid_from, valid_to=valid_to or contract_.valid_to, settlement="deducted",
    )  # fmt: skip


def targets(account, year: int, amounts: dict[int, object]) -> None:
    for month, amount in amounts.items():
        SalesTarget.objects.create(account=account, year=year, month=month, amount=D(amount))


def listings(account, day: date, how_many: int):
    store = StoreFactory(account=account)
    return [ListingFactory(store=store, product=ProductFactory(), listed_on=day) for _ in range(how_many)]


def plan(account, *, status=PromotionPlan.Status.APPROVED, start_on=date(2026, 3, 10), title=None, **costs):
    names = ("dm_fee", "tg_fee", "promoter_fee", "gift_cost", "price_support", "supply_funding")
    values = {name: D(costs.get(name, 0)) for name in names}
    extra = {"title": title} if title else {}
    return PromotionPlanFactory(
        account=account, status=status, start_on=start_on, end_on=start_on + timedelta(days=13),
        owner=make_user("manager"), **values, **extra,
    )  # fmt: skip


def evaluate(plan_, total_cost) -> PromotionEvaluation:
    return PromotionEvaluation.objects.create(
        plan=plan_, days=14, sales_units=100, sales_amount=D(1000), baseline_units=80, baseline_amount=D(800),
        total_cost=D(total_cost),
    )  # fmt: skip


def close(*months: date) -> None:
    for month in months:
        ClosedMonth.objects.create(month=month)


def ledger(account, **filters) -> dict[tuple, Decimal]:
    """{(month 'YYYY-MM', source_key, kind, stage): amount} of an account's lines."""
    lines = AccrualLine.objects.filter(account=account, **filters)
    return {(f"{line.month:%Y-%m}", line.source_key, line.kind, line.stage): line.amount for line in lines}


def snapshot(account) -> dict[int, tuple]:
    """Every line by id, with what a user sees of it."""
    return {
        line.pk: (
            line.month,
            line.source_key,
            line.kind,
            line.stage,
            line.amount,
            line.basis_amount,
            line.rate,
            line.units,
            line.reason_text,
        )  # fmt: skip
        for line in AccrualLine.objects.filter(account=account)
    }


# --- the tests -------------------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 6, 15)


@pytest.fixture
def acc_account(manager):
    return KeyAccountFactory(code="ACC", name="计提连锁", owner=manager)


def test_rebate_is_the_rate_of_each_months_invoiced_sell_in_net_of_credit_notes(acc_account):
    c = contract(acc_account)
    t = term(c, "rebate", "percent", rate="2.00", valid_from=date(2026, 1, 15))
    invoice(acc_account, date(2026, 1, 20), "10000.00")
    invoice(acc_account, date(2026, 2, 3), "5000.00")
    credit_note(acc_account, date(2026, 2, 20), "1000.00")
    invoice(acc_account, date(2026, 6, 30), "9999.00")  # after as_of: not yet
    run = accruals_compute(as_of=AS_OF)
    key = f"term:{t.pk}"
    # Jan: 2 % × 10000 = 200 (validity starts mid-January: whole months); Feb: 2 % × (5000 − 1000) = 80.
    assert ledger(acc_account) == {
        ("2026-01", key, "rebate", "accrued"): D("200.00"),
        ("2026-02", key, "rebate", "accrued"): D("80.00"),
    }
    feb = AccrualLine.objects.get(account=acc_account, month=date(2026, 2, 1))
    assert (feb.basis_amount, feb.rate, feb.category, feb.term_id) == (D("4000.00"), D("2.00"), "rebate", t.pk)
    assert run.lines_written == 2 and run.run_on == AS_OF


def test_fixed_fees_fall_in_the_months_of_their_period(acc_account):
    c = contract(acc_account, valid_from=date(2025, 3, 1))
    monthly = term(
        c, "promoter", "fixed", "month", amount="500", valid_from=date(2026, 2, 10), valid_to=date(2026, 4, 5)
    )
    quarterly = term(c, "display", "fixed", "quarter", amount="900", valid_from=date(2026, 2, 1))
    yearly = term(c, "anniversary", "fixed", "year", amount="1200", valid_from=date(2025, 3, 1))
    once = term(c, "barcode", "fixed", "once", amount="3000", valid_from=date(2026, 5, 20))
    accruals_compute(as_of=AS_OF)
    got = ledger(acc_account)
    # Monthly: Feb, Mar, Apr (whole months of 10 Feb – 5 Apr).
    assert {k[0]: v for k, v in got.items() if k[1] == f"term:{monthly.pk}"} == {
        "2026-02": D("500.00"), "2026-03": D("500.00"), "2026-04": D("500.00"),
    }  # fmt: skip
    # Quarterly from February: February (validity's first month, Q1 began before it), then April; July is later.
    assert {k[0]: v for k, v in got.items() if k[1] == f"term:{quarterly.pk}"} == {
        "2026-02": D("900.00"), "2026-04": D("900.00"),
    }  # fmt: skip
    # Yearly from March 2025: March 2025 and March 2026.
    assert {k[0]: v for k, v in got.items() if k[1] == f"term:{yearly.pk}"} == {
        "2025-03": D("1200.00"), "2026-03": D("1200.00"),
    }  # fmt: skip
    # Once: valid_from's month.
    assert {k[0]: v for k, v in got.items() if k[1] == f"term:{once.pk}"} == {"2026-05": D("3000.00")}
    kinds = {k[1]: k[2] for k in got}
    assert kinds[f"term:{quarterly.pk}"] == "display" and kinds[f"term:{monthly.pk}"] == "promoter"
    assert set(AccrualLine.objects.filter(account=acc_account).values_list("category", flat=True)) == {"fixed_fee"}


def test_per_store_sku_fee_counts_the_listings_new_in_each_month(acc_account):
    c = contract(acc_account)
    t = term(c, "listing", "per_store_sku", "once", amount="50")
    listings(acc_account, date(2025, 12, 20), 1)  # before validity
    listings(acc_account, date(2026, 3, 2), 3)
    listings(acc_account, date(2026, 6, 1), 2)
    listings(acc_account, date(2026, 6, 20), 4)  # after as_of
    listings(KeyAccountFactory(), date(2026, 3, 2), 5)  # another chain's stores
    accruals_compute(as_of=AS_OF)
    lines = AccrualLine.objects.filter(account=acc_account).order_by("month")
    # March: 3 × 50 = 150; June: 2 × 50 = 100.
    assert [(f"{x.month:%Y-%m}", x.units, x.basis_amount, x.amount) for x in lines] == [
        ("2026-03", 3, D("50.00"), D("150.00")),
        ("2026-06", 2, D("50.00"), D("100.00")),
    ]
    assert lines[0].kind == "listing" and lines[0].source_key == f"term:{t.pk}"


def test_draft_contracts_accrue_nothing(acc_account):
    c = contract(acc_account, status=Contract.Status.DRAFT)
    term(c, "dm", "fixed", "month", amount="100")
    accruals_compute(as_of=AS_OF)
    assert ledger(acc_account) == {}


def test_conditional_rebate_accrues_at_the_expected_tier_and_is_trued_up_when_the_year_is_known(acc_account):
    c = contract(acc_account)
    t = term(c, "rebate_conditional", "percent", rate="1.00", tiers=[(90, 1), (100, 2)])
    key = f"term:{t.pk}"
    targets(acc_account, 2026, dict.fromkeys(range(1, 13), 1000))  # 12000 for the year
    invoice(acc_account, date(2026, 1, 10), "1000.00")
    invoice(acc_account, date(2026, 2, 10), "1000.00")
    # To February: 2000 of 2000 = 100 % → 2 %: 20 + 20.
    accruals_compute(as_of=date(2026, 2, 28))
    assert ledger(acc_account) == {
        ("2026-01", key, "rebate", "accrued"): D("20.00"),
        ("2026-02", key, "rebate", "accrued"): D("20.00"),
    }
    assert "100.00 %" in AccrualLine.objects.get(month=date(2026, 1, 1)).reason_text
    close(date(2026, 1, 1), date(2026, 2, 1))
    # March sells 650: to March 2650 of 3000 = 88.33 % — below the 90 % tier: nothing for March; the closed
    # months owe 0 instead of 40, so a true-up of −40 lands in March, the first open month.
    invoice(acc_account, date(2026, 3, 10), "650.00")
    accruals_compute(as_of=date(2026, 3, 31))
    assert ledger(acc_account) == {
        ("2026-01", key, "rebate", "accrued"): D("20.00"),
        ("2026-02", key, "rebate", "accrued"): D("20.00"),
        ("2026-03", key, "rebate", "true_up"): D("-40.00"),
    }
    # The rest of the year sells 9 × 1200 = 10800 (Apr–Dec): the year makes 13450 of 12000 = 112.08 % → 2 %.
    for month in range(4, 13):
        invoice(acc_account, date(2026, month, 5), "1200.00")
    close(date(2026, 3, 1))
    accruals_compute(as_of=date(2027, 1, 10))
    got = ledger(acc_account)
    # Closed Jan–Mar should hold 2 % × (1000 + 1000 + 650) = 53 and hold 20 + 20 − 40 = 0: a true-up of 53 in April.
    assert got[("2026-04", key, "rebate", "true_up")] == D("53.00")
    assert got[("2026-04", key, "rebate", "accrued")] == D("24.00")  # 2 % × 1200
    assert sum(got.values()) == D("269.00")  # 2 % × 13450: what the year is due
    assert "112.08 %" in AccrualLine.objects.get(month=date(2026, 12, 1), stage="accrued").reason_text


def test_conditional_rebate_without_a_target_takes_the_lowest_tier(acc_account):
    t = term(contract(acc_account), "rebate_conditional", "percent", rate="1.00", tiers=[(90, 1.5), (100, 2.5)])
    invoice(acc_account, date(2026, 4, 10), "2000.00")
    accruals_compute(as_of=AS_OF)
    line = AccrualLine.objects.get(account=acc_account)
    assert (line.source_key, line.rate, line.amount) == (f"term:{t.pk}", D("1.50"), D("30.00"))
    assert (line.reason, line.reason_code, line.reason_params) == (
        "",
        "accrual.no_target",
        {"year": 2026, "rate": "1.50"},
    )
    assert "2026年无销售目标" in line.reason_text  # read in the reader's language
    with translation.override("en"):
        assert line.reason_text == "No sales target for 2026: the lowest tier, 1.50 %."


def test_plan_forecast_at_approval_then_actual_at_evaluation(acc_account):
    p = plan(acc_account, dm_fee="3000", tg_fee="2000", promoter_fee="1500", gift_cost="400", price_support="600",
             supply_funding="250")  # fmt: skip
    draft = plan(acc_account, status=PromotionPlan.Status.SUBMITTED, dm_fee="999")
    later = plan(acc_account, start_on=date(2026, 7, 1), dm_fee="999")  # starts after as_of
    accruals_compute(as_of=AS_OF)
    key = f"plan:{p.pk}"
    assert ledger(acc_account) == {
        ("2026-03", key, "dm", "forecast"): D("3000.00"),
        ("2026-03", key, "end_cap", "forecast"): D("2000.00"),
        ("2026-03", key, "promoter", "forecast"): D("1500.00"),
        ("2026-03", key, "promotion", "forecast"): D("1250.00"),  # 400 + 600 + 250
    }
    assert not AccrualLine.objects.filter(plan__in=[draft, later]).exists()
    assert set(AccrualLine.objects.filter(plan=p).values_list("category", flat=True)) == {"promotion"}
    evaluate(p, "8000.00")
    accruals_compute(as_of=AS_OF)
    # Actual: the fees as planned, promotion = 8000 − (3000 + 2000 + 1500) = 1500; the forecast lines are gone.
    assert ledger(acc_account) == {
        ("2026-03", key, "dm", "actual"): D("3000.00"),
        ("2026-03", key, "end_cap", "actual"): D("2000.00"),
        ("2026-03", key, "promoter", "actual"): D("1500.00"),
        ("2026-03", key, "promotion", "actual"): D("1500.00"),
    }


def test_evaluated_cost_below_the_fees_leaves_no_negative_promotion(acc_account):
    p = plan(acc_account, dm_fee="3000", gift_cost="500")
    evaluate(p, "2500.00")
    accruals_compute(as_of=AS_OF)
    assert ledger(acc_account) == {("2026-03", f"plan:{p.pk}", "dm", "actual"): D("3000.00")}


def test_a_plan_that_no_longer_counts_goes_to_zero_or_is_trued_up(acc_account):
    from contracts.models import Deduction

    open_plan = plan(acc_account, dm_fee="1000", start_on=date(2026, 5, 3))
    matched_plan = plan(acc_account, dm_fee="700", tg_fee="300", start_on=date(2026, 5, 20))
    closed_plan = plan(acc_account, dm_fee="400", start_on=date(2026, 2, 1))
    accruals_compute(as_of=AS_OF)
    matched_line = AccrualLine.objects.get(plan=matched_plan, kind="dm")
    deduction = Deduction.objects.create(
        account=acc_account, invoice=invoice(acc_account, date(2026, 5, 1), "5000"), date=date(2026, 5, 25),
        kind="dm", amount=D("700"), reason="DM",
    )  # fmt: skip
    from tradespend.models import DeductionMatch

    DeductionMatch.objects.create(deduction=deduction, line=matched_line, amount=D("700"))
    close(date(2026, 2, 1))
    PromotionPlan.objects.filter(pk__in=[open_plan.pk, matched_plan.pk, closed_plan.pk]).update(
        status=PromotionPlan.Status.REJECTED
    )
    run = accruals_compute(as_of=AS_OF)
    got = ledger(acc_account)
    assert not any(k[1] == f"plan:{open_plan.pk}" for k in got)  # unmatched, open month: deleted
    matched_line.refresh_from_db()
    assert matched_line.amount == D("0.00") and "核销" in matched_line.reason_text  # kept, with its match
    assert not AccrualLine.objects.filter(plan=matched_plan, kind="end_cap").exists()
    # February is closed and keeps its 400; March (the first open month) takes it back.
    assert got[("2026-02", f"plan:{closed_plan.pk}", "dm", "forecast")] == D("400.00")
    assert got[("2026-03", f"plan:{closed_plan.pk}", "dm", "true_up")] == D("-400.00")
    assert run.lines_written == 2 and run.lines_deleted == 2


def test_a_second_run_changes_nothing_and_keeps_the_ids(acc_account):
    c = contract(acc_account)
    term(c, "rebate", "percent", rate="3.00")
    term(c, "rebate_conditional", "percent", rate="1.00", tiers=[(50, 1), (100, 2)])
    term(c, "dm", "fixed", "quarter", amount="800")
    targets(acc_account, 2026, {1: 500, 2: 500})
    invoice(acc_account, date(2026, 1, 10), "777.77")
    plan(acc_account, dm_fee="100", gift_cost="5")
    close(date(2026, 1, 1))
    accruals_compute(as_of=AS_OF)
    before = snapshot(acc_account)
    assert before
    again = accruals_compute(as_of=AS_OF)
    assert again.lines_written == 0 and again.lines_deleted == 0
    assert snapshot(acc_account) == before


def test_closed_months_are_untouched_whatever_is_recorded_later(acc_account):
    c = contract(acc_account)
    t = term(c, "rebate", "percent", rate="2.00")
    fee = term(c, "display", "fixed", "month", amount="100")
    p = plan(acc_account, dm_fee="500", start_on=date(2026, 1, 5))
    invoice(acc_account, date(2026, 1, 10), "1000.00")
    accruals_compute(as_of=date(2026, 1, 31))
    close(date(2026, 1, 1))
    january = snapshot(acc_account)
    # Later: a January invoice, the fee raised, the plan evaluated above its forecast.
    invoice(acc_account, date(2026, 1, 20), "500.00")
    ContractTerm.objects.filter(pk=fee.pk).update(amount=D("150"))
    evaluate(p, "900.00")
    accruals_compute(as_of=date(2026, 2, 10))
    assert {pk: v for pk, v in snapshot(acc_account).items() if v[0] == date(2026, 1, 1)} == january
    got = ledger(acc_account, month=date(2026, 2, 1))
    assert got[("2026-02", f"term:{t.pk}", "rebate", "true_up")] == D("10.00")  # 2 % × 500
    assert got[("2026-02", f"term:{fee.pk}", "display", "true_up")] == D("50.00")
    assert got[("2026-02", f"term:{fee.pk}", "display", "accrued")] == D("150.00")
    assert got[("2026-02", f"plan:{p.pk}", "promotion", "true_up")] == D("400.00")  # 900 − 500 fees


def test_true_up_goes_to_the_month_after_as_ofs_when_that_is_closed(acc_account):
    t = term(contract(acc_account), "dm", "fixed", "month", amount="100")
    accruals_compute(as_of=date(2026, 2, 10))
    close(date(2026, 1, 1), date(2026, 2, 1))
    ContractTerm.objects.filter(pk=t.pk).update(amount=D("120"))
    accruals_compute(as_of=date(2026, 2, 20))
    assert ledger(acc_account, stage="true_up") == {("2026-03", f"term:{t.pk}", "dm", "true_up"): D("40.00")}


# --- adjustments ---------------------------------------------------------------------------------------------


def test_adjustment_lands_in_an_open_month_with_its_reason(acc_account, finance):
    t = term(contract(acc_account), "listing", "fixed", "once", amount="100")
    # a listing fee the ledger holds in April, part of which is given back (a reversal needs spend accrued)
    accrual_adjust(account=acc_account, month=date(2026, 4, 1), kind="listing", amount=D("100"), reason="进场费",
                   by=finance)  # fmt: skip
    line = accrual_adjust(account=acc_account, month=date(2026, 4, 17), kind="listing", amount=D("-35.5"),
                          reason="  返还部分进场费 ", by=finance, term=t)  # fmt: skip
    assert (line.month, line.amount, line.reason, line.stage, line.source) == (
        date(2026, 4, 1), D("-35.50"), "返还部分进场费", "adjustment", "adjustment",
    )  # fmt: skip
    assert line.category == "fixed_fee" and line.source_key.startswith("adjustment:") and line.created_by == finance
    # A recomputation never touches it.
    accruals_compute(as_of=AS_OF)
    assert AccrualLine.objects.get(pk=line.pk).amount == D("-35.50")
    other = accrual_adjust(account=acc_account, month=date(2026, 4, 1), kind="dm", amount=D(10), reason="x", by=finance)
    assert other.category == "fixed_fee"
    gift = accrual_adjust(account=acc_account, month=date(2026, 4, 1), kind="promotion", amount=D("10"), reason="x",
                          by=finance)  # fmt: skip
    assert gift.category == "promotion"


@pytest.mark.parametrize(
    ("month", "amount", "reason", "code", "text"),
    [
        (date(2026, 3, 9), "10", "补计", "month.closed", "2026-03 is closed"),
        (date(2026, 4, 1), "10", "   ", "adjustment.needs_reason", "Give the reason for the adjustment."),
        (date(2026, 4, 1), "0", "补计", "adjustment.amount_zero", "other than 0"),
        (date(2026, 4, 1), "10", "长" * 201, "reason.too_long", "200"),
    ],
)
def test_adjustment_refusals(acc_account, finance, month, amount, reason, code, text):
    close(date(2026, 3, 1))
    with translation.override("en"):
        with pytest.raises(DomainError) as refusal:
            accrual_adjust(account=acc_account, month=month, kind="dm", amount=D(amount), reason=reason, by=finance)
        assert refusal.value.code == code and text in str(refusal.value.detail)
    assert not AccrualLine.objects.exists()


def test_adjustment_refuses_another_accounts_term(acc_account, finance):
    t = term(contract(KeyAccountFactory()), "dm", "fixed", "once", amount="1")
    with pytest.raises(DomainError) as refusal:
        accrual_adjust(account=acc_account, month=AS_OF, kind="dm", amount=D(1), reason="x", by=finance, term=t)
    assert refusal.value.code == "adjustment.source_other_account"


# --- queries ---------------------------------------------------------------------------------------------------


def _chain(n: int):
    account = KeyAccountFactory()
    c = contract(account)
    term(c, "rebate", "percent", rate="2.00")
    term(c, "rebate_conditional", "percent", rate="1.00", tiers=[(90, 1), (100, 2)])
    term(c, "dm", "fixed", "month", amount="100")
    term(c, "listing", "per_store_sku", "once", amount="50")
    targets(account, 2026, {1: 1000, 2: 1000})
    for month in (1, 2, 3):
        invoice(account, date(2026, month, 3 + n % 5), "1000")
    credit_note(account, date(2026, 2, 9), "10")
    listings(account, date(2026, 2, 1), 2)
    evaluate(plan(account, dm_fee="10", gift_cost="5", start_on=date(2026, 2, 1)), "40")
    plan(account, dm_fee="10", gift_cost="5")
    return account


def _not_line_inserts(queries) -> list:
    return [q for q in queries if not q["sql"].startswith('INSERT INTO "tradespend_accrualline"')]


def test_query_count_does_not_grow_with_the_number_of_accounts(django_assert_max_num_queries):
    """A fixed number of queries, plus one INSERT per batch of lines written (SQLite caps a batch's size)."""
    import math

    from django.db import connection

    from tradespend.accruals import ACCRUAL_LINE_FIELDS

    for n in range(2):
        _chain(n)
    close(date(2026, 1, 1))
    with django_assert_max_num_queries(20) as few:
        accruals_compute(as_of=AS_OF)
    fixed = len(_not_line_inserts(few.captured_queries))
    for n in range(6):
        _chain(n)
    batch = min(1000, connection.ops.bulk_batch_size(ACCRUAL_LINE_FIELDS, [None] * 1000) or 1000)
    with django_assert_max_num_queries(fixed + math.ceil(6 * 20 / batch)) as many:
        run = accruals_compute(as_of=AS_OF)
    assert len(_not_line_inserts(many.captured_queries)) == fixed
    assert run.lines_written == 6 * 17  # 14 lines in open months and 3 true-ups for closed January, per chain
