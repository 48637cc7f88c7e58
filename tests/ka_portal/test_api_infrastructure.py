"""API ground rules: token login, JSON errors, the schema and the docs page."""

import json
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from accounts.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_token_login_then_token_auth(api_client):
    make_user(Role.REP, username="rep9", password="secret-pass-1")
    response = api_client.post("/api/v1/auth/token/", {"username": "rep9", "password": "secret-pass-1"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/").json()
    assert me["username"] == "rep9"
    assert me["role"] == "rep"


def test_wrong_password_names_the_problem_as_json(api_client):
    make_user(Role.REP, username="rep9", password="secret-pass-1")
    response = api_client.post("/api/v1/auth/token/", {"username": "rep9", "password": "nope"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]


def test_missing_field_is_reported_per_field(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_anonymous_gets_401_json(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_schema_lists_the_token_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/auth/token/" in response.json()["paths"]


def test_schema_groups_operations_by_resource_and_keeps_their_ids(client):
    # An integrator reading /api/docs/ finds the visits' operations under "visits", not 200 under "v1"; a client
    # generated from the schema keeps its method names.
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    assert paths["/api/v1/visits/"]["post"]["tags"] == ["visits"]
    assert paths["/api/v1/visits/{id}/check-out/"]["post"]["tags"] == ["visits"]
    assert paths["/api/v1/stores/"]["get"]["tags"] == ["stores"]
    assert paths["/api/v1/visits/"]["get"]["operationId"] == "v1_visits_list"
    assert not [p for p, item in paths.items() for op in item.values() if op.get("tags") == ["v1"]]


def test_swagger_ui_is_served_without_internet(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    # No address outside this server (a random nonce in the page may happen to contain the letters "cdn").
    assert "https://" not in page and "http://" not in page
    assert not any(host in page.lower() for host in ("//cdn", "jsdelivr", "unpkg", "cdnjs"))


CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _titles(node):
    """Every `title` in the schema (field labels: models' verbose names)."""
    if isinstance(node, dict):
        yield from ([node["title"]] if isinstance(node.get("title"), str) else [])
        for value in node.values():
            yield from _titles(value)
    elif isinstance(node, list):
        for value in node:
            yield from _titles(value)


def _assert_in_english(schema):
    account = schema["components"]["schemas"]["KeyAccount"]["properties"]
    assert account["name_en"]["title"] == "English name"
    assert "title" not in account["owner"]  # its label is its name (was 用户名)
    assert account["owner"]["description"].startswith("The owning KA manager, by username")
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/stores/"]["get"]["parameters"]}
    assert parameters["page"]["description"] == "A page number within the paginated result set."
    assert "o" not in parameters  # the pages' sort, not the API's: ?ordering=
    assert "-code" in parameters["ordering"]["schema"]["items"]["enum"]
    assert [title for title in _titles(schema) if CHINESE.search(title)] == []


@pytest.mark.one_leg
@pytest.mark.parametrize("ask", [{}, {"lang": "zh-hans"}], ids=["header", "lang"])
def test_the_served_schema_is_in_english_whatever_the_reader_s_language(client, ask):
    # An integrator's browser asks in Chinese: the schema's titles (verbose names), choices and DRF's own texts
    # read in English, as its descriptions are, not 编码 beside "The owning KA manager"
    response = client.get(
        "/api/schema/", ask, HTTP_ACCEPT="application/vnd.oai.openapi+json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 200
    _assert_in_english(response.json())


@pytest.mark.one_leg
def test_the_spectacular_command_writes_the_schema_in_english(tmp_path):
    target = tmp_path / "schema.json"
    with translation.override("zh-hans"):  # the site's language, the command's when run
        call_command("spectacular", "--format", "openapi-json", "--file", str(target))
        assert translation.get_language() == "zh-hans"

    _assert_in_english(json.loads(target.read_text()))
