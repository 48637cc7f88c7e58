"""The key accounts API, included under /api/v1/ by ka_portal/urls.py (see ka_portal.api.app_router)."""

from django.urls import path

from ka_portal.api import app_router

from . import api

router = app_router(
    ("accounts", api.KeyAccountViewSet, "account"),
    ("contacts", api.ContactViewSet, "contact"),
    ("contact-logs", api.ContactLogViewSet, "contact-log"),
    ("targets", api.SalesTargetViewSet, "target"),
    ("store-targets", api.StoreTargetViewSet, "store-target"),
    ("collection-targets", api.CollectionTargetViewSet, "collection-target"),
)
urlpatterns = [
    path("reports/account-performance/", api.AccountPerformanceView.as_view(), name="api-account-performance"),
    *router.urls,
]
