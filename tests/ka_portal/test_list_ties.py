"""Every list answers rows that tie on its sort keys in one order, by id, from one request to the next.

On PostgreSQL a row rewritten in place (an UPDATE writes a new tuple) moved among the rows it tied with, so a page
boundary between them skipped one and repeated another (ka_portal/ordering.py). The behavioural tests below fail
that way on PostgreSQL without the tie-breaker; the structural ones hold every list, API and page, to ending its
order with a unique key, whatever the sort chosen.
"""

import datetime

import pytest
from django.db.models import QuerySet
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.roles import Role
from ka_portal.lists import FilteredListView
from promotions.models import PromotionPlan
from tests.factories import make_user
from tests.promotions.factories import PromotionPlanFactory
from tests.visits.factories import RoutePlanFactory
from visits.models import RoutePlan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_read_afresh")]

WEEK = datetime.date(2026, 6, 1)


def _ids_page_by_page(client, path, params, count, key="id"):
    """The ids of `count` rows read one page of one row at a time."""
    ids = []
    for page in range(1, count + 1):
        answer = client.get(path, {**params, "page_size": 1, "page": page})
        assert answer.status_code == 200, answer.content
        ids += [row[key] for row in answer.json()["results"]]
    return ids


def _rewrite(row, **fields):
    """An UPDATE of the row: on PostgreSQL its new version lands after the rows it tied with."""
    type(row).objects.filter(pk=row.pk).update(**fields)


def test_route_plans_of_one_week_stay_in_id_order_when_one_is_rewritten(api_client, admin_user):
    # Given three reps' plans for the same week (the list's only key, -week_start, ties)
    plans = [RoutePlanFactory(rep=make_user(Role.REP), week_start=WEEK) for _ in range(3)]
    api_client.force_authenticate(admin_user)
    expected = sorted((p.pk for p in plans), reverse=True)  # descending, as the week is
    assert _ids_page_by_page(api_client, "/api/v1/routes/", {}, 3) == expected
    # When the first of them is rewritten in place
    _rewrite(plans[-1], status=RoutePlan.Status.DRAFT)
    _rewrite(plans[-1], status=RoutePlan.Status.PUBLISHED)
    # Then every page still shows the same plan
    assert _ids_page_by_page(api_client, "/api/v1/routes/", {}, 3) == expected


def test_route_plan_page_keeps_tied_weeks_in_order(client, admin_user):
    # Given two plans of one week: the page orders them by rep, then by id
    plans = [RoutePlanFactory(rep=make_user(Role.REP, username=f"r{i}"), week_start=WEEK) for i in range(2)]
    client.force_login(admin_user)
    _rewrite(plans[0], status=RoutePlan.Status.DRAFT)
    # When the list is read
    listed = list(client.get(reverse("visits:route-list")).context["object_list"])
    # Then by the rep's name, as before
    assert [p.pk for p in listed] == [p.pk for p in plans]


@pytest.mark.parametrize(
    ("params", "descending"),
    [
        ({"ordering": "start_on"}, False),
        ({"ordering": "-start_on"}, True),
        ({"ordering": "total_cost"}, False),
        ({}, False),  # the default: -start_on, then id
    ],
    ids=["ordering", "ordering-desc", "cost", "default"],
)
def test_promotions_sorted_by_a_tied_key_stay_in_id_order(api_client, admin_user, params, descending):
    # Given three plans starting the same day at the same cost
    start = datetime.date(2026, 7, 1)
    plans = PromotionPlanFactory.create_batch(3, start_on=start, end_on=start + datetime.timedelta(days=6))
    api_client.force_authenticate(admin_user)
    expected = sorted((p.pk for p in plans), reverse=descending)
    assert _ids_page_by_page(api_client, "/api/v1/promotions/", params, 3) == expected
    # When the earliest is rewritten in place (a title corrected)
    _rewrite(plans[0], title="改名")
    # Then the pages answer them in the same order
    assert _ids_page_by_page(api_client, "/api/v1/promotions/", params, 3) == expected


