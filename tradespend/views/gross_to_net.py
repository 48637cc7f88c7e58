"""Trade-spend pages: gross to net (issue 12). Routes: this module's `urlpatterns`, in tradespend/urls.py."""

urlpatterns: list = []
