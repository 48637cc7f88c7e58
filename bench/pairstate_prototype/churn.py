# ruff: noqa: E402, E501, S311 -- a throwaway prototype script, its figures in docs/performance.md (issue 17 item 2, pair-state table)
"""Random writes of every kind (counts deleted and edited, visits moved and re-timed, listings ended and deleted,
deliveries edited, moved, deleted and added), then: ps_pair equals a table filled afresh, and variant A's incremental
night, today's and a full run leave the same rows in force. All rolled back. PSDB=ps_small by default."""

import os
import random
import sys

os.environ.setdefault("PSDB", "ps_small")
sys.argv = ["x", "none"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datetime import date, timedelta

import measure as M
from django.db import transaction

from stores.models import Delivery, Listing, Store
from visits.models import StockCount, Visit

rng = random.Random(17)
stores = list(Store.objects.values_list("pk", flat=True))
with transaction.atomic():
    counts = list(StockCount.objects.values_list("pk", flat=True))
    StockCount.objects.filter(pk__in=rng.sample(counts, 300)).delete()  # counts deleted
    for v in Visit.objects.order_by("?")[:20]:  # visits moved / re-timed
        if rng.random() < 0.5:
            v.store_id = rng.choice(stores)
        else:
            v.checked_in_at = v.checked_in_at - timedelta(days=rng.randint(1, 9))
        v.save(update_fields=["store_id", "checked_in_at"])
    for sc in StockCount.objects.order_by("?")[:200]:  # packs edited
        sc.packs = rng.randint(0, 300)
        sc.save(update_fields=["packs"])
    Listing.objects.filter(pk__in=rng.sample(list(Listing.objects.values_list("pk", flat=True)), 200)).update(
        active=False
    )
    Listing.objects.filter(pk__in=rng.sample(list(Listing.objects.values_list("pk", flat=True)), 50)).delete()
    ds = list(Delivery.objects.values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=rng.sample(ds, 200)).update(quantity=7)
    Delivery.objects.filter(pk__in=rng.sample(ds, 100)).update(date=date(2026, 11, 22))
    Delivery.objects.filter(pk__in=rng.sample(ds, 100)).delete()
    Delivery.objects.bulk_create(
        [
            Delivery(
                store_id=rng.choice(stores),
                product_id=rng.choice(list(M.Product.objects.values_list("pk", flat=True))),
                date=date(2026, 11, 17) + timedelta(days=rng.randint(0, 10)),
                quantity=3,
                reference=f"C{i}",
            )
            for i in range(300)
        ]
    )
    M.verify()
    M.check(M.ON + timedelta(days=1))
    transaction.set_rollback(True)
