"""The admin for stores, products, listings and deliveries: its forms check stores/rules.py, its saves go
through stores/services.py like every other door."""

from django.contrib import admin, messages

from accounts.filters import account_search_fields

from . import services
from .forms import DeliveryAdminForm, ListingAdminForm, ProductAdminForm, StoreAdminForm
from .models import Delivery, Listing, Product, Store


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    form = StoreAdminForm
    list_display = ("code", "name", "account", "city", "grade", "rep", "active")
    list_filter = ("grade", "active", "account__tier", "city", "account")
    search_fields = ("code", "name", "address", "city", *account_search_fields("account"))

    def get_form(self, request, obj=None, **kwargs):
        # The rep a store may be given to depends on who gives it (stores.services.store_rep_refusal).
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        services.store_save(store=obj, by=request.user)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    list_display = ("code", "name", "brand", "category", "packs_per_case", "suggested_retail_price", "active")
    list_filter = ("brand", "category", "active")
    search_fields = ("code", "barcode", "name", "brand")

    def save_model(self, request, obj, form, change):
        old = form.initial.get("packs_per_case") if change else None
        services.product_save(product=obj)
        warning = services.case_size_warning(obj, old)  # past records' cases re-read with the new size
        if warning:
            self.message_user(request, warning, messages.WARNING)


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    form = ListingAdminForm
    list_display = ("store", "product", "purchase_price", "shelf_price", "listing_fee", "active")
    list_filter = ("active", "store__account")
    search_fields = ("store__code", "store__name", "product__code", "product__name")
    autocomplete_fields = ("store", "product")  # found by code or name (the store's and product's search_fields)

    def save_model(self, request, obj, form, change):
        services.listing_save(listing=obj)
        warning = services.listing_price_warning(obj)  # saved with its prices as stored before the rule
        if warning:
            self.message_user(request, warning, messages.WARNING)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    form = DeliveryAdminForm
    list_display = ("date", "store", "product", "quantity", "reference")
    list_filter = ("date", "store__account")
    search_fields = ("store__code", "product__code", "reference")
    date_hierarchy = "date"
    autocomplete_fields = ("store", "product")

    def save_model(self, request, obj, form, change):
        services.delivery_save(delivery=obj)
