"""Import jobs in the admin: to look into, never to write (a job is made by an upload and run by its task)."""

from django.contrib import admin

from .models import ImportJob, ImportProblem


class ImportProblemInline(admin.TabularInline):
    model = ImportProblem
    fields = ("row", "column", "code", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("queued_at", "kind", "user", "file_name", "status", "rows_read", "rows_written", "problems_total")
    list_filter = ("status", "check_only", "kind")
    search_fields = ("file_name", "user__username")
    inlines = [ImportProblemInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
