"""A write waiting on the phone that the server answers "not found" (the visit deleted by a supervisor, the store no
longer the rep's) with a whole page, not JSON: refused and shown with its reason in the rep's language, never
asked again for good — and the writes queued after it still reach the server."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.models import Visit

from .conftest import log_in, until

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 15_000  # ms: the live server answers slowly on a busy CI machine


def test_a_write_whose_visit_was_deleted_is_refused_and_the_next_one_arrives(phone, live_server):
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    gone_store = StoreFactory(rep=rep, name="Walmart Wujiaochang")
    kept_store = StoreFactory(rep=rep, name="Carrefour Gubei")
    ListingFactory(store=gone_store, product=beer)
    ListingFactory(store=kept_store, product=beer)
    gone = VisitFactory(rep=rep, store=gone_store)
    kept = VisitFactory(rep=rep, store=kept_store)

    log_in(phone, "rep1", "demo-pass-1")
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    phone.goto(f"/visits/{gone.pk}/")

    # no network: the first visit's save waits on the phone, then the second visit's behind it
    phone.context.set_offline(True)
    phone.get_by_label("Problems found").fill("Torn packs on the end cap")
    phone.get_by_role("button", name="Save", exact=True).click()
    queue = phone.get_by_test_id("upload-queue")
    expect(queue).to_contain_text("1 change waiting to upload", timeout=WAIT)
    phone.evaluate(
        """async ([url, uuid]) => {
            const [first] = await KaOutbox.list("writes");
            const body = new URLSearchParams(first.body);
            body.set("problems", "Price tags missing");
            await KaOutbox.put({...first, key: undefined, at: first.at + 1, url, page: url, visit: uuid,
                                title: "Carrefour Gubei", body: body.toString()});
            await KaQueue.refresh();
        }""",
        [f"/visits/{kept.pk}/", str(kept.uuid)],
    )
    expect(queue).to_contain_text("2 changes waiting to upload", timeout=WAIT)

    # meanwhile a supervisor deletes the first visit: its save is answered with Django's 404 page
    Visit.objects.filter(pk=gone.pk).delete()
    phone.context.set_offline(False)  # the `online` event uploads

    refused = phone.get_by_test_id("upload-refused")
    expect(refused).to_contain_text(
        "Walmart Wujiaochang: This visit is no longer on the server (deleted, or no longer yours): "
        "this change was not recorded.",
        timeout=WAIT,
    )
    # the heading fits a refusal with nothing to correct: not "correct the values" (issue: each line says why)
    expect(phone.get_by_test_id("upload-refused-heading")).to_have_text("Not uploaded:")
    expect(refused).not_to_contain_text("Correct the values")
    until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
    assert Visit.objects.get(pk=kept.pk).problems == "Price tags missing"  # the write behind it arrived
    expect(phone.get_by_test_id("upload-now")).to_be_hidden(timeout=WAIT)
    assert refused.locator("li").count() == 1  # kept on the phone as refused, not dropped without a word
    phone.goto(f"/visits/{kept.pk}/")  # another page: the refusal still said
    expect(phone.get_by_test_id("upload-refused")).to_contain_text("Walmart Wujiaochang", timeout=WAIT)


def test_only_a_write_refused_for_its_values_asks_for_them_to_be_corrected(phone, live_server):
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    wrong_store = StoreFactory(rep=rep, name="Walmart Wujiaochang")
    closed_store = StoreFactory(rep=rep, name="Carrefour Gubei")
    ListingFactory(store=wrong_store, product=beer)
    ListingFactory(store=closed_store, product=beer)
    wrong = VisitFactory(rep=rep, store=wrong_store)
    closed = VisitFactory(rep=rep, store=closed_store)

    log_in(phone, "rep1", "demo-pass-1")
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    phone.goto(f"/visits/{closed.pk}/")

    # no network: a save of this visit waits; then one of the other visit, its count one the server refuses (a
    # minus, as an older copy of its page might have sent)
    phone.context.set_offline(True)
    phone.get_by_label("Problems found").fill("Torn packs on the end cap")
    phone.get_by_role("button", name="Save", exact=True).click()
    queue = phone.get_by_test_id("upload-queue")
    expect(queue).to_contain_text("1 change waiting to upload", timeout=WAIT)
    phone.evaluate(
        """async ([product, url, uuid]) => {
            const [first] = await KaOutbox.list("writes");
            const body = new URLSearchParams(first.body);
            body.set(`stock_${product}_cases`, "-3");
            body.set(`stock_${product}_packs`, "");
            body.set("changed", `stock_${product}_cases stock_${product}_packs`);
            await KaOutbox.put({...first, key: undefined, at: first.at + 1, url, page: url, visit: uuid,
                                title: "Walmart Wujiaochang", body: body.toString()});
            await KaQueue.refresh();
        }""",
        [beer.pk, f"/visits/{wrong.pk}/", str(wrong.uuid)],
    )
    expect(queue).to_contain_text("2 changes waiting to upload", timeout=WAIT)
    # meanwhile this visit is checked out on another device: its save arrives too late (409)
    Visit.objects.filter(pk=closed.pk).update(checked_out_at=closed.checked_in_at + timedelta(minutes=40))
    phone.context.set_offline(False)  # the `online` event uploads

    refused = phone.get_by_test_id("upload-refused")
    expect(refused.locator("li")).to_have_count(2, timeout=WAIT)
    expect(phone.get_by_test_id("upload-refused-heading")).to_have_text("Not uploaded:")
    # the values refused: why, then what to do
    expect(refused.locator("li").filter(has_text="Walmart Wujiaochang")).to_contain_text(
        "Correct the values on the visit page and save again."
    )
    # the visit closed meanwhile: why alone, nothing to correct
    closed_line = refused.locator("li").filter(has_text="Carrefour Gubei")
    expect(closed_line).to_contain_text("The visit was closed before this save arrived: it was not recorded.")
    expect(closed_line).not_to_contain_text("Correct the values")
    assert not Visit.objects.get(pk=wrong.pk).stock_counts.exists()


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 503, "content_type": "text/html", "body": "<h1>Service Unavailable</h1>"},
        {"status": 500, "content_type": "text/html", "body": "<h1>Server Error (500)</h1>"},
        {"status": 403, "content_type": "application/json", "body": '{"code": "csrf_failed", "errors": {}}'},
    ],
    ids=["503", "500", "rotated-token"],
)
def test_a_server_hiccup_or_a_rotated_token_keeps_the_write_to_send_again(phone, live_server, answer):
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    visit = VisitFactory(rep=rep, store=StoreFactory(rep=rep, name="Walmart Wujiaochang"))
    log_in(phone, "rep1", "demo-pass-1")
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    phone.goto(f"/visits/{visit.pk}/")
    phone.context.set_offline(True)
    phone.get_by_label("Problems found").fill("Torn packs on the end cap")
    phone.get_by_role("button", name="Save", exact=True).click()
    queue = phone.get_by_test_id("upload-queue")
    expect(queue).to_contain_text("1 change waiting to upload", timeout=WAIT)

    answered = []

    def hiccup(route):
        if route.request.method != "POST":
            return route.continue_()
        answered.append(answer["status"])
        return route.fulfill(**answer)

    phone.route(f"**/visits/{visit.pk}/", hiccup)
    phone.context.set_offline(False)
    for _ in range(150):  # the `online` event uploads: wait for the server's answer to have come
        if answered:
            break
        phone.wait_for_timeout(100)
    assert answered, "the upload was not tried"
    phone.wait_for_timeout(500)  # and for the outbox to have dealt with it
    expect(queue).to_contain_text("1 change waiting to upload")  # kept, not refused
    assert phone.get_by_test_id("upload-refused").is_hidden()

    phone.unroute(f"**/visits/{visit.pk}/")
    with phone.expect_response(lambda r: r.request.method == "POST"):
        phone.get_by_test_id("upload-now").click()
    until(phone, "KaOutbox.list('writes').then((writes) => writes.length === 0)")
    assert Visit.objects.get(pk=visit.pk).problems == "Torn packs on the end cap"
    assert phone.get_by_test_id("upload-refused").is_hidden()
