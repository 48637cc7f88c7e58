"""API: promotions and displays checked at a visit (issue 13 part 1), for a mobile client.

- GET /api/v1/visits/<id>/ shows `promotions` and `agreements` (serializers here, used by visits/api.py);
- POST /api/v1/visits/<id>/promotion-checks/ the shelf price seen of a promoted product;
- POST /api/v1/visits/<id>/display-checks/ a display found or not, its photo as a multipart upload;
- GET /api/v1/promotions/<id>/execution/ the plan's execution per covered store.

The visit and the plan are found through the caller's scope (else 404); a plan, product or agreement that does
not run at the visit's store that day is refused as `not_found`.
"""

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ka_portal import api_fields
from ka_portal.api import RoleModelPermissions
from ka_portal.idempotency import idempotent
from ka_portal.scope import promotion_plans_for, stores_for, visits_for
from promotions.models import PromotionPlan
from visits.models import Visit

from .. import visit_checks as checks
from ..models import DisplayKind

NOT_FOUND = OpenApiResponse(description="Not found, or outside your scope.")
REFUSED = OpenApiResponse(description='Refused by a business rule: {"code", "detail", "params"}.')
FORBIDDEN = OpenApiResponse(description="Not your visit, or your role does not record visits.")


def _photo_url(context, photo) -> str | None:
    if photo is None:
        return None
    url = reverse("visit-photo", args=[photo.visit_id, photo.pk])
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


class ExecutionReasonSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="price_off, product_not_found, display_missing, display_no_photo or not_checked."
    )
    params = serializers.DictField(help_text="product, seen, plan (prices); display (a display kind).")
    text = serializers.CharField(help_text="The reason as a sentence in the request's language.")


class ExecutionSerializer(serializers.Serializer):
    executed = serializers.BooleanField(
        help_text="Every price within the tolerance, every display in place with a photo."
    )
    reasons = serializers.SerializerMethodField()
    checked_at = serializers.DateTimeField()

    @extend_schema_field(ExecutionReasonSerializer(many=True))
    def get_reasons(self, execution) -> list[dict]:
        return [{**reason, "text": checks.execution_reason_text(reason)} for reason in execution.reasons]


class PriceCheckSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item.pk", help_text="The promotion product's id (send it back to record).")
    product = serializers.CharField(source="item.product.code", help_text="The product, by code.")
    product_name = serializers.CharField(source="item.product.name")
    normal_price = api_fields.DecimalField(source="item.normal_price", max_digits=14, decimal_places=2)
    promotion_price = api_fields.DecimalField(source="item.promotion_price", max_digits=14, decimal_places=2)
    checked = serializers.SerializerMethodField(help_text="The rep has recorded this product at this visit.")
    shelf_price = serializers.SerializerMethodField(help_text="The shelf price seen; null: not found or not checked.")

    def get_checked(self, row) -> bool:
        return row["check"] is not None

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_shelf_price(self, row):
        check = row["check"]
        return None if check is None or check.shelf_price is None else str(check.shelf_price)


class DisplayStateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DisplayKind.choices)
    label = serializers.CharField()
    checked = serializers.SerializerMethodField()
    present = serializers.SerializerMethodField()
    photo = serializers.SerializerMethodField(help_text="The photo's scoped download; null without one.")

    def get_checked(self, row) -> bool:
        return row.check is not None

    def get_present(self, row) -> bool | None:
        return None if row.check is None else row.check.present

    def get_photo(self, row) -> str | None:
        return _photo_url(self.context, row.check.photo if row.check else None)


class PlanAtVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="plan.pk")
    title = serializers.CharField(source="plan.title")
    type = serializers.CharField(source="plan.type.local_name")
    start_on = serializers.DateField(source="plan.start_on")
    end_on = serializers.DateField(source="plan.end_on")
    mechanics = serializers.CharField(source="plan.mechanics")
    items = serializers.SerializerMethodField()
    displays = DisplayStateSerializer(many=True, help_text="The displays the plan bought, with this visit's check.")
    execution = ExecutionSerializer(allow_null=True, help_text="Computed from this visit's checks; null: none yet.")

    @extend_schema_field(PriceCheckSerializer(many=True))
    def get_items(self, row) -> list[dict]:
        rows = [{"item": item, "check": check} for item, check in row.items]
        return PriceCheckSerializer(rows, many=True, context=self.context).data


class AgreementAtVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="agreement.pk")
    kind = serializers.ChoiceField(source="agreement.kind", choices=DisplayKind.choices)
    facings = serializers.IntegerField(source="agreement.facings", allow_null=True)
    start_on = serializers.DateField(source="agreement.start_on")
    end_on = serializers.DateField(source="agreement.end_on")
    whole_chain = serializers.SerializerMethodField(help_text="The agreement covers every store of the chain.")
    checked = serializers.SerializerMethodField()
    present = serializers.SerializerMethodField()
    facings_seen = serializers.SerializerMethodField()
    photo = serializers.SerializerMethodField()

    def get_whole_chain(self, row) -> bool:
        return row.agreement.store_id is None

    def get_checked(self, row) -> bool:
        return row.check is not None

    def get_present(self, row) -> bool | None:
        return None if row.check is None else row.check.present

    def get_facings_seen(self, row) -> int | None:
        return None if row.check is None else row.check.facings

    def get_photo(self, row) -> str | None:
        return _photo_url(self.context, row.check.photo if row.check else None)


# --- writes ----------------------------------------------------------------------------------------------------


class PromotionCheckInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The promotion product's id (from the visit's `promotions`).")
    shelf_price = api_fields.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="The shelf price seen; null: not on the shelf."
    )


class DisplayCheckInputSerializer(serializers.Serializer):
    plan = serializers.IntegerField(required=False, allow_null=True, help_text="A running plan's id (with `kind`).")
    kind = serializers.ChoiceField(
        choices=DisplayKind.choices, required=False, allow_blank=True, help_text="The display the plan bought."
    )
    agreement = serializers.IntegerField(required=False, allow_null=True, help_text="An agreement's id (instead).")
    present = serializers.BooleanField(help_text="The display is in place.")
    facings = serializers.IntegerField(required=False, allow_null=True, help_text="Facings seen (shelf facings).")
    photo = serializers.ImageField(required=False, allow_null=True, help_text="Taken now, in the store.")

    def validate(self, attrs):
        if bool(attrs.get("plan")) == bool(attrs.get("agreement")):
            raise serializers.ValidationError({"plan": "Give a plan (with kind) or an agreement."})
        return attrs


class _VisitWrite(APIView):
    permission_classes = [RoleModelPermissions]
    queryset = Visit.objects.none()  # POST needs the role's permission to record visits
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def own_visit(self, request, pk) -> Visit:
        visit = get_object_or_404(visits_for(request.user).select_related("store"), pk=pk)
        if visit.rep_id != request.user.pk:
            raise PermissionDenied
        return visit

    def answer(self, request, visit: Visit, plan_id: int | None) -> Response:
        found = checks.visit_checks(visit)
        plans = [row for row in found.plans if row.plan.pk == plan_id] if plan_id else []
        data = {
            "promotions": PlanAtVisitSerializer(plans or found.plans, many=True, context={"request": request}).data,
            "agreements": AgreementAtVisitSerializer(found.agreements, many=True, context={"request": request}).data,
        }
        return Response(data)


class ChecksAnswerSerializer(serializers.Serializer):
    promotions = PlanAtVisitSerializer(many=True, help_text="The plan checked (its execution recomputed).")
    agreements = AgreementAtVisitSerializer(many=True)


class PromotionCheckView(_VisitWrite):
    @idempotent(scope="visit.promotion-check")
    @extend_schema(
        request=PromotionCheckInputSerializer,
        responses={200: ChecksAnswerSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND, 409: REFUSED},
    )
    def post(self, request, pk):
        """Record the shelf price seen of one promoted product at your open visit (null: not on the shelf); the
        plan's execution and the visit's rating are computed again. Refused: a closed visit (visit.closed), a
        product of no plan running here today (not_found), a negative price (evidence.negative_price), a price of 0
        (evidence.zero_price: send null for a product not on the shelf), a price above KA_SHELF_PRICE_MAX_RATIO × the
        plan's normal shelf price of the product, else its suggested retail price (evidence.price_implausible)."""
        visit = self.own_visit(request, pk)
        data = PromotionCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = checks.promotion_check_record(
            visit=visit, item=data.validated_data["item"], shelf_price=data.validated_data["shelf_price"]
        )
        return self.answer(request, visit, check.item.plan_id)


