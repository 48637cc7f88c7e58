"""The API's filter backend (ka_portal.api.FilterBackend) builds no FilterSet for a list request that names none of
its filters (a phone paging through its visits), and still filters, and refuses, when one is named."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from ka_portal.api import FilterBackend, _inert
from tests.factories import StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.filters import VisitFilter

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_visits_day_bounds_count_as_doing_nothing_without_a_value():
    assert _inert(VisitFilter)


def test_a_page_of_visits_builds_no_filterset_and_a_named_day_still_filters(monkeypatch):
    rep = make_user(Role.REP, username="rep_filters")
    store = StoreFactory(rep=rep)
    days = [date(2026, 11, 20) + timedelta(days=n) for n in range(4)]
    for day in days:
        VisitFactory(rep=rep, store=store, checked_in_at=datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI))
    client = APIClient()
    client.force_authenticate(rep)
    built = []
    original = FilterBackend.get_filterset

    def spy(self, request, queryset, view):
        filterset = original(self, request, queryset, view)
        built.append(type(filterset))
        return filterset

    monkeypatch.setattr(FilterBackend, "get_filterset", spy)

    paged = client.get("/api/v1/visits/", {"page": 1, "page_size": 2})
    assert paged.status_code == 200 and paged.json()["count"] == 4
    assert not built  # nothing named: no FilterSet

    since = client.get("/api/v1/visits/", {"since": "2026-11-22", "page_size": 50})
    assert since.status_code == 200 and since.json()["count"] == 2
    assert built == [VisitFilter]

    backwards = client.get("/api/v1/visits/", {"since": "2026-11-22", "until": "2026-11-21"})
    assert backwards.status_code == 400
