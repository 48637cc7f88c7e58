"""API for routes, visits, tasks and suggested orders under /api/v1/: scoped by scope.py, writes via services."""

import re
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import CharField, F, IntegerField, Prefetch, Q, Value
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.fields import SkipField
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response

from evidence.api.visit_checks import AgreementAtVisitSerializer, PlanAtVisitSerializer
from ka_portal import api_fields, bounds, downloads
from ka_portal.api import RoleModelPermissions
from ka_portal.api_cache import CachedListMixin
from ka_portal.api_fields import RowsNamingRecords, related
from ka_portal.errors import DomainConflict
from ka_portal.formatting import PacksNotationError, format_packs, parse_packs
from ka_portal.idempotency import IdempotentCreateMixin, idempotent
from ka_portal.record_etags import RecordETagMixin
from ka_portal.scope import (
    products_for,
    route_plans_for,
    route_stops_for,
    stores_for,
    suggested_orders_for,
    tasks_for,
    visits_for,
)
from ka_portal.values_pages import ValuesPageMixin, write_children, write_one
from stores.models import Product, Store

from . import rules, selectors, services
from .filters import RoutePlanFilter, SuggestedOrderFilter, TaskFilter, VisitFilter
from .models import (
    ChecklistResult,
    RoutePlan,
    RoutePlanTransition,
    RouteStop,
    StockCount,
    StockNotCounted,
    SuggestedOrder,
    Task,
    Visit,
    VisitPhoto,
    VisitReview,
)

User = get_user_model()

NOT_FOUND = OpenApiResponse(description="Not found, or outside your scope.")
REFUSED = OpenApiResponse(description='Refused by a business rule: {"code", "detail", "params"}.')


# --- routes ------------------------------------------------------------------------------------


def _coordinate(limit, **options) -> serializers.DecimalField:
    """An optional latitude or longitude, within ±limit degrees (ka_portal/bounds.py), as the models store it."""
    return api_fields.CoordinateField(limit, required=False, allow_null=True, **options)  # rounded to 6 places


class RouteStopSerializer(serializers.ModelSerializer):
    store = related(Store, scope=None, read_only=True, help_text="The store, by code.")
    store_name = serializers.CharField(source="store.name", read_only=True)
    store_grade = serializers.CharField(source="store.grade", read_only=True)

    class Meta:
        model = RouteStop
        fields = ["id", "day", "position", "store", "store_name", "store_grade", "by_hand"]
        extra_kwargs = {
            "position": {
                "help_text": "The place in the day among the stops you see, from 0 (a KA manager sees the stops at "
                "their accounts' stores): the number a move (PATCH) takes."
            },
            "by_hand": {"help_text": "Added or moved by a planner: generating the week again keeps it where it is."},
        }


def plan_stops_for(user):
    """The stops a plan shows the user, in a plan's order (day, position; the id where two share both)."""
    return route_stops_for(user).select_related("store").order_by("day", "position", "pk")


def plan_history():
    """Plans' publishing and taking back, oldest first, with who did each."""
    return RoutePlanTransition.objects.select_related("by").order_by("at", "id")


def places_seen(stops: list[dict]) -> list[dict]:
    """Each stop's `position` as the caller counts it: its place among the stops they see on its day (the list in a
    plan's order). A supervisor or rep sees the whole day, numbered so already; a KA manager's count skips the rep's
    other stops, as the route page numbers them and as a move (route_stop_move's `position`) reads them."""
    seen: dict[int, int] = {}
    for stop in stops:
        stop["position"] = seen.get(stop["day"], 0)
        seen[stop["day"]] = stop["position"] + 1
    return stops


class RoutePlanTransitionSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        source="to_status", choices=RoutePlan.Status.choices, read_only=True, help_text="The status the plan took."
    )
    by = related(User, scope=None, read_only=True, help_text="Who published it or took it back, by username.")

    class Meta:
        model = RoutePlanTransition
        fields = ["status", "by", "at"]
        extra_kwargs = {"at": {"help_text": "When."}}


class RoutePlanSerializer(serializers.ModelSerializer):
    stops = RouteStopSerializer(many=True, read_only=True)
    rep = related(User, scope=None, read_only=True, help_text="The sales rep, by username.")
    history = RoutePlanTransitionSerializer(
        many=True,
        read_only=True,
        source="transitions",
        help_text="Each time the plan was published to the rep or taken back to draft: who and when, oldest first.",
    )

    # A page through ka_portal/values_pages.py: the plans as values() rows, their stops read for the whole page in
    # one query and written by RouteStopSerializer's own fields (some twenty stops a plan: making a model
    # instance of each stop and its store was most of the page).
    values_derived = {"stops": ((), lambda row: row["_stops"]), "history": ((), lambda row: row["_history"])}

    def values_page_rows(self, rows: list[dict]) -> None:
        ids = [row["pk"] for row in rows]
        stops = write_children(RouteStopSerializer, plan_stops_for(self.context["request"].user), "plan", ids)
        history = write_children(RoutePlanTransitionSerializer, plan_history(), "plan", ids)
        for row in rows:
            row["_stops"] = places_seen(stops[row["pk"]])
            row["_history"] = history[row["pk"]]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        places_seen(data["stops"])
        return data

    class Meta:
        model = RoutePlan
        fields = ["id", "rep", "week_start", "status", "published_at", "history", "stops"]


class OverloadSerializer(serializers.Serializer):
    """Why a week is over capacity (SPEC §4: flagged, never cut): numbers only, naming no store."""

    visits = serializers.IntegerField(help_text="Visits planned in the rep's whole week.")
    per_week = serializers.IntegerField(help_text="The week's capacity (KA_ROUTE_STOPS_PER_WEEK).")
    busiest_day = serializers.IntegerField(help_text="The busiest day: 0 = Monday … 5 = Saturday.")
    busiest_day_stops = serializers.IntegerField(help_text="Its stops.")
    per_day = serializers.IntegerField(help_text="A day's capacity (KA_ROUTE_STOPS_PER_DAY).")


class RouteGenerateSerializer(serializers.Serializer):
    rep = related(User, scope=selectors.reps_for, help_text="The sales rep, by username.")
    week_start = serializers.DateField(help_text="The Monday the week starts on.")


class GeneratedWeekSerializer(serializers.Serializer):
    plan = RoutePlanSerializer()
    overload = OverloadSerializer(allow_null=True, help_text="Set when the week is over capacity; nothing was cut.")
    kept_by_hand = serializers.IntegerField(
        help_text="Stops placed by hand (added or moved) at the stores you plan that were kept on their day; the "
        "week was planned around them."
    )


class RouteStopAddSerializer(serializers.Serializer):
    store = related(
        Store,
        scope=stores_for,
        help_text="The store, by code: one of the plan's rep's that you plan. Another rep's store, or one you do not "
        "plan, is not found, as a code that does not exist.",
    )
    day = serializers.IntegerField(help_text="0 = Monday … 5 = Saturday.")

    def __init__(self, *args, plan: RoutePlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None:
            # the stores a stop may be added at: the plan's rep's, within the caller's; any other code, however
            # near, reads "Not found." in `errors.store`, as a code that does not exist (the API's convention for
            # a reference), never a refusal of its own saying that the store exists
            self.fields["store"].scope = lambda user: stores_for(user).filter(rep_id=plan.rep_id)


# The place in a day as a move reads it, from 0 (the page's # box counts from 1: visits.forms.PLACE_RANGE), said whole
# whichever end was passed.
_PLACE_RANGE = lazy(
    lambda: (
        gettext("Give the place in the day as a number from 0 (the first stop) to %(max)s.") % {"max": bounds.INT16_MAX}
    ),
    str,
)()


class RouteStopMoveSerializer(serializers.Serializer):
    day = serializers.IntegerField(required=False, help_text="0 = Monday … 5 = Saturday; omitted: the stop's own day.")
    position = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=bounds.INT16_MAX,
        error_messages={"min_value": _PLACE_RANGE, "max_value": _PLACE_RANGE},
        help_text="The place in that day, from 0, counting the stops you see there (a KA manager sees the stops at "
        "their accounts' stores); omitted or null: at the end of the day.",
    )


class RecordsVisits(permissions.BasePermission):
    """Writes to a visit that are no create: the role's change on visits (a rep's), whatever the HTTP method (removing
    a photo is a DELETE, and no role deletes visits)."""

    def has_permission(self, request, view):
        return request.user.has_perm("visits.change_visit")