def test_promotion_page_sorted_by_start_keeps_id_order(client, admin_user):
    start = datetime.date(2026, 7, 1)
    plans = PromotionPlanFactory.create_batch(3, start_on=start, end_on=start + datetime.timedelta(days=6))
    client.force_login(admin_user)
    _rewrite(plans[0], status=PromotionPlan.Status.SUBMITTED)
    listed = client.get(reverse("promotions:plan-list"), {"o": "-start_on"}).context["object_list"]
    assert [p.pk for p in listed] == sorted((p.pk for p in plans), reverse=True)


# --- every list: its order ends with a unique key ----------------------------------------------------------


def _total(queryset) -> bool:
    """Whether the queryset's order names the primary key or a unique, non-null field of its model."""
    model = queryset.model
    query = queryset.query
    ordering = query.order_by or (query.default_ordering and model._meta.ordering) or ()
    for item in ordering:
        name = item.lstrip("-") if isinstance(item, str) else getattr(getattr(item, "expression", None), "name", "")
        if name in ("pk", model._meta.pk.name):
            return True
        field = next((f for f in model._meta.concrete_fields if f.name == name), None)
        if field is not None and field.unique and not field.null:
            return True
    return False


def _api_lists():
    from tests.ka_portal.test_api_list_queries import ENDPOINTS, REPORTS, UNPAGED

    return [(name, path) for name, path in ENDPOINTS + UNPAGED if name not in REPORTS]


def _api_queryset(path, user, params):
    from rest_framework.test import APIRequestFactory, force_authenticate

    match = resolve(path)
    view = match.func.cls(**getattr(match.func, "initkwargs", {}))
    view.action_map = getattr(match.func, "actions", {}) or {}
    request = APIRequestFactory().get(path, params)
    force_authenticate(request, user)
    view.request = view.initialize_request(request)
    view.args, view.kwargs = (), {}
    view.format_kwarg = None
    view.action = "list"
    return view, view.filter_queryset(view.get_queryset())


@pytest.mark.parametrize(("name", "path"), _api_lists(), ids=[name for name, _ in _api_lists()])
def test_every_api_list_orders_by_a_unique_key_last(admin_user, name, path):
    view, queryset = _api_queryset(path, admin_user, {})
    assert _total(queryset), f"{path}: {queryset.query.order_by or queryset.model._meta.ordering} can tie"
    for field in getattr(view, "ordering_fields", None) or []:
        if field == "__all__":
            continue
        for sort in (field, f"-{field}"):
            _view, chosen = _api_queryset(path, admin_user, {"ordering": sort})
            assert _total(chosen), f"{path}?ordering={sort}: {chosen.query.order_by} can tie"


def _page_views():
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern.url_patterns, namespace)
            elif isinstance(pattern, URLPattern):
                cls = getattr(pattern.callback, "view_class", None)
                if cls is not None and issubclass(cls, FilteredListView) and not pattern.pattern.converters:
                    found.append((f"{prefix}{pattern.name}", cls))

    walk(get_resolver().url_patterns, "")
    return found


PAGES = _page_views()


def test_the_page_lists_are_found():
    assert {"visits:route-list", "promotions:plan-list", "stores:store-list"} <= {name for name, _ in PAGES}


def _sorts(cls) -> list[str]:
    """The `o` values the page's filterset offers (its sortable columns), both ways."""
    filterset = getattr(cls, "filterset_class", None)
    sort = filterset.base_filters.get("o") if filterset is not None else None
    if sort is None:
        return []
    return [value for value, _label in sort.extra["choices"]]


@pytest.mark.parametrize(("name", "cls"), PAGES, ids=[name for name, _ in PAGES])
def test_every_list_page_orders_by_a_unique_key_last(admin_user, name, cls):
    for params in [{}, *({"o": sort} for sort in _sorts(cls))]:
        request = RequestFactory().get(reverse(name), params)
        request.user = admin_user
        view = cls()
        view.setup(request)
        queryset = view.get_queryset()
        queryset = queryset if isinstance(queryset, QuerySet) else queryset.queryset  # a page's row wrapper
        assert _total(queryset), f"{name} {params}: {queryset.query.order_by or queryset.model._meta.ordering}"
