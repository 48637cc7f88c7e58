"""The key accounts API's URLs: included under /api/v1/ by ka_portal/urls.py, like every app's `api_urls`.

`router` is a DefaultRouter without its own root view (the one API root, listing every app's resources, is
ka_portal's); `urlpatterns` adds the app's non-resource endpoints.
"""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.include_root_view = False
router.register("accounts", api.KeyAccountViewSet, basename="account")
router.register("contacts", api.ContactViewSet, basename="contact")
router.register("contact-logs", api.ContactLogViewSet, basename="contact-log")
router.register("targets", api.SalesTargetViewSet, basename="target")

urlpatterns = [
    path("reports/account-performance/", api.AccountPerformanceView.as_view(), name="api-account-performance"),
    *router.urls,
]
