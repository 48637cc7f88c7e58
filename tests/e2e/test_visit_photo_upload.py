"""A rep on a phone (375 × 812) adds a big camera photo in the middle of a visit: the browser resizes it, uploads
it in the background with a progress bar, the thumbnail appears, and the stock count typed before stays; a file
that is no image is refused with the server's reason and a Retry. The server keeps a photo of at most 1600 px
at about 300 KB, with the original's camera time and the phone's position."""

import io
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import Role
from tests.evidence.signal_images import jpeg, shelf
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.models import VisitPhoto

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
TAKEN = datetime(2026, 11, 25, 10, 12, 30)


def _camera_photo() -> bytes:
    """A 3000 × 2000 shelf with sensor noise, as a phone's camera writes it (EXIF time, high quality)."""
    picture = shelf(7, size=(3000, 2000))
    noise = Image.effect_noise((3000, 2000), 40).convert("RGB")
    return jpeg(Image.blend(picture, noise, 0.12), quality=92, taken_at=TAKEN)


def test_a_photo_added_mid_visit_is_resized_uploaded_and_keeps_the_typed_count(phone, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    ListingFactory(store=store, product=ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12))
    visit = VisitFactory(rep=rep, store=store)
    original = _camera_photo()
    assert len(original) > 1_000_000
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 31.2991, "longitude": 121.5141})
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(f"/visits/{visit.pk}/")

    count = phone.get_by_test_id("stock-row").first.locator("input:not([type=checkbox])").first
    count.fill("2")
    # the rep works down the form in its order: the photo, then its checklist item and caption, then the button
    phone.locator("[data-photo-input]").set_input_files(
        {"name": "IMG_4032.JPG", "mimeType": "image/jpeg", "buffer": original}
    )
    add = phone.get_by_role("button", name="添加照片")
    expect(add).to_have_class(re.compile(r"\bbtn-primary\b"))  # it stands out: the photo waits for it
    phone.get_by_test_id("photo-checklist-item").select_option("promotion_display")
    phone.get_by_placeholder("说明").fill("端架堆头")
    expect(phone.get_by_test_id("photo-upload")).to_have_count(0)  # nothing went before the tap
    add.click()

    upload = phone.get_by_test_id("photo-upload")
    expect(upload).to_have_attribute("data-state", "done", timeout=30000)
    expect(upload.locator(".progress-bar")).to_have_attribute("style", "width: 100%;")
    thumb = phone.get_by_test_id("photo-gallery").locator("img")
    expect(thumb).to_have_count(1)
    expect(phone.get_by_test_id("photo-item")).to_have_text("促销陈列生动")
    thumb.scroll_into_view_if_needed()  # the gallery's images load lazily
    # the server-made thumbnail, not the photo (a busy machine takes a moment to answer it)
    thumb.element_handle().wait_for_element_state("visible")
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle(), timeout=30000)
    assert thumb.evaluate("img => img.naturalWidth <= 320")
    expect(count).to_have_value("2")  # the page was not reloaded
    assert phone.evaluate("document.body.scrollWidth") <= 375

    # A file that is no image is refused by the server, its reason shown next to it with a Retry.
    phone.locator("[data-photo-input]").set_input_files(
        {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 not a photo"}
    )
    add.click()
    refused = phone.get_by_test_id("photo-upload").nth(1)
    expect(refused).to_have_attribute("data-state", "failed")
    expect(refused.get_by_test_id("photo-upload-error")).to_contain_text("只接受 JPEG 和 PNG 照片")
    expect(refused.get_by_role("button", name="重试")).to_be_visible()
    expect(thumb).to_have_count(1)

    photo = VisitPhoto.objects.get(visit=visit)
    stored = (tmp_path / photo.image.name).read_bytes()
    assert len(stored) <= 400 * 1024
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
    assert photo.taken_at == TAKEN.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    assert (photo.latitude, photo.longitude) == (Decimal("31.299100"), Decimal("121.514100"))
    assert (photo.checklist_item, photo.caption) == ("promotion_display", "端架堆头")  # rep finding 1


def test_a_photo_chosen_and_not_added_goes_up_with_the_check_out(phone, live_server, settings, tmp_path):
    # given: a rep who took a photo and gave its caption, then went straight to "save and check out"
    settings.MEDIA_ROOT = tmp_path
    rep = make_user(Role.REP, username="rep1", password="demo-pass-1")
    store = StoreFactory(rep=rep, name="沃尔玛五角场店")
    visit = VisitFactory(rep=rep, store=store)
    log_in(phone, "rep1", "demo-pass-1")
    phone.goto(f"/visits/{visit.pk}/")
    phone.locator("[data-photo-input]").set_input_files(
        {"name": "IMG_4033.JPG", "mimeType": "image/jpeg", "buffer": jpeg(shelf(3))}
    )
    phone.get_by_placeholder("说明").fill("门头")
    phone.get_by_label("按现状签退的原因").fill("店长不在")
    # when: they check out without tapping "Add photo"
    phone.get_by_role("button", name="保存并签退").click()
    # then: the photo goes up first, with its caption, and the visit is checked out after it
    expect(phone.get_by_test_id("checked-out")).to_contain_text("已签退，拜访已保存。", timeout=30000)
    assert VisitPhoto.objects.get(visit=visit).caption == "门头"
    visit.refresh_from_db()
    assert visit.checked_out_at is not None
