"""Role groups: each role's group holds its permissions; changing a role moves the user between groups."""

import pytest

from accounts.roles import GROUP_NAMES, Role
from accounts.services import user_set_role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_rep_may_log_visits_but_not_touch_payments():
    rep = make_user(Role.REP, username="r")
    assert rep.has_perm("visits.add_visit")
    assert not rep.has_perm("contracts.view_payment")
    assert not rep.has_perm("promotions.change_budget")


def test_finance_edits_payments_but_not_visits():
    fin = make_user(Role.FINANCE, username="f")
    assert fin.has_perm("contracts.change_payment")
    assert not fin.has_perm("visits.change_visit")


def test_changing_role_moves_group_and_admin_flags():
    user = make_user(Role.REP, username="u")
    user_set_role(user=user, role=Role.ADMIN)
    user.refresh_from_db()
    assert [g.name for g in user.groups.all()] == [GROUP_NAMES[Role.ADMIN]]
    assert user.is_superuser and user.is_staff
    user_set_role(user=user, role=Role.MANAGER)
    user.refresh_from_db()
    assert not user.is_superuser
    assert [g.name for g in user.groups.all()] == [GROUP_NAMES[Role.MANAGER]]
