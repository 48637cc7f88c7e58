"""The benchmarks fill their companies with hand-written INSERT … SELECT statements (bench/*.py), which no test runs: a
column the models gain without a database default breaks them unnoticed until someone measures (bench/reports.py
and bench/trade_spend.py both failed so for a day: a deduction's reason code, a route stop's "placed by hand"). This
reads every INSERT into one of the app's tables in bench/ and names each column it leaves out that the database would
refuse to leave empty."""

import ast
import re
from pathlib import Path

from django.apps import apps
from django.db.models import NOT_PROVIDED

BENCH = Path(__file__).resolve().parents[2] / "bench"
INSERT = re.compile(r"INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.IGNORECASE)


def _required_columns() -> dict[str, set[str]]:
    """Each app table's columns that are NOT NULL without a database default (the id is the database's to give)."""
    required = {}
    for model in apps.get_models():
        required[model._meta.db_table] = {
            field.column
            for field in model._meta.concrete_fields
            if not field.null and not field.primary_key and field.db_default is NOT_PROVIDED
        }
    return required


def _texts(tree: ast.Module) -> list[str]:
    """Every string the module writes: constants, and f-strings with a name formatted in replaced by the string that
    name was given (`columns = "a, b"` … `f"INSERT INTO t ({columns})"`), `{?}` where it cannot be told."""
    assigned = {
        target.id: node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                if isinstance(part, ast.Constant):
                    parts.append(str(part.value))
                elif isinstance(part.value, ast.Name) and part.value.id in assigned:
                    parts.append(assigned[part.value.id])
                else:
                    parts.append("{?}")
            texts.append("".join(parts))
    return texts


def _inserts() -> list[tuple[str, str, set[str]]]:
    found = []
    for path in sorted(BENCH.glob("*.py")):
        for text in _texts(ast.parse(path.read_text(encoding="utf-8"))):
            for table, columns in INSERT.findall(text):
                found.append((path.name, table, {column.strip() for column in columns.split(",")}))
    return found


def test_every_insert_of_the_benchmarks_names_the_columns_the_database_requires():
    required = _required_columns()
    inserts = [(name, table, columns) for name, table, columns in _inserts() if table in required]
    assert len(inserts) >= 20  # the reader finds the statements (some 25 into app tables today)
    assert not [(name, table) for name, table, columns in inserts if "{?}" in columns]  # each one read whole
    missing = {f"{name}: {table}": sorted(required[table] - columns) for name, table, columns in inserts}
    assert {statement: columns for statement, columns in missing.items() if columns} == {}


def test_the_reader_would_catch_a_column_left_out():
    required = _required_columns()
    statement = "INSERT INTO visits_routestop (plan_id, store_id, day, position) SELECT 1, 1, 0, 1"
    ((table, columns),) = INSERT.findall(statement)
    assert required[table] - {column.strip() for column in columns.split(",")} == {"by_hand"}
