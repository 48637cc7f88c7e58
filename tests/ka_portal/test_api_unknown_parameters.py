"""A list refuses a query parameter it does not take (QA: `GET /api/v1/products/?code=P101` answered every product,
and an integration taking the first got the wrong one): a 400 in the API's error shape naming each unknown parameter
and listing those the list takes. What a list takes is what its schema documents (ka_portal.api.KnownParametersFilter
reads it through ka_portal.schema.query_parameters): its filters, search, ordering, pagination, `format`, and what the
view declares itself with `extend_schema(parameters=…)`."""

import pytest
from django.test import override_settings
from django.urls import include, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIClient

from accounts.roles import Role
from ka_portal.schema import SchemaGenerator
from stores.models import Product
from tests.factories import ProductFactory, make_user

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PRODUCTS_TAKE = "active, brand, category, cursor, format, o, ordering, page, page_size, q, search"


@pytest.fixture
def admin_api():
    client = APIClient()
    client.force_authenticate(make_user(Role.ADMIN, username="admin_params", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def products():
    return ProductFactory(code="P101", name="乐滋薯片原味 70g"), ProductFactory(code="P102", name="乐滋薯片烧烤 70g")


def test_an_unknown_parameter_is_refused_naming_it_and_what_the_list_takes(admin_api, products):
    response = admin_api.get("/api/v1/products/", {"code": "P101"}, **EN)

    assert response.status_code == 400, response.content
    message = f"This list takes no parameter “code”: it takes {PRODUCTS_TAKE}."
    assert response.json() == {"code": "invalid", "detail": message, "errors": {"code": [message]}}


def test_the_parameter_the_list_takes_finds_the_one_product(admin_api, products):
    response = admin_api.get("/api/v1/products/", {"search": "P101"}, **EN)

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["P101"]


def test_several_unknown_parameters_are_each_named(admin_api, products):
    response = admin_api.get("/api/v1/products/", {"code": "P101", "colour": "red", "active": "true"}, **EN)

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == f"This list takes no parameters “code” and “colour”: it takes {PRODUCTS_TAKE}."
    assert body["errors"] == {
        "code": [f"This list takes no parameter “code”: it takes {PRODUCTS_TAKE}."],
        "colour": [f"This list takes no parameter “colour”: it takes {PRODUCTS_TAKE}."],
    }


def test_an_unknown_parameter_is_refused_before_a_cursor_page_is_read(admin_api, products):
    response = admin_api.get("/api/v1/products/?cursor=&code=P101", **EN)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["code"]


def test_an_unknown_parameter_sent_empty_asks_nothing_as_an_empty_filter(admin_api, products):
    response = admin_api.get("/api/v1/products/?code=&colour=%20&active=", **EN)

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["P101", "P102"]


def test_what_a_list_takes_works_together(admin_api, products):
    query = {"search": "P10", "ordering": "-code", "page_size": "1", "active": "true", "format": "json"}
    response = admin_api.get("/api/v1/products/", query, **EN)

    assert response.status_code == 200, response.content
    assert [row["code"] for row in response.json()["results"]] == ["P102"]


def _lists(schema) -> dict[str, set[str]]:
    """Every list operation of the schema (its 200 a page of results or an array, at a path of no record; not a
    report, which reads its own parameters) and the query parameters it documents."""
    components = schema["components"]["schemas"]
    found = {}
    for address, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None or "{" in address or address.startswith("/api/v1/reports/"):
            continue
        answer = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in answer:
            answer = components[answer["$ref"].rsplit("/", 1)[1]]
        if answer.get("type") == "array" or "results" in answer.get("properties", {}):
            found[address] = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    return found


def test_every_list_takes_what_its_schema_documents_and_refuses_any_other(admin_api):
    lists = _lists(SchemaGenerator().get_schema(request=None, public=True))
    assert len(lists) > 30 and "/api/v1/products/" in lists and "/api/v1/visits/" in lists

    for address, documented in lists.items():
        takes = ", ".join(sorted(documented | {"format"}))
        refused = admin_api.get(address, {"no_such_parameter": "1"}, **EN)
        assert refused.status_code == 400, (address, refused.content)
        assert refused.json()["errors"] == {
            "no_such_parameter": [f"This list takes no parameter “no_such_parameter”: it takes {takes}."]
        }, address
        for name in documented:  # each documented one taken (empty: no filter, the first page, the list's order)
            taken = admin_api.get(address, {name: ""}, **EN)
            assert taken.status_code == 200, (address, name, taken.content)


class _ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["code"]


class _ColourViewSet(viewsets.ReadOnlyModelViewSet):
    """A list reading a parameter of its own, declared the way the project's views declare theirs."""

    queryset = Product.objects.order_by("code")
    serializer_class = _ProductSerializer
    filterset_class = None

    @extend_schema(parameters=[OpenApiParameter("colour", OpenApiTypes.STR, description="Only this colour")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


_router = SimpleRouter()
_router.register("colours", _ColourViewSet, basename="colour")
urlpatterns = [path("api/v1/", include(_router.urls))]


@override_settings(ROOT_URLCONF=__name__)
def test_a_parameter_the_view_declares_itself_is_taken_and_an_undeclared_one_refused(admin_api, products):
    taken = admin_api.get("/api/v1/colours/", {"colour": "red", "page_size": "1"}, **EN)
    refused = admin_api.get("/api/v1/colours/", {"shade": "red"}, **EN)

    assert taken.status_code == 200 and taken.json()["count"] == 2
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "This list takes no parameter “shade”: it takes colour, cursor, format, ordering, page, page_size."
    )


def test_a_record_and_a_report_keep_their_own_parameters(admin_api, products):
    record = admin_api.get(f"/api/v1/products/{products[0].pk}/", {"format": "json"}, **EN)
    report = admin_api.get("/api/v1/reports/aging/", {"as_of": "2026-11-30"}, **EN)

    assert record.status_code == 200 and record.json()["code"] == "P101"
    assert report.status_code == 200, report.content
