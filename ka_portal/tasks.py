"""Project-wide Celery tasks: a health check that proves the worker round trip, and the hourly purges of expired
client keys and API tokens."""

import os

from celery import shared_task
from django.db import connection


@shared_task(name="ka_portal.tasks.health_check")
def health_check(value: str = "pong") -> dict:
    """Answer from wherever the task ran: the value back, the worker's pid, what its database holds, and on PostgreSQL
    the server process of its connection (a worker keeps one between tasks)."""
    from accounts.models import KeyAccount

    backend_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
    return {
        "value": value,
        "pid": os.getpid(),
        "database": connection.vendor,
        "database_name": str(connection.settings_dict["NAME"]),
        "key_accounts": KeyAccount.objects.count(),
        "backend_pid": backend_pid,
    }


@shared_task(name="ka_portal.tasks.idempotency_keys_purge")
def idempotency_keys_purge() -> int:
    """Forget client keys older than KA_IDEMPOTENCY_TTL_HOURS (hourly beat entry); returns how many went."""
    from .idempotency import purge_expired

    return purge_expired()


@shared_task(name="ka_portal.tasks.api_tokens_purge")
def api_tokens_purge() -> int:
    """Delete expired API tokens (hourly beat entry; a token presented after its expiry is deleted then too)."""
    from .tokens import purge_expired

    return purge_expired()
