"""Trade-spend pages: gross_to_net (issue 12). Routes are this module's `urlpatterns`, included by tradespend/urls.py."""

urlpatterns: list = []
