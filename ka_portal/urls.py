"""URLs: pages per app, the API under /api/v1/, its schema and Swagger UI, i18n, admin."""

from importlib import import_module

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import APIRootView
from rest_framework.urlpatterns import format_suffix_patterns

from . import api_views, pwa, views

# The API is wired one way: each app's `<app>/api_urls.py` has a `router` (its resources) and `urlpatterns`
# (those plus its other endpoints), included here under /api/v1/. One root view lists every app's resources.
API_APPS = (
    "accounts",
    "stores",
    "visits",
    "promotions",
    "contracts",
    "tradespend",
    "evidence",
    "promoters",
    "imports",
    "analytics",
)
api_routers = [import_module(f"{app}.api_urls").router for app in API_APPS]
api_root = APIRootView.as_view(
    api_root_dict={
        prefix: f"{basename}-list" for router in api_routers for prefix, _viewset, basename in router.registry
    }
)

api_v1 = [
    *format_suffix_patterns([path("", api_root, name="api-root")]),
    path("auth/token/", api_views.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", api_views.TokensView.as_view(), name="api-tokens"),
    path("me/", api_views.MeView.as_view(), name="api-me"),
    *(path("", include(f"{app}.api_urls")) for app in API_APPS),
]

handler404 = "ka_portal.api.not_found"
handler403 = "ka_portal.pages.permission_denied"  # a background write refused in JSON

urlpatterns = [
    path("", views.home, name="home"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),  # at the root: its scope is the whole site
    path("favicon.ico", pwa.favicon, name="favicon"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("stores/", include("stores.urls")),
    path("visits/", include("visits.urls")),
    path("promotions/", include("promotions.urls")),
    path("contracts/", include("contracts.urls")),
    path("trade-spend/", include("tradespend.urls")),
    path("evidence/", include("evidence.urls")),
    path("promoters/", include("promoters.urls")),
    path("imports/", include("imports.urls")),
    path("analysis/", include("analytics.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
# No static(MEDIA_URL): uploads (contract attachments, visit photos) are private and served only by
# scoped views (contracts:contract-attachment, visits:photo), in development as in production.
