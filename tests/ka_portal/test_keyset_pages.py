"""`?cursor=` walks an API list by keyset pages (ka_portal/keyset.py): every row once, in the list's own order, the
scope and filters of the list, and a clear 400 for a cursor the list cannot take. Every list endpoint walks as its
numbered pages read: tests/ka_portal/test_api_list_queries.py."""

import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from ka_portal import keyset
from tests.evidence.competitors_world import build_world, closed_visit, sighting
from tests.factories import StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.models import Visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_read_afresh")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime.datetime(2026, 11, 2, 12, 0, tzinfo=SHANGHAI)


def walk(client, path: str, **params) -> tuple[list[dict], int]:
    """Every row of the list read by cursor, and how many pages it took; then walked back from the last page by each
    answer's `previous`, which gives the same pages in turn, down to the first (whose `previous` is null)."""
    answer = client.get(path, {**params, "cursor": ""})
    pages = []
    while len(pages) < 50:  # a walk that does not end fails, not hangs
        assert answer.status_code == 200, answer.content[:300]
        body = answer.json()
        assert set(body) == {"next", "previous", "results"}  # no count: nothing counts the whole list
        assert (body["previous"] is None) == (not pages)
        pages.append(body["results"])
        if body["next"] is None:
            break
        answer = client.get(body["next"])
    else:
        pytest.fail(f"{path}: no end after {len(pages)} pages")
    back = [body["results"]]
    while body["previous"] is not None and len(back) < 50:
        body = client.get(body["previous"]).json()
        assert body["next"] is not None  # a page walked back to has the pages after it
        back.append(body["results"])
    assert back[::-1] == pages
    return [row for page in pages for row in page], len(pages)


def test_visits_tied_to_the_microsecond_are_each_walked_once_in_the_lists_order(api_client, admin_user):
    # Given seven visits, five of them checked in at the same moment and two a microsecond apart
    rep = make_user(Role.REP, username="ks_rep")
    store = StoreFactory(rep=rep)
    moments = [NOON] * 5 + [NOON + datetime.timedelta(microseconds=1), NOON - datetime.timedelta(microseconds=1)]
    visits = [VisitFactory(rep=rep, store=store, checked_in_at=at) for at in moments]
    api_client.force_authenticate(admin_user)
    numbered = api_client.get("/api/v1/visits/", {"page_size": 50}).json()["results"]
    # When the list is walked two at a time
    rows, pages = walk(api_client, "/api/v1/visits/", page_size=2)
    # Then every visit comes once, in the order of the numbered page (newest first, then by id)
    assert [row["id"] for row in rows] == [row["id"] for row in numbered]
    assert sorted(row["id"] for row in rows) == sorted(visit.pk for visit in visits)
    assert pages == 4
    assert rows == numbered


def test_a_row_written_during_the_walk_shows_if_it_sorts_after_the_position_and_nothing_repeats(api_client, admin_user):
    rep = make_user(Role.REP, username="ks_rep2")
    store = StoreFactory(rep=rep)
    older = [VisitFactory(rep=rep, store=store, checked_in_at=NOON - datetime.timedelta(hours=h)) for h in range(4)]
    api_client.force_authenticate(admin_user)
    # Given a walk two visits in (newest first)
    first = api_client.get("/api/v1/visits/", {"page_size": 2, "cursor": ""}).json()
    assert [row["id"] for row in first["results"]] == [older[0].pk, older[1].pk]
    # When a visit newer than all and one older than all are written
    VisitFactory(rep=rep, store=store, checked_in_at=NOON + datetime.timedelta(hours=1))
    oldest = VisitFactory(rep=rep, store=store, checked_in_at=NOON - datetime.timedelta(days=1))
    rest = []
    answer = api_client.get(first["next"]).json()
    for _page in range(10):
        rest += [row["id"] for row in answer["results"]]
        if answer["next"] is None:
            break
        answer = api_client.get(answer["next"]).json()
    # Then the walk goes on where it stood: the older one comes, the newer one (before the position) does not
    assert rest == [older[2].pk, older[3].pk, oldest.pk]


def test_a_cursor_page_reads_as_many_statements_at_any_depth_and_counts_nothing(api_client, admin_user):
    rep = make_user(Role.REP, username="ks_rep3")
    store = StoreFactory(rep=rep)
    for minutes in range(12):
        VisitFactory(rep=rep, store=store, checked_in_at=NOON - datetime.timedelta(minutes=minutes))
    api_client.force_authenticate(admin_user)
    statements = []
    path, params = "/api/v1/visits/", {"page_size": 3, "cursor": ""}
    while path:
        with CaptureQueriesContext(connection) as queries:
            body = api_client.get(path, params).json()
        statements.append([q["sql"] for q in queries.captured_queries])
        path, params = body["next"], {}
    assert len({len(sqls) for sqls in statements}) == 1, [len(sqls) for sqls in statements]
    assert not any("COUNT(" in sql.upper() and "visits_visit" in sql for sqls in statements for sql in sqls)
    assert not any(" OFFSET " in sql.upper() for sqls in statements for sql in sqls)


def test_a_reps_walk_shows_only_the_reps_visits(api_client):
    sup = make_user(Role.SUPERVISOR, username="ks_sup")
    rep = make_user(Role.REP, username="ks_rep4", supervisor=sup)
    other = make_user(Role.REP, username="ks_rep5", supervisor=sup)
    mine = [VisitFactory(rep=rep, checked_in_at=NOON - datetime.timedelta(hours=h)) for h in range(3)]
    for hours in range(3):
        VisitFactory(rep=other, checked_in_at=NOON - datetime.timedelta(hours=hours, minutes=30))
    api_client.force_authenticate(rep)
    rows, _pages = walk(api_client, "/api/v1/visits/", page_size=1)
    assert [row["id"] for row in rows] == [visit.pk for visit in mine]