class DisplayCheckView(_VisitWrite):
    @idempotent(scope="visit.display-check")
    @extend_schema(
        request={"multipart/form-data": DisplayCheckInputSerializer, "application/json": DisplayCheckInputSerializer},
        responses={200: ChecksAnswerSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND, 409: REFUSED},
    )
    def post(self, request, pk):
        """Record whether a display is in place at your open visit, with its photo (multipart `photo`): one a
        running plan bought (`plan` + `kind`) or an agreement to check (`agreement`, `facings` for shelf
        facings). Refused: a closed visit, a plan, display or agreement not running here today (not_found),
        facings out of range (evidence.bad_facings), a photo too large (visit.photo_too_large)."""
        visit = self.own_visit(request, pk)
        data = DisplayCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        checks.display_check_record(
            visit=visit,
            present=values["present"],
            plan=values.get("plan"),
            kind=values.get("kind") or "",
            agreement=values.get("agreement"),
            facings=values.get("facings"),
            image=values.get("photo"),
        )
        return self.answer(request, visit, values.get("plan"))


class StoreExecutionSerializer(serializers.Serializer):
    store = serializers.CharField(source="store.code", help_text="The store, by code.")
    store_name = serializers.CharField(source="store.name")
    checked_on = serializers.SerializerMethodField(
        help_text="The day of the latest visit that checked the plan; null: not checked yet."
    )
    visit = serializers.SerializerMethodField(help_text="That visit's id; null: not visited yet.")
    rep = serializers.SerializerMethodField()
    executed = serializers.SerializerMethodField(help_text="null: not checked yet.")
    reasons = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_checked_on(self, row):
        return checks.visit_day(row.execution.visit) if row.execution else None

    def get_visit(self, row) -> int | None:
        return row.execution.visit_id if row.execution else None

    def get_rep(self, row) -> str | None:
        return row.execution.visit.rep.username if row.execution else None

    def get_executed(self, row) -> bool | None:
        return row.execution.executed if row.execution else None

    @extend_schema_field(ExecutionReasonSerializer(many=True))
    def get_reasons(self, row) -> list[dict]:
        reasons = row.execution.reasons if row.execution else []
        return [{**reason, "text": checks.execution_reason_text(reason)} for reason in reasons]


class PlanExecutionSerializer(serializers.Serializer):
    checked = serializers.IntegerField(help_text="Covered stores where a visit checked the plan.")
    executed = serializers.IntegerField()
    not_executed = serializers.IntegerField()
    not_visited = serializers.IntegerField(help_text="Covered stores no visit has checked yet.")
    stores = StoreExecutionSerializer(many=True)


class PlanExecutionView(APIView):
    permission_classes = [RoleModelPermissions]
    queryset = PromotionPlan.objects.none()

    @extend_schema(responses={200: PlanExecutionSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        """The plan's execution in the stores it covers that you reach: per store the latest visit's check,
        and the counts (checked, executed, not executed, not yet visited)."""
        plan = get_object_or_404(promotion_plans_for(request.user), pk=pk)
        figures = checks.plan_execution_by_store(plan, stores_for(request.user))
        return Response(PlanExecutionSerializer(figures).data)


routes = []  # (prefix, viewset, basename) for the app router
urlpatterns = [
    path("visits/<int:pk>/promotion-checks/", PromotionCheckView.as_view(), name="visit-promotion-checks"),
    path("visits/<int:pk>/display-checks/", DisplayCheckView.as_view(), name="visit-display-checks"),
    path("promotions/<int:pk>/execution/", PlanExecutionView.as_view(), name="promotion-plan-execution"),
]
