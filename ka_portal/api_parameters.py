"""What a GET of the API takes: the query parameters its schema documents, and no other (KnownParameters); and the
formats it answers in (?format=, ContentNegotiation).

Its own module, importing neither DRF's views nor drf-spectacular at import: DRF reads its throttle classes (settings
name KnownParameters there) while rest_framework.views itself is being imported, and ka_portal/api.py imports those.
"""

from copy import copy

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, negotiation, throttling

from .wordlists import WordList


class KnownParameters(throttling.BaseThrottle):
    """Every GET refuses a query parameter its operation does not take: a 400 naming each unknown one and listing
    those it takes, rather than the answer as if nothing had been asked (`?code=P101` on products answered every
    product, and an integration taking the first got the wrong one; `?month=2026-05` on a report of from/to answered
    its default period); one sent empty asks nothing, as an empty filter does. A list, a record, a report alike.

    What an operation takes is what its schema documents — a list's filters (FilterSet), search, ordering and
    pagination (page, page_size, cursor), `format`, and what a view declares itself with `extend_schema(parameters=…)`
    (a report's from/to, account, month…) — read where the schema reads it (ka_portal.schema.query_parameters), never
    from a list kept by hand: a parameter documented is taken, and one a view reads must be documented. An operation
    the schema leaves out (the API root, the schema itself) is not checked.

    Not a throttle: it sits in DEFAULT_THROTTLE_CLASSES because DRF runs those on every view — a plain APIView, a
    generic view, a viewset's every action — after authentication and permissions and before the handler, so no view
    has a base class or a call to forget (a view naming its own `throttle_classes` would drop it: the test of every
    GET operation, tests/ka_portal/test_api_unknown_parameters.py, would say so). It refuses or allows; it never
    slows."""

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD"):
            from .schema import query_parameters  # drf-spectacular: not at import (settings name this module)

            known = query_parameters(view, request.method)
            asked = [name for name, values in request.query_params.lists() if any(value.strip() for value in values)]
            unknown = [name for name in asked if known is not None and name not in known]
            if unknown:
                raise UnknownParameters(unknown, sorted(known), listed=_is_list(view))
        return True


def _is_list(view) -> bool:
    """A viewset's `list`, or a generic view answering GET with `list` (ListAPIView): not a record nor a report (no
    mixins imported here: rest_framework.mixins reaches DRF's views)."""
    if hasattr(view, "action"):
        return view.action == "list"
    return hasattr(view, "list")


class UnknownParameters(exceptions.ValidationError):
    """Query parameters an operation does not take: each named in `errors`, all of them in `detail`."""

    def __init__(self, unknown: list[str], known: list[str], *, listed: bool = True):
        def message(names):
            if listed:
                text = ngettext(
                    "This list takes no parameter %(unknown)s: it takes %(known)s.",
                    "This list takes no parameters %(unknown)s: it takes %(known)s.",
                    len(names),
                )
            else:  # a record, a report, a file: what the API calls an endpoint
                text = ngettext(
                    "This endpoint takes no parameter %(unknown)s: it takes %(known)s.",
                    "This endpoint takes no parameters %(unknown)s: it takes %(known)s.",
                    len(names),
                )
            return text % {"unknown": WordList(names, quoted=True, conjunction=True), "known": ", ".join(known)}

        super().__init__({name: [message([name])] for name in unknown})
        self.summary = message(unknown)


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """DRF's, but a ?format= the endpoint does not answer in is a 400 naming `format` and those it answers in, rather
    than a 404 "Not found." that reads as a wrong address (a .suffix is part of the address: still 404). The schema
    documents the same formats (ka_portal.schema.AutoSchema). On a list whose filters have their own `format` (key
    accounts by their format: hypermarket, supermarket, …) ?format= is that filter, which DRF took for a renderer
    (404), and the answer's format is the Accept header's."""

    def select_renderer(self, request, renderers, format_suffix=None):
        negotiator = self
        if filters_by_format(getattr(request, "parser_context", {}).get("view")):
            negotiator = copy(self)
            negotiator.settings = _NoFormatParameter
        try:
            return negotiation.DefaultContentNegotiation.select_renderer(negotiator, request, renderers, format_suffix)
        except Http404:
            if format_suffix:
                raise  # a suffix is part of the address: one the endpoint does not answer in is not found
            asked = request.query_params.get(self.settings.URL_FORMAT_OVERRIDE, "")
            formats = list(dict.fromkeys(renderer.format for renderer in renderers if renderer.format))
            message = _("“%(value)s” is not a format this endpoint answers in: it answers in %(formats)s.") % {
                "value": asked[:40],
                "formats": WordList(formats, quoted=True),
            }
            raise exceptions.ValidationError({self.settings.URL_FORMAT_OVERRIDE or "format": [message]}) from None


class _NoFormatParameter:
    URL_FORMAT_OVERRIDE = None


def filters_by_format(view) -> bool:
    """Whether the view is a list whose FilterSet has a filter of its own named as DRF's ?format= (it then filters by
    it; a record of the same viewset takes ?format= as every other)."""
    filterset_class = getattr(view, "filterset_class", None)
    return filterset_class is not None and _is_list(view) and "format" in getattr(filterset_class, "base_filters", {})
