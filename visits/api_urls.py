"""The routes and visits API's URLs: included under /api/v1/ by ka_portal/urls.py, like every app's `api_urls`.

`router` is a DefaultRouter without its own root view (the one API root, listing every app's resources, is
ka_portal's); `urlpatterns` adds the app's non-resource endpoints.
"""

from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.include_root_view = False
router.register("routes", api.RoutePlanViewSet, basename="route")
router.register("visits", api.VisitViewSet, basename="visit")
router.register("tasks", api.TaskViewSet, basename="task")
router.register("suggested-orders", api.SuggestedOrderViewSet, basename="suggested-order")

urlpatterns = router.urls
