"""Analysis pages under /analysis/ (SPEC §7, issue 15): one commercial view per chain, channel mix, promotion
expense ratio, store P&L, store and collection targets. Read-only: every figure comes from the apps' selectors."""

from .views import chain

app_name = "analytics"

urlpatterns = [
    # --- the chain page ---
    *chain.urlpatterns,
]
