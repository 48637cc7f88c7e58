"""Every list endpoint of the API serves a page in a fixed number of queries.

The list endpoints are discovered from the API schema (drf-spectacular's generator, as the scope matrix does):
every GET operation whose view answers a page ({"count", "next", "previous", "results"}). Each is read by the
admin on the demo company with N rows and then with 3N rows of what it lists; the number of queries must be the
same. Where the demo holds fewer than 3N rows, the endpoint's builder in BUILDERS adds rows (by default a clone
of the rows the list already shows, see `clone_rows`); an endpoint with too few rows and no builder fails, so a
new list gets one. The per-app query-count tests keep their own, sharper counts; this one only says "no growth".
"""

import datetime
import re
import uuid

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_read_afresh")]


N = 3


def list_endpoints() -> list[tuple[str, str]]:
    """(route name, path) of every list operation in the API schema."""
    from tests.api_schema import api_schema

    schema = api_schema()
    found = []
    for path, methods in schema["paths"].items():
        operation = methods.get("get")
        if operation is None or "{" in path:
            continue
        response = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
        ref = response.get("schema", {}).get("$ref", "")
        component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}) if ref else {}
        if "results" in component.get("properties", {}):
            found.append((resolve(path).url_name, path))
        elif response.get("schema", {}).get("type") == "array":
            unpaged.append((resolve(path).url_name, path))
    return found


unpaged: list[tuple[str, str]] = []  # lists answered whole (a JSON array), filled by list_endpoints


ENDPOINTS = list_endpoints()
UNPAGED = list(unpaged)


def _view_queryset(path: str, user):
    """The queryset the list's view reads (its get_queryset with a request of the user)."""
    from rest_framework.test import APIRequestFactory, force_authenticate

    match = resolve(path)
    view = match.func.cls(**getattr(match.func, "initkwargs", {}))
    view.action_map = getattr(match.func, "actions", {}) or {}
    request = APIRequestFactory().get(path)
    force_authenticate(request, user)
    view.request = view.initialize_request(request)
    view.args, view.kwargs = (), {}
    view.format_kwarg = None
    view.action = "list"
    return view.get_queryset()


def _unique_value(field, value, i):
    if isinstance(field, models.UUIDField):
        return None if value is None else uuid.uuid4()
    if isinstance(field, (models.CharField, models.SlugField)):
        text = f"{value or ''}q{i}"
        return text[-field.max_length :] if field.max_length else text
    if isinstance(field, models.DateField):
        return (value or datetime.date(2020, 1, 1)) + datetime.timedelta(days=400 + i)
    if isinstance(field, models.IntegerField):
        return (value or 0) + 100000 + i
    return value


def _clone(row, i: int):
    """A copy of `row` saved as a new row: unique fields (and the last field of a unique-together or unique
    constraint) changed, a one-to-one target cloned too, many-to-many links copied."""
    opts = row._meta
    unique = {f.name for f in opts.concrete_fields if f.unique and not f.primary_key}
    for together in opts.unique_together:
        unique.add(together[-1])
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            unique.add(constraint.fields[-1])
    m2m = {f.name: list(getattr(row, f.name).all()) for f in opts.many_to_many}
    row = type(row)._base_manager.get(pk=row.pk)
    row.pk = row.id = None
    row._state.adding = True
    for name in unique:
        field = opts.get_field(name)
        if field.is_relation:
            target = getattr(row, name)
            if target is not None:
                setattr(row, name, _clone(target, i))
        else:
            setattr(row, field.attname, _unique_value(field, getattr(row, field.attname), i))
    row.save(force_insert=True)
    for name, values in m2m.items():
        getattr(row, name).set(values)
    return row


def clone_rows(queryset, count: int) -> None:
    """`count` copies of the rows the list already shows (see `_clone`)."""
    base = list(queryset.model._base_manager.filter(pk__in=queryset.values("pk")).order_by("pk")[:count])
    assert base, f"{queryset.model.__name__}: nothing to clone; give the endpoint a builder"
    for i in range(count):
        _clone(base[i % len(base)], i)


