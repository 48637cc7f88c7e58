"""API tokens (issue 10, defect 10): one per sign-in, stored hashed, expiring, revocable one by one or all at once."""

from datetime import timedelta

import pytest
import time_machine
from celery.schedules import crontab
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.roles import Role
from ka_portal import tasks
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-1"


@pytest.fixture
def rep9(db):
    return make_user(Role.REP, username="rep9", password=PASSWORD)


def _sign_in(username="rep9", password=PASSWORD) -> dict:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _as(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _me(token: str):
    return _as(token).get("/api/v1/me/")


def test_each_sign_in_gives_a_new_token_and_both_work(rep9):
    phone, laptop = _sign_in()["token"], _sign_in()["token"]

    assert phone != laptop
    assert _me(phone).json()["username"] == "rep9"
    assert _me(laptop).json()["username"] == "rep9"
    assert AuthToken.objects.filter(user=rep9).count() == 2


def test_tokens_are_not_stored_in_clear(rep9):
    token = _sign_in()["token"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        rows = cursor.fetchall()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert token not in stored
    # What is kept: a SHA-512 digest of the token, and its first 15 characters to find the row.
    row = AuthToken.objects.get()
    assert len(row.digest) == 128 and row.digest != token
    assert token.startswith(row.token_key) and len(row.token_key) == 15


def test_a_token_lives_thirty_days_by_default(rep9):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        signed_in_at = timezone.now()
        answer = _sign_in()
        assert parse_datetime(answer["expiry"]) == signed_in_at + timedelta(hours=720)

        clock.shift(timedelta(hours=720) - timedelta(minutes=1))
        assert _me(answer["token"]).status_code == 200

        clock.shift(timedelta(minutes=2))
        expired = _me(answer["token"])
    assert expired.status_code == 401
    assert expired.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.exists()  # an expired token is deleted when it is next presented


def test_a_request_reads_its_token_user_and_role_in_one_query_and_the_hourly_purge_deletes_expired_tokens(rep9):
    old_phone = _sign_in()["token"]
    make_user(Role.REP, username="rep8", password=PASSWORD)
    with time_machine.travel(timezone.now() + timedelta(hours=720, minutes=1), tick=False):
        new_phone, others_token = _sign_in()["token"], _sign_in("rep8")["token"]
        with CaptureQueriesContext(connection) as queries:
            assert _me(new_phone).json()["role"] == Role.REP
        assert len(queries) == 1, [query["sql"][:80] for query in queries.captured_queries]
        assert AuthToken.objects.filter(user=rep9).count() == 2  # the old phone's is left for the purge

        assert tasks.api_tokens_purge.delay().get() == 1
        assert _me(old_phone).status_code == 401
        assert _me(new_phone).status_code == 200
        assert _me(others_token).status_code == 200


def test_the_token_purge_runs_hourly_from_celery_beat(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "ka_portal.tasks.api_tokens_purge"]
    assert len(entries) == 1
    assert entries[0]["schedule"] == crontab(minute=40)


def test_the_lifetime_is_a_setting(rep9, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=8)}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token = _sign_in()["token"]
        clock.shift(timedelta(hours=8, seconds=1))
        assert _me(token).status_code == 401


def test_revoking_this_token_signs_out_this_device_only(rep9):
    phone, laptop = _sign_in()["token"], _sign_in()["token"]

    response = _as(phone).delete("/api/v1/auth/token/")

    assert response.status_code == 204
    assert _me(phone).status_code == 401
    assert _as(phone).delete("/api/v1/auth/token/").status_code == 401
    assert _me(laptop).status_code == 200


def test_revoking_all_tokens_signs_out_every_device_of_that_user_only(rep9):
    phone, laptop = _sign_in()["token"], _sign_in()["token"]
    make_user(Role.REP, username="rep8", password=PASSWORD)
    colleague = _sign_in("rep8")["token"]

    response = _as(phone).delete("/api/v1/auth/tokens/")

    assert response.status_code == 204
    assert _me(phone).status_code == 401
    assert _me(laptop).status_code == 401
    assert _me(colleague).status_code == 200


def test_a_lost_phone_is_signed_out_from_the_web_session(rep9, client):
    phone = _sign_in()["token"]
    client.force_login(rep9)

    response = client.delete("/api/v1/auth/tokens/")

    assert response.status_code == 204
    assert _me(phone).status_code == 401


def test_revoking_needs_a_token(rep9, client):
    assert APIClient().delete("/api/v1/auth/token/").status_code == 401
    assert APIClient().delete("/api/v1/auth/tokens/").status_code == 401
    # A web session has no token of its own to revoke here.
    client.force_login(rep9)
    assert client.delete("/api/v1/auth/token/").status_code == 401


def test_a_stale_token_header_does_not_block_signing_in(rep9):
    client = _as("0" * 64)
    response = client.post("/api/v1/auth/token/", {"username": "rep9", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert _me(response.json()["token"]).status_code == 200


def test_an_inactive_users_tokens_stop_working(rep9):
    token = _sign_in()["token"]
    rep9.is_active = False
    rep9.save()

    assert _me(token).status_code == 401


def test_the_schema_documents_the_token_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    sign_in = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert {"200", "400", "429"} <= set(sign_in["responses"])
    assert "security" not in sign_in  # no token needed to get one
    token = schema["components"]["schemas"]["Token"]["properties"]
    assert {"token", "expiry"} <= set(token)
    assert {"204", "401"} <= set(schema["paths"]["/api/v1/auth/token/"]["delete"]["responses"])
    assert {"204", "401"} <= set(schema["paths"]["/api/v1/auth/tokens/"]["delete"]["responses"])
    scheme = schema["components"]["securitySchemes"]["knoxApiToken"]
    assert scheme["in"] == "header" and scheme["name"] == "Authorization"
