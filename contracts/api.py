"""The finance API under /api/v1/: contracts, invoices, payments with allocations, deductions, and the
aging and statement reports. Same rules and scope as the pages: every queryset comes from
contracts/selectors.py; reps and supervisors are answered 404 everywhere; writes go through services.

References follow the API convention (ka_portal/api_fields.py): key accounts by code (``"account": "WMT"``,
``?account=WMT``), contracts, invoices, payments and deductions by id. Every create, and every step that
writes (allocate, which creates allocations; reverse; write-off), takes an Idempotency-Key."""

import re
from datetime import date
from types import SimpleNamespace

from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.filters import account_search_fields
from accounts.models import KeyAccount
from ka_portal import api_fields, downloads
from ka_portal.api import RoleModelPermissions
from ka_portal.api_cache import CachedListMixin
from ka_portal.api_fields import related
from ka_portal.errors import DomainError
from ka_portal.idempotency import IdempotentCreateMixin, idempotent
from ka_portal.lists import PERIOD_REVERSED
from ka_portal.money import ZERO
from ka_portal.months import INVALID, NOT_A_MONTH, read_month
from ka_portal.record_etags import RecordETagMixin
from ka_portal.scope import sees_finance
from ka_portal.updated_since import syncable
from ka_portal.values_pages import ValuesPageMixin, write_children
from tradespend.api.dispute_steps import DisputeStepSerializer
from tradespend.filters import DeductionMarksFilter

from . import rules, selectors, services
from .filters import AccountDateFilter, ContractFilter, ContractTermFilter, InvoiceFilter
from .models import Allocation, Contract, ContractTerm, CreditNote, Deduction, Invoice, Payment
from .receivables import BUCKET_ORDER

REFUSED = {
    400: OpenApiResponse(description="Refused by a business rule: {code, detail, params}"),
    404: OpenApiResponse(description="Not found or outside the caller's scope"),
}
CONFLICT = {**REFUSED, 409: OpenApiResponse(description="Conflicts with the current state (e.g. over-allocation)")}


class FinancePermission(RoleModelPermissions):
    """Model permissions from the role's group; anyone who sees no finance at all gets 404, not 403."""

    def has_permission(self, request, view):
        if request.user and request.user.is_authenticated and not sees_finance(request.user):
            raise Http404
        return super().has_permission(request, view)


