"""The newest visits first, from an index: a manager's, a supervisor's or the admin's page of visits reads its rows in
order instead of sorting every visit in their scope (issue 17 item 3; migration visits/0021). PostgreSQL: the plan
is the database's."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from tests.factories import StoreFactory, make_user

from .factories import VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _page_plan(api_client, user) -> tuple[list[str], list[int]]:
    """The plan of the statement that reads the page's visits, with sorting priced out of reach (so the plan sorts
    only when nothing else gives the order), and the ids the page shows."""
    api_client.force_authenticate(user)
    with CaptureQueriesContext(connection) as queries:
        answer = api_client.get("/api/v1/visits/?page_size=2")
    assert answer.status_code == 200
    page = next(q["sql"] for q in queries.captured_queries if "LIMIT 2" in q["sql"] and "visits_visit" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {page}")
        plan = [row[0] for row in cursor.fetchall()]
    return plan, [row["id"] for row in answer.json()["results"]]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR])
def test_a_page_of_visits_is_read_newest_first_from_an_index(api_client, role):
    # given a team's visits in two stores, the newest not the last written
    sup = make_user(Role.SUPERVISOR, username="sup_order")
    rep = make_user(Role.REP, username="rep_order", supervisor=sup)
    stores = [StoreFactory(rep=rep) for _ in range(2)]
    visits = [VisitFactory(rep=rep, store=stores[n % 2]) for n in range(4)]
    newest = visits[1]
    latest = max(visit.checked_in_at for visit in visits).replace(year=2030)
    type(newest).objects.filter(pk=newest.pk).update(checked_in_at=latest)
    viewer = sup if role == Role.SUPERVISOR else make_user(Role.ADMIN, username="adm_order")
    # when the viewer opens the first page of visits
    plan, shown = _page_plan(api_client, viewer)
    # then it starts with the newest visit, and the database reads it in order from an index, sorting nothing
    assert shown[0] == newest.pk
    assert not any("Sort" in line for line in plan), "\n".join(plan)
    assert any("visit_newest_first" in line for line in plan), "\n".join(plan)
