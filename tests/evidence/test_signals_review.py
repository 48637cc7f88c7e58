"""Reviewing fraud signals: a supervisor confirms (with a note) or dismisses their team's signals, and may change
their mind; another team's signal is not found; a KA manager reads but does not review; the queue page, its
filters, the in-place review, the compliance page's rate and the API."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.roles import Role
from evidence import signals
from evidence.models import FraudSignal
from ka_portal.errors import DomainError
from tests.evidence.signal_images import jpeg, shelf
from tests.evidence.signal_world import add_photo, at, check_in, check_out, media_fixture, world_fixture  # noqa: F401
from tests.factories import KeyAccountFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The services' messages and sentences in English (the site's language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
Kind = FraudSignal.Kind


@pytest.fixture
def signal(world):
    """A no-position signal of the supervisor's rep."""
    visit = check_in(world.rep, world.store_a, at(9), position=None)
    return FraudSignal.objects.get(visit=visit, kind=Kind.NO_POSITION)


@pytest.fixture
def else_signal(world):
    visit = check_in(world.other_rep, world.else_store, at(9), position=None)
    return FraudSignal.objects.get(visit=visit)


# --- the service -------------------------------------------------------------------------------------------------


def test_a_supervisor_confirms_with_a_note_and_may_change_their_mind(world, signal):
    signals.signal_review(signal=signal, status="confirmed", note="GPS关了，问过店长没来", by=world.supervisor)
    signal.refresh_from_db()
    assert (signal.status, signal.reviewed_by, signal.review_note) == (
        "confirmed",
        world.supervisor,
        "GPS关了，问过店长没来",
    )
    first_time = signal.reviewed_at

    signals.signal_review(signal=signal, status="dismissed", note="手机定位故障", by=world.supervisor)

    signal.refresh_from_db()
    assert signal.status == "dismissed" and signal.review_note == "手机定位故障"
    assert signal.reviewed_at >= first_time


def test_confirming_without_a_note_is_refused_and_nothing_changes(world, signal):
    with pytest.raises(DomainError) as refusal:
        signals.signal_review(signal=signal, status="confirmed", note="  ", by=world.supervisor)

    assert refusal.value.code == "signal.note_required" and refusal.value.field == "note"
    signal.refresh_from_db()
    assert signal.status == "open" and signal.reviewed_by is None


def test_dismissing_needs_no_note(world, signal):
    signals.signal_review(signal=signal, status="dismissed", note="", by=world.supervisor)

    signal.refresh_from_db()
    assert signal.status == "dismissed"


def test_another_teams_supervisor_does_not_find_the_signal(world, signal):
    with pytest.raises(DomainError) as refusal:
        signals.signal_review(signal=signal, status="dismissed", by=world.other_supervisor)

    assert refusal.value.code == "not_found"


def test_the_manager_sees_the_signal_but_may_not_review_it(world, signal):
    assert signals.signal_list_for(world.manager).filter(pk=signal.pk).exists()

    with pytest.raises(PermissionDenied):
        signals.signal_review(signal=signal, status="dismissed", by=world.manager)


def test_an_admin_reviews_any_signal(world, else_signal):
    admin = make_user(Role.ADMIN, username="admin_sig", is_superuser=True, is_staff=True)

    signals.signal_review(signal=else_signal, status="confirmed", note="核实", by=admin)

    else_signal.refresh_from_db()
    assert else_signal.status == "confirmed"


# --- the queue page ----------------------------------------------------------------------------------------------


def test_the_queue_shows_the_teams_open_signals_in_words(client, world, signal, else_signal):
    check_out(check_in(world.rep, world.store_b, at(15)), at(15, 2))  # a short visit, reviewed below
    short = FraudSignal.objects.get(kind=Kind.SHORT_VISIT)
    signals.signal_review(signal=short, status="dismissed", by=world.supervisor)
    client.force_login(world.supervisor)

    page = client.get(reverse("evidence:signal-list"), **EN).content.decode()

    assert "Checked in without a position" in page
    assert "Checked out after 2 minutes" not in page  # reviewed: not in the default "to review" queue
    assert "别家店" not in page  # another team's
    everything = client.get(reverse("evidence:signal-list"), {"status": "all"}, **EN).content.decode()
    assert "Checked out after 2 minutes (minimum 5)." in everything


def test_the_queue_filters_by_kind_and_rep(client, world, signal):
    check_in(world.teammate, world.mate_store, at(9), position=(31.25, 121.43))  # far from the store
    client.force_login(world.supervisor)

    far = client.get(reverse("evidence:signal-list"), {"kind": "far_check_in"}, **EN).content.decode()
    mine = client.get(reverse("evidence:signal-list"), {"rep": "rep_sig"}, **EN).content.decode()

    assert "from the store (limit 500 m)" in far and "the phone sent none" not in far
    assert "the phone sent none" in mine and "from the store (limit" not in mine