class PlansRoutes(permissions.BasePermission):
    """The route pages' permissions: generating a week needs the role's add on route plans; adding, moving or
    removing a stop and publishing need change (a KA manager has no delete on plans, and removing a stop is a change
    of the plan, as on the page)."""

    def has_permission(self, request, view):
        perm = "visits.add_routeplan" if view.action == "generate" else "visits.change_routeplan"
        return request.user.has_perm(perm)


PLANNER_ONLY = OpenApiResponse(description="Your role does not plan routes.")
PUBLISHED = OpenApiResponse(description="The plan is published: take it back to draft first (route.published).")


class RoutePlanViewSet(RecordETagMixin, CachedListMixin, ValuesPageMixin, viewsets.ReadOnlyModelViewSet):
    """Weekly route plans (周拜访路线表): a rep sees their published plans, a supervisor their team's; a manager
    the plans with stops at their accounts' stores, and of each plan only those stops.

    Planners write as on the route pages, through the same services and within the same scope: `generate/` a
    week, add (`{id}/stops/`), move (PATCH `{id}/stops/{stop_id}/`) and remove (DELETE) a stop, `publish/` and
    `unpublish/`. A plan or stop outside your scope is not found (404)."""

    serializer_class = RoutePlanSerializer
    permission_classes = [RoleModelPermissions]
    filterset_class = RoutePlanFilter
    ordering_fields = ["week_start"]

    def get_queryset(self):
        return (
            route_plans_for(self.request.user)
            .select_related("rep")
            .prefetch_related(
                Prefetch("stops", queryset=plan_stops_for(self.request.user)),
                Prefetch("transitions", queryset=plan_history()),
            )
            .order_by("-week_start")
        )

    def _plan_out(self, plan: RoutePlan) -> dict:
        """The plan as the caller reads it (only the stops they see), read again after the write."""
        seen = self.get_queryset().filter(pk=plan.pk).first()
        if seen is None:  # a manager's week with none of their stores on it (their stores are planned 0 a week)
            plan._prefetched_objects_cache = {"stops": RouteStop.objects.none()}
            seen = plan
        return RoutePlanSerializer(seen, context=self.get_serializer_context()).data

    def _stop(self, plan: RoutePlan, stop_pk) -> RouteStop:
        stops = route_stops_for(self.request.user).filter(plan=plan).select_related("store")
        return get_object_or_404(stops, pk=stop_pk)

    def _stop_out(self, plan: RoutePlan, stop_pk) -> dict:
        """A stop as the caller reads it in the plan: its position among the stops they see on its day."""
        stop = self._stop(plan, stop_pk)
        data = RouteStopSerializer(stop).data
        before = route_stops_for(self.request.user).filter(plan=plan, day=stop.day)
        data["position"] = before.filter(
            Q(position__lt=stop.position) | Q(position=stop.position, pk__lt=stop.pk)
        ).count()
        return data

    @idempotent(scope="route.generate")
    @extend_schema(
        request=RouteGenerateSerializer,
        responses={
            201: GeneratedWeekSerializer,
            200: GeneratedWeekSerializer,
            400: REFUSED,
            403: PLANNER_ONLY,
            409: PUBLISHED,
        },
        description="Generate a rep's week from their stores' visit frequencies, as the route page's Generate: "
        "201 with a new draft plan, 200 with the week remade. A supervisor plans the rep's whole week, a KA manager "
        "the stops at their accounts' stores around the rep's other stops. Remaking a week keeps every stop placed "
        "by hand (added or moved) on its day and plans the rest around it (`kept_by_hand`); each day's positions "
        "then read 0, 1, 2 … without gaps. The days that have passed (before today, Asia/Shanghai) keep their stops "
        "exactly as they are, the week's record, and the rest is planned from today; a week whose days have all "
        "passed is refused (route.week_passed). Over capacity is flagged in `overload`, never cut.",
    )
    @action(detail=False, methods=["post"], permission_classes=[PlansRoutes])
    def generate(self, request):
        body = RouteGenerateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        week = services.route_plan_generate(by=request.user, **body.validated_data)
        overload = week.overload
        answer = {
            "plan": self._plan_out(week.plan),
            "overload": OverloadSerializer(overload).data if overload else None,
            "kept_by_hand": week.kept_by_hand,
        }
        return Response(answer, status=status.HTTP_201_CREATED if week.created else status.HTTP_200_OK)

    @idempotent(scope="route.stop-add")
    @extend_schema(
        request=RouteStopAddSerializer,
        responses={201: RouteStopSerializer, 400: REFUSED, 403: PLANNER_ONLY, 404: NOT_FOUND, 409: PUBLISHED},
        description="Add a visit to one of the rep's stores at the end of a day (a store once a day: "
        "route.store_twice), today or a day to come (a day that has passed: route.day_passed). The stop counts as "
        "placed by hand: generating the week again keeps it.",
    )
    @action(detail=True, methods=["post"], url_path="stops", permission_classes=[PlansRoutes])
    def stops(self, request, pk=None):
        plan = self.get_object()
        body = RouteStopAddSerializer(data=request.data, context={"request": request}, plan=plan)
        body.is_valid(raise_exception=True)
        stop = services.route_stop_add(plan=plan, by=request.user, **body.validated_data)
        return Response(self._stop_out(plan, stop.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("stop_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The stop")],
        request=RouteStopMoveSerializer,
        responses={200: RouteStopSerializer, 400: REFUSED, 403: PLANNER_ONLY, 404: NOT_FOUND, 409: PUBLISHED},
        description="Move a stop to a day, at a place in it (or at its end). The stop counts as placed by hand: "
        "generating the week again keeps it there. A day that has passed is the week's record: no stop moves out "
        "of it, into it or within it (route.day_passed).",
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"stops/(?P<stop_pk>[0-9]{1,18})",
        url_name="stop",
        permission_classes=[PlansRoutes],
    )
    def stop(self, request, pk=None, stop_pk=None):
        plan = self.get_object()
        stop = self._stop(plan, stop_pk)
        body = RouteStopMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        day = body.validated_data.get("day", stop.day)
        services.route_stop_move(stop=stop, day=day, position=body.validated_data.get("position"), by=request.user)
        return Response(self._stop_out(plan, stop.pk))

    @extend_schema(
        parameters=[OpenApiParameter("stop_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The stop")],
        request=None,
        responses={204: None, 400: REFUSED, 403: PLANNER_ONLY, 404: NOT_FOUND, 409: PUBLISHED},
        description="Remove a stop of today or a day to come; the day's other stops close up. A day that has passed "
        "keeps its stops, visited or missed (route.day_passed).",
    )
    @stop.mapping.delete
    def stop_remove(self, request, pk=None, stop_pk=None):
        plan = self.get_object()
        services.route_stop_remove(stop=self._stop(plan, stop_pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: RoutePlanSerializer, 400: REFUSED, 403: PLANNER_ONLY, 404: NOT_FOUND},
        description="Publish the plan to the rep (an empty plan is refused: route.empty). Twice changes nothing.",
    )
    @action(detail=True, methods=["post"], permission_classes=[PlansRoutes])
    def publish(self, request, pk=None):
        plan = services.route_plan_publish(plan=self.get_object(), by=request.user)
        return Response(self._plan_out(plan))

    @extend_schema(
        request=None,
        responses={200: RoutePlanSerializer, 400: REFUSED, 403: PLANNER_ONLY, 404: NOT_FOUND},
        description="Take the plan back to draft so it can be changed: the rep no longer sees the week until it is "
        "published again. A KA manager may only while the stops still to come (today and after) are all at their "
        "accounts' stores; a week holding others' is the rep's supervisor's to take back (route.others_stops). "
        "Who did it and when is kept in `history`. Twice changes nothing.",
    )
    @action(detail=True, methods=["post"], permission_classes=[PlansRoutes])
    def unpublish(self, request, pk=None):
        plan = services.route_plan_unpublish(plan=self.get_object(), by=request.user)
        return Response(self._plan_out(plan))


# --- visits ------------------------------------------------------------------------------------


class ChecklistRows(serializers.ListSerializer):
    """A checklist in a request: a row naming an item and a result among their choices (as text) is read as it
    stands; any other row goes through the row serializer, so its refusal is DRF's as before."""

    def run_child_validation(self, data):
        if type(data) is dict and len(data) == 2:
            item, result = data.get("item"), data.get("result")
            if type(item) is str and type(result) is str and item in _ITEMS and result in _RESULTS:
                return {"item": item, "result": result}
        return super().run_child_validation(data)