# --- builders: route name → builder(admin, count) adding `count` rows; returns the user to call as (None:
# the admin). Only for lists whose demo rows are too few and cannot be cloned.


def _import_jobs(admin, count):
    from imports.models import ImportJob

    for i in range(count):
        ImportJob.objects.create(kind="stores", user=admin, file_name=f"q{i}.xlsx", status=ImportJob.Status.DONE)


def _promoter_world(count):
    from accounts.roles import Role
    from tests.factories import ProductFactory, StoreFactory, make_user
    from tests.promoters.factories_phone import SellOutLineFactory, ShiftFactory, promoter_user

    supervisor = make_user(Role.SUPERVISOR)
    store = StoreFactory()
    user, promoter = promoter_user(supervisor, stores=[store])
    shifts = [ShiftFactory(promoter=promoter, store=store, day=datetime.date(2026, 3, 1 + i)) for i in range(count)]
    for shift in shifts:
        SellOutLineFactory(shift=shift, product=ProductFactory())
    return user


def _my_shifts(admin, count):
    return _promoter_world(count)


def _sell_out_lines(admin, count):
    _promoter_world(count)


def _remittances(admin, count):
    from contracts.models import Payment
    from tests.factories import KeyAccountFactory
    from tradespend.models import Remittance

    account = KeyAccountFactory()
    for i in range(count):
        payment = Payment.objects.create(account=account, date=datetime.date(2026, 3, 1), amount=100, reference=f"R{i}")
        Remittance.objects.create(
            account=account, date=payment.date, reference=f"R{i}", cash=100, payment=payment, recorded_by=admin
        )


