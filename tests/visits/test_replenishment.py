"""The suggested-order formula of SPEC §4."""

from decimal import Decimal

import pytest

from visits.replenishment import NEGATIVE_SALES, NO_PREVIOUS_COUNT, suggested_order


def test_spec_example_10_cases_4_delivered_6_counted_orders_6_cases():
    # given 12 packs a case: previous 10 cases, 4 cases delivered since, 6 cases now
    result = suggested_order(previous=120, delivered=48, current=72, packs_per_case=12, factor=Decimal("1.5"))
    # then sales 8 cases, safety stock 12 cases, suggested 6 cases
    assert result.actual_sales == 96
    assert result.safety_stock == 144
    assert result.suggested_packs == 72
    assert result.suggested_cases == 6
    assert result.flag == ""


def test_part_of_a_case_is_rounded_up_to_a_whole_case():
    # sales 10 packs → safety 15 → short 15 − 2 = 13 packs → 2 cases of 12
    result = suggested_order(previous=12, delivered=0, current=2, packs_per_case=12, factor="1.5")
    assert (result.suggested_packs, result.suggested_cases) == (13, 2)


def test_fractional_safety_stock_rounds_up_to_whole_packs():
    # sales 1 pack → safety 1.5 → short 1.5 packs → 2 packs, 1 case
    result = suggested_order(previous=1, delivered=0, current=0, packs_per_case=24, factor="1.5")
    assert (result.safety_stock, result.suggested_packs, result.suggested_cases) == (2, 2, 1)


def test_enough_stock_suggests_nothing_never_below_zero():
    result = suggested_order(previous=100, delivered=0, current=90, packs_per_case=12, factor="1.5")
    assert result.actual_sales == 10
    assert (result.suggested_packs, result.suggested_cases, result.flag) == (0, 0, "")


def test_first_count_with_no_previous_one_suggests_nothing_and_says_why():
    result = suggested_order(previous=None, delivered=24, current=10, packs_per_case=12, factor="1.5")
    assert (result.suggested_cases, result.flag, result.actual_sales) == (0, NO_PREVIOUS_COUNT, None)


def test_negative_sales_is_flagged_and_nothing_suggested():
    # stock grew by 20 packs with only 12 delivered
    result = suggested_order(previous=10, delivered=12, current=30, packs_per_case=12, factor="1.5")
    assert result.actual_sales == -8
    assert (result.suggested_packs, result.suggested_cases, result.flag) == (0, 0, NEGATIVE_SALES)


@pytest.mark.parametrize("factor, cases", [("1.5", 6), ("2", 10), ("1", 2)])
def test_safety_factor_is_a_parameter(factor, cases):
    result = suggested_order(previous=120, delivered=48, current=72, packs_per_case=12, factor=factor)
    assert result.suggested_cases == cases
