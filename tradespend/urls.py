"""Trade-spend pages under /trade-spend/: the ledger and month close, deduction matching and disputes,
remittances, gross to net."""

from .views import accruals, gross_to_net, matching, remittances

app_name = "tradespend"

urlpatterns = [
    # --- accruals: the ledger, adjustments, month close ---
    *accruals.urlpatterns,
    # --- matching: deductions, validation sheet, disputes, write-offs ---
    *matching.urlpatterns,
    # --- remittances ---
    *remittances.urlpatterns,
    # --- gross to net ---
    *gross_to_net.urlpatterns,
]
