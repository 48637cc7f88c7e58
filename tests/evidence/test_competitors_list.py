"""The competitor-sightings list: filters, search, the Excel export of what the filters select, empty states, and
scope (a rep sees their stores' sightings, a KA manager their chains')."""

import io
from datetime import datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.evidence.competitors_world import SHANGHAI, build_world, closed_visit, sighting

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def w():
    w = build_world()
    early = closed_visit(w.rep, w.store, datetime(2026, 10, 5, 10, tzinfo=SHANGHAI))
    late = closed_visit(w.rep2, w.store2, datetime(2026, 11, 12, 10, tzinfo=SHANGHAI))
    foreign = closed_visit(w.rep2, w.other_store, datetime(2026, 11, 13, 10, tzinfo=SHANGHAI))
    w.tsingtao = sighting(early, product="纯生", shelf_price="8.00", regular_price="10.00", mechanics="price_cut",
                          mechanics_note="=HYPERLINK(\"x\")")  # fmt: skip
    w.snow = sighting(late, brand="雪花", product="勇闯天涯", shelf_price="3.00", display="end_cap", note="入口端架")
    w.bud = sighting(foreign, brand="百威", mechanics="gift")
    return w


def _rows(client, **params) -> list[tuple]:
    response = client.get(reverse("evidence:competitor-list"), {**params, "export": "xlsx"}, **EN)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


def test_the_export_holds_the_filtered_rows(w, client):
    client.force_login(w.admin)
    rows = _rows(client)
    assert rows[0][:6] == ("Seen on", "Key account", "Store code", "Store", "Brand", "Product")
    assert [row[4] for row in rows[1:]] == ["百威", "雪花", "青岛啤酒"]  # newest first
    tsingtao = _rows(client, brand=" 青岛啤酒 ")[1]
    assert tsingtao[:9] == (datetime(2026, 10, 5), "CWA", "CWA-01", "甲一店", "青岛啤酒", "纯生", 8, 10, 0.2)
    assert tsingtao[9:11] == ("Price cut", '=HYPERLINK("x")')  # text a rep typed stays text, never a formula
    assert [row[4] for row in _rows(client, account="CWA", **{"from": "2026-11-01"})[1:]] == ["雪花"]
    assert [row[4] for row in _rows(client, mechanics="promoted")[1:]] == ["百威", "青岛啤酒"]
    assert [row[4] for row in _rows(client, mechanics="none")[1:]] == ["雪花"]
    assert [row[4] for row in _rows(client, store="CWA-01")[1:]] == ["青岛啤酒"]
    assert [row[4] for row in _rows(client, q="端架")[1:]] == ["雪花"]
    assert [row[4] for row in _rows(client, to="2026-10-31")[1:]] == ["青岛啤酒"]


def test_the_page_lists_filters_and_says_when_nothing_matches(w, client, django_assert_max_num_queries):
    client.force_login(w.manager)
    for n in range(3):  # more rows, the same queries
        sighting(w.snow.visit, brand=f"品牌{n}", product="x")
    with django_assert_max_num_queries(12):
        text = client.get(reverse("evidence:competitor-list"), **EN).content.decode()
    assert "雪花" in text and "青岛啤酒" in text and "−20 %" in text
    assert "百威" not in text  # chain CWB is manager2's
    assert 'class="nav-link text-nowrap active" href="/evidence/competitors/"' in text  # the evidence tabs
    none = client.get(reverse("evidence:competitor-list"), {"brand": "康师傅"}, **EN).content.decode()
    assert "No competitor sightings match these filters." in none


def test_each_role_sees_only_the_sightings_in_its_reach(w, client):
    reach = {
        w.rep: ["青岛啤酒"],  # rep1's store only
        w.rep2: ["百威", "雪花"],
        w.supervisor: ["百威", "雪花", "青岛啤酒"],  # the team's stores
        w.manager: ["雪花", "青岛啤酒"],  # chain CWA
        w.manager2: ["百威"],  # chain CWB
    }
    for user, brands in reach.items():
        client.force_login(user)
        assert [row[4] for row in _rows(client)[1:]] == brands, user.username
    # a chain outside the manager's is not a filter they can use
    client.force_login(w.manager)
    foreign = client.get(reverse("evidence:competitor-list"), {"account": "CWB"}, **EN)
    assert "百威" not in foreign.content.decode()


def test_a_fresh_install_says_how_sightings_come_in(client, django_user_model):
    from accounts.roles import Role
    from tests.factories import make_user

    client.force_login(make_user(Role.MANAGER, username="cw_new_manager"))
    text = client.get(reverse("evidence:competitor-list"), **EN).content.decode()
    assert "No competitor sightings yet." in text
    summary = client.get(reverse("evidence:competitor-summary"), **EN).content.decode()
    assert "No competitor sightings yet." in summary


def test_the_export_writes_the_rep_as_the_pages_do(w, client):
    # given the rep who saw Tsingtao is 陈静 (family name 陈)
    w.rep.first_name, w.rep.last_name = "静", "陈"
    w.rep.save(update_fields=["first_name", "last_name"])
    client.force_login(w.admin)
    # when the sightings are exported, the rep's cell reads 陈静, not "静 陈"
    header, row = _rows(client, brand="青岛啤酒")
    assert row[header.index("Sales rep")] == "陈静"
