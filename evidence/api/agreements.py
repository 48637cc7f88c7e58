"""API: display agreements (issue 13 item 2).

    GET    /api/v1/display-agreements/                 list (account, store by code; kind, status, source,
                                                       settlement to_settle|settled, period YYYY-MM, q)
    GET    /api/v1/display-agreements/{id}/            one, with its status, evidenced visits and the visits
                                                       that checked it (each: counts or why not)
    POST   /api/v1/display-agreements/                 a KA manager's agreement (Idempotency-Key accepted)
    PUT    /api/v1/display-agreements/{id}/  PATCH     change it (a generated one keeps its source's period/fee)
    DELETE /api/v1/display-agreements/{id}/            remove one entered by hand
    POST   /api/v1/display-agreements/{id}/evaluate/   work its status out now

Scope: ka_portal.scope.display_agreements_for (out of scope: 404). Fees are shown to finance, KA managers and
admins only (null for reps and supervisors), with what the chain's deductions cover of each (``deducted``,
``settled``: tradespend/settlement.py). Writes go through evidence/agreements.py."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import KeyAccount
from ka_portal import api_fields
from ka_portal.api import RoleModelPermissions
from ka_portal.api_fields import related
from ka_portal.api_views import ServiceModelViewSet
from ka_portal.scope import accounts_for, display_agreements_for, stores_for
from stores.models import Store
from tradespend.settlement import with_settlement

from .. import agreements as services
from ..agreement_filters import DisplayAgreementFilter
from ..agreement_rules import AGREEMENT_KINDS, payable_month
from ..models import DisplayAgreement
from ..views.agreements import sees_fees


class EvidenceSignalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    review_note = serializers.CharField()


class EvidenceVisitSerializer(serializers.Serializer):
    visit = serializers.IntegerField(source="check.visit_id")
    store = serializers.CharField(source="check.visit.store.code")
    checked_in_at = serializers.DateTimeField(source="check.visit.checked_in_at")
    rep = serializers.CharField(source="check.visit.rep.username")
    on_site = serializers.SerializerMethodField()
    present = serializers.BooleanField(source="check.present")
    facings = serializers.IntegerField(source="check.facings", allow_null=True)
    photo = serializers.IntegerField(source="check.photo_id", allow_null=True)
    counts = serializers.BooleanField()
    reason = serializers.CharField(
        source="problem",
        allow_null=True,
        help_text="Why it does not count (a code): fraud_confirmed when a supervisor confirmed a fraud signal of the "
        "visit (withdrawn), store_left when the store had left the chain by then.",
    )
    signals = EvidenceSignalSerializer(
        many=True, help_text="The visit's fraud signals to review (open: it counts meanwhile) or confirmed."
    )

    def get_on_site(self, row) -> bool:
        visit = row.check.visit
        return visit.latitude is not None and not visit.far_from_store


class DisplayAgreementSerializer(serializers.ModelSerializer):
    account = related(KeyAccount, scope=accounts_for, help_text="The key account (chain), by code.")
    store = related(
        Store,
        scope=stores_for,
        allow_null=True,
        required=False,
        help_text="The store, by code; null: every store of the chain.",
    )
    kind = serializers.ChoiceField(choices=AGREEMENT_KINDS)
    facings = serializers.IntegerField(allow_null=True, required=False, help_text="Shelf facings only.")
    fee = api_fields.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="Null for reps and supervisors."
    )
    evidence_visits = serializers.IntegerField(required=False, default=1)
    source_gone = serializers.BooleanField(
        read_only=True,
        help_text="A generated agreement its source (contract term, plan) no longer grants, kept for the visits "
        "that checked it.",
    )
    store_left_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When its store moved to another chain (null: it did not): its visits from then on do not count.",
    )
    store_closed = serializers.SerializerMethodField(help_text="Its store is closed (false for a chain-wide one).")
    payable_in = serializers.SerializerMethodField(
        help_text="YYYY-MM: the month its fee counts in (its period's first month), as the list's month totals."
    )
    deducted = api_fields.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="What the chain's deductions matched to the ledger's lines holding its fee cover (a plan's TG fee "
        "line is shared by the plan's end caps). Null for reps and supervisors.",
    )
    settled = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Its fee is in the ledger and deductions cover it (filter settlement=to_settle for payable fees not "
        "yet deducted). Null for reps and supervisors.",
    )

    class Meta:
        model = DisplayAgreement
        fields = ["id", "account", "store", "kind", "facings", "start_on", "end_on", "fee", "evidence_visits",
                  "note", "source", "source_gone", "store_left_at", "store_closed", "payable_in", "term", "plan",
                  "status", "evidenced_visits", "evaluated_at", "deducted", "settled"]  # fmt: skip
        read_only_fields = ["source", "term", "plan", "status", "evidenced_visits", "evaluated_at"]
        validators = []  # the service's rules, the same at every door

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agreement = self.instance if isinstance(self.instance, DisplayAgreement) else None
        if agreement is not None and agreement.store_id is not None and "store" in self.fields:
            # its store stays nameable once it moved to a chain out of the manager's reach (a PUT repeats it):
            # the service refuses choosing it again only for another agreement or chain
            field, scope = self.fields["store"], self.fields["store"].scope
            field.scope = lambda user: Store.objects.filter(
                Q(pk__in=scope(user).values("pk")) | Q(pk=agreement.store_id)
            )

    def get_store_closed(self, agreement) -> bool:
        return agreement.store_id is not None and not agreement.store.active

    def get_payable_in(self, agreement) -> str:
        return f"{payable_month(agreement.start_on):%Y-%m}"

    def to_representation(self, instance):
        request = self.context.get("request")
        fees = request is None or sees_fees(request.user)
        if fees and not hasattr(instance, "settled"):  # one written or read alone: its settlement asked for
            instance = with_settlement(DisplayAgreement.objects.filter(pk=instance.pk)).select_related("store").get()
        data = super().to_representation(instance)
        if not fees:
            data["fee"] = data["deducted"] = data["settled"] = None
        return data


class DisplayAgreementDetailSerializer(DisplayAgreementSerializer):
    visits = serializers.SerializerMethodField(help_text="The visits that checked it, per store, newest first.")

    class Meta(DisplayAgreementSerializer.Meta):
        fields = [*DisplayAgreementSerializer.Meta.fields, "visits"]

    @extend_schema_field(EvidenceVisitSerializer(many=True))
    def get_visits(self, agreement):
        request = self.context.get("request")
        evidence = services.agreement_evidence(agreement, request.user if request is not None else None)
        rows = [row for entry in evidence for row in entry.rows]
        return EvidenceVisitSerializer(rows, many=True).data


class DisplayAgreementViewSet(ServiceModelViewSet):
    """Display agreements in the user's scope; KA managers write their chains' ones."""

    permission_classes = [RoleModelPermissions]
    filterset_class = DisplayAgreementFilter
    ordering_fields = ["start_on", "end_on", "fee", "status"]

    def get_queryset(self):
        agreements = (
            display_agreements_for(self.request.user)
            .select_related("account", "store")
            .order_by("-start_on", "account__code", "pk")
        )
        return with_settlement(agreements) if sees_fees(self.request.user) else agreements

    def get_serializer_class(self):
        if self.action in ("retrieve", "evaluate", "create", "update", "partial_update"):
            return DisplayAgreementDetailSerializer
        return DisplayAgreementSerializer

    def save(self, record, **fields):
        if record is None:
            return services.agreement_create(by=self.request.user, **fields)
        return services.agreement_update(agreement=record, by=self.request.user, **fields)

    def perform_destroy(self, instance):
        services.agreement_delete(agreement=instance, by=self.request.user)

    @extend_schema(request=None, responses={200: DisplayAgreementDetailSerializer})
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        """Work the agreement's status out now from the visits that checked it."""
        agreement = services.agreement_evaluate(self.get_object())
        return Response(DisplayAgreementDetailSerializer(agreement, context=self.get_serializer_context()).data)

    def get_permissions(self):
        if self.action == "evaluate":  # working the status out again changes nothing typed: any viewer may
            return [ViewPermission()]
        return super().get_permissions()


class ViewPermission(RoleModelPermissions):
    perms_map = {**RoleModelPermissions.perms_map, "POST": ["%(app_label)s.view_%(model_name)s"]}


routes = [("display-agreements", DisplayAgreementViewSet, "display-agreement")]
urlpatterns = []
