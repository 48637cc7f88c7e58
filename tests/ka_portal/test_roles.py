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


def test_a_manager_plans_routes_but_deletes_no_plan():
    # SPEC §1: a KA manager may do what a supervisor may for their accounts, supervisors plan routes; a plan holds
    # the rep's stops at other managers' stores too, so deleting a whole plan stays with the supervisor
    manager = make_user(Role.MANAGER, username="m")
    assert manager.has_perm("visits.add_routeplan") and manager.has_perm("visits.change_routeplan")
    assert not manager.has_perm("visits.delete_routeplan")
