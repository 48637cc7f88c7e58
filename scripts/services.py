"""Is PostgreSQL / Redis reachable for the second test leg?

Exit 0: both answer. Exit 3: one is missing on a user's machine (the leg is skipped with the reason,
written to .services-missing). Exit 1: one is missing under CI (CI=true), where that is a failure.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlparse


def postgres_problem(url: str) -> str | None:
    import psycopg

    parts = urlparse(url)
    try:
        conn = psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
            connect_timeout=3,
        )
        conn.close()
    except psycopg.Error as exc:
        return f"PostgreSQL at {parts.hostname}:{parts.port or 5432} does not answer ({str(exc).strip()})"
    return None


def redis_problem(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis at {url} does not answer ({exc})"
    return None


def main() -> int:
    """`check`: as above. `probe`: exit 0 when both answer, else 3, writing and printing nothing."""
    _, command, pg_url, redis_url = sys.argv
    assert command in ("check", "probe")
    problems = [p for p in (postgres_problem(pg_url), redis_problem(redis_url)) if p]
    if not problems:
        return 0
    if command == "probe":
        return 3
    text = "\n".join(f"   {p}" for p in problems)
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        print(f"FAILED: the PostgreSQL + Redis leg cannot run under CI:\n{text}", file=sys.stderr)
        return 1
    Path(".services-missing").write_text(
        f"SKIPPED: the PostgreSQL + Redis test leg (and the Celery worker round trip):\n{text}\n"
        "   Start PostgreSQL and Redis (see README) to run it; CI always runs it.\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
