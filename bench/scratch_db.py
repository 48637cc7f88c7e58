"""A benchmark's scratch PostgreSQL database: `<name>_bench` beside DATABASE_URL's, made fresh and dropped after."""

from urllib.parse import urlsplit, urlunsplit


def _admin(parts):
    import psycopg2

    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    return admin


def bench_database(url: str) -> str:
    """Create `<name>_bench` (dropping a leftover one) and return its URL."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench"
    admin = _admin(parts)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    parts = urlsplit(url)
    admin = _admin(parts)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    admin.close()


def twin_database(url: str, suffix: str = "_twin") -> str:
    """A copy of `url`'s database as it stands (`CREATE DATABASE … TEMPLATE`; nothing may be connected to it), made
    fresh; returns its URL."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    twin = name + suffix
    admin = _admin(parts)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{twin}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{twin}" TEMPLATE "{name}"')
    admin.close()
    return urlunsplit(parts._replace(path=f"/{twin}"))