class FinanceViewSet(
    RecordETagMixin,
    CachedListMixin,
    ValuesPageMixin,
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read and create; changes beyond that are business steps with their own endpoints. Each record answers
    an ETag, and its writes and steps take If-Match (ka_portal/record_etags.py)."""

    permission_classes = [FinancePermission]


# --- contracts ---------------------------------------------------------------------------------


ACCOUNT_HELP = "The key account, by code (e.g. WMT); one outside your accounts is not found."


def account_field(**kwargs) -> serializers.RelatedField:
    """A key account named by its code, among the caller's finance accounts."""
    return related(KeyAccount, scope=selectors.finance_accounts, help_text=ACCOUNT_HELP, **kwargs)


class TierSerializer(serializers.Serializer):
    achievement = api_fields.DecimalField(max_digits=6, decimal_places=2, help_text="Achievement of target, %")
    rate = api_fields.DecimalField(max_digits=5, decimal_places=2, help_text="Rebate rate from there on, %")


class ContractTermSerializer(serializers.ModelSerializer):
    """A contract's term line (费用条款). ``rate`` for a % of sell-in, ``amount`` (CNY) for a fixed or per-store fee;
    ``tiers`` only for a conditional rebate. Validity defaults to the contract's."""

    contract = related(Contract, scope=selectors.contracts_for, help_text="The contract, by id.")
    account = serializers.SlugRelatedField(
        source="contract.account", slug_field="code", read_only=True, help_text="The key account, by code."
    )
    tiers = TierSerializer(many=True, required=False)

    class Meta:
        model = ContractTerm
        fields = ["id", "contract", "account", *services.TERM_FIELDS]
        extra_kwargs = {"valid_from": {"required": False}, "valid_to": {"required": False}}

    def build_standard_field(self, field_name, model_field):
        # Parse only: ranges and combinations are contracts.rules.check_term's, refused with its codes.
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        for rule in ("min_value", "max_value", "validators"):
            kwargs.pop(rule, None)
        return field_class, kwargs

    def get_validators(self):
        return []  # one line per contract, kind and start: the service's term.duplicate

    def validate(self, attrs):
        if "tiers" in attrs:
            attrs["tiers"] = [{"achievement": str(t["achievement"]), "rate": str(t["rate"])} for t in attrs["tiers"]]
        return attrs

    def to_representation(self, term):
        data = super().to_representation(term)
        data["tiers"] = [{"achievement": t["achievement"], "rate": t["rate"]} for t in term.tiers or []]
        return data

    def create(self, validated_data):
        return services.contract_term_create(**validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("contract", None)  # a line stays on its contract
        return services.contract_term_update(term=instance, **validated_data)


ATTACHMENT_URL = "contract-attachment"  # a contract's attachment, downloaded within the caller's scope


class ContractSerializer(serializers.ModelSerializer):
    account = account_field()
    # The attachment is uploaded as a file (with the model's checks) and answered with the URL of the
    # scoped download, never the storage's /media/ path.
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.FileField: downloads.DownloadFileField,
    }

    # A page through ka_portal/values_pages.py: the status as of today from the queryset's annotation (as
    # to_representation writes it) and the attachment's download URL from its stored name.
    values_derived = {
        "status": (("status", "status_today"), lambda row: row["status_today"] or row["status"]),
        "attachment": (("attachment",), lambda row: row["_attachment"]),
    }

    def values_page_rows(self, rows: list[dict]) -> None:
        request = self.context.get("request")
        for row in rows:
            row["_attachment"] = downloads.download_url(
                ATTACHMENT_URL, row["pk"], stored=row["attachment"], request=request
            )

    class Meta:
        model = Contract
        fields = ["id", *services.CONTRACT_FIELDS]
        extra_kwargs = {"attachment": {"url_name": ATTACHMENT_URL}}

    def build_standard_field(self, field_name, model_field):
        # Parse only: bounds, file checks and the unique number are contracts.services.contract_check's, refused
        # with its code (contract.number_taken, contract.invalid) as on the page and in the admin.
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        for rule in ("min_value", "max_value", "validators"):
            kwargs.pop(rule, None)
        return field_class, kwargs

    def create(self, validated_data):
        return services.contract_create(**validated_data)

    def update(self, instance, validated_data):
        return services.contract_update(contract=instance, **validated_data)

    def to_representation(self, contract):
        # The status as of today (selectors.contract_status_on), not as the nightly run last left it.
        data = super().to_representation(contract)
        data["status"] = getattr(contract, "status_today", None) or data["status"]
        return data


class ContractDetailSerializer(ContractSerializer):
    """A contract read on its own: with its term lines, read-only (they are written at /api/v1/contract-terms/)."""

    terms = ContractTermSerializer(many=True, read_only=True)

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "terms"]


@extend_schema_view(
    create=extend_schema(responses={201: ContractSerializer, **REFUSED}),
    update=extend_schema(responses={200: ContractSerializer, **CONFLICT}),
    partial_update=extend_schema(responses={200: ContractSerializer, **CONFLICT}),
)
class ContractViewSet(mixins.UpdateModelMixin, FinanceViewSet):
    """The contract ledger. ``status`` is as of today (an active contract past its end reads expired at once).
    Filters: account (by code), kind, status, expiring=true (active, ending within the warning window). A contract
    with invoices stays with their key account: another ``account`` is refused (409, contract.has_invoices)."""

    queryset = Contract.objects.none()  # the model, for permissions and the schema; get_queryset scopes
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    search_fields = ["number", *account_search_fields("account")]
    ordering_fields = ["number", "valid_to", "valid_from", "total_amount"]

    def get_queryset(self):
        contracts = selectors.contracts_for(self.request.user).order_by("-valid_from", "number")
        return contracts.prefetch_related("terms") if self.action == "retrieve" else contracts

    def get_serializer_class(self):
        return ContractDetailSerializer if self.action == "retrieve" else ContractSerializer

    def perform_content_negotiation(self, request, force=False):
        # The attachment answers with its own type whatever the client accepts; its errors stay JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "attachment")

    @extend_schema(
        responses={
            **{(200, media): OpenApiTypes.BINARY for media in downloads.DOWNLOAD_TYPES},
            403: OpenApiResponse(description="Your role does not read contracts."),
            404: REFUSED[404],
        }
    )
    @action(detail=True, methods=["get"])
    def attachment(self, request, pk=None):
        """The contract's attachment as a download (404 when it has none)."""
        return downloads.file_response(self.get_object().attachment)


