"""Settings: the embedded default needs nothing; production mode passes Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def test_production_mode_passes_check_deploy():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        PRODUCTION="true", SECRET_KEY="x" * 20 + "-production-secret-key-for-the-check-0123456789",
        ALLOWED_HOSTS="ka.example.com",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = _manage("check", PRODUCTION="true")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_embedded_default_is_sqlite_and_in_process_celery():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    result = _manage("shell", "-c", code)
    assert result.stdout.split()[-2:] == ["django.db.backends.sqlite3", "True"]


def test_production_runs_without_the_demo_app_and_has_no_seed_demo():
    secret = "x" * 20 + "-production-secret-key-for-the-check-0123456789"
    code = "from django.apps import apps; print(apps.is_installed('demo'))"

    shown = _manage("shell", "-c", code, PRODUCTION="true", SECRET_KEY=secret)
    seeded = _manage("seed_demo", PRODUCTION="true", SECRET_KEY=secret)

    assert shown.stdout.split()[-1:] == ["False"], shown.stderr
    assert seeded.returncode != 0
    assert "Unknown command: 'seed_demo'" in seeded.stderr


def test_demo_is_installed_in_development_and_on_request_in_production():
    secret = "x" * 20 + "-production-secret-key-for-the-check-0123456789"
    code = "from django.apps import apps; print(apps.is_installed('demo'))"

    development = _manage("shell", "-c", code)
    compose_demo = _manage("shell", "-c", code, PRODUCTION="true", SECRET_KEY=secret, DEMO="true")

    assert development.stdout.split()[-1:] == ["True"], development.stderr
    assert compose_demo.stdout.split()[-1:] == ["True"], compose_demo.stderr
