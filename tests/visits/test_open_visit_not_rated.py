"""A visit is rated at its check-out (SPEC §4: done in the store, reported after, "the visit gets a rating"). QA: a
visit still open with nothing checked (0/5 items, no count, one photo) and one with only a problem written both read
绿 (green) beside 拜访中 on the supervisor's daily report and visit list. An open visit reads "In progress" there,
in the API (rating "") and in the export, and gets its colour when the rep checks out."""

import importlib
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from tests.evidence.signal_images import jpeg, shelf
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from visits import services
from visits.models import Visit

from .factories import VisitFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 6, 3, 12, 0, tzinfo=SHANGHAI)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def at_noon(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def team():
    """A supervisor's rep at two stores, each with a product listed; two visits open since 11:00: one with only a
    photo, one with only a problem written."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    supervisor = make_user(Role.SUPERVISOR, username="sup_unrated")
    rep = make_user(Role.REP, username="rep_unrated", supervisor=supervisor)
    visits = []
    for name in ("联华四店", "家乐福曹杨店"):
        store = StoreFactory(rep=rep, name=name, latitude=Decimal("31.23"), longitude=Decimal("121.47"))
        ListingFactory(store=store, product=ProductFactory())
        visit, _ = services.visit_check_in(
            rep=rep, store=store, at=NOON - timedelta(hours=1), latitude=store.latitude, longitude=store.longitude
        )
        visits.append(visit)
    photo = SimpleUploadedFile("shelf.jpg", jpeg(shelf(1)), content_type="image/jpeg")
    services.visit_photo_add(visit=visits[0], image=photo)
    services.visit_record(visit=visits[1], problems="端架被撤")
    return supervisor, rep, visits


def _rating_cell(page: str, store: str) -> str:
    """The rest of the visit's row after its store's link: its rating cell and what follows it in the row."""
    return page.split(f">{store}</a>", 1)[1].split("</tr>", 1)[0]


def test_open_visits_read_in_progress_on_the_daily_report_and_the_visit_list(client, team):
    supervisor, rep, visits = team
    client.force_login(supervisor)
    for url in (
        reverse("visits:daily-report") + f"?rep={rep.username}&date=2026-06-03",
        reverse("visits:visit-list"),
    ):
        for headers, in_progress in ((EN, "In progress"), (ZH, "拜访中")):
            page = client.get(url, **headers).content.decode()
            for store in ("联华四店", "家乐福曹杨店"):
                cell = _rating_cell(page, store)
                assert "data-rating" not in cell, (url, store)
                assert f'data-testid="visit-open">{in_progress}</span>' in cell, (url, store)
                assert cell.count('data-testid="visit-open"') == 1  # said once, not twice


def test_the_api_and_the_export_give_an_open_visit_no_rating(client, api_client, team):
    supervisor, _rep, visits = team
    api_client.force_authenticate(supervisor)
    rows = api_client.get("/api/v1/visits/").json()["results"]
    assert {(row["rating"], tuple(row["rating_reasons"])) for row in rows} == {("", ())}
    assert api_client.get("/api/v1/visits/", {"rating": "green"}).json()["results"] == []
    client.force_login(supervisor)
    export = client.get(reverse("visits:visit-list"), {"export": "xlsx"}, **EN)
    sheet = load_workbook(BytesIO(b"".join(export.streaming_content))).active
    header, *lines = list(sheet.iter_rows(values_only=True))
    assert [line[header.index("Rating")] for line in lines] == ["In progress", "In progress"]


def test_the_rating_comes_with_the_check_out(client, team):
    # given: the visit with only a problem written, then checked out under a reason (nothing was checked)
    supervisor, rep, visits = team
    services.visit_check_out(visit=visits[1], at=NOON - timedelta(minutes=20), reason="店长不在")
    # then: yellow, with why, on the daily report; the other visit, still open, still in progress
    client.force_login(supervisor)
    page = client.get(reverse("visits:daily-report") + f"?rep={rep.username}&date=2026-06-03", **EN).content.decode()
    done = _rating_cell(page, "家乐福曹杨店")
    assert 'data-rating="yellow"' in done and "Checked out with a reason: 店长不在" in done
    assert 'data-testid="visit-open"' not in done
    assert 'data-testid="visit-open">In progress</span>' in _rating_cell(page, "联华四店")


def test_the_rep_sees_that_the_rating_comes_at_check_out(client, team):
    _supervisor, rep, visits = team
    client.force_login(rep)
    page = client.get(reverse("visits:visit-detail", args=[visits[0].pk]), **EN).content.decode()
    assert 'data-testid="rating">Rating: given at check-out</div>' in page and "data-rating" not in page


def test_the_migration_takes_the_rating_off_visits_still_open():
    # given: visits rated before the rule, one open and green, one checked out and yellow
    rep = make_user(Role.REP, username="rep_before")
    store = StoreFactory(rep=rep)
    open_visit = VisitFactory(store=store, rep=rep, checked_in_at=NOON - timedelta(hours=1))
    closed = VisitFactory(
        store=store, rep=rep, checked_in_at=NOON - timedelta(days=1), checked_out_at=NOON - timedelta(hours=23)
    )
    Visit.objects.filter(pk=open_visit.pk).update(rating="green", rating_reasons=[])
    reasons = [{"code": "checklist_failed", "params": {"item": "tidy"}}]
    Visit.objects.filter(pk=closed.pk).update(rating="yellow", rating_reasons=reasons)
    # when: the data migration runs
    migration = importlib.import_module("visits.migrations.0029_open_visits_not_rated")
    migration.unrate_open_visits(apps, None)
    # then: the open visit has no rating; the checked-out one keeps its own
    assert Visit.objects.values_list("rating", "rating_reasons").get(pk=open_visit.pk) == ("", [])
    assert Visit.objects.values_list("rating", "rating_reasons").get(pk=closed.pk) == ("yellow", reasons)
