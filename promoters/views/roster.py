"""Pages of the promoters app: roster. The roster list (filters, Excel), a promoter's page (stores, the coming two
weeks, targets by month) and form, one month's targets for every promoter, and the week's schedule: a grid of
promoters × days, a form adding one shift on several days at once, a shift's edit and delete, and copying last
week. Supervisors keep their promoters and stores, admins all; managers and finance read; promoters use their own
day's page instead (403 here). Writes: promoters/roster_services.py."""

from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from contracts.forms import DATE_INPUT, StyledForm
from imports.registry import kind_named
from ka_portal.errors import DomainError
from ka_portal.formatting import NOT_IN_DIGITS, display_name
from ka_portal.lists import Column, FilteredListView, choose_by_code, choose_codes
from ka_portal.months import read_month
from ka_portal.pages import show_refusal
from ka_portal.permissions import can, model_permission
from ka_portal.scope import (
    promoter_stores_for,
    promoter_targets_for,
    promoters_for,
    promotion_plans_for,
    shifts_for,
    stores_for,
    user_role,
)
from promotions.models import PromotionPlan
from stores.imports import header_of
from stores.models import Store

from .. import attendance, roster_rules
from .. import roster_services as services
from ..amounts import NotAnAmount, typed_amount
from ..filters import PromoterFilter
from ..models import Promoter, PromoterTarget, Shift
from ..roster_imports import PromoterImport

User = get_user_model()
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MONEY_INPUT = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


def _no_promoters(user) -> None:
    """A promoter's pages are their own day's (promoters:my-day); the roster and the schedule are the office's."""
    if user_role(user) == Role.PROMOTER:
        raise PermissionDenied


def _stores_prefetch(user) -> Prefetch:
    """A promoter's stores as the user may see them: another supervisor's store is named nowhere."""
    return Prefetch("stores", queryset=promoter_stores_for(user).order_by("code"), to_attr="visible_stores")


def _pay(promoter) -> str:
    if promoter.daily_fee is not None:
        return gettext("%(amount)s a day") % {"amount": promoter.daily_fee}
    return gettext("%(amount)s a month") % {"amount": promoter.monthly_pay}


# --- the roster -------------------------------------------------------------------------------------------------


