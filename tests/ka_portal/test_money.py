"""Every sum of money in the code goes through ka_portal.money (money_sum, Money): on SQLite, the embedded default, a
plain Sum of decimals comes back as the float it was added in (tests/tradespend/test_money_sums_exact.py shows
what a user saw). A plain Sum is for whole numbers only: packs, units, counts."""

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
# what a plain Sum may add up: whole packs and units, sign-in failures
WHOLE_NUMBERS = ("quantity", "units", "failures_since_start")


def _sum_calls():
    folders = {Path(config.path) for config in apps.get_app_configs() if Path(config.path).is_relative_to(ROOT)}
    for folder in sorted(folders):
        for path in sorted(folder.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Sum":
                    yield path.relative_to(ROOT), node


def test_the_app_folders_are_read():
    assert any(str(path) == "ka_portal/money.py" for path, _ in _sum_calls())


def test_no_plain_sum_of_money():
    plain = [
        f"{path}:{node.lineno}: {ast.unparse(node)}"
        for path, node in _sum_calls()
        if str(path) != "ka_portal/money.py" and not any(name in ast.unparse(node.args[0]) for name in WHOLE_NUMBERS)
    ]
    assert not plain, "a sum of money goes through ka_portal.money.money_sum:\n" + "\n".join(plain)
