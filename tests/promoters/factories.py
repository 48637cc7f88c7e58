"""Factories of the promoters app (issue 16), shared by every part's tests: a promoter on the roster with their
stores, a shift, a sell-out line and a monthly target. Build the scenario in the test; defaults are plain."""

from datetime import date, time
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.roles import Role
from promoters.models import Promoter, PromoterTarget, SellOutLine, Shift
from tests.factories import ProductFactory, StoreFactory, make_user


class PromoterFactory(factory.django.DjangoModelFactory):
    """A promoter paid by the day, on the roster from 2026-01-01, led by a new supervisor. Pass `stores=[…]`."""

    class Meta:
        model = Promoter
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"PR{n:04d}")
    name = factory.Sequence(lambda n: f"导购{n}")
    phone = factory.Sequence(lambda n: f"1390000{n:04d}")
    kind = Promoter.Kind.PROMOTER
    employer = Promoter.Employer.MAKER
    supervisor = factory.LazyFunction(lambda: make_user(Role.SUPERVISOR))
    daily_fee = Decimal("180.00")
    monthly_pay = None
    started_on = date(2026, 1, 1)

    @factory.post_generation
    def stores(self, create, extracted, **kwargs):
        if create and extracted:
            self.stores.set(extracted)


def make_promoter(*, stores=(), login: str | None = None, **fields) -> Promoter:
    """A promoter at `stores`, with a login of role promoter named `login` when given."""
    if login is not None:
        fields["user"] = make_user(Role.PROMOTER, username=login)
    return PromoterFactory(stores=list(stores), **fields)


class ShiftFactory(factory.django.DjangoModelFactory):
    """A shift 09:00–18:00; give `promoter` and `store` (the promoter's), or get a new pair."""

    class Meta:
        model = Shift

    store = factory.SubFactory(StoreFactory)
    promoter = factory.LazyAttribute(lambda o: PromoterFactory(stores=[o.store]))
    day = date(2026, 11, 23)
    starts_at = time(9, 0)
    ends_at = time(18, 0)


class SellOutLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellOutLine

    shift = factory.SubFactory(ShiftFactory)
    product = factory.SubFactory(ProductFactory)
    units = 10
    reported_at = factory.LazyFunction(timezone.now)


class PromoterTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromoterTarget

    promoter = factory.SubFactory(PromoterFactory)
    month = date(2026, 11, 1)
    amount = Decimal("30000.00")
