"""Competitor sightings (竞品动态, issue 13 part 3): the rule, the writes (only the visit's rep, while the visit is
open) and the reads (the scoped list, the brands already seen, the per-chain summary computed in the database).

Pages, the API, the admin and the demo all go through these functions.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    ExpressionWrapper,
    FloatField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal import bounds
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.scope import competitor_sightings_for
from visits.models import Visit

from .agreement_rules import refuse
from .models import CompetitorSighting, DisplayKind

Mechanics = CompetitorSighting.Mechanics
BRAND_MAX = CompetitorSighting._meta.get_field("brand").max_length
PRODUCT_MAX = CompetitorSighting._meta.get_field("product").max_length
DEPTH_PLACES = Decimal("0.0001")


# --- the rule (pure) ------------------------------------------------------------------------------------------


def normalise_brand(text: str | None) -> str:
    """One spelling per brand: full-width letters and spaces folded (NFKC), runs of white space made one space,
    the ends trimmed — so "康师傅", "康师傅 " and "康师傅　" are one brand in the summary."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def normalise_text(text: str | None) -> str:
    return " ".join((text or "").split())


def depth(shelf_price: Decimal | None, regular_price: Decimal | None) -> Decimal | None:
    """How deep a cut is, as a fraction: 1 − shelf ÷ regular (0.2 is 20 % off); None without both prices."""
    if shelf_price is None or not regular_price:
        return None
    return (1 - Decimal(shelf_price) / Decimal(regular_price)).quantize(DEPTH_PLACES, ROUND_HALF_UP)


def sighting_problems(
    *, brand: str, shelf_price: Decimal | None, regular_price: Decimal | None, mechanics: str, display: str
) -> list[DomainError]:
    """Every reason a sighting cannot be, at most one per field, in the form's order (none: it may be). A form marks
    them all at once; a service raises the first with all of them (`check_sighting`). `brand` is already normalised."""
    problems = []
    if not brand:
        problems.append(DomainError("competitor.brand_required", _("Name the competitor's brand."), field="brand"))
    elif len(brand) > BRAND_MAX:
        problems.append(
            DomainError(
                "competitor.brand_too_long", _("A brand has at most %(max)s characters."), field="brand", max=BRAND_MAX
            )
        )
    bad_price = False
    for name, price in (("shelf_price", shelf_price), ("regular_price", regular_price)):
        if price is None:
            continue
        if price < 0:
            problems.append(DomainError("competitor.negative_price", _("A price cannot be negative."), field=name))
            bad_price = True
        elif price > bounds.MONEY_MAX:
            problems.append(
                DomainError(
                    "competitor.price_too_large", _("A price is at most %(max)s."), field=name, max=bounds.MONEY_MAX
                )
            )
            bad_price = True
    if mechanics not in Mechanics.values:
        problems.append(
            DomainError("competitor.mechanics", _("Choose the promotion from the list."), field="mechanics")
        )
    if display and display not in DisplayKind.values:
        problems.append(DomainError("competitor.display", _("Choose the display from the list."), field="display"))
    # A price cut the shelf does not show is a typing mistake (the prices swapped, or the wrong product); compared
    # only when both prices are prices at all.
    if (
        mechanics == Mechanics.PRICE_CUT
        and shelf_price is not None
        and regular_price is not None
        and not bad_price
        and shelf_price >= regular_price
    ):
        problems.append(
            DomainError(
                "competitor.cut_not_below_regular",
                _("A price cut's shelf price (%(shelf)s) must be below the regular price (%(regular)s)."),
                field="shelf_price",
                shelf=shelf_price,
                regular=regular_price,
            )
        )
    return problems


def check_sighting(
    *, brand: str, shelf_price: Decimal | None, regular_price: Decimal | None, mechanics: str, display: str
) -> None:
    """What a sighting must be, whichever door it comes through (`sighting_problems`): the first reason raised, all
    of them with it (agreement_rules.refuse: a page marks every field, the API lists them under ``errors``)."""
    refuse(
        sighting_problems(
            brand=brand, shelf_price=shelf_price, regular_price=regular_price, mechanics=mechanics, display=display
        )
    )


# --- writes ---------------------------------------------------------------------------------------------------


def _open_visit_of(visit: Visit, by) -> Visit:
    """The visit locked, when `by` is its rep and it is still open."""
    visit = Visit.objects.select_for_update(no_key=True, of=("self",)).select_related("store").get(pk=visit.pk)
    if visit.rep_id != getattr(by, "pk", None):
        raise DomainError(
            "competitor.not_your_visit", _("Only the rep of this visit records what competitors do in the store.")
        )
    if not visit.is_open:
        raise DomainConflict("visit.closed", _("This visit is checked out; it can no longer be changed."))
    return visit


