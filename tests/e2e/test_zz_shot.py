import pytest
from tests.e2e.test_analysis_charts import finance_session  # noqa: F401
from django.conf import settings
from .conftest import _close
pytestmark = pytest.mark.django_db(transaction=True)

@pytest.mark.parametrize("width", [375, 1280])
def test_shot(browser, live_server, finance_session, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", base_url=live_server.url)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": finance_session, "url": live_server.url}])
    page = context.new_page()
    page.goto("/analysis/channel-mix/?month_from=2025-01&month_to=2025-01")
    page.wait_for_timeout(800)
    page.screenshot(path=f"/tmp/mix-{width}.png", full_page=True)
    page.goto("/analysis/promotion-expense/?month_from=2025-01&month_to=2025-01")
    page.screenshot(path=f"/tmp/pe-{width}.png", full_page=True)
    _close(context)
