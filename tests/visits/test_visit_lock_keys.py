"""A visit locked for a write (a check-out, a re-rating) does not hold up another transaction's row that names it:
a fraud signal of another check-in of the same rep names the visit as its `other_visit`, and its foreign key is
checked at commit with a key-share lock. With the visit locked FOR UPDATE that check waited, and a check-out and a
check-in of the same rep each waited on the other: a deadlock, answered 500 (bench/api.py found it)."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from evidence.models import FraudSignal
from tests.factories import StoreFactory
from visits import services

from .factories import VisitFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_a_row_naming_a_locked_visit_commits_without_waiting_for_its_lock(rep):
    locked_visit = VisitFactory(rep=rep, store=StoreFactory(rep=rep))
    other = VisitFactory(rep=rep, store=StoreFactory(rep=rep))
    held, done = threading.Event(), threading.Event()

    def check_out_holding_the_lock():
        try:
            with transaction.atomic():
                services._locked(locked_visit)  # what a check-out takes first
                held.set()
                done.wait(timeout=20)
        finally:
            connection.close()

    holder = threading.Thread(target=check_out_holding_the_lock)
    holder.start()
    try:
        assert held.wait(timeout=20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            FraudSignal.objects.create(
                kind=FraudSignal.Kind.choices[0][0], visit=other, rep=rep, other_visit=locked_visit,
                evidence={"at": timezone.now().isoformat()},
            )  # fmt: skip
        # committed: the key-share check did not wait for the check-out (FOR UPDATE made it time out)
        assert FraudSignal.objects.filter(other_visit=locked_visit).count() == 1
    finally:
        done.set()
        holder.join(timeout=30)
