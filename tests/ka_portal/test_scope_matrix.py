"""The scope matrix: every route (pages, `?export=xlsx`, API operations) × every demo role × a record outside
that role's scope, read and written, generated from the URL configuration and the API schema.

For each case: a foreign record in the URL answers 404 (403 where the role lacks the permission entirely) and
nothing is written; a list, its export and an API list hold 0 rows outside the user's scope; no body names a
store, or shows a contact's phone or e-mail, outside the user's scope. The registry of routes is in
tests/ka_portal/scope_matrix.py (its format is at the top of that module): every new route must be added to
the scope matrix, or `test_every_route_is_declared` fails.
"""

import html
import io
import json
import re
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.ka_portal.scope_matrix import (
    BODY_REFS,
    KNOWN_SERVER_ERRORS,
    NAMESPACES,
    ROLES,
    ROUTES,
    SCOPES,
    VALUES,
    Own,
    api_operations,
    api_request_fields,
    foreign_markers,
    url_routes,
)

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
NOT_WRITES = ("django_session",)  # a page's session bookkeeping is not a write of the user's data
REFUSED = {403, 404, 405}


class Matrix:
    """What the matrix needs per role, built once per module on the demo company."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.in_bulk(ROLES, field_name="username")
        self.users = users
        self.pages, self.api = {}, {}
        self.foreign, self.own, self.markers, self.reaches_all = {}, {}, {}, {}
        for role in ROLES:
            user = users[role]
            page = Client(raise_request_exception=False)
            page.force_login(user)
            api = APIClient(raise_request_exception=False)
            api.force_authenticate(user)
            self.pages[role], self.api[role] = page, api
            self.markers[role] = foreign_markers(user)
            for key, spec in SCOPES.items():
                reachable = spec.reachable(user).values("pk")
                outside = spec.model.objects.exclude(pk__in=reachable).order_by("pk").first()
                inside = spec.model.objects.filter(pk__in=reachable).order_by("pk").first()
                self.foreign[role, key] = outside if outside is not None else _missing(spec.model)
                self.own[role, key] = inside if inside is not None else self.foreign[role, key]
                self.reaches_all[role, key] = outside is None

    def kwargs(self, role, params, *, own=False) -> dict:
        values = {}
        for kwarg, key in params.items():
            if own and isinstance(key, str) and key not in VALUES:
                values[kwarg] = self.own[role, key].pk
            elif isinstance(key, Own):
                values[kwarg] = self.own[role, key.key].pk
            elif key in VALUES:
                values[kwarg] = VALUES[key]
            else:
                values[kwarg] = self.foreign[role, key].pk
        return values


class _Missing:
    def __init__(self, pk):
        self.pk = pk
        self.code = f"NO-SUCH-{pk}"
        self.username = f"no-such-{pk}"


def _missing(model):
    """A record that does not exist: for a role that reaches every row, the only 'foreign' one."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return _Missing(last + 10_000)


@pytest.fixture(scope="module")
def matrix(demo_company, django_db_blocker):
    with django_db_blocker.unblock():
        return Matrix()


# --- the registry is complete -----------------------------------------------------------------


def test_every_route_is_declared():
    routes = url_routes()
    undeclared = sorted(name for name in routes if name not in ROUTES)
    assert not undeclared, (
        f"Routes not in the scope matrix: {undeclared}. Every new route must be added to the scope matrix: "
        "declare it in tests/ka_portal/scope_matrix.py ROUTES (format at the top of that module)."
    )
    stale = sorted(name for name, route in ROUTES.items() if name not in routes and not route.skip)
    assert not stale, f"Declared in the scope matrix but not in the URL configuration: {stale}"


def test_every_api_operation_is_declared():
    undeclared = sorted({name for name, _path, _method in api_operations() if name not in ROUTES})
    assert not undeclared, (
        f"API operations not in the scope matrix: {undeclared}. Every new route must be added to the scope "
        "matrix: declare it in tests/ka_portal/scope_matrix.py ROUTES."
    )


def test_declared_namespaces_are_closed_to_everyone_but_admins(matrix):
    for role in ROLES:
        response = matrix.pages[role].get(reverse("admin:index"))
        if role == "admin":
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], (NAMESPACES, role)


# --- the matrix -------------------------------------------------------------------------------

_OPERATIONS: dict[str, list[tuple[str, str]]] = {}


def _operations(name) -> list[tuple[str, str]]:
    if not _OPERATIONS:
        for route, path, method in api_operations():
            _OPERATIONS.setdefault(route, []).append((path, method))
    return _OPERATIONS.get(name, [])


def _is_api(name: str, pattern: str) -> bool:
    return pattern.startswith("api/")


def _cases():
    patterns = url_routes()
    for name in sorted(ROUTES):
        route = ROUTES[name]
        if route.skip or name not in patterns:
            continue
        yield pytest.param(name, id=name)


