"""Every GET refuses a query parameter it does not take (QA: `GET /api/v1/products/?code=P101` answered every product,
and an integration taking the first got the wrong one; `?month=2026-05` on a report of from/to answered its default
period): a 400 in the API's error shape naming each unknown parameter and listing those the endpoint takes. What a
list, a record or a report takes is what its schema documents (ka_portal.api_parameters.KnownParameters reads it
through ka_portal.schema.query_parameters): its filters, search, ordering, pagination, `format`, and what the view
declares itself with `extend_schema(parameters=…)`."""

import pytest
from django.test import override_settings
from django.urls import include, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIClient

from accounts.roles import Role
from stores.models import Product
from tests.api_schema import api_schema
from tests.factories import ProductFactory, make_user

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PRODUCTS_TAKE = "active, brand, category, cursor, format, ordering, page, page_size, search"


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
    report, paginated or not: its refusal names an endpoint) and the query parameters it documents."""
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


# Every list (or GET) walked in one test: the parameters are read before any query, alike on either engine.
@pytest.mark.one_leg
def test_every_list_takes_what_its_schema_documents_and_refuses_any_other(admin_api):
    lists = _lists(api_schema())
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


def test_a_record_and_a_report_take_their_own_parameters(admin_api, products):
    record = admin_api.get(f"/api/v1/products/{products[0].pk}/", {"format": "json"}, **EN)
    report = admin_api.get("/api/v1/reports/aging/", {"as_of": "2026-11-30"}, **EN)

    assert record.status_code == 200 and record.json()["code"] == "P101"
    assert report.status_code == 200, report.content
    assert report.json()["as_of"] == "2026-11-30"


def test_a_report_refuses_a_parameter_it_does_not_take_rather_than_answer_its_default_period(admin_api):
    refused = admin_api.get("/api/v1/reports/channel-mix/", {"month": "2026-05"}, **EN)
    asked = admin_api.get("/api/v1/reports/channel-mix/", {"from": "2026-05", "to": "2026-05"}, **EN)

    assert refused.status_code == 400, refused.content
    message = "This endpoint takes no parameter “month”: it takes by, format, from, to."
    assert refused.json() == {"code": "invalid", "detail": message, "errors": {"month": [message]}}
    assert asked.status_code == 200, asked.content
    assert (asked.json()["month_from"], asked.json()["month_to"]) == ("2026-05", "2026-05")


def test_a_report_names_every_unknown_parameter(admin_api):
    query = {"account": "KA001", "month": "2026-05", "year": "2026"}
    refused = admin_api.get("/api/v1/reports/statement/", query, **EN)

    assert refused.status_code == 400
    takes = "account, format, from, to"
    assert refused.json() == {
        "code": "invalid",
        "detail": f"This endpoint takes no parameters “month” and “year”: it takes {takes}.",
        "errors": {
            "month": [f"This endpoint takes no parameter “month”: it takes {takes}."],
            "year": [f"This endpoint takes no parameter “year”: it takes {takes}."],
        },
    }


def test_a_record_refuses_a_parameter_it_does_not_take(admin_api, products):
    refused = admin_api.get(f"/api/v1/products/{products[0].pk}/", {"fields": "code"}, **EN)
    empty = admin_api.get(f"/api/v1/products/{products[0].pk}/?fields=", **EN)

    message = "This endpoint takes no parameter “fields”: it takes format."
    assert refused.status_code == 400 and refused.json()["errors"] == {"fields": [message]}
    assert empty.status_code == 200 and empty.json()["code"] == "P101"


def test_a_page_of_a_report_cannot_be_asked_by_a_cursor_it_does_not_document(admin_api):
    """The appraisal's pages are numbered (page, page_size): its pagination also reads ?cursor= on a list, which the
    report does not document, and is not asked to."""
    response = admin_api.get("/api/v1/reports/promoter-appraisal/", {"cursor": "abc"}, **EN)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["cursor"]


def test_what_the_api_does_not_document_is_not_checked(admin_api):
    """The schema (with drf-spectacular's own ?lang=) and the API root are no operation of the schema."""
    schema = admin_api.get("/api/schema/", {"format": "json", "lang": "en"})
    root = admin_api.get("/api/v1/", {"format": "json"})

    assert schema.status_code == 200 and schema.json()["info"]["title"] == "KA Portal API"
    assert root.status_code == 200 and "products" in root.json()


PATH_VALUES = {"id": "1", "pk": "1", "photo_pk": "1", "code": "KA001", "kind": "stores"}


def _gets(schema) -> dict[str, set[str]]:
    """Every GET operation of the schema — lists, records, reports, files — by an address with its path parameters
    filled in, and the query parameters it documents."""
    found = {}
    for address, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        for name, value in PATH_VALUES.items():
            address = address.replace(f"{{{name}}}", value)
        assert "{" not in address, f"{address}: give its path parameter a value in PATH_VALUES"
        found[address] = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    return found


# Every list (or GET) walked in one test: the parameters are read before any query, alike on either engine.
@pytest.mark.one_leg
def test_every_get_refuses_what_its_schema_does_not_document_and_takes_what_it_does(admin_api):
    """The guard of the rule: a new endpoint, of any kind, is in the schema and so here; one that escapes the check
    (its own `throttle_classes` without KnownParameters) or reads a parameter it does not document fails."""
    schema = api_schema()
    gets, lists = _gets(schema), _lists(schema)
    reports = [address for address in gets if address.startswith("/api/v1/reports/")]
    assert len(gets) > 80 and len(reports) >= 10 and "/api/v1/reports/aging/" in reports

    for address, documented in gets.items():
        takes = ", ".join(sorted(documented | {"format"}))
        kind = "list" if address in lists else "endpoint"
        refused = admin_api.get(address, {"no_such_parameter": "1"}, **EN)
        assert refused.status_code == 400, (address, refused.content)
        assert refused.json()["errors"] == {
            "no_such_parameter": [f"This {kind} takes no parameter “no_such_parameter”: it takes {takes}."]
        }, address
        for name in documented:  # each documented one taken: whatever the answer, not refused as unknown
            taken = admin_api.get(address, {name: "1"}, **EN)
            assert b"takes no parameter" not in taken.content, (address, name, taken.content)
