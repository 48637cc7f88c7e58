from django.urls import path

from . import views

app_name = "stores"

urlpatterns = [
    path("", views.StoreListView.as_view(), name="store-list"),
    path("<int:pk>/", views.store_detail, name="store-detail"),
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("listings/", views.ListingListView.as_view(), name="listing-list"),
    path("deliveries/", views.DeliveryListView.as_view(), name="delivery-list"),
]
