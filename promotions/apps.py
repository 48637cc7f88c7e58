from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = _("Promotions")

    def ready(self) -> None:
        from . import notes  # noqa: F401  (registers the workflow's system notes)
