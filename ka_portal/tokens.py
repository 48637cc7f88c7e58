"""API token authentication: django-rest-knox's tokens, read in one query a request.

knox's own TokenAuthentication reads the presented token with its user, and then every token of that user (to
delete the expired ones among them) on every request; the user's role then costs a third query (the profile). Here
the token comes with its user and the user's profile in one query; an expired token presented is deleted and
refused as knox does, and the user's other expired tokens go in the hourly purge (`purge_expired`), not one request
at a time. What a token answers is knox's: unknown, expired or an inactive user's token → 401.
"""

from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions


class TokenAuthentication(auth.TokenAuthentication):
    def authenticate_credentials(self, token):
        message = _("Invalid token.")
        token = token.decode("utf-8")
        tokens = get_token_model().objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
        for auth_token in tokens.select_related("user", "user__profile"):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, ValueError) as error:  # binascii.Error is a ValueError
                raise exceptions.AuthenticationFailed(message) from error
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)

    def _cleanup_token(self, auth_token) -> bool:
        """This token only: deleted (and skipped) once expired."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=type(self), username=username, source="auth_token")
        return True


class TokenScheme(KnoxTokenScheme):
    """The schema's security scheme for this class: knox's (`Authorization: Token …`, named knoxApiToken)."""

    target_class = "ka_portal.tokens.TokenAuthentication"


def purge_expired(now=None) -> int:
    """Delete every expired token (the hourly beat entry calls this); returns how many."""
    deleted, _by_model = get_token_model().objects.filter(expiry__lt=now or timezone.now()).delete()
    return deleted
