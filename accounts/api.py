"""API for key accounts, contacts, the contact log, sales targets and the account performance report.

The API convention (README, "API"): key accounts are named by their **code** in every request and response
body and every filter (`"account": "WMT"`, `?account=WMT`), users by their **username**, contacts and log
entries by id; a key account keeps its `id` in responses. Every reference is looked up within the caller's
scope (ka_portal.api_fields.related): outside it, "Not found.". Writes go through accounts/services.py; every
create accepts an Idempotency-Key. The contact log is append-only: an entry is added, and its follow-up
marked done (POST …/follow-up-done/), never rewritten or deleted.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ka_portal import api_fields
from ka_portal.api import RoleModelPermissions
from ka_portal.api_cache import CachedListMixin
from ka_portal.api_fields import related
from ka_portal.api_views import ServiceModelViewSet
from ka_portal.errors import DomainError
from ka_portal.idempotency import IdempotentCreateMixin
from ka_portal.months import month_parameter
from ka_portal.record_etags import RecordETagMixin
from ka_portal.scope import (
    NOT_FOUND_TEXT,
    account_owners_for,
    accounts_for,
    collection_targets_for,
    contact_logs_for,
    contacts_for,
    finance_accounts_for,
    store_targets_for,
    stores_for,
    targets_for,
    user_role,
)
from stores.models import Store

from . import services
from .filters import (
    CollectionTargetFilter,
    ContactFilter,
    ContactLogFilter,
    KeyAccountFilter,
    SalesTargetFilter,
    StoreTargetFilter,
)
from .models import CollectionTarget, Contact, ContactLog, KeyAccount, SalesTarget, StoreTarget
from .roles import Role
from .selectors import (
    API_PERIOD_NAMES,
    PERFORMANCE_MAX_MONTHS,
    PERFORMANCE_SORT,
    SORT_KEYS,
    account_performance,
    check_performance_sort,
    check_performance_tier,
    month_asked,
    performance_period,
)

User = get_user_model()

ACCOUNT_BY_CODE = "The key account, by its code."


def _account_field():
    return related(KeyAccount, scope=accounts_for, help_text=ACCOUNT_BY_CODE)


def owner_lookup_for(user):
    """Whom an account's `owner` may name: for an administrator (who alone changes it) any user, so that one who is
    not a KA manager is refused in the service's words (account.owner_not_manager), not as "Not found."; for anyone
    else the KA managers (ka_portal.scope.account_owners_for)."""
    if user_role(user) == Role.ADMIN:
        return User.objects.all()
    return account_owners_for(user)


class KeyAccountSerializer(serializers.ModelSerializer):
    owner = related(
        User,
        scope=owner_lookup_for,
        allow_null=True,
        required=False,
        help_text="The owning KA manager, by username (only an administrator changes it).",
    )

    class Meta:
        model = KeyAccount
        fields = ["id", "code", "name", "name_en", "tier", "format", "purchasing_mode", "margin_model", "owner",
                  "region", "active"]  # fmt: skip
        # a code is unique whatever its case: the service's rule (account.code_taken, 409) answers, not DRF's own
        extra_kwargs = {"code": {"validators": [], "help_text": "One word, unique whatever its case: wmt is WMT."}}


class ContactSerializer(serializers.ModelSerializer):
    account = _account_field()

    class Meta:
        model = Contact
        fields = ["id", "account", "name", "title", "phone", "email", "birthday", "interests", "notes", "part",
                  "relationship_level"]  # fmt: skip


class ContactLogSerializer(serializers.ModelSerializer):
    account = _account_field()
    contact = related(
        Contact, scope=contacts_for, allow_null=True, required=False, help_text="A contact of the account, by id."
    )
    author = related(User, scope=None, read_only=True, help_text="Who logged it, by username.")

    class Meta:
        model = ContactLog
        fields = ["id", "account", "contact", "date", "author", "channel", "summary", "next_step", "follow_up_on",
                  "follow_up_done", "created_at"]  # fmt: skip
        read_only_fields = ["follow_up_done", "created_at"]

    def validate(self, attrs):
        account, contact = attrs.get("account"), attrs.get("contact")
        if contact is not None and account is not None and contact.account_id != account.id:
            raise serializers.ValidationError({"contact": [NOT_FOUND_TEXT]})  # another account's: named nowhere
        return attrs


class FollowUpDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField(default=True, help_text="false to mark the follow-up open again.")


class SalesTargetSerializer(serializers.ModelSerializer):
    account = _account_field()

    class Meta:
        model = SalesTarget
        fields = ["id", "account", "year", "month", "amount"]


class StoreTargetSerializer(serializers.ModelSerializer):
    store = related(Store, scope=stores_for, help_text="The store, by its code.")
    account = serializers.SlugRelatedField(
        source="store.account", slug_field="code", read_only=True, help_text="The store's key account, by its code."
    )

    class Meta:
        model = StoreTarget
        fields = ["id", "store", "account", "month", "amount"]
        extra_kwargs = {"month": {"help_text": "The month, as its first day: 2026-03-01."}}


class CollectionTargetSerializer(serializers.ModelSerializer):
    account = related(KeyAccount, scope=finance_accounts_for, help_text=ACCOUNT_BY_CODE)

    class Meta:
        model = CollectionTarget
        fields = ["id", "account", "month", "amount"]
        extra_kwargs = {"month": {"help_text": "The month, as its first day: 2026-03-01."}}


class KeyAccountViewSet(ServiceModelViewSet):
    serializer_class = KeyAccountSerializer
    filterset_class = KeyAccountFilter
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["code", "name", "tier"]

    def get_queryset(self):
        return accounts_for(self.request.user).select_related("owner").order_by("code")

    def save(self, record, **fields):
        return services.account_save(account=record, by=self.request.user, **fields)


class ContactViewSet(ServiceModelViewSet):
    serializer_class = ContactSerializer
    filterset_class = ContactFilter

    def get_queryset(self):
        return contacts_for(self.request.user).select_related("account")

    def save(self, record, **fields):
        return services.contact_save(contact=record, **fields)


class ContactLogViewSet(
    RecordETagMixin,
    CachedListMixin,
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The contact log, append-only as on the page: list, read, add; then only mark its follow-up done."""

    permission_classes = [RoleModelPermissions]
    serializer_class = ContactLogSerializer
    filterset_class = ContactLogFilter

    def get_queryset(self):
        return contact_logs_for(self.request.user).select_related("account", "author")

    def perform_create(self, serializer):
        serializer.instance = services.contact_log_add(author=self.request.user, **serializer.validated_data)

    @extend_schema(request=FollowUpDoneSerializer, responses=ContactLogSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up-done")
    def follow_up_done(self, request, pk=None):
        """Mark the entry's follow-up done (or, with `"done": false`, open again); needs the change permission."""
        if not request.user.has_perm("accounts.change_contactlog"):
            raise PermissionDenied
        entry = self.get_object()
        body = FollowUpDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.contact_log_follow_up_done(entry=entry, done=body.validated_data["done"])
        return Response(self.get_serializer(entry).data)


class SalesTargetViewSet(ServiceModelViewSet):
    serializer_class = SalesTargetSerializer
    filterset_class = SalesTargetFilter

    def get_queryset(self):
        return targets_for(self.request.user).select_related("account")

    def save(self, record, **fields):
        return services.target_save(target=record, **fields)


class StoreTargetViewSet(ServiceModelViewSet):
    """Monthly targets per store (门店指标): KA managers set their chains' stores', finance and admin read all, reps
    and supervisors read their own stores' only (another store's target is not found). Writes through
    accounts.services.store_target_save; a create accepts an Idempotency-Key."""

    serializer_class = StoreTargetSerializer
    filterset_class = StoreTargetFilter

    def get_queryset(self):
        return store_targets_for(self.request.user).select_related("store__account").order_by("store__code", "month")

    def save(self, record, **fields):
        return services.store_target_save(target=record, **fields)


class CollectionTargetViewSet(ServiceModelViewSet):
    """Monthly collection targets per account (回款指标), against payments received: KA managers set their chains',
    finance reads all; reps and supervisors see no receivables, so none (404). Writes through
    accounts.services.collection_target_save; a create accepts an Idempotency-Key."""

    serializer_class = CollectionTargetSerializer
    filterset_class = CollectionTargetFilter

    def get_queryset(self):
        return collection_targets_for(self.request.user).select_related("account").order_by("account__code", "month")

    def save(self, record, **fields):
        return services.collection_target_save(target=record, **fields)


_MONEY = {"max_digits": None, "decimal_places": 2}
# A row's figures (the total's, its account blank); a row adds its months with a target. Target, difference and
# achievement are over the months with a target (accounts.selectors.Performance.compared), null where none has one.
_PERFORMANCE_TOTAL = {
    "account": serializers.CharField(),
    "account_name": serializers.CharField(),
    "tier": serializers.CharField(),
    "target": api_fields.DecimalField(
        **_MONEY, allow_null=True, help_text="The targets of the months with one; null where no month has one"
    ),
    "actual": api_fields.DecimalField(**_MONEY, help_text="Sell-in of the period (so far, while it runs)"),
    "actual_with_target": api_fields.DecimalField(
        **_MONEY,
        allow_null=True,
        help_text="Sell-in of the months with a target, what the target is compared with: the actual where every "
        "month has one; null where none has",
    ),
    "difference": api_fields.DecimalField(
        **_MONEY, allow_null=True, help_text="actual_with_target − target; null without a target or before the start"
    ),
    "achievement": api_fields.DecimalField(
        **_MONEY, allow_null=True, help_text="actual_with_target ÷ target, in percent"
    ),
    "growth": api_fields.DecimalField(**_MONEY, allow_null=True),
    "last_year": api_fields.DecimalField(
        **_MONEY,
        help_text="Sell-in of the same days a year before as the actual covers (a month in progress: its days so far)",
    ),
}
_PERFORMANCE_ROW = {
    **_PERFORMANCE_TOTAL,
    "target_months": serializers.ListField(
        child=serializers.CharField(),
        help_text="The months of the period with a target (YYYY-MM); a month left blank has none",
    ),
}


def _pct(ratio):
    return None if ratio is None else f"{ratio * 100:.2f}"


def _money(amount):
    return None if amount is None else f"{amount:.2f}"


def _performance_total(row, code="", name="", tier="") -> dict:
    compared = row.compared
    return {
        "account": code, "account_name": name, "tier": tier,
        "target": _money(compared and compared.target), "actual": _money(row.actual),
        "actual_with_target": _money(compared and compared.actual),
        "difference": _money(compared and compared.difference), "achievement": _pct(compared and compared.achievement),
        "growth": _pct(row.growth), "last_year": _money(row.last_year),
    }  # fmt: skip


def _performance_row(row) -> dict:
    account = row.account
    return {
        **_performance_total(row, account.code, account.name, account.tier),
        "target_months": [f"{month:%Y-%m}" for month in row.target_months],
    }  # fmt: skip


class AccountPerformanceView(APIView):
    """Target, actual (sell-in), difference, achievement % and growth % per account for whole months, with the total."""

    @extend_schema(
        parameters=[
            month_parameter("from", description="First month, YYYY-MM (or give it as `month_from`)", required=True),
            month_parameter(
                "to",
                description=f"Last month, YYYY-MM: not before `from`, at most {PERFORMANCE_MAX_MONTHS} months from it "
                "(else 400 naming the parameter); or give it as `month_to`",
                required=True,
            ),
            month_parameter(
                "month_from",
                description="The same as `from`, the name the analyses' pages and gross to net use; refused (400) "
                "when both are given and differ",
            ),
            month_parameter("month_to", description="The same as `to`; refused when both are given and differ"),
            OpenApiParameter(
                "sort",
                OpenApiTypes.STR,
                enum=[sort for key in SORT_KEYS for sort in (key, f"-{key}")],
                description=f"{', '.join(SORT_KEYS)}; prefix - for descending (default {PERFORMANCE_SORT}); any "
                "other value is refused (400)",
            ),
            OpenApiParameter(
                "tier",
                OpenApiTypes.STR,
                enum=KeyAccount.Tier.values,
                description="Only this tier's accounts; any other value is refused (400)",
            ),
        ],  # fmt: skip
        responses={
            200: inline_serializer(
                "AccountPerformance",
                {
                    "from": serializers.CharField(),
                    "to": serializers.CharField(),
                    "actual_to": serializers.DateField(
                        help_text="The last day the actual covers: the period's end, or today while it runs"
                    ),
                    "results": inline_serializer("AccountPerformanceRow", _PERFORMANCE_ROW, many=True),
                    "total": inline_serializer("AccountPerformanceTotal", _PERFORMANCE_TOTAL),
                },
            ),
            400: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request):
        if not request.user.has_perm("accounts.view_salestarget"):
            raise PermissionDenied
        errors = {}
        period, today = None, timezone.localdate()
        # The months as the page reads its boxes (accounts.selectors.performance_period: YYYY-MM, in order, at most
        # PERFORMANCE_MAX_MONTHS), each under from/to or month_from/month_to as the analyses' APIs take them
        # (month_asked: the two differing is refused), each refusal under the name it was given by, in the reader's
        # language.
        months, names = [], []
        for asked in API_PERIOD_NAMES:
            try:
                text, name = month_asked(request.query_params, asked)
            except DomainError as refusal:
                errors[refusal.field] = [refusal.detail]
                text, name = None, asked[0]
            months.append(text)
            names.append(name)
        if not errors:
            try:
                period = performance_period(
                    *months, today=today, required=True, fields=tuple(names), labels=tuple(names)
                )
            except DomainError as refusal:
                for problem in getattr(refusal, "problems", [refusal]):
                    errors[problem.field] = [problem.detail]
        # A sort or tier the report does not take is a 400 naming the parameter and what it takes, never the report
        # served unsorted or of no accounts as if it had been asked for.
        asked = {"sort": request.query_params.get("sort") or "code", "tier": request.query_params.get("tier")}
        for param, check in (("sort", check_performance_sort), ("tier", check_performance_tier)):
            try:
                asked[param] = check(asked[param])
            except DomainError as refusal:
                errors[param] = [refusal.detail]
        if errors:
            raise ApiValidationError(errors)
        rows, total = account_performance(
            user=request.user,
            period=period,
            sort=asked["sort"],
            accounts=accounts_for(request.user),
            tier=asked["tier"],
            today=today,
        )
        return Response(
            {
                "from": f"{period.first:%Y-%m}",
                "to": f"{period.last:%Y-%m}",
                "actual_to": period.actual_to(today).isoformat(),
                "results": [_performance_row(r) for r in rows],
                "total": _performance_total(total),
            }
        )
