"""The demo company's rows, kept after seeding once, to put back in later test modules (tests/conftest.py).

Seeding through the services costs 8–15 s a module (more on PostgreSQL); putting the same rows back costs well
under a second. A snapshot is the difference seeding made: rows it added or changed, and rows it removed, per
table. It is put back only onto the database it was taken from (the same rows in every table before seeding,
checked by a digest): after a test that flushed the database (content types and permissions made again under new
ids) the rows would point at the wrong records, so the demo is seeded again instead.
"""

import hashlib
from collections.abc import Callable

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection

# Tables only database triggers write (the suggested-order change log, visits migration 0015; the table revisions,
# ka_portal/table_revisions.py): putting the other rows back writes them again, so they are neither kept nor put back.
TRIGGER_WRITTEN = frozenset({"visits_replenishmentchange", "ka_portal_tablerevision", "ka_portal_tablewrite"})


def _tables() -> dict[str, tuple[str, list[str], type]]:
    """table → (primary key column, columns, model) for every table Django manages."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if not opts.managed or opts.proxy or opts.db_table in tables or opts.db_table in TRIGGER_WRITTEN:
            continue
        tables[opts.db_table] = (opts.pk.column, [field.column for field in opts.local_concrete_fields], model)
    return tables


def _read(table: str, columns: list[str]) -> list[tuple]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")
        return cursor.fetchall()


def _state() -> dict[str, dict]:
    """Every table's rows by primary key."""
    state = {}
    for table, (pk, columns, _model) in _tables().items():
        at = columns.index(pk)
        state[table] = {row[at]: row for row in _read(table, columns)}
    return state


def _digest(state: dict[str, dict]) -> str:
    """The rows, and where uploads go: the demo's photos are files under MEDIA_ROOT that its rows point to."""
    from django.conf import settings

    digest = hashlib.sha256(str(settings.MEDIA_ROOT).encode())
    for table in sorted(state):
        digest.update(table.encode())
        for key in sorted(state[table], key=repr):
            digest.update(repr(state[table][key]).encode())
    return digest.hexdigest()


def _adapt(rows: list[tuple]) -> list[tuple]:
    """Values as the driver takes them back: PostgreSQL's driver reads JSON as dicts and lists but does not write
    them without a wrapper; SQLite's reads a time column as a `time` (Django's converter) but has no adapter to
    write one back, so it goes back as the text SQLite stores (a promoter's shift, issue 16)."""
    if connection.vendor == "sqlite":
        from datetime import time

        return [tuple(value.isoformat() if isinstance(value, time) else value for value in row) for row in rows]
    if connection.vendor != "postgresql":
        return rows
    from psycopg.types.json import Json

    return [tuple(Json(value) if isinstance(value, dict | list) else value for value in row) for row in rows]


class DemoSnapshot:
    def __init__(self, before: str, upserts: dict, deletes: dict) -> None:
        self.before, self.upserts, self.deletes = before, upserts, deletes

    @classmethod
    def taken_around(cls, seed: Callable[[], object]) -> "DemoSnapshot":
        """Seed (through `seed`) and keep what it changed."""
        before = _state()
        seed()
        after = _state()
        upserts, deletes = {}, {}
        for table, rows in after.items():
            old = before.get(table, {})
            changed = [row for key, row in rows.items() if old.get(key) != row]
            gone = [key for key in old if key not in rows]
            if changed:
                upserts[table] = changed
            if gone:
                deletes[table] = gone
        return cls(_digest(before), upserts, deletes)

    def restore(self) -> bool:
        """Put the seeded rows back; False (nothing written) when the database is not the one seeded."""
        if _digest(_state()) != self.before:
            return False
        tables = _tables()
        quote = connection.ops.quote_name
        replaced = {table: list(keys) for table, keys in self.deletes.items()}
        for table, rows in self.upserts.items():
            at = tables[table][1].index(tables[table][0])
            replaced.setdefault(table, []).extend(row[at] for row in rows)
        with connection.cursor() as cursor:
            for table, keys in replaced.items():
                pk = tables[table][0]
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(f"DELETE FROM {quote(table)} WHERE {quote(pk)} IN ({marks})", chunk)
            for table, rows in self.upserts.items():
                columns = tables[table][1]
                sql = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES "
                row_marks = f"({', '.join(['%s'] * len(columns))})"
                # Many rows a statement: a statement per row would fire the tables' statement triggers (the change
                # logs, the table revisions) once per row. Within the engine's limit of parameters a statement.
                page = max(1, min(1000, (connection.features.max_query_params or 65535) // len(columns)))
                adapted = _adapt(rows)
                for start in range(0, len(adapted), page):
                    batch = adapted[start : start + page]
                    cursor.execute(sql + ", ".join([row_marks] * len(batch)), [v for row in batch for v in row])
            models = [tables[table][2] for table in self.upserts]
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        return True
