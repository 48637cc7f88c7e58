"""The promoters API: appraisal."""

routes: list = []  # (prefix, viewset, basename) registered on the app's router
urlpatterns: list = []
