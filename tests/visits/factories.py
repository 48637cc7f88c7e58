"""Factories for the visits app's models."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from tests.factories import StoreFactory, UserFactory
from visits.models import RoutePlan, RouteStop, StockCount, SuggestedOrder, Task, Visit


def this_monday() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


class RoutePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutePlan

    rep = factory.SubFactory(UserFactory)
    week_start = factory.LazyFunction(this_monday)
    status = RoutePlan.Status.PUBLISHED


class RouteStopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RouteStop

    plan = factory.SubFactory(RoutePlanFactory)
    day = 0
    position = factory.Sequence(lambda n: n)
    store = factory.SubFactory(StoreFactory)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    rep = factory.SubFactory(UserFactory)
    store = factory.SubFactory(StoreFactory, rep=factory.SelfAttribute("..rep"))
    checked_in_at = factory.LazyFunction(timezone.now)


class StockCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockCount

    visit = factory.SubFactory(VisitFactory)
    product = factory.SubFactory("tests.factories.ProductFactory")
    packs = 12


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    store = factory.SubFactory(StoreFactory)
    title = "检查端架陈列"
    due_on = factory.LazyFunction(timezone.localdate)
    assigned_by = factory.SubFactory(UserFactory)


class SuggestedOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuggestedOrder

    store = factory.SubFactory(StoreFactory)
    product = factory.SubFactory("tests.factories.ProductFactory")
    date = factory.LazyFunction(timezone.localdate)
    current_packs = 12
    suggested_packs = 12
    suggested_cases = 1
