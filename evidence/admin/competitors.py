"""Admin of competitor sightings: read only. A sighting is the rep's record of a visit, written through
evidence/competitors.py from the visit page and the API while the visit is open; the admin only looks."""

from django.contrib import admin

from ka_portal.admin_base import ReadOnlyAdmin

from ..models import CompetitorSighting


@admin.register(CompetitorSighting)
class CompetitorSightingAdmin(ReadOnlyAdmin):
    list_display = ["seen_on", "account", "store", "brand", "product", "shelf_price", "regular_price", "mechanics"]
    list_filter = ["mechanics", "display", "account"]
    search_fields = ["brand", "product", "mechanics_note", "note", "store__code", "store__name"]
    date_hierarchy = "seen_on"
    list_select_related = ["account", "store"]
    readonly_fields = [field.name for field in CompetitorSighting._meta.fields]
