"""DRF pieces shared by every app: pagination, the error format, permissions.

Settings name this module, so it must not import views or drf-spectacular (import cycle).
"""

import logging
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import (
    FieldDoesNotExist,
    ImproperlyConfigured,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import DataError, IntegrityError, transaction
from django.db.models import JSONField, ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import defaults
from django_filters.filterset import BaseFilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, filters, pagination, permissions
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from . import keyset
from .errors import DomainError
from .lists import StyledFilterSet
from .ordering import order_key, total_order
from .wordlists import WordList


class PageNumberPagination(pagination.PageNumberPagination):
    """{"count", "next", "previous", "results"}; ?page=N and ?page_size=N (at most 500). With ?cursor= instead of
    ?page= the list is walked by keyset pages, {"next", "previous", "results"}, at the same cost however deep
    (ka_portal/keyset.py).

    A page_size above the cap is taken as the cap (DRF's way, which clients rely on to ask for "as many as you
    give"); one that is no whole number of at least 1 (0, -1, "ten") is a 400 naming it, rather than DRF's silent
    default page: the client asked for something the list cannot give. So is a ?page= that is no page (0, "abc") or
    past the end (which says how many pages there are), rather than DRF's 404 "Invalid page."."""

    page_size_query_param = "page_size"
    max_page_size = 500
    keyset = None

    def paginate_queryset(self, queryset, request, view=None):
        if keyset.PARAM not in request.query_params:
            return self._numbered(queryset, request, view)
        if self.page_query_param in request.query_params:
            raise keyset.refused(_("Send ?page= or ?cursor=, not both."))
        self.request = request
        self.keyset = keyset.KeysetPage(queryset, request, self.get_page_size(request))
        return self.keyset.rows

    def _numbered(self, queryset, request, view):
        """DRF's numbered page, but a ?page= that is no page is a 400 naming `page`, not DRF's 404 "Invalid page."
        (which reads as a wrong address): a number from 1, or `last`; one past the end says how many pages there are."""
        raw = request.query_params.get(self.page_query_param, "").strip()
        if raw and raw not in self.last_page_strings and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            message = _("“%(value)s” is not a page: give a whole number from 1.") % {"value": raw[:40]}
            raise exceptions.ValidationError({self.page_query_param: [message]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            pages = self.django_paginator_class(queryset, self.get_page_size(request)).num_pages
            message = ngettext(
                "There is no page %(page)s: the list has %(pages)s page at this page size.",
                "There is no page %(page)s: the list has %(pages)s pages at this page size.",
                pages,
            ) % {"page": raw, "pages": pages}
            raise exceptions.ValidationError({self.page_query_param: [message]}) from None

    def get_paginated_response(self, data):
        if self.keyset is not None:
            return Response({"next": self.keyset.next, "previous": self.keyset.previous, "results": data})
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["results"]
        answer["properties"]["count"]["description"] = "How many rows the list holds (numbered pages only)."
        answer["properties"]["previous"]["description"] = (
            "The page before, or null on the first; with ?cursor=, the cursor of the rows before this page's first."
        )
        answer["properties"]["next"]["description"] = (
            "The next page, or null after the last; with ?cursor=, the cursor of the row after this page's last."
        )
        return answer

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": keyset.PARAM,
                "required": False,
                "in": "query",
                "description": "Walk the list by keyset pages instead of numbered ones: empty for the first page, then "
                "the cursor in each answer's `next` (or back, in its `previous`). Every row once, at the same cost "
                "however deep; no count. A cursor is refused (400) with another ?ordering= or with ?page=.",
                "schema": {"type": "string"},
            },
        ]

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "").strip()
        if raw and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("“%(value)s” is not a page size: give a whole number from 1 (at most %(max)s a page).")
                        % {"value": raw, "max": self.max_page_size}
                    ]
                }
            )
        return super().get_page_size(request)