@pytest.mark.one_leg
@pytest.mark.parametrize("name", list(_cases()))
def test_scope_matrix(matrix, name):
    route = ROUTES[name]
    api = _is_api(name, url_routes()[name])
    problems: list[tuple[str, str, str, str]] = []  # (method, role, url, what)
    for role in ROLES[:1] if route.public else ROLES:  # a route without scope is the same for every role
        check = _Check(matrix, role, name, route, problems)
        url = reverse(name, kwargs=matrix.kwargs(role, route.params))
        if route.public:
            check.read(url, api=api)
            continue
        if check.foreign_in_url:  # the same route with records inside the scope: it names nothing outside
            check.read_own(reverse(name, kwargs=matrix.kwargs(role, route.params, own=True)), api=api)
        if api:
            for path, method in _operations(name):
                if method == "GET":
                    check.read(url, api=True)
                else:
                    check.write(url, method, api=True, fields=api_request_fields(path, method))
        else:
            check.read(url, api=False)
            if route.export:
                check.export(url)
            check.write(url, "POST", api=False)
    known = {(m, r) for (n, m, r), _why in KNOWN_SERVER_ERRORS.items() if n == name}
    unexpected = [p for p in problems if (p[0], p[1]) not in known]
    if problems and not unexpected:
        pytest.xfail("; ".join(KNOWN_SERVER_ERRORS[name, m, r] for m, r, _u, _w in problems))
    assert not unexpected, "\n".join(f"{m} {u} as {r}: {w}" for m, r, u, w in unexpected)


