"""Gross to net opens on this month; early in a month nothing is invoiced yet and every chain's net reads below zero.
The page then says why and links the months that have figures (QA: a KA manager opening it on the 6th saw only
zeros, minus signs and dashes, and took the report for broken)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import KeyAccountFactory
from tradespend.rules import add_months, month_start

from .g2n_helpers import invoice, line

pytestmark = pytest.mark.django_db
URL = reverse("tradespend:gross-to-net")


@pytest.fixture
def chain(manager):
    account = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    this_month = month_start(timezone.localdate())
    last_month = add_months(this_month, -1)
    invoice(account, last_month + timedelta(days=9), "10000.00")
    line(account, this_month, "rebate", "420.00")  # spend of this month, nothing invoiced in it yet
    return account


def test_this_month_without_invoices_says_why_and_links_the_months_with_figures(client, finance, chain):
    client.force_login(finance)

    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    html = page.content.decode()
    this_month = month_start(timezone.localdate())
    assert f"Nothing is invoiced in {this_month:%Y-%m} yet" in html
    last_month = add_months(this_month, -1)
    # the link to last month opens it, and there the chain's gross is last month's invoice
    assert f'href="?month_from={last_month:%Y-%m}&amp;month_to={last_month:%Y-%m}"' in html
    assert "Year to date" in html.split('data-testid="month-begun"')[1].split("</div>")[0]
    earlier = client.get(URL, {"month_from": f"{last_month:%Y-%m}", "month_to": f"{last_month:%Y-%m}"})
    assert earlier.context["report"].total.gross == 10000
    assert 'data-testid="month-begun"' not in earlier.content.decode()


def test_the_notice_goes_once_the_month_has_an_invoice(client, finance, chain):
    invoice(chain, timezone.localdate(), "500.00")
    client.force_login(finance)

    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert page.context["report"].total.gross == 500
    assert 'data-testid="month-begun"' not in page.content.decode()
