"""Visit-evidence pages, one module per part of issue 13."""