@pytest.mark.parametrize("ordering", ["shelf_price", "-shelf_price"])
def test_a_sort_key_without_a_value_is_walked_as_postgresql_sorts_it(api_client, ordering):
    # Given sightings with a shelf price and without one (nulls after the prices ascending, before them descending)
    w = build_world()
    visit = closed_visit(w.rep, w.store, datetime.datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI))
    prices = ["9.90", None, "5.50", None, "9.90", "12.00", None]
    made = [sighting(visit, brand=f"品牌{n}", shelf_price=price) for n, price in enumerate(prices)]
    api_client.force_authenticate(w.admin)
    # When they are walked two at a time in either direction
    rows, _pages = walk(api_client, "/api/v1/competitor-sightings/", ordering=ordering, page_size=2)
    # Then each comes once, the priced ones in price order and the unpriced ones last ascending, first descending
    priced = sorted((s for s in made if s.shelf_price is not None), key=lambda s: (s.shelf_price, s.pk))
    unpriced = sorted((s for s in made if s.shelf_price is None), key=lambda s: s.pk)
    expected = priced + unpriced if ordering == "shelf_price" else unpriced[::-1] + priced[::-1]
    assert [row["id"] for row in rows] == [s.pk for s in expected]


def test_a_cursor_the_list_cannot_take_is_refused_naming_why(api_client, admin_user):
    rep = make_user(Role.REP, username="ks_rep6")
    for hours in range(3):
        VisitFactory(rep=rep, checked_in_at=NOON - datetime.timedelta(hours=hours))
    api_client.force_authenticate(admin_user)
    following = api_client.get("/api/v1/visits/", {"page_size": 1, "cursor": ""}).json()["next"]
    cursor = parse_qs(urlsplit(following).query)["cursor"][0]

    unreadable = api_client.get("/api/v1/visits/", {"cursor": "not-a-cursor"}, HTTP_ACCEPT_LANGUAGE="en")
    other_sort = api_client.get(
        "/api/v1/visits/", {"cursor": cursor, "ordering": "checked_in_at"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    both = api_client.get("/api/v1/visits/", {"cursor": cursor, "page": 2}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert unreadable.status_code == 400
    assert unreadable.json()["errors"]["cursor"] == ["This cursor cannot be read: start again with an empty ?cursor=."]
    assert other_sort.status_code == 400
    assert other_sort.json()["errors"]["cursor"][0].startswith("This cursor was made for another sort of the list")
    assert both.status_code == 400
    assert both.json()["errors"]["cursor"] == ["请只用 ?page= 或 ?cursor= 其中之一。"]


def test_walking_back_past_rows_deleted_since_starts_the_walk_again(api_client, admin_user):
    rep = make_user(Role.REP, username="ks_rep8")
    visits = [VisitFactory(rep=rep, checked_in_at=NOON - datetime.timedelta(hours=h)) for h in range(5)]
    api_client.force_authenticate(admin_user)
    second = api_client.get(api_client.get("/api/v1/visits/", {"page_size": 2, "cursor": ""}).json()["next"]).json()
    assert [row["id"] for row in second["results"]] == [visits[2].pk, visits[3].pk]
    # the two newest are deleted: nothing is before the second page any more
    Visit.objects.filter(pk__in=[visits[0].pk, visits[1].pk]).delete()
    back = api_client.get(second["previous"]).json()
    assert (back["results"], back["previous"]) == ([], None)
    assert parse_qs(urlsplit(back["next"]).query, keep_blank_values=True)["cursor"] == [""]  # from the first row
    first = api_client.get(back["next"]).json()
    assert [row["id"] for row in first["results"]] == [visits[2].pk, visits[3].pk] and first["previous"] is None


@pytest.mark.parametrize("values", [["not a time", 1], [None, "x"], [{"a": 1}, 2], ["2026-13-45T00:00:00", 3]])
def test_a_cursor_written_by_hand_with_values_no_row_has_is_refused_not_failed(api_client, admin_user, values):
    VisitFactory(rep=make_user(Role.REP, username="ks_rep7"), checked_in_at=NOON)
    api_client.force_authenticate(admin_user)
    token = keyset.encode(keyset.sort_keys(Visit.objects.order_by("-checked_in_at")), values)

    answer = api_client.get("/api/v1/visits/", {"cursor": token}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert answer.status_code == 400, answer.content[:300]
    assert answer.json()["errors"]["cursor"] == ["无法读取此游标：请从空的 ?cursor= 重新开始。"]


def test_a_relations_column_sorts_by_its_key_and_the_relation_by_its_models_order():
    """`order_by("store_id")` sorts by the stored key, as the database does (an index can serve it); `"store"` by the
    store's code, as Django sorts a relation. A cursor stands on the same columns as the list's order."""
    from visits.models import SuggestedOrder

    by_column = keyset.sort_keys(SuggestedOrder.objects.order_by("-date", "store_id", "product_id"))
    assert [(key.path, key.descending) for key in by_column] == [
        ("date", True), ("store_id", False), ("product_id", False), ("pk", True),
    ]  # fmt: skip
    by_relation = keyset.sort_keys(SuggestedOrder.objects.order_by("store"))
    assert [key.path for key in by_relation][:1] == ["store__code"]
