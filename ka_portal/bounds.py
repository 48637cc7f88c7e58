"""The largest numbers the columns hold and the business allows: one place, used by models, serializers and imports.

Money is `DecimalField(max_digits=14, decimal_places=2)`: at most 999,999,999,999.99. Counts are 32-bit
integers on PostgreSQL, and a business maximum well below that keeps a product (packs × price) and a sum of
them inside the columns that store or show them. Model fields carry these as validators (forms and
ModelSerializers pick them up) and, where they are invariants, as database CheckConstraints.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

# What a money column holds: 14 digits, 2 of them after the point.
MONEY_MAX = Decimal("999999999999.99")
# The largest value a 32-bit integer column holds (PostgreSQL `integer`).
INT32_MAX = 2**31 - 1
# … and a 16-bit one (`smallint`: positions, small counts).
INT16_MAX = 2**15 - 1
# One quantity in packs (a delivery, a stock count, a promotion's forecast): no store takes ten million packs.
PACKS_MAX = 10_000_000
# One invoice, payment, deduction or credit note (and so any part of one): a billion yuan. The largest delivery
# (PACKS_MAX packs) at ¥100 a pack; a chain's year of sell-in from one supplier is far below it. A money column holds
# a thousand times more (MONEY_MAX), which a typo reaches (999999999999.99 booked made the aging a trillion).
DOCUMENT_AMOUNT_MAX = Decimal("1000000000.00")
# Packs in one case.
PACKS_PER_CASE_MAX = 10_000
# A store is visited at most every day of the week.
VISITS_PER_WEEK_MAX = 7
# Payment terms and a promotion type's longest run, in days.
DAYS_MAX = 3660
# Latitude and longitude in degrees.
LATITUDE_MAX = Decimal(90)
LONGITUDE_MAX = Decimal(180)


def packs_validators(*, min_value: int = 0) -> list:
    return [MinValueValidator(min_value), MaxValueValidator(PACKS_MAX)]


LATITUDE_VALIDATORS = [MinValueValidator(-LATITUDE_MAX), MaxValueValidator(LATITUDE_MAX)]
LONGITUDE_VALIDATORS = [MinValueValidator(-LONGITUDE_MAX), MaxValueValidator(LONGITUDE_MAX)]


def coordinates_constraints(prefix: str) -> list[models.CheckConstraint]:
    """Latitude within ±90° and longitude within ±180° (or empty), as database constraints."""
    return [
        models.CheckConstraint(
            condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
            name=f"{prefix}_latitude_within_90",
        ),
        models.CheckConstraint(
            condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
            name=f"{prefix}_longitude_within_180",
        ),
    ]


def check_money(value: Decimal, *, field: str, label) -> Decimal:
    """A computed amount (a total, a sum) must fit its column: refuse it, naming the field, before the database."""
    if abs(value) > MONEY_MAX:
        raise DomainError(
            "bounds.amount_too_large",
            _("%(label)s would be %(value)s; the largest amount is %(max)s."),
            field=field,
            label=label,
            value=value,
            max=MONEY_MAX,
        )
    return value


def check_packs(value: int, *, field: str) -> int:
    """A quantity in packs within 0 … PACKS_MAX, refused naming the field."""
    if not 0 <= value <= PACKS_MAX:
        raise DomainError(
            "bounds.packs_out_of_range",
            _("%(value)s packs is out of range: a quantity is between 0 and %(max)s packs."),
            field=field,
            value=value,
            max=PACKS_MAX,
        )
    return value


def check_coordinates(latitude, longitude) -> None:
    """A position within ±90° latitude and ±180° longitude, refused naming the field: both given, or neither (no
    position); one without the other is refused naming the missing one (half a position places nothing)."""
    checks = (
        ("latitude", _("Latitude"), latitude, LATITUDE_MAX),
        ("longitude", _("Longitude"), longitude, LONGITUDE_MAX),
    )
    for field, label, value, limit in checks:
        if value is not None and not -limit <= value <= limit:
            raise DomainError(
                "bounds.coordinate_out_of_range",
                _("%(label)s %(value)s is out of range: it lies between -%(limit)s and %(limit)s degrees."),
                field=field,
                label=label,
                value=value,
                limit=limit,
            )
    if (latitude is None) != (longitude is None):
        raise DomainError(
            "bounds.coordinates_incomplete",
            _("Give both latitude and longitude, or neither."),
            field="longitude" if longitude is None else "latitude",
        )


def check_text_length(value: str | None, *, limit: int, code: str, field: str) -> str:
    """Free text (a reason, a comment) trimmed, at most `limit` characters; longer is refused with `code`."""
    text = (value or "").strip()
    if len(text) > limit:
        raise DomainError(code, _("Keep the reason to %(limit)s characters."), field=field, limit=limit)
    return text
