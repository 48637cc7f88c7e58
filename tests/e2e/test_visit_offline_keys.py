"""A section of the visit page (a competitor sighting, a promotion check) sent from the page whose answer is lost on
the way (the network drops after the server received it) waits in the outbox under the key it was sent with, so the
server answers it as the first time when it goes up: one sighting, not two. And a 403 from something standing
between the phone and the server (a captive portal's page) keeps the write waiting; only the server's own refusal
drops it."""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from accounts.roles import Role
from evidence.models import CompetitorSighting
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.models import Visit

from .conftest import log_in, until

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 15_000  # ms: the live server answers slowly on a busy CI machine


@pytest.fixture
def open_visit():
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="Walmart Wujiaochang")
    ListingFactory(store=store, product=ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12))
    return VisitFactory(rep=rep, store=store)


def _sightings_recorded(phone, visit) -> int:
    """How many sightings the visit has once the server's answer has come (the live server's thread may show the row
    to this one a moment after the phone had its answer)."""
    for _ in range(50):
        if CompetitorSighting.objects.filter(visit=visit).exists():
            break
        phone.wait_for_timeout(100)
    phone.wait_for_timeout(300)  # a second one, had there been one, is there too
    return CompetitorSighting.objects.filter(visit=visit).count()


def _open_in_english(phone, live_server, visit) -> None:
    log_in(phone, "rep1", "demo-pass-1")
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    phone.goto(f"/visits/{visit.pk}/")


def _fill_sighting(phone) -> None:
    competitors = phone.get_by_test_id("competitors")
    competitors.get_by_text("Add what a competitor does here").click()
    form = phone.get_by_test_id("competitor-form")
    form.get_by_label("Brand").fill("青岛啤酒")
    form.get_by_label("Product").fill("纯生 500ml")
    form.get_by_label("Shelf price").fill("4.50")
    form.get_by_label("Promotion", exact=True).select_option("multi_buy")


def test_a_sighting_whose_answer_was_lost_is_recorded_once_when_it_goes_up_again(phone, live_server, open_visit):
    visit = open_visit
    _open_in_english(phone, live_server, visit)
    _fill_sighting(phone)

    # the first send reaches the server, then the network drops before its answer; the outbox's own try right
    # after finds no network: the sighting waits on the phone
    sends = []

    def dropped(route):
        if route.request.method != "POST":
            return route.continue_()
        sends.append(route.request.headers.get("idempotency-key"))
        if len(sends) == 1:
            route.fetch()  # the server records it
        return route.abort("connectionreset")

    add_url = f"**/evidence/visits/{visit.pk}/competitors/"
    phone.route(add_url, dropped)
    phone.get_by_role("button", name="Save sighting").click()
    expect(phone.get_by_test_id("kept-note")).to_have_text("Kept on this phone", timeout=WAIT)
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("1 change waiting to upload", timeout=WAIT)
    assert _sightings_recorded(phone, visit) == 1  # the lost answer's sighting

    # the network is back: the write goes up with the key of the first send, and is answered as the first
    phone.unroute(add_url)
    phone.evaluate("KaQueue.upload()")  # what "Upload now", the `online` event or the 15 s retry does
    until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
    assert _sightings_recorded(phone, visit) == 1
    assert sends[0] and len(set(sends)) == 1, sends  # every send of this sighting under one key
    expect(phone.get_by_test_id("kept-note")).to_have_text("Saved", timeout=WAIT)
    assert phone.get_by_test_id("upload-refused").is_hidden()
    # and the form is empty again for the next sighting, its draft done
    assert phone.get_by_test_id("competitor-form").get_by_label("Brand").input_value() == ""
    phone.reload()
    assert phone.get_by_test_id("competitor-form").get_by_label("Brand").input_value() == ""
    expect(phone.get_by_test_id("competitor-sightings")).to_contain_text("青岛啤酒")


