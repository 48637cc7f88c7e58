"""Every API list reads ?ordering= strictly: a sort key the list takes (and its "-" form, comma-separated) orders
it, and anything else is a 400 naming the parameter and the keys it takes, never the default order served as if it
had been asked for. The rule is the API's one ordering backend (ka_portal.api.OrderingFilter), so every list takes
it; the schema lists the same keys, which is what a client reads to choose one."""

import datetime
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve, reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from ka_portal.api import OrderingFilter, _listed_model
from ka_portal.ordering import order_key
from stores.api import StoreViewSet
from stores.models import Store
from tests.api_schema import api_schema
from tests.factories import ContactFactory, KeyAccountFactory, StoreFactory, make_user
from tests.ka_portal.test_list_ties import PAGES, _api_lists, _sorts
from tests.visits.factories import VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_read_afresh")]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LISTS = _api_lists()


def _schema_sorts() -> dict[str, list[str]]:
    """Each list path's ?ordering= values as the API schema states them."""
    schema = api_schema()
    sorts = {}
    for path, _name in ((path, name) for name, path in LISTS):
        parameters = schema["paths"][path]["get"].get("parameters", [])
        ordering = next((p for p in parameters if p["name"] == "ordering"), None)
        sorts[path] = ordering["schema"]["items"]["enum"] if ordering else []
    return sorts


SORTS = _schema_sorts()


@pytest.fixture
def admin_api():
    client = APIClient()
    client.force_authenticate(make_user(Role.ADMIN, username="admin_ordering", is_superuser=True, is_staff=True))
    return client


def test_every_list_states_its_sorts_in_the_schema():
    assert len(LISTS) > 30
    assert {path for path, sorts in SORTS.items() if not sorts} == set()
    assert SORTS["/api/v1/stores/"] == ["code", "-code", "name", "-name", "grade", "-grade", "city", "-city"]


@pytest.mark.one_leg
@pytest.mark.parametrize(("name", "path"), LISTS, ids=[name for name, _ in LISTS])
def test_an_unknown_sort_is_refused_naming_the_parameter_and_the_sorts(admin_api, name, path):
    response = admin_api.get(path, {"ordering": "bogus"}, **EN)

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == ["ordering"]
    keys = [sort for sort in SORTS[path] if not sort.startswith("-")]
    assert body["detail"] == (
        f"“bogus” is not a sort of this list: give one of {', '.join(keys)} (a leading - sorts the other way)."
    )


@pytest.mark.one_leg
@pytest.mark.parametrize(("name", "path"), LISTS, ids=[name for name, _ in LISTS])
def test_every_sort_the_schema_states_is_taken(admin_api, name, path):
    for sort in SORTS[path]:
        response = admin_api.get(path, {"ordering": sort})
        assert response.status_code == 200, f"{path}?ordering={sort}: {response.content[:300]}"
    assert admin_api.get(path, {"ordering": ",".join(SORTS[path][:2])}).status_code == 200


@pytest.mark.parametrize("ordering", ["-name ", "name,bogus", "Name", "--name", "name;drop", "checked_in_at"], ids=repr)
def test_a_sort_with_one_unknown_key_is_refused_naming_it(admin_api, ordering):
    response = admin_api.get("/api/v1/stores/", {"ordering": ordering}, **EN)

    unknown = ordering.split(",")[-1].strip()
    if unknown == "-name":
        assert response.status_code == 200  # spaces around a key are no part of it
        return
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"“{unknown}” is not a sort of this list: give one of code, name,")


@pytest.mark.parametrize("ordering", ["", " ", ","])
def test_no_sort_asked_is_the_list_s_own_order(admin_api, ordering):
    StoreFactory(code="S2")
    StoreFactory(code="S1")

    response = admin_api.get("/api/v1/stores/", {"ordering": ordering})

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["S1", "S2"]


def test_a_known_sort_orders_the_list_either_way(admin_api):
    rep = make_user(Role.REP, username="rep_ordering")
    store = StoreFactory(rep=rep)
    days = [datetime.datetime(2026, 11, d, 9, tzinfo=datetime.UTC) for d in (3, 1, 2)]
    for day in days:
        VisitFactory(rep=rep, store=store, checked_in_at=day)

    up = admin_api.get("/api/v1/visits/", {"ordering": "checked_in_at"}).json()["results"]
    down = admin_api.get("/api/v1/visits/", {"ordering": "-checked_in_at"}).json()["results"]

    assert [row["checked_in_at"][:10] for row in up] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert [row["checked_in_at"][:10] for row in down] == ["2026-11-03", "2026-11-02", "2026-11-01"]


def test_a_list_naming_no_sorts_takes_only_its_own_order(admin_api):
    # Contacts name no ordering_fields: their own order (account, then name) is all they sort by; a column the list
    # shows (notes, interests) or keeps (id) is no sort, as on every other list
    account = KeyAccountFactory()
    for name in ("Wang", "Li", "Zhao"):
        ContactFactory(account=account, name=name)

    by_name = admin_api.get("/api/v1/contacts/", {"ordering": "-name"}, **EN)
    notes = admin_api.get("/api/v1/contacts/", {"ordering": "notes"}, **EN)

    assert [row["name"] for row in by_name.json()["results"]] == ["Zhao", "Wang", "Li"]
    assert SORTS["/api/v1/contacts/"] == ["account", "-account", "name", "-name"]
    assert notes.status_code == 400
    assert notes.json()["errors"] == {
        "ordering": ["“notes” is not a sort of this list: give one of account, name (a leading - sorts the other way)."]
    }


def _columns(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields]


