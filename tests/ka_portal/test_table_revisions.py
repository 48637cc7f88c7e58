"""Table revisions (ka_portal/table_revisions.py): every committed write to a table moves its revision, whatever the
door; a transaction counts its own writes before it commits; writers of one table do not queue for each other.

No demo company here: its module-long transaction would hold the concurrency test's commits."""

import threading

import pytest
from django.db import connection, transaction

from accounts.models import KeyAccount
from ka_portal import table_revisions
from stores.models import Store

pytestmark = pytest.mark.django_db


def test_every_table_but_the_ignored_carries_the_revision_triggers():
    tracked = set(table_revisions.tracked_tables())
    assert table_revisions.installed_on() == tracked
    assert {"stores_store", "visits_stockcount", "contracts_invoice", "accounts_profile", "auth_user"} <= tracked
    assert not tracked & table_revisions.IGNORED


def test_a_transaction_sees_its_own_writes_in_the_revisions():
    with connection.cursor() as cursor:
        before = table_revisions.read(cursor, ["stores_store", "stores_product"])
    account = KeyAccount.objects.create(code="REVX", name="版本连锁", tier=KeyAccount.Tier.NKA)
    Store.objects.create(account=account, code="REVX01", name="版本店")
    with connection.cursor() as cursor:
        after = table_revisions.read(cursor, ["stores_store", "stores_product"])
    assert after["stores_store"] > before["stores_store"]
    assert after["stores_product"] == before["stores_product"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_table_do_not_wait_for_each_other_and_each_commit_counts():
    account = KeyAccount.objects.create(code="REVW", name="并发连锁", tier=KeyAccount.Tier.NKA)
    first = Store.objects.create(account=account, code="REVW01", name="一号店")
    second = Store.objects.create(account=account, code="REVW02", name="二号店")

    def revision() -> int:
        with connection.cursor() as cursor:
            return table_revisions.read(cursor, ["stores_store"])["stores_store"]

    start = revision()
    written, release, failure = threading.Event(), threading.Event(), []

    def open_writer():
        try:
            with transaction.atomic():
                Store.objects.filter(pk=first.pk).update(name="一号店(改)")
                written.set()
                release.wait(10)
        except Exception as exc:  # noqa: BLE001 - reported below
            failure.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=open_writer)
    thread.start()
    assert written.wait(10)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '3s'")  # waiting on the open writer would fail here
        Store.objects.filter(pk=second.pk).update(name="二号店(改)")
    assert revision() == start + 1  # this commit counted; the open one not yet
    release.set()
    thread.join(10)
    assert not failure
    assert revision() == start + 2