def test_a_sighting_typed_survives_a_reload_until_the_server_has_it(phone, live_server, open_visit):
    visit = open_visit
    _open_in_english(phone, live_server, visit)
    _fill_sighting(phone)
    phone.evaluate("window.kaDrafts.forEach((draft) => draft.now())")  # what pagehide does when the phone kills the tab
    phone.reload()

    # put back, its folded form opened to show it, and said
    form = phone.get_by_test_id("competitor-form")
    expect(form).to_be_visible()
    assert form.get_by_label("Brand").input_value() == "青岛啤酒"
    assert form.get_by_label("Product").input_value() == "纯生 500ml"
    assert form.get_by_label("Shelf price").input_value() == "4.50"
    assert form.get_by_label("Promotion", exact=True).input_value() == "multi_buy"
    expect(phone.get_by_test_id("draft-banner")).to_contain_text("Restored 4 unsaved values")
    assert not CompetitorSighting.objects.filter(visit=visit).exists()  # only on the phone so far

    # saved: the server has it, the form is empty and stays so after a reload (the draft is done)
    form.get_by_role("button", name="Save sighting").click()
    expect(phone.get_by_test_id("competitors-saved")).to_be_visible(timeout=WAIT)
    assert _sightings_recorded(phone, visit) == 1
    sighting = CompetitorSighting.objects.get(visit=visit)
    assert (sighting.brand, sighting.product, str(sighting.shelf_price), sighting.mechanics) == (
        "青岛啤酒", "纯生 500ml", "4.50", "multi_buy",
    )  # fmt: skip
    phone.wait_for_function("Object.keys(localStorage).filter(k => k.includes(':competitor-add')).length === 0")
    phone.reload()
    assert phone.get_by_test_id("competitor-form").get_by_label("Brand").input_value() == ""
    assert phone.get_by_test_id("draft-banner").is_hidden()


def test_a_sighting_saved_without_a_network_keeps_its_draft_until_it_went_up(phone, live_server, open_visit):
    visit = open_visit
    _open_in_english(phone, live_server, visit)
    phone.context.set_offline(True)
    _fill_sighting(phone)
    phone.get_by_role("button", name="Save sighting").click()
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("1 change waiting to upload", timeout=WAIT)
    # waiting on the phone: the draft is kept (a page killed now loses nothing)
    assert phone.evaluate("Object.keys(localStorage).filter(k => k.includes(':competitor-add')).length") == 1

    phone.context.set_offline(False)  # the `online` event uploads
    until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
    assert _sightings_recorded(phone, visit) == 1
    expect(phone.get_by_test_id("kept-note")).to_have_text("Saved", timeout=WAIT)
    phone.wait_for_function("Object.keys(localStorage).filter(k => k.includes(':competitor-add')).length === 0")
    assert phone.get_by_test_id("competitor-form").get_by_label("Brand").input_value() == ""


def test_a_captive_portals_403_keeps_the_write_and_only_the_servers_own_refuses_it(phone, live_server, open_visit):
    visit = open_visit
    _open_in_english(phone, live_server, visit)
    phone.context.set_offline(True)
    phone.get_by_label("Problems found").fill("Torn packs on the end cap")
    phone.get_by_role("button", name="Save", exact=True).click()
    queue = phone.get_by_test_id("upload-queue")
    expect(queue).to_contain_text("1 change waiting to upload", timeout=WAIT)

    # the phone joins a hotel's network: its portal answers every request with its own 403 page
    answered = []

    def portal(route):
        if route.request.method != "POST":
            return route.continue_()
        answered.append(403)
        return route.fulfill(status=403, content_type="text/html", body="<h1>Sign in to Hotel WiFi</h1>")

    phone.route(f"**/visits/{visit.pk}/", portal)
    phone.context.set_offline(False)
    for _ in range(150):  # the `online` event uploads: wait for the portal's answer
        if answered:
            break
        phone.wait_for_timeout(100)
    assert answered, "the upload was not tried"
    phone.wait_for_timeout(500)  # and for the outbox to have dealt with it
    expect(queue).to_contain_text("1 change waiting to upload")  # kept, not refused
    assert phone.get_by_test_id("upload-refused").is_hidden()

    # through to the server, which no longer lets this rep change visits: its own 403 refuses the write
    phone.unroute(f"**/visits/{visit.pk}/")
    visit.rep.groups.clear()
    visit.rep.user_permissions.remove(*Permission.objects.filter(codename="change_visit"))
    with phone.expect_response(lambda r: r.request.method == "POST"):
        phone.get_by_test_id("upload-now").click()
    expect(phone.get_by_test_id("upload-refused")).to_contain_text("Walmart Wujiaochang", timeout=WAIT)
    expect(phone.get_by_test_id("upload-refused")).to_contain_text("You may no longer change this visit")
    until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
    assert Visit.objects.get(pk=visit.pk).problems == ""
