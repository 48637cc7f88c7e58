"""Factories for promotions' models (shared ones come from tests.factories)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from promotions.models import Budget, PromotionItem, PromotionPlan, PromotionType
from tests.factories import KeyAccountFactory, ProductFactory, UserFactory

# The five types with SPEC §5's norms (in-store may run two periods; crazy price 1–3 days; DM 14).
TYPE_NORMS = {
    "in_store": {"name": "店促", "typical_price_ratio": "0.90", "max_days": 56, "periods_allowed": 2, "share": "0.04"},
    "dm": {"name": "DM", "typical_price_ratio": "0.80", "max_days": 14, "periods_allowed": 1, "share": "0.07"},
    "crazy_price": {
        "name": "疯狂价",
        "typical_price_ratio": "0.65",
        "max_days": 3,
        "periods_allowed": 1,
        "share": None,
    },
    "clearance": {
        "name": "下架促销",
        "typical_price_ratio": None,
        "max_days": None,
        "periods_allowed": 1,
        "share": None,
    },
    "bundle": {"name": "买赠", "typical_price_ratio": "0.666", "max_days": 14, "periods_allowed": 1, "share": None},
}


def promotion_type(kind: str) -> PromotionType:
    norms = TYPE_NORMS[kind]
    ratio = norms["typical_price_ratio"]
    share = norms["share"]
    return PromotionType.objects.get_or_create(
        code=kind.upper(),
        defaults={
            "kind": kind,
            "name": norms["name"],
            "typical_price_ratio": Decimal(ratio) if ratio else None,
            "max_days": norms["max_days"],
            "periods_allowed": norms["periods_allowed"],
            "company_share": Decimal(share) if share else None,
        },
    )[0]


class PromotionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromotionPlan

    account = factory.SubFactory(KeyAccountFactory)
    type = factory.LazyFunction(lambda: promotion_type("in_store"))
    title = factory.Sequence(lambda n: f"促销{n}")
    start_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    end_on = factory.LazyAttribute(lambda o: o.start_on + timedelta(days=13))
    owner = factory.SubFactory(UserFactory)


class PromotionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromotionItem

    plan = factory.SubFactory(PromotionPlanFactory)
    product = factory.SubFactory(ProductFactory)
    normal_price = Decimal("5.00")
    promotion_price = Decimal("4.50")
    forecast_volume = 100


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    account = factory.SubFactory(KeyAccountFactory)
    period_start = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))  # this month in Shanghai
    period_end = factory.LazyAttribute(lambda o: o.period_start + timedelta(days=89))
    amount = Decimal("10000.00")
