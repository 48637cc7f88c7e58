"""Static files with hashed names and compressed copies (WhiteNoise), in production and under `make run` alike.

`collectstatic` writes each file under a name carrying a hash of its content (``htmx.min.2f1c….js``), with
gzip (and brotli, when the package is installed) copies beside it; WhiteNoise serves a hashed name with
``Cache-Control: max-age=315360000, public, immutable``, so a browser fetches it once and never asks again
until the content, hence the name, changes.

Django's manifest storage gives hashed names only when DEBUG is off; this one gives them in development too
(`make run` collects before serving). Outside production a file not collected yet, or edited since the last
`collectstatic`, keeps its plain name, which WhiteNoise serves fresh from the source folders (DEBUG); in
production a file missing from the manifest is an error, as in Django's. Tests use Django's plain storage
(tests/conftest.py): they need no `collectstatic`.
"""

import os
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url(self, name, force=False):
        if not settings.PRODUCTION and not self._collected_and_fresh(name):
            return FileSystemStorage.url(self, name)
        return super().url(name, force=True)

    def _collected_and_fresh(self, name: str) -> bool:
        """Outside production: the manifest names the file, and its source is not newer than the manifest."""
        clean = urlsplit(unquote(name or "")).path.strip()
        if not clean or self.hashed_files.get(self.hash_key(clean)) is None:
            return False
        source = finders.find(clean)
        try:
            collected_at = os.path.getmtime(self.path(self.manifest_name))
            return source is not None and os.path.getmtime(source) <= collected_at
        except OSError:
            return False