class OrderingFilter(filters.OrderingFilter):
    """DRF's ?ordering=: one or more of the list's sort keys, comma-separated, each with a leading "-" to sort the
    other way. A key the list does not take is a 400 naming the parameter and the keys it takes, rather than DRF's
    silent default order: an integration asking for ?ordering=-checked_in (a typo) got its pages in an order it did
    not ask for and could not tell. The keys are the view's `ordering_fields`, a short list each list declares; a
    view naming none takes only the keys of its own order (the view's `ordering`, else its model's): DRF's default,
    every serializer field, sorted contacts by their notes or interests, a choice the list never meant to offer
    and an index it never has. `"__all__"` (every column) is refused outright. The schema lists the same keys.
    Then the primary key after the chosen (or default) keys wherever they could tie, so a page boundary never
    falls between rows whose order the database may swap from one request to the next (ka_portal/ordering.py).
    Last of the filter backends: it orders what the others selected."""

    def filter_queryset(self, request, queryset, view):
        return total_order(super().filter_queryset(request, queryset, view))

    def get_ordering(self, request, queryset, view):
        terms = [term.strip() for term in request.query_params.get(self.ordering_param, "").split(",")]
        terms = [term for term in terms if term]  # "?ordering=" asks for no order: the list's own
        if not terms:
            return self.get_default_ordering(view)
        keys = self.sort_keys(queryset, view, request)
        unknown = [term for term in terms if term.removeprefix("-") not in keys]
        if unknown:
            message = _(
                "“%(value)s” is not a sort of this list: give one of %(keys)s (a leading - sorts the other way)."
            )
            raise exceptions.ValidationError(
                {self.ordering_param: [message % {"value": ", ".join(unknown), "keys": ", ".join(keys)}]}
            )
        return terms

    def sort_keys(self, queryset, view, request=None) -> list[str]:
        """The keys ?ordering= takes on this view (each also with a leading "-")."""
        return [key for key, _label in self.get_valid_fields(queryset, view, {"request": request})]

    def get_valid_fields(self, queryset, view, context=None):
        if getattr(view, "ordering_fields", self.ordering_fields) == "__all__":
            raise ImproperlyConfigured(
                f"{type(view).__name__}: ordering_fields = '__all__' sorts by any column; name the list's sorts."
            )
        return super().get_valid_fields(queryset, view, context)

    def get_default_valid_fields(self, queryset, view, context=None):
        """A view naming no `ordering_fields`: the keys of its own order, the ones that reach a column."""
        ordering = getattr(view, "ordering", None) or queryset.model._meta.ordering or []
        keys = [order_key(item)[0] for item in ([ordering] if isinstance(ordering, str) else ordering)]
        keys = [key for key in dict.fromkeys(keys) if key and _sortable(queryset.model, key)]
        return [(key, key) for key in keys]

    def get_schema_operation_parameters(self, view):
        model = _listed_model(view)
        if model is None:
            return super().get_schema_operation_parameters(view)
        keys = self.sort_keys(model._default_manager.none(), view, getattr(view, "request", None))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort keys, comma-separated, each with a leading - for descending; any other value "
                "is refused (400). Without it the list's own order.",
                "schema": {"type": "array", "items": {"type": "string", "enum": [
                    sort for key in keys for sort in (key, f"-{key}")]}},
                "style": "form",
                "explode": False,
            }
        ]  # fmt: skip


def _listed_model(view):
    """The model a list view lists, as the schema sees it (no scoped queryset: no user to scope by)."""
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer_class = view.get_serializer_class() if hasattr(view, "get_serializer_class") else None
    return getattr(getattr(serializer_class, "Meta", None), "model", None)


def _sortable(model, path: str) -> bool:
    """Whether ``path`` (a__b__c) reaches a column, through relations to one row each, that has an order."""
    *hops, last = path.split("__")
    for name in hops:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if not (field.many_to_one or field.one_to_one) or field.related_model is None:
            return False
        model = field.related_model
    try:
        field = model._meta.get_field(last)
    except FieldDoesNotExist:
        return False
    if field.many_to_many or field.one_to_many or (field.one_to_one and not field.concrete):
        return False
    return getattr(field, "concrete", False) and not isinstance(field, JSONField)


def exception_handler(exc, context):
    """Errors as JSON: DomainError → {"code", "detail", "params"}; validation → field messages.

    What the database refuses is the request's fault, never a 500: a delete of a record others still
    refer to → 409 naming what refers to it; a broken constraint → 409; a number too large → 400.
    An answered error rolls the request's writes back (ka_portal.middleware.AtomicWritesMiddleware).
    """
    response = _error_response(exc, context)
    request = context.get("request")
    if response is not None and getattr(request, "atomic_writes", False):
        transaction.set_rollback(True)
    return response


