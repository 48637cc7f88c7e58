"""Import tests read messages in English unless a test asks for Chinese (translation.override)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs the work a request queued for after its commit (the import job), inside the test's transaction."""
    return django_capture_on_commit_callbacks
