"""Analysis pages under /analysis/ (SPEC §7, issue 15): one commercial view per chain, channel mix, promotion
expense ratio, store P&L, store and collection targets. Read-only: every figure comes from the apps' selectors."""

from .views import chain, channel_mix, promotion_expense
from .views import store_pnl as store_pnl_views
from .views import targets as targets_views

app_name = "analytics"

urlpatterns = [
    # --- the chain page ---
    *chain.urlpatterns,
    # --- channel mix ---
    *channel_mix.urlpatterns,
    # --- promotion expense ratio ---
    *promotion_expense.urlpatterns,
    *store_pnl_views.urlpatterns,
    *targets_views.urlpatterns,
]
