"""API for stores, products, listings and deliveries.

The API convention (README, "API"): key accounts, stores and products are named by their **code** in every
request and response body and every filter, users by their **username**; each master-data record keeps its
`id` in responses. Every reference is looked up within the caller's scope (ka_portal.api_fields.related):
outside it, "Not found.". Creates and updates go through stores/services.py (the rules of stores/rules.py),
and every create accepts an Idempotency-Key.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from rest_framework import serializers

from accounts.models import KeyAccount
from ka_portal import api_fields
from ka_portal.api_fields import related
from ka_portal.api_views import ServiceModelViewSet
from ka_portal.scope import (
    accounts_for,
    deliveries_for,
    listings_for,
    products_for,
    store_reps_for,
    stores_for,
    team_for,
)
from ka_portal.updated_since import syncable

from . import services
from .filters import DeliveryFilter, ListingFilter, ProductFilter, StoreFilter
from .models import Delivery, Listing, Product, Store
from .rules import purchase_above_shelf
from .selectors import delivery_unit_price, delivery_value

User = get_user_model()

STORE_BY_CODE = "The store, by its code."


def rep_lookup_for(user):
    """Whom a store's `rep` may name: the people the caller reaches (ka_portal.scope.team_for) and the reps they may
    give stores to; anyone else is "Not found.". Whether the one named may be the store's rep is the service's rule
    (stores.services.store_rep_refusal), so a promoter named by an administrator is refused in its words."""
    return User.objects.filter(Q(pk__in=team_for(user).values("pk")) | Q(pk__in=store_reps_for(user).values("pk")))


# A code is unique whatever its case: the service's rule (store.code_taken / product.code_taken, 409) answers for an
# exact repeat too, not DRF's own unique check, so one code and one message at every door.
CODE_KWARGS = {"validators": [], "help_text": "Unique whatever its case: p001 is P001."}
PRODUCT_BY_CODE = "The product, by its code."


class StoreSerializer(serializers.ModelSerializer):
    account = related(KeyAccount, scope=accounts_for, help_text="The key account, by its code.")
    rep = related(
        User,
        scope=rep_lookup_for,
        allow_null=True,
        required=False,
        help_text="The assigned sales rep, by username: a sales rep with an active account whom the caller may give "
        "stores to (a supervisor: their team's); the store's rep as stored may stay (store.rep_not_a_rep, "
        "store.rep_inactive, store.rep_out_of_scope).",
    )
    visits_per_week = serializers.IntegerField(read_only=True)

    # A page written from values() rows (ka_portal/values_pages.py) derives the frequency from the two columns.
    values_derived = {
        "visits_per_week": (
            ("grade", "visits_per_week_override"),
            lambda row: Store.visits_per_week_of(row["grade"], row["visits_per_week_override"]),
        )
    }

    @property
    def _readable_fields(self):
        # A page writes the same fields for each of its stores: listed once, not filtered again per store.
        readable = self.__dict__.get("_readable_list")
        if readable is None:
            readable = self._readable_list = [field for field in self.fields.values() if not field.write_only]
        return readable

    class Meta:
        model = Store
        fields = ["id", "account", "code", "name", "address", "city", "region", "latitude", "longitude", "grade",
                  "visits_per_week", "visits_per_week_override", "rep", "opened_on", "active"]  # fmt: skip
        extra_kwargs = {
            "code": CODE_KWARGS,
            "visits_per_week_override": {"help_text": "1 to 7 visits a week; empty (null) follows the grade."},
            "latitude": {"help_text": "Both latitude and longitude, or neither."},
            "longitude": {"help_text": "Both latitude and longitude, or neither."},
        }


class ProductSerializer(serializers.ModelSerializer):
    # Whole packs, bounded by the service's rule (stores/rules.py), not by the column's type: the same code and
    # words at every door and on every database (PostgreSQL's integer range would answer first otherwise).
    packs_per_case = serializers.IntegerField(help_text="Packs in a case: 1 … 10,000.")

    class Meta:
        model = Product
        fields = ["id", "code", "barcode", "name", "brand", "category", "packs_per_case", "suggested_retail_price",
                  "distributor_price", "wholesale_price", "active"]  # fmt: skip
        extra_kwargs = {"code": CODE_KWARGS}


class ListingSerializer(serializers.ModelSerializer):
    store = related(Store, scope=stores_for, help_text=STORE_BY_CODE)
    product = related(Product, scope=products_for, help_text=PRODUCT_BY_CODE)
    purchase_above_shelf = serializers.BooleanField(
        read_only=True,
        help_text="The purchase price is above the shelf price: stored before that was refused "
        "(listing.purchase_above_shelf), its prices are to be corrected. ?purchase_above_shelf=true lists them.",
    )

    # A page written from values() rows (ka_portal/values_pages.py) reads the mark from the two prices by the rule's
    # own function, as the property does.
    values_derived = {
        "purchase_above_shelf": (
            ("purchase_price", "shelf_price"),
            lambda row: purchase_above_shelf(row["purchase_price"], row["shelf_price"]),
        )
    }

    class Meta:
        model = Listing
        fields = ["id", "store", "product", "listed_on", "listing_fee", "purchase_price", "shelf_price", "active",
                  "purchase_above_shelf"]  # fmt: skip
        # one listing a store and product is the service's rule (listing.duplicate, 409), the same at every door
        validators = []


class DeliverySerializer(serializers.ModelSerializer):
    store = related(Store, scope=stores_for, help_text=STORE_BY_CODE)
    product = related(Product, scope=products_for, help_text=PRODUCT_BY_CODE)
    # unit_price is what was sent (the delivery note's own price, or none); price is what the delivery is valued at.
    # Not one field twice: a delivery with no price of its own follows its listing's purchase price as it changes.
    price = api_fields.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Read only: the price per pack the delivery is valued at — its own unit_price, else the store's "
        "purchase price of the product (its listing) as it stands now; null when neither is known.",
    )
    amount = api_fields.DecimalField(
        max_digits=None,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Read only: quantity × price (CNY); null when the price is.",
    )
    quantity = serializers.IntegerField(help_text="Whole packs: 1 … 10,000,000 (stores/rules.py).")

    # A page written from values() rows (ka_portal/values_pages.py) takes the amount as quantity × price here (the
    # same exact product the database's delivery_value() gives), so its query computes the listing's price once.
    values_derived = {
        "amount": (
            ("quantity", "price"),
            lambda row, field=amount: (
                None if row["price"] is None else field.to_representation(row["quantity"] * row["price"])
            ),
        )
    }

    class Meta:
        model = Delivery
        fields = [
            "id", "store", "product", "date", "quantity", "unit_price", "price", "amount", "reference", "updated_at"
        ]  # fmt: skip
        validators = []  # the natural key is the service's rule (delivery.duplicate), the same at every door
        extra_kwargs = {
            "unit_price": {
                "help_text": "The delivery's own price per pack (the delivery note's), as sent; null: none, the "
                "delivery is valued at its listing's purchase price (see price)."
            },
            "date": {
                "help_text": "The day delivered: from 2000-01-01 up to the days ahead the books take "
                "(delivery.date_out_of_range)."
            },
        }


class StoreViewSet(ServiceModelViewSet):
    serializer_class = StoreSerializer
    filterset_class = StoreFilter
    ordering_fields = ["code", "name", "grade", "city"]

    # What a page of stores reads: the store's own columns and the codes it names its account and rep by (the
    # account's and the user's other columns cost more to read and convert than the whole answer).
    LIST_COLUMNS = (
        "account__code",
        "rep__username",
        *(f for f in StoreSerializer.Meta.fields if f not in ("account", "rep", "visits_per_week")),
    )

    def get_queryset(self):
        stores = stores_for(self.request.user).select_related("account", "rep").order_by("code")
        if self.action == "list":
            stores = stores.only("grade", "visits_per_week_override", *self.LIST_COLUMNS)
        return stores

    def save(self, record, **fields):
        return services.store_save(store=record, by=self.request.user, **fields)


class ProductViewSet(ServiceModelViewSet):
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    ordering_fields = ["code", "name", "brand", "category"]  # as its page's sorts (ProductFilter.o)

    def get_queryset(self):
        return products_for(self.request.user).order_by("code")

    def save(self, record, **fields):
        return services.product_save(product=record, **fields)


class ListingViewSet(ServiceModelViewSet):
    serializer_class = ListingSerializer
    filterset_class = ListingFilter

    def get_queryset(self):
        return (
            listings_for(self.request.user).select_related("store", "product").order_by("store__code", "product__code")
        )

    def save(self, record, **fields):
        return services.listing_save(listing=record, **fields)


class DeliveryViewSet(ServiceModelViewSet):
    serializer_class = DeliverySerializer
    filterset_class = syncable(DeliveryFilter)  # and ?updated_since= (ka_portal/updated_since.py)

    def get_queryset(self):
        return (
            deliveries_for(self.request.user)
            .select_related("store", "product")
            .annotate(price=delivery_unit_price(), amount=delivery_value())
            .order_by("-date", "-id")
        )

    def save(self, record, **fields):
        return services.delivery_save(delivery=record, **fields)