def test_a_reused_photo_shows_both_thumbnails(client, world):
    earlier = check_in(world.teammate, world.mate_store, at(9))
    add_photo(earlier, jpeg(shelf(1)))
    add_photo(check_in(world.rep, world.store_a, at(14)), jpeg(shelf(1), quality=60))
    signal = FraudSignal.objects.get(kind=Kind.PHOTO_REUSED)
    client.force_login(world.supervisor)

    page = client.get(reverse("evidence:signal-detail", args=[signal.pk]), **EN).content.decode()

    assert "Same photo as visit at 徐家汇店 on 2026-11-20 (distance 0)." in page
    # the signal is the page's heading, not a link to the page itself
    assert f'href="{reverse("evidence:signal-detail", args=[signal.pk])}"' not in page
    assert '<h1 class="h5 mb-0">Photo reused</h1>' in page
    assert reverse("evidence:signal-photo", args=[signal.pk]) in page
    assert reverse("evidence:signal-other-photo", args=[signal.pk]) in page
    other = client.get(reverse("evidence:signal-other-photo", args=[signal.pk]))
    assert other["Content-Type"] == "image/jpeg"
    client.force_login(world.other_supervisor)
    assert client.get(reverse("evidence:signal-other-photo", args=[signal.pk])).status_code == 404


def test_confirming_in_place_with_htmx_swaps_the_card(client, world, signal):
    client.force_login(world.supervisor)
    url = reverse("evidence:signal-review", args=[signal.pk])

    refused = client.post(url, {"status": "confirmed", "note": ""}, HTTP_HX_REQUEST="true", **EN)
    done = client.post(url, {"status": "confirmed", "note": "店长说没见到人"}, HTTP_HX_REQUEST="true", **EN)

    assert refused.status_code == 200  # htmx swaps only 2xx: the card comes back with the message
    assert "a confirmed signal needs a note" in refused.content.decode()
    assert "Confirmed by" not in refused.content.decode()
    assert f'id="signal-{signal.pk}"' in done.content.decode() and "<html" not in done.content.decode()
    assert "Confirmed by" in done.content.decode() and "店长说没见到人" in done.content.decode()


def test_without_javascript_the_review_goes_back_to_the_queue(client, world, signal):
    client.force_login(world.supervisor)
    queue = reverse("evidence:signal-list")

    response = client.post(
        reverse("evidence:signal-review", args=[signal.pk]), {"status": "dismissed", "next": queue}, **EN
    )

    assert response.status_code == 302 and response["Location"] == queue
    signal.refresh_from_db()
    assert signal.status == "dismissed"


def test_the_manager_reads_the_queue_without_review_forms_and_cannot_post(client, world, signal):
    client.force_login(world.manager)

    page = client.get(reverse("evidence:signal-list"), **EN).content.decode()
    post = client.post(reverse("evidence:signal-review", args=[signal.pk]), {"status": "dismissed"})

    assert "without a position" in page and 'data-testid="review-form"' not in page
    assert post.status_code == 403


def test_another_supervisor_cannot_open_or_review_the_signal(client, world, signal):
    client.force_login(world.other_supervisor)

    assert client.get(reverse("evidence:signal-detail", args=[signal.pk])).status_code == 404
    post = client.post(reverse("evidence:signal-review", args=[signal.pk]), {"status": "dismissed"})
    assert post.status_code == 404


# --- the compliance page -----------------------------------------------------------------------------------------


def test_compliance_shows_each_reps_confirmed_rate_and_open_count(client, world, signal):
    check_in(world.rep, world.store_b, at(14))  # a second visit, no signal
    check_in(world.rep, world.store_far, at(18), position=None)  # a third, open signal (and a no-position)
    signals.signal_review(signal=signal, status="confirmed", note="没去", by=world.supervisor)
    client.force_login(world.supervisor)

    page = client.get(reverse("visits:compliance"), {"week": "2026-11-16"}, **EN).content.decode()

    row = page[page.index("小王") :]
    row = row[: row.index("</tr>")]
    assert "1 / 3" in row and re.search(r"33\s?%", row)
    assert 'data-testid="signal-open"' in row and ">1</a>" in row
    assert "rep=rep_sig" in row and "status=confirmed" in row