class RosterListView(FilteredListView):
    template_name = "promoters/roster_list.html"
    filterset_class = PromoterFilter
    export_name = _("promoters")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _no_promoters(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return (
            promoters_for(self.request.user)
            .select_related("supervisor", "user")
            .prefetch_related(_stores_prefetch(self.request.user))
            .order_by("code")
        )

    @property
    def export_columns(self):
        # headed as the import's template heads its columns, choices as their labels (which the import reads): the
        # exported sheet imports back as it is (promoters.roster_imports.PromoterImport)
        heading = partial(header_of, PromoterImport)
        return [
            Column(heading("code"), lambda p: p.code),
            Column(heading("name"), lambda p: p.name),
            Column(heading("phone"), lambda p: p.phone),
            Column(heading("kind"), lambda p: p.get_kind_display()),
            Column(heading("employer"), lambda p: p.get_employer_display()),
            Column(heading("agency"), lambda p: p.agency),
            # the username, as the column's heading says (the import reads a name too: sheets written before)
            Column(heading("supervisor"), lambda p: p.supervisor.get_username()),
            Column(heading("stores"), lambda p: ",".join(store.code for store in p.visible_stores)),
            Column(heading("daily_fee"), lambda p: p.daily_fee, "#,##0.00"),
            Column(heading("monthly_pay"), lambda p: p.monthly_pay, "#,##0.00"),
            Column(heading("started_on"), lambda p: p.started_on),
            Column(heading("ended_on"), lambda p: p.ended_on),
            Column(heading("login"), lambda p: p.user.username if p.user_id else ""),
        ]

    def export(self, queryset):
        # The export's stores come from the same prefetch as the page's (iterator() would drop it).
        columns = self.export_columns
        from ka_portal import excel

        formats = {i: c.number_format for i, c in enumerate(columns) if c.number_format}
        rows = ([column.value(obj) for column in columns] for obj in queryset)
        stamp = timezone.localdate().isoformat()
        return excel.xlsx_response(
            f"{self.export_name}-{stamp}.xlsx", str(self.export_name), [str(c.header) for c in columns], rows, formats
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_add"] = can(user, Promoter, "add")
        context["can_targets"] = can(user, PromoterTarget, "change")
        context["can_import"] = kind_named("promoters").allowed(user)
        context["today"] = timezone.localdate()
        return context


def _promoter(request, pk) -> Promoter:
    _no_promoters(request.user)
    return get_object_or_404(
        promoters_for(request.user)
        .select_related("supervisor", "user")
        .prefetch_related(_stores_prefetch(request.user)),
        pk=pk,
    )


@model_permission(Promoter)
def promoter_detail(request, pk):
    promoter = _promoter(request, pk)
    today = timezone.localdate()
    shifts = (
        shifts_for(request.user)
        .filter(promoter=promoter, day__gte=today, day__lt=today + timedelta(days=14))
        .select_related("store", "plan")
        .order_by("day", "starts_at")
    )
    targets = promoter_targets_for(request.user).filter(promoter=promoter).order_by("-month")
    return render(
        request,
        "promoters/promoter_detail.html",
        {
            "promoter": promoter,
            "pay": _pay(promoter),
            "shifts": shifts,
            "targets": targets,
            "today": today,
            "can_change": can(request.user, Promoter, "change"),
            "can_targets": can(request.user, PromoterTarget, "change"),
            "can_schedule": can(request.user, Shift, "add"),
        },
    )


class PromoterForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=60)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Promoter.Kind.choices)
    employer = forms.ChoiceField(label=_("Employed by"), choices=Promoter.Employer.choices)
    agency = forms.CharField(
        label=_("Agency"), max_length=120, required=False, help_text=_("When an agency employs them.")
    )
    supervisor = forms.ModelChoiceField(label=_("KA supervisor"), queryset=User.objects.none())
    user = forms.ModelChoiceField(
        label=_("Login"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("None (does not sign in)"),
        help_text=_("A user with the role Promoter, to report from a phone."),
    )
    stores = forms.ModelMultipleChoiceField(
        label=_("Stores"), queryset=Store.objects.none(), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    daily_fee = forms.DecimalField(
        label=_("Daily fee"), max_digits=14, decimal_places=2, required=False, widget=MONEY_INPUT
    )
    monthly_pay = forms.DecimalField(
        label=_("Monthly pay"), max_digits=14, decimal_places=2, required=False, widget=MONEY_INPUT,
        help_text=_("Either a daily fee or a monthly pay."),
    )  # fmt: skip
    started_on = forms.DateField(label=_("Started on"), widget=DATE_INPUT)
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE_INPUT, required=False)

    def __init__(self, *args, user, promoter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = User.objects.filter(profile__role=Role.SUPERVISOR).order_by("username")
        self.fields["supervisor"].label_from_instance = lambda u: f"{display_name(u)} ({u.username})"
        logins = User.objects.filter(profile__role=Role.PROMOTER).filter(
            Q(promoter__isnull=True) | Q(promoter=promoter) if promoter else Q(promoter__isnull=True)
        )
        self.fields["user"].queryset = logins.order_by("username")
        self.fields["user"].label_from_instance = lambda u: f"{display_name(u)} ({u.username})"
        self.fields["stores"].queryset = stores_for(user).select_related("account").order_by("code")
        self.fields["stores"].label_from_instance = lambda s: f"{s.code} {s.name}"
        choose_codes(self, "stores")  # an administrator's stores: 10,000


def _promoter_initial(promoter: Promoter | None, user) -> dict:
    if promoter is None:
        return {"supervisor": user if user_role(user) == Role.SUPERVISOR else None, "started_on": timezone.localdate()}
    initial = {name: getattr(promoter, name) for name in services.PROMOTER_FIELDS}
    initial["stores"] = promoter.visible_stores
    return initial


def _promoter_form(request, promoter):
    form = PromoterForm(
        request.POST or None, user=request.user, promoter=promoter, initial=_promoter_initial(promoter, request.user)
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        stores = fields.pop("stores")
        try:
            promoter = services.promoter_save(promoter=promoter, by=request.user, stores=stores, **fields)
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, gettext("Promoter saved."))
            return redirect("promoters:promoter-detail", promoter.pk)
    return render(request, "promoters/promoter_form.html", {"form": form, "promoter": promoter})


@model_permission(Promoter, get="add", post="add")
def promoter_new(request):
    _no_promoters(request.user)
    return _promoter_form(request, None)


@model_permission(Promoter, get="change", post="change")
def promoter_edit(request, pk):
    return _promoter_form(request, _promoter(request, pk))


# --- one month's targets of every promoter ----------------------------------------------------------------------


def _typed_target(raw: str) -> Decimal | None:
    """A month's target as typed on the page, read as every amount of the app (promoters/amounts.py): "¥12000.5"
    is 12,000.50; "1e4" and "2,8" are no amount (not 10,000 and 28). A refusal is a ValueError saying why."""
    try:
        amount = typed_amount(raw)
    except NotAnAmount as error:
        raise ValueError(
            str(NOT_IN_DIGITS) if not error.in_digits else gettext("“%(value)s” is not a number.") % {"value": raw}
        ) from None
    if amount is not None and amount != amount.quantize(Decimal("0.01")):
        raise ValueError(gettext("More than %(places)s decimal places: %(value)s.") % {"places": 2, "value": raw})
    return amount


@model_permission(PromoterTarget, get="change", post="change")
def month_targets(request):
    """Every promoter's sell-out target for one month on one form; an empty amount removes the target. A refused
    amount is marked on its row and named, with its promoter, above the form; nothing is saved and every amount
    stays as typed."""
    _no_promoters(request.user)
    typed = request.POST.get("month") or request.GET.get("month") or ""
    try:
        month = read_month(typed, field="month", label=_("Month")) or timezone.localdate().replace(day=1)
    except DomainError as refusal:
        # 2026-13 or 1999-01: said under the box, keeping what was typed; no month's targets shown or saved for it
        # (never this month's passing for the month asked), a 400 as the attendance page's month
        context = {"month_value": typed.strip(), "month_error": refusal.detail}
        return render(request, "promoters/month_targets.html", context, status=400)
    following = (month + timedelta(days=32)).replace(day=1)
    promoters = list(
        promoters_for(request.user)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=month), started_on__lt=following)
        .order_by("code")
    )
    current = dict(
        promoter_targets_for(request.user)
        .filter(month=month, promoter__in=promoters)
        .values_list("promoter_id", "amount")
    )
    errors: dict[int, str] = {}
    typed: dict[int, str] = {}
    if request.method == "POST":
        amounts = {}
        for promoter in promoters:
            name = f"amount_{promoter.pk}"
            if name not in request.POST:
                continue  # not on the form that was sent: left as it is
            raw = typed[promoter.pk] = request.POST[name].strip()
            try:
                amounts[promoter] = _typed_target(raw)
            except ValueError as refusal:
                errors[promoter.pk] = str(refusal)
        if not errors:
            try:
                changed = services.promoter_month_targets_set(by=request.user, month=month, amounts=amounts)
            except DomainError as refusal:
                for problem in getattr(refusal, "problems", None) or [refusal]:
                    promoter = getattr(problem, "promoter", None)
                    if promoter is None:
                        messages.error(request, problem.detail)
                    else:
                        errors[promoter.pk] = problem.detail
            else:
                if changed:
                    said = ngettext("%(count)s target saved.", "%(count)s targets saved.", changed) % {"count": changed}
                else:
                    said = gettext("No target changed.")
                messages.success(request, said)
                return redirect(f"{reverse('promoters:targets')}?month={month:%Y-%m}")
    rows = [
        {
            "promoter": promoter,
            "label": f"{promoter.name} ({promoter.code})",
            "value": typed.get(promoter.pk, current.get(promoter.pk, "")),
            "error": errors.get(promoter.pk, ""),
        }
        for promoter in promoters
    ]
    return render(
        request,
        "promoters/month_targets.html",
        {
            "month": month,
            "rows": rows,
            "refused": [row for row in rows if row["error"]],
            "previous": (month - timedelta(days=1)).replace(day=1),
            "following": following,
        },
    )


