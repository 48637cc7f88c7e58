"""The write-path matrix (issue 11): every rule with a refusal, tried through every door that writes its record.

For each (rule, door) of tests/ka_portal/write_path_matrix.py: knock with the rule's `bad` values → refused
(the API's and the import's answer carries the rule's code; a page or the admin shows the rule's message, or an
error next to the rule's field) and the protected rows are unchanged; then knock with `good` → written, which
shows the door really writes that record (so the refusal was the rule's, not a broken test payload). A door that
has been closed (the API answers 405, the admin 403: e.g. a contact log made append-only) passes once nothing
was written; then take the door out of the registry.

How to add a rule: one `Rule(...)` in `RULES` of write_path_matrix.py — its code, model, field, good and bad
values, and its doors (reuse a `*_doors()` helper or list `Door(kind, user, url, payload)` lines). A door that
lets the bad value through on main goes into `KNOWN_GAPS` as (rule id, door label) with the gap reported; it
then runs as a strict xfail, so the fix makes it fail until the pair is taken out of `KNOWN_GAPS`.
"""

import html

import pytest
from django.test import Client

from tests.ka_portal import write_path_matrix as matrix

pytestmark = pytest.mark.django_db


def _params() -> list:
    return list(_each_param())


def _each_param():
    for rule, door in matrix.cases():
        marks = []
        key = (rule.id, door.label)
        if key in matrix.KNOWN_GAPS:
            why = matrix.GAP_REASONS.get(key, "skips the rule")
            marks.append(pytest.mark.xfail(strict=True, reason=f"issue 11 item 1: {door.label} {why}"))
        yield pytest.param(rule, door, id=f"{rule.id}-{door.label}", marks=marks)


