"""A visit a supervisor confirmed a fraud signal of is no proof (QA: a photo confirmed as reused kept an end cap
payable): reviewing a signal re-evaluates the agreements its visit checked, whichever door reviewed it, and the
agreement's page and API say which visit was withdrawn and why. A visit checked out the next day counts while its
long-visit signal waits for a supervisor, and not once confirmed."""

from datetime import date

import pytest
from django.urls import reverse

from evidence.models import DisplayAgreement, DisplayCheck, FraudSignal
from ka_portal.formatting import display_name
from tests.evidence.agreement_data import agreement
from tests.evidence.signal_images import jpeg, shelf
from tests.evidence.signal_world import add_photo, at, check_in, check_out, media_fixture, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

Kind = FraudSignal.Kind
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NOV1, NOV30 = date(2026, 11, 1), date(2026, 11, 30)


def _visit_with_proof(world, store, image: bytes, *, checked_in, checked_out, deal):
    """A visit that checked the agreement with a photo (through the visit's services: the signals are found)."""
    visit = check_in(world.rep, store, checked_in)
    photo = add_photo(visit, image)
    DisplayCheck.objects.create(visit=visit, kind=deal.kind, agreement=deal, present=True, photo=photo)
    check_out(visit, checked_out)  # evaluates the agreements it checked
    return visit


@pytest.fixture
def reused(world):
    """The teammate photographed the end cap at their store; the rep sends the same image for the agreement at
    store A: a reused photo, and (for now) a payable end cap."""
    image = jpeg(shelf(13), taken_at=at(10, 5).replace(tzinfo=None), offset="+08:00")
    earlier = check_in(world.teammate, world.mate_store, at(9))
    add_photo(earlier, image)
    deal = agreement(world.account, store=world.store_a, start=NOV1, end=NOV30, fee="4000.00")
    visit = _visit_with_proof(world, world.store_a, image, checked_in=at(10), checked_out=at(10, 40), deal=deal)
    deal.refresh_from_db()
    assert deal.status == DisplayAgreement.Status.PAYABLE  # the signal is open: not judged yet
    return deal, FraudSignal.objects.get(visit=visit, kind=Kind.PHOTO_REUSED)


def test_confirming_a_reused_photo_on_the_page_withdraws_the_visit_and_the_agreement_says_why(client, world, reused):
    deal, signal = reused
    # when the supervisor confirms it on the queue's page
    client.force_login(world.supervisor)
    client.post(reverse("evidence:signal-review", args=[signal.pk]), {"status": "confirmed", "note": "确认作弊"})
    # then the end cap is no longer payable, at once (the list, the deduction sheet and the API read this)
    deal.refresh_from_db()
    assert (deal.status, deal.evidenced_visits) != (DisplayAgreement.Status.PAYABLE, 1)
    assert deal.evidenced_visits == 0
    # and its page says which visit was withdrawn, by which signal, with the supervisor's note
    client.force_login(world.manager)
    page = client.get(reverse("evidence:agreement-detail", args=[deal.pk]), **EN).content.decode()
    assert "0 of 1 visit with a photo" in page and ">Payable<" not in page
    assert "1 visit withdrawn: a supervisor confirmed a fraud signal of it." in page
    row = page.split('data-testid="evidence-row"')[1]
    assert "✗ Withdrawn: a supervisor confirmed a fraud signal of this visit" in row
    assert "Photo reused" in row and "确认作弊" in row and f"confirmed by {display_name(world.supervisor)}" in row
    assert reverse("evidence:signal-detail", args=[signal.pk]) in row  # the manager reads signals at their stores
    # and the list counts it no more among the payable fees
    listed = client.get(reverse("evidence:agreement-list"), {"status": "payable"}, **EN).content.decode()
    assert 'data-testid="agreement-row"' not in listed


def test_the_api_review_withdraws_it_and_a_dismissal_puts_it_back(api_client, world, reused):
    deal, signal = reused
    review = reverse("fraud-signal-review", args=[signal.pk])
    api_client.force_authenticate(world.supervisor)

    assert api_client.post(review, {"status": "confirmed", "note": "确认作弊"}, format="json").status_code == 200

    api_client.force_authenticate(world.manager)
    body = api_client.get(reverse("display-agreement-detail", args=[deal.pk])).json()
    assert body["status"] != "payable" and body["evidenced_visits"] == 0
    [visit] = body["visits"]
    assert (visit["counts"], visit["reason"]) == (False, "fraud_confirmed")
    assert [(s["kind"], s["status"], s["review_note"]) for s in visit["signals"]] == [
        ("photo_reused", "confirmed", "确认作弊")
    ]
    # the supervisor changes their mind: the visit is proof again
    api_client.force_authenticate(world.supervisor)
    api_client.post(review, {"status": "dismissed", "note": "同一端架，另一天拍的"}, format="json")
    api_client.force_authenticate(world.manager)
    body = api_client.get(reverse("display-agreement-detail", args=[deal.pk])).json()
    assert (body["status"], body["evidenced_visits"], body["visits"][0]["reason"]) == ("payable", 1, None)


def test_a_visit_checked_out_the_next_day_counts_until_its_long_visit_signal_is_confirmed(client, world):
    # given a visit checked in at 20:00 and checked out the next morning (sent offline), its photo taken at 20:10
    deal = agreement(world.account, store=world.store_a, start=NOV1, end=NOV30, fee="2500.00")
    image = jpeg(shelf(21), taken_at=at(20, 10).replace(tzinfo=None), offset="+08:00")
    visit = _visit_with_proof(
        world, world.store_a, image, checked_in=at(20), checked_out=at(10, 0, (2026, 11, 21)), deal=deal
    )
    signal = FraudSignal.objects.get(visit=visit, kind=Kind.LONG_VISIT)
    deal.refresh_from_db()
    # then, while its signal waits, it counts — and the agreement's page says a supervisor has it to review
    assert (deal.status, deal.evidenced_visits) == (DisplayAgreement.Status.PAYABLE, 1)
    client.force_login(world.manager)
    page = client.get(reverse("evidence:agreement-detail", args=[deal.pk]), **EN).content.decode()
    assert "Checked out long after the check-in" in page and "to review by a supervisor: counts until confirmed" in page
    # when the supervisor confirms it
    client.force_login(world.supervisor)
    client.post(reverse("evidence:signal-review", args=[signal.pk]), {"status": "confirmed", "note": "第二天补签退"})
    # then it is withdrawn
    deal.refresh_from_db()
    assert deal.evidenced_visits == 0 and deal.status != DisplayAgreement.Status.PAYABLE