# --- the week's schedule ----------------------------------------------------------------------------------------


# The days a week can be read from: those a shift may fall on (roster_rules.check_day).
FIRST_DAY, LAST_DAY = roster_rules.FIRST_DAY, roster_rules.LAST_DAY


def _week_of(value: str | None) -> date:
    """The Monday of the week named by any of its days (``?week=`` or the forms' ``week``, YYYY-MM-DD); this week when
    none is given. A day that is none (2026-13-01, abc) or one outside the portal's years (1999-01-04) is refused
    naming what was typed: never this week, or a 1999 week, offered to plan for the week asked."""
    text = (value or "").strip()
    if not text:
        day = timezone.localdate()
        return day - timedelta(days=day.weekday())
    try:
        day = parse_date(text)
    except ValueError:  # well formed but no such day: 2026-13-01
        day = None
    if day is None:
        raise DomainError(
            "week.invalid", _("“%(value)s” is not a date: write it as YYYY-MM-DD."), field="week", value=text
        )
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError(
            "week.out_of_range",
            _("%(value)s is outside the weeks the portal holds: enter a day from %(first)s to %(last)s."),
            field="week",
            value=text,
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
    return day - timedelta(days=day.weekday())


def _week_refused(request, refusal: DomainError, *, typed: str, copy: bool = False):
    """The week's page for a week it could not read: what was typed in the week's box with why, and nothing to plan
    or copy; a 400, as a month the promoters' pages cannot read (views/attendance.py)."""
    context = {
        "week_value": typed.strip(),
        "week_error": refusal.detail,
        "copy_refused": gettext("Nothing was copied: %(reason)s") % {"reason": refusal.detail} if copy else "",
    }
    return render(request, "promoters/week.html", context, status=400)


class WeekStoreForm(forms.Form):
    """The week's store, by code: a select of the user's stores, past RecordChoice.MANY a box that offers the stores
    their words find (a KA manager's stores are thousands). Changing it shows that store's week."""

    store = forms.ModelChoiceField(
        label=_("Store"), queryset=Store.objects.none(), required=False, empty_label=_("Every store")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, auto_id="week_%s", **kwargs)  # the shifts form below has a store (id_store) too
        field = self.fields["store"]
        field.queryset = promoter_stores_for(user).order_by("code")
        field.label_from_instance = lambda s: f"{s.code} {s.name}"
        choose_by_code(self, "store")
        field.widget.attrs.update(
            {"class": "form-select form-select-sm", "aria-label": field.label, "onchange": "this.form.submit()"}
        )


class WeekShiftsForm(StyledForm):
    """One shift on several days of the week at once."""

    promoter = forms.ModelChoiceField(label=_("Promoter"), queryset=Promoter.objects.none())
    store = forms.ModelChoiceField(label=_("Store"), queryset=Store.objects.none())
    days = forms.TypedMultipleChoiceField(
        label=_("Days"), choices=(), coerce=date.fromisoformat, widget=forms.CheckboxSelectMultiple
    )
    starts_at = forms.TimeField(label=_("From"), widget=TIME_INPUT)
    ends_at = forms.TimeField(label=_("To"), widget=TIME_INPUT)
    plan = forms.ModelChoiceField(
        label=_("Promotion"), queryset=PromotionPlan.objects.none(), required=False, empty_label=_("None")
    )

    def __init__(self, *args, user, week: date, days=True, **kwargs):
        super().__init__(*args, **kwargs)
        end = week + timedelta(days=6)
        self.fields["promoter"].queryset = (
            promoters_for(user)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=week), started_on__lte=end)
            .order_by("code")
        )
        self.fields["promoter"].label_from_instance = lambda p: f"{p.name} ({p.code})"
        self.fields["store"].queryset = promoter_stores_for(user).order_by("code")
        self.fields["store"].label_from_instance = lambda s: f"{s.code} {s.name}"
        choose_by_code(self, "store")  # a KA manager's promoted stores: hundreds to thousands
        self.fields["plan"].queryset = (
            promotion_plans_for(user)
            .filter(status__in=services.PLAN_STATUSES, start_on__lte=end, end_on__gte=week)
            .order_by("start_on", "pk")
        )
        self.fields["plan"].label_from_instance = lambda plan: f"#{plan.pk} {plan.title}"
        if days:
            self.fields["days"].choices = [
                ((week + timedelta(days=i)).isoformat(), _weekday(week + timedelta(days=i))) for i in range(7)
            ]
            self.fields["days"].widget.attrs["class"] = "form-check-input"
        else:
            del self.fields["days"]


