"""API list pages kept in memory while the tables they were read from stand still (ka_portal/api_cache.py), on the
table revisions the database's triggers keep (ka_portal/table_revisions.py).

What a user would notice if it went wrong: a page that still shows a store after it was renamed, given to another
rep or counted again, another user's page, yesterday's overdue days, or a page served to a token revoked since.
"""

import dataclasses
import gzip
import pickle
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

import ka_portal.api_cache as api_cache
from stores.models import Store
from visits.models import StockCount

from .test_api_list_queries import ENDPOINTS

pytestmark = pytest.mark.django_db
HIT = api_cache.HIT_HEADER


@pytest.fixture(scope="module")
def people(demo_company, django_db_blocker):
    with django_db_blocker.unblock():
        return {user.username: user for user in get_user_model().objects.filter(username__in=("admin", "rep1", "rep2"))}


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _kept() -> dict[str, int]:
    """The tables (and revisions) of the one page kept in memory."""
    store = caches[api_cache.CACHE]._cache  # LocMemCache: key → pickled (depends, content, type, etag, gzipped)
    assert len(store) == 1
    depends, _content, _type, _etag, _gzipped = pickle.loads(next(iter(store.values())))
    return depends


def _touch(table: str) -> bool:
    """Write one row of the table without changing it (as any door would: the triggers see a write); False if empty."""
    quote = connection.ops.quote_name
    pk = next(m._meta.pk.column for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table)
    table, pk = quote(table), quote(pk)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk} FROM {table} ORDER BY {pk} LIMIT 1")  # noqa: S608 - a project table name
        row = cursor.fetchone()
        if row is None:
            return False
        # PostgreSQL's trigger is per statement: a write matching no row counts too, and leaves the rows where they
        # are (a row written again moves, and rows of equal sort keys could come in another order)
        where = "1 = 0" if connection.vendor == "postgresql" else f"{pk} = %s"
        cursor.execute(f"UPDATE {table} SET {pk} = {pk} WHERE {where}", [] if "%s" not in where else [row[0]])  # noqa: S608
    return True


# Lists read afresh every time, and why.
NOT_KEPT = {
    "api-account-performance": "a report (an APIView), its figures from the selectors on the replica when set",
    "api-store-pnl": "a report (an APIView)",
    "api-competitor-summary": "a report (an APIView)",
    "report-promoter-appraisal": "a report (an APIView)",
    "my-shifts": "a shift's attendance reads the clock (late, on duty now), not only its tables",
    "shift-list": "a shift's attendance reads the clock (not checked in yet, then late), not only its tables",
}
KEPT = [(name, path) for name, path in ENDPOINTS if name not in NOT_KEPT]


def test_every_list_is_kept_but_those_named_with_their_reason():
    def kept(path):
        view = resolve(path).func
        cls = getattr(view, "cls", None) or view.view_class
        return issubclass(cls, api_cache.CachedListMixin) and cls.list_cache

    assert {name for name, path in ENDPOINTS if not kept(path)} == set(NOT_KEPT)


# Each list through the ORM, the same statements on either engine: each case in one leg (the triggers of both
# engines are checked by the cases below, which run in both).
@pytest.mark.one_leg
@pytest.mark.parametrize(("name", "path"), KEPT, ids=[name for name, _ in KEPT])
def test_a_repeat_is_answered_from_memory_until_a_table_it_read_is_written(name, path, people):
    client = _client(people["admin"])
    first = client.get(path)
    assert first.status_code == 200, name
    assert first[HIT] == "miss"
    again = client.get(path)
    assert (again[HIT], again.content) == ("hit", first.content)
    depends = _kept()
    assert depends, f"{name}: kept with no table to check"
    touched = 0
    for table in sorted(depends):
        if table in ("auth_user", "auth_group", "auth_permission", "django_content_type") or not _touch(table):
            continue
        touched += 1
        after = client.get(path)
        assert after[HIT] == "miss", f"{name}: still answered from memory after a write to {table}"
        assert after.content == first.content  # the write changed nothing, so neither does the page
        assert client.get(path)[HIT] == "hit"
    if not touched:  # nothing there to go stale: the demo has no such rows
        assert first.json()["results"] == [], f"{name}: none of {sorted(depends)} has a row to write"


