"""Schemathesis against the live schema (/api/schema/) as a rep, a manager and an admin of the demo company.

Every operation, every role: no server error, no answer the schema does not describe (status code,
content type, body). The app is called in-process (WSGI) on the test database, so each operation's
writes are undone after it. A few examples per operation keep `make test` short (FUZZ_EXAMPLES,
default 3, derandomized: the same cases every run); `make fuzz` runs 100 per operation.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ka_portal.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
ROLES = ["rep1", "manager1", "admin"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The schema and the answers do not depend on the database: the fuzzer runs in the SQLite leg only (`make test`).
pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


def _load_schema():
    # The coverage phase sends dozens of boundary cases per operation whatever max-examples says: the
    # fuzzing phase alone keeps the count to EXAMPLES; `make fuzz` (FUZZ_EXAMPLES=100) adds coverage.
    config = SchemathesisConfig.from_dict(
        {
            "seed": 20261201,
            "generation": {"max-examples": EXAMPLES},
            "phases": {"coverage": {"enabled": EXAMPLES >= 100}},
        }
    )
    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)
    # Signing in is the token endpoint's own test (and fuzzing it would lock the demo users out).
    return loaded.exclude(path_regex=r"^/api/v1/auth/")


schema = _load_schema()


@pytest.fixture(scope="module", autouse=True)
def _demo(demo_company):
    return demo_company


@pytest.fixture(params=ROLES)
def token(request, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]  # schemathesis calls the app as `localhost`
    answer = Client().post(
        "/api/v1/auth/token/", {"username": request.param, "password": "demo1234"}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["token"]


@pytest.fixture
def headers(token):
    """The WSGI handler closes "old" connections around each request; in a test that is the test's own
    transaction (PostgreSQL). Django's test client unhooks the same handler for the same reason (and hooks it
    back after its own requests, so this comes after the token's)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # Schemathesis's in-process (WSGI) transport does not undo gzip, which the app applies to JSON when the client
    # accepts it (ka_portal/middleware.py); an HTTP client decodes it by itself.
    yield {"Authorization": f"Token {token}", "Accept-Encoding": "identity"}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_answers_within_its_schema_and_never_500(case, headers):
    case.call_and_validate(headers=headers, checks=CHECKS)
