"""API for stores, products, listings and deliveries; related records are named by their codes."""

from django.contrib.auth import get_user_model
from rest_framework import serializers, viewsets

from accounts.models import KeyAccount
from ka_portal.api import RoleModelPermissions
from ka_portal.api_fields import ScopedSlugRelatedField
from ka_portal.scope import accounts_for, stores_for, team_for

from .filters import DeliveryFilter, ListingFilter, ProductFilter, StoreFilter
from .models import Delivery, Listing, Product, Store
from .selectors import delivery_unit_price, delivery_value

User = get_user_model()


def _store_field():
    return ScopedSlugRelatedField(scope=stores_for, queryset=Store.objects.all())


class StoreSerializer(serializers.ModelSerializer):
    account = ScopedSlugRelatedField(scope=accounts_for, queryset=KeyAccount.objects.all())
    rep = ScopedSlugRelatedField(
        scope=team_for, slug_field="username", queryset=User.objects.all(), allow_null=True, required=False
    )
    visits_per_week = serializers.IntegerField(read_only=True)

    class Meta:
        model = Store
        fields = ["id", "account", "code", "name", "address", "city", "region", "latitude", "longitude", "grade",
                  "visits_per_week", "visits_per_week_override", "rep", "opened_on", "active"]  # fmt: skip


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "code", "barcode", "name", "brand", "category", "packs_per_case", "suggested_retail_price",
                  "distributor_price", "wholesale_price", "active"]  # fmt: skip


class ListingSerializer(serializers.ModelSerializer):
    store = _store_field()
    product = serializers.SlugRelatedField(slug_field="code", queryset=Product.objects.all())

    class Meta:
        model = Listing
        fields = ["id", "store", "product", "listed_on", "listing_fee", "purchase_price", "shelf_price", "active"]


class DeliverySerializer(serializers.ModelSerializer):
    store = _store_field()
    product = serializers.SlugRelatedField(slug_field="code", queryset=Product.objects.all())
    price = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)
    amount = serializers.DecimalField(max_digits=None, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = Delivery
        fields = ["id", "store", "product", "date", "quantity", "unit_price", "price", "amount", "reference"]
        extra_kwargs = {"unit_price": {"min_value": 0}}


class StoreViewSet(viewsets.ModelViewSet):
    permission_classes = [RoleModelPermissions]
    serializer_class = StoreSerializer
    filterset_class = StoreFilter
    ordering_fields = ["code", "name", "grade", "city"]

    def get_queryset(self):
        return stores_for(self.request.user).select_related("account", "rep").order_by("code")


class ProductViewSet(viewsets.ModelViewSet):
    permission_classes = [RoleModelPermissions]
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    queryset = Product.objects.order_by("code")


class ListingViewSet(viewsets.ModelViewSet):
    permission_classes = [RoleModelPermissions]
    serializer_class = ListingSerializer
    filterset_class = ListingFilter

    def get_queryset(self):
        return (
            Listing.objects.filter(store__in=stores_for(self.request.user))
            .select_related("store", "product")
            .order_by("store__code", "product__code")
        )


class DeliveryViewSet(viewsets.ModelViewSet):
    permission_classes = [RoleModelPermissions]
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter

    def get_queryset(self):
        return (
            Delivery.objects.filter(store__in=stores_for(self.request.user))
            .select_related("store", "product")
            .annotate(price=delivery_unit_price(), amount=delivery_value())
            .order_by("-date", "-id")
        )
