"""factory_boy factories, one per model, with sensible defaults."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from accounts.models import Contact, ContactLog, KeyAccount, SalesTarget
from accounts.roles import Role
from accounts.services import user_set_role
from stores.models import Delivery, Listing, Product, Store


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="zh_CN")
    last_name = factory.Faker("last_name", locale="zh_CN")
    password = factory.django.Password("pass-1234")


def make_user(role: str = Role.REP, *, supervisor=None, **fields):
    """A user with a role (and supervisor): the usual way tests build people."""
    user = UserFactory.create(**fields)
    user_set_role(user=user, role=role, supervisor=supervisor, region="华东")
    return user


class KeyAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyAccount

    code = factory.Sequence(lambda n: f"KA{n:03d}")
    name = factory.Sequence(lambda n: f"连锁{n}")
    name_en = factory.Sequence(lambda n: f"Chain {n}")
    tier = KeyAccount.Tier.NKA


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(KeyAccountFactory)
    name = factory.Faker("name", locale="zh_CN")
    title = "采购经理"
    part = Contact.Part.PURCHASER


class ContactLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactLog

    account = factory.SubFactory(KeyAccountFactory)
    date = factory.LazyFunction(date.today)
    author = factory.SubFactory(UserFactory)
    summary = "谈年度合同"


class SalesTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesTarget

    account = factory.SubFactory(KeyAccountFactory)
    year = 2026
    month = 1
    amount = Decimal("10000.00")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    account = factory.SubFactory(KeyAccountFactory)
    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"门店{n}")
    city = "上海"
    grade = Store.Grade.B


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"产品{n}")
    packs_per_case = 12
    suggested_retail_price = Decimal("5.50")
    distributor_price = Decimal("3.80")
    wholesale_price = Decimal("4.10")


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    store = factory.SubFactory(StoreFactory)
    product = factory.SubFactory(ProductFactory)
    purchase_price = Decimal("4.50")
    shelf_price = Decimal("5.00")


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    store = factory.SubFactory(StoreFactory)
    product = factory.SubFactory(ProductFactory)
    date = factory.LazyFunction(date.today)
    quantity = 24
    # Each its own delivery note: (store, product, date, reference) is unique.
    reference = factory.Sequence(lambda n: f"DN-{n:05d}")
