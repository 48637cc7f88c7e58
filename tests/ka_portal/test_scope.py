"""Scope: who reaches which stores and accounts, the rule every page and API view starts from."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from ka_portal import scope
from tests.factories import KeyAccountFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    manager = make_user(Role.MANAGER, username="m1")
    other_manager = make_user(Role.MANAGER, username="m2")
    sup = make_user(Role.SUPERVISOR, username="s1")
    rep1 = make_user(Role.REP, username="r1", supervisor=sup)
    rep2 = make_user(Role.REP, username="r2", supervisor=sup)
    outsider = make_user(Role.REP, username="r3")
    mine = KeyAccountFactory(owner=manager)
    theirs = KeyAccountFactory(owner=other_manager)
    stores = {
        "r1": StoreFactory(account=mine, rep=rep1),
        "r2": StoreFactory(account=mine, rep=rep2),
        "r3": StoreFactory(account=theirs, rep=outsider),
    }
    return locals()


def test_rep_reaches_only_own_stores(company):
    assert list(scope.stores_for(company["rep1"])) == [company["stores"]["r1"]]
    assert list(scope.accounts_for(company["rep1"])) == [company["mine"]]


def test_supervisor_reaches_team_stores_only(company):
    stores = set(scope.stores_for(company["sup"]))
    assert stores == {company["stores"]["r1"], company["stores"]["r2"]}


def test_manager_reaches_owned_accounts_and_their_stores(company):
    assert list(scope.accounts_for(company["manager"])) == [company["mine"]]
    assert company["stores"]["r3"] not in scope.stores_for(company["manager"])


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMIN])
def test_finance_and_admin_reach_everything(company, role):
    user = make_user(role, username=f"all_{role}")
    assert scope.stores_for(user).count() == 3
    assert scope.accounts_for(user).count() == 2


def test_finance_scope_excludes_reps(company):
    assert not scope.finance_accounts_for(company["rep1"]).exists()
    assert list(scope.finance_accounts_for(company["manager"])) == [company["mine"]]


def test_user_without_profile_reaches_nothing(db):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="x-12345678")
    assert not scope.stores_for(nobody).exists()
    assert not scope.accounts_for(nobody).exists()


# Finance's and an administrator's scope is every row: a record "of an account they reach" is every record. The
# scope functions say so without `WHERE account_id IN (SELECT id FROM every account)`, a subquery the database ran
# on every list, count and report of theirs to remove nothing.
SCOPED_BY_REFERENCE = [
    ("contacts_for", "account"),
    ("contact_logs_for", "account"),
    ("targets_for", "account"),
    ("store_targets_for", "store"),
    ("collection_targets_for", "account"),
    ("listings_for", "store"),
    ("deliveries_for", "store"),
    ("tasks_for", "store"),
    ("budgets_for", "account"),
    ("accrual_lines_for", "account"),
    ("disputes_for", "deduction__account"),
    ("remittances_for", "account"),
    ("competitor_sightings_for", "store"),
    ("sell_out_for", "shift"),
    ("store_sell_out_for", "shift__store"),
    ("promoter_targets_for", "promoter"),
]


def _selects(queryset) -> int:
    return str(queryset.query).upper().count("SELECT")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE])
@pytest.mark.parametrize(("function", "path"), SCOPED_BY_REFERENCE, ids=[f for f, _ in SCOPED_BY_REFERENCE])
def test_everything_is_read_without_a_subquery_that_removes_nothing(company, role, function, path):
    user = make_user(role, username=f"every_{role}")

    reached = getattr(scope, function)(user)

    assert _selects(reached) == 1, str(reached.query)
    assert reached.model.objects.count() == reached.count()


@pytest.mark.parametrize(("function", "path"), SCOPED_BY_REFERENCE, ids=[f for f, _ in SCOPED_BY_REFERENCE])
def test_a_narrower_scope_keeps_its_subquery(company, function, path):
    reached = getattr(scope, function)(company["manager"])

    assert _selects(reached) > 1, str(reached.query)


def test_a_reference_the_database_does_not_hold_keeps_the_filter_even_for_everything(company):
    # A suggested order's store has no constraint (its row stays when the store goes), a display agreement's may be
    # empty (chain-wide): "its store is one of every store" still removes rows there
    from evidence.models import DisplayAgreement
    from visits.models import SuggestedOrder

    admin = make_user(Role.ADMIN, username="every_admin")

    assert _selects(scope.suggested_orders_for(admin)) == 2
    assert _selects(scope._reaching(DisplayAgreement.objects.all(), "store", scope.stores_for(admin))) == 2
    assert _selects(scope._reaching(SuggestedOrder.objects.all(), "store__account", scope.accounts_for(admin))) == 2


def test_an_administrator_s_list_asks_the_database_without_the_subquery(company, api_client, admin_user):
    # The same number of queries (the subquery was part of the one statement), each without the scan of every store
    api_client.force_authenticate(admin_user)

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/listings/", {"page_size": 1})

    assert response.status_code == 200
    statements = [query["sql"] for query in queries if "stores_listing" in query["sql"]]
    assert statements and not [sql for sql in statements if sql.upper().count("SELECT") > 1], statements
