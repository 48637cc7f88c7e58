"""Trade-spend API: gross_to_net (issue 12).

`routes` (prefix, viewset, basename) go into the router of tradespend/api_urls.py; `urlpatterns` are
this module's other endpoints."""

routes: list = []
urlpatterns: list = []
