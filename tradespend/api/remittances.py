"""Trade-spend API: head-office remittances (总部回款, issue 12 item 6).

`routes` (prefix, viewset, basename) go into the router of tradespend/api_urls.py; `urlpatterns` are
this module's other endpoints.

    GET  /api/v1/remittances/            list (account by code, date_from, date_to, q: reference or invoice)
    GET  /api/v1/remittances/{id}/       one remittance: its invoice lines, deductions (with matching state), rest
    POST /api/v1/remittances/            JSON: header, invoices [{invoice, amount}], deductions [...]
    POST /api/v1/remittances/import/     multipart: file (the Excel advice) + account, date, reference, cash

Both POSTs take an Idempotency-Key; the same account + reference with the same content answers 200 with the
remittance already recorded (``already_imported``: true) and changes nothing. A refusal is the house's DomainError
JSON; its ``errors`` list every bad line: {section, row, column, message, code}."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from contracts.api import CONFLICT, FinancePermission, YearMonthField, account_field
from contracts.rules import claimed_months
from ka_portal import api_fields
from ka_portal.api_cache import CachedListMixin
from ka_portal.errors import DomainError
from ka_portal.idempotency import idempotent
from ka_portal.record_etags import RecordETagMixin
from ka_portal.scope import remittances_for

from ..filters import RemittanceFilter
from ..models import Remittance
from ..remittances import (
    DeductionLine,
    InvoiceLine,
    Problem,
    remittance_import,
    remittance_record,
    remittance_summary,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class KnownKeysOnly:
    """A body part that refuses a key it does not take, naming each with what it takes (code ``unknown_field``),
    never dropping it: what was sent would be recorded as if it had not been (a header's ``note``, a line's
    ``period`` for ``period_start``). ``unknown_key``: the sentence, with %(unknown)s and %(known)s."""

    unknown_key = ""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = [name for name in data if name not in self.fields]
            if unknown:
                known = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {name: [str(self.unknown_key) % {"unknown": name, "known": known}] for name in unknown},
                    code="unknown_field",
                )
        return super().to_internal_value(data)


class InvoiceLineInput(KnownKeysOnly, serializers.Serializer):
    unknown_key = _("An invoice line takes no field “%(unknown)s”: it takes %(known)s.")

    invoice = serializers.CharField(max_length=40, help_text="The invoice's number (one of the account's).")
    amount = api_fields.DecimalField(
        **MONEY, help_text="What this remittance settles of the invoice: cash and deductions together."
    )


class ClaimedMonthField(YearMonthField):
    """A month a deduction line claims: YYYY-MM only, as the contracts API's deductions take it (a day, 2026/10 or
    2026-1 refused naming what was sent). Left blank or null it is not given (the date's month, or the first)."""

    def validate_empty_values(self, data):
        if isinstance(data, str) and not data.strip():
            data = None
        return super().validate_empty_values(data)


class DeductionLineInput(KnownKeysOnly, serializers.Serializer):
    """One deduction line. A key it does not take (``period`` for ``period_start``) is refused naming it, never
    dropped: the line would be booked as if it had not been sent (its months the date's)."""

    unknown_key = _("A deduction line takes no field “%(unknown)s”: it takes %(known)s.")

    kind = serializers.CharField(
        max_length=40,
        help_text="listing, barcode, dm, tg, rebate, anniversary, display, promoter, promotion, other "
        "(or its label, English or Chinese).",
    )
    period_start = ClaimedMonthField(
        required=False,
        allow_null=True,
        default=None,
        help_text="First month claimed, YYYY-MM (as /api/v1/deductions/ writes it; default: the date's month). "
        "Only YYYY-MM: a day (2026-10-15), 2026/10 or 2026-1 is refused.",
    )
    period_end = ClaimedMonthField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Last month claimed, YYYY-MM (default: the first).",
    )
    amount = api_fields.DecimalField(**MONEY, help_text="What the chain withheld.")
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Default: “remittance <reference>”."
    )
    invoice = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="The invoice line it is taken from (optional: else placed on the line with the most room).",
    )


