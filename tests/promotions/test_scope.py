"""promotion_plans_for(user): who reaches which promotion plans."""

import pytest

from accounts.roles import Role
from ka_portal.scope import promotion_plans_for
from promotions.services import promotion_save_draft, promotion_submit
from tests.factories import StoreFactory, make_user

from .conftest import plan_input

pytestmark = pytest.mark.django_db


def test_each_role_reaches_its_plans(world, finance):
    draft = promotion_save_draft(user=world.rep, data=plan_input(world, title="草稿"))
    whole = promotion_save_draft(user=world.manager, data=plan_input(world, title="全系统", all_stores=True, stores=[]))
    other_rep = make_user(Role.REP, username="rep_other")
    other_store = StoreFactory(account=world.account, rep=other_rep)
    elsewhere = promotion_save_draft(user=other_rep, data=plan_input(world, title="别店", stores=[other_store]))
    stranger_manager = make_user(Role.MANAGER, username="mgr_other")

    # A manager's drafts for the whole account are not shown to reps until submitted
    assert set(promotion_plans_for(world.rep)) == {draft}
    promotion_submit(plan=whole, by=world.manager)
    assert set(promotion_plans_for(world.rep)) == {draft, whole}
    assert set(promotion_plans_for(world.supervisor)) == {draft, whole}
    assert set(promotion_plans_for(other_rep)) == {elsewhere, whole}
    assert set(promotion_plans_for(world.manager)) == {draft, whole, elsewhere}
    assert set(promotion_plans_for(finance)) == {draft, whole, elsewhere}
    assert set(promotion_plans_for(stranger_manager)) == set()
