from django.contrib import admin

from ka_portal.admin_base import ReadOnlyInline

from .models import (
    ChecklistResult,
    ReplenishmentRun,
    RoutePlan,
    RouteStop,
    StockCount,
    StockNotCounted,
    SuggestedOrder,
    Task,
    TaskTransition,
    Visit,
)


class RouteStopInline(admin.TabularInline):
    model = RouteStop
    extra = 0
    raw_id_fields = ("store",)


@admin.register(RoutePlan)
class RoutePlanAdmin(admin.ModelAdmin):
    list_display = ("rep", "week_start", "status", "published_at")
    list_filter = ("status", "week_start")
    search_fields = ("rep__username", "rep__first_name", "rep__last_name")
    inlines = [RouteStopInline]


class ChecklistInline(admin.TabularInline):
    model = ChecklistResult
    extra = 0


class StockCountInline(admin.TabularInline):
    model = StockCount
    extra = 0


class NotCountedInline(admin.TabularInline):
    model = StockNotCounted
    extra = 0


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("store", "rep", "checked_in_at", "checked_out_at", "rating", "far_from_store", "short_visit")
    list_filter = ("rating", "far_from_store", "short_visit", "checked_in_at")
    search_fields = ("store__code", "store__name", "rep__username", "problems", "checkout_reason")
    date_hierarchy = "checked_in_at"
    inlines = [ChecklistInline, StockCountInline, NotCountedInline]
    # A check-out, its flags and the rating are the service's (visits.services.visit_check_out): a visit is done
    # when it was done, whichever door it comes through, so the admin shows them and cannot set them.
    readonly_fields = (
        "checked_out_at",
        "rating",
        "rating_reasons",
        "checkout_reason",
        "checkout_missing",
        "short_visit",
        "far_from_store",
        "distance_m",
    )


class TaskTransitionInline(ReadOnlyInline):
    model = TaskTransition
    fields = ("at", "from_status", "to_status", "by", "note")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "store", "due_on", "status", "assigned_by")
    list_filter = ("status", "due_on")
    search_fields = ("title", "store__code", "store__name")
    inlines = [TaskTransitionInline]


@admin.register(SuggestedOrder)
class SuggestedOrderAdmin(admin.ModelAdmin):
    list_display = ("date", "store", "product", "suggested_packs", "suggested_cases", "flag")
    list_filter = ("date", "flag")
    search_fields = ("store__code", "product__code")


@admin.register(ReplenishmentRun)
class ReplenishmentRunAdmin(admin.ModelAdmin):
    list_display = ("date", "status", "started_at", "finished_at", "pairs", "flagged", "chunks")
    list_filter = ("status",)
