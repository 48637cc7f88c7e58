"""Factories for the sell-out figures' tests (issue 16, part `numbers`): promoters, shifts and sell-out lines made
directly, as the phone's report service would leave them."""

from datetime import date, datetime, time, timedelta

import factory
from django.utils import timezone

from promoters.models import Promoter, SellOutLine, Shift
from tests.factories import StoreFactory, UserFactory


class NumbersPromoterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promoter

    code = factory.Sequence(lambda n: f"PRN{n:04d}")
    name = factory.Sequence(lambda n: f"导购{n}")
    supervisor = factory.SubFactory(UserFactory)
    daily_fee = 150
    started_on = date(2024, 1, 1)


class NumbersShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    promoter = factory.SubFactory(NumbersPromoterFactory)
    store = factory.SubFactory(StoreFactory)
    day = factory.LazyFunction(date.today)
    starts_at = time(9)
    ends_at = time(17)


def closing(day: date, hour: int = 17, minute: int = 0) -> datetime:
    """A moment on the day, local time."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def shift_at(store, day: date, promoter=None, **fields) -> Shift:
    """The store's shift on the day (one promoter a store unless told otherwise)."""
    promoter = promoter or Promoter.objects.filter(code=f"PR-{store.code}").first()
    if promoter is None:
        promoter = NumbersPromoterFactory(code=f"PR-{store.code}")
    shift = Shift.objects.filter(promoter=promoter, store=store, day=day).first()
    return shift or NumbersShiftFactory(promoter=promoter, store=store, day=day, **fields)


def sold(store, product, day: date, units: int, *, shelf_stock=None, price=None, promoter=None, at=None):
    """A sell-out line: `units` packs of the product sold at the store on the day, reported at the shift's close."""
    shift = shift_at(store, day, promoter=promoter)
    return SellOutLine.objects.create(
        shift=shift,
        product=product,
        units=units,
        shelf_stock=shelf_stock,
        price_seen=price,
        reported_at=at or closing(day),
    )


def sold_daily(store, product, first: date, days: int, units: int, **fields) -> None:
    """The same sale reported on `days` consecutive days from `first`."""
    for n in range(days):
        sold(store, product, first + timedelta(days=n), units, **fields)
