"""One row inserted unless its unique key is taken (ka_portal/inserts.py), on either engine, inside a transaction
that goes on afterwards (no savepoint: a taken key must not break it)."""

import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Role
from ka_portal.inserts import insert_unless_taken
from tests.factories import StoreFactory, make_user
from visits.models import Visit

pytestmark = pytest.mark.django_db


def _visit(store, key):
    return Visit(uuid=key, rep=store.rep, store=store, checked_in_at=timezone.now())


def test_a_new_key_is_inserted_and_a_taken_one_is_answered_false_without_breaking_the_transaction():
    store = StoreFactory(rep=make_user(Role.REP, username="rep_insert"))
    key = uuid.uuid4()
    with transaction.atomic():
        first = _visit(store, key)
        assert insert_unless_taken(first) is True
        assert first.pk is not None and not first._state.adding
        assert Visit.objects.get(uuid=key).pk == first.pk  # the id returned is the row's
        again = _visit(store, key)
        assert insert_unless_taken(again) is False
        assert again.pk is None and again._state.adding
        # the transaction goes on: another row, and a read
        other = _visit(store, uuid.uuid4())
        assert insert_unless_taken(other) is True
        assert Visit.objects.filter(store=store).count() == 2


def test_a_broken_foreign_key_still_raises():
    store = StoreFactory(rep=make_user(Role.REP, username="rep_insert2"))
    visit = _visit(store, uuid.uuid4())
    visit.store_id = 999_999_999
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_unless_taken(visit)
        Visit.objects.filter(pk=visit.pk).first()  # PostgreSQL checks a deferred key at commit; SQLite here or there
        transaction.get_connection().check_constraints()
