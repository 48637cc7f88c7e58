"""The API is wired one way: every app's `api_urls` under /api/v1/, and one root listing every app's resources."""

from importlib import import_module

import pytest
from django.urls import reverse

from ka_portal.urls import API_APPS

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_the_resources_of_every_app(client, manager):
    client.force_login(manager)

    listed = client.get("/api/v1/", HTTP_ACCEPT="application/json").json()

    for resource in ("accounts", "contact-logs", "stores", "deliveries", "visits", "suggested-orders",
                     "promotions", "budgets", "contracts", "invoices", "payments"):  # fmt: skip
        assert listed[resource].endswith(f"/api/v1/{resource}/")


def test_each_app_exposes_its_router_and_urlpatterns_in_api_urls():
    for app in API_APPS:
        module = import_module(f"{app}.api_urls")
        # imports: jobs are plain views; analytics: reports are plain views (GET /reports/…); neither has resources
        assert module.router.registry or app in ("imports", "analytics"), app
        assert module.urlpatterns, app
        assert not module.router.include_root_view, app  # one root for the whole API
        assert not hasattr(import_module(f"{app}.api"), "router"), app


def test_names_and_paths_stay_as_integrators_know_them():
    assert reverse("api-root") == "/api/v1/"
    assert reverse("api-account-performance") == "/api/v1/reports/account-performance/"
    assert reverse("store-detail", args=["S001"]) == "/api/v1/stores/S001/"
    assert reverse("report-aging") == "/api/v1/reports/aging/"
    assert reverse("promotion-list") == "/api/v1/promotions/"
    assert reverse("api-import", args=["deliveries"]) == "/api/v1/imports/deliveries/"
    assert reverse("api-import-job", args=[7]) == "/api/v1/imports/jobs/7/"