_ITEMS, _RESULTS = frozenset(ChecklistResult.Item.values), frozenset(ChecklistResult.Result.values)


class ChecklistResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistResult
        fields = ["item", "result"]
        list_serializer_class = ChecklistRows


class StockCountSerializer(serializers.ModelSerializer):
    product = related(Product, scope=None, read_only=True, help_text="The product, by code.")
    quantity = serializers.SerializerMethodField(help_text="The count in cases/packs notation, e.g. 1/1.")

    class Meta:
        model = StockCount
        fields = ["product", "packs", "quantity"]

    def get_quantity(self, count) -> str:
        return format_packs(count.packs, count.product.packs_per_case)


class StockCountRows(RowsNamingRecords):
    """A visit's stock counts in a request: every product named looked up in one query (RowsNamingRecords); a row
    of the usual shape — a product found, and a quantity in cases/packs digits or a whole number of packs within
    bounds, nothing else — is read in one pass; any other row goes through the row serializer, so its refusal is
    DRF's as before (and the notation is checked after, as for every row)."""

    def run_child_validation(self, data):
        code = data.get("product") if type(data) is dict and len(data) == 2 else None
        if type(code) is str:
            product = self.child.fields["product"].__dict__.get("preloaded", {}).get(code)
            quantity, packs = data.get("quantity"), data.get("packs")
            if product is not None and type(quantity) is str and _QUANTITY.fullmatch(quantity.strip()):
                return {"product": product, "quantity": quantity.strip()}
            if product is not None and type(packs) is int and 0 <= packs <= bounds.PACKS_MAX:
                return {"product": product, "packs": packs}
        return super().run_child_validation(data)


_QUANTITY = re.compile(r"[0-9]{1,12}(?:/[0-9]{1,12})?")


class StockCountInputSerializer(serializers.Serializer):
    product = related(Product, scope=products_for, help_text="The product, by code (listed in the store).")
    packs = serializers.IntegerField(required=False, min_value=0, max_value=bounds.PACKS_MAX)
    quantity = serializers.CharField(required=False, help_text="cases/packs: 1, 0/10, 1/1 (instead of packs)")
    not_counted = serializers.BooleanField(
        required=False,
        help_text="true: the product is explicitly not counted at this visit (instead of packs or quantity; it "
        "answers for the product at check-out); false takes the mark back.",
    )

    def validate(self, attrs):
        if "packs" not in attrs and "quantity" not in attrs and "not_counted" not in attrs:
            raise serializers.ValidationError({"packs": _("Give packs, quantity or not_counted.")})
        if attrs.get("not_counted") and ("packs" in attrs or "quantity" in attrs):
            raise serializers.ValidationError({"not_counted": _("A product is either counted or not counted.")})
        return attrs

    class Meta:
        list_serializer_class = StockCountRows  # one query for every product the rows name


class VisitPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The photo's scoped download, never a /media/ path.")
    thumbnail_url = serializers.SerializerMethodField(
        help_text="A small JPEG of the photo (at most 320 px on its longest side), scoped like the photo."
    )
    taken_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="The camera's time from the photo's EXIF (DateTimeOriginal, in OffsetTimeOriginal's zone or "
        "Asia/Shanghai); null when the file has none.",
    )

    checklist_item = serializers.ChoiceField(
        choices=ChecklistResult.Item.choices,
        read_only=True,
        allow_null=True,
        help_text="The checklist item the photo shows; null for a photo of the visit in general.",
    )

    class Meta:
        model = VisitPhoto
        fields = [
            "id",
            "caption",
            "url",
            "thumbnail_url",
            "taken_at",
            "uploaded_at",
            "latitude",
            "longitude",
            "checklist_item",
        ]
        read_only_fields = fields

    # A page of visits (ka_portal/values_pages.py) writes its photos from values() rows: each URL from the page's
    # two templates (`photo_url_templates`: reversed and made absolute once), not reversed per photo.
    values_derived = {
        "url": (("visit",), lambda row: _photo_url(row["_url"], row["visit"], row["pk"])),
        "thumbnail_url": (("visit",), lambda row: _photo_url(row["_thumbnail_url"], row["visit"], row["pk"])),
    }

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_url(self, photo: VisitPhoto) -> str:
        return self._absolute(reverse("visit-photo", args=[photo.visit_id, photo.pk]))

    def get_thumbnail_url(self, photo: VisitPhoto) -> str:
        return self._absolute(reverse("visit-photo-thumb", args=[photo.visit_id, photo.pk]))


# Stand-ins for a visit's and a photo's id in a URL template: 18 digits each (the photo routes take no more), which
# no host, prefix or other part of the URL holds.
_VISIT_ID, _PHOTO_ID = "918273645546372819", "192837465564738291"


def photo_url_templates(context: dict) -> dict[str, str]:
    """The photo's and its thumbnail's URL as VisitPhotoSerializer writes them, with stand-in ids (`_photo_url`)."""
    photo = VisitPhotoSerializer(context=context)
    return {
        "_url": photo._absolute(reverse("visit-photo", args=[_VISIT_ID, _PHOTO_ID])),
        "_thumbnail_url": photo._absolute(reverse("visit-photo-thumb", args=[_VISIT_ID, _PHOTO_ID])),
    }


def _photo_url(template: str, visit_id: int, photo_id: int) -> str:
    return template.replace(_VISIT_ID, str(visit_id)).replace(_PHOTO_ID, str(photo_id))


class VisitPhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text="The photo, multipart: JPEG or PNG (HEIC converted to JPEG by the phone), at most "
        "KA_UPLOAD_MAX_BYTES. Refused: visit.photo_format, visit.photo_too_large, visit.photo_corrupt."
    )
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    checklist_item = serializers.ChoiceField(
        choices=ChecklistResult.Item.choices,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="The checklist item the photo shows (together, tidy, price_tag, promotion_display, stock_level).",
    )
    taken_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The original's camera time when the uploaded file has no EXIF (a photo resized on the phone); "
        "kept only when the file has none. Without a zone it is the camera's, Asia/Shanghai.",
    )
    latitude = _coordinate(bounds.LATITUDE_MAX, default=None, help_text="Where the phone was (optional).")
    longitude = _coordinate(bounds.LONGITUDE_MAX, default=None, help_text="Where the phone was (optional).")

    def validate_checklist_item(self, value):
        return value or None


class VisitReviewSerializer(serializers.ModelSerializer):
    """A review of a visit (SPEC §1: a KA supervisor reviews visit reports; one per reviewer): who marked it reviewed
    and when, their comment for the rep, and when they last changed the comment."""

    reviewed_by = related(User, scope=None, read_only=True, source="by", help_text="Who reviewed it, by username.")
    reviewed_at = serializers.DateTimeField(read_only=True, help_text="When it was first marked reviewed.")
    comment = serializers.CharField(read_only=True, help_text="The reviewer's comment for the rep; empty for none.")
    edited_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When its writer last changed the comment; null if never."
    )

    class Meta:
        model = VisitReview
        fields = ["reviewed_by", "reviewed_at", "comment", "edited_at"]
        read_only_fields = fields


def _page_reviews(visit_ids: list[int]) -> dict[int, list[dict]]:
    """visit id → its reviews as VisitReviewSerializer writes them, the first first (empty: not reviewed), for a page
    in one query."""
    return write_children(VisitReviewSerializer, VisitReview.objects.order_by("reviewed_at", "pk"), "visit", visit_ids)


class VisitReviewInputSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,  # the service trims it, and refuses one too long naming its length
        help_text=f"An optional comment for the rep (at most {VisitReview.COMMENT_MAX} characters); "
        "PATCH replaces the comment (empty: none).",
    )


class VisitReviewAnswerSerializer(VisitReviewSerializer):
    """A review's answer: the review, its visit, and the next visit of the reviewer's queue."""

    visit = serializers.IntegerField(read_only=True, source="visit_id", help_text="The visit reviewed.")
    next_to_review = serializers.SerializerMethodField(
        help_text="The next visit waiting for your review (checked out in the last 7 days, not reviewed by you yet, "
        "whoever else has: red first, then yellow, then green, newest first; the visit list's "
        '`open=false&reviewed_by_me=false&since=…`), as the visit page\'s "Review next"; null when none waits.'
    )

    class Meta(VisitReviewSerializer.Meta):
        fields = ["visit", *VisitReviewSerializer.Meta.fields, "next_to_review"]
        read_only_fields = fields

    def get_next_to_review(self, review) -> int | None:
        following = selectors.next_to_review(self.context["request"].user, besides=review.visit)
        return following.pk if following is not None else None


