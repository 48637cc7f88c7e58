"""A list page written from values() rows (ka_portal/values_pages.py) is the page DRF's serializer writes, byte for
byte: every list endpoint whose view takes that path is read on the demo company by each role, in English and in
Chinese, as a first page, a page of 500 and a later page, both ways, and the answers compared."""

import pytest
from django.urls import resolve
from rest_framework.test import APIClient

import ka_portal.values_pages as values_pages
from ka_portal.values_pages import ValuesPageMixin

from .test_api_list_queries import ENDPOINTS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_read_afresh")]

USERS = ("admin", "manager1", "supervisor1", "rep1", "finance1")
PAGES = ({}, {"page_size": 500}, {"page": 2, "page_size": 7})
# The lists issue 17 measures, which must take the path (a serializer change that sends one back to DRF's
# instance-by-instance path shows here, not only in bench/api.py).
TAKING = {
    "store-list",
    "visit-list",
    "account-list",
    "product-list",
    "listing-list",
    "delivery-list",
    "task-list",
    "invoice-list",
}
VALUES_LISTS = [(name, path) for name, path in ENDPOINTS if issubclass(resolve(path).func.cls, ValuesPageMixin)]


@pytest.fixture(scope="module")
def people(demo_company, django_db_blocker):
    from django.contrib.auth import get_user_model

    with django_db_blocker.unblock():
        return {user.username: user for user in get_user_model().objects.filter(username__in=USERS)}


def test_the_lists_issue_17_measures_take_the_values_path(people, monkeypatch):
    taken = set()
    plan_for = values_pages._plan_for

    def spy(serializer_class, queryset):
        plan = plan_for(serializer_class, queryset)
        if plan is not None:
            taken.add(serializer_class)
        return plan

    monkeypatch.setattr(values_pages, "_plan_for", spy)
    client = APIClient()
    client.force_authenticate(people["admin"])
    for name, path in VALUES_LISTS:
        if name in TAKING:
            taken.clear()
            assert client.get(path).status_code == 200
            assert taken, f"{name} no longer takes the values path"
    assert {name for name, _path in VALUES_LISTS} >= TAKING


@pytest.mark.parametrize(("name", "path"), VALUES_LISTS, ids=[name for name, _ in VALUES_LISTS])
def test_a_values_page_is_the_serializers_page_byte_for_byte(name, path, people, monkeypatch):
    client = APIClient()
    compared = 0
    for username in USERS:
        client.force_authenticate(people[username])
        for language in ("en", "zh-hans"):
            for params in PAGES:
                monkeypatch.setattr(ValuesPageMixin, "values_page", True)
                rows = client.get(path, params, HTTP_ACCEPT_LANGUAGE=language)
                monkeypatch.setattr(ValuesPageMixin, "values_page", False)
                instances = client.get(path, params, HTTP_ACCEPT_LANGUAGE=language)
                assert (rows.status_code, rows.content) == (instances.status_code, instances.content), (
                    f"{name} as {username} in {language} with {params}"
                )
                compared += rows.status_code == 200 and bool(rows.json().get("results"))
    assert compared, f"{name}: no user saw a row of it"
