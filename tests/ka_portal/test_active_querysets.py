"""`.active()`: the one spelling of "not switched off" for key accounts, stores, products and listings."""

import pytest

from accounts.models import KeyAccount
from accounts.roles import Role
from ka_portal.scope import stores_for
from stores.models import Listing, Product, Store
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "factory"),
    [(KeyAccount, KeyAccountFactory), (Store, StoreFactory), (Product, ProductFactory), (Listing, ListingFactory)],
)
def test_active_leaves_out_what_was_switched_off(model, factory):
    kept = factory()
    factory(active=False)

    assert list(model.objects.active()) == [kept]


def test_active_chains_after_a_scope_selector_and_on_a_relation():
    rep = make_user(Role.REP)
    account = KeyAccountFactory()
    open_store = StoreFactory(account=account, rep=rep)
    StoreFactory(account=account, rep=rep, active=False)
    StoreFactory(account=account)  # someone else's

    assert list(stores_for(rep).active()) == [open_store]
    assert list(account.stores.active().filter(rep=rep)) == [open_store]
