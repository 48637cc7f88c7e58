"""Pages of the promoters app: phone."""

urlpatterns: list = []