# --- trade terms (费用条款) ----------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(responses={201: ContractTermSerializer, **CONFLICT}),
    update=extend_schema(responses={200: ContractTermSerializer, **CONFLICT}),
    partial_update=extend_schema(responses={200: ContractTermSerializer, **CONFLICT}),
    destroy=extend_schema(responses={204: None, **REFUSED}),
)
class ContractTermViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, FinanceViewSet):
    """A contract's term lines: rebates (unconditional or tiered on the annual target), listing, barcode, festival,
    DM, end-cap, display and promoter fees. Filters: contract (by id), account (by code), kind. Finance writes;
    KA managers read their accounts' lines."""

    queryset = ContractTerm.objects.none()  # the model, for permissions and the schema; get_queryset scopes
    serializer_class = ContractTermSerializer
    filterset_class = ContractTermFilter
    ordering_fields = ["valid_from", "kind", "amount", "rate"]

    def get_queryset(self):
        return selectors.contract_terms_for(self.request.user).order_by("contract__number", "kind", "valid_from", "pk")

    def perform_destroy(self, instance):
        services.contract_term_delete(term=instance)


# --- invoices ----------------------------------------------------------------------------------


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice as it stands today: ``overdue``, ``aging_bucket`` and ``days_past_due`` are computed when
    read (contracts.selectors.with_aging), not copied from the nightly run."""

    overdue = serializers.BooleanField(read_only=True, help_text="Still open after its due date, as of today.")
    aging_bucket = serializers.ChoiceField(
        choices=BUCKET_ORDER, read_only=True, allow_null=True, help_text="By days past due today; null once settled."
    )
    days_past_due = serializers.SerializerMethodField(
        help_text="Whole days past the due date today (0 when not yet due); null once settled."
    )

    account = related(KeyAccount, scope=None, read_only=True, help_text="The key account, by code.")

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "account",
            "contract",
            "date",
            "due_on",
            "amount",
            "open_amount",
            "status",
            "overdue",
            "aging_bucket",
            "days_past_due",
            "written_off_amount",
            "written_off_on",
            "write_off_reason",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_past_due(self, invoice) -> int | None:
        return selectors.invoice_days_past_due(invoice)

    # A page written from values() rows (ka_portal/values_pages.py) asks the same rule, of the row's columns.
    values_derived = {
        "days_past_due": (
            ("open_amount", "due_on", "aging_as_of"),
            lambda row: selectors.invoice_days_past_due(SimpleNamespace(**row)),
        )
    }


class InvoiceCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40)
    account = account_field()
    contract = related(
        Contract, scope=selectors.contracts_for, required=False, allow_null=True, help_text="The contract, by id."
    )
    date = serializers.DateField()
    due_on = serializers.DateField(required=False, allow_null=True, help_text="Default: date + the contract's terms")
    amount = api_fields.DecimalField(max_digits=14, decimal_places=2)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


@extend_schema_view(
    create=extend_schema(request=InvoiceCreateSerializer, responses={201: InvoiceSerializer, **REFUSED})
)
class InvoiceViewSet(FinanceViewSet):
    """Invoices to the chains, with overdue, aging bucket and days past due as of today (computed when read,
    not by the nightly run). Filters: account (by code), contract (by id), status, open, overdue, date_from, date_to;
    ?search= by number or account."""

    queryset = Invoice.objects.none()  # the model, for permissions and the schema; get_queryset scopes
    serializer_class = InvoiceSerializer
    filterset_class = syncable(InvoiceFilter)  # and ?updated_since= (ka_portal/updated_since.py)
    search_fields = ["number", *account_search_fields("account")]
    ordering_fields = ["date", "due_on", "amount", "open_amount", "number"]

    def get_queryset(self):
        return selectors.invoice_list_for(self.request.user).order_by("date", "number")

    def _out(self, invoice):
        return InvoiceSerializer(self.get_queryset().get(pk=invoice.pk)).data

    @idempotent()
    def create(self, request, *args, **kwargs):
        data = InvoiceCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        invoice = services.invoice_create(**data.validated_data, by=request.user)
        return Response(self._out(invoice), status=status.HTTP_201_CREATED)

    @idempotent()
    @extend_schema(request=ReasonSerializer, responses={200: InvoiceSerializer, **CONFLICT})
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, pk=None):
        """Write off what is still open (finance only, with a reason)."""
        invoice = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = services.invoice_write_off(invoice=invoice, reason=data.validated_data["reason"], by=request.user)
        return Response(self._out(invoice))


# --- payments ----------------------------------------------------------------------------------


class AllocationSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    reversed = serializers.BooleanField(
        source="payment.is_reversed",
        read_only=True,
        help_text="Its payment was reversed: the amount went back to the invoice, and settles nothing now.",
    )

    # A page of payments writes its allocations from values() rows (ka_portal/values_pages.py): reversed from the
    # payment's column.
    values_derived = {"reversed": (("payment__reversed_at",), lambda row: row["payment__reversed_at"] is not None)}

    class Meta:
        model = Allocation
        fields = ["id", "invoice", "invoice_number", "amount", "reversed"]


def payment_allocations():
    """A payment's allocations with their invoices, in the order they were made."""
    return Allocation.objects.select_related("invoice").order_by("pk")