def _error_response(exc, context):
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Response(
            {"code": "protected", "detail": _still_referred(exc, context), "params": _referrers(exc)}, status=409
        )
    if isinstance(exc, IntegrityError):
        return Response(
            {"code": "conflict", "detail": _("This change conflicts with other records or a rule on the data.")},
            status=409,
        )
    if isinstance(exc, (OverflowError, DataError)):
        return Response({"code": "invalid", "detail": _("A value in the request is too large or out of range.")}, 400)
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.detail, "params": {k: json_param(v) for k, v in exc.params.items()}}
        if exc.field:
            body["field"] = exc.field
        body.update(getattr(exc, "extra", {}))  # e.g. a reused key's "differs"
        return Response(body, status=exc.status_code)
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith(CSRF_FAILED):
        exc = CsrfFailed(str(exc.detail).removeprefix(CSRF_FAILED))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        data = response.data
        if isinstance(exc, exceptions.ValidationError):
            detail = getattr(exc, "summary", None) or _first_message(data)  # UnknownParameters: each named
            response.data = {"code": "invalid", "detail": detail, "errors": data}
        elif isinstance(data, dict) and "detail" in data:
            response.data = {"code": getattr(exc.detail, "code", exc.default_code), "detail": str(data["detail"])}
            response.data.update(getattr(exc, "extra", {}))  # a CSRF refusal's reason
    return response


def json_param(value):
    """A refusal's param as JSON reads it, for a client to use without parsing the sentence: a yes/no a boolean (the
    string "False" reads as true in JavaScript), a count a number, an amount the string of its Decimal ("12028.00",
    as bodies carry money), a day YYYY-MM-DD, a moment ISO 8601 in Asia/Shanghai, a list a list; anything else (a
    code, a translatable word) its text. The sentence (`detail`) is filled from the params as they were."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): json_param(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_param(item) for item in value]
    return str(value)


def _referrer_counts(exc) -> Counter:
    counts = Counter(obj._meta for obj in exc.protected_objects if hasattr(exc, "protected_objects"))
    if not counts and hasattr(exc, "restricted_objects"):
        counts = Counter(obj._meta for obj in exc.restricted_objects)
    return counts


def _referrers(exc) -> dict[str, int]:
    """How many records of each kind still refer to it, by the kind's model name ("visit", "displayagreement"): the
    same keys in every language, for a client to read (the sentence names them in the reader's)."""
    return {meta.model_name: n for meta, n in _referrer_counts(exc).items()}


def _still_referred(exc, context) -> str:
    """ "This store cannot be deleted: 3 visits still refer to it." — counts by kind, never the records' names."""
    view = context.get("view")
    model = view.get_queryset().model if hasattr(view, "get_queryset") else None
    parts = [
        f"{count} {meta.verbose_name_plural if count > 1 else meta.verbose_name}"
        for meta, count in _referrer_counts(exc).items()
    ]
    return _("This %(record)s cannot be deleted: %(referrers)s still refer to it.") % {
        "record": model._meta.verbose_name if model else _("record"),
        "referrers": WordList(parts),
    }


def _first_message(data) -> str:
    if isinstance(data, dict):
        for value in data.values():
            return _first_message(value)
    if isinstance(data, list) and data:
        return _first_message(data[0])
    return str(data)


class SearchFilter(filters.SearchFilter):
    """DRF's ?search=, every term (words, commas, "a quoted phrase") to be found. A view may name, instead of
    `search_fields`, `search_term`: a function of one term returning the Q of what it finds, the one its pages'
    search calls too — for what a field lookup cannot find, such as a sentence the system wrote as a code
    (ka_portal/system_texts.py). A view naming neither searches as its filters' `q` does (the page's search box);
    a list with no search at all refuses ?search= (400) and does not offer it in the schema: DRF's own backend
    served the whole list for any term, so ?search=LH-004 on stores answered all 17 of a rep's stores."""

    def filter_queryset(self, request, queryset, view):
        term_q = getattr(view, "search_term", None)
        if term_q is not None:
            terms = self.get_search_terms(request)
            return queryset.filter(*(term_q(term) for term in terms)) if terms else queryset
        if getattr(view, "search_fields", None):
            return super().filter_queryset(request, queryset, view)
        value = request.query_params.get(self.search_param, "")
        if not value.strip():
            return queryset
        if not _searches_by_q(view):
            raise exceptions.ValidationError(
                {self.search_param: [_("This list has no search: choose from its filters instead.")]}
            )
        backend = DjangoFilterBackend()
        kwargs = backend.get_filterset_kwargs(request, queryset, view)
        filterset = view.filterset_class(**{**kwargs, "data": {"q": value}})
        if not filterset.is_valid():
            raise exceptions.ValidationError({self.search_param: filterset.errors.get("q", [])})
        return filterset.qs

    def get_schema_operation_parameters(self, view):
        searches = getattr(view, "search_term", None) or getattr(view, "search_fields", None) or _searches_by_q(view)
        if not searches:
            return []
        parameters = super().get_schema_operation_parameters(view)
        if not getattr(view, "search_term", None) and not getattr(view, "search_fields", None):
            for parameter in parameters:
                parameter["description"] = "A search term: the same as the list's `q` filter."
        return parameters

    def to_html(self, request, queryset, view):
        if getattr(view, "search_term", None) is None:
            return super().to_html(request, queryset, view)
        context = {"param": self.search_param, "term": request.query_params.get(self.search_param, "")}
        return loader.get_template(self.template).render(context)


def _searches_by_q(view) -> bool:
    filterset_class = getattr(view, "filterset_class", None)
    return filterset_class is not None and "q" in filterset_class.base_filters


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, without building the FilterSet (a deep copy of every filter, a bound form) for a
    request that names none of its filters: such a FilterSet filters nothing, or only as its `unfiltered` says
    (ka_portal.lists.StyledFilterSet: the suggested orders in force now when no day is named). Only a FilterSet that
    does nothing of its own with empty values is passed by: django-filter's filters (a `method` is called only with a
    value) or ours that say so (`inert_when_empty`), none required, no `__init__` or `qs` of its own, and no
    `filter_queryset` but one that ends in its `unfiltered` when no filter has a value."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and _inert(filterset_class):
            names = filterset_class.base_filters
            if not any(param.startswith(name) for param in request.query_params for name in names):
                return filterset_class.unfiltered(queryset) if _has_default(filterset_class) else queryset
        return super().filter_queryset(request, queryset, view)


