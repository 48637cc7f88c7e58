"""A rep on a 390 px phone and the Remove button of each photo of their open visit: once checked out in the page the
visit is read-only, Remove gone as on the page drawn again; without a network Remove says beside the photo that it
needs one and the photo stays, and with the network back it removes it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from accounts.roles import Role
from tests.evidence.signal_images import jpeg, shelf
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits import services
from visits.models import Visit, VisitPhoto

from .conftest import _close, _page, log_in

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 20_000  # ms: the live server answers slowly on a busy machine


@pytest.fixture
def phone(browser, live_server):
    """The QA tester's phone: 390 px wide, in Simplified Chinese, on Shanghai time."""
    context, page = _page(browser, live_server, 390, 844)
    page.on("dialog", lambda dialog: dialog.accept())  # "Remove this photo from the visit?": yes
    yield page
    _close(context)


@pytest.fixture
def visit(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    ListingFactory(store=store, product=ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12))
    visit = VisitFactory(rep=rep, store=store)
    for seed, caption in ((1, "端架"), (2, "拍错了")):
        image = SimpleUploadedFile(f"IMG_000{seed}.JPG", jpeg(shelf(seed)), content_type="image/jpeg")
        services.visit_photo_add(visit=visit, image=image, caption=caption)
    return visit


def _open(phone, visit) -> None:
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(f"/visits/{visit.pk}/")
    phone.wait_for_function("() => !!window.KaQueue && !!window.kaDrafts")


def test_after_a_check_out_in_the_page_the_photos_have_no_remove(phone, visit):
    _open(phone, visit)
    removes = phone.get_by_test_id("photo-remove")
    expect(removes).to_have_count(2)
    expect(removes.first).to_be_visible()

    phone.locator("#id_checkout_reason").fill("店长不让盘点")
    phone.get_by_test_id("check-out").click()
    expect(phone.get_by_test_id("checked-out")).to_contain_text("已签退", timeout=WAIT)

    # read-only as the page drawn again: the photos stay, with no Remove to tap (nor to reach from the keyboard)
    expect(phone.get_by_test_id("photo")).to_have_count(2)
    for remove in removes.all():
        expect(remove).to_be_hidden()
        expect(remove).to_be_disabled()
    assert Visit.objects.get(pk=visit.pk).checked_out_at is not None
    assert VisitPhoto.objects.filter(visit=visit).count() == 2
    phone.locator("#photos").screenshot(path="tests/e2e/artifacts/visit-photos-checked-out-phone.png")


def test_without_a_network_remove_says_it_needs_one_and_the_photo_stays(phone, visit):
    _open(phone, visit)
    wrong = phone.get_by_test_id("photo").filter(has_text="拍错了")

    phone.context.set_offline(True)
    wrong.get_by_test_id("photo-remove").click()
    note = wrong.get_by_test_id("photo-remove-offline")
    expect(note).to_have_text("删除照片需要网络，请联网后重试。")
    expect(note).to_be_in_viewport()
    # beside the photo it is about, on the screen's width; the photo and its Remove stay
    remove_box, note_box = wrong.get_by_test_id("photo-remove").bounding_box(), note.bounding_box()
    assert note_box["x"] + note_box["width"] <= remove_box["x"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    expect(phone.get_by_test_id("photo")).to_have_count(2)
    expect(wrong.get_by_test_id("photo-remove")).to_be_enabled()
    expect(phone.get_by_test_id("photo").filter(has_text="端架").get_by_test_id("photo-remove-offline")).to_have_count(
        0
    )
    phone.locator("#photos").screenshot(path="tests/e2e/artifacts/visit-photo-remove-offline-phone.png")
    # tapped again still without one: said once, not twice
    wrong.get_by_test_id("photo-remove").click()
    expect(note).to_have_count(1)
    expect(note).to_have_text("删除照片需要网络，请联网后重试。")
    assert list(VisitPhoto.objects.filter(visit=visit).values_list("caption", flat=True).order_by("pk")) == [
        "端架",
        "拍错了",
    ]

    # with the network back the same Remove removes it, and the note goes with it
    phone.context.set_offline(False)
    wrong.get_by_test_id("photo-remove").click()
    expect(phone.get_by_test_id("photo")).to_have_count(1, timeout=WAIT)
    expect(phone.get_by_test_id("photo-remove-offline")).to_have_count(0)
    assert list(VisitPhoto.objects.filter(visit=visit).values_list("caption", flat=True)) == ["端架"]
