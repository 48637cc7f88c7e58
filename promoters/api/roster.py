"""The promoters API: roster. The roster (`promoters/`, a promoter named by their code in every body and filter),
the week's shifts (`shifts/`, by id; `shifts/week/` schedules several days at once) and monthly sell-out targets
(`promoter-targets/`). Every write goes through promoters/roster_services.py; every create accepts an
Idempotency-Key; out of scope is "Not found."."""

from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.roles import Role
from ka_portal.api_fields import ClockTimeField, related
from ka_portal.api_views import ServiceModelViewSet
from ka_portal.idempotency import idempotent
from ka_portal.scope import (
    promoter_stores_for,
    promoter_targets_for,
    promoters_for,
    promotion_plans_for,
    shifts_for,
    stores_for,
)
from promotions.models import PromotionPlan
from stores.models import Store

from .. import attendance
from .. import roster_services as services
from ..filters import PromoterFilter, PromoterTargetFilter, ShiftFilter
from ..models import Promoter, PromoterTarget, Shift
from .phone import ReadingSerializer, reading_data

User = get_user_model()


def promoter_logins(user):
    """The logins a roster record may name: users with the role promoter."""
    return User.objects.filter(profile__role=Role.PROMOTER) if user.is_authenticated else User.objects.none()


def supervisors(user):
    return User.objects.filter(profile__role=Role.SUPERVISOR) if user.is_authenticated else User.objects.none()


