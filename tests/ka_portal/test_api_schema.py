"""What the API schema tells a client generated from it: a request body lists only what the API takes (it refuses a
read-only key in a create or a step, 400), so requests and answers are separate components; and a month is sent as
YYYY-MM, which the schema says as a pattern, not `format: date` (a full day)."""

import re

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.api_schema import api_schema
from tests.factories import make_user

MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}$"}
# A parameter or field whose description names a month as YYYY-MM (not a day, YYYY-MM-DD).
NAMES_A_MONTH = re.compile(r"YYYY-MM(?!-DD)")
MONTH_NAMES = {"month", "month_from", "month_to"}


@pytest.fixture(scope="module")
def schema():
    with translation.override("en"):
        return api_schema()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def _read_only(schema, node, where, seen):
    """Every property marked readOnly in `node`, through references, items and combinations: (where, property)."""
    if isinstance(node, list):
        for item in node:
            yield from _read_only(schema, item, where, seen)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            yield from _read_only(schema, schema["components"]["schemas"][name], name, seen)
        return
    for name, prop in (node.get("properties") or {}).items():
        if isinstance(prop, dict) and prop.get("readOnly"):
            yield where, name
        yield from _read_only(schema, prop, where, seen)
    for key in ("items", "additionalProperties", "allOf", "oneOf", "anyOf"):
        yield from _read_only(schema, node.get(key), where, seen)


def test_no_request_body_lists_a_read_only_field(schema):
    # Given every operation taking a body (creates, updates, steps), in every content type it takes
    bodies = [
        (f"{method.upper()} {path} {content_type}", media.get("schema", {}))
        for path, method, operation in _operations(schema)
        for content_type, media in operation.get("requestBody", {}).get("content", {}).items()
    ]
    assert len(bodies) > 100

    # When their schemas are read as a client generator reads them, nested rows included
    found = [(body, *hit) for body, node in bodies for hit in _read_only(schema, node, "(inline)", set())]

    # Then none offers a field the API refuses
    assert found == [], "\n".join(map(str, found))


def test_a_create_takes_a_request_component_and_answers_the_full_record(schema):
    # Given the key accounts' create
    create = schema["paths"]["/api/v1/accounts/"]["post"]
    components = schema["components"]["schemas"]

    # When its body and its answer are read
    body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    answer = create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    # Then the body is its own component without the record's read-only fields, which the answer still carries
    assert (body, answer) == ("KeyAccountRequest", "KeyAccount")
    read_only = {name for name, prop in components[answer]["properties"].items() if prop.get("readOnly")}
    assert "id" in read_only
    assert not read_only & set(components[body]["properties"])
    assert not read_only & set(components[body].get("required", []))


def test_every_month_query_parameter_is_documented_as_yyyy_mm(schema):
    # Given every query parameter taking a month: by its name, or its description naming YYYY-MM
    months, wrong = [], []
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            kind = parameter.get("schema", {})
            by_name = parameter["name"] in MONTH_NAMES and kind.get("type") == "string"
            if parameter["in"] != "query" or not (by_name or NAMES_A_MONTH.search(parameter.get("description", ""))):
                continue
            months.append((path, parameter["name"]))
            # Then each is a string of the pattern YYYY-MM, not a full date
            if {key: kind.get(key) for key in MONTH} != MONTH or "format" in kind:
                wrong.append((method.upper(), path, parameter["name"], kind))
    assert ("/api/v1/promoter-targets/", "month") in months
    assert ("/api/v1/display-agreements/", "period") in months
    assert ("/api/v1/reports/gross-to-net/", "from") in months
    assert wrong == [], "\n".join(map(str, wrong))


def test_every_month_a_body_takes_is_documented_by_a_pattern_taking_yyyy_mm(schema):
    # Given every request component's field whose description names a month as YYYY-MM
    components = schema["components"]["schemas"]
    fields = [
        (name, field, prop)
        for name, component in components.items()
        if name.endswith("Request")
        for field, prop in (component.get("properties") or {}).items()
        if NAMES_A_MONTH.search(prop.get("description", ""))
    ]
    assert fields

    # Then its pattern takes a month as YYYY-MM and refuses other shapes of it
    wrong = [
        (name, field, prop.get("pattern"))
        for name, field, prop in fields
        if not prop.get("pattern")
        or not re.search(prop["pattern"], "2026-05")
        or any(re.search(prop["pattern"], other) for other in ("2026-5", "05/2026", "2026-05-17"))
    ]
    assert wrong == [], "\n".join(map(str, wrong))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "name"), [("/api/v1/promoter-targets/", "month"), ("/api/v1/display-agreements/", "period")]
)
def test_a_month_filter_takes_the_month_its_schema_documents_and_names_it_when_refused(path, name):
    # Given an admin reading a list filtered by month
    api = APIClient()
    api.force_authenticate(make_user(Role.ADMIN, username="admin_months", is_superuser=True, is_staff=True))

    # When the month is sent as the schema says, then in another shape
    taken = api.get(path, {name: "2026-05"}, HTTP_ACCEPT_LANGUAGE="en")
    refused = api.get(path, {name: "05/2026"}, HTTP_ACCEPT_LANGUAGE="en")

    # Then the first is read, the second refused asking for YYYY-MM under the parameter's name
    assert taken.status_code == 200
    assert refused.status_code == 400
    assert "YYYY-MM" in refused.json()["errors"][name][0] and "05/2026" in refused.json()["errors"][name][0]
