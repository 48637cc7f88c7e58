"""Trade-spend API: matching (issue 12). `routes` (prefix, viewset, basename) go into tradespend/api_urls.py's router;
`urlpatterns` are this module's other endpoints."""

routes: list = []
urlpatterns: list = []