class PromoterSerializer(serializers.ModelSerializer):
    user = related(
        User, scope=promoter_logins, allow_null=True, required=False, help_text="The promoter's login, by username."
    )
    supervisor = related(User, scope=supervisors, help_text="The leading KA supervisor, by username.")
    stores = related(Store, scope=stores_for, many=True, required=False, help_text="The stores, by their codes.")

    class Meta:
        model = Promoter
        fields = ["id", "code", "name", "phone", "kind", "employer", "agency", "user", "supervisor", "stores",
                  "daily_fee", "monthly_pay", "started_on", "ended_on"]  # fmt: skip
        extra_kwargs = {
            "daily_fee": {"help_text": "CNY per day worked; give this or monthly_pay."},
            "monthly_pay": {"help_text": "CNY per month; give this or daily_fee."},
            "agency": {"help_text": "Required when employer is agency."},
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # The stores the caller reaches among the promoter's: another supervisor's store is named nowhere.
        request = self.context.get("request")
        if request is not None and "stores" in data:
            reachable = getattr(request, "_roster_reachable_stores", None)
            if reachable is None:
                reachable = request._roster_reachable_stores = set(
                    promoter_stores_for(request.user).values_list("code", flat=True)
                )
            data["stores"] = [code for code in data["stores"] if code in reachable]
        return data


# What a shift's attendance reading is computed from (promoters/attendance.reading).
READING_COLUMNS = ("day", "starts_at", "ends_at", "checked_in_at", "checked_out_at", "check_in_distance_m",
                   "check_in_received_at", "confirmed_attendance")  # fmt: skip


class ShiftSerializer(serializers.ModelSerializer):
    promoter = related(Promoter, scope=promoters_for, help_text="The promoter, by code.")
    store = related(Store, scope=promoter_stores_for, help_text="The store, by its code.")
    plan = related(
        PromotionPlan,
        scope=promotion_plans_for,
        allow_null=True,
        required=False,
        help_text="The promotion plan the promoter works for (id), running at the store that day.",
    )
    created_by = related(User, scope=None, read_only=True, help_text="Who scheduled it, by username.")
    starts_at = ClockTimeField()
    ends_at = ClockTimeField()
    confirmed_attendance = serializers.ChoiceField(
        choices=Shift.Attendance.choices,
        allow_blank=True,
        read_only=True,
        help_text="The supervisor's confirmed reading; empty until confirmed.",
    )
    attendance = serializers.SerializerMethodField(
        help_text="The shift's attendance now, as the supervisor's pages read it (promoters/attendance.py): a shift "
        "started with no check-in reads not_checked_in, then late_no_check_in, absent once ended."
    )

    # A page written from values() rows (ka_portal/values_pages.py) reads the same reading of the row's columns.
    values_derived = {"attendance": (READING_COLUMNS, lambda row: row["_attendance"])}

    class Meta:
        model = Shift
        fields = ["id", "promoter", "store", "day", "starts_at", "ends_at", "plan", "created_by", "checked_in_at",
                  "checked_out_at", "confirmed_attendance", "confirmed_at", "attendance"]  # fmt: skip
        read_only_fields = ["checked_in_at", "checked_out_at", "confirmed_attendance", "confirmed_at"]
        validators = []  # the services' rules say no (shift.overlap), not the unique constraint's generic text

    def _now(self):
        # one moment for the whole answer (ShiftViewSet's context), so a page does not straddle a minute
        return self.context.get("now") or timezone.now()

    @extend_schema_field(ReadingSerializer)
    def get_attendance(self, shift) -> dict:
        return reading_data(shift, now=self._now())

    def values_page_rows(self, rows: list[dict]) -> None:
        now, limits = self._now(), attendance.Limits.from_settings()
        for row in rows:
            row["_attendance"] = reading_data(
                SimpleNamespace(**{name: row[name] for name in READING_COLUMNS}), now=now, limits=limits
            )


class WeekShiftsSerializer(serializers.Serializer):
    promoter = related(Promoter, scope=promoters_for, help_text="The promoter, by code.")
    store = related(Store, scope=promoter_stores_for, help_text="The store, by its code.")
    days = serializers.ListField(child=serializers.DateField(), min_length=1, max_length=31, help_text="Days.")
    starts_at = ClockTimeField()
    ends_at = ClockTimeField()
    plan = related(PromotionPlan, scope=promotion_plans_for, allow_null=True, required=False, help_text="Plan id.")


class PromoterTargetSerializer(serializers.ModelSerializer):
    promoter = related(Promoter, scope=promoters_for, help_text="The promoter, by code.")

    class Meta:
        model = PromoterTarget
        fields = ["id", "promoter", "month", "amount"]
        extra_kwargs = {"month": {"help_text": "The month, as its first day: 2026-03-01."}}
        validators = []


class PromoterViewSet(ServiceModelViewSet):
    """The roster (导购 / 理货): supervisors keep their promoters', admins all; managers and finance read. Writes
    through roster_services.promoter_save."""

    serializer_class = PromoterSerializer
    filterset_class = PromoterFilter
    search_fields = ["code", "name", "phone"]
    ordering_fields = ["code", "name", "started_on"]

    def get_queryset(self):
        return promoters_for(self.request.user).select_related("user", "supervisor").prefetch_related("stores")

    def save(self, record, **fields):
        stores = fields.pop("stores", None)
        return services.promoter_save(promoter=record, by=self.request.user, stores=stores, **fields)


class ShiftViewSet(ServiceModelViewSet):
    """Shifts, each with its attendance now: filters promoter, store, day_from, day_to, plan, sent_late and
    not_checked_in (running late with no check-in). A shift checked in to or confirmed is never moved or deleted;
    a promoter reads their own (and checks in on the phone's endpoints), only schedulers write here."""

    serializer_class = ShiftSerializer
    filterset_class = ShiftFilter
    ordering_fields = ["day", "starts_at"]
    list_cache = False  # a shift's attendance reads the clock (not checked in yet, then late): read afresh

    def get_queryset(self):
        return shifts_for(self.request.user).select_related("promoter", "store", "plan", "created_by")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not request.user.has_perm("promoters.add_shift"):
            raise PermissionDenied  # a promoter's change permission is for checking in, on the phone's endpoints

    def save(self, record, **fields):
        return services.shift_save(shift=record, by=self.request.user, **fields)

    def perform_update(self, serializer):
        record = serializer.instance
        fields = {
            name: serializer.validated_data.get(name, getattr(record, name))
            for name in ("promoter", "store", "day", "starts_at", "ends_at", "plan")
        }
        serializer.instance = self.as_read(self.save(record, **fields))

    def perform_destroy(self, instance):
        services.shift_delete(shift=instance, by=self.request.user)

    @idempotent()
    @extend_schema(request=WeekShiftsSerializer, responses={201: ShiftSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="week")
    def week(self, request):
        """The same shift on several days at once: all of them are scheduled, or (one refused) none."""
        body = WeekShiftsSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        shifts = services.shifts_plan_week(by=request.user, **body.validated_data)
        return Response(self.get_serializer(shifts, many=True).data, status=status.HTTP_201_CREATED)


class PromoterTargetViewSet(ServiceModelViewSet):
    """A promoter's sell-out target per month (value, CNY): supervisors and managers set, finance reads."""

    serializer_class = PromoterTargetSerializer
    filterset_class = PromoterTargetFilter

    def get_queryset(self):
        return promoter_targets_for(self.request.user).select_related("promoter").order_by("promoter__code", "month")

    def save(self, record, **fields):
        return services.promoter_target_save(target=record, by=self.request.user, **fields)


routes = [
    ("promoters", PromoterViewSet, "promoter"),
    ("shifts", ShiftViewSet, "shift"),
    ("promoter-targets", PromoterTargetViewSet, "promoter-target"),
]
urlpatterns: list = []
