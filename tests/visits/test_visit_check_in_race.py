"""Two check-ins with the same client uuid at the same moment (a double tap on a slow network) make one visit."""

import threading
import uuid

import pytest
from django.db import connection

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits import services
from visits.models import Visit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_simultaneous_check_ins_with_one_uuid_make_one_visit():
    rep = make_user(Role.REP, username="rep_race")
    store = StoreFactory(rep=rep)
    client_id = uuid.uuid4()
    start = threading.Barrier(2)
    results, errors = [], []

    def tap():
        try:
            start.wait()
            results.append(services.visit_check_in(rep=rep, store=store, uuid=client_id))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Visit.objects.count() == 1
    assert {visit.pk for visit, _created in results} == {Visit.objects.get().pk}
    assert sorted(created for _visit, created in results) == [False, True]
