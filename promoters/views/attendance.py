"""Pages of the promoters app: attendance."""

urlpatterns: list = []
