"""API list pages kept while the tables they were read from stand still (issue 17 item 3).

A list page costs its queries, a values() row or a model instance per record, and the JSON of fifty records (a page
of visits with their counts and photos is 85 KB); most requests for it — phones refreshing, an integration polling —
ask again for the same page before anything in it changed. `CachedListMixin` keeps each rendered page in this
process's memory (the `api_lists` cache) beside the revisions (ka_portal/table_revisions.py) of every table its
queries read, and answers a repeat with the same bytes after one query that finds those revisions unchanged.

What a page depends on is not declared but seen: every statement the request runs from authentication on is read for
the project's table names, so a serializer that starts reading another table is covered the day it does. A page is
kept only when all it read can be checked: every table has revision triggers (or is IGNORED: tokens, sessions), every
query went to the default database (a replica's lag would let an old page be kept under a new revision), the answer is
a 200 in JSON, and it is at most MAX_BYTES. The key holds everything else the answer depends on: the user, the path
and its query, the language, the renderer, the day (lists compute "as of today": overdue, status today) and the
settings (settings.KA). The revisions are read before the page's first query, so a page is never older than the
revisions it is kept under; a write committed while it was being read only costs a miss next time. They are read once
the answer is known to be JSON (a browsable-API page reads none), and only those of the tables the view's pages read
so far: a repeat checks its kept page's, and a page that reads a table whose revision was not read is not kept (the
view's next request reads that one too).

A kept page is kept gzip-compressed too (ka_portal/middleware.py): a hit is not compressed again. A kept page carries
an ETag: a client that sends it back in If-None-Match while the page stands gets 304 and no body
(a phone on a slow network re-reads nothing). Authentication, permissions and throttling run on every request,
before the cache is asked: a revoked token, a role that lost a permission or a user switched off answer as before.
Scope is part of the page (its queries read the profile, the team, the accounts) and so of its tables.
"""

import functools
import hashlib
import re

from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag

from . import auth_backends, config, table_revisions
from .auth_backends import TABLES as PERMISSION_TABLES
from .middleware import gzip_once

CACHE = "api_lists"
MAX_BYTES = 512 * 1024
HIT_HEADER = "X-List-Cache"  # "hit" or "miss": what the tests and the benchmark read
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Capture:
    """The tables the request's statements name, and whether any went elsewhere than the default database."""

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.elsewhere = False
        self._installed: list[tuple] = []

    def _default(self, execute, sql, params, many, context):
        self.words.update(_WORD.findall(sql))
        return execute(sql, params, many, context)

    def _other(self, execute, sql, params, many, context):
        self.elsewhere = True
        return execute(sql, params, many, context)

    def start(self) -> None:
        for alias in settings.DATABASES:
            wrapper = self._default if alias == "default" else self._other
            connections[alias].execute_wrappers.append(wrapper)
            self._installed.append((alias, wrapper))

    def stop(self) -> None:
        for alias, wrapper in self._installed:
            wrappers = connections[alias].execute_wrappers
            if wrapper in wrappers:
                wrappers.remove(wrapper)
        self._installed = []


def _key(request) -> str:
    query = "&".join(sorted(request.GET.urlencode().split("&")))
    text = "|".join(
        (
            str(request.user.pk),
            request.path,
            query,
            translation.get_language() or "",
            request.accepted_renderer.format,
            timezone.localdate().isoformat(),
            config.fingerprint(),
        )
    )
    return "list:" + hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _project_tables() -> frozenset[str]:
    return frozenset(connection.introspection.django_table_names())


# The tables each list view's kept pages read (IGNORED left out), in this process: the revisions a request for it
# reads before it knows whether it will be answered from memory or built.
_tables_read: dict[type, frozenset[str]] = {}


class CachedListMixin:
    """For a viewset's `list`: answer a repeated request from the page kept under the same revisions."""

    list_cache = True  # a list whose answer depends on more than its tables and the key turns it off

    def initial(self, request, *args, **kwargs):
        self._list_capture = None
        # A viewset's list action, or a generic list view (no actions, a `list` for GET).
        action = getattr(self, "action", "list" if hasattr(self, "list") else None)
        self._list_wanted = self.list_cache and settings.API_LIST_CACHE and request.method == "GET" and action == "list"
        super().initial(request, *args, **kwargs)

    def perform_authentication(self, request):
        # After content negotiation (only JSON is kept: the browsable API reads no revisions), before any statement
        # of the request (authentication and permissions read the user and the profile too): whatever the page reads
        # is at least as new as these revisions. Read are the tables this view's pages read so far (all of them the
        # first time): a repeat compares its kept page's; a page that reads another table is not kept this time, and
        # the next request reads that table's revision too.
        if self._list_wanted and request.accepted_renderer.format == "json":
            self._list_wanted = False
            tables = _tables_read.get(type(self))
            with connection.cursor() as cursor:
                self._list_revisions, own_writes = table_revisions.read_with_own(cursor, tables)
            self._list_capture = _Capture()
            self._list_capture.start()
            super().perform_authentication(request)
            # the permission check takes the auth tables' revisions from this read (they are among a page's tables)
            auth_backends.revisions_read(request.user, self._list_revisions, own_writes)
            return
        super().perform_authentication(request)

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:  # an error answered or raised: the connection keeps no wrapper of this request
            capture = getattr(self, "_list_capture", None)
            if capture is not None:
                capture.stop()

    def list(self, request, *args, **kwargs):
        capture = getattr(self, "_list_capture", None)
        if capture is None:
            return super().list(request, *args, **kwargs)
        self._list_key = _key(request)
        kept = caches[CACHE].get(self._list_key)
        if kept is not None:
            depends, content, content_type, etag, gzipped = kept
            if all(self._list_revisions.get(table) == revision for table, revision in depends.items()):
                capture.stop()
                self._list_capture = None
                response = HttpResponse(content, content_type=content_type)
                response.gzipped = gzipped  # the middleware sends these bytes, not compressing the page again
                response[HIT_HEADER] = "hit"
                response["ETag"] = etag
                # A phone that has this page already is told so, and sends nothing back: 304.
                return get_conditional_response(request, etag=etag, response=response)
        return super().list(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        capture = getattr(self, "_list_capture", None)
        if capture is None:
            return response
        capture.stop()
        self._list_capture = None
        if response.status_code != 200 or capture.elsewhere or not hasattr(self, "_list_key"):
            return response
        response.render()
        response[HIT_HEADER] = "miss"
        revisions = self._list_revisions
        # The permission checks may have taken the user's set from memory (ka_portal/auth_backends.py), reading none of
        # its tables: the page depends on them as when it read them.
        tables = (capture.words & _project_tables() | PERMISSION_TABLES) - table_revisions.IGNORED
        known = _tables_read.get(type(self), frozenset())
        if not tables <= known:
            _tables_read[type(self)] = known | tables
        if tables - revisions.keys() or len(response.content) > MAX_BYTES:
            return response  # a table whose revision was not read or has none (or too big an answer): not kept
        depends = {table: revisions[table] for table in tables}
        etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        response["ETag"] = etag
        response.gzipped = gzip_once(response.content)
        entry = (depends, response.content, response["Content-Type"], etag, response.gzipped)
        caches[CACHE].set(self._list_key, entry)
        return response
