"""The API schema tells every answer the API gives: the error responses every operation can return, in one
language.

A drf-spectacular postprocessing hook, so each view declares only what is particular to it. Errors have the
one shape ka_portal/api.py's exception handler writes: {"code", "detail", "params"?, "field"?, "errors"?}.
And the query parameters an operation documents, which are the ones a GET takes (`query_parameters`).
"""

from django.conf import settings
from django.utils import translation
from drf_spectacular import openapi
from drf_spectacular.generators import SchemaGenerator as SpectacularGenerator
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.settings import api_settings

# The list filters' own names for what the API's `search` and `ordering` do: the pages' search box and sortable
# columns (?q=, ?o=). Not the API's: a list documents, and so takes, `search` and `ordering` alone.
PAGE_ONLY_PARAMETERS = frozenset({"q", "o"})


class SchemaGenerator(SpectacularGenerator):
    """The schema in English whatever the active language: its descriptions and docstrings are English, and its
    titles and choices (models' verbose names, translated when read) were generated in the language of the request
    or of the `spectacular` command (the site's, Chinese), so one schema mixed 业态 with "The chain's format". The
    schema is a contract for integrators, not a page: one language, the one its prose is written in. drf-spectacular
    has no setting for this (its `?lang=` and `--lang` are per call), so its generator (DEFAULT_GENERATOR_CLASS,
    used by the served view and the command alike) generates under English."""

    def get_schema(self, request=None, public=False):
        with translation.override("en"):
            return super().get_schema(request=request, public=public)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, documenting what every operation takes besides its own: `format` (DRF reads it on every
    view; drf-spectacular documents it only where two machine formats are served, while the API listed `format` among
    what it takes), its machine formats in the enum (the browsable API's `api`, an HTML page, is said in words: the
    schema describes JSON answers), and not the list filters' page-only `q` and `o`."""

    def _get_format_parameters(self):
        from .api_parameters import filters_by_format

        if not api_settings.URL_FORMAT_OVERRIDE or filters_by_format(self.view):
            return []  # a list filtering by its own `format` documents that filter
        formats = self.map_renderers("format")  # what a client reads (json; a file's xlsx), not the browsable API
        return [
            build_parameter_type(
                name=api_settings.URL_FORMAT_OVERRIDE,
                schema=build_basic_type(OpenApiTypes.STR),
                location=OpenApiParameter.QUERY,
                enum=formats,
                description="How to answer: `json`, the default (and, for a person in a browser, `api`: the browsable "
                "API, an HTML page). Any other is refused (400).",
            )
        ]

    def _resolve_path_parameters(self, variables):
        """A master-data record's address takes its code (ka_portal.api_views.ServiceModelViewSet.get_object)."""
        from .api_fields import lookup_field_for

        parameters = super()._resolve_path_parameters(variables)
        model = getattr(getattr(getattr(self.view, "serializer_class", None), "Meta", None), "model", None)
        lookup = getattr(self.view, "lookup_url_kwarg", None) or getattr(self.view, "lookup_field", "pk")
        if model is None or lookup_field_for(model) != "code":
            return parameters
        for parameter in parameters:
            if parameter["name"] in (lookup, "id") and parameter["in"] == "path":
                parameter["schema"] = {"type": "string"}
                parameter["description"] = (
                    f"The {model._meta.verbose_name}'s code (any case), as bodies and filters name it; a number that "
                    "is no code is read as its id."
                )
        return parameters

    def _get_filter_parameters(self):
        return [item for item in super()._get_filter_parameters() if item["name"] not in PAGE_ONLY_PARAMETERS]

    def get_override_parameters(self):
        """A record's GET takes If-None-Match, and every write of one (PUT, PATCH, DELETE, a step POSTed to it)
        If-Match (ka_portal/record_etags.py); the answers they bring, 304 and 412, are declared by
        `declare_error_responses`."""
        from .record_etags import IF_MATCH

        parameters = super().get_override_parameters()
        if not getattr(self.view, "record_etags", False) or not getattr(self.view, "detail", False):
            return parameters
        action = getattr(self.view, "action", None)
        if self.method == "GET" and action == "retrieve":
            return [*parameters, IF_NONE_MATCH_PARAMETER]
        if self.method in ("PUT", "PATCH", "DELETE", "POST"):
            return [*parameters, OpenApiParameter(IF_MATCH, str, OpenApiParameter.HEADER, description=IF_MATCH_HELP)]
        return parameters


