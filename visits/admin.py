"""Admin for routes, visits and tasks: every write goes through visits/services.py, as on the pages and the API.

Route plans are generated and edited on the routes page; here they are read, and published or taken back to
draft by actions that call the services. A visit is what the rep recorded: read-only here, so no finding of a
checked-out visit changes without its rating; deleting one goes through visits_delete (its display agreements
are re-evaluated). Tasks are created, edited, deleted and reported done or not done through
task_create, task_edit, task_delete and task_complete, the rules' messages shown next to the field. Suggested orders
and the nightly job's runs are computed, never typed.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ka_portal.admin_base import ReadOnlyAdmin as KeptAdmin
from ka_portal.admin_base import ReadOnlyInline
from ka_portal.errors import DomainError
from ka_portal.formatting import display_name

from . import rules, selectors, services
from .models import (
    ChecklistResult,
    ReplenishmentRun,
    RoutePlan,
    RoutePlanTransition,
    RouteStop,
    StockCount,
    StockNotCounted,
    SuggestedOrder,
    Task,
    TaskChange,
    TaskTransition,
    Visit,
    VisitReview,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added or changed here (deleting stays the administrator's call)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)


def _plan_action(name: str, description, step, done_text):
    """An admin action running a route-plan service on each selected plan; refusals are listed by plan."""

    def run(modeladmin, request, queryset):
        done = 0
        for plan in queryset:
            try:
                step(plan, request.user)
            except DomainError as refusal:
                modeladmin.message_user(request, f"{plan}: {refusal.detail}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(request, done_text(done) % {"n": done}, messages.SUCCESS)

    run.__name__ = name
    return admin.action(description=description, permissions=["change"])(run)


publish_plans = _plan_action(
    "publish_plans",
    _("Publish the selected route plans"),
    lambda plan, user: services.route_plan_publish(plan=plan, by=user),
    lambda n: ngettext("%(n)s route plan published.", "%(n)s route plans published.", n),
)
unpublish_plans = _plan_action(
    "unpublish_plans",
    _("Take the selected route plans back to draft"),
    lambda plan, user: services.route_plan_unpublish(plan=plan, by=user),
    lambda n: ngettext("%(n)s route plan back to draft.", "%(n)s route plans back to draft.", n),
)


class RouteStopInline(ReadOnlyInline):
    model = RouteStop
    fields = readonly_fields = ("day", "position", "store", "by_hand")


class RoutePlanTransitionInline(ReadOnlyInline):
    model = RoutePlanTransition
    fields = readonly_fields = ("at", "from_status", "to_status", "by")


@admin.register(RoutePlan)
class RoutePlanAdmin(ReadOnlyAdmin):
    list_display = ("rep", "week_start", "status", "published_at")
    list_filter = ("status", "week_start")
    search_fields = ("rep__username", "rep__first_name", "rep__last_name")
    list_select_related = ("rep",)
    inlines = [RouteStopInline, RoutePlanTransitionInline]
    actions = [publish_plans, unpublish_plans]


class ChecklistInline(ReadOnlyInline):
    model = ChecklistResult
    fields = readonly_fields = ("item", "result")


class StockCountInline(ReadOnlyInline):
    model = StockCount
    fields = readonly_fields = ("product", "packs")


class NotCountedInline(ReadOnlyInline):
    model = StockNotCounted
    fields = readonly_fields = ("product",)


class VisitReviewInline(ReadOnlyInline):
    """The visit's reviews (one per reviewer), shown: written on the visit page or the API (visits.services)."""

    model = VisitReview
    fields = readonly_fields = ("by", "reviewed_at", "comment", "edited_at")


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("store", "rep", "checked_in_at", "checked_out_at", "rating", "far_from_store", "short_visit")
    list_filter = ("rating", "far_from_store", "short_visit", "checked_in_at")
    search_fields = ("store__code", "store__name", "rep__username", "problems", "checkout_reason")
    list_select_related = ("store", "rep")
    date_hierarchy = "checked_in_at"
    inlines = [ChecklistInline, StockCountInline, NotCountedInline, VisitReviewInline]
    # A check-out, its flags and the rating are the service's (visits.services.visit_check_out): a visit is done
    # when it was done, whichever door it comes through, so the admin shows them and cannot set them.
    readonly_fields = (
        "checked_out_at",
        "checkout_entered_at",
        "rating",
        "rating_reasons",
        "checkout_reason",
        "checkout_missing",
        "short_visit",
        "far_from_store",
        "distance_m",
    )

    # Deleting goes through the service: the display agreements the visits checked are re-evaluated with it.
    def delete_model(self, request, obj):
        services.visits_delete(visits=Visit.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.visits_delete(visits=queryset)


class TaskTransitionInline(ReadOnlyInline):
    model = TaskTransition
    fields = readonly_fields = ("at", "from_status", "to_status", "by", "note")


def _what_changed(change: TaskChange) -> str:
    """An edit's changes on one line."""
    return "; ".join(
        gettext("%(label)s: %(value)s") % {"label": label, "value": values} for label, values in change.changed
    )


# The rules name the service's arguments; the form's fields are the model's.
_FORM_FIELD = {"comment": "done_comment"}
# What a task asks and by when: changed through task_edit, only while the task is open.
_ASKS = ("title", "description", "due_on")


class TaskAdminForm(forms.ModelForm):
    """Parses what the administrator typed; the rules (visits/rules.py) check it with the service's words."""

    class Meta:
        model = Task
        fields = ["store", "title", "description", "due_on", "status", "done_comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["store"].disabled = True  # a task stays with its store
            if self.instance.status != Task.Status.OPEN:  # a report can change, not be taken back to open
                self.fields["status"].choices = [c for c in Task.Status.choices if c[0] != Task.Status.OPEN]

    def clean(self):
        data = super().clean()
        try:
            if self.instance.pk is not None and self.asks_changed():
                rules.task_still_open(title=self.instance.title, status=self.instance.status)
        except DomainError as refusal:
            self.add_error(None, refusal.detail)
        try:
            if data.get("due_on"):  # a new or changed due day is today or later; an overdue task may keep its day
                was = self.instance.due_on if self.instance.pk is not None else None
                rules.task_due_on(data["due_on"], today=timezone.localdate(), was=was)
        except DomainError as refusal:
            self.add_error(refusal.field, refusal.detail)
        try:
            if "title" in data:
                data["title"] = rules.task_title(data["title"])
            if data.get("status", Task.Status.OPEN) != Task.Status.OPEN:
                done = data["status"] == Task.Status.DONE
                data["done_comment"] = rules.task_report_comment(done=done, comment=data.get("done_comment", ""))
        except DomainError as refusal:
            field = _FORM_FIELD.get(refusal.field, refusal.field)
            self.add_error(field if field in self.fields else None, refusal.detail)
        return data

    def asks_changed(self) -> bool:
        return bool(set(_ASKS) & set(self.changed_data))

    def report_changed(self) -> bool:
        return self.cleaned_data.get("status", Task.Status.OPEN) != Task.Status.OPEN and bool(
            {"status", "done_comment"} & set(self.changed_data)
        )


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    form = TaskAdminForm
    list_display = ("title", "store", "due_on", "status", "assigned_by")
    list_filter = ("status", "due_on")
    search_fields = ("title", "store__code", "store__name")
    list_select_related = ("store", "assigned_by")
    raw_id_fields = ("store",)
    # its corrections as a field, not an inline: an inline would ask every post of this form for its management form
    readonly_fields = ("assigned_by", "done_visit", "done_at", "edits")
    inlines = [TaskTransitionInline]

    @admin.display(description=_("Changes"))
    def edits(self, task: Task):
        """Each correction of what it asks: when, by whom, what changed (services.task_edit, whichever door)."""
        lines = [
            (
                localize(timezone.localtime(change.at)),
                display_name(change.by) if change.by else "—",
                _what_changed(change),
            )
            for change in selectors.task_edits().filter(task=task)
        ]
        if not lines:
            return "—"
        return format_html('<ul class="mb-0">{}</ul>', format_html_join("", "<li>{} · {} — {}</li>", lines))

    def get_fields(self, request, obj=None):
        if obj is None:  # a new task is open: it is reported later, at a visit or here
            return ["store", "title", "description", "due_on"]
        return super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            task = services.task_create(
                store=data["store"],
                title=data["title"],
                description=data.get("description", ""),
                due_on=data["due_on"],
                by=request.user,
            )
        else:
            task = obj
            if form.asks_changed():
                task = services.task_edit(
                    task=obj,
                    title=data["title"],
                    description=data.get("description", ""),
                    due_on=data["due_on"],
                    by=request.user,
                )
            if form.report_changed():
                services.task_complete(
                    task=task,
                    visit=None,
                    comment=data.get("done_comment", ""),
                    done=data["status"] == Task.Status.DONE,
                    by=request.user,
                )
        obj.pk = task.pk  # the admin goes on with the object it built: make it the record the service wrote
        obj.refresh_from_db()
        obj._state.adding = False

    def delete_view(self, request, object_id, extra_context=None):
        """Deleted through the service; a task already reported (task.reported) stays, said on its page."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as refusal:
            self.message_user(request, refusal.detail, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:visits_task_change", args=[object_id]))

    def delete_model(self, request, obj):
        services.task_delete(task=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        # One at a time, on the task's page, where a refusal can be shown: a bulk delete would stop half way.
        return obj is not None and super().has_delete_permission(request, obj)


@admin.register(TaskChange)
class TaskChangeAdmin(KeptAdmin):
    """Every task corrected or deleted, by whom and when, whatever the door: a deleted task is found here (and on the
    task list, among its store's deleted tasks) after its own page is gone. Written only by the services."""

    list_display = ("at", "kind", "title", "store", "due_on", "by", "what_changed")
    list_filter = ("kind", "at")
    search_fields = ("title", "store__code", "store__name", "by__username")
    list_select_related = ("store", "by")
    date_hierarchy = "at"

    @admin.display(description=_("what changed"))
    def what_changed(self, change: TaskChange) -> str:
        return _what_changed(change)


class InForceFilter(admin.SimpleListFilter):
    """The suggested orders in force now unless another choice is made, as the list's page and API show them:
    superseded ones are each pair's history, some fifty rows a pair after a year (every row, newest first, took 4 s a
    page on the issue-15 bench with a year of history; the rows in force are read from their own index)."""

    title = _("status")
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", _("In force")), ("no", _("Superseded")), ("all", _("All"))]

    def value(self):
        return super().value() or "yes"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(superseded_on__isnull=self.value() == "yes")


@admin.register(SuggestedOrder)
class SuggestedOrderAdmin(ReadOnlyAdmin):
    list_display = ("date", "superseded_on", "store", "product", "suggested_packs", "suggested_cases", "flag")
    list_filter = (InForceFilter, "date", "flag")
    search_fields = ("store__code", "product__code")
    list_select_related = ("store", "product")
    show_full_result_count = False  # the whole table, history and all, is not counted for every page


@admin.register(ReplenishmentRun)
class ReplenishmentRunAdmin(ReadOnlyAdmin):
    list_display = (
        "date",
        "mode",
        "status",
        "started_at",
        "finished_at",
        "pairs",
        "pairs_recomputed",
        "pairs_changed",
        "flagged",
        "chunks",
    )
    list_filter = ("status", "mode")
