"""Analysis pages, one module per analysis (each has its `urlpatterns`, gathered by analytics/urls.py)."""
