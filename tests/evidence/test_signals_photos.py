"""The photo pipeline every part of visit evidence relies on: only JPEG and PNG (by what the file is, not its
name), the size limit, a damaged file refused with nothing stored, the camera time read from EXIF, a thumbnail
made the right way up, and the page and API serving the thumbnail in scope."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from evidence.models import PhotoHash
from ka_portal.errors import DomainError
from tests.evidence.signal_images import jpeg, png, shelf
from tests.evidence.signal_world import add_photo, at, check_in, media_fixture, world_fixture  # noqa: F401
from visits.models import VisitPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The services' messages and sentences in English (the site's language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _bytes(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


@pytest.fixture
def visit(world):
    return check_in(world.rep, world.store_a, at(10))


def test_a_jpeg_is_kept_with_its_camera_time_thumbnail_and_hash(visit, media):
    photo = add_photo(visit, jpeg(shelf(1), taken_at=datetime(2026, 11, 20, 10, 5)), caption="端架")

    assert photo.taken_at == datetime(2026, 11, 20, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    thumb = Image.open(media / photo.thumbnail.name)
    assert thumb.format == "JPEG" and max(thumb.size) == 320
    assert PhotoHash.objects.filter(photo=photo, visit=visit).exists()
    assert photo.image.name.endswith(".jpg")


def test_the_exif_offset_wins_over_shanghai(visit):
    data = jpeg(shelf(1), taken_at=datetime(2026, 11, 20, 3, 5), offset="+01:00")

    photo = add_photo(visit, data)

    assert photo.taken_at == datetime(2026, 11, 20, 2, 5, tzinfo=ZoneInfo("UTC"))


def test_a_png_named_jpg_is_kept_as_png_without_a_camera_time(visit):
    photo = add_photo(visit, png(shelf(1)), name="IMG_1.JPG")

    assert photo.image.name.endswith(".png")
    assert photo.taken_at is None


def test_the_thumbnail_is_turned_upright_by_the_exif_orientation(visit, media):
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held sideways: rotate 90° clockwise to show it
    photo = add_photo(visit, _bytes(Image.new("RGB", (640, 320), "green"), "JPEG", exif=exif))

    assert Image.open(media / photo.thumbnail.name).size == (160, 320)


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (_bytes(Image.new("RGB", (20, 20), "red"), "GIF"), "GIF"),
        (_bytes(Image.new("RGB", (20, 20), "red"), "WEBP"), "WEBP"),
        (_bytes(Image.new("RGB", (20, 20), "red"), "BMP"), "BMP"),
        (b"%PDF-1.4 not a photo at all", "not an image"),
    ],
    ids=["gif", "webp", "bmp", "pdf"],
)
def test_other_formats_are_refused_naming_the_allowed_ones(visit, data, found):
    with pytest.raises(DomainError) as refusal:
        add_photo(visit, data)

    assert refusal.value.code == "visit.photo_format"
    assert "Only JPEG and PNG photos are accepted" in refusal.value.detail and found in refusal.value.detail
    assert not VisitPhoto.objects.exists() and not PhotoHash.objects.exists()


def test_a_truncated_jpeg_is_refused_and_nothing_is_stored(visit, media):
    data = jpeg(shelf(1))[:3000]

    with pytest.raises(DomainError) as refusal:
        add_photo(visit, data)

    assert refusal.value.code == "visit.photo_corrupt"
    assert not VisitPhoto.objects.exists() and not PhotoHash.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_a_photo_above_the_size_limit_is_refused(visit, settings):
    from dataclasses import replace

    settings.KA = replace(settings.KA, upload_max_bytes=1000)

    with pytest.raises(DomainError) as refusal:
        add_photo(visit, jpeg(shelf(1)))

    assert refusal.value.code == "visit.photo_too_large"
    assert not VisitPhoto.objects.exists()


def test_the_visit_page_shows_thumbnails_and_serves_them_in_scope(client, world, visit):
    photo = add_photo(visit, jpeg(shelf(1)))
    client.force_login(world.rep)

    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **EN).content.decode()
    thumb = client.get(reverse("visits:photo-thumb", args=[photo.pk]))

    assert f'src="{reverse("visits:photo-thumb", args=[photo.pk])}"' in page
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size == (320, 240)
    client.force_login(world.other_rep)
    assert client.get(reverse("visits:photo-thumb", args=[photo.pk])).status_code == 404


def test_the_page_refuses_a_gif_next_to_the_field_and_stores_nothing(client, world, visit):
    client.force_login(world.rep)
    gif = SimpleUploadedFile("shelf.jpg", _bytes(Image.new("RGB", (20, 20), "red"), "GIF"))

    response = client.post(reverse("visits:visit-photo", args=[visit.pk]), {"image": gif}, **EN)

    assert response.status_code == 400
    assert "Only JPEG and PNG photos are accepted (this file is GIF)" in response.content.decode()
    assert not VisitPhoto.objects.exists()


def test_the_api_uploads_a_photo_and_answers_its_time_and_thumbnail(client, world, visit):
    client.force_login(world.rep)
    upload = SimpleUploadedFile("a.jpg", jpeg(shelf(1), taken_at=datetime(2026, 11, 20, 10, 5)))

    response = client.post(reverse("visit-photos", args=[visit.pk]), {"image": upload, "caption": "货架"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["taken_at"] == "2026-11-20T10:05:00+08:00"
    assert body["thumbnail_url"].endswith(reverse("visit-photo-thumb", args=[visit.pk, body["id"]]))
    detail = client.get(reverse("visit-detail", args=[visit.pk])).json()
    assert detail["photos"][0]["thumbnail_url"] == body["thumbnail_url"]
    assert client.get(body["thumbnail_url"])["Content-Type"] == "image/jpeg"


def test_the_api_refuses_a_png_disguised_gif_with_its_code(client, world, visit):
    client.force_login(world.rep)
    gif = SimpleUploadedFile("a.png", _bytes(Image.new("RGB", (20, 20), "red"), "GIF"))

    response = client.post(reverse("visit-photos", args=[visit.pk]), {"image": gif}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["code"] == "visit.photo_format"


def test_the_api_refuses_a_photo_on_someone_elses_visit(client, world, visit):
    client.force_login(world.teammate)

    response = client.post(reverse("visit-photos", args=[visit.pk]), {"image": SimpleUploadedFile("a.jpg", b"x")})

    assert response.status_code == 404


def test_adding_a_photo_with_htmx_answers_only_the_photos_section(client, world, visit):
    client.force_login(world.rep)
    url = reverse("visits:visit-photo", args=[visit.pk])
    gif = SimpleUploadedFile("a.jpg", _bytes(Image.new("RGB", (20, 20), "red"), "GIF"))

    refused = client.post(url, {"image": gif}, HTTP_HX_REQUEST="true", **EN).content.decode()
    added = client.post(url, {"image": SimpleUploadedFile("b.jpg", jpeg(shelf(1)))}, HTTP_HX_REQUEST="true", **EN)

    assert "<html" not in refused and "Only JPEG and PNG photos are accepted" in refused
    body = added.content.decode()
    photo = VisitPhoto.objects.get()
    assert added.status_code == 200 and "<html" not in body and 'id="photos"' in body
    assert reverse("visits:photo-thumb", args=[photo.pk]) in body and "Photo added." in body
