"""Trade-spend API: the accrual ledger (issue 12 item 4).

``/api/v1/accrual-lines/`` lists and reads ledger lines (the page's filters); POST creates an ADJUSTMENT only
(computed lines are the ledger job's). ``POST /api/v1/accrual-runs/`` {"account": "<code>"} recomputes one
account now and answers the run. Finance writes; KA managers read their accounts' lines; reps and supervisors
are answered 404. Both creates take an Idempotency-Key.

`routes` (prefix, viewset, basename) go into the router of tradespend/api_urls.py; `urlpatterns` are
this module's other endpoints."""

import re

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.fields import empty

from accounts.models import KeyAccount
from contracts import selectors as contract_selectors
from contracts.api import FinancePermission, YearMonthField
from contracts.models import ContractTerm
from ka_portal import api_fields, scope
from ka_portal.api_cache import CachedListMixin
from ka_portal.api_fields import ScopedPrimaryKeyRelatedField, related
from ka_portal.errors import DomainError
from ka_portal.idempotency import IdempotentCreateMixin
from ka_portal.record_etags import RecordETagMixin
from ka_portal.updated_since import syncable
from promotions.models import PromotionPlan

from ..accruals import accrual_adjust, accruals_compute
from ..filters import AccrualLineFilter
from ..models import AccrualLine, AccrualRun, SpendKind

ACCOUNT_HELP = "The key account, by code (e.g. WMT); one outside your accounts is not found."
REFUSED = {
    400: OpenApiResponse(description="Refused by a business rule: {code, detail, params}"),
    404: OpenApiResponse(description="Not found or outside the caller's scope"),
}


# A month's first day, the shape this API answered a line's month in before 2026-12: still read, so a client sending
# back what it read then keeps working. Any other day is refused: 2026-12-15 is not a month, and silently taking its
# month hid typos.
FIRST_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-01")


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}(-01)?$", "example": "2026-09"})
class AccrualMonthField(YearMonthField):
    """A line's month, YYYY-MM as every month of the API (README: a closed month, a deduction's months, a match's line,
    the reports' from/to). Sent: YYYY-MM (contracts.api.YearMonthField: a day within the month, 2026-1 or 2026/12 is
    refused naming what was sent), or the month's first day (YYYY-MM-01), the shape it was answered in before.
    Answered as YYYY-MM."""

    def to_internal_value(self, data):
        if isinstance(data, str) and FIRST_DAY.fullmatch(data.strip()):
            data = data.strip()[:7]
        return super().to_internal_value(data)


class ContractNumber(str):
    """A value sent as ``term`` that is no term's id in the caller's scope: read as a contract number."""


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "nullable": True,
        "description": "The contract term the line accrues or corrects: its id, or its contract's number (as "
        "contract); a value that is neither is refused naming it (adjustment.term_not_found).",
    }
)
class TermField(ScopedPrimaryKeyRelatedField):
    """A contract term by its id within the caller's scope (as this API always took it), or — a value that is not
    one — its contract's number, which the service reads as ``contract``."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            return super().to_internal_value(data)
        text = str(data).strip()
        if text.isdigit():
            found = self.get_queryset().filter(pk=int(text)).first()
            if found is not None:
                return found
        return ContractNumber(text)


@extend_schema_field({"type": "string", "nullable": True, "example": "HT-DEMO-2026-WMT"})
class ContractNumberField(serializers.Field):
    """The contract by its number, as the page names it: read, the term's contract (null for a plan's line or an
    adjustment of none); written, the contract whose term of the adjustment's kind it corrects."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, **kwargs)

    def validate_empty_values(self, data):
        if data is empty:
            return super().validate_empty_values(data)
        if data is None or (isinstance(data, str) and not data.strip()):
            return True, {}  # none named
        return False, data

    def to_representation(self, line):
        return line.term.contract.number if line.term_id else None

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int)):  # a number of digits may come as one
            raise serializers.ValidationError(_("Give the contract's number, as text."))
        return {"contract": str(data).strip()}


