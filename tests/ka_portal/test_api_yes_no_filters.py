"""Yes/no list filters and the page size read strictly (supervisor walk, item 5): `?far_from_store=no` filters for
"not far" (true/false, 1/0, yes/no in any case), and a value that is no yes or no is a 400 naming the filter, never
the whole list as if nothing had been asked. The rule is the FilterSets' one field (ka_portal.lists.YesNoField), so
every list takes it, page and API. A page size of 0 or below is a 400; above the cap it is the cap."""

import re

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.roles import Role
from ka_portal.lists import StyledFilterSet, YesNoField
from stores.models import Store
from tests.factories import StoreFactory, make_user
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

FILTERS = [
    ("accounts", "active"),
    ("stores", "active"),
    ("stores", "stock_count_stale"),
    ("listings", "active"),
    ("products", "active"),
    ("suggested-orders", "flagged"),
    ("suggested-orders", "to_order"),
    ("tasks", "overdue"),
    ("visits", "far_from_store"),
    ("visits", "flagged"),
    ("contact-logs", "follow_up_done"),
]


@pytest.fixture
def admin_api():
    client = APIClient()
    client.force_authenticate(make_user(Role.ADMIN, username="admin_yes_no", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def far_and_near(admin_api):
    rep = make_user(Role.REP, username="rep_yes_no")
    store = StoreFactory(rep=rep)
    VisitFactory(rep=rep, store=store, far_from_store=True, distance_m=900)
    VisitFactory.create_batch(2, rep=rep, store=store, far_from_store=False, distance_m=20)
    return admin_api


@pytest.mark.parametrize(("resource", "name"), FILTERS)
@pytest.mark.parametrize("value", ["zzz", "maybe", "2"])
def test_a_value_that_is_no_yes_or_no_is_refused_naming_the_filter(admin_api, resource, name, value):
    response = admin_api.get(f"/api/v1/{resource}/", {name: value}, **EN)

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == [name]
    assert body["detail"] == f"“{value}” is not yes or no: give true or false (or 1/0, yes/no)."


@pytest.mark.parametrize(
    ("value", "count"),
    [("true", 1), ("True", 1), ("1", 1), ("yes", 1), ("YES", 1), ("false", 2), ("0", 2), ("no", 2), ("No", 2), ("", 3)],
)
def test_the_common_spellings_of_yes_and_no_filter_alike(far_and_near, value, count):
    response = far_and_near.get("/api/v1/visits/", {"far_from_store": value})

    assert response.status_code == 200
    assert response.json()["count"] == count


def test_the_visits_page_reads_the_filter_as_the_api_does(client, far_and_near):
    client.force_login(get_user_model().objects.get(username="admin_yes_no"))

    near = client.get(reverse("visits:visit-list"), {"far_from_store": "no"}, **EN)
    wrong = client.get(reverse("visits:visit-list"), {"far_from_store": "zzz"}, **EN)

    assert near.status_code == 200 and len(near.context["object_list"]) == 2
    assert "is not yes or no" in wrong.content.decode() and not wrong.context["object_list"]


@pytest.mark.parametrize("size", ["0", "-1", "ten", "1.5"])
def test_a_page_size_below_one_or_not_a_number_is_refused_naming_it(far_and_near, size):
    response = far_and_near.get("/api/v1/visits/", {"page_size": size}, **EN)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == ["page_size"]
    assert "is not a page size" in body["detail"]


@pytest.mark.parametrize(("size", "shown"), [("1", 1), ("5000", 3), ("", 3)])
def test_a_page_size_above_the_cap_is_the_cap(far_and_near, size, shown):
    response = far_and_near.get("/api/v1/visits/", {"page_size": size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == shown


# --- one select per yes/no filter: the field's, worded by the filter ---------------------------------------------


def _select(page: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)


def _options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)


def test_a_yes_no_filter_s_select_reads_its_own_words_in_both_languages(client):
    client.force_login(make_user(Role.ADMIN, username="admin_yes_no_words", is_superuser=True, is_staff=True))

    english = client.get(reverse("stores:store-list"), **EN).content.decode()
    chinese = client.get(reverse("stores:store-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert _options(_select(english, "active")) == [("", "All"), ("true", "Active only"), ("false", "Inactive only")]
    assert _options(_select(english, "stock_count_stale")) == [("", "All"), ("true", "Yes"), ("false", "No")]
    assert [label for _value, label in _options(_select(chinese, "active"))] == ["全部", "仅启用", "仅停用"]


def test_a_model_s_yes_no_field_named_in_meta_gets_the_same_select_and_reading():
    # Given a FilterSet naming a model's boolean in Meta.fields (StyledFilterSet.FILTER_DEFAULTS: YesNoFilter)
    class ActiveStores(StyledFilterSet):
        class Meta:
            model = Store
            fields = ["active"]

    # When it reads "no" and "zzz"
    no, wrong = ActiveStores({"active": "no"}), ActiveStores({"active": "zzz"})

    # Then the one select of YesNoField (All / Yes / No), "no" is no and "zzz" is refused naming the filter
    with translation.override("en"):
        assert _options(str(no.form["active"])) == [("", "All"), ("true", "Yes"), ("false", "No")]
        assert no.is_valid() and no.form.cleaned_data["active"] is False
        assert not wrong.is_valid() and "is not yes or no" in wrong.errors["active"][0]


def test_the_field_words_its_select_itself():
    field = YesNoField(yes="Open only", no="Closed only")

    assert isinstance(field.widget, forms.Select) and not isinstance(field.widget, forms.NullBooleanSelect)
    assert [(value, str(label)) for value, label in field.widget.choices][1:] == [
        ("true", "Open only"),
        ("false", "Closed only"),
    ]
