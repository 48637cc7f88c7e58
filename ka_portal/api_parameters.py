"""What a GET of the API takes: the query parameters its schema documents, and no other (KnownParameters).

Its own module, importing neither DRF's views nor drf-spectacular at import: DRF reads its throttle classes (settings
name KnownParameters there) while rest_framework.views itself is being imported, and ka_portal/api.py imports those.
"""

from django.utils.translation import ngettext
from rest_framework import exceptions, throttling

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
