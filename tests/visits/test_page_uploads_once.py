"""A visit page's write the phone sends again with the same Idempotency-Key (the outbox's key, or the photo's own
from photos.js) is recorded once and answered as the first time: a photo whose answer was lost, a photo sent by the
page and the service worker at once, a check-in or save sent again (ka_portal/pages.py once_per_key)."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from demo.photos import shelf_upload
from ka_portal.models import IdempotencyKey
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from visits.models import Visit, VisitPhoto

from .factories import VisitFactory

pytestmark = pytest.mark.django_db


def _queued(key: str, **headers) -> dict:
    return {"HTTP_X_QUEUE": "1", "HTTP_IDEMPOTENCY_KEY": key, **headers}


@pytest.fixture
def rep(client):
    rep = make_user(Role.REP, username="rep_once")
    store = StoreFactory(rep=rep, name="好又多漕宝路店")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    ListingFactory(store=store, product=beer)
    client.force_login(rep)
    return rep, store, beer, client


def _photo(token: str = "t1", seed: int = 7) -> dict:
    # another `seed` is another file: the same file on the visit again is that photo, keyed or not
    # (tests/visits/test_photo_same_file.py)
    return {"image": shelf_upload(seed), "caption": "货架全景", "checklist_item": "", "csrfmiddlewaretoken": token}


def test_a_photo_sent_again_with_its_key_is_added_once_and_answered_as_the_first(rep):
    user, store, beer, client = rep
    visit = VisitFactory(rep=user, store=store, latitude=Decimal("31.18"), longitude=Decimal("121.47"))
    url = reverse("visits:visit-photo", args=[visit.pk])

    first = client.post(url, _photo("t1"), **_queued("0b7c6f7e-1d5a-4c1e-9a52-3f3e5a1c0001"))
    again = client.post(url, _photo("t2"), **_queued("0B7C6F7E1D5A4C1E9A523F3E5A1C0001"))  # the same key, written so

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    assert list(visit.photos.values_list("caption", flat=True)) == ["货架全景"]

    # photos.js sends its upload straight with the photo's key and X-Photo-Upload: the same key, counted once too
    straight = client.post(url, _photo(seed=8), **_queued("k-straight", HTTP_X_PHOTO_UPLOAD="1"))
    kept_then_sent = client.post(url, _photo(seed=8), **_queued("k-straight"))
    assert straight.status_code == kept_then_sent.status_code == 201 and straight.json()["gallery"]
    assert VisitPhoto.objects.filter(visit=visit).count() == 2


def test_a_photo_by_the_visits_uuid_and_a_check_in_sent_again_count_once(rep):
    user, store, beer, client = rep
    visit_uuid = uuid.uuid4()
    check_in = {"store": store.pk, "uuid": str(visit_uuid)}

    first = client.post(reverse("visits:check-in"), check_in, **_queued("k-in"))
    again = client.post(reverse("visits:check-in"), check_in, **_queued("k-in"))
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"

    url = reverse("visits:visit-photo-uuid", args=[visit_uuid])
    for _attempt in range(3):  # the page, the page reloaded, the service worker
        assert client.post(url, _photo(), **_queued("k-photo")).status_code == 201
    assert Visit.objects.get(uuid=visit_uuid).photos.count() == 1


def test_a_refused_photo_keeps_no_key_and_a_page_post_is_left_as_it_is(rep):
    user, store, beer, client = rep
    visit = VisitFactory(rep=user, store=store)
    url = reverse("visits:visit-photo", args=[visit.pk])

    refused = client.post(url, {"caption": "没选照片"}, **_queued("k-bad"))
    assert refused.status_code == 400 and not IdempotencyKey.objects.exists()

    # the form posted in the open without a key (no service worker): a page's redirect, nothing claimed
    client.post(url, _photo())
    client.post(url, _photo(seed=8))
    assert VisitPhoto.objects.filter(visit=visit).count() == 2 and not IdempotencyKey.objects.exists()


def test_a_save_answered_then_sent_again_is_answered_as_the_first_not_applied_again(rep):
    user, store, beer, client = rep
    visit = VisitFactory(rep=user, store=store)
    url = reverse("visits:visit-detail", args=[visit.pk])
    older = {"action": "save", "problems": "端架有破损包装", "changed": "problems"}

    first = client.post(url, older, **_queued("k-save-1"))
    client.post(url, {"action": "save", "problems": "已更换", "changed": "problems"}, **_queued("k-save-2"))
    late = client.post(url, older, **_queued("k-save-1"))  # the first's answer was lost: it arrives again, late

    assert late.json() == first.json() and late["Idempotent-Replayed"] == "true"
    visit.refresh_from_db()
    assert visit.problems == "已更换"  # the later save stands


# --- a form posted in the open by the service worker (templates/pwa/sw.js), with the key its outbox keeps it under --


def test_a_post_in_the_open_whose_answer_was_lost_is_answered_as_the_first_when_it_goes_up(rep):
    user, store, beer, client = rep
    visit = VisitFactory(rep=user, store=store)
    url = reverse("visits:visit-detail", args=[visit.pk])
    older = {"action": "save", "problems": "端架有破损包装", "changed": "problems"}

    # the service worker sends the visit's form with a key; the server records it, the answer is lost on the way
    first = client.post(url, older, HTTP_IDEMPOTENCY_KEY="k-sw")
    # the rep saves again, online; then the outbox uploads the first post, kept under the key it was sent with
    client.post(url, {"action": "save", "problems": "已更换", "changed": "problems"}, **_queued("k-page"))
    late = client.post(url, older, **_queued("k-sw"))

    assert first.status_code == 302 and first["Location"] == f"{url}#suggested-order"  # the page goes on as before
    assert late.status_code == 200 and late["Idempotent-Replayed"] == "true"
    assert late.json() == {"url": f"{url}#suggested-order"}  # where the first led: the outbox takes it as sent
    visit.refresh_from_db()
    assert visit.problems == "已更换"  # the later save stands, not undone by the old one


def test_a_photo_posted_in_the_open_with_a_key_is_added_once_however_often_it_is_sent(rep):
    user, store, beer, client = rep
    visit = VisitFactory(rep=user, store=store)
    url = reverse("visits:visit-photo", args=[visit.pk])

    first = client.post(url, _photo("t1"), HTTP_IDEMPOTENCY_KEY="k-open")
    again = client.post(url, _photo("t2"), HTTP_IDEMPOTENCY_KEY="k-open")  # the same post in the open again
    uploaded = client.post(url, _photo("t3"), **_queued("k-open"))  # and from the outbox

    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert uploaded.status_code == 200 and uploaded.json() == {"url": first["Location"]}
    assert VisitPhoto.objects.filter(visit=visit).count() == 1


def test_a_check_in_refused_in_the_open_keeps_no_key_and_its_upload_is_weighed_anew(rep):
    user, store, beer, client = rep
    body = {"store": store.pk, "uuid": str(uuid.uuid4()), "latitude": "31.2"}  # half a position: refused

    refused = client.post(reverse("visits:check-in"), body, HTTP_IDEMPOTENCY_KEY="k-in", HTTP_ACCEPT_LANGUAGE="en")
    uploaded = client.post(reverse("visits:check-in"), body, **_queued("k-in"), HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 302 and refused["Location"] == reverse("visits:today")  # said on Today
    assert not IdempotencyKey.objects.exists()
    assert uploaded.status_code == 400 and "Give both latitude and longitude" in uploaded.json()["message"]
    assert not Visit.objects.exists()  # nothing recorded either time
