import pytest

from accounts.roles import Role
from tests.factories import make_user


@pytest.fixture
def remit_finance(db):
    return make_user(Role.FINANCE)