class _Check:
    def __init__(self, matrix, role, name, route, problems):
        self.matrix, self.role, self.name, self.route, self.problems = matrix, role, name, route, problems
        self.user = matrix.users[role]
        self.has_records = any(not isinstance(k, str) or k not in VALUES for k in route.params.values())
        self.foreign_in_url = any(isinstance(k, str) and k not in VALUES for k in route.params.values())

    def problem(self, method, url, what):
        self.problems.append((method, self.role, url, what))

    def _client(self, api):
        return self.matrix.api[self.role] if api else self.matrix.pages[self.role]

    def _leaks(self, method, url, text: str) -> None:
        markers = self.matrix.markers[self.role]
        found = markers.search(text) if markers else None
        if found:
            self.problem(method, url, f"names {found.group(0)!r}, outside the user's scope")

    def _call(self, method, url, *, api, data=None):
        client = self._client(api)
        with CaptureQueriesContext(connection) as queries:
            if method == "GET":
                response = client.get(url, data or {})
            elif api:
                response = getattr(client, method.lower())(url, data or {}, format="json")
            else:
                response = client.post(url, data or {})
        writes = [q["sql"][:120] for q in queries.captured_queries if WRITE.match(q["sql"]) and not _harmless(q["sql"])]
        return response, writes

    def read(self, url, *, api):
        response, writes = self._call("GET", url, api=api, data=self.route.query)
        status = response.status_code
        if status >= 500:
            return self.problem("GET", url, f"server error {status}")
        if writes:
            self.problem("GET", url, f"a read wrote: {writes[:2]}")
        body = _text(response)
        if self.foreign_in_url:
            if status not in REFUSED:
                self.problem("GET", url, f"a record outside the scope answered {status}, not 404/403")
        elif status == 200 and self.route.rows:
            self._rows("GET", url, response, api=api)
        if status >= 400 or status == 200:
            self._leaks("GET", url, body)

    def read_own(self, url, *, api):
        response, writes = self._call("GET", url, api=api)
        if response.status_code >= 500:
            return self.problem("GET", url, f"server error {response.status_code} on a record in scope")
        if writes:
            self.problem("GET", url, f"a read wrote: {writes[:2]}")
        if response.status_code == 200 or response.status_code >= 400:
            self._leaks("GET", url, _text(response))

    def _rows(self, method, url, response, *, api):
        spec = SCOPES[self.route.rows]
        reachable = spec.reachable(self.user)
        if api:
            data = response.json()
            items = data["results"] if isinstance(data, dict) else data
            ids = {item["id"] for item in items if isinstance(item, dict) and "id" in item}
        else:
            context = response.context
            paginator = context.get("paginator") if context is not None else None
            rows = paginator.object_list if paginator is not None else context.get("object_list")
            ids = set(rows.values_list("pk", flat=True)) if rows is not None else set()
        if ids and not spec.reachable(self.user).exists():
            self.problem(method, url, f"lists {len(ids)} rows to a role without their view permission")
            return
        outside = ids - set(reachable.filter(pk__in=ids).values_list("pk", flat=True))
        if outside:
            self.problem(method, url, f"lists {len(outside)} rows outside the user's scope: {sorted(outside)[:5]}")

    def export(self, url):
        spec = SCOPES[self.route.rows]
        if self.matrix.reaches_all[self.role, self.route.rows]:
            return  # nothing is outside this role's scope: the export cannot leak (and it is the biggest)
        response, writes = self._call("GET", url, api=False, data={**self.route.query, "export": "xlsx"})
        status = response.status_code
        if status >= 500:
            return self.problem("GET", url + "?export=xlsx", f"server error {status}")
        if writes:
            self.problem("GET", url + "?export=xlsx", f"an export wrote: {writes[:2]}")
        if status != 200:
            return
        # The workbook's XML as text (openpyxl's reader is ten times slower on the biggest exports): its rows
        # are counted and its strings searched for foreign codes and names.
        with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as book:
            parts = {name: book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml")}
        rows = sum(text.count("<row ") + text.count("<row>") for name, text in parts.items() if "worksheets/" in name)
        exported = rows - 1 - self.route.export_footer  # the header, a total row
        reachable = spec.reachable(self.user).count()
        if exported > reachable:
            self.problem("GET", url + "?export=xlsx", f"exports {exported} rows; the user reaches {reachable}")
        self._leaks("GET", url + "?export=xlsx", html.unescape("\n".join(parts.values())))

    def write(self, url, method, *, api, fields=None):
        data = self._body(api, fields)
        response, writes = self._call(method, url, api=api, data=data)
        status = response.status_code
        if status >= 500:
            return self.problem(method, url, f"server error {status}")
        if writes:
            self.problem(method, url, f"wrote with a foreign record: {writes[:2]}")
        if self.foreign_in_url and status not in REFUSED:
            self.problem(method, url, f"a record outside the scope answered {status}, not 404/403")
        elif api and status < 400 and status != 200:
            self.problem(method, url, f"a write with foreign references answered {status}")
        if status >= 400:
            self._leaks(method, url, _text(response))

    def _body(self, api, fields):
        """Every reference field of the body set to a record outside the user's scope."""
        body = {}
        names = fields.keys() if api else BODY_REFS.keys()
        for name in names:
            key = BODY_REFS.get(name)
            if key is None:
                continue
            record = self.matrix.foreign[self.role, key]
            kind = (fields or {}).get(name, {}).get("type") if api else "integer"
            if kind == "array":
                body[name] = [record.pk]
            elif kind == "string":
                body[name] = getattr(record, "code", None) or getattr(record, "username", None) or str(record.pk)
            else:
                body[name] = record.pk
        return body


def _harmless(sql: str) -> bool:
    return any(table in sql for table in NOT_WRITES)


def _text(response) -> str:
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type or "octet-stream" in content_type:
        return ""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    text = response.content.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


# --- ids that are no ids ------------------------------------------------------------------------

BAD_IDS = ["abc", "99999999999999999999"]  # not a number; beyond any integer column


def _bad_id_cases():
    patterns = url_routes()
    for name in sorted(ROUTES):
        route = ROUTES[name]
        if route.skip or route.public or name not in patterns or "pk" not in route.params:
            continue
        yield pytest.param(name, id=name)


@pytest.mark.one_leg
@pytest.mark.parametrize("name", list(_bad_id_cases()))
def test_an_id_that_is_no_id_is_not_found(matrix, name):
    """`/api/v1/visits/abc/check-out/` or a 20-digit id: 404 (403 without the permission), never a 500."""
    from django.urls import NoReverseMatch

    api = _is_api(name, url_routes()[name])
    methods = [method for _path, method in _operations(name)] if api else ["GET", "POST"]
    problems = []
    for role in ("rep1", "admin"):
        for bad in BAD_IDS:
            kwargs = {**matrix.kwargs(role, ROUTES[name].params, own=True), "pk": bad}
            try:
                url = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue  # the URL pattern itself refuses it (`<int:pk>`): the resolver answers 404
            for method in methods:
                client = matrix.api[role] if api else matrix.pages[role]
                if method == "GET":
                    response = client.get(url)
                elif api:
                    response = getattr(client, method.lower())(url, {}, format="json")
                else:
                    response = client.post(url, {})
                if response.status_code not in REFUSED:
                    problems.append((method, role, url, f"answered {response.status_code}, not 404"))
    known = {(m, r) for (n, m, r), _why in KNOWN_SERVER_ERRORS.items() if n == f"{name} (bad id)"}
    unexpected = [p for p in problems if (p[0], p[1]) not in known]
    if problems and not unexpected:
        pytest.xfail("; ".join(sorted({KNOWN_SERVER_ERRORS[f"{name} (bad id)", m, r] for m, r, _u, _w in problems})))
    assert not unexpected, "\n".join(f"{m} {u} as {r}: {w}" for m, r, u, w in unexpected)
