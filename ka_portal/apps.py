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

        from .api_fields import DecimalField, refuse_unknown_fields

        serializers.ModelSerializer.serializer_field_mapping[models.DecimalField] = DecimalField
        # Every serializer reading a request's body refuses a key it does not take (ka_portal/api_fields.py).
        refuse_unknown_fields()
        # A day in a request is YYYY-MM-DD in every language, refused in one wording (ka_portal/days.py).
        from .days import install as read_days_as_iso

        read_days_as_iso()