@pytest.mark.one_leg
@pytest.mark.parametrize(("name", "path"), LISTS, ids=[name for name, _ in LISTS])
def test_every_list_sorts_by_a_short_explicit_set_and_refuses_every_other_column(admin_api, name, path):
    """A list's sorts are the ones it declares (`ordering_fields`) or, declaring none, the keys of its own order:
    never every column of its model, nor every field of its representation."""
    view = resolve(path).func.cls
    declared = getattr(view, "ordering_fields", None)
    keys = [sort for sort in SORTS[path] if not sort.startswith("-")]
    if declared is None:
        model = _listed_model(_view(path))
        default = getattr(view, "ordering", None) or model._meta.ordering
        assert keys and set(keys) <= {order_key(item)[0] for item in default}, (path, keys)
    else:
        assert declared != "__all__" and keys == list(declared), (path, keys)
    assert len(keys) <= 6, (path, keys)
    model = _listed_model(_view(path))
    others = [column for column in _columns(model) if column not in keys]
    assert others, path
    for column in others:
        response = admin_api.get(path, {"ordering": f"-{column}"}, **EN)
        assert response.status_code == 400, f"{path}?ordering=-{column}: {response.status_code}"
        assert response.json()["errors"]["ordering"] == [
            f"“-{column}” is not a sort of this list: give one of {', '.join(keys)} (a leading - sorts the other way)."
        ]


def _view(path):
    match = resolve(path)
    view = match.func.cls(**getattr(match.func, "initkwargs", {}))
    view.action = "list"
    return view


def test_a_list_asking_for_every_column_is_refused_at_once():
    class EveryColumn(StoreViewSet):
        ordering_fields = "__all__"

    with pytest.raises(ImproperlyConfigured, match="EveryColumn: ordering_fields = '__all__'"):
        OrderingFilter().sort_keys(Store.objects.none(), EveryColumn())


@pytest.mark.parametrize(
    ("path", "sort"),
    [
        ("/api/v1/imports/jobs/", "problems"),  # a reverse relation: a job once per problem
        ("/api/v1/imports/jobs/", "params"),  # a JSON value
        ("/api/v1/my/shifts/", "sell_out"),  # a reverse relation
        ("/api/v1/closed-months/", "gross"),  # computed, no column
    ],
)
def test_a_serializer_field_that_cannot_sort_the_list_is_no_sort(admin_api, path, sort):
    assert sort not in SORTS[path]
    assert admin_api.get(path, {"ordering": sort}, **EN).status_code == 400


def test_the_refusal_reads_in_the_client_s_language(admin_api):
    response = admin_api.get("/api/v1/visits/", {"ordering": "-checked_in"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert (
        response.json()["detail"] == "“-checked_in”不是此列表可用的排序：请填 checked_in_at 之一（前加 - 为反向排序）。"
    )


# --- the pages' sort (?o=, django-filter's OrderingFilter, which the API's FilterSets take too) -------------------


def test_an_unknown_page_sort_is_dropped_and_said_on_the_page_and_refused_in_the_api(client, admin_api):
    """On a page (an old link, an address typed by hand) a sort the list does not offer is dropped and said so: the
    list shows in its own order, and its export the same rows, not an empty sheet; filtering again does not carry
    it. The API does not take the page's ?o= (its sort is ?ordering=): a 400 naming it and what the list takes."""
    client.force_login(make_user(Role.ADMIN, username="admin_page_sort", is_superuser=True, is_staff=True))
    StoreFactory(code="S1")

    page = client.get(reverse("stores:store-list"), {"o": "bogus"}, **EN)
    api = admin_api.get("/api/v1/stores/", {"o": "bogus"}, **EN)

    text = page.content.decode().replace("&quot;", '"')
    notice = "This list has no sort “bogus”: it is shown in its own order. Choose a column heading to sort it."
    assert f'data-testid="sort-error">{notice}<' in text
    assert [store.code for store in page.context["object_list"]] == ["S1"]
    assert 'name="o" value="bogus"' not in text  # filtering again drops the unknown sort
    assert "No store matches these filters." not in text and ">Clear</a>" not in text
    exported = client.get(reverse("stores:store-list"), {"o": "bogus", "export": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["S1"]
    message = (
        "“bogus” is not a sort of this list: give one of code, name, grade, city (a leading - sorts the other way)."
    )
    assert api.status_code == 400 and api.json()["errors"]["o"][0].startswith("This list takes no parameter “o”:")
    assert admin_api.get("/api/v1/stores/", {"ordering": "bogus"}, **EN).json()["errors"] == {"ordering": [message]}
    assert len(client.get(reverse("stores:store-list"), {"o": "-name"}).context["object_list"]) == 1
    chinese = client.get(reverse("stores:store-list"), {"o": "bogus"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content
    assert "此列表没有“bogus”这种排序：已按默认顺序显示。" in chinese.decode()


SORTED_PAGES = [(name, cls) for name, cls in PAGES if _sorts(cls)]


def test_the_sorted_pages_are_found():
    assert {"stores:store-list", "promotions:plan-list", "contracts:contract-list"} <= {n for n, _ in SORTED_PAGES}


@pytest.mark.one_leg
@pytest.mark.parametrize(("name", "cls"), SORTED_PAGES, ids=[name for name, _ in SORTED_PAGES])
def test_every_sorted_page_drops_an_unknown_sort_and_says_so(client, name, cls):
    client.force_login(make_user(Role.ADMIN, username="admin_page_sorts", is_superuser=True, is_staff=True))

    page = client.get(reverse(name), {"o": "bogus"}, **EN).content.decode().replace("&quot;", '"')

    assert "This list has no sort “bogus”: it is shown in its own order." in page
    assert 'name="o" value="bogus"' not in page