class PaymentSerializer(serializers.ModelSerializer):
    account = related(KeyAccount, scope=None, read_only=True, help_text="The key account, by code.")
    allocations = AllocationSerializer(
        many=True,
        read_only=True,
        help_text="Every allocation made, in order; once the payment is reversed each is marked reversed: it gave its "
        "amount back to its invoice.",
    )
    allocated_amount = api_fields.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        source="allocated_now",
        help_text="What of the payment settles invoices now: 0 once it is reversed (its allocations gave their amounts "
        "back).",
    )
    unallocated_amount = api_fields.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="What is left to allocate: 0 once the payment is reversed.",
    )

    # A page through ka_portal/values_pages.py: the payments as values() rows, what is left of each from its two
    # columns (Payment.unallocated_amount), the allocations of the page in one query written by
    # AllocationSerializer's own fields.
    values_derived = {
        "allocated_amount": (
            ("allocated_amount", "reversed_at"),
            lambda row, field=allocated_amount: field.to_representation(
                ZERO if row["reversed_at"] is not None else row["allocated_amount"]
            ),
        ),
        "unallocated_amount": (
            ("amount", "allocated_amount", "reversed_at"),
            lambda row, field=unallocated_amount: field.to_representation(
                ZERO if row["reversed_at"] is not None else row["amount"] - row["allocated_amount"]
            ),
        ),
        "allocations": ((), lambda row: row["_allocations"]),
    }

    def values_page_rows(self, rows: list[dict]) -> None:
        payments = [row["pk"] for row in rows]
        allocations = write_children(AllocationSerializer, payment_allocations(), "payment", payments)
        for row in rows:
            row["_allocations"] = allocations[row["pk"]]

    class Meta:
        model = Payment
        fields = [
            "id",
            "account",
            "date",
            "amount",
            "reference",
            "allocated_amount",
            "unallocated_amount",
            "allocations",
            "reversed_at",
            "reversed_on",
            "reversal_reason",
            "updated_at",
        ]
        read_only_fields = fields


class AllocationInputSerializer(serializers.Serializer):
    invoice = related(Invoice, scope=selectors.invoices_for, help_text="The invoice, by id.")
    amount = api_fields.DecimalField(max_digits=14, decimal_places=2)


class AllocateSerializer(serializers.Serializer):
    allocations = AllocationInputSerializer(
        many=True, required=False, help_text="By hand: [{invoice, amount}]. Left out: oldest invoice first."
    )

    def pairs(self):
        rows = self.validated_data.get("allocations")
        return None if rows is None else [(row["invoice"], row["amount"]) for row in rows]


class PaymentCreateSerializer(AllocateSerializer):
    account = account_field()
    date = serializers.DateField()
    amount = api_fields.DecimalField(max_digits=14, decimal_places=2)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    auto_allocate = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: allocate oldest invoice first; false: leave the payment unallocated. Left out: oldest first "
        "unless allocations are given. Never true with allocations (payment.allocation_mode_conflict).",
    )
    request_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Idempotency key (or send an Idempotency-Key header): the same key and body again answer the "
        "first response; the same key with another body is 422 naming the fields that differ.",
    )