class AccrualLineSerializer(serializers.ModelSerializer):
    """A ledger line. Computed lines (accrued, forecast, actual, true-up) are read only; a POST creates an
    adjustment: account, month (any day of it; an open month), kind, amount (not 0, negative takes spend back),
    reason, and optionally what it corrects: a plan, or a contract term — by the contract's number (``contract``,
    as the page names it: its term of the adjustment's kind), or by the term's id (``term``, which also takes the
    contract's number). A number no contract of the chain has is refused naming it."""

    account = related(KeyAccount, scope=contract_selectors.finance_accounts, help_text=ACCOUNT_HELP)
    term = TermField(
        queryset=ContractTerm.objects.all(),
        scope=contract_selectors.contract_terms_for,
        required=False,
        allow_null=True,
        help_text="The contract term the line accrues or corrects: its id, or its contract's number.",
    )
    plan = related(
        PromotionPlan,
        scope=scope.promotion_plans_for,
        required=False,
        allow_null=True,
        help_text="The promotion plan the line accrues or corrects, by id.",
    )
    agreement = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The display agreement entered by hand whose fee the line is (source display), by id.",
    )
    contract = ContractNumberField(
        help_text="The term's contract, by its number (null for a plan's line or an adjustment of none). A POST may "
        "name the contract an adjustment corrects by it (HT-DEMO-2026-WMT): its term of the adjustment's kind, the "
        "one valid in its month first; refused naming it when the chain has no contract of that number "
        "(adjustment.contract_not_found) or it has no term of the kind (adjustment.contract_no_term).",
    )
    kind = serializers.ChoiceField(choices=SpendKind.choices, help_text="What the spend pays for.")
    month = AccrualMonthField(
        help_text="The month, YYYY-MM (2026-05), as every month of the API: answered so, and taken so by a POST, or "
        "as its first day (2026-05-01, the shape it was answered in before 2026-12); any other day (2026-05-17) or "
        "shape (2026-5, 2026/05) is refused naming what was sent, not read as its month."
    )
    amount = api_fields.DecimalField(max_digits=14, decimal_places=2, help_text="CNY; negative only for corrections.")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Why (required for an adjustment, at most 200 characters). Read: the adjustment's reason as typed, "
        "or the ledger's own reason in the reader's language (Accept-Language).",
    )
    reason_code = serializers.CharField(
        read_only=True, help_text="The code of the ledger's own reason (empty for an adjustment or a plain line)."
    )
    reason_params = serializers.DictField(read_only=True, help_text="The parameters of the ledger's own reason.")

    class Meta:
        model = AccrualLine
        fields = [
            "id", "account", "month", "source", "source_key", "term", "contract", "plan", "agreement", "kind",
            "category", "stage",
            "amount", "basis_amount", "rate", "units", "reason", "reason_code", "reason_params", "run", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "source", "source_key", "agreement", "category", "stage", "basis_amount", "rate", "units", "run",
            "updated_at",
        ]  # fmt: skip

    def get_validators(self):
        return []  # the natural key is the ledger's; an adjustment has its own key

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["reason"] = instance.reason_text
        return data

    def validate(self, attrs):
        named = attrs.get("term")
        if isinstance(named, ContractNumber) and attrs.get("contract"):
            raise serializers.ValidationError(
                {"term": [_("Name the contract once: by its number in “contract”, or a term's id in “term”.")]}
            )
        return attrs

    def create(self, validated_data):
        term = validated_data.pop("term", None)
        if isinstance(term, ContractNumber):  # neither a term's id in scope: its contract's number, perhaps
            try:
                return accrual_adjust(
                    by=self.context["request"].user,
                    reason=validated_data.pop("reason", ""),
                    **{**validated_data, "contract": str(term)},
                )
            except DomainError as refusal:
                if refusal.code != "adjustment.contract_not_found":
                    raise
                raise DomainError(
                    "adjustment.term_not_found",
                    _("“%(value)s” is neither the id of a contract term nor the number of a contract at %(account)s."),
                    field="term",
                    value=str(term),
                    account=validated_data["account"].code,
                ) from None
        return accrual_adjust(
            by=self.context["request"].user, reason=validated_data.pop("reason", ""), term=term, **validated_data
        )


@extend_schema_view(
    create=extend_schema(
        summary="Add an adjustment line",
        responses={201: AccrualLineSerializer, **REFUSED},
    )
)
class AccrualLineViewSet(
    RecordETagMixin,
    CachedListMixin,
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The accrual ledger (费用计提): spend lines per key account × month × source. Filters: account (by code),
    month_from, month_to, kind, category, source, stage, q (reason, plan name, contract number). POST adds an
    adjustment (finance)."""

    queryset = AccrualLine.objects.none()  # the model, for permissions and the schema; get_queryset scopes
    serializer_class = AccrualLineSerializer
    permission_classes = [FinancePermission]
    filterset_class = syncable(AccrualLineFilter)  # and ?updated_since= (ka_portal/updated_since.py)
    ordering_fields = ["month", "amount", "kind"]

    def get_queryset(self):
        return (
            scope.accrual_lines_for(self.request.user)
            .select_related("account", "term__contract")
            .order_by("-month", "account__code", "kind", "stage", "pk")
        )


class AccrualRunSerializer(serializers.ModelSerializer):
    """One computation of the ledger for one account, as of today."""

    account = related(KeyAccount, scope=contract_selectors.finance_accounts, help_text=ACCOUNT_HELP)
    lines_deleted = serializers.SerializerMethodField(help_text="Lines no longer due, removed by this run.")

    class Meta:
        model = AccrualRun
        fields = ["id", "account", "run_on", "started_at", "finished_at", "lines_written", "lines_deleted"]
        read_only_fields = ["run_on", "started_at", "finished_at", "lines_written"]

    def get_lines_deleted(self, run) -> int:
        return getattr(run, "lines_deleted", 0)

    def create(self, validated_data):
        return accruals_compute(
            as_of=timezone.localdate(), account=validated_data["account"], by=self.context["request"].user
        )


class RecomputePermission(permissions.BasePermission):
    """Whoever sees no finance: 404; a recomputation writes ledger lines, so it needs adding them (finance)."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if not scope.sees_finance(request.user):
            raise Http404
        return request.user.has_perm("tradespend.add_accrualline")


@extend_schema_view(
    create=extend_schema(
        summary="Recompute one key account's ledger now",
        responses={201: AccrualRunSerializer, **REFUSED},
    )
)
class AccrualRunViewSet(IdempotentCreateMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Recompute one account's ledger as of today (what the nightly job does for every account): answers the run
    with how many lines it wrote."""

    queryset = AccrualRun.objects.none()
    serializer_class = AccrualRunSerializer
    permission_classes = [RecomputePermission]


routes: list = [
    ("accrual-lines", AccrualLineViewSet, "accrual-line"),
    ("accrual-runs", AccrualRunViewSet, "accrual-run"),
]
urlpatterns: list = []
