"""The promotions API's URLs: included under /api/v1/ by ka_portal/urls.py, like every app's `api_urls`.

`router` is a DefaultRouter without its own root view (the one API root, listing every app's resources, is
ka_portal's); `urlpatterns` adds the app's non-resource endpoints.
"""

from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.include_root_view = False
router.register("promotion-types", api.PromotionTypeViewSet, basename="promotion-type")
router.register("promotions", api.PromotionPlanViewSet, basename="promotion")
router.register("budgets", api.BudgetViewSet, basename="budget")

urlpatterns = router.urls
