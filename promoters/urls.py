"""Promoter pages under /promoters/: the roster and the week's shifts (supervisors), a promoter's own day on the
phone, attendance (planned vs attended, confirmed by the supervisor) and the monthly appraisal (考核)."""

from .views import appraisal, attendance, phone, roster

app_name = "promoters"

urlpatterns = [
    # --- roster, targets and the week's shifts ---
    *roster.urlpatterns,
    # --- a promoter's own day: check-in, check-out, the day's sell-out ---
    *phone.urlpatterns,
    # --- attendance ---
    *attendance.urlpatterns,
    # --- appraisal ---
    *appraisal.urlpatterns,
]
