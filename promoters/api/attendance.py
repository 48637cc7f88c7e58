"""The promoters API: attendance.

- ``POST shifts/<id>/confirm/``: the supervisor (or an admin) confirms a shift's computed attendance, or corrects
  it with a reason; confirming closes the day to sell-out reports (Idempotency-Key);
- ``GET reports/promoter-attendance/?month=YYYY-MM``: per promoter and per store, planned vs attended shifts and
  late / left early / absent / off-site / sent-late counts, within the caller's scope."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from ka_portal.idempotency import idempotent
from ka_portal.months import month_parameter
from ka_portal.scope import shifts_for, user_role

from .. import attendance_report, phone_services
from .phone import CONFLICT, NOT_FOUND, REFUSED, ShiftDaySerializer, needs, shift_out


class ConfirmSerializer(serializers.Serializer):
    # Checked by the service (attendance.invalid), so the page and the API refuse alike.
    attendance = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The reading confirmed: attended, late, left_early, late_and_early, off_site, absent or leave; "
        "default the computed one. Another than the computed needs a reason (attendance.reason_needed).",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="Why corrected.")


class ShiftConfirmView(APIView):
    permission_classes = [needs("promoters.change_shift")]

    @idempotent(scope="shift.confirm")
    @extend_schema(
        request=ConfirmSerializer,
        responses={200: ShiftDaySerializer, 400: REFUSED, 403: REFUSED, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, pk):
        """Confirm or correct the attendance of a shift that has ended (attendance.not_ended;
        attendance.reason_needed for a correction without a reason). Supervisors and admins only."""
        shift = get_object_or_404(shifts_for(request.user), pk=pk)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone_services.attendance_confirm(
            shift=shift,
            by=request.user,
            attendance_value=data.validated_data.get("attendance", ""),
            reason=data.validated_data.get("reason", ""),
        )
        return shift_out(request, shift)


class CountsSerializer(serializers.Serializer):
    planned = serializers.IntegerField(help_text="Shifts scheduled in the month.")
    attended = serializers.IntegerField(help_text="Worked (on time, late, left early or off site).")
    on_time = serializers.IntegerField()
    late = serializers.IntegerField(help_text="Late, also those late and leaving early.")
    left_early = serializers.IntegerField(help_text="Left early, also those late and leaving early.")
    absent = serializers.IntegerField()
    not_checked_in = serializers.IntegerField(
        help_text="Running now with no check-in, started more than KA_PROMOTER_LATE_AFTER_MINUTES ago (their "
        "attendance reads late_no_check_in); absent once ended."
    )
    off_site = serializers.IntegerField()
    sent_late = serializers.IntegerField(
        help_text="Checked in with a phone time more than KA_VISIT_SYNC_LATE_HOURS before the check-in reached the "
        "server (lateness is judged on its arrival)."
    )
    leave = serializers.IntegerField(help_text="On approved leave (confirmed by the supervisor).")
    to_come = serializers.IntegerField(help_text="Not ended yet.")
    confirmed = serializers.IntegerField()
    to_confirm = serializers.IntegerField(help_text="Ended and not yet confirmed.")


class PromoterRowSerializer(CountsSerializer):
    promoter = serializers.CharField(source="key.code", help_text="The promoter's code.")
    name = serializers.CharField(source="key.name")


class StoreRowSerializer(CountsSerializer):
    store = serializers.CharField(source="key.code", help_text="The store's code.")
    name = serializers.CharField(source="key.name")


class AttendanceReportSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The month's first day.")
    by_promoter = PromoterRowSerializer(many=True)
    by_store = StoreRowSerializer(many=True)
    total = CountsSerializer()


class PromoterAttendanceReportView(APIView):
    permission_classes = [needs("promoters.view_shift")]

    @extend_schema(
        parameters=[month_parameter("month", description="YYYY-MM (default this month).")],
        responses={200: AttendanceReportSerializer, 400: REFUSED},
    )
    def get(self, request):
        """The month's attendance per promoter and per store (a supervisor's promoters and stores, a manager's
        chains, finance and admins all; a promoter their own)."""
        if user_role(request.user) == Role.PROMOTER:  # a promoter has their own day (my/shifts/), nothing of this
            self.permission_denied(request)
        month = attendance_report.parse_month(request.query_params.get("month"))
        report = attendance_report.attendance_report(attendance_report.month_shifts(request.user, month), month=month)
        return Response(AttendanceReportSerializer(report).data)


routes: list = []  # (prefix, viewset, basename) registered on the app's router
urlpatterns = [
    path("shifts/<int:pk>/confirm/", ShiftConfirmView.as_view(), name="shift-confirm"),
    path("reports/promoter-attendance/", PromoterAttendanceReportView.as_view(), name="promoter-attendance-report"),
]