class ReviewsVisits(permissions.BasePermission):
    """A review's doors: whoever reads visits knocks (the role's view on visits); who reviews is the service's rule
    (visits.services.review_refusal: a sales rep is refused there, 403 `visit.review_not_allowed`)."""

    def has_permission(self, request, view):
        return request.user.has_perm("visits.view_visit")


class RatingReasonSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="out_of_stock, promotion_not_executed, plan_not_executed (params: plan, plan_id), "
        "checklist_failed, price_check_failed, checked_out_incomplete, short_visit or no_position."
    )
    params = serializers.DictField(help_text="The names and numbers in the sentence (product, item, reason, minutes).")
    text = serializers.CharField(help_text="The reason as a sentence in the request's language.")


class VisitListSerializer(serializers.ListSerializer):
    """A page of visits. Their checklist, stock counts and not-counted marks are read as plain rows (one query
    each for the whole page), their photos in one query, and written as the nested serializers would: a page of
    50 visits holds some two thousand such rows, and making a model instance of each (with its product) cost
    most of the request."""

    def to_representation(self, data):
        visits = list(data.all() if hasattr(data, "all") else data)
        # The codes of every product missing at a check-out on this page, in one query.
        self.context["product_codes"] = _missing_product_codes(visit.checkout_missing for visit in visits)
        children = _page_nested([visit.pk for visit in visits], self.context)
        for visit in visits:
            visit._page_children = children[visit.pk]
        return super().to_representation(visits)


def _missing_product_codes(checkouts_missing) -> dict[int, str]:
    return services.product_codes({pk for missing in checkouts_missing for pk in (missing or {}).get("products", [])})


def _with_codes(checkout_missing: dict | None, codes: dict[int, str]) -> dict:
    """What was missing at the check-out, its products named by code."""
    missing = dict(checkout_missing or {})
    if missing.get("products"):
        missing["products"] = [codes.get(pk, pk) for pk in missing["products"]]
    return missing


def _page_nested(visit_ids: list[int], context: dict, *, photos_as_rows: bool = False) -> dict[int, dict[str, list]]:
    """_page_children and the visits' photos (one query), as the API writes them: the photos as model instances
    through VisitPhotoSerializer, or (`photos_as_rows`, a values page) as values() rows by its plan."""
    children = _page_children(visit_ids)
    # a visit open until this request (a save, a check-out just made) has no review: nothing to read
    reviews = {pk: [] for pk in visit_ids} if context.get("unreviewed") else _page_reviews(visit_ids)
    for pk, written in reviews.items():
        children[pk]["reviews"] = written
    if photos_as_rows:
        photos = write_children(
            VisitPhotoSerializer, VisitPhoto.objects.order_by("pk"), "visit", list(children),
            **photo_url_templates(context),
        )  # fmt: skip
        for pk, nested in children.items():
            nested["photos"] = photos[pk]
        return children
    photos = defaultdict(list)
    for photo in VisitPhoto.objects.filter(visit_id__in=list(children)).order_by("pk"):
        photos[photo.visit_id].append(photo)
    as_photos = VisitPhotoSerializer(many=True, context=context)
    for pk, nested in children.items():
        nested["photos"] = as_photos.to_representation(photos[pk])
    return children


def _rating_reasons(rating_reasons: list[dict] | None) -> list[dict]:
    texts = Visit.reason_texts_of(rating_reasons)
    return [{**reason, "text": text} for reason, text in zip(rating_reasons or [], texts, strict=True)]


def _nested(name: str):
    return lambda row: row["_nested"][name]


def _page_children(visit_ids: list[int]) -> dict[int, dict[str, list]]:
    """visit id → its "checklist", "stock_counts" and "not_counted" as the API writes them (rows in the
    database's order, as a prefetch reads them; not-counted codes sorted), read in one query for the page."""
    children = {pk: {"checklist": [], "stock_counts": [], "not_counted": []} for pk in visit_ids}
    no_text, no_number = Value(None, output_field=CharField()), Value(None, output_field=IntegerField())
    columns = ("kind", "visit_id", "pk", "text", "other", "number", "per_case")
    checklist = ChecklistResult.objects.filter(visit_id__in=visit_ids).annotate(
        kind=Value("checklist"), text=F("item"), other=F("result"), number=no_number, per_case=no_number
    )
    counts = StockCount.objects.filter(visit_id__in=visit_ids).annotate(
        kind=Value("stock_counts"), text=F("product__code"), other=no_text, number=F("packs"),
        per_case=F("product__packs_per_case"),
    )  # fmt: skip
    marks = StockNotCounted.objects.filter(visit_id__in=visit_ids).annotate(
        kind=Value("not_counted"), text=F("product__code"), other=no_text, number=no_number, per_case=no_number
    )
    # The counts first: a union's rows are converted by its first query's columns, and the counts' are plain
    # columns, none converted; led by the checklist's typed NULLs, every one of some 1,200 rows a page went
    # through two int() converters (half the query's CPU). The order is the ORDER BY's, whichever leads.
    rows = counts.values_list(*columns).union(checklist.values_list(*columns), marks.values_list(*columns), all=True)
    for kind, visit_id, _pk, text, other, number, per_case in rows.order_by("kind", "pk"):
        nested = children[visit_id][kind]
        if kind == "checklist":
            nested.append({"item": text, "result": other})
        elif kind == "stock_counts":
            nested.append({"product": text, "packs": number, "quantity": format_packs(number, per_case)})
        else:
            nested.append(text)
    for nested in children.values():
        nested["not_counted"].sort()
    return children