@pytest.fixture
def world(time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    return matrix.build_world()


def _snapshot(rule) -> list:
    return [list(model.objects.order_by("pk").values()) for model in (rule.model, *rule.watch)]


def _ready(world, door, values):
    """Put the record in the state the values need and build the request (both may write: before the snapshot)."""
    if door.prepare is not None:
        door.prepare(world, values)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(getattr(world, door.user))
    return client, door.url(world), door.payload(world, values)


def _knock(door, client, url, payload):
    if door.kind in ("import", "import_page"):
        return _import(door, client, url, payload)
    if door.kind in matrix.API_KINDS:
        return getattr(client, door.method)(url, payload, content_type="application/json")
    return client.post(url, payload, follow=door.kind in ("page_step", "admin_action"), **dict(door.headers))


def _import(door, client, url, payload):
    """Upload the file, let its job run (queued when the request commits), then read the job as its user
    would: the status URL's JSON for the API, the job's page for the page."""
    from django.test import TestCase

    accept = {"HTTP_ACCEPT": "application/json"} if door.kind == "import" else {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        posted = client.post(url, payload, **accept)
    if posted.status_code not in (202, 302):
        return posted  # refused before a job was made
    return client.get(posted["Location"], **accept)


def _form_errors(response) -> dict:
    """The errors of the forms (and the admin's form and formsets) the page re-rendered, by field."""
    errors: dict = {}
    seen: set[int] = set()
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            form = getattr(value, "form", value)  # the admin wraps its form in an AdminForm
            for found in (form, *getattr(value, "forms", ())):
                if not _is_form(found) or id(found) in seen:
                    continue
                seen.add(id(found))
                for name, messages in found.errors.items():
                    errors.setdefault(name, []).extend(messages)
            if hasattr(value, "non_form_errors") and id(value) not in seen and value.non_form_errors():
                seen.add(id(value))
                errors.setdefault("__all__", []).extend(value.non_form_errors())
    return errors


def _is_form(value) -> bool:
    from django import forms

    return isinstance(value, forms.BaseForm)


def _refusal_shown(rule, door, response) -> str | None:
    """Why the response is not the rule's refusal, or None when it is."""
    field = door.field or rule.field
    if door.kind == "import":
        body = response.json()
        columns = {error.get("column") for error in body.get("errors", [])}
        named = field in columns or (field == "*" and columns)  # "*": the column is the rule's to choose
        refused = body.get("status") == "refused" and body.get("code") == "import.invalid_rows"
        return None if refused and named else f"import answered {body}"
    if door.kind in matrix.API_KINDS:
        if response.status_code not in (400, 403, 409, 422):  # 403: a role's refusal, with the rule's code
            return f"answered {response.status_code}, not a refusal"
        body = response.json()
        codes = {rule.code, *rule.also_codes}
        if body.get("code") not in codes:
            return f"code {body.get('code')!r}, expected one of {sorted(codes)}: {body}"
        if body.get("code") == "invalid" and not _names_field(body.get("errors"), field):
            return f"the validation errors do not name {field!r}: {body}"
        if body.get("code") != "invalid" and body.get("field") not in (None, field):
            return f"the refusal names the field {body.get('field')!r}, not {field!r}"
        return None
    text = html.unescape(response.content.decode())
    if door.kind == "import_page":
        problems = (response.context or {}).get("errors") or []
        named = {problem.column for problem in problems}
        return None if field in named or (field == "*" and named) else f"the page lists no problem in {field!r}"
    if door.kind in ("page_step", "admin_action"):
        if rule.message:
            return None if rule.message in text else f"the message {rule.message!r} is not shown"
        return None if _error_messages(response) else "no error message shown"
    if response.status_code in (301, 302):
        return f"accepted: redirected to {response['Location']}"
    if rule.message:
        return None if rule.message in text else f"the message {rule.message!r} is not shown"
    errors = _form_errors(response)
    if "__all__" in errors or any(name == field or name.startswith(f"{field}_") for name in errors):
        return None  # "stock" names the page's stock_<product> fields
    return f"no error next to {field!r} (status {response.status_code}; errors: {dict(errors)})"


def _error_messages(response) -> list[str]:
    from django.contrib.messages import constants

    stored = response.context.get("messages", []) if response.context else []
    return [str(message) for message in stored if message.level == constants.ERROR]


def _names_field(errors, name) -> bool:
    if isinstance(errors, dict):
        return name in errors or any(_names_field(value, name) for value in errors.values())
    if isinstance(errors, list):
        return any(_names_field(value, name) for value in errors)
    return False


def _accepted(door, response) -> bool:
    if door.kind == "import":
        return response.status_code == 200 and response.json().get("status") == "done"
    if door.kind in matrix.API_KINDS:
        return response.status_code in ((204,) if door.method == "delete" else (200, 201))
    if door.headers:  # a page's write the phone's outbox sends: answered in JSON (ka_portal.pages)
        return response.status_code in (200, 201)
    if door.kind in ("page_step", "admin_action", "import_page"):
        return response.status_code == 200
    return response.status_code in (301, 302)


@pytest.mark.one_leg
@pytest.mark.parametrize(("rule", "door"), _params())
def test_the_rule_refuses_at_every_door(world, rule, door):
    # given the record in the state the rule's broken values need
    request = _ready(world, door, rule.bad)
    before = _snapshot(rule)
    # when the rule is broken
    response = _knock(door, *request)
    # then it is refused there, saying so, and nothing is written
    closed = _closed(door, response)
    problem = None if closed else _refusal_shown(rule, door, response)
    assert problem is None, f"{rule.id} through {door.label}: {problem}"
    assert _snapshot(rule) == before, f"{rule.id} through {door.label}: refused, but rows changed"
    if closed:
        return  # the door no longer writes this record (an append-only log): take it out of the registry
    # and the same door writes the record when the rule holds
    request = _ready(world, door, rule.good)
    before = _snapshot(rule)
    response = _knock(door, *request)
    assert _accepted(door, response), f"{door.label} refused good values: {response.status_code} {_detail(response)}"
    assert _snapshot(rule) != before, f"{door.label} wrote nothing with good values: the door is not this record's"
    # and what the write sets off follows in the same request, whatever the door
    if rule.then is not None:
        missing = rule.then(world)
        assert missing is None, f"{rule.id} through {door.label}: {missing}"


def _closed(door, response) -> bool:
    """The door does not exist any more: the API's 405 (an append-only record), the admin's 403 (read only)."""
    return (door.kind in matrix.API_KINDS and response.status_code == 405) or (
        door.kind in matrix.ADMIN_KINDS and response.status_code == 403
    )


def _detail(response) -> str:
    text = response.content.decode(errors="replace")
    return str(_form_errors(response) or "") or text[:500]


def test_the_registry_is_consistent():
    """Every known gap and its reason name a (rule, door) of the matrix: a stale line would hide nothing and
    silently stop checking; rule ids and door labels are unique, and every door is of a known kind."""
    pairs = [(rule.id, door.label) for rule, door in matrix.cases()]
    assert len(pairs) == len(set(pairs)), "two doors of one rule share a label: give one a name"
    assert len({rule.id for rule in matrix.RULES}) == len(matrix.RULES)
    assert set(pairs) >= matrix.KNOWN_GAPS, f"known gaps naming no case: {matrix.KNOWN_GAPS - set(pairs)}"
    assert set(matrix.GAP_REASONS) <= matrix.KNOWN_GAPS
    kinds = matrix.API_KINDS | matrix.PAGE_KINDS | matrix.ADMIN_KINDS
    assert {door.kind for _rule, door in matrix.cases()} <= kinds