def _has_default(filterset_class) -> bool:
    """The set says what it does with no filter named (StyledFilterSet.unfiltered, overridden)."""
    unfiltered = getattr(filterset_class, "unfiltered", None)
    return (
        unfiltered is not None
        and getattr(unfiltered, "__func__", unfiltered) is not StyledFilterSet.unfiltered.__func__
    )


def _inert(filterset_class) -> bool:
    own = {name for name in ("__init__", "filter_queryset", "qs") if getattr(filterset_class, name) not in (
        getattr(BaseFilterSet, name), getattr(StyledFilterSet, name))}  # fmt: skip
    if _has_default(filterset_class):
        own.discard("filter_queryset")  # its own ends in `unfiltered` when nothing has a value
    return not own and all(
        (type(item).filter.__module__.startswith("django_filters.") or getattr(item, "inert_when_empty", False))
        and not item.extra.get("required")
        for item in filterset_class.base_filters.values()
    )


class RoleModelPermissions(permissions.DjangoModelPermissions):
    """Reads need the model's view permission, writes its add/change/delete (the role groups hold them)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        # A method the view does not offer (PUT where only PATCH is) is the view's 405 for every signed-in role, not
        # a 403 for the roles without the write permission it would need.
        method = request.method.lower()
        if request.user and request.user.is_authenticated and not callable(getattr(view, method, None)):
            return True
        return super().has_permission(request, view)

    def _queryset(self, view):
        # The model is all this needs: the serializer names it, so the view's scoped queryset (and the profile
        # it reads) is not built twice a request — the list kept in memory (ka_portal/api_cache.py) builds none.
        queryset = getattr(view, "queryset", None)
        if queryset is not None:  # a view's `queryset` names its model (its rows are get_queryset's)
            return queryset.none()
        serializer_class = getattr(view, "serializer_class", None)
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        if model is not None:
            return model._default_manager.none()
        return super()._queryset(view)


# Django's own answers under /api/ the API answers in its shape, as DRF's exception handler would have: a request
# Django cannot read (a host it does not serve, a malformed request) as DRF's own unreadable body (`parse_error`).
DJANGO_ERRORS = {
    400: exceptions.ParseError,
    403: exceptions.PermissionDenied,
    404: exceptions.NotFound,
    405: exceptions.MethodNotAllowed,
    500: exceptions.APIException,
}


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def api_error(request, status: int, exc: exceptions.APIException | None = None) -> JsonResponse:
    """The API's error {"code", "detail"} for an answer Django gives itself, in the request's language: the
    status's own (DJANGO_ERRORS), or `exc` when Django said why."""
    if exc is None:
        exc = DJANGO_ERRORS[status](request.method) if status == 405 else DJANGO_ERRORS[status]()
    body = {"code": getattr(exc.detail, "code", exc.default_code), "detail": str(exc.detail)}
    body.update(getattr(exc, "extra", {}))
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


