"""Every problem of a refused file carries a code for a machine beside its message for a person (QA: gap 3), in the
API's job as DomainError codes are elsewhere: a cell the import cannot read (`import.bad_date`), a code it cannot find
(`import.store_not_found`), a row twice (`import.duplicate_row`), or the code of the rule that refused the row
(`store.grade`-style codes, as the page and the API give them). The codes are listed in the API schema."""

import ast
import inspect
import sys
from pathlib import Path

import pytest

from imports import kinds
from imports import runner as runner_module
from imports.kinds import PROBLEM_CODES
from imports.models import ImportJob
from imports.registry import KINDS
from tests.factories import ProductFactory, StoreFactory

from .xlsx import api_import, xlsx_styled

pytestmark = pytest.mark.django_db

DELIVERIES = ["store code", "product code", "date", "quantity (packs)", "unit price", "reference"]


def test_every_problem_in_the_api_carries_its_code(api_client, admin_user, django_capture_on_commit_callbacks):
    # given a delivery file with one problem of each sort a clerk makes
    StoreFactory(code="S1")
    ProductFactory(code="P1", packs_per_case=12)
    rows = [
        ["S1", "P1", "11月23号", 24, 4.5, "DN-1"],  # a date the import cannot read
        ["S404", "P1", "2026-11-23", 24, 4.5, "DN-2"],  # a store no one has
        ["S1", None, "2026-11-23", 24, 4.5, "DN-3"],  # a required cell left empty
        ["S1", "P1", "2026-11-24", "2/15", 4.5, "DN-4"],  # packs that make a case and more
        ["S1", "P1", "2026-11-25", 6, 4.555, "DN-5"],  # three decimal places in a price
        ["S1", "P1", "2026-11-25", 6, 4.5, "DN-5"],  # the same delivery twice
        ["S1", "P1", "2026-11-26", 0, 0.05, "DN-6"],  # no packs (the delivery's rule), a price formatted as 5%
    ]
    upload = xlsx_styled(DELIVERIES, rows, formats={"E8": "0%"})
    api_client.force_authenticate(admin_user)
    # when
    body = api_import(
        api_client, "deliveries", upload, commit=django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then each problem names its row, column and why, for a person and for a machine
    assert (body["status"], body["code"]) == ("refused", "import.invalid_rows")
    assert [(error["row"], error["field"], error["code"]) for error in body["errors"]] == [
        (2, "date", "import.bad_date"),
        (3, "store_code", "import.store_not_found"),
        (4, "product_code", "import.required"),
        (5, "quantity", "import.packs_over_case"),
        (6, "unit_price", "import.too_many_decimals"),
        (7, "", "import.duplicate_row"),
        (8, "quantity", "delivery.quantity_out_of_range"),
        (8, "unit_price", "import.percent_cell"),
    ]
    assert body["errors"][1]["message"] == "No store with the code “S404” that you can reach."
    assert all(error["message"] for error in body["errors"])
    # and the job keeps them so
    job = ImportJob.objects.get(pk=body["id"])
    assert job.problems.filter(code="").count() == 0


def test_a_header_problem_carries_its_code(api_client, admin_user, django_capture_on_commit_callbacks):
    # given a delivery file without its product code column and with its date column twice
    headers = ["store code", "date", "quantity (packs)", "delivered on"]
    api_client.force_authenticate(admin_user)
    # when
    body = api_import(
        api_client,
        "deliveries",
        xlsx_styled(headers, [["S1", "2026-11-23", 1, "2026-11-23"]]),
        commit=django_capture_on_commit_callbacks,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then
    assert sorted((error["field"], error["code"]) for error in body["errors"]) == [
        ("date", "import.duplicate_column"),
        ("product_code", "import.missing_column"),
    ]


def test_the_problem_codes_are_documented_in_the_api_schema(client):
    # given an integrator reading the schema
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    # when they look up what an import problem's code may be
    code = schema["components"]["schemas"]["Problem"]["properties"]["code"]
    # then every code an import gives is there, with what it means
    for name, meaning in PROBLEM_CODES.items():
        assert f"`{name}`: {meaning}" in code["description"]
    assert "store.code_taken" in code["description"]  # a rule's own code, named as such


# --- every problem of every kind is given its code where it is raised ---


def _modules():
    """The modules that report row problems: the runner, the kinds module and every registered kind's own."""
    found = {kinds, runner_module} | {sys.modules[type(kind).__module__] for kind in KINDS.values()}
    return sorted(found, key=lambda module: module.__name__)


def _translated(node) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in {
        "_",
        "gettext_lazy",
        "gettext",
    }


def _calls(module):
    tree = ast.parse(Path(inspect.getsourcefile(module)).read_text())
    sentences = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _translated(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, sentences


@pytest.mark.one_leg
@pytest.mark.parametrize("module", _modules(), ids=lambda module: module.__name__)
def test_every_problem_is_reported_with_a_code(module):
    # given the module's calls that make a cell's refusal or add a problem
    missing = []
    for call, sentences in _calls(module):
        name = getattr(call.func, "id", getattr(call.func, "attr", ""))
        keywords = {keyword.arg for keyword in call.keywords}
        if name == "CellError" and "code" not in keywords:
            missing.append(f"line {call.lineno}: CellError without code=")
        if name == "add" and getattr(call.func.value, "id", "") == "problems" and "code" not in keywords:
            # without code= the message must bring its own (a CellError, a DomainError or a NotFound), not a sentence
            message = call.args[2] if len(call.args) > 2 else None
            if message is None or _translated(message) or getattr(message, "id", None) in sentences:
                missing.append(f"line {call.lineno}: problems.add of a sentence without code=")
    # then none is without its code
    assert not missing, missing


@pytest.mark.one_leg
def test_every_code_given_is_documented_and_every_documented_code_given():
    # given the import.* codes the modules give their problems
    given = set()
    for module in _modules():
        for call, _sentences in _calls(module):
            for keyword in call.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    given.add(keyword.value.value)
            if getattr(call.func, "id", "") == "NotFound":
                given.add(call.args[0].value)
            for argument in call.args:  # a header's problem, kept as (column, message, params, code) first
                if isinstance(argument, ast.Tuple) and argument.elts and isinstance(argument.elts[-1], ast.Constant):
                    given.add(argument.elts[-1].value)
    given |= {kinds.INVALID_VALUE, kinds.BELOW_MINIMUM, kinds.ABOVE_MAXIMUM, kinds.BAD_DATE, kinds.BAD_CHOICE}
    given = {code for code in given if isinstance(code, str) and code.startswith("import.")}
    # then the schema's list is exactly those
    assert given == set(PROBLEM_CODES)
