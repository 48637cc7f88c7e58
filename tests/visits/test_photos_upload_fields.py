"""What goes with a photo resized in the browser (issue 14): the original's camera time (kept only when the file
itself has none), the phone's position (bounded like a visit's) and the checklist item it shows; through the
service, the page's background upload (photos.js) and the API."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from ka_portal.errors import DomainError
from tests.evidence.signal_images import jpeg, shelf
from tests.evidence.signal_world import at, check_in, check_out, media_fixture, world_fixture  # noqa: F401
from visits import services
from visits.models import VisitPhoto

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
QUEUED = {"HTTP_X_PHOTO_UPLOAD": "1", **EN}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def visit(world):
    return check_in(world.rep, world.store_a, at(10))


def _upload(data: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


# --- the service -------------------------------------------------------------------------------------------------


def test_the_browsers_time_is_kept_for_a_file_without_exif(visit):
    photo = services.visit_photo_add(
        visit=visit, image=_upload(jpeg(shelf(1))), taken_at=datetime(2026, 11, 20, 10, 5)
    )  # a naive time is the camera's, in Shanghai

    assert photo.taken_at == datetime(2026, 11, 20, 10, 5, tzinfo=SHANGHAI)


def test_the_files_own_camera_time_wins_over_the_field(visit):
    data = jpeg(shelf(1), taken_at=datetime(2026, 11, 20, 9, 0))

    photo = services.visit_photo_add(
        visit=visit, image=_upload(data), taken_at=datetime(2026, 11, 1, 8, 0, tzinfo=SHANGHAI)
    )

    assert photo.taken_at == datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)


def test_position_and_checklist_item_are_stored(visit):
    photo = services.visit_photo_add(
        visit=visit,
        image=_upload(jpeg(shelf(1))),
        latitude=Decimal("31.230400"),
        longitude=Decimal("121.473700"),
        checklist_item="promotion_display",
    )

    photo.refresh_from_db()
    assert (photo.latitude, photo.longitude) == (Decimal("31.230400"), Decimal("121.473700"))
    assert photo.get_checklist_item_display() == "Lively promotion display"


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"latitude": Decimal("91")}, "bounds.coordinate_out_of_range", "latitude"),
        ({"longitude": Decimal("-180.5")}, "bounds.coordinate_out_of_range", "longitude"),
        ({"checklist_item": "shelf_life"}, "visit.photo_checklist_item", "checklist_item"),
    ],
)
def test_a_position_out_of_bounds_or_an_unknown_item_is_refused_and_nothing_kept(visit, kwargs, code, field):
    with pytest.raises(DomainError) as refused:
        services.visit_photo_add(visit=visit, image=_upload(jpeg(shelf(1))), **kwargs)

    assert (refused.value.code, refused.value.field) == (code, field)
    assert not VisitPhoto.objects.exists()


# --- the page (photos.js's background upload) ---------------------------------------------------------------------


def test_the_background_upload_stores_the_fields_and_answers_the_gallery(client, world, visit):
    client.force_login(world.rep)
    url = reverse("visits:visit-photo", args=[visit.pk])
    fields = {"checklist_item": "price_tag", "taken_at": "2026-11-20T10:05:00", "latitude": "31.2304"}

    response = client.post(url, {"image": _upload(jpeg(shelf(1))), "longitude": "121.4737", **fields}, **QUEUED)

    photo = VisitPhoto.objects.get()
    body = response.content.decode()
    # the gallery alone (its photos, each with its Remove), not the page nor the photo form
    assert response.status_code == 201 and "<html" not in body and "data-photo-form" not in body
    assert 'data-testid="photo-list"' in body and 'data-testid="photo-remove"' in body
    assert reverse("visits:photo-thumb", args=[photo.pk]) in body and "Clear and correct price tag" in body
    assert photo.taken_at == datetime(2026, 11, 20, 10, 5, tzinfo=SHANGHAI)
    assert (photo.latitude, photo.longitude, photo.checklist_item) == (
        Decimal("31.230400"),
        Decimal("121.473700"),
        "price_tag",
    )


def test_a_refused_background_upload_answers_the_reason_as_json(client, world, visit):
    client.force_login(world.rep)
    url = reverse("visits:visit-photo", args=[visit.pk])

    not_image = client.post(url, {"image": SimpleUploadedFile("a.jpg", b"%PDF-1.4 not a photo")}, **QUEUED)
    far = client.post(url, {"image": _upload(jpeg(shelf(1))), "latitude": "95"}, **QUEUED)

    assert not_image.status_code == 400
    assert "Only JPEG and PNG photos are accepted: this file is not an image." in not_image.json()["errors"][0]
    assert far.status_code == 400 and "Latitude 95" in far.json()["errors"][0]
    assert not VisitPhoto.objects.exists()


def test_a_photo_still_too_large_after_resizing_is_refused_with_the_limit(client, world, visit, settings):
    settings.KA = replace(settings.KA, upload_max_bytes=2048)
    client.force_login(world.rep)

    response = client.post(reverse("visits:visit-photo", args=[visit.pk]), {"image": _upload(jpeg(shelf(1)))}, **QUEUED)

    assert response.status_code == 400
    assert "at most 0.0 MB is allowed" in response.json()["errors"][0]
    assert not VisitPhoto.objects.exists()


def test_the_closed_visit_shows_item_photos_next_to_the_checklist_item(client, world, visit):
    photo = services.visit_photo_add(visit=visit, image=_upload(jpeg(shelf(1))), checklist_item="tidy")
    services.visit_record(visit=visit, checklist={"tidy": "pass"})
    check_out(visit, at(11))
    client.force_login(world.rep)

    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()

    tidy = page[page.index("Tidy and clean") :]
    tidy = tidy[: tidy.index("</li>")]
    assert f'src="{reverse("visits:photo-thumb", args=[photo.pk])}"' in tidy


# --- the API -----------------------------------------------------------------------------------------------------


def test_the_api_accepts_and_answers_the_fields(client, world, visit):
    client.force_login(world.rep)
    upload = _upload(jpeg(shelf(1)))
    fields = {"checklist_item": "stock_level", "taken_at": "2026-11-20T10:05:00+08:00"}
    position = {"latitude": "31.2304", "longitude": "121.4737"}

    response = client.post(reverse("visit-photos", args=[visit.pk]), {"image": upload, **position, **fields})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["checklist_item"] == "stock_level" and body["taken_at"] == "2026-11-20T10:05:00+08:00"
    assert (body["latitude"], body["longitude"]) == ("31.230400", "121.473700")
    listed = client.get(reverse("visit-detail", args=[visit.pk])).json()["photos"]
    assert listed[0]["checklist_item"] == "stock_level"


@pytest.mark.parametrize(("field", "value"), [("checklist_item", "shelf_life"), ("latitude", "-90.5")])
def test_the_api_refuses_an_unknown_item_or_a_position_out_of_bounds(client, world, visit, field, value):
    client.force_login(world.rep)

    response = client.post(
        reverse("visit-photos", args=[visit.pk]), {"image": _upload(jpeg(shelf(1))), field: value}, **EN
    )

    assert response.status_code == 400
    assert field in response.content.decode()
    assert not VisitPhoto.objects.exists()


def test_a_photo_without_item_or_position_answers_nulls(client, world, visit):
    client.force_login(world.rep)

    body = client.post(reverse("visit-photos", args=[visit.pk]), {"image": _upload(jpeg(shelf(1)))}).json()

    assert (body["checklist_item"], body["latitude"], body["longitude"], body["taken_at"]) == (None, None, None, None)
