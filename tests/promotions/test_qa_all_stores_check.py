"""A plan for all of a chain's stores, drafted by a rep who covers only some of them: the form's live check says the
save's refusal beside the all-stores box (services.all_stores_refusal, one wording), instead of "All promotion rules
are met." while the save then refuses it. A rep who covers every store of the chain, and the chain's manager, are
let through by both.

The world (tests/promotions/conftest.py): 沃尔玛 (WMT) with the rep's store 沃尔玛五角场店; here a second store of
another rep is added to it.
"""

import pytest
from django.utils import translation

from accounts.roles import Role
from promotions.models import PromotionPlan
from tests.factories import StoreFactory, make_user

from .test_views import form_data

pytestmark = pytest.mark.django_db


def refusal(world) -> str:
    """The save's words, the chain as it reads in English ("WMT Chain 0")."""
    return f"{world.account} has stores outside your reach: choose your stores instead of all stores."


def _slot(html: str, name: str) -> str:
    """The check's answer for one slot beside the fields (swapped in out of band)."""
    return html.split(f'id="rules-{name}" hx-swap-oob="true" class="rule-slot">')[1].split("</div>\n")[0]


def _another_reps_store(world):
    other = make_user(Role.REP, username="rep_other", supervisor=world.supervisor)
    return StoreFactory(account=world.account, rep=other, name="沃尔玛徐汇店")


def _all_stores(world) -> dict:
    data = form_data(world, all_stores="on")
    data.pop("stores")
    return data


def test_the_check_says_the_saves_store_scope_refusal_beside_the_all_stores_box(client, world):
    # Given a chain with a store the rep does not cover
    _another_reps_store(world)
    client.force_login(world.rep)
    with translation.override("en"):
        REFUSAL = refusal(world)
    # When the rep ticks all its stores and the form is checked
    html = client.post("/promotions/check/", _all_stores(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Then the check says what the save would, beside the box and in the list, and not that all is well
    assert REFUSAL in _slot(html, "stores")
    assert REFUSAL in html.split('data-testid="rule-summary-list"')[1]
    assert 'data-testid="rules-ok"' not in html
    # and when they save anyway, the page refuses in the same words, beside the same box, once, and keeps nothing
    page = client.post("/promotions/new/", _all_stores(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert PromotionPlan.objects.count() == 0
    beside = page.split('id="rules-stores"')[1].split("</div>")[0]
    assert REFUSAL in beside
    assert page.count(REFUSAL) == 2  # beside the box, and in the panel's list


def test_the_check_speaks_chinese_as_the_save_does(client, world):
    _another_reps_store(world)
    client.force_login(world.rep)

    html = client.post("/promotions/check/", _all_stores(world), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    with translation.override("zh-hans"):
        from promotions.services import all_stores_refusal

        said = all_stores_refusal(world.rep, world.account).detail
    assert said in _slot(html, "stores")
    assert "符合全部促销规则" not in html


def test_choosing_their_own_store_instead_clears_the_message(client, world):
    _another_reps_store(world)
    client.force_login(world.rep)

    html = client.post("/promotions/check/", form_data(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert _slot(html, "stores") == ""
    assert 'data-testid="rules-ok"' in html


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_who_covers_every_store_of_the_chain_may_plan_all_of_them(client, world, who):
    # Given the rep covers the chain's one store, and the manager owns the chain
    user = getattr(world, who)
    client.force_login(user)
    # When they tick all its stores
    html = client.post("/promotions/check/", _all_stores(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Then the check has nothing to say about the stores, and the save keeps the plan for all of them
    assert _slot(html, "stores") == ""
    assert "outside your reach" not in html
    response = client.post("/promotions/new/", _all_stores(world))
    assert response.status_code == 302
    assert PromotionPlan.objects.get().all_stores is True


def test_a_new_form_leaves_all_stores_unticked_for_a_rep(client, world):
    client.force_login(world.rep)

    html = client.get("/promotions/new/").content.decode()

    box = html.split('name="all_stores"')[1].split(">")[0]
    assert "checked" not in box
    assert 'id="rules-stores"' in html  # the slot the check fills beside it