class VisitSerializer(serializers.ModelSerializer):
    checklist = ChecklistResultSerializer(many=True, read_only=True)
    stock_counts = StockCountSerializer(many=True, read_only=True)
    rep = related(User, scope=None, read_only=True, help_text="The sales rep, by username.")
    store = related(Store, scope=None, read_only=True, help_text="The store, by code.")
    not_counted = serializers.SerializerMethodField(help_text="Listed products explicitly not counted (codes).")
    photos = VisitPhotoSerializer(many=True, read_only=True)
    rating_reasons = serializers.SerializerMethodField(
        help_text="Why the rating is yellow or red; empty when green, and while the visit is open (not rated yet)."
    )
    no_position = serializers.BooleanField(read_only=True, help_text="Checked in without a position: flagged.")
    short_visit = serializers.BooleanField(
        read_only=True, help_text="Checked out sooner than KA_VISIT_MIN_MINUTES after check-in: flagged."
    )
    checkout_time = serializers.ChoiceField(
        choices=Visit.CheckoutTime.choices,
        read_only=True,
        help_text="What `checked_out_at` is: `recorded` (the check-out's own time), `stated` (the time of leaving "
        "the rep gave when checking out later, at `checkout_entered_at`) or `none` (left open overnight and closed "
        "the next day without a time: `checked_out_at` is when it was closed, and the visit has no time in store).",
    )
    checkout_entered_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When a stated or `none` check-out was made; null otherwise."
    )
    checkout_missing = serializers.SerializerMethodField(
        help_text='What was missing when the rep checked out under a reason: {"checklist": [items], "products": '
        '[product codes], "no_position": bool} and "promotions": [plan ids] when a running promotion was left '
        "unchecked; {} for a complete visit.",
    )
    promotion_executed = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Where a promotion plan runs at the store that day: computed from the visit's checks (false: a "
        "plan not executed; true: every plan checked and executed; null: not all checked yet). Elsewhere the "
        "rep's own answer, null for n.a.",
    )
    reviews = VisitReviewSerializer(
        many=True,
        read_only=True,
        help_text="The reviews of the checked-out visit, one per reviewer (the rep's KA supervisor, the account's KA "
        "manager, an administrator), the first first, each with its comment for the rep; empty while not reviewed. "
        "Filter the list with `reviewed=true|false` (by anyone), `reviewed_by_me=true|false` (your review queue) "
        "and `commented=true|false` (a review with a comment).",
    )

    # A page through ka_portal/values_pages.py: the visits as values() rows, what they hold read for the whole page
    # (values_page_rows), and the fields computed here from both.
    values_derived = {
        "checklist": ((), _nested("checklist")),
        "stock_counts": ((), _nested("stock_counts")),
        "not_counted": ((), _nested("not_counted")),
        "photos": ((), _nested("photos")),
        "reviews": ((), _nested("reviews")),
        "rating_reasons": (("rating_reasons",), lambda row: _rating_reasons(row["rating_reasons"])),
        "no_position": (("latitude", "longitude"), lambda row: row["latitude"] is None or row["longitude"] is None),
        "checkout_missing": (("checkout_missing",), lambda row: _with_codes(row["checkout_missing"], row["_codes"])),
        "checkout_time": (
            ("checked_out_at", "checkout_entered_at"),
            lambda row: Visit.checkout_time_of(row["checked_out_at"], row["checkout_entered_at"]),
        ),
    }

    def values_page_rows(self, rows: list[dict]) -> None:
        codes = _missing_product_codes(row["checkout_missing"] for row in rows)
        nested = _page_nested([row["pk"] for row in rows], self.context, photos_as_rows=True)
        for row in rows:
            row["_nested"], row["_codes"] = nested[row["pk"]], codes

    class Meta:
        model = Visit
        list_serializer_class = VisitListSerializer
        fields = [
            "id",
            "uuid",
            "rep",
            "store",
            "route_stop",
            "checked_in_at",
            "checked_out_at",
            "latitude",
            "longitude",
            "distance_m",
            "far_from_store",
            "price_check_ok",
            "promotion_executed",
            "problems",
            "actions",
            "rating",
            "rating_reasons",
            "no_position",
            "short_visit",
            "checkout_time",
            "checkout_entered_at",
            "checkout_reason",
            "checkout_missing",
            "checklist",
            "stock_counts",
            "not_counted",
            "photos",
            "reviews",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "rating": {
                "help_text": "green, yellow or red (SPEC §4), given at check-out; empty while the visit is open: a "
                "visit is not rated before it is checked out."
            }
        }

    def to_representation(self, visit):
        children = visit.__dict__.get("_page_children")
        if children is None:
            return super().to_representation(visit)
        # In a page (VisitListSerializer): the nested rows are already written; the other fields as DRF does.
        answer = {}
        readable = self.__dict__.get("_readable_list")
        if readable is None:  # the same fields for every visit of the page: listed once
            readable = self._readable_list = list(self._readable_fields)
        for field in readable:
            if field.field_name in children:
                answer[field.field_name] = children[field.field_name]
                continue
            try:
                attribute = field.get_attribute(visit)
            except SkipField:
                continue
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            answer[field.field_name] = None if check is None else field.to_representation(attribute)
        return answer

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_checkout_missing(self, visit) -> dict:
        codes = self.context.get("product_codes")
        if codes is None:
            codes = _missing_product_codes([visit.checkout_missing])
        return _with_codes(visit.checkout_missing, codes)

    def get_not_counted(self, visit) -> list[str]:
        return sorted(mark.product.code for mark in visit.not_counted.all())

    @extend_schema_field(RatingReasonSerializer(many=True))
    def get_rating_reasons(self, visit) -> list[dict]:
        return _rating_reasons(visit.rating_reasons)


class OpenVisitSerializer(serializers.ModelSerializer):
    """Another visit of the rep's not checked out yet: where and since when."""

    store = related(Store, scope=None, read_only=True, help_text="The store, by code.")
    store_name = serializers.CharField(source="store.name", read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "store", "store_name", "checked_in_at"]
        read_only_fields = fields


class VisitCreatedSerializer(VisitSerializer):
    """A check-in's answer: the visit, and the rep's other visits still open (a flag, as far_from_store is: the
    check-in is never refused for them, so a visit kept offline always uploads)."""

    other_open_visits = OpenVisitSerializer(
        many=True,
        read_only=True,
        help_text="The rep's other visits not checked out (any store, any day), oldest first, at most five: a "
        "check-out forgotten at the last store. The client tells the rep and offers to check out there (POST "
        "visits/{id}/check-out/). Empty when there is none.",
    )

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "other_open_visits"]
        read_only_fields = fields


class VisitDetailSerializer(VisitSerializer):
    """One visit with the promotions running at its store that day and the display agreements to check there,
    each with what this visit recorded (issue 13: evidence/api/visit_checks.py records them)."""

    promotions = serializers.SerializerMethodField(
        help_text="Plans running at the store on the visit's day: products with promotion price and the shelf "
        "price seen, displays bought with what was found, and the execution computed from them."
    )
    agreements = serializers.SerializerMethodField(help_text="Display agreements to check, with this visit's check.")

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "promotions", "agreements"]
        read_only_fields = fields

    def _checks(self, visit):
        from evidence.visit_checks import visit_checks

        cache = self.context.setdefault("visit_checks", {})
        if visit.pk not in cache:
            cache[visit.pk] = visit_checks(visit)
        return cache[visit.pk]

    @extend_schema_field(PlanAtVisitSerializer(many=True))
    def get_promotions(self, visit) -> list[dict]:
        return PlanAtVisitSerializer(self._checks(visit).plans, many=True, context=self.context).data

    @extend_schema_field(AgreementAtVisitSerializer(many=True))
    def get_agreements(self, visit) -> list[dict]:
        return AgreementAtVisitSerializer(self._checks(visit).agreements, many=True, context=self.context).data


class TaskAnswerInputSerializer(serializers.Serializer):
    """A task of the visit's store answered at the visit, as the visit page's Done box and comment answer it."""

    task = related(Task, scope=tasks_for, help_text="The task, by id (one of the visit's store's).")
    done = serializers.BooleanField(help_text="true: done; false: not done, with the reason in `comment`.")
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The comment; required when not done (task.reason_required).",
    )


class VisitRecordSerializer(serializers.Serializer):
    """What a rep found: any part of it. Checklist items, products and tasks not sent stay as they are."""

    checklist = ChecklistResultSerializer(many=True, required=False)
    stock_counts = StockCountInputSerializer(many=True, required=False)
    price_check_ok = serializers.BooleanField(required=False, allow_null=True)
    promotion_executed = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="The rep's own yes/no, kept for clients from before issue 13: it counts only where no promotion "
        "plan runs at the store that day. Where one runs, the value is computed from the prices and displays "
        "recorded (POST promotion-checks/ and display-checks/) and what is sent here is replaced.",
    )
    problems = serializers.CharField(required=False, allow_blank=True)
    actions = serializers.CharField(required=False, allow_blank=True)
    checkout_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="Why the visit will be checked out with something missing, kept ahead of the check-out.",
    )
    tasks = TaskAnswerInputSerializer(
        many=True,
        required=False,
        help_text="The store's tasks answered at this visit: done, or not done with the reason (each answer that "
        "changes the task is logged; the task's own endpoint, POST tasks/{id}/complete/, answers it the same way).",
    )

    def record_kwargs(self) -> dict:
        data = self.validated_data
        rules.check_once_each(
            [row["item"] for row in data.get("checklist", [])],
            list_field="checklist",
            key_field="item",
            code="visit.item_twice",
            message=_("%(item)s is answered twice; give one answer per item."),
        )
        rules.check_once_each(
            [row["product"].code for row in data.get("stock_counts", [])],
            list_field="stock_counts",
            key_field="product",
            code="visit.product_twice",
            message=_("%(product)s is reported twice; give one line per product."),
        )
        kwargs = {
            "price_check_ok": data.get("price_check_ok", services.UNCHANGED),
            "promotion_executed": data.get("promotion_executed", services.UNCHANGED),
            "problems": data.get("problems"),
            "actions": data.get("actions"),
            "checkout_reason": data.get("checkout_reason"),
        }
        if "checklist" in data:
            kwargs["checklist"] = {row["item"]: row["result"] for row in data["checklist"]}
        if "tasks" in data:
            rules.check_once_each(
                [row["task"].pk for row in data["tasks"]],
                list_field="tasks",
                key_field="task",
                code="visit.task_twice",
                message=_("Task %(task)s is answered twice; give one answer per task."),
            )
            kwargs["tasks"] = {
                row["task"].pk: services.TaskAnswer(done=row["done"], comment=row["comment"]) for row in data["tasks"]
            }
        # a line refused by the service (a product not listed, a task of another store) is named by its place
        kwargs["lines"] = services.Lines(
            stock={
                row["product"].pk: f"stock_counts.{i}.product" for i, row in enumerate(data.get("stock_counts", []))
            },
            tasks={row["task"].pk: f"tasks.{i}.task" for i, row in enumerate(data.get("tasks", []))},
        )
        if "stock_counts" in data:
            kwargs["stock"] = _stock_packs(data["stock_counts"])
            kwargs["not_counted"] = {
                row["product"].pk: row["not_counted"] for row in data["stock_counts"] if "not_counted" in row
            }
        return kwargs


