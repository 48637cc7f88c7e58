from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotersConfig(AppConfig):
    name = "promoters"
    verbose_name = _("Promoters")

    def ready(self) -> None:
        from imports.registry import register

        from .roster_imports import PromoterImport, ShiftImport

        register(PromoterImport(), position=60)
        register(ShiftImport(), position=61)
