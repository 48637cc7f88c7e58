"""The competitor-sightings API: a rep records at their open visit (JSON, or multipart with a photo, safe to
repeat with an Idempotency-Key), corrects and takes back; lists are filtered and scoped; out of scope is 404."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from evidence.models import CompetitorSighting
from tests.evidence.competitors_world import SHANGHAI, build_world, closed_visit, jpeg, sighting

pytestmark = pytest.mark.django_db
LIST = reverse("competitor-sighting-list")


@pytest.fixture
def w():
    return build_world()


def _api(user) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    return api


def _detail(sighting_or_pk) -> str:
    return reverse("competitor-sighting-detail", args=[getattr(sighting_or_pk, "pk", sighting_or_pk)])


def test_a_rep_records_a_sighting_with_a_photo_once_per_key(w, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    api = _api(w.rep)
    body = {"visit": w.visit.pk, "brand": "百威", "product": "百威 500ml", "shelf_price": "5.90",
            "regular_price": "6.90", "mechanics": "price_cut", "display": "end_cap"}  # fmt: skip
    created = api.post(LIST, {**body, "photo": jpeg()}, format="multipart", HTTP_IDEMPOTENCY_KEY="sighting-1")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["account"], data["store"], data["seen_on"], data["rep"]) == ("CWA", "CWA-01", "2026-11-20", "cw_rep")
    assert (data["shelf_price"], data["regular_price"], data["depth"]) == ("5.90", "6.90", "0.1449")
    assert data["photo"].endswith(f"/api/v1/visits/{w.visit.pk}/photos/{CompetitorSighting.objects.get().photo_id}/")
    # the same key and body again: the first answer, nothing new
    again = api.post(LIST, {**body, "photo": jpeg()}, format="multipart", HTTP_IDEMPOTENCY_KEY="sighting-1")
    assert (again.status_code, again.json()["id"]) == (201, data["id"])
    assert CompetitorSighting.objects.count() == 1
    # JSON works too, without a photo
    plain = api.post(LIST, {"visit": w.visit.pk, "brand": "雪花"}, format="json")
    assert plain.status_code == 201 and plain.json()["photo"] is None and plain.json()["depth"] is None


def test_refusals_answer_their_code(w):
    api = _api(w.rep)
    refused = api.post(
        LIST, {"visit": w.visit.pk, "brand": "百威", "shelf_price": "7.00", "regular_price": "6.00",
               "mechanics": "price_cut"}, format="json",
    )  # fmt: skip
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == ("competitor.cut_not_below_regular", "shelf_price")
    blank = api.post(LIST, {"visit": w.visit.pk, "brand": " "}, format="json")
    assert blank.json()["code"] == "competitor.brand_required"
    # another rep's visit is not found; a supervisor has no right to record
    other = _api(w.rep2).post(LIST, {"visit": w.visit.pk, "brand": "百威"}, format="json")
    assert other.status_code == 400 and other.json()["errors"]["visit"] == ["Not found."]
    assert _api(w.supervisor).post(LIST, {"visit": w.visit.pk, "brand": "百威"}, format="json").status_code == 403
    assert not CompetitorSighting.objects.exists()


def test_the_rep_corrects_and_takes_back_while_the_visit_is_open(w):
    api = _api(w.rep)
    pk = api.post(LIST, {"visit": w.visit.pk, "brand": "雪花", "shelf_price": "3.00"}, format="json").json()["id"]
    patched = api.patch(_detail(pk), {"regular_price": "3.60", "mechanics": "price_cut"}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["brand"], patched.json()["depth"]) == ("雪花", "0.1667")
    put = api.put(_detail(pk), {"brand": "雪花", "product": "勇闯天涯"}, format="json")
    assert (put.json()["product"], put.json()["shelf_price"], put.json()["mechanics"]) == ("勇闯天涯", None, "")
    # once checked out, the visit's sightings stay as they are
    w.visit.checked_out_at = w.visit.checked_in_at + timedelta(minutes=30)
    w.visit.save()
    closed = api.patch(_detail(pk), {"product": "纯生"}, format="json")
    assert (closed.status_code, closed.json()["code"]) == (409, "visit.closed")
    assert api.delete(_detail(pk)).status_code == 409
    w.visit.checked_out_at = None
    w.visit.save()
    assert api.delete(_detail(pk)).status_code == 204
    assert not CompetitorSighting.objects.exists()


def test_lists_are_filtered_and_scoped(w, django_assert_max_num_queries):
    october = closed_visit(w.rep, w.store, datetime(2026, 10, 5, 10, tzinfo=SHANGHAI))
    foreign = closed_visit(w.rep2, w.other_store, datetime(2026, 11, 13, 10, tzinfo=SHANGHAI))
    old = sighting(october, brand="青岛啤酒", mechanics="gift")
    sighting(w.visit, brand="雪花")
    theirs = sighting(foreign, brand="百威")
    manager = _api(w.manager)
    with django_assert_max_num_queries(8):
        listed = manager.get(LIST).json()
    assert [row["brand"] for row in listed["results"]] == ["雪花", "青岛啤酒"]
    assert [r["brand"] for r in manager.get(LIST, {"brand": "青岛啤酒 "}).json()["results"]] == ["青岛啤酒"]
    assert [r["id"] for r in manager.get(LIST, {"from": "2026-10-01", "to": "2026-10-31"}).json()["results"]] == [
        old.pk
    ]
    assert manager.get(LIST, {"account": "CWB"}).status_code == 400  # not a chain of theirs
    assert manager.get(_detail(theirs)).status_code == 404
    assert _api(w.manager2).get(_detail(theirs)).json()["brand"] == "百威"
    # a rep reads only their own stores' sightings
    assert [r["brand"] for r in _api(w.rep).get(LIST).json()["results"]] == ["雪花", "青岛啤酒"]
    assert _api(w.rep).get(_detail(theirs)).status_code == 404