def _stock_packs(rows: list[dict]) -> dict[int, int | None]:
    """The counted rows' packs, by product; an error names the row by its place in what was sent. A row that sends
    both packs and quantity (a client echoing the representation back) is taken when they agree and refused when
    they do not: which one was meant cannot be guessed, and suggested orders are computed from it."""
    stock = {}
    for index, row in enumerate(rows):
        product = row["product"]
        if "quantity" in row:
            try:
                packs = parse_packs(row["quantity"], product.packs_per_case, stock_count=True)
            except PacksNotationError as error:
                raise serializers.ValidationError({"stock_counts": {index: {"quantity": [error.message]}}}) from error
            if "packs" in row and row["packs"] != packs:
                message = _("%(quantity)s is %(in_packs)s packs, not the %(packs)s packs sent: send one of the two.")
                params = {"quantity": row["quantity"].strip(), "in_packs": packs, "packs": row["packs"]}
                raise serializers.ValidationError({"stock_counts": {index: {"quantity": [message % params]}}})
            stock[product.pk] = packs
        elif "packs" in row:
            stock[product.pk] = row["packs"]
    return stock


class VisitCheckOutSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="Why the visit is checked out with something missing; not needed for a complete visit.",
    )
    left_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="The time the rep left the store, when the check-out is not made on leaving: between the check-in "
        "and the end of its day (Asia/Shanghai), not after the check-out (`checked_out_at`, else now). A visit "
        "checked out on a later day than its check-in (left open overnight) ends then (`checkout_time` stated); "
        "without it, it is kept as not checked out (`checkout_time` none: no time in the store, `checked_out_at` is "
        "when it was closed). Refused out of that span: visit.left_at_out_of_range.",
    )
    checked_out_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When the rep checked out by the phone's clock (a check-out made offline and sent later); absent: "
        "now. Send it only for a check-out the phone kept and sends later: one sent as it is made leaves it out and "
        "is timed by the server's clock (a phone's clock set wrong then neither dates it nor has it refused). Held "
        "like the check-in's time: at most KA_VISIT_SYNC_MAX_HOURS (24) before the server receives it (else 400 "
        "visit.time_too_old), never more than five minutes ahead of its clock (visit.time_ahead; within them, now); "
        "one before the check-in is the check-in's time (a visit of no minutes, flagged short). On the check-in's day "
        "(Asia/Shanghai) it is the visit's end, however late it is sent; on a later day it is when the visit was "
        "closed (`checkout_entered_at`), the visit ending at `left_at`, which may not be after it.",
    )


class VisitCreateSerializer(VisitRecordSerializer):
    uuid = serializers.UUIDField(
        required=False,
        help_text="Client-made id and idempotency key: the same uuid and body again answer the first response; "
        "the same uuid with another body is 422 naming the fields that differ.",
    )
    store = related(Store, scope=stores_for, help_text="The store, by code (one of yours).")
    route_stop = related(
        RouteStop,
        scope=route_stops_for,
        required=False,
        allow_null=True,
        help_text="The route stop, by id: one of your published route's, at this store, planned for the check-in's "
        "day (Asia/Shanghai) and not visited yet (else visit.route_stop_store, visit.route_stop_day, 409 "
        "visit.route_stop_visited naming the visit; another rep's stop is not found).",
    )
    checked_in_at = serializers.DateTimeField(
        required=False,
        help_text="When the rep checked in by the phone's clock (a visit made offline and sent later); absent: now. "
        "Send it only for a check-in the phone kept and sends later: one sent as it is made leaves it out and is "
        "timed by the server's clock (a phone's clock set wrong then neither backdates the visit nor has it refused; "
        "the visit page does the same, ka_portal/pages.py replayed). At most KA_VISIT_SYNC_MAX_HOURS (24) before the "
        "server receives it (else 400 visit.time_too_old), never more than five minutes ahead of its clock "
        "(visit.time_ahead); received more than KA_VISIT_SYNC_LATE_HOURS (4) after it, the visit is flagged "
        "late_upload for the supervisor.",
    )
    latitude = _coordinate(bounds.LATITUDE_MAX)
    longitude = _coordinate(bounds.LONGITUDE_MAX)


