"""Under /api/ every error is the API's JSON, in the request's language, even the ones Django answers itself (QA:
`GET /api/v1/import-jobs/1/` with a token was a text/html 404, with DEBUG Django's page listing every URL pattern; a
host the site does not serve, a body too large or a CSRF refusal were HTML 400s and 403s); pages keep their HTML 400,
403 and 404 (ka_portal.api.ApiErrorsMiddleware)."""

from unittest import mock

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.views.decorators.http import require_GET, require_POST
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.roles import Role
from ka_portal import api_views
from stores.models import Store
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


def _forbidden(request):
    raise PermissionDenied


def _unreadable(request):
    raise BadRequest("a header this view cannot read")


@require_POST
def _write(request):  # a plain Django view, not exempt from CsrfViewMiddleware as DRF's are
    return HttpResponse("written")


urlpatterns = [
    path("api/plain/", _plain),
    path("api/plain/forbidden/", _forbidden),
    path("api/plain/unreadable/", _unreadable),
    path("api/plain/write/", _write),
    path("plain/forbidden/", _forbidden),
    path("", include("ka_portal.urls")),
]


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


MALFORMED = {"en": "Malformed request.", "zh-hans": "错误的请求。"}
FORBIDDEN = {"en": "You do not have permission to perform this action.", "zh-hans": "您没有执行该操作的权限。"}


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_host_the_site_does_not_serve_is_a_json_400(signed_in, settings, debug, language):
    settings.DEBUG = debug

    response = signed_in.get("/api/v1/me/", HTTP_HOST="portal.evil.example", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "parse_error", "detail": MALFORMED[language]}
    assert b"ALLOWED_HOSTS" not in response.content  # nothing of DEBUG's page


@pytest.mark.parametrize("debug", [True, False])
def test_a_page_keeps_its_html_400(client, settings, debug):
    settings.DEBUG = debug

    response = client.get("/stores/", HTTP_HOST="portal.evil.example", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("debug", [True, False])
def test_a_body_too_large_is_a_json_400_saying_how_much_it_may_send_and_records_nothing(settings, debug):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    admin = APIClient()  # one who may add a store: the body is read after the permission check
    admin.force_authenticate(make_user(Role.ADMIN, username="admin_large", is_superuser=True, is_staff=True))

    response = admin.post(
        "/api/v1/stores/", {"code": "S900", "name": "店" * 2000}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "too_large",
        "detail": "The request is too large: its fields may take at most 1000\xa0bytes (files apart).",
    }
    assert not Store.objects.filter(code="S900").exists()


@pytest.mark.parametrize("debug", [True, False])
def test_too_many_query_parameters_are_a_json_400(signed_in, settings, debug):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5

    response = signed_in.get("/api/v1/stores/?" + "&".join(f"q={n}" for n in range(6)), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {
        "code": "too_many_fields",
        "detail": "The request sends too many fields or query parameters: at most 5.",
    }


@pytest.mark.parametrize("debug", [True, False])
def test_too_many_files_are_a_json_400(signed_in, settings, debug):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1
    files = {f"file{n}": SimpleUploadedFile(f"stores{n}.csv", b"code,name\n") for n in range(2)}

    response = signed_in.post("/api/v1/imports/stores/", files, format="multipart", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {"code": "too_many_files", "detail": "The request sends too many files: at most 1."}


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_request_a_plain_view_cannot_read_or_refuses_is_json(settings, debug, language):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)

    unreadable = client.get("/api/plain/unreadable/", HTTP_ACCEPT_LANGUAGE=language)
    forbidden = client.get("/api/plain/forbidden/", HTTP_ACCEPT_LANGUAGE=language)

    assert unreadable.status_code == 400 and unreadable.json() == {"code": "parse_error", "detail": MALFORMED[language]}
    assert forbidden.status_code == 403
    assert forbidden.json() == {"code": "permission_denied", "detail": FORBIDDEN[language]}


@override_settings(ROOT_URLCONF=__name__)
def test_a_page_keeps_its_html_403():
    response = Client().get("/plain/forbidden/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403 and response["Content-Type"].startswith("text/html")


CSRF_REFUSED = (
    "A write signed in by session needs its CSRF token: send the csrftoken cookie's value in the X-CSRFToken header, "
    "or sign in with an API token."
)


@pytest.mark.parametrize("debug", [True, False])
def test_a_session_write_without_its_csrf_token_is_refused_as_csrf_failed(settings, debug):
    settings.DEBUG = debug
    user = make_user(Role.MANAGER, username="mgr_csrf")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    AuthToken.objects.create(user=user)  # a phone's, which "sign out everywhere" revokes

    refused = client.delete("/api/v1/auth/tokens/", HTTP_ACCEPT_LANGUAGE="en")
    assert user.auth_token_set.exists()  # refused: nothing revoked
    client.cookies["csrftoken"] = "k" * 32
    taken = client.delete("/api/v1/auth/tokens/", HTTP_X_CSRFTOKEN="k" * 32, HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 403
    assert refused.json() == {
        "code": "csrf_failed",
        "detail": CSRF_REFUSED,
        "params": {"reason": "CSRF cookie not set."},
    }
    assert taken.status_code == 204 and not user.auth_token_set.exists()


@override_settings(ROOT_URLCONF=__name__)
def test_a_plain_views_csrf_refusal_under_the_api_is_the_same_csrf_failed():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.MANAGER, username="mgr_csrf_plain"))

    refused = client.post("/api/plain/write/", HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 403
    assert refused.json() == {
        "code": "csrf_failed",
        "detail": CSRF_REFUSED,
        "params": {"reason": "CSRF cookie not set."},
    }
