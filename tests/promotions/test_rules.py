"""SPEC §5's five promotion rules, each at its boundaries, on the pure function (no database)."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from promotions.rules import ItemFacts, OtherPlan, PlanFacts, RuleSettings, TypeNorms, check_plan

IN_STORE = TypeNorms(name="店促", max_days=56, periods_allowed=2)
DM = TypeNorms(name="DM", max_days=14, periods_allowed=1)
CLEARANCE = TypeNorms(name="下架促销", max_days=None, periods_allowed=1, is_clearance=True)
START = date(2026, 6, 1)


def item(price="4.50", normal="5.00", product_id=1, **floors) -> ItemFacts:
    floors = {k: Decimal(v) for k, v in floors.items()}
    return ItemFacts(product_id, f"P{product_id:03d} 啤酒", Decimal(price), Decimal(normal), **floors)


def plan(type_=IN_STORE, days=14, items=None, start=START, **extra) -> PlanFacts:
    return PlanFacts(type_, start, start + timedelta(days=days - 1), tuple(items or [item()]), **extra)


def codes(violations) -> list[str]:
    return [v.code for v in violations]


@pytest.mark.parametrize(
    ("type_", "price", "days", "allowed"),
    [
        (DM, "4.00", 14, True),  # a 20 % DM: 14 days
        (DM, "4.00", 15, False),
        (IN_STORE, "4.50", 28, True),  # a 10 % in-store: two 14-day periods
        (IN_STORE, "4.50", 29, False),
        (IN_STORE, "4.75", 31, True),  # a 5 % in-store: 28-day periods, capped by the 31-day month
        (IN_STORE, "4.75", 32, False),
    ],
)
def test_length_and_period_boundaries(type_, price, days, allowed):
    violations = check_plan(plan(type_, days, [item(price)]))
    assert (violations == []) is allowed, [v.detail for v in violations]


def test_a_ten_percent_in_store_over_28_days_names_rule_2_and_the_numbers():
    with translation.override("en"):
        (violation,) = check_plan(plan(IN_STORE, 29, [item("4.50")]))
        assert violation.rule == 2 and violation.code == "promotion.period"
        assert "cut 10 %" in violation.detail and "14-day periods" in violation.detail
        assert "plans run at most 2 of them: 28 days, not 29" in violation.detail


def test_a_five_percent_in_store_over_31_days_breaks_the_month_rule():
    with translation.override("en"):
        (violation,) = check_plan(plan(IN_STORE, 32, [item("4.75")]))
    assert violation.rule == 1
    assert violation.params == {"limit": 31, "days": 32}


@pytest.mark.parametrize(("price", "days", "allowed"), [("95.00", 29, True), ("94.99", 29, False)])
def test_five_percent_is_shallow_and_five_point_zero_one_is_deep(price, days, allowed):
    # 95.00 of 100.00 is a 5 % cut (28-day periods); 94.99 is 5.01 % (14-day periods).
    violations = check_plan(plan(IN_STORE, days, [item(price, "100.00")]))
    assert (violations == []) is allowed


def test_the_deepest_product_sets_the_period():
    items = [item("4.90", product_id=1), item("4.00", product_id=2)]
    (violation,) = check_plan(plan(IN_STORE, 29, items))
    assert violation.params["product"] == "P002 啤酒" and violation.params["cut"] == "20 %"


def test_the_type_longest_run_is_rule_1():
    crazy = TypeNorms(name="疯狂价", max_days=3, periods_allowed=1)
    assert check_plan(plan(crazy, 3, [item("3.25")])) == []
    assert codes(check_plan(plan(crazy, 4, [item("3.25")]))) == ["promotion.longer_than_type"]


def test_end_before_start_is_one_clear_refusal():
    facts = PlanFacts(IN_STORE, START, START - timedelta(days=1), (item(),))
    assert codes(check_plan(facts)) == ["promotion.dates_reversed"]


@pytest.mark.parametrize(
    ("layer", "floors", "label"),
    [
        ("store_purchase_price", {"store_purchase_price": "4.60"}, "store purchase price"),
        ("wholesale_price", {"wholesale_price": "4.60"}, "second-tier wholesale price"),
        ("distributor_price", {"distributor_price": "4.60"}, "distributor price"),
    ],
)
def test_each_floor_layer_names_itself_and_the_numbers(layer, floors, label):
    with translation.override("en"):
        (violation,) = check_plan(plan(items=[item("4.50", **floors)]))
        assert violation.rule == 3 and violation.slot == "item-0"
        assert violation.detail == f"Rule 3: P001 啤酒 at 4.50 is below the {label} 4.60."


@pytest.mark.parametrize("price", ["4.60", "4.61"])
def test_at_or_above_every_floor_is_fine(price):
    floors = {"store_purchase_price": "4.60", "wholesale_price": "4.10", "distributor_price": "3.80"}
    assert check_plan(plan(items=[item(price, **floors)])) == []


def test_the_highest_broken_layer_is_named():
    floors = {"store_purchase_price": "4.60", "wholesale_price": "4.40", "distributor_price": "3.80"}
    (violation,) = check_plan(plan(items=[item("4.30", **floors)]))
    assert violation.params["floor"] == Decimal("4.60")


def test_floor_in_chinese():
    with translation.override("zh-hans"):
        (violation,) = check_plan(plan(items=[item("4.50", distributor_price="4.60")]))
        assert "经销商进价" in violation.detail and "4.60" in violation.detail


def test_clearance_goes_below_the_floor_only_with_an_override():
    below = [item("3.00", store_purchase_price="4.00")]
    assert codes(check_plan(plan(CLEARANCE, 10, below))) == ["promotion.price_floor"]
    assert check_plan(plan(CLEARANCE, 10, below, price_floor_overridden=True)) == []


def test_an_override_does_not_lift_the_floor_for_other_types():
    below = [item("4.50", store_purchase_price="4.60")]
    assert codes(check_plan(plan(IN_STORE, 14, below, price_floor_overridden=True))) == ["promotion.price_floor"]


@pytest.mark.parametrize(("gap_days", "allowed"), [(29, False), (30, True), (31, True)])
def test_cooldown_day_29_30_31(gap_days, allowed):
    earlier = OtherPlan(7, "五一档", START - timedelta(days=20), START - timedelta(days=gap_days), frozenset({1}))
    violations = check_plan(plan(other_plans=(earlier,)))
    assert (violations == []) is allowed


def test_cooldown_names_the_earlier_plan_and_the_first_allowed_date():
    earlier = OtherPlan(7, "五一档", date(2026, 5, 1), date(2026, 5, 10), frozenset({1, 2}))
    with translation.override("en"):
        (violation,) = check_plan(plan(other_plans=(earlier,)))
        assert violation.rule == 4
        assert "“五一档” until 2026-05-10" in violation.detail
        assert "2026-06-09" in violation.detail


def test_cooldown_applies_to_a_later_plan_as_well_and_ignores_other_products():
    later = OtherPlan(8, "端午档", START + timedelta(days=30), START + timedelta(days=40), frozenset({1}))
    other_product = OtherPlan(9, "别的", START, START + timedelta(days=5), frozenset({99}))
    assert codes(check_plan(plan(other_plans=(later, other_product)))) == ["promotion.cooldown"]


def test_cooldown_with_a_later_plan_names_its_start_and_the_latest_end():
    # given: this plan runs 2026-06-01 – 06-14, and the product's later plan starts 06-30 (16 days after the end)
    later = OtherPlan(8, "端午档", date(2026, 6, 30), date(2026, 7, 9), frozenset({1}))
    with translation.override("en"):
        # when: the rules are checked
        (violation,) = check_plan(plan(other_plans=(later,)))
        detail = str(violation.detail)  # read in English
    # then: the later plan is spoken of as coming, and the plan must end 30 days before it starts, at the latest
    assert violation.code == "promotion.cooldown" and violation.slot == "item-0"
    assert detail == (
        "Rule 4: P001 啤酒 is promoted at this account in “端午档” from 2026-06-30; "
        "with a 30-day cool-down before it, this plan must end on 2026-05-31 at the latest."
    )
    assert violation.params == {"product": "P001 啤酒", "plan": "端午档", "days": 30, "start": "2026-06-30",
                                "last": "2026-05-31"}  # fmt: skip
    assert "until" not in detail and "start again" not in detail


@pytest.mark.parametrize(("gap_days", "allowed"), [(29, False), (30, True)])
def test_a_plan_ending_the_cooldown_before_a_later_one_is_allowed(gap_days, allowed):
    # the later plan starts `gap_days` after this one's end (2026-06-14): 30 days is enough, 29 is not
    later_start = START + timedelta(days=13 + gap_days)
    later = OtherPlan(8, "端午档", later_start, later_start + timedelta(days=9), frozenset({1}))
    violations = check_plan(plan(other_plans=(later,)))
    assert (violations == []) is allowed
    if not allowed:  # and the latest end it names is the one that would do
        assert violations[0].params["last"] == (later_start - timedelta(days=30)).isoformat() == "2026-06-13"


@pytest.mark.parametrize(("setting", "valid"), [(29, False), (30, True), (45, True), (46, False)])
def test_cooldown_is_a_setting_of_30_to_45_days(settings, setting, valid):
    if valid:
        settings.KA = replace(settings.KA, promotion_cooldown_days=setting)
        assert RuleSettings.from_settings().cooldown_days == setting
    else:  # refused when the settings are built: the rules never see it
        with pytest.raises(ImproperlyConfigured, match="KA_PROMOTION_COOLDOWN_DAYS"):
            replace(settings.KA, promotion_cooldown_days=setting)


def test_a_45_day_cooldown_refuses_day_44():
    earlier = OtherPlan(7, "五一档", START - timedelta(days=50), START - timedelta(days=44), frozenset({1}))
    norms = RuleSettings(cooldown_days=45)
    assert codes(check_plan(plan(other_plans=(earlier,)), norms)) == ["promotion.cooldown"]


def test_every_product_at_the_same_cut_is_a_warning_only():
    same = [item("4.50", product_id=1), item("9.00", "10.00", product_id=2)]
    (warning,) = check_plan(plan(items=same))
    assert warning.rule == 5 and warning.blocking is False and warning.params == {"cut": "10 %"}
    assert check_plan(plan(items=[item("4.50", product_id=1), item("8.80", "10.00", product_id=2)])) == []
    assert check_plan(plan(items=[item("4.50")])) == []  # one product has nothing to compare with


@given(days=st.integers(1, 60), cents=st.integers(1, 499))
def test_no_allowed_plan_runs_longer_than_31_days_or_its_period(days, cents):
    # Invariant: whatever the cut, a plan without a rule 1/2 violation fits both limits.
    price = Decimal(cents) / 100
    violations = check_plan(plan(IN_STORE, days, [item(f"{price:.2f}")]))
    if not [v for v in violations if v.rule in (1, 2)]:
        cut = 1 - price / Decimal("5.00")
        assert days <= 31 and days <= (14 if cut > Decimal("0.05") else 28) * 2


@pytest.mark.parametrize(("count", "allowed"), [(1, True), (4, True), (5, False)])
def test_a_plan_holds_at_most_four_products(count, allowed):
    items = [item(price=f"4.{40 + n}", product_id=n + 1) for n in range(count)]  # varied cuts: no rule 5
    found = codes(check_plan(plan(items=items)))
    assert ("promotion.too_many_products" not in found) is allowed


def test_a_promotion_price_above_the_normal_price_is_refused_naming_both_prices():
    # 35 typed for 3.5: without this rule the cut is −600 %, read as "≤ 5 %", and every other rule passes.
    with translation.override("en"):
        (violation,) = check_plan(plan(DM, 14, [item("4.00", product_id=1), item("35.00", "5.00", product_id=2)]))
        detail = violation.detail
    assert violation.code == "promotion.price_above_normal" and violation.slot == "item-1"
    assert "P002 啤酒 at 35.00 is above its normal shelf price 5.00" in detail


def test_a_promotion_at_the_normal_price_is_allowed():
    # a gift or a display promotion keeps the shelf price
    assert check_plan(plan(IN_STORE, 28, [item("5.00", "5.00")])) == []
