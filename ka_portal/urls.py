"""URLs: pages per app, the API under /api/v1/, its schema and Swagger UI, i18n, admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from stores import api as stores_api
from visits import api as visits_api

from . import api_views, views

api_v1 = [
    path("auth/token/", api_views.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", api_views.TokensView.as_view(), name="api-tokens"),
    path("me/", api_views.MeView.as_view(), name="api-me"),
    path(
        "reports/account-performance/",
        accounts_api.AccountPerformanceView.as_view(),
        name="api-account-performance",
    ),
    path("", include(accounts_api.router.urls)),
    path("", include(stores_api.router.urls)),
    path("", include(visits_api.router.urls)),
    path("imports/", include("imports.api")),
    path("", include("promotions.api")),
    path("", include("contracts.api")),
]

handler404 = "ka_portal.api.not_found"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("stores/", include("stores.urls")),
    path("visits/", include("visits.urls")),
    path("promotions/", include("promotions.urls")),
    path("contracts/", include("contracts.urls")),
    path("imports/", include("imports.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
# No static(MEDIA_URL): uploads (contract attachments, visit photos) are private and served only by
# scoped views (contracts:contract-attachment, visits:photo), in development as in production.
