"""A check-in looks for the rep's open visit at the store among the open visits alone (migration visits/0022): a store
visited many times that day costs the look-up no more. PostgreSQL: the plan is the database's."""

import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.visits.factories import rep_with_listed_store
from visits.models import Visit

from .factories import VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_check_in_finds_the_open_visit_among_the_days_visits_from_the_open_ones_alone(api_client):
    # given a rep's store visited twelve times today, each visit checked out, and the rep's thirteenth still open
    rep, store, _products = rep_with_listed_store("rep_open_idx", 1)
    now = timezone.now()
    span = now - timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)  # today so far
    for n in range(12):
        checked_in_at = now - span * (n + 2) / 14
        VisitFactory(rep=rep, store=store, checked_in_at=checked_in_at, checked_out_at=checked_in_at + span / 30)
    still_open = VisitFactory(rep=rep, store=store, checked_in_at=now - span / 14, checked_out_at=None)
    api_client.force_authenticate(rep)
    # when the phone checks in there again under a new key
    with CaptureQueriesContext(connection) as queries:
        answer = api_client.post("/api/v1/visits/", {"uuid": str(uuid.uuid4()), "store": store.code}, format="json")
    # then the open visit is named
    assert answer.status_code == 409
    assert (answer.json()["code"], answer.json()["params"]["visit"]) == ("visit.already_open", still_open.pk)
    lookup = [q["sql"] for q in queries.captured_queries if '"checked_out_at" IS NULL' in q["sql"]]
    assert len(lookup) == 1, lookup
    assert Visit.objects.filter(store=store).count() == 13
    # and the database reads the visit from an index of the open visits, not through the day's visits at the store
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {lookup[0]}")
        plan = [row[0] for row in cursor.fetchall()]
    # visit_open or visit_rep_open: both hold the open visits only (services._open_visits asks for the rep's)
    assert any("visit_open" in line or "visit_rep_open" in line for line in plan), "\n".join(plan)
