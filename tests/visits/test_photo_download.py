"""Visit photos come only through the scoped download (page and API), never from /media/: the rep who
took them, their supervisor and the account's manager get the bytes; another rep finds nothing (404);
finance, whose role does not read visits, is refused (403); anonymous users are sent to log in (401 on
the API); photos are stored under random names."""

import importlib
import re
from dataclasses import replace
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse
from PIL import Image

from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from visits import services
from visits.models import VisitPhoto

from .factories import VisitFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _jpeg() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return buffer.getvalue()


JPEG = _jpeg()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def team():
    """A manager's account with a store of rep_own (led by sup_own); rep_else works elsewhere."""
    manager = make_user(Role.MANAGER, username="mgr_own")
    supervisor = make_user(Role.SUPERVISOR, username="sup_own")
    rep = make_user(Role.REP, username="rep_own", supervisor=supervisor)
    store = StoreFactory(rep=rep, account=KeyAccountFactory(owner=manager), name="沃尔玛五角场店")
    return {"manager": manager, "supervisor": supervisor, "rep": rep, "store": store}


@pytest.fixture
def photo(media, team) -> VisitPhoto:
    visit = VisitFactory(rep=team["rep"], store=team["store"])
    upload = SimpleUploadedFile("IMG_0001.JPG", JPEG, content_type="image/jpeg")
    return services.visit_photo_add(visit=visit, image=upload, caption="端架")


def _page_url(photo: VisitPhoto) -> str:
    return reverse("visits:photo", args=[photo.pk])


def _api_url(photo: VisitPhoto) -> str:
    return reverse("visit-photo", args=[photo.visit_id, photo.pk])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_photo_is_stored_under_a_random_name(photo, media):
    assert re.fullmatch(r"visits/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", photo.image.name)
    assert (media / photo.image.name).read_bytes() == JPEG


@pytest.mark.parametrize("who", ["rep", "supervisor", "manager"])
def test_the_rep_their_supervisor_and_the_accounts_manager_get_the_photo(client, team, photo, who):
    client.force_login(team[who])

    response = client.get(_page_url(photo))

    assert response.status_code == 200
    assert _body(response) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == f'inline; filename="visit-{photo.visit_id}-photo-{photo.pk}.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_another_reps_photo_is_not_found(client, photo):
    client.force_login(make_user(Role.REP, username="rep_else"))

    assert client.get(_page_url(photo)).status_code == 404


def test_another_accounts_manager_finds_no_photo(client, photo):
    client.force_login(make_user(Role.MANAGER, username="mgr_else"))

    assert client.get(_page_url(photo)).status_code == 404


def test_finance_does_not_read_visits_so_is_refused(client, finance, photo):
    client.force_login(finance)

    response = client.get(_page_url(photo))

    assert response.status_code == 403
    assert JPEG not in response.content


def test_anonymous_is_sent_to_log_in(client, photo):
    response = client.get(_page_url(photo))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_visit_page_shows_the_photo_through_the_scoped_view(client, team, photo):
    client.force_login(team["rep"])

    page = client.get(reverse("visits:visit-detail", args=[photo.visit_id]), **EN).content.decode()

    thumb = reverse("visits:photo-thumb", args=[photo.pk])  # the strip shows thumbnails, linking to the photo
    assert f'href="{_page_url(photo)}"' in page and f'src="{thumb}"' in page
    assert "/media/" not in page and photo.image.name not in page


# --- API -------------------------------------------------------------------------------------------


def test_the_api_lists_photos_by_their_scoped_download_and_serves_the_bytes(api_client, team, photo):
    api_client.force_authenticate(team["rep"])

    visit = api_client.get(reverse("visit-detail", args=[photo.visit_id])).json()

    assert [{k: v for k, v in p.items() if k in ("id", "caption", "url")} for p in visit["photos"]] == [
        {"id": photo.pk, "caption": "端架", "url": f"http://testserver{_api_url(photo)}"}
    ]
    thumb = reverse("visit-photo-thumb", args=[photo.visit_id, photo.pk])
    assert visit["photos"][0]["thumbnail_url"] == f"http://testserver{thumb}"
    response = api_client.get(_api_url(photo), HTTP_ACCEPT="image/jpeg")
    assert response.status_code == 200
    assert _body(response) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    listed = api_client.get(reverse("visit-list")).content.decode()
    assert "/media/" not in listed and photo.image.name not in listed


def test_the_api_asks_anonymous_callers_to_authenticate(api_client, photo):
    assert api_client.get(_api_url(photo)).status_code == 401


def test_the_api_answers_another_rep_404_and_finance_403(api_client, finance, photo):
    api_client.force_authenticate(make_user(Role.REP, username="rep_api_else"))
    assert api_client.get(_api_url(photo), HTTP_ACCEPT="image/jpeg").status_code == 404

    api_client.force_authenticate(finance)
    refused = api_client.get(_api_url(photo))
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"


def test_a_photo_of_another_visit_is_not_reached_through_ones_own_visit(api_client, team, photo):
    mine = VisitFactory(rep=team["rep"], store=team["store"])
    api_client.force_authenticate(team["rep"])

    response = api_client.get(reverse("visit-photo", args=[mine.pk, photo.pk]))

    assert response.status_code == 404


def test_the_api_visit_list_reads_photos_in_a_fixed_number_of_queries(
    api_client, team, media, django_assert_max_num_queries
):
    for _ in range(5):
        visit = VisitFactory(rep=team["rep"], store=team["store"])
        services.visit_photo_add(visit=visit, image=SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg"))
    api_client.force_authenticate(team["rep"])

    with django_assert_max_num_queries(8):
        body = api_client.get(reverse("visit-list")).json()

    assert sum(len(visit["photos"]) for visit in body["results"]) == 5


# --- nothing public under /media/ -----------------------------------------------------------------


@pytest.fixture
def debug_urls(settings):
    """The URLs as `make run` builds them (DEBUG on), restored afterwards."""
    import ka_portal.urls

    settings.DEBUG = True
    importlib.reload(ka_portal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(ka_portal.urls)
    clear_url_caches()


def test_media_urls_answer_404_even_in_debug(client, team, photo, debug_urls):
    client.force_login(team["rep"])

    response = client.get(f"/media/{photo.image.name}")

    assert response.status_code == 404
    assert JPEG not in response.content


def test_a_photo_over_the_limit_is_refused_on_the_page_with_the_services_words(client, team, media, settings):
    settings.KA = replace(settings.KA, upload_max_bytes=100)
    visit = VisitFactory(rep=team["rep"], store=team["store"])
    client.force_login(team["rep"])
    upload = SimpleUploadedFile("IMG_0002.JPG", JPEG, content_type="image/jpeg")

    response = client.post(reverse("visits:visit-photo", args=[visit.pk]), {"image": upload}, **EN)

    assert response.status_code == 400
    assert "at most 0.0 MB is allowed" in response.content.decode()
    assert not visit.photos.exists()