def _closed_months(admin, count):
    """Months long before the demo's (it closes every month from its first record on)."""
    from tradespend.models import ClosedMonth

    for i in range(count):
        ClosedMonth.objects.create(month=datetime.date(2010 + i // 12, 1 + i % 12, 1), closed_by=admin)


BUILDERS: dict = {
    "closed-month-list": _closed_months,
    "api-import-jobs": _import_jobs,
    "my-shifts": _my_shifts,
    "sell-out-line-list": _sell_out_lines,
    "remittance-list": _remittances,
}

# Paged reports (aggregates, not records: their own query counts are in tests/analytics and tests/contracts,
# and issue 17 item 4 measures them): the query string each needs, or None where the report pages something
# other than rows (the reason beside it). Every paged report must be named here.
REPORTS: dict = {
    "api-account-performance": None,  # one row per account for a range of months: tests/analytics
    "api-store-pnl": None,  # one account's stores, the account required: tests/analytics/test_store_pnl.py
    "api-competitor-summary": None,  # groups, not pages of rows: tests/analytics
    "report-promoter-appraisal": None,  # promoters' figures for a month: tests/promoters/test_appraisal_report.py
}


@pytest.fixture(scope="module")
def admin(demo_company, django_db_blocker):
    from django.contrib.auth import get_user_model

    with django_db_blocker.unblock():
        return get_user_model().objects.get(username="admin")


def _count_queries(client, path, params) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return len(response.json()["results"]), len(queries), [q["sql"] for q in queries.captured_queries]


def test_every_list_endpoint_is_found():
    names = {name for name, _path in ENDPOINTS}
    assert {"store-list", "visit-list", "product-list", "closed-month-list"} <= names
    assert {"promotion-type-list"} <= {name for name, _path in UNPAGED}
    assert len(ENDPOINTS) >= 30


def _client_with_rows(name: str, path: str, params: dict, admin) -> APIClient:
    """A client of a user who sees at least 3N rows of the list: the demo's, else rows its builder or a clone adds."""
    client = APIClient()
    client.force_authenticate(admin)
    shown, _n, _sql = _count_queries(client, path, {**params, "page_size": 3 * N})
    if shown < 3 * N:
        builder = BUILDERS.get(name)
        if builder is not None:
            client.force_authenticate(builder(admin, 3 * N - shown) or admin)
        elif _view_queryset(path, admin).exists():
            clone_rows(_view_queryset(path, admin), 3 * N - shown)
        else:
            pytest.fail(f"{name}: the demo holds {shown} rows and none to clone; add a builder to BUILDERS")
    return client


@pytest.mark.parametrize(("name", "path"), ENDPOINTS, ids=[name for name, _ in ENDPOINTS])
def test_list_queries_do_not_grow_with_rows(name, path, admin):
    """A page of 3N rows costs no more queries than the dearest of its three N-row slices (pages 1–3 of
    size N): a query per row would cost 2N more; a query that only some rows need (one lookup for them all)
    shows in the slice holding such a row as well."""
    params = {}
    if name in REPORTS:
        if REPORTS[name] is None:
            pytest.skip(f"{name}: a report, not a list of rows (see REPORTS)")
        params = dict(REPORTS[name])
    client = _client_with_rows(name, path, params, admin)
    slices = [_count_queries(client, path, {**params, "page_size": N, "page": page}) for page in (1, 2, 3)]
    many, many_queries, many_sql = _count_queries(client, path, {**params, "page_size": 3 * N})
    assert [rows for rows, _q, _s in slices] == [N, N, N] and many == 3 * N, f"{name}: too few rows"
    dearest = max(queries for _r, queries, _s in slices)
    assert many_queries <= dearest, (
        f"{name}: {dearest} queries for {N} rows, {many_queries} for {3 * N}:\n"
        + "\n".join(re.sub(r"\s+", " ", sql)[:300] for sql in many_sql)
    )


@pytest.mark.parametrize(("name", "path"), ENDPOINTS, ids=[name for name, _ in ENDPOINTS])
def test_a_cursor_walks_each_list_as_its_numbered_pages_read_it(name, path, admin):
    """?cursor= (ka_portal/keyset.py): the list's first 3N rows walked N at a time are its first numbered page of 3N,
    row for row, each cursor page in the same statements, none of them a count."""
    if REPORTS.get(name, {}) is None:
        pytest.skip(f"{name}: a report, not a list of rows (see REPORTS)")
    params = dict(REPORTS.get(name) or {})
    client = _client_with_rows(name, path, params, admin)
    numbered = client.get(path, {**params, "page_size": 3 * N}).json()["results"]
    walked, statements, following = [], [], None
    for _page in range(3):
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(following) if following else client.get(path, {**params, "page_size": N, "cursor": ""})
        assert answer.status_code == 200, (name, answer.content[:300])
        walked += answer.json()["results"]
        following = answer.json()["next"]
        statements.append([q["sql"] for q in queries.captured_queries])
    assert walked == numbered, name
    assert len({len(sqls) for sqls in statements}) == 1, (name, [len(sqls) for sqls in statements])
    assert not any(re.search(r"SELECT COUNT\(\*\)", sql) for sqls in statements for sql in sqls), name


@pytest.mark.parametrize(("name", "path"), UNPAGED, ids=[name for name, _ in UNPAGED])
def test_whole_lists_do_not_grow_with_rows(name, path, admin):
    """A list answered whole (no pages): the same queries with its rows and with twice as many more."""
    client = APIClient()
    client.force_authenticate(admin)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    rows = len(response.json())
    queryset = _view_queryset(path, admin)
    if not rows:
        if name not in BUILDERS:
            pytest.fail(f"{name}: the demo holds no rows; add a builder to BUILDERS")
        BUILDERS[name](admin, N)
        rows = len(client.get(path).json())
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    if name in BUILDERS:  # rows a copy cannot make (one closed month per month, which the demo's closes hold)
        BUILDERS[name](admin, 2 * rows)
    else:
        clone_rows(queryset, 2 * rows)
    with CaptureQueriesContext(connection) as many:
        response = client.get(path)
    assert len(response.json()) == 3 * rows
    assert len(many) == len(few), f"{name}: {len(few)} queries for {rows} rows, {len(many)} for {3 * rows}"
