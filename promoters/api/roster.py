"""The promoters API: roster."""

routes: list = []  # (prefix, viewset, basename) registered on the app's router
urlpatterns: list = []
