from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts and receivables")

    def ready(self) -> None:
        from imports.registry import register

        from . import notes  # noqa: F401  (registers the deductions' system reasons)
        from .imports import ContractTermImport

        register(ContractTermImport(), position=60)
