"""What a finance clerk meets at month end: the gross-to-net period fields hold the period shown, a closed month's
page shows the figures as closed (and says where live figures moved since), the deductions list filters by real
dates and refuses bad ones clearly, a deduction kind reads on one line, and the current month's true-ups are
explained where they weigh on its net."""

import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Deduction
from ka_portal.formatting import display_name
from tests.factories import KeyAccountFactory
from tradespend import notes
from tradespend.closing import TrueUps, month_close
from tradespend.models import AccrualLine, ClosedFigure
from tradespend.rules import add_months, month_start

from .g2n_helpers import deduction, invoice

pytestmark = pytest.mark.django_db

JAN = date(2025, 1, 1)
AFTER = date(2025, 6, 15)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def _get(client, user, url, language="en", **params) -> str:
    client.force_login(user)
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def _input(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, name
    return found.group(0)


def _value(page: str, name: str) -> str:
    found = re.search(r'value="([^"]*)"', _input(page, name))
    return found.group(1) if found else ""


# --- 1. gross to net: the period fields hold the period shown -------------------------------------------------------


def test_gross_to_net_opens_with_this_month_in_its_fields(client, finance):
    this = month_start(timezone.localdate())
    page = _get(client, finance, reverse("tradespend:gross-to-net"))
    assert f"Months {this:%Y-%m} to {this:%Y-%m}" in _text(page)
    assert _value(page, "month_from") == f"{this:%Y-%m}"
    assert _value(page, "month_to") == f"{this:%Y-%m}"


def test_a_preset_fills_the_fields_with_its_months_and_keeps_the_chain(client, finance):
    KeyAccountFactory(code="WMT", name="沃尔玛")
    today = timezone.localdate()
    last = add_months(month_start(today), -1)
    page = _get(client, finance, reverse("tradespend:gross-to-net"), preset="last_month", account="WMT")
    assert f"Months {last:%Y-%m} to {last:%Y-%m}" in _text(page)
    assert _value(page, "month_from") == f"{last:%Y-%m}" and _value(page, "month_to") == f"{last:%Y-%m}"
    assert re.search(r'<option value="WMT" selected>', page)


def test_a_chains_page_fills_its_fields_too(client, finance):
    KeyAccountFactory(code="WMT", name="沃尔玛")
    page = _get(client, finance, reverse("tradespend:gross-to-net-account", args=["WMT"]), month_from="2025-02")
    assert _value(page, "month_from") == "2025-02" and _value(page, "month_to") == "2025-02"


def test_a_bad_month_keeps_what_was_typed_beside_its_error(client, finance):
    client.force_login(finance)
    response = client.get(
        reverse("tradespend:gross-to-net"), {"month_from": "2025-13", "month_to": "2025-02"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = response.content.decode()
    assert response.status_code == 400  # refused, as the API (tests/tradespend/test_g2n_months.py)
    assert _value(page, "month_from") == "2025-13"
    assert "From month: “2025-13” is not a month: enter it as YYYY-MM" in page


# --- 2. a closed month's page: the figures as closed, and where live ones moved since ----------------------------


@pytest.fixture
def closed_january(finance):
    """WMT: 5,000.00 invoiced and a 1,000.00 TG deduction, unsupported, in January 2025; January closed."""
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛")
    KeyAccountFactory(code="PNS", name="百佳")
    taken = deduction(invoice(wmt, date(2025, 1, 3), "5000.00"), date(2025, 1, 20), "1000.00")
    month_close(month=JAN, by=finance, today=AFTER)
    return taken


def test_a_closed_month_shows_its_frozen_figures_who_closed_it_and_what_moved(client, finance, closed_january):
    # Given the deduction was matched after the close: live, January's unsupported is 400.00, frozen 1,000.00
    Deduction.objects.filter(pk=closed_january.pk).update(matched_amount=Decimal("600.00"))
    assert ClosedFigure.objects.get(account__code="WMT").unsupported == Decimal("1000.00")

    page = _get(client, finance, reverse("tradespend:month-close"), month="2025-01")

    text = _text(page)
    assert "2025-01 as closed" in text and "Figures as closed" in text
    assert "for good" not in text and 'data-testid="confirm-close"' not in page
    assert f"Closed by {display_name(finance)}" in text
    row = _text(page.split('data-account="WMT"')[1].split("</tr>")[0])
    assert "1,000.00" in row and "4,000.00" in row  # unsupported and net as frozen, not live 400.00 / 4,600.00
    drift_html = page.split('data-testid="drift"')[1].split("</div>")[0]
    assert 'data-account="WMT"' in drift_html and 'data-account="PNS"' not in drift_html
    drift = _text(drift_html)
    assert "Unsupported deductions 1,000.00 → 400.00 (-600.00)" in drift
    assert "Net 4,000.00 → 4,600.00 (+600.00)" in drift


def test_a_closed_month_says_when_live_figures_still_agree(client, finance, closed_january):
    zh = _get(client, finance, reverse("tradespend:month-close"), "zh-hans", month="2025-01")
    assert 'data-testid="drift"' not in zh
    assert "仍与冻结的数字一致" in zh and "结账时的数字" in zh and "永久冻结" not in zh


def test_a_month_not_yet_closed_still_previews_what_will_be_frozen(client, finance):
    invoice(KeyAccountFactory(code="WMT", name="沃尔玛"), date(2025, 1, 3), "5000.00")
    page = _get(client, finance, reverse("tradespend:month-close"), month="2025-01")
    assert "What will be frozen" in page and 'data-testid="confirm-close"' in page
    assert 'data-testid="closed-note"' not in page


# --- 3. deductions list: From/To are date pickers, bad values refused clearly --------------------------------------


def test_deduction_dates_are_date_inputs(client, finance):
    page = _get(client, finance, reverse("tradespend:deductions"))
    assert 'type="date"' in _input(page, "date_from") and 'type="date"' in _input(page, "date_to")


def test_deduction_dates_filter(client, finance, closed_january):
    page = _get(client, finance, reverse("tradespend:deductions"), date_from="2025-01-20", date_to="2025-01-20")
    assert 'data-testid="deductions"' in page and _value(page, "date_from") == "2025-01-20"
    page = _get(client, finance, reverse("tradespend:deductions"), date_from="2025-01-21")
    assert 'data-testid="deductions"' not in page


@pytest.mark.parametrize("typed", ["2025-02-30", "20.01.2025", "soon"])
def test_a_bad_date_is_refused_naming_what_was_typed(client, finance, closed_january, typed):
    page = _get(client, finance, reverse("tradespend:deductions"), date_from=typed)
    assert f"“{typed}” is not a date: give it as YYYY-MM-DD" in page
    assert 'data-testid="deductions"' not in page  # no list pretending to be filtered, and no "none match" either
    assert "A filter above is not valid: correct it to see the deductions." in page
    zh = _get(client, finance, reverse("tradespend:deductions"), "zh-hans", date_from=typed)
    assert f"“{typed}”不是日期" in zh


def test_to_before_from_is_refused_keeping_both(client, finance, closed_january):
    page = _get(client, finance, reverse("tradespend:deductions"), date_from="2025-01-31", date_to="2025-01-01")
    assert "The period ends before it starts." in page
    assert _value(page, "date_from") == "2025-01-31" and _value(page, "date_to") == "2025-01-01"
    assert 'data-testid="deductions"' not in page


# --- 4. a deduction kind reads as one term ------------------------------------------------------------------------


def test_the_tg_fee_is_kept_on_one_line_in_the_deductions_list(client, finance, closed_january):
    zh = _get(client, finance, reverse("tradespend:deductions"), "zh-hans")
    # its cell breaks between words only (TG费 has none; "Promotion cost" may wrap at its space on a phone)
    assert re.search(r'<td class="ka-keep-words">[^\n]*<span data-testid="deduction-kind">TG费</span>', zh)


# --- 5. the months page explains the current month's true-ups ----------------------------------------------------


def _true_up(account, month: date, amount: str, months: str) -> AccrualLine:
    return AccrualLine.objects.create(
        account=account, month=month, source="adjustment", source_key=f"adjustment:{uuid.uuid4()}", kind="rebate",
        category="rebate", stage="true_up", amount=Decimal(amount), reason_code=notes.TRUE_UP_FOR,
        reason_params={"amount": amount, "months": months, "source": "WMT-2025 返利"},
    )  # fmt: skip


def test_the_current_months_true_ups_are_explained_with_a_link(client, finance):
    wmt = KeyAccountFactory(code="WMT", name="沃尔玛")
    this = month_start(timezone.localdate())
    # Given closed months are owed 12,500.00 more rebate: this month's net is -12,500.00
    _true_up(wmt, this, "12000.00", "2025-01, 2025-02")
    _true_up(wmt, this, "500.00", "2025-02")

    page = _get(client, finance, reverse("tradespend:months"))

    row = page.split(f'data-month="{this:%Y-%m}"')[1].split("</tr>")[0]
    assert "Of this net, -12,500.00 comes from true-ups for closed months 2025-01, 2025-02." in _text(row)
    assert '<span class="text-nowrap">2025-01</span>' in row  # a month never broken at its hyphen on a phone
    link = re.search(r'href="([^"]+)"[^>]*data-testid="true-ups-link"', row).group(1).replace("&amp;", "&")
    assert "stage=true_up" in link and f"month_from={this:%Y-%m}" in link
    ledger = _get(client, finance, link)
    assert "12,000.00" in ledger and "2025-01, 2025-02" in ledger
    zh = _get(client, finance, reverse("tradespend:months"), "zh-hans")
    assert "净额中有 -12,500.00 来自已结账月份 2025-01, 2025-02 的差额调整。" in _text(zh)


def test_a_month_without_true_ups_has_no_note(client, finance):
    invoice(KeyAccountFactory(code="WMT", name="沃尔玛"), date(2025, 1, 3), "5000.00")
    page = _get(client, finance, reverse("tradespend:months"))
    assert 'data-testid="true-ups"' not in page


@pytest.mark.parametrize(
    ("months", "read"),
    [
        (["2025-02", "2025-01"], "2025-01, 2025-02"),
        (["2026-05", "2026-06", "2026-07", "2026-08", "2026-11", "2025-12"], "2025-12, 2026-05–2026-08, 2026-11"),
        ([], ""),
    ],
)
def test_many_closed_months_read_as_spans(months, read):
    assert TrueUps(amount=Decimal("1.00"), lines=1, closed_months=months).months_text == read
