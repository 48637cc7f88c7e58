from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("Stores and products")

    def ready(self) -> None:
        from imports.registry import register

        from .imports import DeliveryImport, ListingImport, ProductImport, StoreImport

        register(StoreImport(), ProductImport(), ListingImport(), DeliveryImport(), position=10)
