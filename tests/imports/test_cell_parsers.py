"""The typed cell parsers: what each accepts, what it refuses and why (pure functions, no database)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imports import kinds as imports
from imports.kinds import CellError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5.5, Decimal("5.50")),
        (4.1, Decimal("4.10")),  # not 4.0999999999999996447286321199499070644378662109375
        (0.1 + 0.2, None),  # 0.30000000000000004: a float sum is not a price with two places
        (12, Decimal("12.00")),
        ("1,234.50", Decimal("1234.50")),
        ("¥5", Decimal("5.00")),
        (" 3.80 ", Decimal("3.80")),
        ("5.500", Decimal("5.50")),
        (0, Decimal("0.00")),
    ],
)
def test_money_is_read_exactly_through_text(value, expected):
    parse = imports.money()
    if expected is None:
        with pytest.raises(CellError, match="More than 2 decimal places"):
            parse(value)
    else:
        assert parse(value) == expected
        assert str(parse(value)) == str(expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-0.01, "Must not be negative."),
        ("abc", "“abc” is not a number."),
        ("NaN", "“NaN” is not a number."),
        ("1e5", "Write the number in digits, e.g. 12000.50."),  # Decimal reads 100000
        ("1_000", "Write the number in digits, e.g. 12000.50."),
        (True, "Expected a number, found TRUE/FALSE."),
        (date(2026, 1, 1), "Expected a number, found a date."),
        (1e13, "Must be at most 999999999999.99."),
    ],
)
def test_money_refuses_what_is_not_a_price(value, message):
    with pytest.raises(CellError) as excinfo:
        imports.money()(value)
    assert str(excinfo.value) == message


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2, allow_nan=False))
def test_any_two_place_price_survives_the_float_an_excel_cell_holds(price):
    assert imports.money()(float(price)) == price


@pytest.mark.parametrize(("value", "expected"), [(12, 12), (12.0, 12), ("24", 24), ("1", 1)])
def test_whole_numbers(value, expected):
    assert imports.whole_number(min_value=1)(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "Must be at least 1."),
        (12.5, "“12.5” is not a whole number."),
        ("1/2", "“1/2” is not a number."),
    ],
)
def test_whole_numbers_refused(value, message):
    with pytest.raises(CellError) as excinfo:
        imports.whole_number(min_value=1)(value)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    "value",
    [datetime(2026, 3, 1, 0, 0), date(2026, 3, 1), "2026-03-01", "2026/3/1", "2026.03.01", "2026年3月1日", "20260301"],
)
def test_dates_as_cells_or_common_text(value):
    assert imports.a_date(value) == date(2026, 3, 1)


@pytest.mark.parametrize("value", ["03/01/2026", "2026-02-30", 46082, "tomorrow"])
def test_ambiguous_or_impossible_dates_are_refused(value):
    with pytest.raises(CellError, match="is not a date"):
        imports.a_date(value)


@pytest.mark.parametrize(("value", "expected"), [("a", "A"), (" B ", "B"), ("C", "C")])
def test_grade_choice_ignores_case_and_spaces(value, expected):
    assert imports.choice(["A", "B", "C"])(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (1, True), (0, False), ("是", True), ("否", False), ("Yes", True), ("n", False)],
)
def test_yes_no(value, expected):
    assert imports.yes_no(value) is expected


@pytest.mark.parametrize(("value", "expected"), [(1001, "1001"), (1001.0, "1001"), (" S1 ", "S1"), (1.5, "1.5")])
def test_codes_typed_as_numbers_keep_their_digits(value, expected):
    assert imports.text(30)(value) == expected


def test_text_longer_than_the_field_is_refused():
    with pytest.raises(CellError, match="Longer than 3 characters"):
        imports.text(3)("ABCD")
