"""Visit-evidence API, one module per part of issue 13."""
