"""Page URLs of the Excel imports."""

from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.import_page, name="import"),
    path("<slug:kind>/template.xlsx", views.import_template, name="import-template"),
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("jobs/<int:pk>/status/", views.job_status_page, name="job-status"),
    path("jobs/<int:pk>/import/", views.job_import, name="job-import"),
    path("jobs/<int:pk>/problems.xlsx", views.job_problems, name="job-problems"),
    path("jobs/<int:pk>/changes.xlsx", views.job_changes, name="job-changes"),
]
