from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeSpendConfig(AppConfig):
    name = "tradespend"
    verbose_name = _("Trade spend")

    def ready(self) -> None:
        from . import notes  # noqa: F401  (registers the ledger's system reasons)
