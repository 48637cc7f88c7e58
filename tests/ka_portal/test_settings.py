"""Settings: the embedded default needs nothing; production mode passes Django's deploy check; a wrong KA_* value
stops start-up with a message naming the variable and what it allows."""

import os
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ka_portal.config import KaSettings

ROOT = Path(__file__).resolve().parents[2]
# A fresh `manage.py` without DATABASE_URL: the same process in either leg, so run in one (tests/conftest.py).
ENGINE_FREE = pytest.mark.one_leg


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@ENGINE_FREE
def test_production_mode_passes_check_deploy():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        PRODUCTION="true", SECRET_KEY="x" * 20 + "-production-secret-key-for-the-check-0123456789",
        ALLOWED_HOSTS="ka.example.com",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@ENGINE_FREE
def test_production_mode_refuses_to_start_without_a_secret_key():
    result = _manage("check", PRODUCTION="true")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@ENGINE_FREE
def test_embedded_default_is_sqlite_and_in_process_celery():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    result = _manage("shell", "-c", code)
    assert result.stdout.split()[-2:] == ["django.db.backends.sqlite3", "True"]


@ENGINE_FREE
def test_production_runs_without_the_demo_app_and_has_no_seed_demo():
    secret = "x" * 20 + "-production-secret-key-for-the-check-0123456789"
    code = "from django.apps import apps; print(apps.is_installed('demo'))"

    shown = _manage("shell", "-c", code, PRODUCTION="true", SECRET_KEY=secret)
    seeded = _manage("seed_demo", PRODUCTION="true", SECRET_KEY=secret)

    assert shown.stdout.split()[-1:] == ["False"], shown.stderr
    assert seeded.returncode != 0
    assert "Unknown command: 'seed_demo'" in seeded.stderr


@ENGINE_FREE
def test_demo_is_installed_in_development_and_on_request_in_production():
    secret = "x" * 20 + "-production-secret-key-for-the-check-0123456789"
    code = "from django.apps import apps; print(apps.is_installed('demo'))"

    development = _manage("shell", "-c", code)
    compose_demo = _manage("shell", "-c", code, PRODUCTION="true", SECRET_KEY=secret, DEMO="true")

    assert development.stdout.split()[-1:] == ["True"], development.stderr
    assert compose_demo.stdout.split()[-1:] == ["True"], compose_demo.stderr


@ENGINE_FREE
def test_a_wrong_ka_value_stops_start_up_naming_the_variable_and_what_is_allowed():
    result = _manage("check", KA_VISIT_MIN_MINUTES="ten", KA_ORDER_ROUNDING="sideways")

    assert result.returncode != 0
    assert "KA Portal cannot start with these settings" in result.stderr
    assert "KA_VISIT_MIN_MINUTES='ten': allowed is a whole number from 0 to 1440 (default 5)" in result.stderr
    assert "KA_ORDER_ROUNDING='sideways': allowed is one of up, nearest, down (default up)" in result.stderr


@ENGINE_FREE
def test_a_misspelt_ka_variable_stops_start_up_rather_than_being_ignored():
    result = _manage("check", KA_VISIT_MIN_MINUTE="10")

    assert result.returncode != 0
    assert "KA_VISIT_MIN_MINUTE: no such setting; KA Portal knows" in result.stderr
    assert "KA_VISIT_MIN_MINUTES" in result.stderr


@ENGINE_FREE
def test_a_right_ka_value_is_read_once_with_its_type():
    code = "from django.conf import settings as s; print(repr(s.KA.visit_min_minutes), repr(s.KA.safety_factor))"
    result = _manage("shell", "-c", code, KA_VISIT_MIN_MINUTES="10", KA_SAFETY_FACTOR="1.25")
    assert result.stdout.split()[-2:] == ["10", "Decimal('1.25')"], result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("KA_ROUTE_STOPS_PER_DAY", "0", "a whole number from 1 to 50"),
        ("KA_ROUTE_STOPS_PER_DAY", "5.5", "a whole number from 1 to 50"),
        ("KA_PROMOTION_COOLDOWN_DAYS", "29", "a whole number from 30 to 45 (default 30; SPEC §5 rule 4"),
        ("KA_PROMOTION_COOLDOWN_DAYS", "46", "a whole number from 30 to 45"),
        ("KA_PROMOTION_DEEP_CUT_ABOVE", "5%", "a decimal number from 0 to 1"),
        ("KA_PROMOTION_DEEP_CUT_ABOVE", "1.5", "a decimal number from 0 to 1"),
        ("KA_SAFETY_FACTOR", "NaN", "a decimal number from 0.1 to 10"),
        ("KA_PROMOTION_SECOND_APPROVAL_ABOVE", "-1", "a decimal number from 0 to 1000000000"),
        ("KA_IDEMPOTENCY_TTL_HOURS", "23", "a whole number from 24 to 8760"),
        ("KA_UPLOAD_MAX_BYTES", "", "a whole number from 1 to"),
        ("KA_TRUSTED_PROXIES", "-1", "a whole number from 0 to 10"),
    ],
)
def test_each_ka_value_is_checked_against_its_type_and_range(variable, value, allowed):
    with pytest.raises(ImproperlyConfigured) as refused:
        KaSettings.from_environ({variable: value})

    assert f"{variable}={value!r}: allowed is {allowed}" in str(refused.value)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("KA_ROUTE_STOPS_PER_DAY", "1", ("route_stops_per_day", 1)),
        ("KA_PROMOTION_COOLDOWN_DAYS", "45", ("promotion_cooldown_days", 45)),
        ("KA_IMPORT_MAX_ROWS", " 200_000 ", ("import_max_rows", 200_000)),
        ("KA_PROMOTION_DEEP_CUT_ABOVE", "0.1", ("promotion_deep_cut_above", Decimal("0.1"))),
        ("KA_ORDER_ROUNDING", "nearest", ("order_rounding", "nearest")),
    ],
)
def test_boundary_values_are_accepted(variable, value, expected):
    name, typed = expected
    assert getattr(KaSettings.from_environ({variable: value}), name) == typed


def test_the_settings_cannot_change_once_built_and_a_swap_is_checked_too():
    ka = KaSettings.from_environ({})

    with pytest.raises(AttributeError):
        ka.visit_min_minutes = 1  # frozen
    with pytest.raises(ImproperlyConfigured, match="KA_ROUTE_STOPS_PER_WEEK=3: allowed is at least"):
        replace(ka, route_stops_per_week=3)
    with pytest.raises(ImproperlyConfigured, match="KA_SAFETY_FACTOR='1.5'"):
        replace(ka, safety_factor="1.5")  # a string where a Decimal belongs


def test_the_fingerprint_follows_the_settings_object_and_leaves_out_what_it_is_told(settings):
    from ka_portal.config import fingerprint

    first = fingerprint()
    assert fingerprint() == first
    assert fingerprint(extra=("UTC",)) != first
    settings.KA = replace(settings.KA, visit_min_minutes=settings.KA.visit_min_minutes + 1)
    assert fingerprint() != first
    chunks = fingerprint(exclude={"replenishment_chunk_stores"})
    settings.KA = replace(settings.KA, replenishment_chunk_stores=settings.KA.replenishment_chunk_stores + 1)
    assert fingerprint(exclude={"replenishment_chunk_stores"}) == chunks
