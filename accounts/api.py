"""API for key accounts, contacts, the contact log, sales targets and the account performance report."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ka_portal.api import RoleModelPermissions
from ka_portal.api_fields import ScopedSlugRelatedField
from ka_portal.errors import DomainError
from ka_portal.scope import NOT_FOUND_TEXT, accounts_for

from . import services
from .filters import ContactFilter, ContactLogFilter, KeyAccountFilter, SalesTargetFilter
from .forms import parse_month
from .models import Contact, ContactLog, KeyAccount, SalesTarget
from .roles import Role
from .selectors import Period, account_performance

User = get_user_model()


def _account_field(**kwargs):
    return ScopedSlugRelatedField(scope=accounts_for, queryset=KeyAccount.objects.all(), **kwargs)


class KeyAccountSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(profile__role=Role.MANAGER), allow_null=True, required=False
    )

    class Meta:
        model = KeyAccount
        fields = ["id", "code", "name", "name_en", "tier", "format", "purchasing_mode", "margin_model", "owner",
                  "region", "active"]  # fmt: skip

    def validate_owner(self, owner):
        request = self.context.get("request")
        if request is not None:
            try:
                services.account_owner_check(account=self.instance, owner=owner, by=request.user)
            except DomainError as refusal:
                raise serializers.ValidationError(refusal.detail, code=refusal.code) from refusal
        return owner


class ContactSerializer(serializers.ModelSerializer):
    account = _account_field()

    class Meta:
        model = Contact
        fields = ["id", "account", "name", "title", "phone", "email", "birthday", "interests", "notes", "part",
                  "relationship_level"]  # fmt: skip


class ContactLogSerializer(serializers.ModelSerializer):
    account = _account_field()
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ContactLog
        fields = ["id", "account", "contact", "date", "author", "channel", "summary", "next_step", "follow_up_on",
                  "follow_up_done", "created_at"]  # fmt: skip
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        account, contact = attrs.get("account") or getattr(self.instance, "account", None), attrs.get("contact")
        if contact is not None and account is not None and contact.account_id != account.id:
            raise serializers.ValidationError({"contact": [NOT_FOUND_TEXT]})  # another account's: named nowhere
        return attrs


class SalesTargetSerializer(serializers.ModelSerializer):
    account = _account_field()

    class Meta:
        model = SalesTarget
        fields = ["id", "account", "year", "month", "amount"]


class _RoleViewSet(viewsets.ModelViewSet):
    permission_classes = [RoleModelPermissions]


class KeyAccountViewSet(_RoleViewSet):
    serializer_class = KeyAccountSerializer
    filterset_class = KeyAccountFilter
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["code", "name", "tier"]

    def get_queryset(self):
        return accounts_for(self.request.user).select_related("owner").order_by("code")

    def perform_create(self, serializer):
        serializer.instance = services.account_save(account=None, by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.account_save(
            account=serializer.instance, by=self.request.user, **serializer.validated_data
        )


class ContactViewSet(_RoleViewSet):
    serializer_class = ContactSerializer
    filterset_class = ContactFilter

    def get_queryset(self):
        return Contact.objects.filter(account__in=accounts_for(self.request.user)).select_related("account")


class ContactLogViewSet(_RoleViewSet):
    serializer_class = ContactLogSerializer
    filterset_class = ContactLogFilter

    def get_queryset(self):
        return ContactLog.objects.filter(account__in=accounts_for(self.request.user)).select_related(
            "account", "author"
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("follow_up_done", None)
        serializer.instance = services.contact_log_add(author=self.request.user, **data)


class SalesTargetViewSet(_RoleViewSet):
    serializer_class = SalesTargetSerializer
    filterset_class = SalesTargetFilter

    def get_queryset(self):
        return SalesTarget.objects.filter(account__in=accounts_for(self.request.user)).select_related("account")


_PERFORMANCE_ROW = {
    "account": serializers.CharField(),
    "account_name": serializers.CharField(),
    "tier": serializers.CharField(),
    "target": serializers.DecimalField(max_digits=None, decimal_places=2),
    "actual": serializers.DecimalField(max_digits=None, decimal_places=2),
    "difference": serializers.DecimalField(max_digits=None, decimal_places=2),
    "achievement": serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True),
    "growth": serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True),
    "last_year": serializers.DecimalField(max_digits=None, decimal_places=2),
}


def _pct(ratio):
    return None if ratio is None else f"{ratio * 100:.2f}"


def _performance_row(row, code="", name="", tier=""):
    return {
        "account": code, "account_name": name, "tier": tier, "target": f"{row.target:.2f}",
        "actual": f"{row.actual:.2f}", "difference": f"{row.difference:.2f}", "achievement": _pct(row.achievement),
        "growth": _pct(row.growth), "last_year": f"{row.last_year:.2f}",
    }  # fmt: skip


class AccountPerformanceView(APIView):
    """Target, actual (sell-in), difference, achievement % and growth % per account for whole months, with the total."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description="First month, YYYY-MM", required=True),
            OpenApiParameter("to", OpenApiTypes.STR, description="Last month, YYYY-MM", required=True),
            OpenApiParameter(
                "sort",
                OpenApiTypes.STR,
                description="code, name, target, actual, difference, achievement, growth; prefix - for descending",
            ),
            OpenApiParameter("tier", OpenApiTypes.STR, enum=KeyAccount.Tier.values),
        ],  # fmt: skip
        responses={
            200: inline_serializer(
                "AccountPerformance",
                {
                    "from": serializers.CharField(),
                    "to": serializers.CharField(),
                    "results": inline_serializer("AccountPerformanceRow", _PERFORMANCE_ROW, many=True),
                    "total": inline_serializer("AccountPerformanceTotal", _PERFORMANCE_ROW),
                },
            ),
            400: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request):
        if not request.user.has_perm("accounts.view_salestarget"):
            raise PermissionDenied
        errors = {}
        months = {}
        for param in ("from", "to"):
            try:
                months[param] = parse_month(request.query_params.get(param))
                if months[param] is None:
                    errors[param] = ["This parameter is required (YYYY-MM)."]
            except DjangoValidationError as error:
                errors[param] = error.messages
        if not errors and months["from"] > months["to"]:
            errors["to"] = ["The last month must not be before the first month."]
        if errors:
            raise ApiValidationError(errors)
        accounts = accounts_for(request.user)
        if request.query_params.get("tier"):
            accounts = accounts.filter(tier=request.query_params["tier"])
        period = Period(months["from"], months["to"])
        rows, total = account_performance(
            user=request.user, period=period, sort=request.query_params.get("sort", "code"), accounts=accounts
        )
        return Response(
            {
                "from": f"{period.first:%Y-%m}",
                "to": f"{period.last:%Y-%m}",
                "results": [_performance_row(r, r.account.code, r.account.name, r.account.tier) for r in rows],
                "total": _performance_row(total),
            }
        )