def test_a_phone_holding_the_page_gets_304_until_it_changes(people):
    client = _client(people["admin"])
    path = "/api/v1/stores/?page_size=5"
    first = client.get(path)
    etag = first["ETag"]
    unchanged = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert (unchanged.status_code, unchanged.content, unchanged["ETag"]) == (304, b"", etag)
    Store.objects.filter(code=first.json()["results"][0]["code"]).update(name="改名的店")
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["results"][0]["name"] == "改名的店"


def test_a_renamed_store_shows_at_once(people):
    client = _client(people["admin"])
    store = Store.objects.order_by("code").first()
    path = f"/api/v1/stores/?search={store.code}"
    assert client.get(path).json()["results"][0]["name"] == store.name
    Store.objects.filter(pk=store.pk).update(name="五角场新店")  # a queryset update: no model signal
    assert client.get(path).json()["results"][0]["name"] == "五角场新店"


def test_a_count_changed_by_plain_sql_shows_in_the_visits_page(people):
    client = _client(people["admin"])
    path = "/api/v1/visits/?page_size=50"
    visit = next(v for v in client.get(path).json()["results"] if v["stock_counts"])
    count = StockCount.objects.filter(visit_id=visit["id"]).order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE visits_stockcount SET packs = packs + 7 WHERE id = %s", [count.pk])
    shown = next(v for v in client.get(path).json()["results"] if v["id"] == visit["id"])
    before = {c["product"]: c["packs"] for c in visit["stock_counts"]}
    after = {c["product"]: c["packs"] for c in shown["stock_counts"]}
    assert after[count.product.code] == before[count.product.code] + 7


def test_a_store_given_to_another_rep_leaves_the_first_reps_page(people):
    rep1, rep2 = _client(people["rep1"]), _client(people["rep2"])
    mine = {row["code"] for row in rep1.get("/api/v1/stores/", {"page_size": 500}).json()["results"]}
    theirs = {row["code"] for row in rep2.get("/api/v1/stores/", {"page_size": 500}).json()["results"]}
    assert mine and theirs and not mine & theirs  # each rep's own page, not the other's kept one
    moved = sorted(mine)[0]
    Store.objects.filter(code=moved).update(rep=people["rep2"])
    assert moved not in {row["code"] for row in rep1.get("/api/v1/stores/", {"page_size": 500}).json()["results"]}
    assert moved in {row["code"] for row in rep2.get("/api/v1/stores/", {"page_size": 500}).json()["results"]}
    assert rep1.get(f"/api/v1/stores/{moved}/").status_code == 404


def test_the_language_the_day_and_the_settings_are_part_of_the_page(people, monkeypatch):
    client = _client(people["admin"])
    path = "/api/v1/invoices/"
    assert client.get(path, HTTP_ACCEPT_LANGUAGE="en")[HIT] == "miss"
    assert client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")[HIT] == "miss"
    assert client.get(path, HTTP_ACCEPT_LANGUAGE="en")[HIT] == "hit"
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(api_cache.timezone, "localdate", lambda: tomorrow)  # days past due are counted to today
    assert client.get(path, HTTP_ACCEPT_LANGUAGE="en")[HIT] == "miss"
    monkeypatch.setattr(
        settings, "KA", dataclasses.replace(settings.KA, visit_min_minutes=settings.KA.visit_min_minutes + 1)
    )
    assert client.get(path, HTTP_ACCEPT_LANGUAGE="en")[HIT] == "miss"


def test_a_kept_page_still_asks_who_is_asking(people):
    user = people["rep1"]
    token_row, token = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/stores/")[HIT] == "miss"
    with CaptureQueriesContext(connection) as hit:
        assert client.get("/api/v1/stores/")[HIT] == "hit"
    with CaptureQueriesContext(connection) as me:
        client.get("/api/v1/me/")
    # a kept page costs what me/ costs (the token, its user and the role in one query) and at most three more: the
    # revisions and the user's permission set (two queries where it is not kept: SQLite inside a test's transaction)
    assert len(me) == 1, [q["sql"][:80] for q in me.captured_queries]
    assert len(hit) <= len(me) + 3, [q["sql"][:80] for q in hit.captured_queries]
    user.groups.clear()  # the role's permissions gone
    user.user_permissions.clear()
    assert client.get("/api/v1/stores/").status_code == 403
    token_row.delete()
    assert client.get("/api/v1/stores/").status_code == 401