@extend_schema_view(
    create=extend_schema(request=PaymentCreateSerializer, responses={201: PaymentSerializer, **CONFLICT})
)
class PaymentViewSet(FinanceViewSet):
    """Payments from the chains with their allocations. Filters: account (by code), date_from, date_to."""

    queryset = Payment.objects.none()  # the model, for permissions and the schema; get_queryset scopes
    serializer_class = PaymentSerializer
    filterset_class = syncable(AccountDateFilter)  # and ?updated_since= (ka_portal/updated_since.py)
    search_fields = ["reference", *account_search_fields("account")]
    ordering_fields = ["date", "amount"]

    def get_queryset(self):
        return selectors.payments_for(self.request.user).prefetch_related(
            models.Prefetch("allocations", queryset=payment_allocations())
        )

    @idempotent(body_key="request_key")
    def create(self, request, *args, **kwargs):
        data = PaymentCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "allocations"}
        payment = services.payment_record(**fields, allocations=data.pairs(), by=request.user)
        return Response(self._out(payment), status=status.HTTP_201_CREATED)

    def _out(self, payment):
        return PaymentSerializer(self.get_queryset().get(pk=payment.pk)).data

    @idempotent()
    @extend_schema(request=AllocateSerializer, responses={200: PaymentSerializer, **CONFLICT})
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        """Allocate what is left of the payment: by hand, or oldest invoice first."""
        payment = self.get_object()
        data = AllocateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.payment_allocate(payment=payment, allocations=data.pairs())
        return Response(self._out(payment))

    @idempotent()
    @extend_schema(request=ReasonSerializer, responses={200: PaymentSerializer, **CONFLICT})
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Reverse the payment: its allocations give their amounts back to the invoices."""
        payment = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.payment_reverse(payment=payment, by=request.user, reason=data.validated_data["reason"])
        return Response(self._out(payment))


# --- deductions --------------------------------------------------------------------------------


MONTH_SCHEMA = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-09", "nullable": True}
# The one shape a month is sent in (ASCII digits: \d would take full-width ones too).
MONTH_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}")


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.Field):
    """A month answered as "YYYY-MM", held as its first day. Sent, it is read as a month box reads it
    (ka_portal.months.parse_month: any day of it too); the API's months sent by clients are YearMonthField, YYYY-MM
    only (the contracts API's, a remittance's, an adjustment's: tradespend.api). One that is no month
    (2026-13) is refused as such; one written right but outside the months the portal holds (1999-01) answers
    ``month.out_of_range`` naming the field and the range, not "not a month"."""

    default_error_messages = {"invalid": INVALID}

    def to_representation(self, value):
        return f"{value:%Y-%m}" if value else None

    def to_internal_value(self, data):
        try:
            month = read_month(data, field=self.field_name, label=self.field_name)
        except DomainError as refusal:
            if refusal.code == "month.out_of_range":
                raise
            month = None
        if month is None:
            self.fail("invalid")
        return month


@extend_schema_field(MONTH_SCHEMA)
class YearMonthField(MonthField):
    """A month of the contracts API (the months a deduction claims): "YYYY-MM" and nothing else, the one shape its
    schema documents and the API answers. Anything else — a day (2026-05-17: send its month), 2026-5, 2026-13,
    "May 2026" — is refused under the field naming what was sent (ka_portal.months.NOT_A_MONTH); a month written
    right but outside the months the portal holds (1999-01) answers ``month.out_of_range`` with the range."""

    def to_internal_value(self, data):
        text = data.strip() if isinstance(data, str) else None
        if text is not None and MONTH_SHAPE.fullmatch(text):
            try:
                return read_month(text, field=self.field_name, label=self.field_name, required=True)
            except DomainError as refusal:
                if refusal.code == "month.out_of_range":
                    raise
        raise serializers.ValidationError(NOT_A_MONTH % {"value": data if text is None else text}, code="invalid")


class DeductionMatchSerializer(serializers.Serializer):
    """One match of a deduction to a trade-spend ledger line (tradespend.DeductionMatch)."""

    id = serializers.IntegerField(read_only=True)
    line = serializers.IntegerField(source="line_id", read_only=True, help_text="The ledger line, by id.")
    month = YearMonthField(source="line.month", read_only=True)
    kind = serializers.CharField(source="line.kind", read_only=True)
    amount = api_fields.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    automatic = serializers.BooleanField(read_only=True)
    line_over_deducted = serializers.BooleanField(
        read_only=True, help_text="The line's matches now exceed it: the ledger lowered it after they were made."
    )
    notes = serializers.SerializerMethodField(
        help_text="What is unusual about the match, kept possible: outside_period (the line's month is not one the "
        "deduction claims), other_kind (the line is not of the deduction's kind of spend)."
    )

    def get_notes(self, match) -> list[str]:
        from tradespend.matching import match_notes

        return match_notes(match.deduction, match.line)


class DeductionSerializer(serializers.ModelSerializer):
    """A fee the chain withheld and how far the trade-spend ledger supports it: ``state`` (matched, partly_matched,
    unsupported, duplicate), ``matched_amount``, ``recovered_amount`` (given back after a dispute) and its
    ``matches``. ``period_start``/``period_end`` are the months it claims (YYYY-MM; default its date's month)."""

    account = related(KeyAccount, scope=None, read_only=True, help_text="The invoice's key account, by code.")
    invoice = related(Invoice, scope=selectors.invoices_for, help_text="The invoice, by id.")
    period_start = YearMonthField(required=False, allow_null=True, help_text="First month claimed, YYYY-MM.")
    period_end = YearMonthField(required=False, allow_null=True, help_text="Last month claimed, YYYY-MM.")
    matches = DeductionMatchSerializer(many=True, read_only=True)
    matched_by_hand = serializers.SerializerMethodField(
        help_text="Finance changed its matches by hand: automatic matching leaves them alone until it is handed "
        "back (POST …/match-automatically/)."
    )
    over_deducted = serializers.SerializerMethodField(
        help_text="Matched to a ledger line whose matches now exceed it (the line lowered after the match, e.g. a "
        "display fee not evidenced): gross to net counts the excess as unsupported; see its matches' "
        "line_over_deducted."
    )
    moved = serializers.SerializerMethodField(
        help_text="The ledger released its automatic match (a display-fee line lowered under it) and automatic "
        "matching matched it again to another line of the chain, kind and month, possibly another agreement's: its "
        "sheet says from which line to which, when and why."
    )

    class Meta:
        model = Deduction
        fields = [
            "id",
            "account",
            "invoice",
            "date",
            "kind",
            "amount",
            "reason",
            "reference",
            "period_start",
            "period_end",
            "state",
            "matched_amount",
            "recovered_amount",
            "recovered_on",
            "duplicate_of",
            "matches",
            "matched_by_hand",
            "over_deducted",
            "moved",
        ]
        read_only_fields = ["state", "matched_amount", "recovered_amount", "recovered_on", "duplicate_of"]
        # Parse only: an amount not above zero is the service's refusal (deduction.amount_not_positive).
        extra_kwargs = {"amount": {"min_value": None}, "reference": {"required": False}}

    def create(self, validated_data):
        return services.deduction_record(by=self.context["request"].user, **validated_data)

    def get_matched_by_hand(self, deduction) -> bool:
        from tradespend.matching import match_marks  # read with the list's rows (with_match_marks)

        return match_marks(deduction)[0]

    def get_over_deducted(self, deduction) -> bool:
        from tradespend.matching import match_marks

        return match_marks(deduction)[1]

    def get_moved(self, deduction) -> bool:
        from tradespend.releases import moved_of  # read with the list's rows (with_match_marks)

        return moved_of(deduction)

    def to_representation(self, instance):
        found = super().to_representation(instance)
        found["reason"] = instance.reason_text  # a system-written reason in the reader's language
        return found


class DeductionDetailSerializer(DeductionSerializer):
    """One deduction as its detail answers it: as the list reads it, with its dispute's steps (tradespend)."""

    dispute_steps = serializers.SerializerMethodField(
        help_text="Every step of its dispute with the chain, newest first: who, when, the status before and after, "
        "and what was typed with it (each note kept). Empty when it was never disputed."
    )

    class Meta(DeductionSerializer.Meta):
        fields = [*DeductionSerializer.Meta.fields, "dispute_steps"]

    @extend_schema_field(DisputeStepSerializer(many=True))
    def get_dispute_steps(self, deduction) -> list:
        from tradespend.disputes import deduction_steps  # trade spend builds on contracts

        return DisputeStepSerializer(deduction_steps(deduction), many=True).data


@extend_schema_view(create=extend_schema(responses={201: DeductionSerializer, **CONFLICT}))
class DeductionViewSet(FinanceViewSet):
    """Fees the chains withhold (listing, barcode, DM, TG, rebate, festival, display, promoter, promotion), each
    matched to the trade-spend ledger when recorded. Filters: account (by code), date_from, date_to, kind, state,
    by_hand (finance matched it by hand), over_deducted (matched above what a ledger line now holds).
    ?search= finds every word in the reason as read (one the books wrote, in either language, with a remittance's
    reference), the chain's reference or the invoice's number."""

    queryset = Deduction.objects.none()  # the model, for permissions and the schema; get_queryset scopes
    serializer_class = DeductionSerializer
    filterset_class = DeductionMarksFilter  # contracts' DeductionFilter with matching's marks (tradespend)
    search_term = staticmethod(selectors.deduction_search_q)  # as the deductions page and the admin search
    ordering_fields = ["date", "amount"]

    def get_serializer_class(self):
        # the detail adds its dispute's steps (one query), which a page of the list does without
        return DeductionDetailSerializer if self.action == "retrieve" else DeductionSerializer

    def get_queryset(self):
        from tradespend.matching import with_match_marks

        deductions = selectors.deductions_for(self.request.user)
        return with_match_marks(deductions).prefetch_related(selectors.deduction_matches_prefetch())


# --- reports -----------------------------------------------------------------------------------


def report_date(day: date, *, param: str, label) -> date:
    """A report's date before the books start is a 400 naming the parameter (contracts.rules.check_report_date, as
    the pages refuse it), never a report of nothing or a calendar overflow."""
    try:
        rules.check_report_date(day, field=param, label=label)
    except DomainError as refusal:
        raise serializers.ValidationError([refusal.detail]) from None
    return day


class AgingQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False)
    account = account_field(required=False)

    def validate_as_of(self, as_of: date) -> date:
        return report_date(as_of, param="as_of", label=_("As of"))


class AccountRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class AgingRowSerializer(serializers.Serializer):
    # Sums over an account's invoices: wider than one money column, so shown without a digit limit.
    account = AccountRefSerializer(allow_null=True)
    buckets = serializers.DictField(child=api_fields.DecimalField(max_digits=None, decimal_places=2))
    total = api_fields.DecimalField(max_digits=None, decimal_places=2)
    sales = api_fields.DecimalField(max_digits=None, decimal_places=2)
    dso = api_fields.DecimalField(max_digits=None, decimal_places=1, allow_null=True)


class AgingReportSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    dso_days = serializers.IntegerField()
    buckets = serializers.ListField(child=serializers.CharField())
    rows = AgingRowSerializer(many=True)
    total = AgingRowSerializer()


class ReportView(APIView):
    permission_classes = [FinancePermission]
    # Reports read invoices: the view permission on invoices is what they need.
    queryset = Invoice.objects.none()


class AgingReportView(ReportView):
    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", date, description="YYYY-MM-DD; default today"),
            OpenApiParameter("account", str, description=f"Only this account. {ACCOUNT_HELP}"),
        ],
        responses={200: AgingReportSerializer, **REFUSED},
    )
    def get(self, request):
        """Open amounts by days past due (not due, 1–30, 31–60, 61–90, over 90) by account and in total, with DSO."""
        query = AgingQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        report = selectors.aging_report(
            request.user,
            as_of=query.validated_data.get("as_of") or timezone.localdate(),
            account=query.validated_data.get("account"),
        )
        body = {
            "as_of": report.as_of,
            "dso_days": report.dso_days,
            "buckets": BUCKET_ORDER,
            "rows": report.rows,
            "total": report.total,
        }
        return Response(AgingReportSerializer(body).data)