class RemittanceHeaderInput(KnownKeysOnly, serializers.Serializer):
    """The remittance itself (and, posted as JSON, its lines; with the Excel advice, its file)."""

    unknown_key = _("A remittance takes no field “%(unknown)s”: it takes %(known)s.")
    account = account_field()
    date = serializers.DateField(help_text="The day the cash was received.")
    reference = serializers.CharField(max_length=60, help_text="The chain's payment reference, once per account.")
    cash = api_fields.DecimalField(**MONEY, help_text="The cash received.")


class RemittanceCreateInput(RemittanceHeaderInput):
    invoices = InvoiceLineInput(many=True, help_text="The invoice lines.")
    deductions = DeductionLineInput(many=True, required=False, default=list, help_text="The deduction lines.")


class RemittanceImportInput(RemittanceHeaderInput):
    file = serializers.FileField(help_text="The remittance advice (.xlsx): the template's columns, 中文 or English.")


class RemittanceSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="The key account, by code.")
    payment = serializers.PrimaryKeyRelatedField(read_only=True)
    unallocated = serializers.SerializerMethodField(help_text="Cash over: unallocated on the payment.")
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Remittance
        fields = [
            "id",
            "account",
            "date",
            "reference",
            "cash",
            "settled",
            "deducted",
            "unallocated",
            "payment",
            "file_sha256",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_unallocated(self, remittance) -> str:
        return str(remittance.payment.amount - remittance.payment.allocated_amount)


class LineOutput(serializers.Serializer):
    invoice = serializers.CharField(source="invoice.number")
    open_before = api_fields.DecimalField(**MONEY)
    settled = api_fields.DecimalField(**MONEY)
    cash = api_fields.DecimalField(**MONEY)
    deducted = api_fields.DecimalField(**MONEY)
    still_open = api_fields.DecimalField(**MONEY)
    short = serializers.BooleanField()
    row = serializers.IntegerField(allow_null=True)


class DeductionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    # the months as /api/v1/deductions/ answers them (YYYY-MM), not their first days
    period_start = YearMonthField(read_only=True, help_text="First month claimed, YYYY-MM.")
    period_end = YearMonthField(read_only=True, help_text="Last month claimed, YYYY-MM.")
    amount = api_fields.DecimalField(**MONEY)
    reference = serializers.CharField()
    reason = serializers.CharField(source="reason_text", help_text="Why it was taken, in the reader's language.")
    invoice = serializers.CharField(source="invoice.number")
    state = serializers.CharField(help_text="matched, partly_matched, unsupported or duplicate (from matching).")
    matched_amount = api_fields.DecimalField(**MONEY)


class RestOutput(serializers.Serializer):
    invoice = serializers.CharField(source="invoice.number")
    amount = api_fields.DecimalField(**MONEY)


class RemittanceDetailSerializer(RemittanceSerializer):
    lines = serializers.SerializerMethodField()
    deductions = serializers.SerializerMethodField()
    rest = serializers.SerializerMethodField(help_text="The rest, allocated oldest first to other invoices.")
    already_imported = serializers.SerializerMethodField()

    class Meta(RemittanceSerializer.Meta):
        fields = [*RemittanceSerializer.Meta.fields, "lines", "deductions", "rest", "already_imported"]
        read_only_fields = fields

    def _summary(self, remittance):
        if getattr(self, "_cached", None) is None or self._cached.remittance.pk != remittance.pk:
            self._cached = remittance_summary(remittance)
        return self._cached

    @extend_schema_field(LineOutput(many=True))
    def get_lines(self, remittance):
        return LineOutput(self._summary(remittance).lines, many=True).data

    @extend_schema_field(DeductionOutput(many=True))
    def get_deductions(self, remittance):
        return DeductionOutput(self._summary(remittance).deductions, many=True).data

    @extend_schema_field(RestOutput(many=True))
    def get_rest(self, remittance):
        return RestOutput(self._summary(remittance).others, many=True).data

    def get_already_imported(self, remittance) -> bool:
        return bool(self.context.get("already_imported"))


def _keyed(data) -> tuple[list[InvoiceLine], list[DeductionLine], list[Problem]]:
    """The lines as sent, numbered from 1. A deduction's months (read as YYYY-MM by ClaimedMonthField) that the books
    cannot take (ending before they start, claimed too far ahead: contracts.rules.claimed_months) are problems found
    before the remittance is checked, as the page's periods typed that cannot be read, so the line's amount is not
    left out of a sum said not to add up; each names the field sent."""
    problems: list[Problem] = []
    invoices = [InvoiceLine(line["invoice"], line["amount"], number) for number, line in enumerate(data["invoices"], 1)]
    deductions = []
    for number, line in enumerate(data.get("deductions") or [], 1):
        start, end = line.get("period_start"), line.get("period_end")
        if start is not None or end is not None:
            try:  # refused under the field sent: the end's, else the only month given
                claimed_months(start or end, start, end, field="period_end" if end is not None else "period_start")
            except DomainError as error:
                problems.append(Problem("deductions", number, error.field, error.detail, error.code))
                start = end = None
        deductions.append(
            DeductionLine(
                kind=line["kind"],
                amount=line["amount"],
                period_start=start,  # a month's first day (ClaimedMonthField), or None
                period_end=end,
                reference=line["reference"],
                reason=line["reason"],
                invoice=line["invoice"],
                row=number,
            )
        )
    return invoices, deductions, problems


@extend_schema_view(
    list=extend_schema(
        description="Remittances of the accounts you see. Filters: account (code), date_from, "
        "date_to, q (part of the reference, or an invoice number it settles)."
    ),
    retrieve=extend_schema(responses={200: RemittanceDetailSerializer}),
)
class RemittanceViewSet(
    RecordETagMixin,
    CachedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Head-office remittances: list, read, record (JSON or the Excel advice)."""

    queryset = Remittance.objects.none()  # the model, for permissions and the schema; get_queryset scopes
    permission_classes = [FinancePermission]
    serializer_class = RemittanceSerializer
    filterset_class = RemittanceFilter
    ordering_fields = ["date", "cash", "reference"]

    def get_queryset(self):
        return (
            remittances_for(self.request.user)
            .select_related("account", "payment", "recorded_by")
            .order_by("-date", "-pk")
        )

    def get_serializer_class(self):
        return RemittanceDetailSerializer if self.action == "retrieve" else RemittanceSerializer

    def _answer(self, outcome):
        remittance = self.get_queryset().get(pk=outcome.remittance.pk)
        body = RemittanceDetailSerializer(remittance, context={"already_imported": not outcome.created}).data
        return Response(body, status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK)

    @idempotent()
    @extend_schema(
        request=RemittanceCreateInput,
        responses={201: RemittanceDetailSerializer, 200: RemittanceDetailSerializer, **CONFLICT},
        description="Record a remittance, all or nothing. 200 with already_imported when the same account + "
        "reference was recorded with the same lines; 409 remittance.reference_used when with other lines. "
        "Refusals list every bad line in `errors` (section, row, column, message, code).",
    )
    def create(self, request, *args, **kwargs):
        data = RemittanceCreateInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        header = data.validated_data
        invoices, deductions, problems = _keyed(header)
        outcome = remittance_record(
            account=header["account"],
            date=header["date"],
            reference=header["reference"],
            cash=header["cash"],
            invoices=invoices,
            deductions=deductions,
            by=request.user,
            problems=problems,
        )
        return self._answer(outcome)

    @idempotent()
    @extend_schema(
        request={"multipart/form-data": RemittanceImportInput},
        responses={201: RemittanceDetailSerializer, 200: RemittanceDetailSerializer, **CONFLICT},
        description="Record a remittance from its Excel advice (`file`), the header as form fields. The same file "
        "again (same sha256, or the same lines) answers 200 with already_imported and changes nothing. Refusals "
        "list every bad row in `errors` (row of the sheet, column as the file names it, why).",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_advice(self, request):
        data = RemittanceImportInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        header = data.validated_data
        outcome = remittance_import(
            account=header["account"],
            date=header["date"],
            reference=header["reference"],
            cash=header["cash"],
            file=header["file"],
            by=request.user,
        )
        return self._answer(outcome)


routes: list = [("remittances", RemittanceViewSet, "remittance")]
urlpatterns: list = []
