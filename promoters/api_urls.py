"""The promoters API, included under /api/v1/ by ka_portal/urls.py."""

from ka_portal.api import app_router

from .api import appraisal, attendance, phone, roster

_parts = (roster, phone, attendance, appraisal)

router = app_router(*(route for part in _parts for route in part.routes))
urlpatterns = [*router.urls, *(pattern for part in _parts for pattern in part.urlpatterns)]
