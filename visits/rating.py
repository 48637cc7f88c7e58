"""The visit rating of SPEC §4: computed from what the rep found, never typed."""

from collections.abc import Iterable

GREEN, YELLOW, RED = "green", "yellow", "red"
FAIL = "fail"


def visit_rating(
    *,
    checklist: Iterable[str],
    price_check_ok: bool | None,
    promotion_executed: bool | None,
    out_of_stock_products: int,
) -> str:
    """Red when a listed product is out of stock or the running promotion is not executed;
    otherwise yellow when any check failed (a checklist item or the price check); otherwise green.

    `checklist` holds the results ("pass", "fail", "na"); None for a check means not checked / n.a.
    """
    if out_of_stock_products > 0 or promotion_executed is False:
        return RED
    if price_check_ok is False or any(result == FAIL for result in checklist):
        return YELLOW
    return GREEN
