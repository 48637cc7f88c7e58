"""A form posted by navigating (Today's Check in) goes through the service worker: when its answer is lost on the way
(the network drops after the server received it) the worker keeps the post in the outbox under the Idempotency-Key it
was first sent with, so its upload is answered as the first time (pages.once_per_key), never taken for a new write.
Before, the first send carried no key and the outbox minted another: a retry that had reached the server was
recorded again (a check-in only escaped by its uuid)."""

import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from accounts.roles import Role
from ka_portal.models import IdempotencyKey
from tests.factories import StoreFactory, make_user
from visits.models import Visit

from .conftest import kept_offline, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service_worker]
WAIT = 20_000  # ms: the live server answers slowly on a busy CI machine


def until(page, script: str, arg=None) -> None:
    """Wait until an (async) script answers true in the page (asked again if the page was drawn anew meanwhile)."""
    deadline = time.monotonic() + WAIT / 1000
    while True:
        try:
            if page.evaluate(script, arg):
                return
        except PlaywrightError:  # navigating
            pass
        assert time.monotonic() < deadline, script
        page.wait_for_timeout(200)


def _visits_recorded(phone) -> int:
    """How many visits there are once the server's write is in (the live server's thread may show the row to this
    one a moment after the phone's send)."""
    for _ in range(50):
        if Visit.objects.exists():
            break
        phone.wait_for_timeout(100)
    return Visit.objects.count()


def test_a_check_in_whose_answer_was_lost_goes_up_under_the_key_it_was_sent_with(phone, live_server):
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    StoreFactory(rep=rep, name="大润发杨浦店")
    log_in(phone, "rep1", "demo-pass-1")
    phone.wait_for_url("**/visits/today/")
    # the worker controls Today and keeps it (where a check-in kept on the phone comes back to)
    kept_offline(phone, f"{live_server.url}/visits/today/")

    # the first send reaches the server, then the network drops before its answer, and stays down a while: the
    # outbox's own tries (Today uploads as it opens) find none
    sends = []
    network = {"down": True}

    def lost_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        headers = route.request.headers
        sends.append({"key": headers.get("idempotency-key"), "queued": headers.get("x-queue") == "1"})
        if len(sends) == 1:
            route.fetch(max_redirects=0)  # the server records it
            return route.abort("connectionreset")
        if network["down"]:
            return route.abort("internetdisconnected")
        answer = route.fetch(max_redirects=0)
        sends[-1]["replayed"] = answer.headers.get("idempotent-replayed")
        return route.fulfill(response=answer)

    phone.context.route("**/visits/check-in/", lost_answer)
    phone.get_by_role("button", name="签到").click()

    # no answer: the worker kept the check-in on the phone and came back to Today, which says so
    expect(phone.get_by_test_id("upload-queue")).to_contain_text("等待上传", timeout=WAIT)
    assert _visits_recorded(phone) == 1  # the server had it all the same

    # the network is back: the outbox uploads the check-in, and it is answered as the first
    network["down"] = False
    # what "Upload now", the `online` event or the 15 s retry does (Today draws itself again once it went up)
    until(
        phone,
        "() => window.KaQueue ? KaQueue.upload().then(() => KaOutbox.list('writes')).then((w) => !w.length) : false",
    )

    assert sends[0]["key"] and not sends[0]["queued"], sends  # the navigated post, sent with a key
    assert {send["key"] for send in sends} == {sends[0]["key"]}, sends  # every send of it under that key
    assert sends[-1]["queued"] and sends[-1]["replayed"] == "true", sends  # answered as the first
    assert Visit.objects.count() == 1
    assert IdempotencyKey.objects.filter(scope="page:/visits/check-in/").count() == 1
    expect(phone.get_by_test_id("upload-refused")).to_be_hidden()
