"""Trade-spend pages: remittances (issue 12). Routes are this module's `urlpatterns`, included by tradespend/urls.py."""

urlpatterns: list = []