class ShiftForm(WeekShiftsForm):
    day = forms.DateField(label=_("Day"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, days=False, **kwargs)
        self.order_fields(["promoter", "store", "day", "starts_at", "ends_at", "plan"])


WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def _weekday(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day:%m-%d}"


def _week_url(week: date, store: str = "") -> str:
    query = {"week": week.isoformat()}
    if store:
        query["store"] = store
    return f"{reverse('promoters:week')}?{urlencode(query)}"


@model_permission(Shift, get="view", post="add")
def week(request):
    """The week's schedule: promoters × days with each shift; the form adds one shift on several days."""
    _no_promoters(request.user)
    user = request.user
    typed = request.POST.get("week") or request.GET.get("week") or ""
    try:
        week_start = _week_of(typed)
    except DomainError as refusal:
        return _week_refused(request, refusal, typed=typed)
    days = [week_start + timedelta(days=i) for i in range(7)]
    store_code = (request.POST.get("store_filter") or request.GET.get("store") or "").strip()
    store = promoter_stores_for(user).filter(code=store_code).first() if store_code else None
    if store_code and store is None:
        raise Http404
    can_schedule = can(user, Shift, "add")
    initial = {"store": store, "starts_at": "09:00", "ends_at": "18:00"}
    form = WeekShiftsForm(request.POST or None, user=user, week=week_start, initial=initial) if can_schedule else None
    if request.method == "POST" and form.is_valid():
        try:
            shifts = services.shifts_plan_week(by=user, **form.cleaned_data)
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(
                request,
                ngettext("%(count)s shift scheduled.", "%(count)s shifts scheduled.", len(shifts))
                % {"count": len(shifts)},
            )
            return redirect(_week_url(week_start, store_code))
    shifts = (
        shifts_for(user)
        .filter(day__gte=days[0], day__lte=days[-1])
        .select_related("promoter", "store", "plan")
        .order_by("promoter__code", "day", "starts_at")
    )
    if store is not None:
        shifts = shifts.filter(store=store)
    grid: dict[int, dict] = {}
    now, limits = timezone.now(), attendance.Limits.from_settings()
    for shift in shifts:
        # Attendance beside each shift once it is worked or over; only a shift still to come is edited (the service's
        # own lock: not started, checked in to or confirmed).
        shift.reading = attendance.reading(shift, now=now, limits=limits)
        shift.editable = can_schedule and services.shift_movable(shift)
        row = grid.setdefault(
            shift.promoter_id, {"promoter": shift.promoter, "days": {d: [] for d in days}, "hours": 0}
        )
        row["days"][shift.day].append(shift)
        row["hours"] += services.hours(shift.starts_at, shift.ends_at)
    rows = [
        {"promoter": row["promoter"], "cells": [row["days"][d] for d in days], "hours": row["hours"]}
        for row in sorted(grid.values(), key=lambda r: r["promoter"].code)
    ]
    # The same week day by day, for a phone or a tablet (below 992 px): each day's promoters with their shifts.
    by_day = [
        {
            "day": day,
            "name": WEEKDAYS[day.weekday()],
            "rows": [(row["promoter"], row["cells"][i]) for row in rows if row["cells"][i]],
        }
        for i, day in enumerate(days)
    ]
    return render(
        request,
        "promoters/week.html",
        {
            "week": week_start,
            "days": days,
            "headers": [(day, WEEKDAYS[day.weekday()]) for day in days],
            "rows": rows,
            "by_day": by_day,
            "form": form,
            "store": store,
            "store_form": WeekStoreForm(initial={"store": store}, user=user),
            "previous": week_start - timedelta(days=7),
            "following": week_start + timedelta(days=7),
            "today": timezone.localdate(),
            "can_schedule": can_schedule,
        },
    )


@model_permission(Shift, get=None, post="add")
def week_copy(request):
    """Copy last week's shifts (of the store shown, or all the user schedules) into this week: all or none."""
    _no_promoters(request.user)
    if request.method != "POST":
        raise Http404
    typed = request.POST.get("week", "")
    try:
        week_start = _week_of(typed)
    except DomainError as refusal:
        return _week_refused(request, refusal, typed=typed, copy=True)
    store_code = request.POST.get("store", "").strip()
    store = promoter_stores_for(request.user).filter(code=store_code).first() if store_code else None
    if store_code and store is None:
        raise Http404
    try:
        done = services.shifts_copy_week(
            by=request.user, source_week=week_start - timedelta(days=7), target_week=week_start, store=store
        )
    except DomainError as refusal:
        messages.error(request, gettext("Nothing was copied: %(reason)s") % {"reason": refusal.detail})
    else:
        count = len(done.copied)
        said = ngettext("%(count)s shift copied from last week.", "%(count)s shifts copied from last week.", count) % {
            "count": count
        }
        if done.left_off:
            left = len(done.left_off)
            said += " " + ngettext(
                "%(count)s shift was left off: its time this week has already begun.",
                "%(count)s shifts were left off: their time this week has already begun.",
                left,
            ) % {"count": left}
        (messages.success if count else messages.warning)(request, said)
    return redirect(_week_url(week_start, store_code))


def _shift(request, pk) -> Shift:
    _no_promoters(request.user)
    return get_object_or_404(shifts_for(request.user).select_related("promoter", "store", "plan"), pk=pk)


@model_permission(Shift, get="change", post="change")
def shift_edit(request, pk):
    shift = _shift(request, pk)
    if not can(request.user, Shift, "add"):
        raise PermissionDenied
    week_start = shift.day - timedelta(days=shift.day.weekday())
    initial = {name: getattr(shift, name) for name in ("promoter", "store", "day", "starts_at", "ends_at", "plan")}
    form = ShiftForm(request.POST or None, user=request.user, week=week_start, initial=initial)
    try:
        services._locked(shift)
        locked = ""
    except DomainError as refusal:
        locked = refusal.detail  # said before anything is typed, not only after Save
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_save(shift=shift, by=request.user, **form.cleaned_data)
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, gettext("Shift saved."))
            return redirect(_week_url(form.cleaned_data["day"] - timedelta(days=form.cleaned_data["day"].weekday())))
    return render(
        request, "promoters/shift_form.html", {"form": form, "shift": shift, "week": week_start, "locked": locked}
    )


