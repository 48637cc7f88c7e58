"""The admin's sections of two libraries in the reader's language.

django-axes (sign-in lockouts) marks its texts for translation but ships no Chinese; the portal's catalogue holds
them (``AXES_TEXTS`` names them so ``makemessages`` keeps them). django-rest-knox (API tokens) marks nothing: its
section, model and columns get names here. A name set on ``_meta`` or a field after the class is built is not part of
the migration state (that reads the class's own ``Meta`` and each field's constructor arguments), so no migration
of the library's changes.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

AXES_TEXTS = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
)


class AxesConfig(AxesAppConfig):
    name = "axes"
    verbose_name = _("Sign-in lockouts")


class KnoxConfig(AppConfig):
    name = "knox"
    verbose_name = _("API tokens")

    def ready(self):
        from knox.models import AuthToken

        AuthToken._meta.verbose_name = _("API token")
        AuthToken._meta.verbose_name_plural = _("API tokens")
        names = {
            "digest": _("Digest"),
            "token_key": _("Token prefix"),
            "user": _("User"),
            "created": _("Signed in"),
            "expiry": _("Expires"),
        }
        for field in AuthToken._meta.fields:
            field.verbose_name = names.get(field.name, field.verbose_name)
