"""Fraud signals and photo hashes in the admin: read-only for support. Signals are found by detection and reviewed
in the queue (evidence:signal-list) through evidence/signals.py; the admin never writes them."""

from django.contrib import admin

from ka_portal.admin_base import ReadOnlyAdmin

from ..models import FraudSignal, PhotoHash


@admin.register(FraudSignal)
class FraudSignalAdmin(ReadOnlyAdmin):
    list_display = ("kind", "visit", "rep", "status", "reviewed_by", "reviewed_at", "created_at")
    list_filter = ("kind", "status")
    list_select_related = ("visit__store", "rep", "reviewed_by")
    search_fields = ("rep__username", "visit__store__code", "visit__store__name")
    date_hierarchy = "created_at"


@admin.register(PhotoHash)
class PhotoHashAdmin(ReadOnlyAdmin):
    list_display = ("photo", "visit", "__str__")
    list_select_related = ("photo__visit__store", "visit__store")
