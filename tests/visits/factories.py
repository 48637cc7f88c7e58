"""Factories for the visits app's models."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.roles import Role
from stores.models import Listing
from tests.factories import ListingFactory, ProductFactory, StoreFactory, UserFactory, make_user
from visits.models import ChecklistResult, RoutePlan, RouteStop, StockCount, SuggestedOrder, Task, Visit


def rep_with_listed_store(username: str, products: int):
    """(rep, store, products): a rep's store listing `products` products of 12 packs a case."""
    rep = make_user(Role.REP, username=username)
    store = StoreFactory(rep=rep)
    listed = [ProductFactory(packs_per_case=12) for _ in range(products)]
    for product in listed:
        ListingFactory(store=store, product=product)
    return rep, store, listed


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

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """As a run writes it: a row for a day supersedes the pair's row in force then, and is in force itself until
        that row's end (or the pair's next row); so rows made for several days read as several nights' results."""
        if "superseded_on" not in kwargs:
            pair = model_class.objects.filter(store=kwargs["store"], product=kwargs["product"])
            day = kwargs["date"]
            before = pair.in_force_on(day).first()
            if before is not None:
                kwargs["superseded_on"] = before.superseded_on
                pair.filter(pk=before.pk).update(superseded_on=day)
            else:
                later = pair.filter(date__gt=day).order_by("date").first()
                kwargs["superseded_on"] = later.date if later else None
        return super()._create(model_class, *args, **kwargs)


def complete_visit(
    visit: Visit, *, result: str = "pass", packs: int = 12, stock: dict | None = None, not_counted=()
) -> Visit:
    """Do what a visit must have before it may be checked out (visits/completeness.py), through the service:
    every checklist item answered (`result`), every listed product counted (`packs`, or `stock`'s own count
    per product id) unless its id is in `not_counted`, and a check-in position (the store's, or Shanghai's)."""
    from visits import services

    if visit.latitude is None or visit.longitude is None:
        store = visit.store
        Visit.objects.filter(pk=visit.pk).update(
            latitude=store.latitude or Decimal("31.230000"), longitude=store.longitude or Decimal("121.470000")
        )
    listed = Listing.objects.filter(store=visit.store, active=True).values_list("product_id", flat=True)
    counts = {product: packs for product in listed if product not in not_counted} | (stock or {})
    return services.visit_record(
        visit=visit,
        checklist=dict.fromkeys(ChecklistResult.Item.values, result),
        stock=counts,
        not_counted=dict.fromkeys(not_counted, True),
    )
