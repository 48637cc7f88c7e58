"""The promoters API: a promoter's own day from a phone or a promoter app.

- ``POST shifts/<id>/check-in/`` and ``POST shifts/<id>/check-out/``: the promoter's own shift, with the phone's
  position and time;
- ``POST shifts/<id>/sell-out/``: the day's sell-out, one line per product (upsert: a repeated report is one);
- ``POST sell-out/``: the same by store code and day, for an app that does not know the shift's id (a day
  without a shift there is refused: ``sell_out.no_shift``);
- ``GET sell-out-lines/``: the sell-out reported, scoped (a promoter their own), filtered and paginated;
- ``GET my/shifts/``: the promoter's own shifts with their attendance reading.

Every POST takes an Idempotency-Key: a flaky phone's repeat is answered with the first answer. The router's
``shifts/`` resource belongs to the roster; these steps are plain views in ``urlpatterns``."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from ka_portal import api_fields, bounds
from ka_portal.api_cache import CachedListMixin
from ka_portal.api_fields import ClockTimeField, related
from ka_portal.idempotency import idempotent
from ka_portal.record_etags import RecordETagMixin
from ka_portal.scope import products_for, promoter_stores_for, sell_out_for, shifts_for
from stores.models import Product, Store

from .. import attendance, phone_services
from ..models import SellOutLine, Shift
from ..phone_filters import SellOutFilter

REFUSED = OpenApiResponse(description='Refused by a business rule: {"code", "detail", "params", "field"}.')
CONFLICT = OpenApiResponse(description="A shift checked in or out already, or a day closed by the supervisor.")
NOT_FOUND = OpenApiResponse(description="Not found, or not your shift.")


class HasPermission(permissions.BasePermission):
    """The role's model permission a step needs (checking in changes a shift; a report adds sell-out lines)."""

    def __init__(self, perm: str):
        self.perm = perm

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(self.perm))


def needs(perm: str):
    return lambda: HasPermission(perm)


# --- output ------------------------------------------------------------------------------------------------------


class ReadingSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text="planned (not started), not_checked_in (started, no check-in, not late yet), late_no_check_in "
        "(started more than KA_PROMOTER_LATE_AFTER_MINUTES ago, still running, no check-in: late_minutes so far), "
        "in_progress, attended, late, left_early, late_and_early, off_site, absent (ended with no check-in) or leave."
    )
    label = serializers.CharField(help_text="The status in the request's language.")
    late_minutes = serializers.IntegerField(
        help_text="Minutes late: of the check-in, or since the start while late_no_check_in."
    )
    early_minutes = serializers.IntegerField()
    off_site = serializers.BooleanField(
        help_text="Checked in further than KA_CHECKIN_MAX_DISTANCE_M or with no position."
    )
    no_check_out = serializers.BooleanField()
    received_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the server received the check-in, where a minute or more after the phone's checked_in_at "
        "(else null): lateness is judged on it.",
    )
    sent_after_hours = serializers.FloatField(
        allow_null=True, help_text="Hours from the phone's check-in time to its arrival (null: at once)."
    )
    sent_late = serializers.BooleanField(
        help_text="The check-in reached the server more than KA_VISIT_SYNC_LATE_HOURS after the phone's time."
    )
    computed = serializers.CharField(help_text="The computed status, also when the supervisor confirmed another.")
    confirmed = serializers.BooleanField()
    corrected = serializers.BooleanField(help_text="Confirmed as another status than the computed one.")


class SellOutLineSerializer(serializers.ModelSerializer):
    shift = serializers.IntegerField(source="shift_id", read_only=True)
    promoter = serializers.CharField(source="shift.promoter.code", read_only=True, help_text="The promoter's code.")
    store = serializers.CharField(source="shift.store.code", read_only=True, help_text="The store's code.")
    day = serializers.DateField(source="shift.day", read_only=True)
    product = related(Product, scope=None, read_only=True, help_text="The product, by code.")
    quantity = serializers.SerializerMethodField(help_text="Packs sold in cases/packs notation, e.g. 3/2.")

    class Meta:
        model = SellOutLine
        fields = ["id", "shift", "promoter", "store", "day", "product", "units", "quantity", "shelf_stock",
                  "price_seen", "reported_at"]  # fmt: skip
        read_only_fields = fields

    def get_quantity(self, line) -> str:
        from ka_portal.formatting import format_packs

        return format_packs(line.units, line.product.packs_per_case)


