import pytest
from django.utils import translation


@pytest.fixture
def in_english(client, api_client):
    """Pages, the API and what runs in the test's own thread (a service, an import's job) answer in English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