def not_found(request, exception):
    """handler404: under /api/ an address nothing answers is a JSON 404 like any other; pages keep theirs."""
    if _is_api(request):
        return api_error(request, 404)
    return defaults.page_not_found(request, exception)


def _too_much(exception) -> exceptions.APIException | None:
    """Why Django refused a request's body (400), in the API's words: what it may send, not "malformed"."""
    if isinstance(exception, RequestDataTooBig):
        size = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        message = _("The request is too large: its fields may take at most %(size)s (files apart).")
        return exceptions.ParseError(message % {"size": size}, code="too_large")
    if isinstance(exception, TooManyFieldsSent):
        message = _("The request sends too many fields or query parameters: at most %(count)s.")
        return exceptions.ParseError(message % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}, "too_many_fields")
    if isinstance(exception, TooManyFilesSent):
        message = _("The request sends too many files: at most %(count)s.")
        return exceptions.ParseError(message % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES}, "too_many_files")
    return None


CSRF_FAILED = "CSRF Failed: "  # how DRF's SessionAuthentication begins its refusal, the reason after it


class CsrfFailed(exceptions.PermissionDenied):
    """A write signed in by session (the browsable API, a page's script) without its CSRF token: `csrf_failed`, the
    code the pages' CSRF_FAILURE_VIEW answers their outbox, the reason Django gave in `params`."""

    default_code = "csrf_failed"

    def __init__(self, reason: str):
        super().__init__(
            _(
                "A write signed in by session needs its CSRF token: send the %(cookie)s cookie's value in the "
                "X-CSRFToken header, or sign in with an API token."
            )
            % {"cookie": settings.CSRF_COOKIE_NAME}
        )
        self.extra = {"params": {"reason": reason}}


class ApiErrorsMiddleware:
    """Under /api/ every 400, 403, 404, 405 and 500 is the API's JSON error, never a page: Django answers some itself,
    outside DRF's exception handler — a request it cannot read (a host it does not serve, a body too large, too many
    fields; with DEBUG, its technical page), a 403 a plain Django view gives, an address no route takes (with DEBUG,
    its technical page listing every URL pattern, which handler404 never sees), a method a plain Django view does not
    take, an exception no view answered (the traceback stays in the log, a refused body in django.security's). DRF's
    own answers (JSON, or the browsable API a browser asked for) and every answer outside /api/ pass as they are:
    pages keep their HTML 400, 403 and 404. A query string of more fields than Django reads is refused here, before
    any view: DRF reads it (?format=) before it can answer an error, and with DEBUG it would answer a 500. Below
    LocaleMiddleware: in the request's language; above CommonMiddleware, whose host check refuses a host the site
    does not serve."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_api(request):
            try:
                request.GET  # noqa: B018 — read here: DRF reads it (?format=) before it can answer an error
            except TooManyFieldsSent as refused:
                # as Django logs it (django.security), answered as the API answers a body with too many fields
                logging.getLogger(f"django.security.{type(refused).__name__}").error(
                    str(refused), exc_info=refused, extra={"status_code": 400, "request": request}
                )
                return api_error(request, 400, _too_much(refused))
        response = self.get_response(request)
        if (
            response.status_code not in DJANGO_ERRORS
            or not _is_api(request)
            or isinstance(response, Response)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        why = getattr(request, "_api_refused", None) if response.status_code == 400 else None
        answer = api_error(request, response.status_code, why)
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
        return answer

    def process_exception(self, request, exception):
        """A view's body Django refused (DRF parses it in the view): why, kept for the 400 Django answers for it."""
        if _is_api(request):
            request._api_refused = _too_much(exception)
        return None  # Django answers it (and logs it) as ever


def app_router(*resources: tuple[str, type, str]) -> DefaultRouter:
    """An app's API router for its `api_urls.py`: `(prefix, viewset, basename)` each. No root view of its own:
    /api/v1/ has one root for every app (ka_portal/urls.py)."""
    router = DefaultRouter()
    router.include_root_view = False
    for prefix, viewset, basename in resources:
        router.register(prefix, viewset, basename=basename)
    return router