def known_brand(brand: str) -> str:
    """The spelling already recorded for this brand, when one differs only in case (“Lay's” and “LAY'S”)."""
    seen = CompetitorSighting.objects.filter(brand__iexact=brand).values_list("brand", flat=True).order_by("id").first()
    return seen or brand


@dataclass
class SightingValues:
    brand: str
    product: str
    shelf_price: Decimal | None
    regular_price: Decimal | None
    mechanics: str
    mechanics_note: str
    display: str
    note: str

    @classmethod
    def checked(cls, **values) -> "SightingValues":
        found = cls(
            brand=normalise_brand(values.get("brand")),
            product=normalise_text(values.get("product"))[:PRODUCT_MAX],
            shelf_price=values.get("shelf_price"),
            regular_price=values.get("regular_price"),
            mechanics=values.get("mechanics") or "",
            mechanics_note=normalise_text(values.get("mechanics_note"))[:200],
            display=values.get("display") or "",
            note=(values.get("note") or "").strip(),
        )
        check_sighting(
            brand=found.brand,
            shelf_price=found.shelf_price,
            regular_price=found.regular_price,
            mechanics=found.mechanics,
            display=found.display,
        )
        found.brand = known_brand(found.brand)
        return found


def _photo(visit: Visit, image, values: SightingValues):
    from visits.services import visit_photo_add

    caption = " ".join(part for part in (values.brand, values.product) if part)[:200]
    return visit_photo_add(visit=visit, image=image, caption=caption)


@transaction.atomic
def competitor_sighting_add(
    *,
    visit: Visit,
    by,
    brand: str,
    product: str = "",
    shelf_price: Decimal | None = None,
    regular_price: Decimal | None = None,
    mechanics: str = "",
    mechanics_note: str = "",
    display: str = "",
    note: str = "",
    photo=None,
) -> CompetitorSighting:
    """Record what a competitor does in the visit's store; `photo` is an uploaded image (kept as a visit photo)."""
    visit = _open_visit_of(visit, by)
    values = SightingValues.checked(
        brand=brand,
        product=product,
        shelf_price=shelf_price,
        regular_price=regular_price,
        mechanics=mechanics,
        mechanics_note=mechanics_note,
        display=display,
        note=note,
    )
    stored_photo = _photo(visit, photo, values) if photo else None
    return CompetitorSighting.objects.create(
        visit=visit,
        store=visit.store,
        account_id=visit.store.account_id,
        seen_on=timezone.localdate(visit.checked_in_at),
        photo=stored_photo,
        **values.__dict__,
    )


@transaction.atomic
def competitor_sighting_update(
    *,
    sighting: CompetitorSighting,
    by,
    brand: str,
    product: str = "",
    shelf_price: Decimal | None = None,
    regular_price: Decimal | None = None,
    mechanics: str = "",
    mechanics_note: str = "",
    display: str = "",
    note: str = "",
    photo=None,
) -> CompetitorSighting:
    """Correct a sighting while its visit is open (every field as given; a new photo replaces the old link)."""
    visit = _open_visit_of(sighting.visit, by)
    sighting = CompetitorSighting.objects.select_for_update().get(pk=sighting.pk)
    values = SightingValues.checked(
        brand=brand,
        product=product,
        shelf_price=shelf_price,
        regular_price=regular_price,
        mechanics=mechanics,
        mechanics_note=mechanics_note,
        display=display,
        note=note,
    )
    for name, value in values.__dict__.items():
        setattr(sighting, name, value)
    if photo:
        sighting.photo = _photo(visit, photo, values)
    sighting.save()
    return sighting


@transaction.atomic
def competitor_sighting_delete(*, sighting: CompetitorSighting, by) -> None:
    """Take a sighting back while its visit is open (its photo stays among the visit's photos)."""
    _open_visit_of(sighting.visit, by)
    CompetitorSighting.objects.filter(pk=sighting.pk).delete()


# --- reads ----------------------------------------------------------------------------------------------------


def competitor_sightings_list(user) -> QuerySet:
    """The sightings a user may read, newest first, with what a list row shows."""
    return (
        competitor_sightings_for(user)
        .select_related("account", "store", "visit__rep", "photo")
        .order_by("-seen_on", "-id")
    )


