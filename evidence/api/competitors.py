"""API: filled in by the part of issue 13 this module is named after."""

routes = []  # (prefix, viewset, basename) for the app router
urlpatterns = []
