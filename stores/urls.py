"""Store pages (the list and detail pages join these when the branches merge)."""

from . import urls_imports

app_name = "stores"

urlpatterns = [*urls_imports.urlpatterns]
