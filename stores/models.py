"""Stores and products (SPEC §3): the store sheet, the SKUs, what each store lists, and sell-in."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Now
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, KeyAccount
from ka_portal import bounds
from ka_portal.models import ActiveQuerySet
from ka_portal.updated_at import UpdatedAtOnSave


def code_unique_without_case(model: str) -> models.UniqueConstraint:
    """A store's or a product's code is unique whatever its case: `p001` is `P001` at every door (the services
    refuse it first with `<model>.code_taken`, naming the record; this holds whatever writes the row). The plain
    unique index on the code stays: the import's upsert names it (ON CONFLICT (code))."""
    return models.UniqueConstraint(
        Lower("code"),
        name=f"{model}_code_unique_without_case",
        violation_error_code=f"{model}.code_taken",
        violation_error_message=_("This code is already taken (codes are compared without case)."),
    )


class Store(models.Model):
    class Grade(models.TextChoices):
        A = "A", _("A — hypermarket / very large supermarket")
        B = "B", _("B — mid-size store / supermarket")
        C = "C", _("C — small store / chain outlet")

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.PROTECT, related_name="stores"
    )
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    region = models.CharField(_("region"), max_length=60, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=bounds.LATITUDE_VALIDATORS
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=bounds.LONGITUDE_VALIDATORS
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, default=Grade.C)
    visits_per_week_override = models.PositiveSmallIntegerField(
        _("visits per week (override)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to follow the grade."),
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stores",
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["code"]
        # The rules of stores/rules.py that must never break, whatever writes the row.
        constraints = [
            code_unique_without_case("store"),
            *bounds.coordinates_constraints("store"),
            models.CheckConstraint(
                condition=models.Q(visits_per_week_override__isnull=True)
                | models.Q(visits_per_week_override__gte=1, visits_per_week_override__lte=bounds.VISITS_PER_WEEK_MAX),
                name="store_visits_per_week_1_to_7",
                violation_error_code="store.visits_per_week_out_of_range",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="store_both_coordinates_or_neither",
                violation_error_code="store.coordinates_incomplete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def visits_per_week(self) -> int:
        return self.visits_per_week_of(self.grade, self.visits_per_week_override)

    @staticmethod
    def visits_per_week_of(grade: str, override: int | None) -> int:
        """A store's visits a week: its own override, else its grade's (a setting)."""
        return override if override is not None else settings.KA.visits_per_week_by_grade[grade]


class Product(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    barcode = models.CharField(_("barcode"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=120)
    brand = models.CharField(_("brand"), max_length=60, blank=True)
    category = models.CharField(_("category"), max_length=60, blank=True)
    # Bounds and signs are stores/rules.py's (one refusal at every door), backed by the constraints below.
    packs_per_case = models.PositiveIntegerField(_("packs per case"))
    suggested_retail_price = models.DecimalField(_("suggested retail price"), **MONEY)
    distributor_price = models.DecimalField(_("distributor price"), **MONEY)
    wholesale_price = models.DecimalField(_("second-tier wholesale price"), **MONEY)
    active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [
            code_unique_without_case("product"),
            models.CheckConstraint(condition=models.Q(packs_per_case__gte=1), name="product_packs_per_case_positive"),
            models.CheckConstraint(
                condition=models.Q(packs_per_case__lte=bounds.PACKS_PER_CASE_MAX), name="product_packs_per_case_bounded"
            ),
            models.CheckConstraint(
                condition=models.Q(suggested_retail_price__gte=0, distributor_price__gte=0, wholesale_price__gte=0),
                name="product_prices_not_negative",
                violation_error_code="amount.negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Listing(models.Model):
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="listings")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="listings")
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    # Not negative: stores/rules.py, backed by the constraint below.
    listing_fee = models.DecimalField(_("listing fee"), **MONEY, default=0)
    purchase_price = models.DecimalField(_("store purchase price"), **MONEY)
    shelf_price = models.DecimalField(_("shelf price"), **MONEY)
    active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["store", "product"]
        # The active pairs alone, for the nightly job's "is this pair listed" probe (visits/replenishment_job.py):
        # answered from the index (an index-only scan), not a heap row a pair.
        indexes = [
            models.Index(fields=["store", "product"], condition=models.Q(active=True), name="listing_active_pair")
        ]
        constraints = [
            models.UniqueConstraint(fields=["store", "product"], name="listing_one_per_store_product"),
            models.CheckConstraint(
                condition=models.Q(listing_fee__gte=0, purchase_price__gte=0, shelf_price__gte=0),
                name="listing_amounts_not_negative",
                violation_error_code="amount.negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store.code} × {self.product.code}"

    @property
    def purchase_above_shelf(self) -> bool:
        """Stored with a purchase price above its shelf price (before stores.rules refused it): marked where listings
        are shown, until its prices are corrected."""
        from .rules import purchase_above_shelf

        return purchase_above_shelf(self.purchase_price, self.shelf_price)


class Delivery(UpdatedAtOnSave, models.Model):
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="deliveries")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="deliveries")
    date = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity (packs)"))  # 1 … PACKS_MAX: stores/rules.py
    unit_price = models.DecimalField(
        _("unit price"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("Price per pack; empty means the listing's purchase price."),
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    # Every write sets it: save() (auto_now, ka_portal/updated_at.py), the imports' upsert and every QuerySet.update()
    # naming it, a plain INSERT (the demo's, the benchmarks') by the database's default. Integrations pull what changed
    # since their last pull by it (?updated_since=, ka_portal/updated_since.py).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-date", "store", "product"]
        constraints = [
            # The natural key: an import of the same delivery note again updates it (an upsert), never doubles it.
            # Its index also serves the lookups by store, product and date.
            models.UniqueConstraint(
                fields=["store", "product", "date", "reference"], name="delivery_natural_key_unique"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="delivery_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(quantity__lte=bounds.PACKS_MAX), name="delivery_quantity_bounded"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__isnull=True) | models.Q(unit_price__gte=0),
                name="delivery_unit_price_not_negative",
                violation_error_code="amount.negative",
            ),
        ]
        # The API's list, newest first (-date, -id): a page read from the index's end, not by sorting every
        # delivery in reach.
        indexes = [
            models.Index(fields=["date", "id"], name="delivery_date_id"),
            # an integration's pull of what changed since its last, page after page in (updated_at, id)
            models.Index(fields=["updated_at", "id"], name="delivery_updated_at_id"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.store.code} {self.product.code} ×{self.quantity}"
