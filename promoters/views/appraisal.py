"""Pages of the promoters app: appraisal."""

urlpatterns: list = []
