"""The analysis API, included under /api/v1/ by ka_portal/urls.py."""

from ka_portal.api import app_router

from .api import chain, channel_mix, promotion_expense
from .api import store_pnl as store_pnl_api

_parts = (chain, channel_mix, promotion_expense, store_pnl_api)

router = app_router(*(route for part in _parts for route in part.routes))
urlpatterns = [*router.urls, *(pattern for part in _parts for pattern in part.urlpatterns)]