# What a statement's query says when a parameter is missing: the parameter as the client sends it, and how.
STATEMENT_NEEDS = {
    "account": _("Give the key account, by its code: account=WMT."),
    "from": _("Give the period's first day: from=YYYY-MM-DD."),
    "to": _("Give the period's end: to=YYYY-MM-DD."),
}


class StatementQuerySerializer(serializers.Serializer):
    """The statement's query, account=, from= and to= (from is a Python word: the fields are named in get_fields),
    each refused under the name the client sent, in words saying what to send (never "date_to may not be null")."""

    PARAMETERS = ("account", "from", "to")

    def get_fields(self):
        def needs(name):
            return {"required": STATEMENT_NEEDS[name], "null": STATEMENT_NEEDS[name]}

        return {
            "account": account_field(error_messages=needs("account")),
            **{name: serializers.DateField(error_messages=needs(name)) for name in ("from", "to")},
        }

    def to_internal_value(self, data):
        # A parameter sent empty asks nothing (as ka_portal.api_parameters reads the query): it is missing.
        sent = {name: data.get(name) for name in self.PARAMETERS if (data.get(name) or "").strip()}
        values = super().to_internal_value(sent)
        return {"account": values["account"], "date_from": values["from"], "date_to": values["to"]}

    def validate(self, attrs):
        try:
            report_date(attrs["date_from"], param="from", label=_("From"))
        except serializers.ValidationError as refusal:
            raise serializers.ValidationError({"from": refusal.detail}) from None
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"to": PERIOD_REVERSED})
        return attrs


class StatementLineSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    label = serializers.CharField()
    reference = serializers.CharField()
    debit = api_fields.DecimalField(max_digits=None, decimal_places=2)
    credit = api_fields.DecimalField(max_digits=None, decimal_places=2)
    balance = api_fields.DecimalField(max_digits=None, decimal_places=2)

    def to_representation(self, line):
        # The fields above, written out directly: a year of a chain is tens of thousands of lines, and seven field
        # objects per line were most of the answer's time. Same output (amounts already have two places).
        return {
            "date": line.date.isoformat(),
            "kind": line.kind,
            "label": line.label,
            "reference": line.reference,
            "debit": f"{line.debit:.2f}",
            "credit": f"{line.credit:.2f}",
            "balance": f"{line.balance:.2f}",
        }


class StatementSerializer(serializers.Serializer):
    account = AccountRefSerializer()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    opening = api_fields.DecimalField(max_digits=None, decimal_places=2)
    lines = StatementLineSerializer(many=True)
    invoiced = api_fields.DecimalField(max_digits=None, decimal_places=2)
    paid = api_fields.DecimalField(max_digits=None, decimal_places=2)
    deducted = api_fields.DecimalField(max_digits=None, decimal_places=2)
    credited = api_fields.DecimalField(max_digits=None, decimal_places=2)
    recovered = api_fields.DecimalField(
        max_digits=None, decimal_places=2, help_text="Disputed deductions the chain gave back (a debit)."
    )
    written_off = api_fields.DecimalField(max_digits=None, decimal_places=2)
    closing = api_fields.DecimalField(max_digits=None, decimal_places=2)


