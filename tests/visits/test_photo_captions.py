"""A photo's caption and the checklist item it shows are read beside it wherever the visit's photos are listed
(rep finding 4: the caption was kept but never shown, the item's label cut short): the rep's visit page, the
gallery its upload answers with, and the supervisor's read of the visit, beside the checklist answer too."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits import services
from visits.models import ChecklistResult

from .factories import VisitFactory

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _jpeg(colour: str = "red") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def people():
    supervisor = make_user(Role.SUPERVISOR, username="sup_cap")
    rep = make_user(Role.REP, username="rep_cap", supervisor=supervisor)
    return supervisor, rep


@pytest.fixture
def visit(media, people):
    _sup, rep = people
    visit = VisitFactory(rep=rep, store=StoreFactory(rep=rep), checked_in_at=timezone.now() - timedelta(minutes=30))
    upload = SimpleUploadedFile("IMG_0001.JPG", _jpeg(), content_type="image/jpeg")
    services.visit_photo_add(visit=visit, image=upload, caption="端架陈列", checklist_item="tidy")
    return visit


def _rows(page: str) -> list[str]:
    return [row.split("</li>")[0] for row in page.split('data-testid="photo"')[1:]]


def test_the_rep_reads_the_caption_and_the_whole_item_beside_the_photo(client, people, visit):
    _sup, rep = people
    client.force_login(rep)
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **ZH).content.decode()
    (row,) = _rows(page)
    assert 'data-testid="photo-caption">端架陈列<' in row
    assert 'data-testid="photo-item">整齐清洁，无破损挤压<' in row  # the whole label, not cut with "…"
    assert "text-truncate" not in row


def test_the_gallery_an_upload_answers_with_shows_the_caption(client, people, visit, media):
    _sup, rep = people
    client.force_login(rep)
    # another photo: the visit's own file again would be that photo (tests/visits/test_photo_same_file.py)
    upload = SimpleUploadedFile("IMG_0002.JPG", _jpeg("blue"), content_type="image/jpeg")
    added = client.post(
        reverse("visits:visit-photo", args=[visit.pk]),
        {"image": upload, "caption": "堆头被竞品占用", "checklist_item": ""},
        HTTP_HX_REQUEST="true",
        **ZH,
    )
    assert added.status_code in (200, 201)
    assert 'data-testid="photo-caption">堆头被竞品占用<' in added.content.decode()


def test_the_supervisor_reads_the_caption_beside_each_photo(client, people, visit):
    supervisor, _rep = people
    ChecklistResult.objects.create(visit=visit, item="tidy", result="fail")
    visit.checked_out_at = timezone.now()
    visit.save(update_fields=["checked_out_at"])
    client.force_login(supervisor)
    page = client.get(reverse("visits:visit-detail", args=[visit.pk]), **ZH).content.decode()
    # beside the checklist answer the photo shows
    line = page[page.index('data-testid="checklist-read"') :].split("</li>")[0]
    assert 'data-testid="item-photo"' in line and 'data-testid="item-photo-caption">端架陈列<' in line
    # and in the visit's photos
    (row,) = _rows(page)
    assert 'data-testid="photo-caption">端架陈列<' in row and "整齐清洁，无破损挤压" in row
