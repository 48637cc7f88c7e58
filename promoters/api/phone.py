"""The promoters API: phone."""

routes: list = []  # (prefix, viewset, basename) registered on the app's router
urlpatterns: list = []
