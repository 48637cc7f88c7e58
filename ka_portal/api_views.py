"""Project-wide API views: API tokens (sign in, revoke one, revoke all), who-am-I, and the base of the plain
CRUD viewsets whose writes are one service call (ServiceModelViewSet).

Tokens are django-rest-knox's: a new random token per sign-in (each device its own), stored only as a
digest, expiring after KA_API_TOKEN_TTL_HOURS. Failed sign-ins are throttled by django-axes (ka_portal.signin).
"""

from django.contrib.auth import authenticate, user_logged_out
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.views import LoginView as KnoxLoginView
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from .api import RoleModelPermissions
from .api_cache import CachedListMixin
from .api_fields import codes_ignore_case, lookup_field_for
from .formatting import display_name
from .idempotency import IdempotentCreateMixin
from .record_etags import RecordETagMixin
from .scope import user_role
from .tokens import TokenAuthentication
from .values_pages import ValuesPageMixin


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        # Axes counts the failure and marks a lockout on Django's HttpRequest (AxesMiddleware then answers 429),
        # so authenticate gets that request, not DRF's wrapper around it.
        request = self.context["request"]._request
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(_("Unable to log in with provided credentials."), code="authorization")
        return {"user": user}


_ERROR = inline_serializer(
    "AuthError",
    {
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "params": serializers.DictField(required=False),
        "errors": serializers.DictField(required=False),
    },
)
_NOT_SIGNED_IN = OpenApiResponse(_ERROR, description="No valid token: missing, unknown, expired or revoked")


class TokenView(KnoxLoginView):
    """POST signs in and returns a new token; DELETE revokes the token that calls it (sign out of this device)."""

    @classmethod
    def as_view(cls, **initkwargs):
        # A refused sign-in must still be counted: keep this view out of any ATOMIC_REQUESTS rollback.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def get_authenticators(self):
        # Signing in carries credentials, not a token: a stale Authorization header must not stand in its way.
        # (drf-spectacular asks before any request exists; the schema declares POST's auth itself.)
        if getattr(self.request, "method", None) == "POST":
            return []
        return [TokenAuthentication()]

    def get_permissions(self):
        if getattr(self.request, "method", None) == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(
        operation_id="auth_token_create",
        summary="Sign in: a new API token",
        description=(
            "Each call returns a new token (one per device), valid until `expiry`; send it as "
            "`Authorization: Token <token>`. Failed sign-ins are throttled per username and per address: "
            "at the limit the answer is 429 with `Retry-After` (seconds) until the cool-off has passed."
        ),
        request=SignInSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}),
            400: OpenApiResponse(_ERROR, description="Wrong username or password, or a field missing"),
            429: OpenApiResponse(_ERROR, description="Too many failed sign-ins: retry after `Retry-After` seconds"),
        },
        auth=[],
    )
    def post(self, request, format=None):
        serializer = SignInSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]
        return super().post(request, format=format)

    @extend_schema(
        operation_id="auth_token_destroy",
        summary="Sign out: revoke this token",
        request=None,
        responses={204: OpenApiResponse(description="The token is revoked"), 401: _NOT_SIGNED_IN},
    )
    def delete(self, request, format=None):
        request.auth.delete()
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokensView(APIView):
    """DELETE revokes every API token of the caller: sign out of all devices (also from a web session)."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_destroy",
        summary="Sign out everywhere: revoke all of your tokens",
        request=None,
        responses={204: OpenApiResponse(description="Every token of this user is revoked"), 401: _NOT_SIGNED_IN},
    )
    def delete(self, request, format=None):
        request.user.auth_token_set.all().delete()
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """Who the caller is: username, name and role."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {"username": serializers.CharField(), "name": serializers.CharField(), "role": serializers.CharField()},
        )
    )
    def get(self, request):
        user = request.user
        return Response({"username": user.username, "name": display_name(user), "role": user_role(user)})


# A page is written from values() rows where its serializer allows (ka_portal/values_pages.py).
class ServiceModelViewSet(
    RecordETagMixin, CachedListMixin, ValuesPageMixin, IdempotentCreateMixin, viewsets.ModelViewSet
):
    """Plain CRUD under the role's model permissions whose create and update are one service call: a subclass
    gives `save(record, **fields)` (record None to create); every create accepts an Idempotency-Key, every record
    answers an ETag and every write of one takes If-Match (ka_portal/record_etags.py)."""

    permission_classes = [RoleModelPermissions]

    def save(self, record, **fields):
        raise NotImplementedError

    def get_object(self):
        """A record of master data (key account, store, product, promoter: ka_portal.api_fields.lookup_field_for) is
        addressed by its code, as every body and filter names it (`/api/v1/stores/WMT-001/`, without case as the
        filters read it); a number that is no code is read as the record's id, kept for clients that cached ids. A
        code made of digits alone names the record of that code first. Within the user's scope, as any record:
        outside it, 404. Other records are addressed by id, as DRF does."""
        model = getattr(getattr(self.get_serializer_class(), "Meta", None), "model", None)
        if model is None or lookup_field_for(model) != "code":
            return super().get_object()
        key = str(self.kwargs[self.lookup_url_kwarg or self.lookup_field]).strip()
        records = self.filter_queryset(self.get_queryset())
        if codes_ignore_case(model):
            record = records.filter(Exact(Lower("code"), Lower(Value(key)))).first()
        else:
            record = records.filter(code=key).first()
        if record is None and key.isascii() and key.isdigit():
            record = records.filter(pk=int(key)).first()
        if record is None:
            raise Http404
        self.check_object_permissions(self.request, record)
        return record

    def perform_create(self, serializer):
        serializer.instance = self.as_read(self.save(None, **serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = self.as_read(self.save(serializer.instance, **serializer.validated_data))

    def as_read(self, record):
        """The record just written as a GET reads it, through the view's own queryset: the fields it computes when
        read (a delivery's price and amount, a shift's attendance, an agreement's settlement) are annotations of that
        queryset, which the record the service saved does not carry, or carries as they were before the write (a
        create answered "amount": null, an update the old quantity's amount). The answer of a write and its
        idempotent replay are what a GET answers. A record the write took out of the caller's reach is answered as
        saved."""
        if record is None or record.pk is None:
            return record
        return self.get_queryset().filter(pk=record.pk).first() or record
