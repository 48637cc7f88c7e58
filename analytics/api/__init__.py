"""Analysis API, one module per analysis (each has `routes` and `urlpatterns`, gathered by analytics/api_urls.py)."""
