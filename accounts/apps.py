from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Key accounts")

    def ready(self) -> None:
        # Permissions exist only after every app's post_migrate has run; the role groups follow them.
        from imports.registry import register

        from .imports import TargetImport
        from .services import role_groups_sync

        register(TargetImport(), position=50)

        post_migrate.connect(lambda **kwargs: role_groups_sync(), dispatch_uid="accounts.role_groups_sync", weak=False)
