from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Key accounts")

    def ready(self) -> None:
        # Permissions exist only after every app's post_migrate has run; the role groups follow them.
        from imports.registry import register

        from .imports import CollectionTargetImport, StoreTargetImport, TargetImport
        from .services import role_groups_sync

        register(TargetImport(), position=50)
        register(StoreTargetImport(), position=51)
        register(CollectionTargetImport(), position=52)

        def sync_after_the_last_app(sender, **kwargs) -> None:
            # post_migrate is sent once per app, in INSTALLED_APPS order: sync once, after the last app's
            # permissions exist (16 syncs cost 7 s of every test-database flush on PostgreSQL).
            last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
            if sender.label == last.label:
                role_groups_sync()

        post_migrate.connect(sync_after_the_last_app, dispatch_uid="accounts.role_groups_sync", weak=False)

        from .models import Profile
        from .services import role_group_in_step

        def group_follows_role(sender, instance, raw=False, **kwargs) -> None:
            # a profile saved by any door keeps its user in their role's group (accounts.services.role_group_in_step)
            if not raw:
                role_group_in_step(instance)

        post_save.connect(group_follows_role, sender=Profile, dispatch_uid="accounts.role_group_in_step", weak=False)
