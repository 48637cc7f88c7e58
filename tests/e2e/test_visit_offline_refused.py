"""A write waiting on the phone that the server answers "not found" (the visit deleted by a supervisor, the store no
longer the rep's) with a whole page, not JSON: refused and shown with its reason in the rep's language, never
asked again for good — and the writes queued after it still reach the server."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.models import Visit

from .conftest import log_in

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
    phone.wait_for_function("KaOutbox.list('writes').then((writes) => writes.length === 0)", timeout=WAIT)
    assert Visit.objects.get(pk=kept.pk).problems == "Price tags missing"  # the write behind it arrived
    expect(phone.get_by_test_id("upload-now")).to_be_hidden(timeout=WAIT)
    assert refused.locator("li").count() == 1  # kept on the phone as refused, not dropped without a word
    phone.goto(f"/visits/{kept.pk}/")  # another page: the refusal still said
    expect(phone.get_by_test_id("upload-refused")).to_contain_text("Walmart Wujiaochang", timeout=WAIT)


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
    phone.wait_for_function("KaOutbox.list('writes').then((writes) => writes.length === 0)", timeout=WAIT)
    assert Visit.objects.get(pk=visit.pk).problems == "Torn packs on the end cap"
    assert phone.get_by_test_id("upload-refused").is_hidden()
