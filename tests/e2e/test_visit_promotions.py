"""A rep on a phone checks the running promotion in the visit: a shelf price and the end cap with a photo; the
section swaps in place (what was typed in the visit form stays) and says "executed"."""

import pytest
from playwright.sync_api import expect

from tests.evidence import checks_world

from .conftest import log_in, until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service_worker]
WAIT = 20_000  # ms: the live server answers slowly on a busy CI machine


@pytest.fixture
def at_the_visit(phone, live_server, settings, tmp_path):
    """The rep's visit page open on the phone, where a plan with an end cap runs; a photo of the end cap on hand."""
    settings.MEDIA_ROOT = tmp_path
    w = checks_world.build()
    image = tmp_path / "endcap.png"
    image.write_bytes(checks_world.PNG)
    log_in(phone, "ck_rep", "pass-1234")
    phone.goto(f"/visits/{w.visit.pk}/")
    return w, image


def test_rep_checks_a_promotion_on_a_phone(phone, at_the_visit):
    w, image = at_the_visit
    phone.get_by_label("发现的问题").fill("端架有破损包装")  # typed in the visit form, not yet saved

    promotion = phone.get_by_test_id("promotion")
    assert "端架特价" in promotion.inner_text() and "未检查" in promotion.get_by_test_id("execution").inner_text()
    phone.locator(f"#id_price_{w.beer.pk}").fill("10.10")
    phone.locator(f"#id_price_{w.chips.pk}").fill("5")
    promotion.get_by_text("在位", exact=True).click()
    phone.locator("#id_photo_end_cap").set_input_files(str(image))
    promotion.get_by_test_id("promotion-save").click()

    phone.get_by_test_id("execution").filter(has_text="已执行").wait_for()
    assert phone.get_by_label("发现的问题").input_value() == "端架有破损包装"  # the rest of the page stayed
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.locator("#promotions").screenshot(path="tests/e2e/artifacts/visit-promotions-phone.png")
    phone.screenshot(path="tests/e2e/artifacts/visit-promotions-page-phone.png", full_page=True)


def test_a_promotion_checked_with_no_network_uploads_with_its_photo_when_it_returns(phone, at_the_visit):
    w, image = at_the_visit
    phone.wait_for_function("() => !!window.KaQueue")

    phone.context.set_offline(True)  # the back room: the section cannot reach the server
    promotion = phone.get_by_test_id("promotion")
    phone.locator(f"#id_price_{w.beer.pk}").fill("10.10")
    phone.locator(f"#id_price_{w.chips.pk}").fill("5")
    promotion.get_by_text("在位", exact=True).click()
    phone.locator("#id_photo_end_cap").set_input_files(str(image))
    promotion.get_by_test_id("promotion-save").click()
    expect(promotion.get_by_test_id("kept-note")).to_contain_text("已保存在这部手机上", timeout=WAIT)
    assert not w.visit.promotion_checks.exists()

    phone.context.set_offline(False)  # the `online` event uploads it, the photo as a file
    expect(phone.get_by_test_id("upload-queue")).to_be_hidden(timeout=WAIT)
    until(phone, "() => KaOutbox.list('writes').then((writes) => writes.length === 0)")
    phone.reload()
    phone.get_by_test_id("execution").filter(has_text="已执行").wait_for(timeout=WAIT)
    assert w.visit.display_checks.get().photo
