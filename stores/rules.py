"""The rules of the store sheet, the SKU list, listings and sell-in: pure checks, no database.

Every door that writes these records calls them — the page forms' `clean`, the services (API create and
update, admin), and the Excel import's row checks — so a value is refused everywhere with the same code
and the same message. Each check raises a `DomainError` naming the field; the database backs the ones
that must never break with check constraints (stores/models.py).
"""

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal import bounds
from ka_portal.errors import DomainError, enforce, refusals  # noqa: F401 (the rules ask both: rules.refusals)
from ka_portal.months import YEARS

VISITS_PER_WEEK_MIN = 1


def _in_range(value: int | None, low: int, high: int, *, code: str, message, field: str) -> None:
    if value is not None and not low <= value <= high:
        raise DomainError(code, message, field=field, value=value, min=low, max=high)


def check_visits_per_week(value: int | None) -> None:
    """A store's own visit frequency: 1 to 7 a week, or empty to follow its grade."""
    _in_range(
        value,
        VISITS_PER_WEEK_MIN,
        bounds.VISITS_PER_WEEK_MAX,
        code="store.visits_per_week_out_of_range",
        message=_(
            "Visits per week must be between %(min)s and %(max)s, or empty to follow the grade; %(value)s is not."
        ),
        field="visits_per_week_override",
    )


def check_code(value: str | None, *, field: str = "code") -> None:
    """A store's or product's code has no spaces inside it. Codes are typed in Excel and matched later, in other
    sheets and filters (a listing names its store, a delivery its product): "HM 010" typed once would never match the
    "HM010" typed elsewhere, and a space is hard to see in a cell. Spaces before or after are trimmed at every door."""
    if value and any(character.isspace() for character in value):
        raise DomainError(
            "code.has_spaces",
            _("A code may not contain spaces: write “%(suggested)s”, not “%(value)s” (other sheets name the record by "
              "its code, as one word)."),
            field=field,
            value=value,
            suggested="".join(value.split()),
        )  # fmt: skip


def check_position(latitude: Decimal | None, longitude: Decimal | None) -> None:
    """A store's position: both coordinates or neither (a latitude alone places it nowhere), each in range."""
    if (latitude is None) != (longitude is None):
        raise DomainError(
            "store.coordinates_incomplete",
            _("Give both latitude and longitude, or neither."),
            field="longitude" if longitude is None else "latitude",
        )
    bounds.check_coordinates(latitude, longitude)


def check_not_negative(value: Decimal | None, *, field: str, label: Any) -> None:
    """An amount of money that is never below zero (prices, fees); empty passes (the field says if it may be)."""
    if value is not None and value < 0:
        raise DomainError(
            "amount.negative",
            _("%(label)s must not be negative; %(value)s is."),
            field=field,
            label=label,
            value=value,
        )


def check_purchase_within_shelf(
    purchase_price: Decimal | None, shelf_price: Decimal | None, *, store: str, product: str
) -> None:
    """A listing's purchase price (终端进价, what the store pays for a pack) is not above its shelf price (终端零售价,
    what the store sells it at): the promotion price floor (SPEC §5, rule 3) is the purchase price, so a purchase
    price above the shelf would put every promotion price of the product at that store below its floor. Equal passes
    (a product sold at cost). Empty passes: the field says whether it may be; `store` and `product` name the listing
    as the refusal reads it."""
    if not purchase_above_shelf(purchase_price, shelf_price):
        return
    raise DomainError(
        "listing.purchase_above_shelf",
        _("The store purchase price %(purchase_price)s of %(product)s at %(store)s is above its shelf price "
          "%(shelf_price)s: a store buys a product for no more than it sells it at."),
        field="purchase_price",
        purchase_price=_cents(purchase_price),
        shelf_price=_cents(shelf_price),
        product=product,
        store=store,
    )  # fmt: skip