def test_compliance_for_one_chain_counts_only_its_visits_and_signals(client, world, signal):
    # Given a visit (with an open signal) at a store of another of the supervisor's chains
    world.store_far.account = KeyAccountFactory(code="HZ")
    world.store_far.save()
    check_in(world.rep, world.store_b, at(14))
    check_in(world.rep, world.store_far, at(18), position=None)
    client.force_login(world.supervisor)
    # When the report is read for the rep's first chain
    query = {"week": "2026-11-16", "account": world.account.code}
    page = client.get(reverse("visits:compliance"), query, **EN).content.decode()
    # Then the signal figures hold that chain's two visits and one open signal, and link to its signals
    row = page[page.index("小王") :]
    row = row[: row.index("</tr>")]
    assert "0 / 2" in row and f"account={world.account.code}" in row
    opened = row[row.index('data-testid="signal-open"') :]
    assert ">1</a>" in opened
    listed = client.get(reverse("evidence:signal-list"), {"account": world.account.code, "status": "all"})
    assert [s.pk for s in listed.context["object_list"]] == [signal.pk]


# --- the API -----------------------------------------------------------------------------------------------------


def test_the_api_lists_and_filters_the_teams_signals(api_client, world, signal, else_signal):
    api_client.force_authenticate(world.supervisor)

    listed = api_client.get(reverse("fraud-signal-list"), HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    none = api_client.get(reverse("fraud-signal-list"), {"kind": "short_visit"}).json()["results"]

    assert [row["id"] for row in listed] == [signal.pk]
    assert listed[0]["kind"] == "no_position" and listed[0]["rep"] == "rep_sig"
    assert listed[0]["text"] == "Checked in without a position: the phone sent none."
    assert none == []
    assert api_client.get(reverse("fraud-signal-detail", args=[else_signal.pk])).status_code == 404


def test_the_api_review(api_client, world, signal):
    api_client.force_authenticate(world.supervisor)
    url = reverse("fraud-signal-review", args=[signal.pk])

    refused = api_client.post(url, {"status": "confirmed"}, format="json")
    done = api_client.post(url, {"status": "confirmed", "note": "核实"}, format="json")

    assert refused.status_code == 400 and refused.json()["code"] == "signal.note_required"
    assert done.status_code == 200
    assert done.json()["status"] == "confirmed" and done.json()["reviewed_by"] == "sup_sig"


def test_the_api_lets_a_manager_read_but_not_review(api_client, world, signal):
    api_client.force_authenticate(world.manager)

    assert api_client.get(reverse("fraud-signal-detail", args=[signal.pk])).status_code == 200
    response = api_client.post(reverse("fraud-signal-review", args=[signal.pk]), {"status": "dismissed"})
    assert response.status_code == 403
    signal.refresh_from_db()
    assert signal.status == "open"


def test_the_api_review_of_another_teams_signal_is_not_found(api_client, world, signal):
    api_client.force_authenticate(world.other_supervisor)

    response = api_client.post(reverse("fraud-signal-review", args=[signal.pk]), {"status": "dismissed"})

    assert response.status_code == 404


def test_a_photo_reused_from_another_teams_visit_does_not_name_that_store(client, world):
    add_photo(check_in(world.other_rep, world.else_store, at(9)), jpeg(shelf(1)))
    add_photo(check_in(world.rep, world.store_a, at(14)), jpeg(shelf(1)))
    client.force_login(world.supervisor)

    page = client.get(reverse("evidence:signal-list"), {"kind": "photo_reused"}, **EN).content.decode()

    assert "Same photo as visit at another store on 2026-11-20 (distance 0)." in page
    assert "别家店" not in page


def test_the_api_filters_by_period_in_a_fixed_number_of_queries(api_client, world, django_assert_max_num_queries):
    check_in(world.rep, world.store_a, at(9), position=None)
    check_in(world.rep, world.store_b, at(9, day=(2026, 11, 24)))
    check_in(world.rep, world.store_far, at(9, 10, day=(2026, 11, 24)))  # impossible trip: names the other store
    check_in(world.rep, world.store_a, at(9, day=(2026, 11, 25)))
    check_in(world.rep, world.store_far, at(9, 20, day=(2026, 11, 25)))  # and again the next day
    api_client.force_authenticate(world.supervisor)

    with django_assert_max_num_queries(8):
        rows = api_client.get(reverse("fraud-signal-list"), {"date_from": "2026-11-21"}).json()["results"]
    early = api_client.get(reverse("fraud-signal-list"), {"date_to": "2026-11-20"}).json()["results"]

    assert [row["kind"] for row in rows] == ["impossible_travel", "impossible_travel"]
    assert [row["kind"] for row in early] == ["no_position"]


def test_a_dismissed_signal_reads_as_set_aside_not_as_rejected_in_chinese(client, world, signal):
    """排除 (the button) leaves the card reading 已排除: 已驳回 is a promotion plan sent back, and a supervisor who
    accepted a flagged photo read it as refused."""
    client.force_login(world.supervisor)
    url = reverse("evidence:signal-review", args=[signal.pk])

    card = client.post(
        url, {"status": "dismissed", "note": "定位故障"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert "已排除" in card.content.decode() and "已驳回" not in card.content.decode()