class ShiftDaySerializer(serializers.ModelSerializer):
    """A shift as its promoter and supervisor see it on the day: times, check-in and out, reading, sell-out."""

    promoter = serializers.CharField(source="promoter.code", read_only=True, help_text="The promoter's code.")
    store = related(Store, scope=None, read_only=True, help_text="The store, by code.")
    store_name = serializers.CharField(source="store.name", read_only=True)
    store_address = serializers.CharField(source="store.address", read_only=True)
    attendance = serializers.SerializerMethodField()
    closed = serializers.BooleanField(source="is_closed", read_only=True, help_text="Confirmed: no more reports.")
    confirmed_by = serializers.CharField(source="confirmed_by.username", read_only=True, allow_null=True, default=None)
    sell_out = SellOutLineSerializer(many=True, read_only=True)
    starts_at = ClockTimeField(read_only=True)
    ends_at = ClockTimeField(read_only=True)
    confirmed_attendance = serializers.ChoiceField(
        choices=Shift.Attendance.choices,
        allow_blank=True,
        read_only=True,
        help_text="The supervisor's confirmed reading; empty until confirmed.",
    )

    class Meta:
        model = Shift
        fields = [
            "id", "promoter", "store", "store_name", "store_address", "day", "starts_at", "ends_at",
            "checked_in_at", "check_in_received_at", "check_in_latitude", "check_in_longitude", "check_in_distance_m",
            "checked_out_at", "check_out_latitude", "check_out_longitude", "check_out_distance_m",
            "attendance", "confirmed_attendance", "correction_reason", "confirmed_by", "confirmed_at", "closed",
            "sell_out",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ReadingSerializer)
    def get_attendance(self, shift) -> dict:
        return reading_data(shift, now=self.context.get("now"))


def reading_data(shift, *, now=None, limits=None) -> dict:
    """A shift's attendance as the API writes it (promoters/attendance.py's one reading, as of `now`)."""
    return ReadingSerializer(_reading_dict(attendance.reading(shift, now=now, limits=limits))).data


def _reading_dict(reading) -> dict:
    return {
        "status": reading.status,
        "label": reading.label,
        "late_minutes": reading.late_minutes,
        "early_minutes": reading.early_minutes,
        "off_site": reading.off_site,
        "no_check_out": reading.no_check_out,
        "received_at": reading.received_at,
        "sent_after_hours": reading.sent_after_hours,
        "sent_late": reading.sent_late,
        "computed": reading.computed,
        "confirmed": reading.confirmed,
        "corrected": reading.corrected,
    }


def day_shifts(user):
    """Shifts with what their serializer reads, in a fixed number of queries."""
    from django.db.models import Prefetch

    return (
        shifts_for(user)
        .select_related("promoter", "store", "confirmed_by")
        .prefetch_related(
            Prefetch(
                "sell_out", queryset=SellOutLine.objects.select_related("product", "shift__promoter", "shift__store")
            )
        )
    )


def shift_out(request, shift: Shift, code=status.HTTP_200_OK) -> Response:
    shift = day_shifts(request.user).get(pk=shift.pk)
    return Response(ShiftDaySerializer(shift, context={"request": request, "now": timezone.now()}).data, status=code)


def own_shift(request, pk) -> Shift:
    """The caller's own shift (a promoter's); anyone else's is not found."""
    return get_object_or_404(shifts_for(request.user).filter(promoter__user=request.user), pk=pk)


# --- check-in and check-out ---------------------------------------------------------------------------------------


def _coordinate(limit) -> serializers.DecimalField:
    return api_fields.CoordinateField(  # rounded to 6 places
        limit, required=False, allow_null=True,
        help_text="Where the phone was (optional; without one the check-in reads off site).",
    )  # fmt: skip


class CheckInSerializer(serializers.Serializer):
    """The phone's time and position at a check-in (and a check-out, CheckOutSerializer)."""

    at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="The phone's time of the tap (a step kept offline, sent later); absent: now. Send it only for a "
        "check-in or check-out the phone kept and sends later: one sent as it is made leaves it out and is timed by "
        "the server's clock (a phone's clock set wrong then neither dates it back nor has it refused; My day does the "
        "same, ka_portal/pages.py replayed). At most KA_VISIT_SYNC_MAX_HOURS (24) before the server receives it "
        "(else 400 shift.time_too_old), never more than five minutes ahead of its clock (shift.time_ahead). A "
        "check-in's lateness is judged on when it reaches the server (check_in_received_at) where that is more than "
        "KA_PROMOTER_SYNC_GRACE_MINUTES after the phone's time; more than KA_VISIT_SYNC_LATE_HOURS (4) after it, the "
        "shift's attendance reads sent_late for the supervisor.",
    )
    latitude = _coordinate(bounds.LATITUDE_MAX)
    longitude = _coordinate(bounds.LONGITUDE_MAX)


