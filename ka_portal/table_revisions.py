"""Table revisions: a number per table that every committed write moves on, kept by database triggers.

The triggers are the one place that sees every write — page, API, import, admin, nightly job, raw SQL — so an answer
built from some tables is known to be current as long as those tables' revisions stand (ka_portal/api_cache.py).

- SQLite: a row trigger per table and operation adds one to the table's revision (SQLite has one writer at a time).
- PostgreSQL: a statement trigger per table records the write in `ka_portal_tablewrite`; a deferred constraint trigger
  on that table folds a transaction's writes into the revisions when it commits. A revision row is locked only while
  its writer commits, so the nightly job's two workers (or sixteen phones) do not queue behind each other, and a
  reader never sees a revision that counts a write it cannot see yet. Until it commits, a transaction's own writes
  count in the revisions it reads (`read`), so a list read after a write in the same transaction is not stale.

The triggers are (re)installed after every `migrate` (`install`, connected to post_migrate in ka_portal/apps.py), so
a table added by a later migration is covered without a migration of its own; `tests/ka_portal/test_api_cache.py`
checks that every table but the IGNORED has them.
"""

import time

from django.db import connection as default_connection

REVISION = "ka_portal_tablerevision"
WRITE = "ka_portal_tablewrite"
# Tables no answer depends on for its content, written by requests that only read: the sign-in machinery (tokens,
# sessions, django-axes), the client keys of creates, the nightly change log, and these two tables themselves.
IGNORED = frozenset(
    {
        REVISION,
        WRITE,
        "knox_authtoken",
        "django_session",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
        "ka_portal_idempotencykey",
        "visits_replenishmentchange",
    }
)

_POSTGRESQL_FUNCTIONS = [
    # A TRUNCATE (which locks its table whole anyway) moves the revision at once: a deferred event left behind
    # would stop a TRUNCATE of several tables in one transaction ("pending trigger events"), as `flush` runs.
    f"""CREATE OR REPLACE FUNCTION ka_table_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                UPDATE {REVISION} SET revision = revision + 1 WHERE table_name = TG_TABLE_NAME;
            ELSE
                INSERT INTO {WRITE} (table_name) VALUES (TG_TABLE_NAME);
            END IF;
            RETURN NULL;
        END $$""",
    # The first firing for a table at commit folds all of the transaction's writes of it; the others find none left.
    f"""CREATE OR REPLACE FUNCTION ka_table_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            WITH gone AS (DELETE FROM {WRITE} WHERE table_name = NEW.table_name RETURNING 1)
            UPDATE {REVISION} SET revision = revision + (SELECT COUNT(*) FROM gone)
            WHERE table_name = NEW.table_name AND EXISTS (SELECT 1 FROM gone);
            RETURN NULL;
        END $$""",
    f"DROP TRIGGER IF EXISTS ka_table_revision_bump ON {WRITE}",
    f"""CREATE CONSTRAINT TRIGGER ka_table_revision_bump AFTER INSERT ON {WRITE}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ka_table_revision_bump()""",
]


def tracked_tables(connection=default_connection) -> list[str]:
    """The project's tables that have revisions: every existing table of an installed model but the IGNORED."""
    names = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return sorted(name for name in names if name not in IGNORED)


def _sqlite_statements(table: str) -> list[str]:
    bump = f"UPDATE {REVISION} SET revision = revision + 1 WHERE table_name = '{table}';"
    return [
        f'CREATE TRIGGER IF NOT EXISTS "ka_rev_{operation.lower()}_{table}" AFTER {operation} ON "{table}" '
        f"BEGIN {bump} END"
        for operation in ("INSERT", "UPDATE", "DELETE")
    ]


def _postgresql_statements(table: str) -> list[str]:
    return [
        f'CREATE OR REPLACE TRIGGER ka_table_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION ka_table_write()"
    ]


def install(connection=default_connection) -> int:
    """Create the missing revision rows and triggers of every tracked table (idempotent); the tables covered."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        return 0
    existing = set(connection.introspection.table_names())
    if REVISION not in existing or WRITE not in existing:
        return 0  # migrating back to before ka_portal 0002
    tables = tracked_tables(connection)
    # A new row starts from the clock (µs), so a table emptied and re-created never repeats a revision seen before.
    start = time.time_ns() // 1000
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            for statement in _POSTGRESQL_FUNCTIONS:
                cursor.execute(statement)
        for table in tables:
            cursor.execute(
                f"INSERT INTO {REVISION} (table_name, revision) VALUES (%s, %s) ON CONFLICT DO NOTHING",  # noqa: S608
                [table, start],
            )
            statements = _postgresql_statements(table) if vendor == "postgresql" else _sqlite_statements(table)
            for statement in statements:
                cursor.execute(statement)
    return len(tables)


def installed_on(connection=default_connection) -> set[str]:
    """The tables that carry the revision triggers (for the test that every tracked table does)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'ka_table_revision'"
            )
            return {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ka_rev_%'")
        return {name for (name,) in cursor.fetchall()}


def read(cursor, tables=None) -> dict[str, int]:
    """The revisions of `tables` (all when None) as this connection sees them, its own uncommitted writes counted."""
    return read_with_own(cursor, tables)[0]


def read_with_own(cursor, tables=None) -> tuple[dict[str, int], bool]:
    """`read`, and whether the revisions may count writes of this transaction that are not committed yet (which a
    rollback would take back): on PostgreSQL exactly, on SQLite whenever a transaction is open."""
    where, params = "", []
    if tables is not None:
        tables = list(tables)
        if not tables:
            return {}, False
        where = f" WHERE r.table_name IN ({', '.join(['%s'] * len(tables))})"
        params = tables
    if cursor.db.vendor == "postgresql":
        cursor.execute(
            f"SELECT r.table_name, r.revision + COALESCE(w.n, 0), COALESCE(w.n, 0) FROM {REVISION} r "  # noqa: S608
            f"LEFT JOIN (SELECT table_name, COUNT(*) AS n FROM {WRITE} GROUP BY table_name) w "
            f"ON w.table_name = r.table_name{where}",
            params,
        )
        rows = cursor.fetchall()
        return {name: revision for name, revision, _ in rows}, any(own for _, _, own in rows)
    cursor.execute(f"SELECT r.table_name, r.revision FROM {REVISION} r{where}", params)  # noqa: S608
    return dict(cursor.fetchall()), cursor.db.in_atomic_block
