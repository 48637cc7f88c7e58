"""The routes and visits API, included under /api/v1/ by ka_portal/urls.py."""

from ka_portal.api import app_router

from . import api

router = app_router(
    ("routes", api.RoutePlanViewSet, "route"),
    ("visits", api.VisitViewSet, "visit"),
    ("tasks", api.TaskViewSet, "task"),
    ("suggested-orders", api.SuggestedOrderViewSet, "suggested-order"),
)
urlpatterns = router.urls