class CheckOutSerializer(CheckInSerializer):
    leave_early = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: the promoter confirmed leaving early. Without it, a check-out more than "
        "KA_PROMOTER_EARLY_BEFORE_MINUTES before the shift's end is refused (shift.check_out_early, with the minutes "
        "in params), so the app can ask first.",
    )


class ShiftCheckInView(APIView):
    permission_classes = [needs("promoters.change_shift")]

    @idempotent(scope="shift.check-in")
    @extend_schema(
        request=CheckInSerializer,
        responses={200: ShiftDaySerializer, 400: REFUSED, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, pk):
        """Check in at the start of the caller's own shift, on its day (shift.not_today), not earlier than
        KA_PROMOTER_CHECK_IN_BEFORE_MINUTES before its start (shift.check_in_too_early), once
        (shift.already_checked_in: the same Idempotency-Key again answers the first check-in instead). Timed by the
        server's clock, or by `at`, sent only for a check-in the phone kept offline, within its window
        (shift.time_too_old, shift.time_ahead)."""
        shift = own_shift(request, pk)
        data = CheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone_services.shift_check_in(shift=shift, by=request.user, **_position(data.validated_data))
        return shift_out(request, shift)


class ShiftCheckOutView(APIView):
    permission_classes = [needs("promoters.change_shift")]

    @idempotent(scope="shift.check-out")
    @extend_schema(
        request=CheckOutSerializer,
        responses={200: ShiftDaySerializer, 400: REFUSED, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, pk):
        """Check out at the end of the caller's own shift (after its check-in: shift.not_checked_in; once; well
        before the shift's end only with leave_early: shift.check_out_early). Timed by the server's clock, or by `at`,
        sent only for a check-out the phone kept offline, within the check-in's window (shift.time_too_old,
        shift.time_ahead)."""
        shift = own_shift(request, pk)
        data = CheckOutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone_services.shift_check_out(
            shift=shift, by=request.user, leave_early=data.validated_data["leave_early"],
            **_position(data.validated_data),
        )  # fmt: skip
        return shift_out(request, shift)


def _position(data: dict) -> dict:
    return {"at": data.get("at"), "latitude": data.get("latitude"), "longitude": data.get("longitude")}


# --- the day's sell-out --------------------------------------------------------------------------------------------


class SellOutLineInputSerializer(serializers.Serializer):
    product = related(Product, scope=products_for, help_text="The product, by code (listed at the shift's store).")
    # Taken as sent and checked by the service (promoters/phone_rules.py), so every door refuses alike.
    units = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="Packs sold, a whole number ≥ 0 (sell_out.negative, sell_out.not_whole). Left out (with no "
        "`quantity`), a line reported earlier keeps its packs sold; a product not reported yet needs them "
        "(sell_out.units_missing, as null does).",
    )
    quantity = serializers.CharField(
        required=False,
        help_text="Instead of units: packs sold in cases/packs notation: 1 is one case, 0/10 ten packs, 1/1 a "
        "case and a pack.",
    )
    shelf_stock = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="Shelf stock at close, packs. Left out, the line keeps the one reported earlier; null clears it.",
    )
    price_seen = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The shelf price seen, CNY (e.g. 12.90). Left out, the line keeps the one reported earlier; null "
        '(or "") clears it.',
    )

    def validate(self, attrs):
        if "units" in attrs and "quantity" in attrs:
            raise serializers.ValidationError({"quantity": "Give units or quantity, not both."})
        return attrs


