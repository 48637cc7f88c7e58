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
        # A model's decimal in every ModelSerializer reads a number only as digits ("1e5" refused), as the fields
        # the serializers declare do (ka_portal.api_fields.DecimalField).
        from django.db import models
        from rest_framework import serializers

        from .api_fields import DecimalField

        serializers.ModelSerializer.serializer_field_mapping[models.DecimalField] = DecimalField