def competitor_brands(user, *, limit: int = 200) -> list[str]:
    """The brands already recorded within the user's reach, most seen first: the form offers them."""
    rows = (
        competitor_sightings_for(user)
        .values("brand")
        .annotate(seen=Count("id"))
        .order_by("-seen", "brand")
        .values_list("brand", flat=True)[:limit]
    )
    return list(rows)


def _depth_expression():
    """1 − shelf ÷ regular for a promotion with both prices (regular above 0), else NULL (left out of Avg/Max)."""
    return Case(
        When(
            ~Q(mechanics="") & Q(shelf_price__isnull=False) & Q(regular_price__gt=0),
            # As floats: SQLite divides two whole-number prices as integers (5 / 10 = 0).
            then=ExpressionWrapper(
                Value(1.0) - Cast("shelf_price", FloatField()) / Cast("regular_price", FloatField()),
                output_field=FloatField(),
            ),
        ),
        default=None,
        output_field=FloatField(),
    )


def _fraction(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(DEPTH_PLACES, ROUND_HALF_UP)


@dataclass
class ProductLow:
    product: str
    lowest_shelf_price: Decimal
    promotions: int


@dataclass
class SummaryRow:
    """One competitor brand at one chain in the period."""

    account_id: int
    account_code: str
    account_name: str
    brand: str
    sightings: int
    stores: int
    first_seen: date
    last_seen: date
    promotions: int
    by_mechanics: dict[str, int]
    deepest: Decimal | None
    average_depth: Decimal | None
    products: list[ProductLow] = field(default_factory=list)
    account_name_en: str = ""

    @property
    def mechanics_shown(self) -> list[tuple[str, int]]:
        labels = dict(Mechanics.choices)
        return [(str(labels[key]), count) for key, count in self.by_mechanics.items() if count]


PROMOTION_MECHANICS = [value for value in Mechanics.values if value]


def competitor_summary(sightings: QuerySet) -> list[SummaryRow]:
    """Per chain × competitor brand: sightings, stores, first and last seen, promotions by mechanics, the deepest
    and the average depth of the promotions with both prices, and the lowest shelf price of each product.

    `sightings` is already scoped and filtered (period, chain); two aggregate queries whatever its size."""
    per_mechanics = {
        f"m_{value}": Count("id", filter=Q(mechanics=value)) for value in PROMOTION_MECHANICS
    }  # one column per promotion mechanics
    depth_expr = _depth_expression()
    rows = (
        sightings.order_by()
        .values("account_id", "account__code", "account__name", "account__name_en", "brand")
        .annotate(
            sightings=Count("id"),
            stores=Count("store", distinct=True),
            first_seen=Min("seen_on"),
            last_seen=Max("seen_on"),
            promotions=Count("id", filter=~Q(mechanics="")),
            deepest=Max(depth_expr),
            average_depth=Avg(depth_expr),
            **per_mechanics,
        )
        .order_by("account__code", "-promotions", "-sightings", "brand")
    )
    lows = (
        sightings.order_by()
        .filter(shelf_price__isnull=False)
        .values("account_id", "brand", "product")
        .annotate(lowest=Min("shelf_price"), promos=Count("id", filter=~Q(mechanics="")))
        .order_by("account_id", "brand", "lowest", "product")
    )
    products: dict[tuple[int, str], list[ProductLow]] = defaultdict(list)
    for low in lows:
        products[low["account_id"], low["brand"]].append(
            ProductLow(low["product"], Decimal(low["lowest"]).quantize(Decimal("0.01")), low["promos"])
        )
    return [
        SummaryRow(
            account_id=row["account_id"],
            account_code=row["account__code"],
            account_name=row["account__name"],
            account_name_en=row["account__name_en"],
            brand=row["brand"],
            sightings=row["sightings"],
            stores=row["stores"],
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
            promotions=row["promotions"],
            by_mechanics={value: row[f"m_{value}"] for value in PROMOTION_MECHANICS},
            deepest=_fraction(row["deepest"]),
            average_depth=_fraction(row["average_depth"]),
            products=products.get((row["account_id"], row["brand"]), []),
        )
        for row in rows
    ]


def summary_for(user, *, start: date | None = None, end: date | None = None, account=None) -> list[SummaryRow]:
    """The summary of the sightings a user may read, in a period and for one chain when given."""
    sightings = competitor_sightings_for(user)
    if start:
        sightings = sightings.filter(seen_on__gte=start)
    if end:
        sightings = sightings.filter(seen_on__lte=end)
    if account is not None:
        sightings = sightings.filter(account=account)
    return competitor_summary(sightings)
