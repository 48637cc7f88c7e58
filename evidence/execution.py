"""Whether a promotion plan was executed at a visit, from what the rep saw (issue 13). Pure: no database.

A plan is executed when every promoted product's shelf price is within the tolerance of the plan's promotion
price (|seen − plan| ≤ tolerance × plan, a price too low is as wrong as one too high) and every display the plan
bought is in place with a photo. Each failure is a reason with a code, stable for API clients, and the names
and numbers that go into its translated sentence (``reason_text``). A product or display not yet checked is the
reason ``not_checked``: the plan is then not executed *yet* — ``Execution.checked`` says whether anything but
that is missing, so the rating can tell a failed plan from one the rep has not finished.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

PRICE_OFF = "price_off"
PRODUCT_NOT_FOUND = "product_not_found"
DISPLAY_MISSING = "display_missing"
DISPLAY_NO_PHOTO = "display_no_photo"
NOT_CHECKED = "not_checked"

MESSAGES = {
    PRICE_OFF: _("%(product)s at %(seen)s on the shelf, plan %(plan)s"),
    PRODUCT_NOT_FOUND: _("%(product)s not found on the shelf"),
    DISPLAY_MISSING: _("%(display)s not in place"),
    DISPLAY_NO_PHOTO: _("%(display)s without a photo"),
    NOT_CHECKED: _("Not checked yet: %(what)s"),
}


@dataclass(frozen=True)
class PriceSeen:
    """One promoted product: its name, the plan's promotion price, and the shelf price seen.

    `checked` False: the rep has not answered yet; `seen` None with `checked`: not found on the shelf."""

    product: str
    plan_price: Decimal
    seen: Decimal | None
    checked: bool = True


@dataclass(frozen=True)
class DisplaySeen:
    """One display the plan bought: its kind (a DisplayKind value), and what the rep found (`present` None: not
    answered)."""

    display: str
    present: bool | None
    has_photo: bool = False


@dataclass(frozen=True)
class Execution:
    executed: bool
    reasons: list[dict] = field(default_factory=list)

    @property
    def checked(self) -> bool:
        """Everything was looked at: no reason is "not checked"."""
        return all(reason["code"] != NOT_CHECKED for reason in self.reasons)

    @property
    def failed(self) -> bool:
        """Not executed for a reason found in the store (not merely unchecked parts)."""
        return any(reason["code"] != NOT_CHECKED for reason in self.reasons)


def price_within(seen: Decimal, plan_price: Decimal, tolerance: Decimal) -> bool:
    """The shelf price counts as the plan's: |seen − plan| ≤ tolerance × plan (the boundary included)."""
    return abs(seen - plan_price) <= tolerance * plan_price


def plan_execution(*, prices: Iterable[PriceSeen], displays: Iterable[DisplaySeen], tolerance: Decimal) -> Execution:
    """The plan's execution at one visit and its reasons, products first, then displays, in the order given."""
    reasons: list[dict] = []
    for price in prices:
        if not price.checked:
            reasons.append(_reason(NOT_CHECKED, product=price.product))
        elif price.seen is None:
            reasons.append(_reason(PRODUCT_NOT_FOUND, product=price.product))
        elif not price_within(price.seen, price.plan_price, tolerance):
            reasons.append(_reason(PRICE_OFF, product=price.product, seen=str(price.seen), plan=str(price.plan_price)))
    for display in displays:
        if display.present is None:
            reasons.append(_reason(NOT_CHECKED, display=display.display))
        elif not display.present:
            reasons.append(_reason(DISPLAY_MISSING, display=display.display))
        elif not display.has_photo:
            reasons.append(_reason(DISPLAY_NO_PHOTO, display=display.display))
    return Execution(executed=not reasons, reasons=reasons)


def _reason(code: str, **params) -> dict:
    return {"code": code, "params": params}


def reason_text(reason: Mapping, display_label: Callable[[str], str] = str) -> str:
    """A stored reason ({"code", "params"}) as a sentence in the active language; an unknown code as itself.

    `display_label` names a display kind in the active language (the reasons keep the kind's value)."""
    message = MESSAGES.get(reason.get("code", ""))
    if message is None:
        return str(reason.get("code", ""))
    params = dict(reason.get("params") or {})
    if "display" in params:
        params["display"] = display_label(params["display"])
    if reason.get("code") == NOT_CHECKED:
        params["what"] = params.get("product") or params.get("display") or ""
    return str(message) % params
