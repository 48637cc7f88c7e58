"""Trade-spend pages: matching (issue 12). Routes are this module's `urlpatterns`, included by tradespend/urls.py."""

urlpatterns: list = []
