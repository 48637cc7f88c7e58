from django.contrib import admin

from .models import Delivery, Listing, Product, Store


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "account", "city", "grade", "rep", "active")
    list_filter = ("grade", "active", "account__tier", "city", "account")
    search_fields = ("code", "name", "address", "city", "account__name")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "brand", "category", "packs_per_case", "suggested_retail_price", "active")
    list_filter = ("brand", "category", "active")
    search_fields = ("code", "barcode", "name", "brand")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("store", "product", "purchase_price", "shelf_price", "listing_fee", "active")
    list_filter = ("active", "store__account")
    search_fields = ("store__code", "store__name", "product__code", "product__name")
    raw_id_fields = ("store", "product")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("date", "store", "product", "quantity", "reference")
    list_filter = ("date", "store__account")
    search_fields = ("store__code", "product__code", "reference")
    date_hierarchy = "date"
    raw_id_fields = ("store", "product")
