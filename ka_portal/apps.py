from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_table_revisions(sender, using, **kwargs):
    from django.db import connections

    from .table_revisions import install

    install(connections[using])


class KaPortalConfig(AppConfig):
    name = "ka_portal"
    verbose_name = _("KA Portal")

    def ready(self):
        # After every migrate, every table (a new one too) gets its revision triggers (ka_portal/table_revisions.py).
        post_migrate.connect(_install_table_revisions, sender=self, dispatch_uid="ka_portal_table_revisions")
