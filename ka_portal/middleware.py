"""Requests that write do it all or not at all, and input a page cannot read is a 400 with a message, not a 500.

Why not ``ATOMIC_REQUESTS``: it puts reads in a transaction too, and on SQLite (``transaction_mode``
IMMEDIATE) every transaction takes the write lock, so every page view would queue behind every other.
And a refused sign-in must keep what django-axes wrote about it, so sign-in runs outside (see below).
"""

import functools
import gzip
import secrets

from django.core.exceptions import BadRequest
from django.db import transaction
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string
from django.utils.translation import gettext as _

# Sign-in records failed attempts (login throttling) that a refused attempt must not roll back.
NON_ATOMIC_URL_NAMES = frozenset({"login", "api-token"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class BadInput(BadRequest):
    """A value in the request (a query parameter, a form field) that cannot be read; the message says which."""


def _exempt(request) -> bool:
    return _exempt_path(request.path_info)


@functools.lru_cache(maxsize=4096)
def _exempt_path(path: str) -> bool:
    """Resolved once a path per process: the middleware runs before Django resolves the request itself."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.url_name in NON_ATOMIC_URL_NAMES or "default" in getattr(match.func, "_non_atomic_requests", ())


class AtomicWritesMiddleware:
    """POST, PUT, PATCH and DELETE run in one transaction, rolled back when the request is refused or fails.

    The API's exception handler marks the rollback for a refusal it answers (4xx); an exception that
    escapes a view, or any 5xx answer, rolls back here. Work queued with ``transaction.on_commit``
    (Celery tasks) runs once the request's transaction has committed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS or _exempt(request):
            return self.get_response(request)
        with transaction.atomic():
            request.atomic_writes = True
            response = self.get_response(request)
            if response.status_code >= 500 or getattr(request, "roll_back_writes", False):
                transaction.set_rollback(True)
        return response

    def process_exception(self, request, exception):
        # Marked once the answer is drawn: a refusal's page (403.html, 404.html, 400.html) has the menu, which reads
        # the database, and no query may run in a transaction already marked to roll back.
        request.roll_back_writes = True
        if isinstance(exception, BadInput):
            return bad_input_page(request, str(exception))
        if isinstance(exception, OverflowError):
            # A number too large for the database (e.g. a 40-digit id in a filter): the input's fault.
            return bad_input_page(request, _("A number in the request is too large."))
        return None


def bad_input_page(request, message: str):
    return render(request, "400.html", {"message": message}, status=400)


class PageGZipMiddleware(GZipMiddleware):
    """Pages and API answers (HTML, JSON, text) go gzip-compressed to a client that accepts it: Django's
    middleware, with its BREACH mitigation (random bytes in the gzip header). Files go as they are: static ones
    have WhiteNoise's own compressed copies, and photos, Excel workbooks and PDFs are compressed already."""

    COMPRESSIBLE = ("text/", "application/json", "application/problem+json", "application/vnd.oai.openapi")

    def process_response(self, request, response):
        if response.streaming or not response.get("Content-Type", "").startswith(self.COMPRESSIBLE):
            return response
        gzipped = getattr(response, "gzipped", None)
        if gzipped is None or len(response.content) < 200 or response.has_header("Content-Encoding"):
            return super().process_response(request, response)
        # A kept API list page (ka_portal/api_cache.py) was compressed once, when it was kept: Django's steps but
        # the compression, the random bytes (BREACH) still new in every answer.
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = _named(gzipped, self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response


def gzip_once(content: bytes) -> bytes:
    """`content` compressed as PageGZipMiddleware compresses it, but for the random name each answer gets: to keep
    beside a page answered many times (set as the response's `gzipped`)."""
    return compress_string(content)


def _named(gzipped: bytes, max_random_bytes: int) -> bytes:
    """django.utils.text.compress_string's random file name (up to `max_random_bytes`) put into a gzip_once body."""
    header = bytearray(gzipped[:10])
    header[3] = gzip.FNAME
    return bytes(header) + b"a" * secrets.randbelow(max_random_bytes) + b"\x00" + gzipped[10:]