def _revision_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if "ka_portal_tablerevision" in q["sql"]]


def test_the_revisions_are_read_first_and_a_repeat_reads_only_its_pages_tables(people, monkeypatch):
    monkeypatch.setattr(api_cache, "_tables_read", {})  # this process has kept no page of the view yet
    token_row, token = AuthToken.objects.create(people["rep1"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with CaptureQueriesContext(connection) as miss:
        assert client.get("/api/v1/stores/")[HIT] == "miss"
    # before the token is looked up: whatever the page read (the user, the profile, the stores) came after
    assert miss.captured_queries[0]["sql"] == _revision_reads(miss)[0]
    assert " IN (" not in miss.captured_queries[0]["sql"] and len(_revision_reads(miss)) == 1
    depends = _kept()
    with CaptureQueriesContext(connection) as hit:
        assert client.get("/api/v1/stores/")[HIT] == "hit"
    read = _revision_reads(hit)
    assert len(read) == 1 and read[0] == hit.captured_queries[0]["sql"]
    assert set(re.findall(r"'(\w+)'", read[0].split(" IN (", 1)[1])) == set(depends)
    assert "auth_user" in depends and "knox_authtoken" not in depends


def test_a_page_that_reads_a_table_whose_revision_was_not_read_is_not_kept(people, monkeypatch):
    client = _client(people["admin"])
    view = resolve("/api/v1/stores/").func.cls
    monkeypatch.setattr(api_cache, "_tables_read", {view: frozenset({"stores_store"})})
    assert client.get("/api/v1/stores/")[HIT] == "miss"  # the user and the profile were read: their revisions not
    assert not caches[api_cache.CACHE]._cache
    assert api_cache._tables_read[view] > {"stores_store", "auth_user"}  # the next request reads them too
    assert client.get("/api/v1/stores/")[HIT] == "miss"
    assert client.get("/api/v1/stores/")[HIT] == "hit"


def test_a_write_between_the_revisions_and_the_page_is_not_hidden(people, monkeypatch):
    client = _client(people["admin"])
    view = resolve("/api/v1/stores/").func.cls
    store = Store.objects.order_by("code").first()
    path = f"/api/v1/stores/?search={store.code}"
    check = view.check_permissions

    def write_then_check(self, request):  # a write committed after the revisions were read, before the page's read
        Store.objects.filter(pk=store.pk).update(name="读后改名")
        check(self, request)

    monkeypatch.setattr(view, "check_permissions", write_then_check)
    assert client.get(path).json()["results"][0]["name"] == "读后改名"
    monkeypatch.setattr(view, "check_permissions", check)
    assert client.get(path)[HIT] == "miss"  # kept under the revision read before the write: not answered again


def test_a_browsable_api_list_reads_no_revisions_and_is_not_kept(people):
    client = _client(people["admin"])
    with CaptureQueriesContext(connection) as page:
        response = client.get("/api/v1/stores/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not _revision_reads(page)
    assert HIT not in response and not caches[api_cache.CACHE]._cache


def test_a_kept_page_goes_gzip_compressed_without_being_compressed_again(people, monkeypatch):
    import django.middleware.gzip

    client = _client(people["admin"])
    path = "/api/v1/visits/?page_size=20"
    plain = client.get(path)
    assert plain[HIT] == "miss" and "Content-Encoding" not in plain

    def compress_string(*args, **kwargs):
        raise AssertionError("a kept page compressed again")

    monkeypatch.setattr(django.middleware.gzip, "compress_string", compress_string)
    answers = [client.get(path, HTTP_ACCEPT_ENCODING="gzip, br") for _ in range(5)]
    for answer in answers:
        assert (answer[HIT], answer["Content-Encoding"], answer["ETag"]) == ("hit", "gzip", "W/" + plain["ETag"])
        assert "Accept-Encoding" in answer["Vary"] and int(answer["Content-Length"]) == len(answer.content)
        assert gzip.decompress(answer.content) == plain.content
    assert len({answer.content for answer in answers}) > 1  # each answer's random bytes its own (BREACH)
    assert client.get(path, HTTP_IF_NONE_MATCH=answers[0]["ETag"], HTTP_ACCEPT_ENCODING="gzip").status_code == 304
    assert client.get(path).content == plain.content  # a client that does not accept gzip gets the page as it is
