"""The stores and products API's URLs: included under /api/v1/ by ka_portal/urls.py, like every app's `api_urls`.

`router` is a DefaultRouter without its own root view (the one API root, listing every app's resources, is
ka_portal's); `urlpatterns` adds the app's non-resource endpoints.
"""

from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.include_root_view = False
router.register("stores", api.StoreViewSet, basename="store")
router.register("products", api.ProductViewSet, basename="product")
router.register("listings", api.ListingViewSet, basename="listing")
router.register("deliveries", api.DeliveryViewSet, basename="delivery")

urlpatterns = router.urls