class SellOutReportSerializer(serializers.Serializer):
    at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="The phone's time of the report; absent: now. Send it only for a report the phone kept and sends "
        "later: one sent as it is made leaves it out and is timed by the server's clock. Held to the check-in's "
        "window (shift.time_too_old, shift.time_ahead).",
    )
    lines = SellOutLineInputSerializer(
        many=True,
        help_text="One line per product; products not sent keep theirs, and a line's keys not sent keep their values "
        "(as a visit's PATCH): a phone adds shelf_stock or price_seen to a line reported earlier by sending the "
        "product with them alone; an explicit null clears shelf_stock or price_seen.",
    )

    def inputs(self) -> list:
        omitted = phone_services.OMITTED
        return [
            phone_services.SellOutInput(
                product=line["product"],
                units=line.get("quantity", line.get("units", omitted)),
                shelf_stock=line.get("shelf_stock", omitted),
                price_seen=line.get("price_seen", omitted),
                prefix=f"lines.{index}.",
                units_field="quantity" if "quantity" in line else "units",
                notation="quantity" in line,
            )
            for index, line in enumerate(self.validated_data["lines"])
        ]


class DaySellOutReportSerializer(SellOutReportSerializer):
    store = related(Store, scope=promoter_stores_for, help_text="The store, by code (one you work at).")
    day = serializers.DateField(help_text="The day of the shift reported (default today).", required=False)


class ShiftSellOutView(APIView):
    permission_classes = [needs("promoters.add_selloutline")]

    @idempotent(scope="shift.sell-out")
    @extend_schema(
        request=SellOutReportSerializer,
        responses={200: ShiftDaySerializer, 400: REFUSED, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, pk):
        """Report the day's sell-out of the caller's own checked-in shift, all or nothing (refused: before the
        check-in, a day the supervisor closed, a product not listed at the store, negative or non-whole packs).
        Reported again, each product's line is updated with what is sent (its keys left out keep their values): a
        repeated report is one report."""
        shift = own_shift(request, pk)
        data = SellOutReportSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        at = data.validated_data.get("at")
        phone_services.sell_out_report(shift=shift, lines=data.inputs(), by=request.user, at=at)
        return shift_out(request, shift)


class DaySellOutView(APIView):
    permission_classes = [needs("promoters.add_selloutline")]

    @idempotent(scope="sell-out.report")
    @extend_schema(
        request=DaySellOutReportSerializer,
        responses={200: ShiftDaySerializer, 400: REFUSED, 409: CONFLICT},
    )
    def post(self, request):
        """The same report by store and day: the caller's shift there that day (sell_out.no_shift without one)."""
        data = DaySellOutReportSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        day = data.validated_data.get("day") or timezone.localdate()
        shift = phone_services.shift_for_report(by=request.user, store=data.validated_data["store"], day=day)
        at = data.validated_data.get("at")
        phone_services.sell_out_report(shift=shift, lines=data.inputs(), by=request.user, at=at)
        return shift_out(request, shift)


# --- reads --------------------------------------------------------------------------------------------------------


class SellOutLineViewSet(RecordETagMixin, CachedListMixin, viewsets.ReadOnlyModelViewSet):
    """Sell-out lines reported by promoters (a promoter their own; a supervisor their promoters' and stores')."""

    serializer_class = SellOutLineSerializer
    filterset_class = SellOutFilter
    ordering_fields = ["shift__day", "units"]

    def get_permissions(self):
        from ka_portal.api import RoleModelPermissions

        return [RoleModelPermissions()]

    def get_queryset(self):
        return (
            sell_out_for(self.request.user)
            .select_related("product", "shift__promoter", "shift__store")
            .order_by("-shift__day", "shift__store__code", "product__code")
        )


class MyShiftsView(CachedListMixin, generics.ListAPIView):
    """The caller's own shifts (a promoter's), newest day first, with their attendance and sell-out."""

    serializer_class = ShiftDaySerializer
    permission_classes = [needs("promoters.view_shift")]
    queryset = Shift.objects.none()  # the schema's model; the rows are get_queryset's
    list_cache = False  # a shift's attendance reads the clock (late, on duty now): read afresh (ka_portal/api_cache.py)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Shift.objects.none()
        return day_shifts(self.request.user).filter(promoter__user=self.request.user).order_by("-day", "starts_at")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}


routes = [("sell-out-lines", SellOutLineViewSet, "sell-out-line")]
urlpatterns = [
    path("shifts/<int:pk>/check-in/", ShiftCheckInView.as_view(), name="shift-check-in"),
    path("shifts/<int:pk>/check-out/", ShiftCheckOutView.as_view(), name="shift-check-out"),
    path("shifts/<int:pk>/sell-out/", ShiftSellOutView.as_view(), name="shift-sell-out"),
    path("sell-out/", DaySellOutView.as_view(), name="sell-out-report"),
    path("my/shifts/", MyShiftsView.as_view(), name="my-shifts"),
]
