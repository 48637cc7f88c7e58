"""The same photo file sent to the same visit again is that photo, not a second one (QA of the mobile API: a phone
retrying an upload without its Idempotency-Key, or with a new one, made two photos and said nothing). The very bytes
on the visit already answer the photo there (the API 200 instead of 201, the page "on the visit already"); another
file, or the same file on another visit (a reused photo: the evidence's photo_reused), is added as before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from evidence.models import FraudSignal
from tests.evidence.signal_images import jpeg, shelf
from tests.evidence.signal_world import at, check_in, media_fixture, world_fixture  # noqa: F401
from visits import services
from visits.models import VisitPhoto

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def visit(world):
    return check_in(world.rep, world.store_a, at(10))


def upload(seed=1):
    return SimpleUploadedFile("shelf.jpg", jpeg(shelf(seed)), content_type="image/jpeg")


def test_the_api_answers_the_photo_already_there_with_200_and_adds_nothing(client, world, visit):
    client.force_login(world.rep)
    url = reverse("visit-photos", args=[visit.pk])

    first = client.post(url, {"image": upload(), "caption": "货架全景"})
    again = client.post(url, {"image": upload(), "caption": "货架全景"})  # the phone's retry, no key

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["caption"] == "货架全景"
    assert VisitPhoto.objects.filter(visit=visit).count() == 1


def test_a_new_key_does_not_make_the_same_file_a_second_photo(client, world, visit):
    client.force_login(world.rep)
    url = reverse("visit-photos", args=[visit.pk])

    first = client.post(url, {"image": upload()}, HTTP_IDEMPOTENCY_KEY="photo-a")
    again = client.post(url, {"image": upload(), "caption": "另一个说明"}, HTTP_IDEMPOTENCY_KEY="photo-b")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["caption"] == ""  # the photo as it is: a second sending changes nothing
    assert VisitPhoto.objects.filter(visit=visit).count() == 1


def test_another_file_is_another_photo_and_a_removed_photo_can_be_added_again(world, visit):
    first = services.visit_photo_add(visit=visit, image=upload(1))
    other = services.visit_photo_add(visit=visit, image=upload(2))
    assert (first.already_added, other.already_added) == (False, False) and first.pk != other.pk

    services.visit_photo_remove(photo=first, by=world.rep)
    again = services.visit_photo_add(visit=visit, image=upload(1))
    assert again.already_added is False and again.pk != first.pk
    assert VisitPhoto.objects.filter(visit=visit).count() == 2


def test_the_same_file_on_another_visit_is_still_added_and_flagged_as_reused(world, visit):
    services.visit_photo_add(visit=visit, image=upload(1))
    elsewhere = check_in(world.rep, world.store_b, at(12))

    copy = services.visit_photo_add(visit=elsewhere, image=upload(1))

    assert copy.already_added is False and copy.visit == elsewhere
    assert FraudSignal.objects.filter(visit=elsewhere, kind=FraudSignal.Kind.PHOTO_REUSED).exists()


def test_the_pages_background_upload_answers_the_gallery_with_200(client, world, visit):
    client.force_login(world.rep)
    url = reverse("visits:visit-photo", args=[visit.pk])
    queued = {"HTTP_X_PHOTO_UPLOAD": "1", "HTTP_X_QUEUE": "1", **EN}

    first = client.post(url, {"image": upload()}, HTTP_IDEMPOTENCY_KEY="page-1", **queued)
    again = client.post(url, {"image": upload()}, HTTP_IDEMPOTENCY_KEY="page-2", **queued)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["already_added"] is True and again.json()["gallery"]
    assert VisitPhoto.objects.filter(visit=visit).count() == 1


@pytest.mark.parametrize(("language", "said"), [("en", "This photo is on the visit already: it was not added again.")])
def test_the_page_says_the_photo_is_there_already(client, world, visit, language, said):
    client.force_login(world.rep)
    url = reverse("visits:visit-photo", args=[visit.pk])
    client.post(url, {"image": upload()}, HTTP_ACCEPT_LANGUAGE=language)

    with translation.override(language):
        response = client.post(url, {"image": upload()}, follow=True, HTTP_ACCEPT_LANGUAGE=language)
        assert said in response.content.decode()
        htmx = client.post(url, {"image": upload()}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE=language)
        assert htmx.status_code == 200 and 'data-testid="photo-already-added"' in htmx.content.decode()
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
