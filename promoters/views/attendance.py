"""Pages of the promoters app: attendance (issue 16) — per promoter and per store for a month, planned vs attended
shifts with late / left early / absent / off-site / sent-late counts; the shifts behind them with each computed
reading and its confirmation, confirmed one at a time (a correction with a reason) or a day at once; and the
sell-out list.

Supervisors see their promoters and stores, managers read their chains', finance and admins all. A promoter has
their own day (views/phone.py) and nothing of this."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.roles import Role
from ka_portal import excel
from ka_portal.errors import DomainError
from ka_portal.formatting import display_name, format_packs
from ka_portal.lists import Column, FilteredListView
from ka_portal.pages import run_step, safe_next
from ka_portal.permissions import model_permission
from ka_portal.scope import sell_out_for, shifts_for, user_role

from .. import attendance, attendance_report, phone_services
from ..models import Shift
from ..phone_filters import AttendanceShiftFilter, SellOutFilter

CONFIRMERS = (Role.SUPERVISOR, Role.ADMIN)


def _not_for_promoters(user) -> None:
    if user_role(user) == Role.PROMOTER:
        raise PermissionDenied


def _month_link(name: str, month, **query) -> str:
    return f"{reverse(name)}?{urlencode({'month': month.strftime('%Y-%m'), **query})}"


def _shift_row_values(shift: Shift, reading: attendance.Reading) -> list:
    return [
        shift.day,
        shift.promoter.code,
        shift.promoter.name,
        shift.store.code,
        shift.store.name,
        shift.starts_at.strftime("%H:%M"),
        shift.ends_at.strftime("%H:%M"),
        timezone.localtime(shift.checked_in_at).replace(tzinfo=None) if shift.checked_in_at else None,
        timezone.localtime(shift.check_in_received_at).replace(tzinfo=None) if shift.check_in_received_at else None,
        str(_("yes")) if reading.sent_late else "",
        shift.check_in_distance_m,
        timezone.localtime(shift.checked_out_at).replace(tzinfo=None) if shift.checked_out_at else None,
        str(attendance.LABELS[reading.computed]),
        reading.late_minutes or None,
        reading.early_minutes or None,
        str(reading.label) if reading.confirmed else "",
        shift.correction_reason,
        display_name(shift.confirmed_by) if shift.confirmed_by else "",
    ]


SHIFT_HEADERS = (
    _("Day"), _("Promoter code"), _("Promoter"), _("Store code"), _("Store"), _("Starts"), _("Ends"),
    _("Checked in at"), _("Check-in received at"), _("Sent late"),
    _("Distance from store (m)"), _("Checked out at"), _("Computed attendance"),
    _("Minutes late"), _("Minutes early"), _("Confirmed attendance"), _("Reason"), _("Confirmed by"),
)  # fmt: skip


def _export(report: attendance_report.Report, shifts, now):
    workbook = excel.new_workbook()
    counts = [label for _name, label in attendance_report.COUNTS]
    for title, rows in ((_("By promoter"), report.by_promoter), (_("By store"), report.by_store)):
        excel.write_sheet(
            workbook,
            str(title),
            [str(_("Code")), str(_("Name")), *(str(label) for label in counts)],
            (
                [row.key.code, row.key.name, *(getattr(row, name) for name, _l in attendance_report.COUNTS)]
                for row in rows
            ),
        )
    limits = attendance.Limits.from_settings()
    excel.write_sheet(
        workbook,
        str(_("Shifts")),
        [str(header) for header in SHIFT_HEADERS],
        (_shift_row_values(shift, attendance.reading(shift, now=now, limits=limits)) for shift in shifts),
        {0: "yyyy-mm-dd", 7: "yyyy-mm-dd hh:mm", 8: "yyyy-mm-dd hh:mm", 11: "yyyy-mm-dd hh:mm"},
    )
    return excel.workbook_response(workbook, f"attendance-{report.month:%Y-%m}.xlsx")


@model_permission(Shift, get="view")
def attendance_page(request):
    """The month's attendance per promoter and per store (`?month=YYYY-MM`, `?export=xlsx`). A month it cannot read
    (2026-13, or 1999-01 outside the months the portal holds) is said under the box, which keeps what was typed, and
    nothing is shown or exported for it: never this month's figures (or sheet) passing for the month asked, a 400 as
    a list's refused filter (ka_portal.lists.FilteredListView)."""
    _not_for_promoters(request.user)
    exporting = request.GET.get("export") == "xlsx"
    try:
        month = attendance_report.parse_month(request.GET.get("month"))
    except DomainError as refusal:
        context = {
            "month_value": (request.GET.get("month") or "").strip(),
            "month_error": refusal.detail,
            "export_refused": exporting,
        }
        return render(request, "promoters/attendance.html", context, status=400)
    shifts = attendance_report.month_shifts(request.user, month)
    now = timezone.now()
    report = attendance_report.attendance_report(shifts, month=month, now=now)
    if exporting:
        return _export(report, shifts, now)
    previous = (month.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    following = (attendance_report.month_end(month) + timezone.timedelta(days=1)).replace(day=1)
    context = {
        "report": report,
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "counts": attendance_report.COUNTS,
        "previous": _month_link("promoters:attendance", previous),
        "following": _month_link("promoters:attendance", following),
        "export": _month_link("promoters:attendance", month, export="xlsx"),
        "shifts_url": _month_link("promoters:attendance-shifts", month, to_confirm="true"),
        "not_checked_in_url": _month_link("promoters:attendance-shifts", month, not_checked_in="true"),
    }
    if not request.GET.get("month"):
        # Opened on this month (its menu link), the days before it are last month's: its shifts still to confirm
        # are said with their way there, or a supervisor on the 2nd sees a month of zeros and nothing to do (QA).
        earlier = attendance_report.to_confirm_count(request.user, previous, now=now)
        if earlier:
            context["previous_to_confirm"] = earlier
            context["previous_month"] = previous
            context["previous_shifts_url"] = _month_link("promoters:attendance-shifts", previous, to_confirm="true")
    return render(request, "promoters/attendance.html", context)


class AttendanceShiftListView(FilteredListView):
    """The shifts behind the report, with each computed reading and its confirmation (`?month=`, filters)."""

    template_name = "promoters/attendance_shifts.html"
    filterset_class = AttendanceShiftFilter
    export_name = _("attendance")
    paginate_by = 50
    export_columns = [
        Column(header, (lambda i: lambda shift: _shift_row_values(shift, shift.reading)[i])(index))
        for index, header in enumerate(SHIFT_HEADERS)
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _not_for_promoters(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # A filter it cannot read (a month 2026-13, a To before its From) is said beside it and the list holds nothing:
        # a 400, as the attendance page answers that month and as the list's refused export is (FilteredListView).
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200 and self.filters_refused():
            response.status_code = 400
        return response

    def get_base_queryset(self):
        return attendance_report.listed_shifts(self.request.user)

    def get_queryset(self):
        shifts = super().get_queryset()
        self.now = timezone.now()
        limits = attendance.Limits.from_settings()
        return _Readings(shifts, lambda shift: attendance.reading(shift, now=self.now, limits=limits))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        days = self.filterset.form.cleaned_data if self.filterset.is_valid() else {}
        first, last = days.get("day_from"), days.get("day_to")
        # the report's month is the one the list starts in; one day chosen (From = To) can be confirmed at once
        month = (days.get("day") or first or timezone.localdate()).replace(day=1)
        context["month"] = month
        context["month_value"] = month.strftime("%Y-%m")
        context["choices"] = [(value, attendance.LABELS[value]) for value in attendance.FINAL]
        context["can_confirm"] = user_role(self.request.user) in CONFIRMERS
        context["back"] = _month_link("promoters:attendance", month)
        one_day = days.get("day") or (first if first and first == last else None)
        context["day"] = one_day.isoformat() if one_day else ""
        return context


class _Readings:
    """A queryset whose rows carry their reading (`shift.reading`), for the page and the export alike."""

    def __init__(self, queryset, read):
        self.queryset, self.read = queryset, read
        self.model = queryset.model

    def _with(self, shifts):
        for shift in shifts:
            shift.reading = self.read(shift)
            yield shift

    def __iter__(self):
        return self._with(self.queryset)

    def __len__(self):
        return self.queryset.count()

    def __getitem__(self, item):
        rows = self.queryset[item]
        return list(self._with(rows)) if isinstance(item, slice) else next(self._with([rows]))

    def count(self):
        return self.queryset.count()

    def __getattr__(self, name):  # anything else (values_list, …) is the queryset's
        return getattr(self.queryset, name)

    def iterator(self, chunk_size=2000):
        return self._with(self.queryset.iterator(chunk_size=chunk_size))

    def exists(self):
        return self.queryset.exists()

    @property
    def ordered(self):
        return True


@require_POST
@model_permission(Shift, get="change")
def confirm(request, pk):
    """Confirm a shift's attendance as computed, or correct it with a reason (supervisor or admin)."""
    shift = get_object_or_404(shifts_for(request.user), pk=pk)
    value, reason = request.POST.get("attendance", ""), request.POST.get("reason", "")
    return run_step(
        request,
        lambda: phone_services.attendance_confirm(shift=shift, by=request.user, attendance_value=value, reason=reason),
        success=lambda done: (
            _("Attendance of %(promoter)s on %(day)s confirmed: %(reading)s.")
            % {
                "promoter": done.promoter.name,
                "day": done.day.isoformat(),
                "reading": attendance.LABELS[done.confirmed_attendance],
            }
        ),
        then=reverse("promoters:attendance-shifts"),
        follow_next=True,
    )


@require_POST
@model_permission(Shift, get="change")
def confirm_day(request):
    """Confirm every ended, unconfirmed shift of a day (of a promoter or store when given) as computed."""
    back = safe_next(request, reverse("promoters:attendance-shifts"))
    filters = AttendanceShiftFilter(request.POST, queryset=shifts_for(request.user), request=request)
    if not filters.is_valid() or not filters.form.cleaned_data.get("day"):
        messages.error(request, _("Choose a day to confirm."))
        return redirect(back)
    shifts = list(filters.qs.filter(confirmed_at__isnull=True).select_related("promoter", "store"))
    now = timezone.now()
    ended = [s for s in shifts if attendance.shift_bounds(s.day, s.starts_at, s.ends_at)[1] <= now]
    return run_step(
        request,
        lambda: phone_services.attendance_confirm_many(shifts=ended, by=request.user),
        success=lambda done: (
            ngettext("%(n)s shift confirmed.", "%(n)s shifts confirmed.", len(done)) % {"n": len(done)}
        ),
        then=back,
    )


class SellOutListView(FilteredListView):
    """The sell-out reported by promoters: filters promoter, store, product and days; `?export=xlsx`."""

    template_name = "promoters/sell_out_list.html"
    filterset_class = SellOutFilter
    # The lines hold packs (and the price seen), not a value: the sheet is named as the page ("Sell-out": 销量) and
    # the packs column says packs, not "终端销售额", the evaluation's value (QA).
    export_name = _("Sell-out")
    export_columns = [
        Column(_("Day"), lambda line: line.shift.day, "yyyy-mm-dd"),
        Column(_("Promoter code"), lambda line: line.shift.promoter.code),
        Column(_("Promoter"), lambda line: line.shift.promoter.name),
        Column(_("Store code"), lambda line: line.shift.store.code),
        Column(_("Store"), lambda line: line.shift.store.name),
        Column(_("Product code"), lambda line: line.product.code),
        Column(_("Product"), lambda line: line.product.name),
        Column(_("Sell-out (packs)"), lambda line: line.units),
        Column(_("Sold (cases/packs)"), lambda line: format_packs(line.units, line.product.packs_per_case)),
        Column(_("Shelf stock at close (packs)"), lambda line: line.shelf_stock),
        Column(_("Price seen"), lambda line: line.price_seen, "0.00"),
        Column(_("Reported at"), lambda line: timezone.localtime(line.reported_at).replace(tzinfo=None)),
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _not_for_promoters(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return (
            sell_out_for(self.request.user)
            .select_related("product", "shift__promoter", "shift__store")
            .order_by("-shift__day", "shift__store__code", "product__code")
        )


urlpatterns = [
    path("attendance/", attendance_page, name="attendance"),
    path("attendance/shifts/", AttendanceShiftListView.as_view(), name="attendance-shifts"),
    path("attendance/shifts/<int:pk>/confirm/", confirm, name="attendance-confirm"),
    path("attendance/confirm-day/", confirm_day, name="attendance-confirm-day"),
    path("sell-out/", SellOutListView.as_view(), name="sell-out"),
]
