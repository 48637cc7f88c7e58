"""Import tests read messages in English unless a test asks for Chinese (translation.override)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
