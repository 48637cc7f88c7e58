"""The stores and products API, included under /api/v1/ by ka_portal/urls.py."""

from ka_portal.api import app_router

from . import api

router = app_router(
    ("stores", api.StoreViewSet, "store"),
    ("products", api.ProductViewSet, "product"),
    ("listings", api.ListingViewSet, "listing"),
    ("deliveries", api.DeliveryViewSet, "delivery"),
)
urlpatterns = router.urls