class VisitViewSet(
    RecordETagMixin,
    CachedListMixin,
    ValuesPageMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Visits (拜访) with their checklist results and stock counts. A rep creates and records their own."""

    serializer_class = VisitSerializer
    permission_classes = [RoleModelPermissions]
    filterset_class = VisitFilter
    ordering_fields = ["checked_in_at"]

    def get_serializer_class(self):
        return VisitDetailSerializer if self.action == "retrieve" else VisitSerializer

    def get_queryset(self):
        return (
            visits_for(self.request.user)
            .select_related("rep", "store")
            .prefetch_related(*self._children())
            .order_by("-checked_in_at")
        )

    def _children(self):
        """What a visit's answer reads beside it: only one visit read alone (retrieve) goes through the prefetch;
        a page reads its checklist, counts and not-counted marks as plain rows and its photos itself
        (VisitListSerializer), and so does the answer to a write (`_out`); the other actions read the visit only."""
        if self.action != "retrieve":
            return []
        return [
            "checklist",
            Prefetch("stock_counts", queryset=StockCount.objects.select_related("product")),
            Prefetch("not_counted", queryset=StockNotCounted.objects.select_related("product")),
            "photos",
        ]

    def perform_content_negotiation(self, request, force=False):
        # A photo answers with its own type whatever the client accepts; its errors stay JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "photo")

    @extend_schema(
        parameters=[OpenApiParameter("photo_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The photo")],
        responses={
            (200, "image/*"): OpenApiTypes.BINARY,
            403: OpenApiResponse(description="Your role does not read visits."),
            404: NOT_FOUND,
        },
    )
    # At most 18 digits: a longer id is no photo (404), never a number too big for the database.
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_pk>[0-9]{1,18})")
    def photo(self, request, pk=None, photo_pk=None, format=None):  # noqa: A002 (the router's .json suffix)
        """One of the visit's photos, as an image (the visit found through the caller's scope)."""
        visit = self.get_object()
        photo = get_object_or_404(VisitPhoto.objects.filter(visit=visit), pk=photo_pk)
        return downloads.file_response(photo.image, filename=photo.download_name, max_age=downloads.UNCHANGING_MAX_AGE)

    @extend_schema(
        parameters=[OpenApiParameter("photo_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The photo")],
        request=None,
        responses={
            204: OpenApiResponse(description="Removed."),
            400: REFUSED,
            403: OpenApiResponse(description="Not your visit."),
            404: NOT_FOUND,
            409: OpenApiResponse(
                description="Kept: the visit is checked out (visit.photo_closed), or a fraud signal names the photo "
                "(visit.photo_flagged, params signal and kind)."
            ),
        },
    )
    @photo.mapping.delete
    def photo_remove(self, request, pk=None, photo_pk=None, format=None):  # noqa: A002 (the router's .json suffix)
        """Remove a photo from the rep's own open visit (a wrong shot): the photo, its thumbnail and its hash go. A
        checked-out visit keeps its photos (409 visit.photo_closed), and so does a photo a fraud signal names (409
        visit.photo_flagged): a supervisor's evidence. A display check that showed it keeps its answer without a
        photo, its plan's execution computed again."""
        visit = self._own_open(pk)
        photo = get_object_or_404(VisitPhoto.objects.filter(visit=visit), pk=photo_pk)
        services.visit_photo_remove(photo=photo, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_permissions(self):
        if self.action == "photo_remove":  # a change of the rep's own visit, as on the page: the role's change
            return [RecordsVisits()]
        return super().get_permissions()

    @extend_schema(
        parameters=[OpenApiParameter("photo_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The photo")],
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            403: OpenApiResponse(description="Your role does not read visits."),
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_pk>[0-9]{1,18})/thumb", url_name="photo-thumb")
    def photo_thumb(self, request, pk=None, photo_pk=None, format=None):  # noqa: A002 (the router's .json suffix)
        """A photo's thumbnail, a small JPEG (the visit found through the caller's scope)."""
        visit = self.get_object()
        photo = get_object_or_404(VisitPhoto.objects.filter(visit=visit), pk=photo_pk)
        if not photo.thumbnail:  # kept before thumbnails were made
            return downloads.file_response(
                photo.image, filename=photo.download_name, max_age=downloads.UNCHANGING_MAX_AGE
            )
        return downloads.file_response(
            photo.thumbnail, filename=photo.thumbnail_download_name, max_age=downloads.UNCHANGING_MAX_AGE
        )

    @idempotent(scope="visit.photo")
    @extend_schema(
        request={"multipart/form-data": VisitPhotoUploadSerializer},
        responses={
            201: VisitPhotoSerializer,
            200: OpenApiResponse(
                VisitPhotoSerializer,
                description="The same file (the very bytes) is on this visit already: that photo, as it is (its "
                "caption and checklist item stay); nothing is added.",
            ),
            400: REFUSED,
            403: OpenApiResponse(description="Not your visit."),
            404: NOT_FOUND,
            409: OpenApiResponse(description="The visit is checked out (visit.closed)."),
        },
    )
    @action(detail=True, methods=["post"], url_path="photos", parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        """Add a photo to the rep's own open visit (multipart). The server keeps the camera time (EXIF), makes a
        thumbnail and checks the photo for reuse (fraud signals). Answers the photo (201). The same file sent to the
        visit again, with no Idempotency-Key or a new one, adds nothing: the visit's photo of those bytes answers
        (200)."""
        visit = self._own_open(pk)
        if not visit.is_open:
            raise DomainConflict("visit.closed", _("This visit is checked out; it can no longer be changed."))
        serializer = VisitPhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = services.visit_photo_add(visit=visit, **serializer.validated_data)
        code = status.HTTP_200_OK if photo.already_added else status.HTTP_201_CREATED
        return Response(VisitPhotoSerializer(photo, context={"request": request}).data, status=code)

    def _own_open(self, pk) -> Visit:
        visit = get_object_or_404(self.get_queryset(), pk=pk)
        if visit.rep_id != self.request.user.pk:
            raise PermissionDenied
        return visit

    def _out(
        self, visit: Visit, code=status.HTTP_200_OK, *, products: dict | None = None, written=False, was_open=False
    ) -> Response:
        """The visit as the API writes it. Its nested rows read as a page reads them (one query for each kind, no
        model instance per row): the same answer as the nested serializers', without the request in the context,
        as before. `written`: `visit` is the instance the service has just locked (with its store) and saved, the
        rep's own: its row is not read again. A visit this request made (`products`: id → Product of the rows
        sent) is answered from what the service wrote (`visit.recorded`) and the instance it holds: nothing else
        can be there yet (no photo, no missing product), so nothing is read back. `was_open`: the visit was open when
        the request came (a save, a first check-out), so it has no review (one is written only once checked out)."""
        if products is None:
            if written:
                visit.rep = self.request.user
            else:
                visit = self.get_queryset().get(pk=visit.pk)
            context = {"unreviewed": True} if was_open else {}
            return Response(VisitSerializer([visit], many=True, context=context).data[0], status=code)
        recorded = visit.recorded
        nested = {
            "checklist": [{"item": item, "result": result} for item, result in recorded.checklist.items()],
            "stock_counts": [
                {"product": product.code, "packs": packs, "quantity": format_packs(packs, product.packs_per_case)}
                for product, packs in ((products[pk], packs) for pk, packs in recorded.counts.items())
            ],
            "not_counted": sorted(products[pk].code for pk in recorded.not_counted),
            "photos": [],
            "reviews": [],  # a visit just made: open, not reviewed
        }
        answer = write_one(VisitSerializer, self.get_queryset(), visit, _nested=nested, _codes={})
        if answer is None:  # pragma: no cover - the visits list takes the values path (test_api_values_pages)
            visit._page_children = nested
            answer = VisitSerializer(visit, context={"product_codes": {}}).data
        return Response(answer, status=code)

    @idempotent(body_key="uuid")
    @extend_schema(
        request=VisitCreateSerializer,
        responses={201: VisitCreatedSerializer, 200: VisitCreatedSerializer, 400: REFUSED, 409: REFUSED},
        description="Check in (and optionally record findings). The uuid (or an Idempotency-Key header) is the "
        "client's key: the same key and body again answer the first response (201 and the same visit), another "
        "body 422 naming the fields that differ, a request with the key still running 409. Once the key has "
        "expired, the uuid still names its visit: the same store answers it with 200, another store 422. "
        "Without a key, or with a new one, a check-in while the rep's visit at that store that day (Asia/Shanghai) "
        "is still open answers 409 visit.already_open naming it (params visit and checked_in_at). A visit still open "
        "at another store (or of an earlier day) does not stand in the way: the answer names it in "
        "`other_open_visits`, for the client to tell the rep to check out there.",
    )
    def create(self, request, *args, **kwargs):
        serializer = VisitCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A refused finding leaves no half-made visit behind: the request's transaction (or the client key's
        # savepoint) is rolled back.
        visit, created = services.visit_check_in(
            rep=request.user,
            store=data["store"],
            uuid=data.get("uuid"),
            at=data.get("checked_in_at"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            route_stop=data.get("route_stop"),
            findings=serializer.record_kwargs(),
        )
        if not created:
            answer = self._out(visit)
        else:
            products = {row["product"].pk: row["product"] for row in data.get("stock_counts", [])}
            answer = self._out(visit, status.HTTP_201_CREATED, products=products)
        # a new visit's check-in looked for them already (services._open_visits); a repeat's are read
        still_open = getattr(visit, "open_elsewhere", None)
        if still_open is None:
            still_open = selectors.still_open(request.user, besides=visit)
        still_open = still_open[: selectors.STILL_OPEN_SHOWN]
        answer.data["other_open_visits"] = OpenVisitSerializer(still_open, many=True).data
        return answer

    @extend_schema(request=VisitRecordSerializer, responses={200: VisitSerializer, 400: REFUSED, 404: NOT_FOUND})
    def partial_update(self, request, pk=None):
        visit = self._own_open(pk)
        serializer = VisitRecordSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        # a closed visit is refused (visit.closed): the one saved was open
        return self._out(services.visit_record(visit=visit, **serializer.record_kwargs()), written=True, was_open=True)

    @extend_schema(
        request=VisitCheckOutSerializer,
        responses={
            200: VisitSerializer,
            400: OpenApiResponse(
                description='Refused: {"code": "visit.incomplete", "detail", "params": {"missing", '
                '"checklist_unanswered", "products_not_counted", "no_position"}, "missing": {"checklist": [items], '
                '"products": [product codes], "no_position": bool}}. Complete the visit or send a reason. '
                "Or refused for its times, naming the field: visit.time_too_old and visit.time_ahead "
                "(`checked_out_at`), visit.left_at_out_of_range (`left_at`)."
            ),
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        """Check out: the time, the flags and the final rating. Twice is harmless (the first time stays).

        Every checklist item answered, every listed product counted or marked not counted, and a check-in
        position, unless a `reason` is given (kept and shown to the supervisor; the rating is then at best
        yellow). A check-out more than KA_VISIT_LONG_HOURS (12) after the check-in is flagged long_visit for the
        supervisor. A visit left open overnight ends at the `left_at` given, else is kept as not checked out.
        A check-out made offline sends the phone's `checked_out_at`, held like the check-in's time."""
        visit = self._own_open(pk)
        was_open = visit.is_open  # checked out twice: the first check-out stays, and a review may have come since
        serializer = VisitCheckOutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        checked_out = services.visit_check_out(
            visit=visit, at=data.get("checked_out_at"), reason=data.get("reason", ""), left_at=data.get("left_at")
        )
        return self._out(checked_out, written=True, was_open=was_open)

    _REVIEW_REFUSED = {
        400: OpenApiResponse(
            description='Refused: {"code", "detail", "params"}. visit.review_comment_too_long (params length, max).'
        ),
        403: OpenApiResponse(
            description="A role refused, as elsewhere in the API: permission_denied (your role does not read visits), "
            "or visit.review_not_allowed with its sentence (a sales rep, even on their own visit, or another role "
            "that reads visits but does not review them: the rep's KA supervisor, the account's KA manager or an "
            "administrator reviews)."
        ),
        404: NOT_FOUND,
    }

    def _review_out(self, review: VisitReview, code=status.HTTP_200_OK) -> Response:
        return Response(VisitReviewAnswerSerializer(review, context={"request": self.request}).data, status=code)

    @idempotent(scope="visit.review")
    @extend_schema(
        operation_id="visits_review_create",
        request=VisitReviewInputSerializer,
        responses={
            201: VisitReviewAnswerSerializer,
            **_REVIEW_REFUSED,
            409: OpenApiResponse(
                description="visit.review_open (the visit is not checked out yet), or visit.already_reviewed (params "
                "who, reviewed_by, when: you reviewed it already, one review per reviewer; change yours with PATCH); "
                "or "
                "idempotency.in_flight: a request with this Idempotency-Key is still running."
            ),
        },
        description="Mark a checked-out visit reviewed, with an optional comment for the rep (SPEC §1: a KA "
        "supervisor reviews visit reports), as the visit page's Review form. A KA supervisor reviews their team's "
        "visits, a KA manager those at their accounts' stores, an administrator any; a sales rep never. Each reviewer "
        "writes their own review, beside any other reviewer's (the supervisor's and the manager's both show). The "
        "visit leaves the reviewer's own queue (the supervisor's home, `next_to_review`) and the review shows to the "
        "rep among the visit's `reviews`.",
    )
    @action(detail=True, methods=["post"], url_path="review", permission_classes=[ReviewsVisits])
    def review(self, request, pk=None):
        visit = self.get_object()
        body = VisitReviewInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.visit_review(visit=visit, by=request.user, comment=body.validated_data["comment"])
        return self._review_out(review, status.HTTP_201_CREATED)

    @idempotent(scope="visit.review-edit")
    @extend_schema(
        operation_id="visits_review_partial_update",
        request=VisitReviewInputSerializer,
        responses={
            200: VisitReviewAnswerSerializer,
            **_REVIEW_REFUSED,
            409: OpenApiResponse(
                description="visit.not_reviewed: you have not reviewed the visit yet (POST your review; another "
                "reviewer's review is theirs); visit.review_open; or "
                "idempotency.in_flight: a "
                "request with this Idempotency-Key is still running."
            ),
        },
        description="Change the comment of the review you wrote: who reviewed and when stay, `edited_at` says when "
        "the comment last changed (the same comment again changes nothing). A reviewer changes only their own "
        "review.",
    )
    @review.mapping.patch
    def review_edit(self, request, pk=None):
        visit = self.get_object()
        body = VisitReviewInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.visit_review_edit(visit=visit, by=request.user, comment=body.validated_data["comment"])
        return self._review_out(review)


# --- tasks -------------------------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    store = related(Store, scope=stores_for, help_text="The store, by code.")
    assigned_by = related(User, scope=None, read_only=True, help_text="Who assigned the task, by username.")

    class Meta:
        model = Task
        fields = [
            "id",
            "store",
            "title",
            "description",
            "due_on",
            "assigned_by",
            "status",
            "done_visit",
            "done_comment",
            "done_at",
        ]
        read_only_fields = ["assigned_by", "status", "done_visit", "done_comment", "done_at"]


class TaskEditSerializer(TaskSerializer):
    """A task corrected by who assigns tasks, while it is open (task.reported): what it asks and by when. It stays with
    its store: to give it to another store, delete it and assign a new one."""

    store = related(Store, scope=None, read_only=True, help_text="The store, by code (a task stays with it).")


class TaskCompleteSerializer(serializers.Serializer):
    done = serializers.BooleanField(default=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    visit = related(Visit, scope=visits_for, required=False, allow_null=True, help_text="The visit, by id.")


class CanCompleteTasks(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("visits.change_task")


class CanAssignTasks(permissions.BasePermission):
    """Who assigns tasks corrects them: a rep reports a task (`change`) but does not rewrite what it asks."""

    def has_permission(self, request, view):
        return request.user.has_perm("visits.add_task")


class TaskViewSet(
    RecordETagMixin,
    CachedListMixin,
    ValuesPageMixin,
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Tasks (交办事项): supervisors assign them to stores; reps complete them at a visit. Who assigns tasks corrects
    one (PUT/PATCH: title, description, due day) or deletes it while it is still open (task.reported)."""

    serializer_class = TaskSerializer
    permission_classes = [RoleModelPermissions]
    filterset_class = TaskFilter
    ordering_fields = ["due_on"]

    def get_queryset(self):
        return tasks_for(self.request.user).select_related("store", "assigned_by").order_by("due_on", "id")

    def get_serializer_class(self):
        return TaskEditSerializer if self.action in ("update", "partial_update") else TaskSerializer

    def get_permissions(self):
        if self.action in ("update", "partial_update"):
            return [RoleModelPermissions(), CanAssignTasks()]
        return super().get_permissions()

    def perform_create(self, serializer):
        serializer.instance = services.task_create(by=self.request.user, **serializer.validated_data)

    @extend_schema(responses={200: TaskSerializer, 400: REFUSED, 404: NOT_FOUND})
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(responses={200: TaskSerializer, 400: REFUSED, 404: NOT_FOUND})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer):
        task, data = serializer.instance, serializer.validated_data
        serializer.instance = services.task_edit(
            task=task,
            title=data.get("title", task.title),
            description=data.get("description", task.description),
            due_on=data.get("due_on", task.due_on),
            by=self.request.user,
        )

    @extend_schema(responses={204: None, 400: REFUSED, 404: NOT_FOUND})
    def destroy(self, request, *args, **kwargs):
        """Delete a task assigned by mistake while it is open; one reported done or not done stays (task.reported)."""
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.task_delete(task=instance, by=self.request.user)

    @extend_schema(request=TaskCompleteSerializer, responses={200: TaskSerializer, 400: REFUSED, 404: NOT_FOUND})
    @action(detail=True, methods=["post"], permission_classes=[CanCompleteTasks])
    def complete(self, request, pk=None):
        """Report the task done, or not done with the reason in `comment` (required then: task.reason_required),
        optionally at a visit. Reporting again changes the answer; each report is logged."""
        task = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = TaskCompleteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        task = services.task_complete(
            task=task, visit=data.get("visit"), comment=data["comment"], done=data["done"], by=request.user
        )
        return Response(TaskSerializer(task, context={"request": request}).data)


# --- suggested orders --------------------------------------------------------------------------


class SuggestedOrderSerializer(serializers.ModelSerializer):
    store = related(Store, scope=None, read_only=True, help_text="The store, by code.")
    product = related(Product, scope=None, read_only=True, help_text="The product, by code.")
    suggested = serializers.SerializerMethodField(help_text="The suggestion in cases/packs notation.")

    class Meta:
        model = SuggestedOrder
        fields = [
            "id",
            "store",
            "product",
            "date",
            "superseded_on",
            "previous_packs",
            "previous_counted_on",
            "delivered_packs",
            "current_packs",
            "current_counted_on",
            "actual_sales_packs",
            "safety_stock_packs",
            "suggested_packs",
            "suggested_cases",
            "suggested",
            "flag",
        ]

    # A page written from values() rows (ka_portal/values_pages.py) derives the notation from the two columns.
    values_derived = {
        "suggested": (
            ("suggested_packs", "product__packs_per_case"),
            lambda row: format_packs(row["suggested_packs"], row["product__packs_per_case"]),
        )
    }

    def get_suggested(self, order) -> str:
        return format_packs(order.suggested_packs, order.product.packs_per_case)


class SuggestedOrderViewSet(RecordETagMixin, CachedListMixin, ValuesPageMixin, viewsets.ReadOnlyModelViewSet):
    """Suggested orders (建议订货单) per store × product, as the visit and the nightly job compute them: by default
    those in force now; `date` gives those in force on a day (`date` of a row: the day it was computed)."""

    serializer_class = SuggestedOrderSerializer
    permission_classes = [RoleModelPermissions]
    filterset_class = SuggestedOrderFilter
    ordering_fields = ["date"]

    def get_queryset(self):
        return (
            suggested_orders_for(self.request.user)
            .select_related("store", "product")
            .order_by("-date", "store_id", "product_id")
        )
