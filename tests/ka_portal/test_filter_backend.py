"""The API's filter backend (ka_portal.api.FilterBackend) builds no FilterSet for a list request that names none of
its filters (a phone paging through its visits), and still filters, and refuses, when one is named. A set with a
default of its own (the suggested orders in force now) answers the same without being built."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from contracts.filters import ContractFilter
from ka_portal.api import FilterBackend, _inert
from ka_portal.lists import StyledFilterSet
from tests.factories import ProductFactory, StoreFactory, make_user
from tests.visits.factories import SuggestedOrderFactory, VisitFactory
from visits.filters import SuggestedOrderFilter, VisitFilter
from visits.models import SuggestedOrder

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_visits_day_bounds_count_as_doing_nothing_without_a_value():
    assert _inert(VisitFilter)


def test_a_set_with_a_default_or_a_label_read_late_is_passed_by_and_one_that_filters_on_its_own_is_not():
    assert _inert(SuggestedOrderFilter)  # its filter_queryset ends in `unfiltered` (in force now)
    assert _inert(ContractFilter)  # the window's label is read when shown, not in an __init__

    class Own(StyledFilterSet):  # a filter_queryset of its own and no default said: built for every request
        class Meta:
            model = SuggestedOrder
            fields = ["flag"]

        def filter_queryset(self, queryset):
            return super().filter_queryset(queryset).current()

    assert not _inert(Own)


def _spy(monkeypatch) -> list:
    built = []
    original = FilterBackend.get_filterset

    def spy(self, request, queryset, view):
        filterset = original(self, request, queryset, view)
        built.append(type(filterset))
        return filterset

    monkeypatch.setattr(FilterBackend, "get_filterset", spy)
    return built


def test_suggested_orders_in_force_now_without_a_filterset_and_on_a_named_day_with_one(monkeypatch):
    supervisor = make_user(Role.SUPERVISOR, username="sup_filters")
    rep = make_user(Role.REP, username="rep_orders", supervisor=supervisor)
    store = StoreFactory(rep=rep)
    product = ProductFactory(packs_per_case=12)
    today = timezone.localdate()
    SuggestedOrderFactory(store=store, product=product, date=today - timedelta(days=3), suggested_packs=24)
    SuggestedOrderFactory(store=store, product=product, date=today - timedelta(days=1), suggested_packs=36)
    client = APIClient()
    client.force_authenticate(supervisor)
    built = _spy(monkeypatch)

    now = client.get("/api/v1/suggested-orders/")
    assert now.status_code == 200 and not built
    assert [row["suggested_packs"] for row in now.json()["results"]] == [36]  # the row in force, not its history

    before = client.get("/api/v1/suggested-orders/", {"date": (today - timedelta(days=2)).isoformat()})
    assert before.status_code == 200 and built == [SuggestedOrderFilter]
    assert [row["suggested_packs"] for row in before.json()["results"]] == [24]


def test_a_page_of_visits_builds_no_filterset_and_a_named_day_still_filters(monkeypatch):
    rep = make_user(Role.REP, username="rep_filters")
    store = StoreFactory(rep=rep)
    days = [date(2026, 11, 20) + timedelta(days=n) for n in range(4)]
    for day in days:
        VisitFactory(rep=rep, store=store, checked_in_at=datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI))
    client = APIClient()
    client.force_authenticate(rep)
    built = _spy(monkeypatch)

    paged = client.get("/api/v1/visits/", {"page": 1, "page_size": 2})
    assert paged.status_code == 200 and paged.json()["count"] == 4
    assert not built  # nothing named: no FilterSet

    since = client.get("/api/v1/visits/", {"since": "2026-11-22", "page_size": 50})
    assert since.status_code == 200 and since.json()["count"] == 2
    assert built == [VisitFilter]

    backwards = client.get("/api/v1/visits/", {"since": "2026-11-22", "until": "2026-11-21"})
    assert backwards.status_code == 400
