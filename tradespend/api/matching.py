"""Trade-spend API: matching (issue 12 item 5).

- ``POST /api/v1/deductions/<id>/matches/``: finance matches part of a deduction to a ledger line by hand;
- ``POST /api/v1/deductions/<id>/matches/<match_id>/remove/``: takes a match off (POST steps, like contracts');
- ``POST /api/v1/deductions/<id>/not-duplicate/``: clears a suspected duplicate, which is then matched;
- ``POST /api/v1/deductions/<id>/match-automatically/``: hands a deduction matched by hand back to automatic
  matching, which releases its matches and decides it afresh (a match added or removed by hand marks it: automatic
  matching leaves its matches alone until then);
- ``POST /api/v1/deduction-matching/``: runs automatic matching (all accounts, or ``{"account": code}``);
- ``/api/v1/disputes/``: list, read, open (Idempotency-Key), and the steps recover, write-off, close, approve,
  reject; each dispute with its ``steps``, newest first (tradespend.DisputeStep: who, when, from and to, the note).

`routes` (prefix, viewset, basename) go into the router of tradespend/api_urls.py; `urlpatterns` are
this module's other endpoints."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import KeyAccount
from contracts import selectors as contract_selectors
from contracts.api import CONFLICT, REFUSED, DeductionSerializer, FinancePermission, MonthField
from contracts.models import Deduction
from ka_portal import api_fields
from ka_portal.api_cache import CachedListMixin
from ka_portal.api_fields import related
from ka_portal.idempotency import idempotent
from ka_portal.record_etags import RecordETagMixin
from ka_portal.scope import accrual_lines_for, disputes_for

from .. import disputes as dispute_services
from .. import matching as services
from ..filters import DisputeFilter
from ..models import AccrualLine, DeductionMatch, Dispute, DisputeStep
from .dispute_steps import DisputeStepSerializer

ACCOUNT_HELP = "The key account, by code (e.g. WMT); one outside your accounts is not found."


def _deductions(user):
    deductions = services.with_match_marks(contract_selectors.deductions_for(user))
    return deductions.prefetch_related(contract_selectors.deduction_matches_prefetch())


def _deduction_out(request, deduction) -> dict:
    """The deduction as the matching steps answer it: as the deductions API reads it (``matched_by_hand``,
    ``over_deducted`` and its matches included)."""
    found = _deductions(request.user).get(pk=deduction.pk)
    return DeductionSerializer(found, context={"request": request}).data


# --- matches -----------------------------------------------------------------------------------------------------


class MatchInputSerializer(serializers.Serializer):
    line = related(AccrualLine, scope=accrual_lines_for, help_text="The ledger line, by id (of the same account).")
    amount = api_fields.DecimalField(max_digits=14, decimal_places=2, help_text="CNY, above zero.")


class DeductionMatchAddView(APIView):
    permission_classes = [FinancePermission]
    queryset = DeductionMatch.objects.none()  # the model whose add permission a POST needs

    @idempotent(scope="deduction-match.add")
    @extend_schema(request=MatchInputSerializer, responses={201: DeductionSerializer, **CONFLICT})
    def post(self, request, pk):
        """Match part of the deduction to a ledger line by hand (finance): refused beyond what is left of the
        line (match.beyond_accrued) or of the deduction (match.beyond_deduction), or a line of another account
        (match.other_account). A line outside the months it claims, or of another kind, is matched: the match's
        ``notes`` say so (outside_period, other_kind). Answers the deduction with its new state."""
        deduction = get_object_or_404(contract_selectors.deductions_for(request.user), pk=pk)
        data = MatchInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.deduction_match_add(deduction=deduction, by=request.user, **data.validated_data)
        return Response(_deduction_out(request, deduction), status=status.HTTP_201_CREATED)


class DeductionMatchRemoveView(APIView):
    permission_classes = [FinancePermission]
    queryset = DeductionMatch.objects.none()

    @idempotent(scope="deduction-match.remove")
    @extend_schema(request=None, responses={200: DeductionSerializer, **REFUSED})
    def post(self, request, pk, match_id):
        """Take a match off the deduction (finance); its state is computed again."""
        if not request.user.has_perm("tradespend.delete_deductionmatch"):
            self.permission_denied(request)
        deduction = get_object_or_404(contract_selectors.deductions_for(request.user), pk=pk)
        match = get_object_or_404(DeductionMatch.objects.filter(deduction=deduction), pk=match_id)
        services.deduction_match_remove(match=match, by=request.user)
        return Response(_deduction_out(request, deduction))


class DeductionNotDuplicateView(APIView):
    permission_classes = [FinancePermission]
    queryset = DeductionMatch.objects.none()

    @idempotent(scope="deduction.not-duplicate")
    @extend_schema(request=None, responses={200: DeductionSerializer, **CONFLICT})
    def post(self, request, pk):
        """Finance says a suspected duplicate is not one: it is matched like any other, never flagged again."""
        deduction = get_object_or_404(contract_selectors.deductions_for(request.user), pk=pk)
        services.deduction_not_duplicate(deduction=deduction, by=request.user)
        return Response(_deduction_out(request, deduction))


class DeductionMatchAutomaticallyView(APIView):
    permission_classes = [FinancePermission]
    queryset = DeductionMatch.objects.none()

    @idempotent(scope="deduction.match-automatically")
    @extend_schema(request=None, responses={200: DeductionSerializer, **CONFLICT})
    def post(self, request, pk):
        """Hand a deduction matched by hand back to automatic matching, which decides it afresh: the mark is
        cleared, its matches (by hand and automatic) are released and it is matched automatically at once, in one
        transaction. Refused for one not matched by hand (match.not_by_hand, 409) or dated in a closed month
        (month.closed)."""
        deduction = get_object_or_404(contract_selectors.deductions_for(request.user), pk=pk)
        services.deduction_match_automatically(deduction=deduction, by=request.user)
        return Response(_deduction_out(request, deduction))


class MatchRunInputSerializer(serializers.Serializer):
    account = related(
        KeyAccount, scope=contract_selectors.finance_accounts, required=False, allow_null=True, help_text=ACCOUNT_HELP
    )


class MatchSummarySerializer(serializers.Serializer):
    deductions = serializers.IntegerField(help_text="Deductions looked at (those not yet fully matched).")
    changed = serializers.IntegerField(help_text="Of them, those whose state or matched amount changed.")
    matches_created = serializers.IntegerField()
    matched_now = api_fields.DecimalField(max_digits=None, decimal_places=2)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Per state.")
    amounts = serializers.DictField(child=api_fields.DecimalField(max_digits=None, decimal_places=2))


class DeductionMatchingRunView(APIView):
    permission_classes = [FinancePermission]
    queryset = DeductionMatch.objects.none()

    @idempotent(scope="deduction-matching.run")
    @extend_schema(request=MatchRunInputSerializer, responses={200: MatchSummarySerializer, **REFUSED})
    def post(self, request):
        """Match automatically every deduction not yet fully matched (of one account, or all): idempotent. A
        deduction finance matched by hand keeps its matches (``matched_by_hand``) until handed back."""
        data = MatchRunInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        account = data.validated_data.get("account")
        accounts = contract_selectors.finance_accounts(request.user)
        ids = [account.pk] if account else list(accounts.values_list("pk", flat=True))
        summary = services.deductions_match(account_ids=ids)
        return Response(MatchSummarySerializer(summary.as_dict()).data)


# --- disputes ----------------------------------------------------------------------------------------------------


class DisputeSerializer(serializers.ModelSerializer):
    """A dispute over a deduction's unsupported part: OPEN, WRITE_OFF_REQUESTED (above
    KA.deduction_write_off_approval_above, waiting for the account's KA manager), RECOVERED, WRITTEN_OFF or SUPPORTED
    (closed by finance once the ledger supports the deduction in full). Who resolved it and when: the one who
    recovered, wrote off, approved the write-off (write_off_requested_by asked for it) or closed it; who last rejected a
    requested write-off and when (write_off_rejected_by, write_off_rejected_at). ``outcome_note`` is the latest note
    only; ``steps`` keep every one."""

    deduction = related(Deduction, scope=contract_selectors.deductions_for, help_text="The deduction, by id.")
    account = serializers.SlugRelatedField(source="deduction.account", slug_field="code", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    write_off_requested_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who asked for the write-off awaiting (or given) approval; null when none was asked.",
    )
    write_off_rejected_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who last rejected a requested write-off (the account's KA manager or an admin); null when none "
        "was rejected. Kept whatever followed: another request, its approval.",
    )
    write_off_rejected_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the write-off was last rejected; null when none was."
    )
    resolved_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who resolved it (null while open): recovered, wrote off, approved the write-off or closed it as "
        "supported.",
    )
    unsupported = serializers.SerializerMethodField(help_text="What of the deduction is still unsupported, CNY.")
    overdue = serializers.SerializerMethodField(help_text="Unresolved after its due date, today.")
    deduction_period_start = MonthField(source="deduction.period_start", read_only=True)
    steps = DisputeStepSerializer(
        many=True,
        read_only=True,
        help_text="Every step of the dispute, newest first: who, when, the status before and after, what was typed.",
    )

    class Meta:
        model = Dispute
        fields = [
            "id",
            "deduction",
            "account",
            "deduction_period_start",
            "reason",
            "owner",
            "due_on",
            "status",
            "outcome_note",
            "recovered_amount",
            "unsupported",
            "overdue",
            "write_off_requested_by",
            "write_off_rejected_by",
            "write_off_rejected_at",
            "resolved_by",
            "resolved_at",
            "created_at",
            "steps",
        ]
        read_only_fields = fields

    def get_unsupported(self, dispute) -> str:
        return str(services.unmatched_part(dispute.deduction))

    def get_overdue(self, dispute) -> bool:
        unresolved = dispute.status in (Dispute.Status.OPEN, Dispute.Status.WRITE_OFF_REQUESTED)
        return unresolved and dispute.due_on < timezone.localdate()


class DisputeOpenSerializer(serializers.Serializer):
    deduction = related(Deduction, scope=contract_selectors.deductions_for, help_text="The deduction, by id.")
    reason = serializers.CharField(max_length=200, allow_blank=True)
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=Dispute._meta.get_field("owner").related_model.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Who follows it up, by username (default: you).",
    )
    due_on = serializers.DateField(required=False, allow_null=True, help_text="Default: today + KA.dispute_due_days")


class RecoverSerializer(serializers.Serializer):
    amount = api_fields.DecimalField(max_digits=14, decimal_places=2)
    on = serializers.DateField(required=False, help_text="The day the chain paid it back; default today.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WriteOffNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, allow_blank=True)


class RejectReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True)


class CloseNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DisputePermission(FinancePermission):
    """Open: add (finance); recover, write-off and close: change (finance; the services check the role); approve and
    reject: change (the account's KA manager or an admin, checked by the service)."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) in ("recover", "write_off", "close", "approve", "reject"):
            if request.user and request.user.is_authenticated and not contract_selectors.sees_finance(request.user):
                raise Http404
            return request.user.has_perm("tradespend.change_dispute")
        return super().has_permission(request, view)


STEP = {200: DisputeSerializer, **CONFLICT}


@extend_schema_view(create=extend_schema(request=DisputeOpenSerializer, responses={201: DisputeSerializer, **CONFLICT}))
class DisputeViewSet(
    RecordETagMixin,
    CachedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Disputes over unsupported deductions, overdue first. Filters: account (by code), status, overdue. Finance
    opens, recovers and writes off; the account's KA manager (or an admin) approves or rejects a write-off above
    KA.deduction_write_off_approval_above."""

    queryset = Dispute.objects.none()
    serializer_class = DisputeSerializer
    permission_classes = [DisputePermission]
    filterset_class = DisputeFilter
    ordering_fields = ["due_on", "created_at"]

    def get_queryset(self):
        disputes = disputes_for(self.request.user).select_related(
            "deduction__account", "owner", "write_off_requested_by", "write_off_rejected_by", "resolved_by"
        )
        steps = Prefetch("steps", queryset=DisputeStep.objects.select_related("by").order_by("-at", "-pk"))
        return disputes.prefetch_related(steps).order_by("due_on", "pk")

    def _out(self, dispute, code=200):
        return Response(DisputeSerializer(self.get_queryset().get(pk=dispute.pk)).data, status=code)

    @idempotent()
    def create(self, request, *args, **kwargs):
        data = DisputeOpenSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        dispute = dispute_services.dispute_open(
            deduction=values["deduction"],
            reason=values["reason"],
            owner=values.get("owner"),
            due_on=values.get("due_on"),
            by=request.user,
        )
        return self._out(dispute, status.HTTP_201_CREATED)

    @idempotent()
    @extend_schema(request=RecoverSerializer, responses=STEP)
    @action(detail=True, methods=["post"])
    def recover(self, request, pk=None):
        """The chain paid (part of) the unsupported part back: re-opened on the deduction's invoice."""
        dispute = self.get_object()
        data = RecoverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        dispute = dispute_services.dispute_recover(
            dispute=dispute,
            amount=values["amount"],
            on=values.get("on") or timezone.localdate(),
            note=values["note"],
            by=request.user,
        )
        return self._out(dispute)

    @idempotent()
    @extend_schema(request=WriteOffNoteSerializer, responses=STEP)
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, pk=None):
        """Finance accepts the unsupported part: written off, or (above the threshold) awaiting approval."""
        dispute = self.get_object()
        data = WriteOffNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = data.validated_data["note"]
        return self._out(dispute_services.dispute_write_off(dispute=dispute, note=note, by=request.user))

    @idempotent()
    @extend_schema(request=CloseNoteSerializer, responses=STEP)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Finance closes an open dispute the ledger now supports in full (its deduction matched meanwhile):
        SUPPORTED; refused while some of it is unsupported (dispute.still_unsupported)."""
        dispute = self.get_object()
        data = CloseNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = data.validated_data["note"]
        return self._out(dispute_services.dispute_close(dispute=dispute, note=note, by=request.user))

    @idempotent()
    @extend_schema(request=None, responses=STEP)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The account's KA manager (or an admin) approves a requested write-off."""
        return self._out(dispute_services.dispute_write_off_approve(dispute=self.get_object(), by=request.user))

    @idempotent()
    @extend_schema(request=RejectReasonSerializer, responses=STEP)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The approver sends a requested write-off back: the dispute is open again."""
        dispute = self.get_object()
        data = RejectReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"]
        return self._out(dispute_services.dispute_write_off_reject(dispute=dispute, reason=reason, by=request.user))


routes: list = [("disputes", DisputeViewSet, "dispute")]
urlpatterns: list = [
    path("deductions/<int:pk>/matches/", DeductionMatchAddView.as_view(), name="deduction-matches"),
    path(
        "deductions/<int:pk>/matches/<int:match_id>/remove/",
        DeductionMatchRemoveView.as_view(),
        name="deduction-match-remove",
    ),
    path("deductions/<int:pk>/not-duplicate/", DeductionNotDuplicateView.as_view(), name="deduction-not-duplicate"),
    path(
        "deductions/<int:pk>/match-automatically/",
        DeductionMatchAutomaticallyView.as_view(),
        name="deduction-match-automatically",
    ),
    path("deduction-matching/", DeductionMatchingRunView.as_view(), name="deduction-matching"),
]
