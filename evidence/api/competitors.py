"""API for competitor sightings (竞品动态): /api/v1/competitor-sightings/ (the visit's rep records, corrects and takes
back sightings while the visit is open; everyone with the permission reads those at the stores they reach) and
/api/v1/reports/competitor-summary/ (per chain × brand). Money as Decimal strings, depth as a fraction."""

from django.db import transaction
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ka_portal import api_fields
from ka_portal.api import RoleModelPermissions
from ka_portal.api_cache import CachedListMixin
from ka_portal.api_fields import related
from ka_portal.idempotency import idempotent
from ka_portal.record_etags import RecordETagMixin
from ka_portal.scope import visits_for
from visits.models import Visit

from ..competitor_forms import CompetitorSightingFilter, SummaryFilterForm
from ..competitors import (
    competitor_sighting_add,
    competitor_sighting_delete,
    competitor_sighting_update,
    competitor_sightings_list,
    summary_for,
)
from ..models import CompetitorSighting, DisplayKind

Mechanics = CompetitorSighting.Mechanics
NOT_FOUND = OpenApiResponse(description="Not found, or outside your scope.")
REFUSED = OpenApiResponse(description='Refused by a business rule: {"code", "detail", "params", "field"}.')
_MONEY = {"max_digits": 14, "decimal_places": 2}


class CompetitorSightingSerializer(serializers.ModelSerializer):
    visit = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The visit, by id.")
    account = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="The chain, by code.")
    store = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="The store, by code.")
    rep = serializers.CharField(source="visit.rep.username", read_only=True, help_text="The rep, by username.")
    depth = api_fields.DecimalField(
        max_digits=6,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text="1 − shelf ÷ regular price as a fraction (0.2000 is 20 % off); null without both prices.",
    )
    photo = serializers.SerializerMethodField(help_text="The photo's scoped download, or null.")
    display = serializers.ChoiceField(
        choices=DisplayKind.choices, allow_blank=True, read_only=True, help_text="Empty: no display."
    )

    class Meta:
        model = CompetitorSighting
        fields = [
            "id",
            "visit",
            "account",
            "store",
            "seen_on",
            "rep",
            "brand",
            "product",
            "shelf_price",
            "regular_price",
            "depth",
            "mechanics",
            "mechanics_note",
            "display",
            "note",
            "photo",
            "created_at",
        ]
        read_only_fields = fields

    def get_photo(self, sighting) -> str | None:
        if not sighting.photo_id:
            return None
        url = reverse("visit-photo", args=[sighting.visit_id, sighting.photo_id])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class CompetitorSightingInputSerializer(serializers.Serializer):
    """What a rep sends (JSON, or multipart/form-data with a photo). The rules are the service's."""

    brand = serializers.CharField(max_length=60, allow_blank=True, trim_whitespace=False)
    product = serializers.CharField(max_length=120, allow_blank=True, required=False, default="")
    shelf_price = api_fields.DecimalField(**_MONEY, required=False, allow_null=True, default=None)
    regular_price = api_fields.DecimalField(**_MONEY, required=False, allow_null=True, default=None)
    mechanics = serializers.ChoiceField(choices=Mechanics.choices, allow_blank=True, required=False, default="")
    mechanics_note = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    display = serializers.ChoiceField(
        choices=DisplayKind.choices, allow_blank=True, required=False, default="", help_text="Empty: no display."
    )
    note = serializers.CharField(allow_blank=True, required=False, default="")
    photo = serializers.ImageField(
        required=False, allow_null=True, default=None, help_text="A JPEG or PNG, sent as multipart/form-data."
    )


class CompetitorSightingCreateSerializer(CompetitorSightingInputSerializer):
    visit = related(Visit, scope=visits_for, help_text="The visit (yours, still open), by id.")


class SightingPermissions(RoleModelPermissions):
    """A rep takes a sighting back with the change permission (roles hold no delete for sightings)."""

    perms_map = {**RoleModelPermissions.perms_map, "DELETE": ["%(app_label)s.change_%(model_name)s"]}


