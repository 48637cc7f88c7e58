"""Under /api/ every error is the API's JSON, in the request's language, even the ones Django answers itself (QA:
`GET /api/v1/import-jobs/1/` with a token was a text/html 404, with DEBUG Django's page listing every URL pattern);
pages keep their HTML 404 (ka_portal.api.ApiErrorsMiddleware)."""

from unittest import mock

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.views.decorators.http import require_GET
from rest_framework.test import APIClient

from accounts.roles import Role
from ka_portal import api_views
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOT_FOUND = {"en": "Not found.", "zh-hans": "未找到。"}


@pytest.fixture
def signed_in():
    """A client with a real API token, as the tester's integration sent it."""
    make_user(Role.MANAGER, username="mgr_errors", password="secret-pass-1")
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": "mgr_errors", "password": "secret-pass-1"}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    return client


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("address", ["/api/v1/import-jobs/1/", "/api/v1/nothing/", "/api/nothing", "/api/v1/me/x/"])
def test_an_address_no_route_takes_is_a_json_404_in_the_requests_language(
    signed_in, settings, debug, language, address
):
    settings.DEBUG = debug

    response = signed_in.get(address, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": NOT_FOUND[language]}
    assert b"URLconf" not in response.content  # nothing of DEBUG's page listing the patterns


@pytest.mark.parametrize("debug", [True, False])
def test_the_same_404_as_a_record_not_found_by_a_known_endpoint(signed_in, settings, debug):
    settings.DEBUG = debug

    unknown_route = signed_in.get("/api/v1/nothing/", HTTP_ACCEPT_LANGUAGE="en")
    unknown_record = signed_in.get("/api/v1/imports/jobs/999999/", HTTP_ACCEPT_LANGUAGE="en")

    assert unknown_route.json() == unknown_record.json() == {"code": "not_found", "detail": "Not found."}


@pytest.mark.parametrize("debug", [True, False])
def test_a_page_keeps_its_html_404(client, settings, debug):
    settings.DEBUG = debug

    response = client.get("/stores/nothing/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert response.content.lstrip().lower().startswith(b"<!doctype html")


def test_an_address_missing_its_slash_is_still_sent_to_the_list(signed_in):
    response = signed_in.get("/api/v1/stores")

    assert response.status_code == 301 and response["Location"] == "/api/v1/stores/"


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_exception_no_view_answered_is_a_json_500(settings, debug, language):
    settings.DEBUG = debug
    user = make_user(Role.MANAGER, username="mgr_500")
    client = Client(raise_request_exception=False)
    client.force_login(user)

    with mock.patch.object(api_views.MeView, "get", side_effect=RuntimeError("a bug")):
        response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    detail = {"en": "A server error occurred.", "zh-hans": "服务器出现了错误。"}[language]
    assert response.json() == {"code": "error", "detail": detail}
    assert b"a bug" not in response.content and b"Traceback" not in response.content


@require_GET
def _plain(request):
    return HttpResponse("plain")


urlpatterns = [path("api/plain/", _plain), path("", include("ka_portal.urls"))]


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_method_a_plain_view_does_not_take_is_a_json_405_with_allow(language):
    response = Client().post("/api/plain/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    detail = {"en": 'Method "POST" not allowed.', "zh-hans": "方法 “POST” 不被允许。"}[language]
    assert response.json() == {"code": "method_not_allowed", "detail": detail}


def test_a_drf_405_and_the_browsable_api_are_left_as_drf_answers_them(signed_in):
    refused = signed_in.delete("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    browsed = signed_in.get("/api/v1/imports/jobs/999999/", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 405 and refused.json() == {
        "code": "method_not_allowed",
        "detail": 'Method "DELETE" not allowed.',
    }
    assert browsed.status_code == 404 and browsed["Content-Type"].startswith("text/html")
