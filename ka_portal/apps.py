from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KaPortalConfig(AppConfig):
    name = "ka_portal"
    verbose_name = _("KA Portal")