class CompetitorSightingViewSet(
    RecordETagMixin,
    CachedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Competitor sightings (竞品动态) at the stores you reach. Filters: account (code), store (code), brand,
    mechanics (promoted, none or one kind), from, to (seen on, YYYY-MM-DD), q."""

    serializer_class = CompetitorSightingSerializer
    permission_classes = [SightingPermissions]
    filterset_class = CompetitorSightingFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ordering_fields = ["seen_on", "brand", "shelf_price"]

    def get_queryset(self):
        return competitor_sightings_list(self.request.user)

    def _out(self, sighting, code=status.HTTP_200_OK) -> Response:
        sighting = self.get_queryset().get(pk=sighting.pk)
        return Response(CompetitorSightingSerializer(sighting, context={"request": self.request}).data, status=code)

    @idempotent()
    @extend_schema(
        request={
            "application/json": CompetitorSightingCreateSerializer,
            "multipart/form-data": CompetitorSightingCreateSerializer,
        },
        responses={201: CompetitorSightingSerializer, 400: REFUSED, 409: REFUSED},
        description="Record a sighting at your open visit (a photo as multipart/form-data). An Idempotency-Key "
        "header makes a retry safe: the same key and body answer the first response.",
    )
    def create(self, request, *args, **kwargs):
        serializer = CompetitorSightingCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        visit = data.pop("visit")
        with transaction.atomic():
            sighting = competitor_sighting_add(visit=visit, by=request.user, **data)
        return self._out(sighting, status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool):
        sighting = self.get_object()
        serializer = CompetitorSightingInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        given = serializer.validated_data
        fields = ["brand", "product", "shelf_price", "regular_price", "mechanics", "mechanics_note", "display", "note"]
        values = {name: given[name] if name in given else getattr(sighting, name) for name in fields}
        competitor_sighting_update(sighting=sighting, by=request.user, photo=given.get("photo"), **values)
        return self._out(sighting)

    @extend_schema(
        request={
            "application/json": CompetitorSightingInputSerializer,
            "multipart/form-data": CompetitorSightingInputSerializer,
        },
        responses={200: CompetitorSightingSerializer, 400: REFUSED, 404: NOT_FOUND, 409: REFUSED},
        description="Correct a sighting of your open visit (every field; a photo replaces the linked one).",
    )
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(
        request={
            "application/json": CompetitorSightingInputSerializer,
            "multipart/form-data": CompetitorSightingInputSerializer,
        },
        responses={200: CompetitorSightingSerializer, 400: REFUSED, 404: NOT_FOUND, 409: REFUSED},
        description="Correct some fields of a sighting of your open visit.",
    )
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    @extend_schema(responses={204: None, 400: REFUSED, 404: NOT_FOUND, 409: REFUSED})
    def destroy(self, request, pk=None):
        """Take a sighting of your open visit back."""
        competitor_sighting_delete(sighting=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


_SUMMARY_ROW = {
    "account": serializers.CharField(help_text="The chain, by code."),
    "account_name": serializers.CharField(),
    "brand": serializers.CharField(),
    "sightings": serializers.IntegerField(),
    "stores": serializers.IntegerField(),
    "first_seen": serializers.DateField(),
    "last_seen": serializers.DateField(),
    "promotions": serializers.IntegerField(),
    "by_mechanics": serializers.DictField(child=serializers.IntegerField(), help_text="Promotions per mechanics."),
    "deepest": api_fields.DecimalField(max_digits=6, decimal_places=4, allow_null=True),
    "average_depth": api_fields.DecimalField(max_digits=6, decimal_places=4, allow_null=True),
    "products": inline_serializer(
        "CompetitorSummaryProduct",
        {
            "product": serializers.CharField(),
            "lowest_shelf_price": api_fields.DecimalField(**_MONEY),
            "promotions": serializers.IntegerField(),
        },
        many=True,
    ),
}


def _depth_text(value) -> str | None:
    return None if value is None else f"{value:.4f}"


class CompetitorSummaryView(APIView):
    """Per chain × competitor brand in a period: sightings, stores, first and last seen, promotions by mechanics,
    the deepest and average depth (fractions) and each product's lowest shelf price."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="Seen on or after (YYYY-MM-DD)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Seen on or before (YYYY-MM-DD)"),
            OpenApiParameter("account", OpenApiTypes.STR, description="One chain, by code"),
        ],
        responses={
            200: inline_serializer(
                "CompetitorSummary",
                {
                    "from": serializers.DateField(allow_null=True),
                    "to": serializers.DateField(allow_null=True),
                    "results": inline_serializer("CompetitorSummaryRow", _SUMMARY_ROW, many=True),
                },
            ),
            400: OpenApiTypes.OBJECT,
            403: OpenApiResponse(description="Your role does not read competitor sightings."),
        },
    )
    def get(self, request):
        if not request.user.has_perm("evidence.view_competitorsighting"):
            raise PermissionDenied
        form = SummaryFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            detail = next(iter(errors.values()))[0]
            return Response({"code": "invalid", "detail": detail, "errors": errors}, status=400)
        data = form.cleaned_data
        rows = summary_for(request.user, start=data.get("from"), end=data.get("to"), account=data.get("account"))
        return Response(
            {
                "from": data.get("from"),
                "to": data.get("to"),
                "results": [
                    {
                        "account": row.account_code,
                        "account_name": row.account_name,
                        "brand": row.brand,
                        "sightings": row.sightings,
                        "stores": row.stores,
                        "first_seen": row.first_seen,
                        "last_seen": row.last_seen,
                        "promotions": row.promotions,
                        "by_mechanics": row.by_mechanics,
                        "deepest": _depth_text(row.deepest),
                        "average_depth": _depth_text(row.average_depth),
                        "products": [
                            {
                                "product": p.product,
                                "lowest_shelf_price": f"{p.lowest_shelf_price:.2f}",
                                "promotions": p.promotions,
                            }
                            for p in row.products
                        ],
                    }
                    for row in rows
                ],
            }
        )


routes = [("competitor-sightings", CompetitorSightingViewSet, "competitor-sighting")]
urlpatterns = [
    path("reports/competitor-summary/", CompetitorSummaryView.as_view(), name="api-competitor-summary"),
]
