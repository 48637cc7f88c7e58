"""?search= does what the schema says on every list: it searches as the list's `q` (or its own search fields), or
the list does not offer it and refuses it (400 naming `search`). DRF's backend served the whole list for any term
where a view named no search fields: ?search=LH-004 on stores answered all of a rep's stores."""

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.api_schema import api_schema
from tests.factories import StoreFactory, make_user
from tests.ka_portal.test_list_ties import _api_lists
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db
LISTS = _api_lists()
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _offers_search() -> dict[str, bool]:
    schema = api_schema()
    return {
        path: any(p["name"] == "search" for p in schema["paths"][path]["get"].get("parameters", []))
        for _name, path in LISTS
    }


OFFERS = _offers_search()


@pytest.fixture
def admin_api():
    client = APIClient()
    client.force_authenticate(make_user(Role.ADMIN, username="admin_search", is_superuser=True, is_staff=True))
    return client


def test_the_stores_and_visits_lists_search_as_their_q_does(api_client):
    rep = make_user(Role.REP, username="rep_search")
    wanted = StoreFactory(rep=rep, code="LH-004", name="联华四店")
    other = StoreFactory(rep=rep, code="WM-001", name="沃尔玛一店")
    VisitFactory(store=wanted, rep=rep)
    VisitFactory(store=other, rep=rep)
    api_client.force_authenticate(rep)
    stores = api_client.get("/api/v1/stores/", {"search": "LH-004"}).json()
    assert [row["code"] for row in stores["results"]] == ["LH-004"]
    assert api_client.get("/api/v1/stores/", {"q": "LH-004"}).status_code == 400  # the page's name, not the API's
    visits = api_client.get("/api/v1/visits/", {"search": "LH-004"}).json()
    assert [row["store"] for row in visits["results"]] == ["LH-004"]
    assert api_client.get("/api/v1/stores/", {"search": "不存在"}).json()["count"] == 0


def test_a_list_without_search_does_not_offer_it_and_refuses_it(admin_api):
    assert OFFERS["/api/v1/deliveries/"] is False and OFFERS["/api/v1/stores/"] is True
    response = admin_api.get("/api/v1/deliveries/", {"search": "LH-004"}, **EN)
    assert response.status_code == 400
    assert response.json()["errors"]["search"] == [
        "This list takes no parameter “search”: it takes account, cursor, date_from, date_to, format, ordering, page, "
        "page_size, product, reference, store, updated_since."
    ]
    assert admin_api.get("/api/v1/deliveries/", {"search": ""}).status_code == 200  # an empty box asks nothing


@pytest.mark.one_leg
@pytest.mark.parametrize(("name", "path"), LISTS, ids=[name for name, _ in LISTS])
def test_every_list_searches_as_its_schema_says(admin_api, name, path):
    response = admin_api.get(path, {"search": "zzq不存在9"}, **EN)
    if OFFERS[path]:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert (body["count"] if isinstance(body, dict) and "count" in body else len(body.get("results", body))) == 0
    else:
        assert response.status_code == 400 and "search" in response.json()["errors"]
