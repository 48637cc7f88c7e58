"""Fraud-signal API (issue 13 part 4):

- ``GET /api/v1/fraud-signals/``: the signals the caller may see (a supervisor their team's, a KA manager those
  at their chains' stores, admins all), filtered by status, kind, rep (username), date_from and date_to (check-in days);
- ``GET /api/v1/fraud-signals/<id>/``: one, with its evidence as data and as a sentence;
- ``POST /api/v1/fraud-signals/<id>/review/``: confirm or dismiss with a note (a supervisor of the rep's team or
  an admin; a role that only reads signals is refused with 403, a signal outside the scope is 404).
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ka_portal.api import RoleModelPermissions
from ka_portal.api_cache import CachedListMixin
from ka_portal.api_fields import LocalTimesJSONField
from ka_portal.idempotency import idempotent
from ka_portal.record_etags import RecordETagMixin

from .. import signals
from ..models import FraudSignal
from ..signal_filters import FraudSignalFilter

NOT_FOUND = OpenApiResponse(description="Not found, or outside your scope.")


class FraudSignalSerializer(serializers.ModelSerializer):
    rep = serializers.SlugRelatedField(slug_field="username", read_only=True, help_text="The sales rep, by username.")
    store = serializers.SlugRelatedField(
        source="visit.store", slug_field="code", read_only=True, help_text="The visit's store, by code."
    )
    checked_in_at = serializers.DateTimeField(source="visit.checked_in_at", read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    text = serializers.SerializerMethodField(help_text="The evidence as a sentence in the request's language.")
    photo_url = serializers.SerializerMethodField(help_text="The signal's photo (a thumbnail), or null.")
    other_photo_url = serializers.SerializerMethodField(help_text="The earlier photo a reused one matches, or null.")
    evidence = LocalTimesJSONField(
        read_only=True,
        help_text="What was measured: far_check_in {distance_m, limit_m}; short_visit {minutes, minimum}; "
        "impossible_travel {km, minutes, kmh, limit_kmh}; photo_reused {distance, max_distance}; photo_time "
        "{taken_at, side (before|after), minutes, grace_minutes}; late_upload {received_at, hours, limit_hours}; "
        "long_visit {checked_out_at, hours, limit_hours}; "
        "no_position {}.",
    )

    class Meta:
        model = FraudSignal
        fields = [
            "id",
            "kind",
            "status",
            "visit",
            "rep",
            "store",
            "checked_in_at",
            "photo",
            "other_visit",
            "other_photo",
            "evidence",
            "text",
            "photo_url",
            "other_photo_url",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "created_at",
        ]
        read_only_fields = fields

    def get_text(self, signal) -> str:
        return signals.describe(signal)

    def _url(self, name: str, signal) -> str:
        url = reverse(name, args=[signal.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, signal) -> str | None:
        return self._url("evidence:signal-photo", signal) if signal.photo_id else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_other_photo_url(self, signal) -> str | None:
        return self._url("evidence:signal-other-photo", signal) if signal.other_photo_id else None


class FraudSignalReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[FraudSignal.Status.CONFIRMED, FraudSignal.Status.DISMISSED], help_text="confirmed or dismissed."
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=signals.NOTE_MAX,
        help_text="What you found: required to confirm (signal.note_required).",
    )


class FraudSignalPermission(RoleModelPermissions):
    """Reads need the view permission; the review needs change (supervisors and admins hold it): a KA manager
    who reads signals is refused (403) before the signal is looked up."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) == "review":
            user = request.user
            return bool(user and user.is_authenticated and user.has_perm("evidence.change_fraudsignal"))
        return super().has_permission(request, view)


class FraudSignalViewSet(
    RecordETagMixin,
    CachedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Fraud signals for supervisors, newest visit first."""

    queryset = FraudSignal.objects.none()
    serializer_class = FraudSignalSerializer
    permission_classes = [FraudSignalPermission]
    filterset_class = FraudSignalFilter

    def get_queryset(self):
        return signals.signal_list_for(self.request.user)

    @idempotent(scope="fraud-signal.review")
    @extend_schema(
        request=FraudSignalReviewSerializer,
        responses={
            200: FraudSignalSerializer,
            400: OpenApiResponse(description='Refused: {"code": "signal.note_required", "detail", "params"}.'),
            403: OpenApiResponse(description="Your role reads signals but does not review them."),
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Confirm or dismiss the signal (again to change the decision: the latest reviewer, time and note
        stay)."""
        signal = self.get_object()
        data = FraudSignalReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        signal = signals.signal_review(signal=signal, by=request.user, **data.validated_data)
        return Response(FraudSignalSerializer(self.get_queryset().get(pk=signal.pk), context={"request": request}).data)


routes: list = [("fraud-signals", FraudSignalViewSet, "fraud-signal")]
urlpatterns: list = []
