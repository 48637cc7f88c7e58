"""The promotions API, included under /api/v1/ by ka_portal/urls.py."""

from ka_portal.api import app_router

from . import api

router = app_router(
    ("promotion-types", api.PromotionTypeViewSet, "promotion-type"),
    ("promotions", api.PromotionPlanViewSet, "promotion"),
    ("budgets", api.BudgetViewSet, "budget"),
)
urlpatterns = router.urls
