"""On the phone: a visit left open yesterday. Today says so plainly with what to do; its page asks when the rep left,
and "Save and check out" (visit.js, without leaving the page) ends the visit then — not this morning. A time before
the check-in is refused next to its box, what was typed kept. And the supervisor's list shows who is still in a
store (`open=true`)."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.models import Visit

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 15_000
SHOTS = "tests/e2e/artifacts"


def yesterday_at(hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() - timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def left_open():
    supervisor = make_user(Role.SUPERVISOR, username="sup1", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1", supervisor=supervisor)
    store = StoreFactory(rep=rep, name="联华四店")
    ListingFactory(store=store, product=ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12))
    return VisitFactory(rep=rep, store=store, checked_in_at=yesterday_at(17))


def test_a_visit_left_open_yesterday_is_checked_out_at_the_time_the_rep_left(phone, live_server, left_open):
    log_in(phone, "rep1", "demo-pass-1")
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    # Today: where, since when, and what to do
    phone.goto("/visits/today/")
    notice = phone.get_by_test_id("still-open-earlier")
    expect(notice).to_contain_text("You did not check out at 联华四店")
    expect(notice).to_contain_text("give the time you left, or leave it empty if you do not remember.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=f"{SHOTS}/visits-open-overnight-today-phone.png", full_page=True)
    phone.get_by_test_id("still-open-link").click()
    phone.wait_for_load_state()  # its scripts in: the check-out stays on the page (tapped before: the next test)

    # the visit's page asks when the rep left; a time before the check-in is refused next to the box
    box = phone.get_by_test_id("left-at-box")
    expect(box).to_contain_text("and did not check out that day.")
    phone.get_by_test_id("left-at").fill("16:30")
    phone.get_by_label("Reason for checking out as it is").fill("昨天忘了签退")
    phone.get_by_test_id("check-out").click()
    expect(box.locator("[data-error-for=left_at]")).to_contain_text("The time you left must be between", timeout=WAIT)
    assert Visit.objects.get(pk=left_open.pk).checked_out_at is None
    phone.screenshot(path=f"{SHOTS}/visits-open-overnight-refused-phone.png", full_page=True)

    # corrected: checked out, at 18:30 yesterday
    phone.get_by_test_id("left-at").fill("18:30")
    phone.get_by_test_id("check-out").click()
    expect(phone.get_by_test_id("checked-out")).to_contain_text("Checked out", timeout=WAIT)
    visit = Visit.objects.get(pk=left_open.pk)
    assert visit.checked_out_at == yesterday_at(18, 30) and visit.checkout_time == Visit.CheckoutTime.STATED
    phone.reload()
    expect(phone.get_by_test_id("visit-left-stated")).to_contain_text("time of leaving given by the rep")
    expect(phone.get_by_test_id("visit-times")).to_contain_text("(90 minutes)")


def test_a_check_out_tapped_before_the_page_was_ready_keeps_what_was_typed_for_the_second_try(
    phone, live_server, left_open
):
    """The first tap came before the page's scripts (a slow phone): the form went as a plain post and the page came
    back refused, with what was typed kept. The second tap, with the scripts in, sends only what changed: the reason
    typed before the first tap, shown kept, counts as changed too, and the visit checks out."""
    log_in(phone, "rep1", "demo-pass-1")
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    loads = []

    def queue_script(route):  # missing on the first load only
        loads.append(route.request.url)
        route.abort() if len(loads) == 1 else route.continue_()

    phone.route("**/visits/queue*.js", queue_script)
    phone.goto(f"/visits/{left_open.pk}/")
    phone.get_by_test_id("left-at").fill("16:30")
    phone.get_by_label("Reason for checking out as it is").fill("昨天忘了签退")
    phone.get_by_test_id("check-out").click()
    box = phone.get_by_test_id("left-at-box")
    expect(box.locator("[data-error-for=left_at]")).to_contain_text("The time you left must be between", timeout=WAIT)
    expect(phone.get_by_role("alert").first).to_contain_text("Everything you typed is kept")
    phone.wait_for_load_state()
    assert len(loads) == 2  # the page drawn again has its scripts

    expect(phone.get_by_label("Reason for checking out as it is")).to_have_value("昨天忘了签退")
    phone.get_by_test_id("left-at").fill("18:30")
    phone.get_by_test_id("check-out").click()
    expect(phone.get_by_test_id("checked-out")).to_contain_text("Checked out", timeout=WAIT)
    visit = Visit.objects.get(pk=left_open.pk)
    assert visit.checked_out_at == yesterday_at(18, 30) and visit.checkout_reason == "昨天忘了签退"


def test_the_supervisor_sees_who_is_still_in_a_store(desktop, live_server, left_open):
    log_in(desktop, "sup1", "demo-pass-1")
    desktop.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    desktop.goto("/visits/history/?open=true")

    row = desktop.locator("tbody tr").filter(has_text="联华四店")
    expect(row.get_by_test_id("visit-open")).to_have_text("Not checked out yet")
    expect(desktop.get_by_label("Check-out")).to_have_value("true")
    desktop.screenshot(path=f"{SHOTS}/visits-open-filter-desktop.png", full_page=True)
