"""The visit rating of SPEC §4 and the reasons for it: computed from what the rep found, never typed.

The rule (SPEC §4, plus what issue 11 added about how the visit was done):

- **red** when a listed product is out of stock (count 0) or a running promotion is not executed (computed from
  the prices and displays checked at the visit, evidence/execution.py; the rep's own yes/no only for visits
  from before, where no plan runs);
- otherwise **yellow** when a checklist item failed, the price check failed, the rep checked out with a reason
  instead of completing the visit, the visit was shorter than the minimum (``KA_VISIT_MIN_MINUTES``), or the
  check-in had no position: a visit the supervisor cannot take as done and verified is at best yellow;
- otherwise **green**.

Every yellow or red comes with its reasons, red ones first: a code, stable for API clients, and the numbers
or names that go into its translated sentence (``reason_text``). A green visit has no reasons.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

GREEN, YELLOW, RED = "green", "yellow", "red"
FAIL = "fail"

# code → the sentence a supervisor reads, filled from the reason's params.
OUT_OF_STOCK = "out_of_stock"
PROMOTION_NOT_EXECUTED = "promotion_not_executed"
# A running plan whose execution, computed from the checks at the visit (evidence/execution.py), failed.
PLAN_NOT_EXECUTED = "plan_not_executed"
CHECKLIST_FAILED = "checklist_failed"
PRICE_CHECK_FAILED = "price_check_failed"
CHECKED_OUT_INCOMPLETE = "checked_out_incomplete"
SHORT_VISIT = "short_visit"
NO_POSITION = "no_position"

MESSAGES = {
    OUT_OF_STOCK: _("Out of stock: %(product)s"),
    PROMOTION_NOT_EXECUTED: _("Running promotion not executed"),
    PLAN_NOT_EXECUTED: _("Promotion not executed: %(plan)s"),
    CHECKLIST_FAILED: _("Checklist item failed: %(item)s"),
    PRICE_CHECK_FAILED: _("Prices or price tags wrong"),
    CHECKED_OUT_INCOMPLETE: _("Checked out with a reason: %(reason)s"),
    SHORT_VISIT: _("Short visit: %(minutes)s min"),
    NO_POSITION: _("No check-in position"),
}


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}


@dataclass(frozen=True)
class Rated:
    rating: str
    reasons: list[Reason]

    def reasons_json(self) -> list[dict]:
        return [reason.as_json() for reason in self.reasons]


def rate_visit(
    *,
    checklist: Mapping[str, str],
    price_check_ok: bool | None,
    promotion_executed: bool | None,
    out_of_stock: Iterable[Mapping] = (),
    checkout_reason: str | None = None,
    short_minutes: int | None = None,
    has_position: bool = True,
    plans_not_executed: Iterable[Mapping] = (),
) -> Rated:
    """The rating and its reasons.

    `checklist` maps item → result ("pass", "fail", "na"); None for the price or promotion check means not
    checked / n.a. `out_of_stock` holds one mapping per listed product counted 0 (its params: product name and
    code). `checkout_reason` is the reason given for checking out an incomplete visit (None: it was complete or
    is still open); `short_minutes` the minutes of a visit shorter than the minimum (None: not short).
    `plans_not_executed` holds one mapping per running plan found not executed at the visit (its params: plan
    title and id); each is a red reason naming the plan, instead of the unnamed "promotion not executed".
    """
    red = [Reason(OUT_OF_STOCK, dict(product)) for product in out_of_stock]
    named = [Reason(PLAN_NOT_EXECUTED, dict(plan)) for plan in plans_not_executed]
    red.extend(named)
    if promotion_executed is False and not named:
        red.append(Reason(PROMOTION_NOT_EXECUTED))
    yellow = [Reason(CHECKLIST_FAILED, {"item": item}) for item, result in checklist.items() if result == FAIL]
    if price_check_ok is False:
        yellow.append(Reason(PRICE_CHECK_FAILED))
    if checkout_reason:
        yellow.append(Reason(CHECKED_OUT_INCOMPLETE, {"reason": checkout_reason}))
    if short_minutes is not None:
        yellow.append(Reason(SHORT_VISIT, {"minutes": short_minutes}))
    if not has_position:
        yellow.append(Reason(NO_POSITION))
    rating = RED if red else YELLOW if yellow else GREEN
    return Rated(rating, red + yellow)


def visit_rating(
    *,
    checklist: Iterable[str],
    price_check_ok: bool | None,
    promotion_executed: bool | None,
    out_of_stock_products: int,
) -> str:
    """SPEC §4's colour from the findings alone (results and a number of products out of stock)."""
    return rate_visit(
        checklist={str(index): result for index, result in enumerate(checklist)},
        price_check_ok=price_check_ok,
        promotion_executed=promotion_executed,
        out_of_stock=[{"product": ""}] * out_of_stock_products,
    ).rating


def reason_text(reason: Mapping, item_label: Callable[[str], str] = str) -> str:
    """One stored reason ({"code", "params"}) as a sentence in the active language; an unknown code as itself."""
    code, params = reason.get("code", ""), dict(reason.get("params") or {})
    message = MESSAGES.get(code)
    if message is None:
        return code
    if "item" in params:
        params["item"] = item_label(params["item"])
    return str(message) % params if params else str(message)
