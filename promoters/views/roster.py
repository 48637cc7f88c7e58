"""Pages of the promoters app: roster."""

urlpatterns: list = []