@model_permission(Shift, get="delete", post="delete")
def shift_delete(request, pk):
    """Asks first (GET: what would go, with a button), deletes on POST and says what was deleted."""
    shift = _shift(request, pk)
    if request.method != "POST":
        return render(request, "promoters/shift_delete.html", {"shift": shift})
    week_start = shift.day - timedelta(days=shift.day.weekday())
    try:
        services.shift_delete(shift=shift, by=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.detail)
        return redirect("promoters:shift-edit", shift.pk)
    messages.success(
        request,
        gettext("Shift deleted: %(promoter)s at %(store)s on %(day)s, %(start)s–%(end)s.")
        % {
            "promoter": shift.promoter.name,
            "store": shift.store.name,
            "day": date_format(shift.day, "DATE_FORMAT"),
            "start": f"{shift.starts_at:%H:%M}",
            "end": f"{shift.ends_at:%H:%M}",
        },
    )
    return redirect(_week_url(week_start))


urlpatterns = [
    path("roster/", RosterListView.as_view(), name="roster"),
    path("roster/new/", promoter_new, name="promoter-new"),
    path("roster/targets/", month_targets, name="targets"),
    path("roster/<int:pk>/", promoter_detail, name="promoter-detail"),
    path("roster/<int:pk>/edit/", promoter_edit, name="promoter-edit"),
    path("shifts/", week, name="week"),
    path("shifts/copy/", week_copy, name="week-copy"),
    path("shifts/<int:pk>/edit/", shift_edit, name="shift-edit"),
    path("shifts/<int:pk>/delete/", shift_delete, name="shift-delete"),
]
