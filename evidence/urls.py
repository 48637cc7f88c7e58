"""Visit-evidence pages under /evidence/: display agreements, competitor sightings, the fraud-signal queue, and the
promotion and display checks of a visit (shown inside the visit page)."""

from django.urls import path

from .views import agreements, competitors, signals, visit_checks
from .views.home import evidence_home

app_name = "evidence"

urlpatterns = [
    path("", evidence_home, name="home"),
    # --- promotions and displays checked at a visit ---
    *visit_checks.urlpatterns,
    # --- display agreements ---
    *agreements.urlpatterns,
    # --- competitor sightings ---
    *competitors.urlpatterns,
    # --- fraud signals ---
    *signals.urlpatterns,
]
