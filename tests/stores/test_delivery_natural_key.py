"""A delivery's natural key (store, product, date, reference) is unique in the database (its migration, which
merges deliveries entered twice, is checked in test_migrations.py)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from stores.models import Delivery
from tests.factories import DeliveryFactory

DAY = date(2026, 3, 1)


@pytest.mark.django_db
def test_the_database_refuses_the_same_delivery_twice():
    first = DeliveryFactory(date=DAY, reference="DN-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(store=first.store, product=first.product, date=DAY, reference="DN-1", quantity=3)

    # another reference, or none, on the same day is another delivery
    DeliveryFactory(store=first.store, product=first.product, date=DAY, reference="")
    assert Delivery.objects.count() == 2
