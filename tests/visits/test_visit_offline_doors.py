"""The doors a visit made with no network comes through (issue 14 item 1): a stop's page before check-in, kept on
the phone; the check-in and the visit's saves sent by the outbox (`X-Queue: 1`, answered in JSON; `X-Queue-Replay: 1`
after they waited on the phone); a visit reached
by its client uuid before the phone knows its number; and the phone's own times, never ahead of the server's
(visits/rules.phone_time)."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from demo.photos import shelf_upload
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits import selectors
from visits.models import Visit

# sent by the outbox after it waited on the phone: the time is the phone's (ka_portal/pages.py replayed)
QUEUED = {"HTTP_X_QUEUE": "1", "HTTP_X_QUEUE_REPLAY": "1"}


@pytest.fixture
def rep(db):
    rep = make_user(Role.REP, username="rep_offline")
    store = StoreFactory(rep=rep, name="家乐福曹杨店")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    ListingFactory(store=store, product=beer)
    client = Client()
    client.force_login(rep)
    return rep, store, beer, client


def _check_in(client, store, visit_uuid, **fields):
    data = {"store": store.pk, "uuid": str(visit_uuid), **fields}
    return client.post(reverse("visits:check-in"), data, **QUEUED)


def _visit_body(beer, **fields):
    return {"action": "save", f"stock_{beer.pk}_cases": "3", f"stock_{beer.pk}_packs": "5", **fields}


def test_a_stops_page_before_check_in_names_the_visit_today_would_start(rep):
    user, store, beer, client = rep
    response = client.get(reverse("visits:visit-start", args=[store.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    start = selectors.start_uuid(user, store, timezone.localdate())
    assert f'name="uuid" value="{start}"' in html  # the check-in it sends
    assert reverse("visits:visit-uuid", args=[start]) in html  # where its form posts before the visit exists
    assert "海川纯生啤酒 500ml" in html and "尚未签到" in html


def test_a_stops_page_is_the_reps_own_and_opens_the_visit_once_started(rep):
    user, store, beer, client = rep
    other = StoreFactory(rep=make_user(Role.REP, username="rep_other"))
    assert client.get(reverse("visits:visit-start", args=[other.pk])).status_code == 404

    visit = VisitFactory(rep=user, store=store)
    response = client.get(reverse("visits:visit-start", args=[store.pk]))
    assert response.status_code == 302 and response.url == reverse("visits:visit-detail", args=[visit.pk])


def test_a_queued_check_in_answers_json_once_and_keeps_the_phones_time(rep):
    user, store, beer, client = rep
    visit_uuid = uuid.uuid4()
    tapped = timezone.now() - timedelta(hours=2)

    first = _check_in(client, store, visit_uuid, at=tapped.isoformat())
    again = _check_in(client, store, visit_uuid, at=tapped.isoformat())

    assert first.status_code == 201 and again.status_code == 201
    visit = Visit.objects.get()
    assert first.json()["url"] == reverse("visits:visit-detail", args=[visit.pk])
    assert abs(visit.checked_in_at - tapped) < timedelta(seconds=1)  # when it happened, not when it arrived


def test_a_phone_clock_ahead_never_dates_a_visit_ahead(rep):
    user, store, beer, client = rep
    # a few minutes fast: taken as now
    _check_in(client, store, uuid.uuid4(), at=(timezone.now() + timedelta(minutes=3)).isoformat())
    assert Visit.objects.get().checked_in_at <= timezone.now()
    # days ahead: a phone set wrong, refused with the reason for the outbox's list (not silently dated now)
    ahead = {"store": store.pk, "uuid": str(uuid.uuid4()), "at": (timezone.now() + timedelta(days=2)).isoformat()}
    refused = client.post(reverse("visits:check-in"), ahead, HTTP_ACCEPT_LANGUAGE="en", **QUEUED)
    assert refused.status_code == 400 and "ahead of the server's clock" in refused.json()["message"]
    assert Visit.objects.count() == 1


def test_a_queued_save_by_uuid_answers_json_with_the_pages_new_parts(rep):
    user, store, beer, client = rep
    visit_uuid = uuid.uuid4()
    url = reverse("visits:visit-uuid", args=[visit_uuid])
    # not uploaded yet (its check-in was refused or has not arrived): not found
    assert client.post(url, _visit_body(beer), **QUEUED).status_code == 404

    _check_in(client, store, visit_uuid)
    response = client.post(url, _visit_body(beer), **QUEUED)

    assert response.status_code == 200
    answer = response.json()
    assert answer["checked_out"] is False
    assert 'id="suggested-order"' in answer["sections"]["suggested-order"]
    assert Visit.objects.get().stock_counts.get().packs == 41


def test_a_refused_queued_save_names_the_field_and_why(rep):
    user, store, beer, client = rep
    visit_uuid = uuid.uuid4()
    _check_in(client, store, visit_uuid)
    url = reverse("visits:visit-uuid", args=[visit_uuid])

    refused = client.post(url, _visit_body(beer, checkout_reason="长" * 1001), **QUEUED)
    incomplete = client.post(url, {"action": "check_out"}, **QUEUED)

    assert refused.status_code == 400
    assert "1000" in " ".join(refused.json()["errors"]["checkout_reason"])
    assert incomplete.status_code == 400
    assert f"stock_{beer.pk}" in incomplete.json()["errors"]  # what check-out lacks, by field
    assert Visit.objects.get().checked_out_at is None


def test_a_queued_write_to_a_closed_visit_says_so_and_a_repeated_check_out_is_done(rep):
    user, store, beer, client = rep
    visit_uuid = uuid.uuid4()
    _check_in(client, store, visit_uuid)
    url = reverse("visits:visit-uuid", args=[visit_uuid])
    body = _visit_body(beer, checkout_reason="店长不在", action="check_out")
    left = (timezone.now() - timedelta(minutes=1)).isoformat()

    assert client.post(url, {**body, "at": left}, **QUEUED).json()["checked_out"] is True
    assert client.post(url, {**body, "at": left}, **QUEUED).status_code == 200  # sent twice: done once
    late = client.post(url, _visit_body(beer), **QUEUED)

    assert late.status_code == 409 and late.json()["message"]  # why it was not recorded, for the rep
    visit = Visit.objects.get()
    assert visit.checked_out_at is not None and abs(visit.checked_out_at - timezone.now()) < timedelta(minutes=2)


def test_another_reps_visit_by_its_uuid_is_not_found(rep):
    user, store, beer, client = rep
    other = make_user(Role.REP, username="rep_other")
    visit = VisitFactory(rep=other, store=StoreFactory(rep=other))
    url = reverse("visits:visit-uuid", args=[visit.uuid])

    assert client.get(url).status_code == 404
    assert client.post(url, _visit_body(beer), **QUEUED).status_code == 404


def test_a_photo_taken_before_the_check_in_uploaded_reaches_its_visit_by_uuid(rep):
    user, store, beer, client = rep
    visit_uuid = uuid.uuid4()
    url = reverse("visits:visit-photo-uuid", args=[visit_uuid])
    photo = {"checklist_item": "promotion_display", "caption": "端架"}
    assert client.post(url, {**photo, "image": shelf_upload(1)}, **QUEUED).status_code == 404  # not uploaded yet

    _check_in(client, store, visit_uuid)
    added = client.post(url, {**photo, "image": shelf_upload(2)}, **QUEUED)
    refused = client.post(url, {**photo, "image": SimpleUploadedFile("notes.pdf", b"%PDF-1.4")}, **QUEUED)

    assert added.status_code == 201 and 'data-testid="photo"' in added.json()["gallery"]
    assert refused.status_code == 400 and "image" in refused.json()["errors"]
    visit = Visit.objects.get()
    assert visit.photos.get().checklist_item == "promotion_display"

    client.post(
        reverse("visits:visit-uuid", args=[visit_uuid]),
        _visit_body(beer, checkout_reason="店长不在", action="check_out"),
        **QUEUED,
    )
    late = client.post(url, {**photo, "image": shelf_upload(3)}, **QUEUED)
    assert late.status_code == 409 and visit.photos.count() == 1  # the visit was closed before it arrived


def test_a_queued_write_with_a_rotated_token_is_told_so_to_be_sent_again(rep):
    """The outbox refuses a write answered 403 (the rep no longer allowed) but keeps one whose CSRF token rotated
    (`csrf_failed`, visits/static/visits/outbox.js): the two must not look alike. A page posted in the open keeps
    Django's page."""
    user, store, _beer, _client = rep
    visit = VisitFactory(rep=user, store=store)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = reverse("visits:visit-detail", args=[visit.pk])
    queued = client.post(url, {"action": "save", "problems": "x", "csrfmiddlewaretoken": "stale"}, **QUEUED)
    assert queued.status_code == 403
    assert queued.json()["code"] == "csrf_failed"
    page = client.post(url, {"action": "save", "problems": "x", "csrfmiddlewaretoken": "stale"})
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")
    visit.refresh_from_db()
    assert visit.problems == ""
