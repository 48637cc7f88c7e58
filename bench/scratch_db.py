"""A benchmark's scratch PostgreSQL database: `<name>_bench` beside DATABASE_URL's, made fresh and dropped after."""

from urllib.parse import urlsplit, urlunsplit


def _admin(parts):
    import psycopg

    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def _fresh(url: str, name: str, template: str | None = None) -> str:
    """Database `name` beside `url`'s, made fresh (a leftover one dropped), empty or copied from `template`; its URL."""
    parts = urlsplit(url)
    admin = _admin(parts)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def bench_database(url: str) -> str:
    """Create `<name>_bench` (dropping a leftover one) and return its URL."""
    return _fresh(url, urlsplit(url).path.lstrip("/") + "_bench")


def drop_database(url: str) -> None:
    parts = urlsplit(url)
    admin = _admin(parts)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    admin.close()


def twin_database(url: str, suffix: str = "_twin") -> str:
    """A copy of `url`'s database as it stands (`CREATE DATABASE … TEMPLATE`; nothing may be connected to it), made
    fresh; returns its URL."""
    name = urlsplit(url).path.lstrip("/")
    return _fresh(url, name + suffix, template=name)