class StatementView(ReportView):
    @extend_schema(
        parameters=[
            OpenApiParameter("account", str, required=True, description=ACCOUNT_HELP),
            OpenApiParameter("from", date, required=True, description="First day of the period, YYYY-MM-DD"),
            OpenApiParameter("to", date, required=True, description="Last day of the period, YYYY-MM-DD"),
        ],
        responses={200: StatementSerializer, **REFUSED},
    )
    def get(self, request):
        """The statement (对账单) for one account and period: opening balance, movements, closing balance."""
        query = StatementQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        result = selectors.statement(data["account"], date_from=data["date_from"], date_to=data["date_to"])
        return Response(StatementSerializer(result).data)


# --- credit notes (issue 12: sell-in is invoiced, net of credit notes) ----------------------------------------


class CreditNoteSerializer(serializers.ModelSerializer):
    account = account_field()
    invoice = related(
        Invoice,
        scope=selectors.invoices_for,
        required=False,
        allow_null=True,
        help_text="The invoice it corrects, by id (optional): its open amount goes down by the credit note's.",
    )

    class Meta:
        model = CreditNote
        fields = ["id", "number", "account", "invoice", "date", "amount", "reason", "updated_at"]
        # Parse only: a taken number, an amount not above zero and a missing reason are the service's refusals
        # (credit_note.number_taken, credit_note.amount_not_positive, credit_note.needs_reason).
        extra_kwargs = {"number": {"validators": []}, "amount": {"min_value": None}, "reason": {"allow_blank": True}}

    def create(self, validated_data):
        return services.credit_note_record(by=self.context["request"].user, **validated_data)


@extend_schema_view(create=extend_schema(responses={201: CreditNoteSerializer, **CONFLICT}))
class CreditNoteViewSet(FinanceViewSet):
    """Credit notes to the chains: each lowers the account's invoiced sell-in in its month and the balance it owes;
    one naming an invoice also lowers that invoice's open amount. Finance creates them (with an Idempotency-Key);
    KA managers read their accounts'. Filters: account (by code), date_from, date_to."""

    queryset = CreditNote.objects.none()  # the model, for permissions and the schema; get_queryset scopes
    serializer_class = CreditNoteSerializer
    filterset_class = syncable(AccountDateFilter)  # and ?updated_since= (ka_portal/updated_since.py)
    search_fields = ["number", "reason", "invoice__number", *account_search_fields("account")]
    ordering_fields = ["date", "amount", "number"]

    def get_queryset(self):
        return selectors.credit_notes_for(self.request.user).order_by("-date", "-id")
