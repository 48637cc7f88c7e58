"""The imports API, included under /api/v1/ by ka_portal/urls.py (see ka_portal.api.app_router)."""

from django.urls import path

from ka_portal.api import app_router

from . import api

router = app_router()  # no resources of its own: the jobs are read through the views below
urlpatterns = [
    path("imports/jobs/", api.ImportJobListView.as_view(), name="api-import-jobs"),
    path("imports/jobs/<int:pk>/", api.ImportJobView.as_view(), name="api-import-job"),
    path("imports/jobs/<int:pk>/import/", api.ImportJobConfirmView.as_view(), name="api-import-job-import"),
    path("imports/jobs/<int:pk>/changes/", api.ImportJobChangesView.as_view(), name="api-import-job-changes"),
    path("imports/<slug:kind>/", api.ImportView.as_view(), name="api-import"),
    path("imports/<slug:kind>/template/", api.ImportTemplateView.as_view(), name="api-import-template"),
]
