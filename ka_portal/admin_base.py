"""Admin pieces shared by the apps."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows related rows but never adds, changes or deletes them: those go through services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here: records kept only through their services (ledger lines,
    matches, disputes, fraud signals, competitor sightings)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