def purchase_above_shelf(purchase_price: Decimal | None, shelf_price: Decimal | None) -> bool:
    """Whether a listing's purchase price is above its shelf price (check_purchase_within_shelf refuses it; a listing
    stored so before that rule is marked where listings are shown). Empty prices and a shelf price below 0 are not:
    the latter is refused as such (check_not_negative). The database's side: stores.selectors.purchase_above_shelf_q."""
    return purchase_price is not None and shelf_price is not None and shelf_price >= 0 and purchase_price > shelf_price


def _cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def check_packs_per_case(value: int | None) -> None:
    _in_range(
        value,
        1,
        bounds.PACKS_PER_CASE_MAX,
        code="product.packs_per_case_out_of_range",
        message=_("Packs per case must be between 1 and %(max)s; %(value)s is not."),
        field="packs_per_case",
    )


def check_delivery_quantity(value: int | None) -> None:
    _in_range(
        value,
        1,
        bounds.PACKS_MAX,
        code="delivery.quantity_out_of_range",
        message=_("A delivery is between 1 and %(max)s packs; %(value)s is not."),
        field="quantity",
    )


# The first day a delivery takes: the first year the portal's month boxes read (ka_portal.months.YEARS), the first day
# of the books (contracts.rules.BOOKS_START) and of shifts (promoters.roster_rules.FIRST_DAY). 1900 is a typo.
FIRST_DAY = date(YEARS[0], 1, 1)


def check_delivery_date(day: date | None, *, today: date, days_ahead: int) -> None:
    """A delivery's date lies between FIRST_DAY and `days_ahead` days after `today` (settings.KA.books_days_ahead:
    what the invoices of the same goods take): a year typed wrong (2099, 1900) would put the sell-in in a month no
    report reads, or in every "this year so far" for decades. Empty passes (the field says that it is needed)."""
    if day is None:
        return
    if day < FIRST_DAY:
        raise DomainError(
            "delivery.date_before_start",
            _("Delivery date: %(day)s is before %(start)s, the first day the portal takes."),
            field="date",
            day=day,
            start=FIRST_DAY,
        )
    latest = today + timedelta(days=days_ahead)
    if day > latest:
        raise DomainError(
            "delivery.date_too_far_ahead",
            _("Delivery date: %(day)s is more than %(days)s days after today; deliveries take dates up to %(latest)s."),
            field="date",
            day=day,
            days=days_ahead,
            latest=latest,
        )


def _delivery_date(values: Mapping[str, Any]) -> None:
    # Today and the days ahead as the invoices read them (contracts.services.check_book_date), asked when checked.
    check_delivery_date(values.get("date"), today=timezone.localdate(), days_ahead=settings.KA.books_days_ahead)


# A record's rule is the tuple of its checks, each reading the record's values (a mapping by field name, as
# it will be stored). The services refuse with the first refusal; a form or an import row shows them all.
Check = Callable[[Mapping[str, Any]], None]


def _not_negative(field: str, label: Any) -> Check:
    return lambda values: check_not_negative(values.get(field), field=field, label=label)


STORE: tuple[Check, ...] = (
    lambda values: check_visits_per_week(values.get("visits_per_week_override")),
    lambda values: check_position(values.get("latitude"), values.get("longitude")),
)
PRODUCT: tuple[Check, ...] = (
    lambda values: check_packs_per_case(values.get("packs_per_case")),
    _not_negative("suggested_retail_price", _("Suggested retail price")),
    _not_negative("distributor_price", _("Distributor price")),
    _not_negative("wholesale_price", _("Second-tier wholesale price")),
)
LISTING: tuple[Check, ...] = (
    _not_negative("listing_fee", _("Listing fee")),
    _not_negative("purchase_price", _("Store purchase price")),
    _not_negative("shelf_price", _("Shelf price")),
)
DELIVERY: tuple[Check, ...] = (
    _delivery_date,
    lambda values: check_delivery_quantity(values.get("quantity")),
    _not_negative("unit_price", _("Unit price")),
)
