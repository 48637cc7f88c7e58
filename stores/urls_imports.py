"""Page URLs of the Excel imports (merged into stores/urls.py under app_name "stores")."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("import/", import_views.import_page, name="import"),
    path("import/<slug:kind>/template.xlsx", import_views.import_template, name="import-template"),
    path("import/problems/<slug:token>.xlsx", import_views.import_problems, name="import-problems"),
]
