"""A save or check-out sent from an old copy of the visit page (issue: a rep's saved work wiped offline): the copy the
phone opens without a network may be older than what the server took since, and what it did not change must not undo
that. visit.js names the inputs the rep changed (`changed`): the server records those alone, a count's two inputs apart.
A post without that list from a page drawn before the visit's last write (`revision`) does not clear."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from visits.models import ChecklistResult, Visit

from .factories import VisitFactory

pytestmark = pytest.mark.django_db
QUEUED = {"HTTP_X_QUEUE": "1", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ITEMS = ChecklistResult.Item.values


@pytest.fixture
def shop(client):
    rep = make_user(Role.REP, username="rep_old_copy")
    store = StoreFactory(rep=rep, name="好又多中山公园店")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    dark = ProductFactory(name="海川黑啤 500ml", packs_per_case=12)
    for product in (beer, dark):
        ListingFactory(store=store, product=product)
    visit = VisitFactory(rep=rep, store=store, latitude=Decimal("31.160000"), longitude=Decimal("121.444000"))
    client.force_login(rep)
    return visit, beer, dark, client


def _url(visit) -> str:
    return reverse("visits:visit-detail", args=[visit.pk])


def _blank_copy(visit, beer, dark, **typed) -> dict:
    """The whole form as an old copy of the page posts it: drawn before anything was saved (all blank), with what the
    rep typed on it."""
    form = {
        "visit": str(visit.uuid),
        "revision": "0",
        "problems": "",
        "actions": "",
        "checkout_reason": "",
        f"stock_{beer.pk}_cases": "",
        f"stock_{beer.pk}_packs": "",
        f"stock_{dark.pk}_cases": "",
        f"stock_{dark.pk}_packs": "",
    }
    return {**form, **typed}


def _saved_online(client, visit, beer, dark):
    """The note, 5 cases and the whole checklist saved in place on the page, with a network."""
    fresh = client.get(_url(visit)).content.decode()
    revision = fresh.split('name="revision" value="')[1].split('"')[0]
    body = _blank_copy(
        visit,
        beer,
        dark,
        revision=revision,
        action="save",
        problems="地堆被撤，已要求恢复",
        **{f"stock_{beer.pk}_cases": "5"},
        **{f"check_{item}": "pass" for item in ITEMS},
        price_check_ok="yes",
        changed=" ".join(["problems", f"stock_{beer.pk}_cases", *(f"check_{i}" for i in ITEMS), "price_check_ok"]),
    )
    answer = client.post(_url(visit), body, **QUEUED)
    assert answer.status_code == 200
    visit.refresh_from_db()
    assert answer.json()["revision"] == visit.revision  # visit.js keeps it in the form
    # and writes the counts on the page as the server does (5 cases 0 packs), as a reload would show them
    assert answer.json()["shown"][f"stock_{beer.pk}_packs"] == "0"
    assert answer.json()["shown"][f"stock_{dark.pk}_cases"] == ""
    assert visit.stock_counts.get(product=beer).packs == 60


def test_a_check_out_from_an_old_copy_keeps_what_the_server_took_and_adds_what_was_typed(shop):
    visit, beer, dark, client = shop
    _saved_online(client, visit, beer, dark)

    # offline, on the copy from before that save: 2 packs typed, the other product marked not counted, check out
    old_copy = _blank_copy(
        visit,
        beer,
        dark,
        action="check_out",
        **{f"stock_{beer.pk}_packs": "2", f"not_counted_{dark.pk}": "on"},
        changed=f"stock_{beer.pk}_packs not_counted_{dark.pk}",
    )
    answer = client.post(_url(visit), old_copy, **QUEUED)

    assert answer.status_code == 200 and answer.json()["checked_out"] is True
    visit.refresh_from_db()
    assert visit.checked_out_at is not None
    assert visit.problems == "地堆被撤，已要求恢复"  # not the blank the old copy showed
    assert visit.stock_counts.get(product=beer).packs == 62  # 5 cases kept, 2 packs added: not 2 packs
    assert sorted(visit.checklist.values_list("item", flat=True)) == sorted(ITEMS)  # not refused as unanswered
    assert visit.checkout_missing == {}


def test_what_the_rep_changed_on_an_old_copy_is_recorded_clears_too(shop):
    visit, beer, dark, client = shop
    _saved_online(client, visit, beer, dark)

    old_copy = _blank_copy(
        visit, beer, dark, action="save", actions="已与店长沟通", changed="problems actions check_tidy"
    )  # the note cleared on purpose, an answer taken back
    assert client.post(_url(visit), old_copy, **QUEUED).status_code == 200

    visit.refresh_from_db()
    assert visit.problems == "" and visit.actions == "已与店长沟通"
    assert not visit.checklist.filter(item="tidy").exists()
    assert visit.checklist.count() == len(ITEMS) - 1
    assert visit.stock_counts.get(product=beer).packs == 60  # not named: as the server had it


def test_a_post_without_the_list_from_a_copy_drawn_before_the_last_write_does_not_clear(shop):
    visit, beer, dark, client = shop
    _saved_online(client, visit, beer, dark)

    # the form posted without its script (no `changed`), from the copy drawn before the save
    old_copy = _blank_copy(visit, beer, dark, action="save", actions="已与店长沟通", **{f"stock_{beer.pk}_packs": "2"})
    assert client.post(_url(visit), old_copy, **QUEUED).status_code == 200

    visit.refresh_from_db()
    assert visit.problems == "地堆被撤，已要求恢复" and visit.actions == "已与店长沟通"
    assert visit.stock_counts.get(product=beer).packs == 62
    assert visit.checklist.count() == len(ITEMS)


def test_a_post_from_the_current_page_is_taken_as_it_is(shop):
    visit, beer, dark, client = shop
    _saved_online(client, visit, beer, dark)
    visit.refresh_from_db()

    current = _blank_copy(visit, beer, dark, action="save", revision=visit.revision)
    assert client.post(_url(visit), current, **QUEUED).status_code == 200

    visit.refresh_from_db()
    assert visit.problems == ""  # cleared on the page drawn with the note: the rep's doing
    assert not visit.stock_counts.filter(product=beer).exists()
    assert Visit.objects.get(pk=visit.pk).checklist.count() == 0


def test_the_visit_page_carries_its_revision(shop):
    visit, beer, dark, client = shop
    html = client.get(_url(visit)).content.decode()
    assert f'name="revision" value="{visit.revision}"' in html
    start = client.get(reverse("visits:visit-start", args=[StoreFactory(rep=visit.rep).pk])).content.decode()
    assert 'name="revision" value="0"' in start  # a visit not written yet


def test_a_check_out_refused_in_the_background_says_why_once(shop):
    visit, beer, dark, client = shop
    answer = client.post(_url(visit), _blank_copy(visit, beer, dark, action="check_out", changed=""), **QUEUED)

    assert answer.status_code == 400
    body = answer.json()
    assert body["message"].startswith("未签退：")
    # the outbox lists the message, then `said`: the message is not said a second time under its field's label
    assert not any(body["message"] in said for said in body["said"])
    assert body["errors"]["checkout_reason"] == [body["message"]]  # the page still marks the reason's field


def test_a_page_drawn_again_from_a_refused_post_names_what_it_shows_unsaved(shop):
    """A check-out posted in the open and refused draws the page again with what was typed kept: the form names those
    inputs (data-changed), so visit.js sends them as changed at the next try, not as the visit holds them."""
    visit, beer, dark, client = shop
    _saved_online(client, visit, beer, dark)
    fresh = client.get(_url(visit)).content.decode()
    revision = fresh.split('name="revision" value="')[1].split('"')[0]
    body = _blank_copy(
        visit,
        beer,
        dark,
        revision=revision,
        action="check_out",
        problems="地堆被撤，已要求恢复",  # as the visit has it
        checkout_reason="店长不在",  # typed
        left_at="25:00",  # refused
        **{f"stock_{beer.pk}_cases": "5", f"stock_{beer.pk}_packs": "0", f"stock_{dark.pk}_cases": "2"},
        **{f"check_{item}": "pass" for item in ITEMS},
        price_check_ok="yes",
    )
    page = client.post(_url(visit), body)
    assert page.status_code == 400
    changed = page.content.decode().split('data-changed="')[1].split('"')[0].split()
    assert changed == ["checkout_reason", f"stock_{dark.pk}_cases"]
    assert 'data-changed="' not in client.get(_url(visit)).content.decode()  # a page drawn fresh shows the visit
