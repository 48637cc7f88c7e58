"""Test data for a promoter's day (the `phone` part of issue 16): a supervisor, a promoter with a login, a store
with a position and two listed products, and shifts."""

from datetime import date, time
from decimal import Decimal
from types import SimpleNamespace

import factory
from django.utils import timezone

from accounts.roles import Role
from promoters.models import Promoter, SellOutLine, Shift
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

# The demo store's position (Shanghai, People's Square) and one 50 m and one 2 km from it.
STORE_AT = (Decimal("31.230416"), Decimal("121.473701"))
NEAR = (Decimal("31.230800"), Decimal("121.473900"))
FAR = (Decimal("31.248000"), Decimal("121.473701"))


class PromoterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promoter

    code = factory.Sequence(lambda n: f"PH{n:03d}")
    name = factory.Sequence(lambda n: f"导购{n}")
    supervisor = factory.LazyFunction(lambda: make_user(Role.SUPERVISOR))
    daily_fee = Decimal("200.00")
    started_on = date(2026, 1, 1)


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    promoter = factory.SubFactory(PromoterFactory)
    store = factory.SubFactory(StoreFactory)
    day = date(2026, 6, 1)
    starts_at = time(9, 0)
    ends_at = time(17, 0)


class SellOutLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellOutLine

    shift = factory.SubFactory(ShiftFactory)
    product = factory.SubFactory(ProductFactory)
    units = 5
    reported_at = factory.LazyFunction(timezone.now)


def promoter_user(supervisor, *, username=None, stores=(), code=None):
    """A promoter with a login (role `promoter`) led by `supervisor`, allowed at `stores`."""
    user = make_user(Role.PROMOTER, **({"username": username} if username else {}))
    promoter = PromoterFactory(user=user, supervisor=supervisor, **({"code": code} if code else {}))
    promoter.stores.set(stores)
    return user, promoter


def phone_world(*, day=date(2026, 6, 1)) -> SimpleNamespace:
    """A supervisor with a rep's store (positioned, two listed products: beer in cases of 12, chips of 24), a
    promoter there with a shift from 9:00 to 17:00 on `day`, and a second promoter at a second store."""
    supervisor = make_user(Role.SUPERVISOR, username="ph_sup")
    rep = make_user(Role.REP, username="ph_rep", supervisor=supervisor)
    manager = make_user(Role.MANAGER, username="ph_mgr")
    finance = make_user(Role.FINANCE, username="ph_fin")
    admin = make_user(Role.ADMIN, username="ph_admin", is_staff=True, is_superuser=True)
    account = KeyAccountFactory(code="PHA", name="导购连锁", owner=manager)
    store = StoreFactory(
        account=account, rep=rep, code="PH01", name="导购一店", address="人民大道 1 号",
        latitude=STORE_AT[0], longitude=STORE_AT[1],
    )  # fmt: skip
    other_store = StoreFactory(
        account=account, rep=rep, code="PH02", name="导购二店", latitude=FAR[0], longitude=FAR[1]
    )
    beer = ProductFactory(code="PHB", name="纯生啤酒", packs_per_case=12)
    chips = ProductFactory(code="PHC", name="薯片", packs_per_case=24)
    unlisted = ProductFactory(code="PHX", name="未上架")
    for product in (beer, chips):
        ListingFactory(store=store, product=product)
    ListingFactory(store=other_store, product=unlisted)
    user, promoter = promoter_user(supervisor, username="ph_promoter", stores=[store], code="PH-P1")
    other_user, other_promoter = promoter_user(supervisor, username="ph_promoter2", stores=[other_store], code="PH-P2")
    shift = ShiftFactory(promoter=promoter, store=store, day=day)
    other_shift = ShiftFactory(promoter=other_promoter, store=other_store, day=day)
    return SimpleNamespace(
        supervisor=supervisor, rep=rep, manager=manager, finance=finance, admin=admin, account=account,
        store=store, other_store=other_store, beer=beer, chips=chips, unlisted=unlisted,
        user=user, promoter=promoter, other_user=other_user, other_promoter=other_promoter,
        shift=shift, other_shift=other_shift,
    )  # fmt: skip


def checked_in_phone_world() -> SimpleNamespace:
    """`phone_world` with its promoter checked in at the store (on the clock the caller set: 08:55 on the shift's
    day), and `api`, the promoter's API client."""
    from django.urls import reverse
    from rest_framework.test import APIClient

    world = phone_world()
    api = APIClient()
    api.force_authenticate(world.user)
    api.post(reverse("shift-check-in", args=[world.shift.pk]),
             {"latitude": str(NEAR[0]), "longitude": str(NEAR[1])}, format="json")  # fmt: skip
    world.api = api
    return world
