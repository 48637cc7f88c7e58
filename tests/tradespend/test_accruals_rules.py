"""The ledger's pure rules (tradespend/rules.py): fee schedules, tiers, percentages, plan spend, the true-up
month and the adjustment's checks."""

from datetime import date
from decimal import Decimal

import pytest

from ka_portal.errors import DomainError
from tradespend import rules

D = Decimal


def _months(months):
    return [f"{m:%Y-%m}" for m in months]


@pytest.mark.parametrize(
    ("period", "valid_from", "valid_to", "last", "expected"),
    [
        ("month", date(2026, 1, 31), date(2026, 3, 1), date(2026, 12, 1), ["2026-01", "2026-02", "2026-03"]),
        ("month", date(2026, 1, 1), date(2026, 12, 31), date(2026, 2, 15), ["2026-01", "2026-02"]),
        (
            "quarter",
            date(2026, 1, 1),
            date(2026, 12, 31),
            date(2026, 12, 1),
            ["2026-01", "2026-04", "2026-07", "2026-10"],
        ),
        ("quarter", date(2026, 5, 10), date(2026, 12, 31), date(2026, 12, 1), ["2026-05", "2026-07", "2026-10"]),
        ("year", date(2025, 7, 1), date(2027, 6, 30), date(2027, 12, 1), ["2025-07", "2026-07"]),
        ("once", date(2026, 8, 20), date(2026, 12, 31), date(2026, 12, 1), ["2026-08"]),
        ("once", date(2026, 8, 20), date(2026, 12, 31), date(2026, 7, 1), []),
    ],
)
def test_fixed_fee_months(period, valid_from, valid_to, last, expected):
    months = rules.fixed_fee_months(period=period, valid_from=valid_from, valid_to=valid_to, last_month=last)
    assert _months(months) == expected


def test_tier_rate_reached_lowest_without_target_and_nothing_below():
    tiers = [{"achievement": "100.00", "rate": "2.50"}, {"achievement": "90.00", "rate": "1.50"}]
    assert rules.tier_rate(tiers, D("95")) == (D("1.50"), D("90.00"))
    assert rules.tier_rate(tiers, D("100")) == (D("2.50"), D("100.00"))
    assert rules.tier_rate(tiers, D("89.99")) == (D(0), None)
    assert rules.tier_rate(tiers, None) == (D("1.50"), D("90.00"))


def test_achievement_and_percent():
    assert rules.achievement_percent(D("2650"), D("3000")) == D("88.33")
    assert rules.achievement_percent(D("10"), D("0")) is None
    # cut down, never rounded up into a tier not reached (Hypothesis found 49.995 % earning the 50 % tier)
    assert rules.achievement_percent(D("49995"), D("100000")) == D("49.99")
    assert (
        rules.tier_rate([{"achievement": "50", "rate": "1"}], rules.achievement_percent(D("49995"), D("100000")))[1]
        is None
    )
    assert rules.percent_of(D("333.33"), D("1.5")) == D("5.00")
    assert rules.percent_of(D("-100"), D("2")) == D("0.00")


def test_plan_spend_forecast_and_actual():
    costs = {"dm_fee": 3000, "tg_fee": 0, "promoter_fee": 1500, "gift_cost": 400, "price_support": 600,
             "supply_funding": 250}  # fmt: skip
    assert rules.plan_spend(**costs) == {"dm": D("3000.00"), "promoter": D("1500.00"), "promotion": D("1250.00")}
    assert rules.plan_spend(**costs, evaluated_total=D("5000")) == {
        "dm": D("3000.00"), "promoter": D("1500.00"), "promotion": D("500.00"),
    }  # fmt: skip
    assert rules.plan_spend(**costs, evaluated_total=D("4000"))["dm"] == D("3000.00")
    assert "promotion" not in rules.plan_spend(**costs, evaluated_total=D("4000"))


def test_true_up_month_follows_the_last_closed_month():
    assert rules.true_up_month(set()) is None
    assert rules.true_up_month({date(2026, 1, 1), date(2026, 3, 1)}) == date(2026, 4, 1)
    assert rules.true_up_month({date(2026, 12, 1)}) == date(2027, 1, 1)


def test_adjustment_checks():
    assert rules.adjustment_reason("  补计 ") == "补计"
    assert rules.adjustment_amount("-3.555") == D("-3.56")
    for bad in ("0", "0.001", "abc", None):
        with pytest.raises(DomainError) as refusal:
            rules.adjustment_amount(bad)
        assert refusal.value.code == "adjustment.amount_zero"
    with pytest.raises(DomainError) as refusal:
        rules.adjustment_reason("")
    assert refusal.value.code == "adjustment.needs_reason"
