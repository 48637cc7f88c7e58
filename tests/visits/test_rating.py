"""The visit rating of SPEC §4: red for a major problem, yellow for room to improve, green otherwise."""

import pytest

from visits.rating import GREEN, RED, YELLOW, visit_rating


@pytest.mark.parametrize(
    "checklist, price_ok, promotion, out_of_stock, expected",
    [
        (["pass"] * 5, True, True, 0, GREEN),
        (["pass", "na", "na", "pass", "pass"], None, None, 0, GREEN),
        (["pass", "fail", "pass", "pass", "pass"], True, True, 0, YELLOW),
        (["pass"] * 5, False, True, 0, YELLOW),
        (["pass"] * 5, True, True, 1, RED),
        (["pass"] * 5, True, False, 0, RED),
        (["fail"] * 5, False, None, 0, YELLOW),
        (["fail"] * 5, False, False, 3, RED),
    ],
)
def test_rating_rule(checklist, price_ok, promotion, out_of_stock, expected):
    rating = visit_rating(
        checklist=checklist, price_check_ok=price_ok, promotion_executed=promotion, out_of_stock_products=out_of_stock
    )
    assert rating == expected
