"""Shared scenario pieces for the contracts tests."""

import pytest

from tests.factories import KeyAccountFactory


@pytest.fixture
def account(db, manager):
    return KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
