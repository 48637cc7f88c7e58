"""Scope: who reaches which stores and accounts, the rule every page and API view starts from."""

import pytest

from accounts.roles import Role
from ka_portal import scope
from tests.factories import KeyAccountFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    manager = make_user(Role.MANAGER, username="m1")
    other_manager = make_user(Role.MANAGER, username="m2")
    sup = make_user(Role.SUPERVISOR, username="s1")
    rep1 = make_user(Role.REP, username="r1", supervisor=sup)
    rep2 = make_user(Role.REP, username="r2", supervisor=sup)
    outsider = make_user(Role.REP, username="r3")
    mine = KeyAccountFactory(owner=manager)
    theirs = KeyAccountFactory(owner=other_manager)
    stores = {
        "r1": StoreFactory(account=mine, rep=rep1),
        "r2": StoreFactory(account=mine, rep=rep2),
        "r3": StoreFactory(account=theirs, rep=outsider),
    }
    return locals()


def test_rep_reaches_only_own_stores(company):
    assert list(scope.stores_for(company["rep1"])) == [company["stores"]["r1"]]
    assert list(scope.accounts_for(company["rep1"])) == [company["mine"]]


def test_supervisor_reaches_team_stores_only(company):
    stores = set(scope.stores_for(company["sup"]))
    assert stores == {company["stores"]["r1"], company["stores"]["r2"]}


def test_manager_reaches_owned_accounts_and_their_stores(company):
    assert list(scope.accounts_for(company["manager"])) == [company["mine"]]
    assert company["stores"]["r3"] not in scope.stores_for(company["manager"])


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMIN])
def test_finance_and_admin_reach_everything(company, role):
    user = make_user(role, username=f"all_{role}")
    assert scope.stores_for(user).count() == 3
    assert scope.accounts_for(user).count() == 2


def test_finance_scope_excludes_reps(company):
    assert not scope.finance_accounts_for(company["rep1"]).exists()
    assert list(scope.finance_accounts_for(company["manager"])) == [company["mine"]]


def test_user_without_profile_reaches_nothing(db):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="x-12345678")
    assert not scope.stores_for(nobody).exists()
    assert not scope.accounts_for(nobody).exists()
