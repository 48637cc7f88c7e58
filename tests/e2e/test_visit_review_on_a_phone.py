"""A supervisor reviews the team's visits on a 390 px phone (QA: "visits to review" on the supervisor's home never
shrank). From the home's list they open the red visit, mark it reviewed with a comment for the rep, and the home's list
is one shorter; the rep then reads the comment on their visit. In Chinese and in English, with screenshots of each
step (tests/e2e/artifacts/visit-review-*)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.models import Visit, VisitReview

from .conftest import _close, log_in

pytestmark = pytest.mark.django_db(transaction=True)
ARTIFACTS = "tests/e2e/artifacts"
WIDTH = 390
COMMENT = "端架缺货两天了，请下次拜访前联系店长补货。"
WORDS = {
    "zh-CN": {"reviewed": "拜访已审阅。", "home": "首页"},
    "en": {"reviewed": "Visit reviewed.", "home": "Home"},
}


@pytest.fixture(params=["zh-CN", "en"])
def lang(request):
    return request.param


def _phone(browser, live_server, lang):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, locale=lang, timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    return context, context.new_page()


@pytest.fixture
def team():
    supervisor = make_user(Role.SUPERVISOR, username="sup1", first_name="强", last_name="王", password="demo-pass-1")
    rep = make_user(
        Role.REP, username="rep1", first_name="伟", last_name="张", supervisor=supervisor, password="demo-pass-1"
    )
    account = KeyAccountFactory(name="沃尔玛", name_en="Walmart")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    visits = {}
    now = timezone.localtime()
    for days_ago, name, rating in (
        (1, "沃尔玛五角场店", Visit.Rating.RED),
        (2, "沃尔玛曹杨路店", Visit.Rating.YELLOW),
        (3, "沃尔玛虹口龙之梦店", Visit.Rating.GREEN),
    ):
        store = StoreFactory(account=account, rep=rep, name=name)
        ListingFactory(store=store, product=beer)
        day = (now - timedelta(days=days_ago)).date()
        checked_in = datetime(day.year, day.month, day.day, 10, tzinfo=now.tzinfo)
        visits[rating] = VisitFactory(
            rep=rep,
            store=store,
            checked_in_at=checked_in,
            checked_out_at=checked_in + timedelta(minutes=40),
            rating=rating,
            problems="端架缺货" if rating == Visit.Rating.RED else "",
        )
    return supervisor, rep, visits


def _shot(page, name: str, lang: str) -> None:
    page.screenshot(path=f"{ARTIFACTS}/visit-review-{name}-{lang}.png", full_page=True)


def _fits(page) -> None:
    """Nothing runs past the phone's width (no sideways scrolling)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_a_supervisor_reviews_a_visit_from_their_home_on_a_phone_and_the_rep_reads_the_comment(
    browser, live_server, team, lang
):
    supervisor, rep, visits = team
    red = visits[Visit.Rating.RED]
    words = WORDS[lang]
    context, phone = _phone(browser, live_server, lang)
    try:
        # the supervisor's home lists the three visits to review, the red one first
        log_in(phone, "sup1", "demo-pass-1")
        queue = phone.get_by_test_id("visits-to-review")
        expect(queue.get_by_test_id("visit-to-review")).to_have_count(3)
        expect(queue.get_by_test_id("visit-to-review").first).to_have_text("沃尔玛五角场店")
        expect(phone.get_by_test_id("fig-red-visits-count")).to_have_text("1")
        _fits(phone)
        _shot(phone, "home-before", lang)

        # opens it; the review is at the page's end, a tap away from its top
        queue.get_by_test_id("visit-to-review").first.click()
        phone.wait_for_url(f"**/visits/{red.pk}/")
        jump = phone.get_by_test_id("review-jump")
        expect(jump).to_be_visible()
        jump.click()
        form = phone.get_by_test_id("review-form")
        expect(form).to_be_in_viewport()
        _fits(phone)
        _shot(phone, "visit-before", lang)

        form.locator("textarea").fill(COMMENT)
        form.get_by_test_id("review-submit").click()

        # reviewed: said, and the next visit of the queue offered in view
        expect(phone.get_by_text(words["reviewed"])).to_be_visible()
        expect(phone.get_by_test_id("review-done")).to_be_visible()
        expect(phone.get_by_test_id("review-next")).to_be_in_viewport()
        expect(phone.get_by_test_id("review-next")).to_contain_text("沃尔玛曹杨路店")
        expect(phone.get_by_test_id("visit-review")).to_contain_text(COMMENT)
        _fits(phone)
        _shot(phone, "visit-after", lang)
        review = VisitReview.objects.get(visit=red)
        assert (review.by, review.comment) == (supervisor, COMMENT)

        # back to the home as a phone goes (its Back button, the page restored from the browser's back-forward
        # cache): the list is one shorter, the red figure down to 0
        for _step in range(5):
            if phone.evaluate("location.pathname") == "/":
                break
            phone.go_back()
        assert phone.evaluate("location.pathname") == "/"
        expect(queue.get_by_test_id("visit-to-review")).to_have_count(2)
        expect(queue).not_to_contain_text("沃尔玛五角场店")
        expect(phone.get_by_test_id("fig-red-visits-count")).to_have_text("0")
        _fits(phone)
        _shot(phone, "home-after", lang)
    finally:
        context.close()  # (not _close: the live server goes on serving the rep's phone)

    # the rep reads the comment on their visit
    context, phone = _phone(browser, live_server, lang)
    try:
        log_in(phone, "rep1", "demo-pass-1")
        phone.goto(f"/visits/{red.pk}/")
        review = phone.get_by_test_id("visit-review")
        expect(review).to_contain_text(COMMENT)
        expect(review.get_by_test_id("review-by")).to_contain_text("王强")
        _fits(phone)
        _shot(phone, "rep-visit", lang)
        phone.goto("/visits/history/")
        expect(phone.get_by_test_id("review-comment").first).to_contain_text(COMMENT[:10])
        _fits(phone)
        _shot(phone, "rep-list", lang)
    finally:
        _close(context)
