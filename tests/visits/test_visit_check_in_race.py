"""Two check-ins with the same client uuid at the same moment (a double tap on a slow network) make one visit."""

import uuid

import pytest

from accounts.roles import Role
from tests.concurrency import at_once
from tests.factories import StoreFactory, make_user
from visits import services
from visits.models import Visit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_simultaneous_check_ins_with_one_uuid_make_one_visit():
    rep = make_user(Role.REP, username="rep_race")
    store = StoreFactory(rep=rep)
    client_id = uuid.uuid4()

    def tap():
        return services.visit_check_in(rep=rep, store=store, uuid=client_id)

    results, errors = at_once(tap, tap)

    assert errors == []
    assert Visit.objects.count() == 1
    assert {visit.pk for visit, _created in results} == {Visit.objects.get().pk}
    assert sorted(created for _visit, created in results) == [False, True]


def test_simultaneous_check_ins_without_a_key_open_one_visit():
    # F10: a flaky phone's retries, no key; the store's row is locked while one is checked in, so the other waits,
    # finds the open visit and is refused naming it
    rep = make_user(Role.REP, username="rep_race_nokey")
    store = StoreFactory(rep=rep)

    def tap():
        return services.visit_check_in(rep=rep, store=store)

    results, errors = at_once(tap, tap, tap)

    assert Visit.objects.count() == 1
    assert len(results) == 1 and [error.code for error in errors] == ["visit.already_open"] * 2
