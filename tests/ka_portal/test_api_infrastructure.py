"""API ground rules: token login, JSON errors, the schema and the docs page."""

import pytest

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
