from django.urls import path

from . import views

app_name = "stores"

urlpatterns = [
    path("", views.StoreListView.as_view(), name="store-list"),
    path("new/", views.store_edit, name="store-add"),
    path("<int:pk>/", views.store_detail, name="store-detail"),
    path("<int:pk>/edit/", views.store_edit, name="store-edit"),
    path("<int:pk>/listings/new/", views.listing_add, name="listing-add"),
    path("<int:pk>/listings/<int:listing_pk>/active/", views.listing_active, name="listing-active"),
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("listings/", views.ListingListView.as_view(), name="listing-list"),
    path("deliveries/", views.DeliveryListView.as_view(), name="delivery-list"),
]
