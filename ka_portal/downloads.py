"""Private files (contract attachments, visit photos) handed out only by views that found the record
through ka_portal/scope.py, never from a public /media/ URL: the response, the API field that links to
such a view, and the form widget that links to it."""

import mimetypes
import posixpath

from django import forms
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from rest_framework import serializers

# Shown in the browser (an <img>, the PDF viewer); anything else is saved as a file. No HTML, no SVG.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "image/webp", "image/gif"})
# What the API schema says a download may be.
DOWNLOAD_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/webp", "application/octet-stream")
# How long a browser may keep a file that never changes behind its URL (a visit photo): a day.
UNCHANGING_MAX_AGE = 24 * 3600


def stored_filename(field_file) -> str:
    """The file's own name, without the folders it is stored under."""
    return posixpath.basename(field_file.name)


def file_response(field_file, *, filename: str | None = None, max_age: int | None = None) -> FileResponse:
    """Stream a stored file, its type taken from the stored name (never sniffed from the bytes).

    404 when the record has no file or the storage has lost it. Caches may keep it only privately,
    and only `max_age` seconds for a file that never changes behind its URL (else not at all)."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    content_type, _encoding = mimetypes.guess_type(field_file.name)
    response = FileResponse(
        handle,
        as_attachment=content_type not in INLINE_TYPES,
        filename=filename or stored_filename(field_file),
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    if max_age is None:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, private=True, max_age=max_age)
    return response


class DownloadFileField(serializers.FileField):
    """Takes an upload like FileField; answers with the URL of the scoped download view (`url_name`,
    given the record's pk), never the storage's /media/ URL."""

    def __init__(self, *, url_name: str, **kwargs):
        self.url_name = url_name
        super().__init__(**kwargs)

    def to_representation(self, value):
        if not value:
            return None
        return download_url(self.url_name, value.instance.pk, stored=value.name, request=self.context.get("request"))


def download_url(url_name: str, pk, *, stored: str | None, request) -> str | None:
    """What DownloadFileField(url_name=…) answers for record `pk` whose stored file name is `stored` (none: null),
    absolute when there is a request: also what a list page written from values() rows writes (values_pages.py),
    without building the serializer's fields for it."""
    if not stored:
        return None
    url = reverse(url_name, args=[pk])
    return request.build_absolute_uri(url) if request is not None else url


class _Link:
    """What ClearableFileInput's template needs of a file: `.url` and a name to show."""

    def __init__(self, url: str, name: str):
        self.url = url
        self.name = name

    def __str__(self) -> str:
        return self.name


class DownloadLinkFileInput(forms.ClearableFileInput):
    """A file input whose "currently" link goes to the scoped download view (`url_name`), not /media/."""

    def __init__(self, *, url_name: str, attrs=None):
        self.url_name = url_name
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        instance = getattr(value, "instance", None)
        if context["widget"]["is_initial"] and instance is not None and instance.pk:
            context["widget"]["value"] = _Link(reverse(self.url_name, args=[instance.pk]), stored_filename(value))
        return context
