"""When a visit is done (issue 11): what a check-out still lacks, and whether a visit was too short. Pure.

A visit may be checked out when every checklist item is answered (pass, fail or n.a.), every product the store
lists (active listings) is counted or explicitly marked "not counted", the check-in has a position, and every
promotion running at the store has its prices and displays checked (issue 13). When
something is missing the rep may still check out by giving a reason; the reason and what was missing are kept
on the visit for the supervisor, and the rating is then at best yellow (visits/rating.py).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Missing:
    """What a visit lacks for a check-out: unanswered checklist items, listed products neither counted nor marked
    not counted (ids), whether the check-in has no position, and the running promotions not fully checked (plan
    ids, issue 13). False when nothing is missing."""

    checklist: tuple[str, ...] = ()
    products: tuple[int, ...] = ()
    no_position: bool = False
    promotions: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.checklist or self.products or self.no_position or self.promotions)

    def as_json(self, product_codes: Mapping[int, str] | None = None) -> dict:
        """As stored on the visit (product ids); with `product_codes`, as the API shows it (product codes).
        "promotions" (plan ids) is there only when a running promotion was left unchecked."""
        products = [product_codes.get(pk, pk) for pk in self.products] if product_codes is not None else self.products
        shown = {"checklist": list(self.checklist), "products": list(products), "no_position": self.no_position}
        if self.promotions:
            shown["promotions"] = list(self.promotions)
        return shown


def checkout_missing(
    *,
    checklist_items: Iterable[str],
    answered: Iterable[str],
    listed: Iterable[int],
    counted: Iterable[int],
    not_counted: Iterable[int],
    has_position: bool,
    unchecked_promotions: Iterable[int] = (),
) -> Missing:
    """What is missing, in the checklist's and the listing's order."""
    answered, accounted = set(answered), set(counted) | set(not_counted)
    return Missing(
        checklist=tuple(item for item in checklist_items if item not in answered),
        products=tuple(product for product in listed if product not in accounted),
        no_position=not has_position,
        promotions=tuple(unchecked_promotions),
    )


def short_visit_minutes(checked_in_at: datetime, checked_out_at: datetime, min_minutes: int) -> int | None:
    """The whole minutes of a visit shorter than `min_minutes` (4:59 of a 5-minute minimum is short, 5:00 is
    not); None when the visit was long enough."""
    seconds = (checked_out_at - checked_in_at).total_seconds()
    if seconds >= min_minutes * 60:
        return None
    return int(seconds // 60)