IF_MATCH_HELP = (
    "Optional: the ETag of the record as you read it (a GET's, or your last write's `ETag`). The write is done only "
    "if the record has not changed since; otherwise 412 `record.changed` with the current record in `current` and "
    "its ETag, and nothing is written. `*` asks only that the record exists. Without it the write is done as ever."
)
IF_NONE_MATCH_PARAMETER = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="Optional: the ETag of the record you hold. While the record is as you read it, 304 and no body.",
)


def query_parameters(view, method: str) -> frozenset[str] | None:
    """The query parameters the schema documents for `view`'s operation (a view instance serving `method`): what its
    filters, search, ordering and pagination take and what it declares itself (`extend_schema(parameters=…)`), and
    `format` (DRF reads it on every view). None for an operation the schema does not document (the API root, the
    schema and its docs themselves).

    The API refuses the others on every GET (ka_portal.api_parameters.KnownParameters): what an operation takes is
    what the schema says, read from the one place the schema is written from, so the two cannot part."""
    key = (
        settings.ROOT_URLCONF,  # a test's own URLconf routes views the project's does not
        type(view),
        getattr(view, "action", None),
        "GET" if method == "HEAD" else method.upper(),
    )
    if key not in _documented:
        _documented[key] = _operation_query_parameters(*key[1:])
    return _documented[key]


# Per operation, for the process: computed on its first request (an undocumented one's None too, not looked for again).
_documented: dict[tuple, frozenset[str] | None] = {}


def _operation_query_parameters(view_class, action, method: str) -> frozenset[str] | None:
    """The operation's query parameters as drf-spectacular's generator finds them for the schema: the view created
    as the generator creates it, with an anonymous request, as `manage.py spectacular` does."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    for path, path_regex, endpoint_method, callback in generator.endpoints:
        actions = getattr(callback, "actions", None) or {}
        if (
            endpoint_method != method
            or getattr(callback, "cls", None) is not view_class
            or actions.get(method.lower()) != action
        ):
            continue
        view = generator.create_view(callback, method)
        path = generator.coerce_path(path, method, view)
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        operation = view.schema.get_operation(path, path_regex, "", method, generator.registry)
        if not operation:
            return None
        names = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"}
        return frozenset(names | {api_settings.URL_FORMAT_OVERRIDE} - {None})
    return None


ERROR = {
    "type": "object",
    "description": "An error: a stable code, a message for people, and where it applies.",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "params": {"type": "object", "additionalProperties": True},
        "field": {"type": "string"},
        "errors": {"description": "Validation: messages per field (nested like the request)."},
    },
    "required": ["detail"],
}

COMMON = {
    "400": "The request cannot be read (malformed, too large) or a rule refuses it (a field, a query parameter the "
    "operation does not document or a value it does not take, a number out of range).",
    "401": "No valid token or session.",
    "403": "The user's role may not do this.",
    "404": "Not found, or outside the user's scope.",
    "429": "Too many requests (sign-in attempts); retry later.",
}
WRITES = {
    "403": "The user's role may not do this, or a write signed in by session came without its CSRF token "
    "(`csrf_failed`).",
    "409": "Conflicts with the state of the data (a budget exhausted, a record still referred to).",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
RECORD_CHANGED = (
    "The record has changed since the ETag sent in If-Match: `record.changed`, with the current record in `current`, "
    "its ETag in `params.etag` and the `ETag` header. Nothing was written."
)
ETAG_HEADER = {
    "description": "The record's ETag as it now stands (a write answers it when sent with If-Match): send it in "
    "If-Match with a write of it, or in If-None-Match.",
    "schema": {"type": "string"},
}


def declare_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "head", *WRITE_METHODS}:
                continue
            statuses = {**COMMON, **WRITES} if method in WRITE_METHODS else COMMON
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses.setdefault(status, {"description": description, "content": content})
            headers = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "header"}
            if "If-Match" in headers:
                responses.setdefault("412", {"description": RECORD_CHANGED, "content": content})
            if "If-None-Match" in headers:
                responses.setdefault("304", {"description": "The record is as the ETag in If-None-Match: no body."})
            for status, response in responses.items():
                if status in ("200", "201") and headers & {"If-Match", "If-None-Match"}:
                    response.setdefault("headers", {})["ETag"] = ETAG_HEADER
    return result


def tag_by_resource(result, generator, request, public):
    """Group the docs' operations by resource (`stores`, `visits`, …: the path's segment after /api/v1/) instead of
    drf-spectacular's default, the first segment after the common prefix — "v1" for all 200 of them. The operation
    ids stay as they were (a client generated from the schema keeps its method names)."""
    for path, path_item in result.get("paths", {}).items():
        parts = path.strip("/").split("/")
        if len(parts) < 3 or parts[:2] != ["api", "v1"]:
            continue
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("tags") == ["v1"]:
                operation["tags"] = [parts[2]]
    return result
