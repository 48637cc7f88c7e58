"""Month close (issue 12 item 4): order rules, the snapshot, refusals of anything dated in a closed month at every
door (pages and API of invoices, credit notes and deductions), the months page and the closed-months API, and
the invariants: gross − Σ spend = net for every account and period, and a closed month's figures never change
whatever is recorded later."""

import contextlib
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import KeyAccount
from contracts.models import CreditNote, Deduction, Invoice
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory
from tests.legs import examples
from tradespend import reports
from tradespend.closing import earliest_open_month, first_record_month, month_close, months_waiting
from tradespend.models import AccrualLine, ClosedFigure, ClosedMonth
from tradespend.rules import add_months

from .g2n_helpers import credit_note, deduction, invoice, line

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, APR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)
AFTER = date(2025, 6, 15)  # "today" for closes: January to May are over


@pytest.fixture
def g2n_account(manager):
    return KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)


def _code(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


# --- the rules of closing ---------------------------------------------------------------------------------------


def test_a_month_not_over_cannot_close(finance):
    assert _code(lambda: month_close(month=date(2025, 6, 1), by=finance, today=AFTER)) == "month.not_over"
    assert _code(lambda: month_close(month=date(2025, 7, 1), by=finance, today=AFTER)) == "month.not_over"
    assert not ClosedMonth.objects.exists()


def test_a_month_closes_once(finance, g2n_account):
    invoice(g2n_account, date(2025, 1, 10), "100.00")
    month_close(month=JAN, by=finance, today=AFTER)
    assert _code(lambda: month_close(month=date(2025, 1, 20), by=finance, today=AFTER)) == "month.already_closed"
    assert ClosedMonth.objects.count() == 1


def test_months_close_in_order(finance, g2n_account):
    invoice(g2n_account, date(2025, 1, 10), "100.00")
    line(g2n_account, MAR, "dm", "10.00")
    with pytest.raises(DomainError) as refused:
        month_close(month=APR, by=finance, today=AFTER)
    assert refused.value.code == "month.earlier_open"
    assert "2025-01" in str(refused.value.detail)
    month_close(month=JAN, by=finance, today=AFTER)
    assert _code(lambda: month_close(month=APR, by=finance, today=AFTER)) == "month.earlier_open"  # March
    month_close(month=FEB, by=finance, today=AFTER)  # nothing in February: may close
    month_close(month=MAR, by=finance, today=AFTER)
    month_close(month=APR, by=finance, today=AFTER)
    assert earliest_open_month(date(2025, 6, 1)) is None


def test_months_waiting_reads_around_the_closed_months(finance, g2n_account):
    """Only months outside the closed ones can wait, and they are found wherever they are: before the first closed
    month (a record dated back), in a gap between closed months (nothing there when the later one closed, a record
    since), and after the last."""
    invoice(g2n_account, date(2025, 1, 10), "100.00")
    invoice(g2n_account, date(2025, 3, 10), "100.00")
    month_close(month=JAN, by=finance, today=AFTER)
    month_close(month=FEB, by=finance, today=AFTER)  # nothing in February: it may close
    month_close(month=MAR, by=finance, today=AFTER)
    assert months_waiting(date(2025, 6, 1)) == []
    ClosedMonth.objects.filter(month=FEB).delete()  # as if February had been skipped while it was empty
    # books from before months closed in order and a day before a closed month was refused: their months are put
    # back once the records are in
    closed = list(ClosedMonth.objects.all())
    ClosedMonth.objects.all().delete()
    invoice(g2n_account, date(2025, 2, 20), "100.00")  # then recorded
    credit_note(g2n_account, date(2024, 11, 5), "10.00")  # and a credit note dated before anything closed
    ClosedMonth.objects.bulk_create(closed)
    line(g2n_account, APR, "barcode", "50.00")  # and spend after the last closed month
    assert months_waiting(date(2025, 6, 1)) == [date(2024, 11, 1), FEB, APR]
    assert months_waiting(APR) == [date(2024, 11, 1), FEB]  # before April only


def test_only_finance_or_admin_closes(manager, rep, finance, admin_user, g2n_account):
    invoice(g2n_account, date(2025, 1, 10), "100.00")
    for user in (manager, rep):
        assert _code(lambda user=user: month_close(month=JAN, by=user, today=AFTER)) == "month.needs_finance"
    month_close(month=JAN, by=admin_user, today=AFTER)
    month_close(month=FEB, by=finance, today=AFTER)


def test_close_freezes_every_account_with_a_figure(finance, g2n_account):
    other = KeyAccountFactory(code="CRF")
    idle = KeyAccountFactory(code="IDLE")
    first = invoice(g2n_account, date(2025, 1, 3), "5000.00")
    credit_note(g2n_account, date(2025, 1, 9), "500.00")
    line(g2n_account, JAN, "rebate", "135.00")
    line(g2n_account, JAN, "listing", "300.00")
    line(g2n_account, JAN, "promotion", "65.00")
    deduction(first, date(2025, 1, 20), "400.00", kind="listing")  # 300.00 matched to the listing line
    line(other, JAN, "dm", "50.00")
    closed = month_close(month=JAN, by=finance, today=AFTER)
    figures = {figure.account.code: figure for figure in ClosedFigure.objects.filter(closed_month=closed)}
    assert set(figures) == {"WMT", "CRF"}  # IDLE has nothing in January
    wmt = figures["WMT"]
    assert (wmt.gross, wmt.rebates, wmt.fixed_fees, wmt.promotion, wmt.unsupported, wmt.net) == (
        Decimal("4500.00"), Decimal("135.00"), Decimal("300.00"), Decimal("65.00"), Decimal("100.00"),
        Decimal("3900.00"),
    )  # fmt: skip
    assert wmt.by_kind == {"listing": "300.00", "promotion": "65.00", "rebate": "135.00"}
    assert figures["CRF"].net == Decimal("-50.00")
    assert closed.closed_by == finance
    assert idle.pk not in {f.account_id for f in ClosedFigure.objects.all()}


def test_closed_month_figures_do_not_move(finance, g2n_account):
    first = invoice(g2n_account, date(2025, 1, 3), "5000.00")
    late = deduction(first, date(2025, 1, 20), "400.00")
    jan_line = line(g2n_account, JAN, "dm", "100.00")
    month_close(month=JAN, by=finance, today=AFTER)
    accounts = KeyAccount.objects.filter(pk=g2n_account.pk)
    before = reports.gross_to_net(accounts=accounts, month_from=JAN, month_to=JAN).rows[0].figures
    # later: the deduction is matched, the January line is changed in the database, February records land
    Deduction.objects.filter(pk=late.pk).update(matched_amount=Decimal("400.00"))
    AccrualLine.objects.filter(pk=jan_line.pk).update(amount=Decimal("999.00"))
    invoice(g2n_account, date(2025, 2, 3), "700.00")
    after = reports.gross_to_net(accounts=accounts, month_from=JAN, month_to=JAN).rows[0].figures
    assert after == before
    assert after.unsupported == Decimal("400.00") and after.fixed_fees == Decimal("100.00")
    both = reports.gross_to_net(accounts=accounts, month_from=JAN, month_to=FEB).rows[0].figures
    assert both.gross == Decimal("5700.00")


# --- refused at every door --------------------------------------------------------------------------------------


def test_services_refuse_records_dated_in_a_closed_month(finance, g2n_account):
    line(g2n_account, JAN, "listing", "300.00")  # the books begin in January
    open_invoice = invoice(g2n_account, date(2025, 2, 3), "1000.00")
    month_close(month=JAN, by=finance, today=AFTER)
    day = date(2025, 1, 31)
    assert _code(lambda: invoice(g2n_account, day, "10.00")) == "month.closed"
    assert _code(lambda: credit_note(g2n_account, day, "10.00")) == "month.closed"
    assert _code(lambda: deduction(open_invoice, day, "10.00")) == "month.closed"
    assert Invoice.objects.count() == 1 and not CreditNote.objects.exists() and not Deduction.objects.exists()
    invoice(g2n_account, date(2025, 2, 1), "10.00")  # the first open month is fine


@pytest.fixture
def g2n_closed_january(finance, g2n_account):
    line(g2n_account, JAN, "listing", "300.00")  # the books begin in January
    target = invoice(g2n_account, date(2025, 2, 3), "1000.00")
    month_close(month=JAN, by=finance, today=AFTER)
    return target


def test_pages_refuse_records_in_a_closed_month(client, finance, g2n_account, g2n_closed_january):
    client.force_login(finance)
    url = reverse("contracts:receivables-account", args=[g2n_account.pk])
    posts = {
        "invoice": {"invoice-number": "P-1", "invoice-date": "2025-01-15", "invoice-amount": "100.00"},
        "credit_note": {"credit_note-number": "P-CN", "credit_note-date": "2025-01-15",
                        "credit_note-amount": "10.00", "credit_note-reason": "退货"},
        "deduction": {"deduction-invoice": g2n_closed_january.number, "deduction-date": "2025-01-15",
                      "deduction-kind": "tg", "deduction-amount": "10.00", "deduction-reason": "堆头费"},
    }  # fmt: skip
    for action, data in posts.items():
        page = client.post(url, {"action": action, **data}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "2025-01 is closed" in page, action
    assert Invoice.objects.count() == 1 and not CreditNote.objects.exists() and not Deduction.objects.exists()


def test_api_refuses_records_in_a_closed_month(api_client, finance, g2n_account, g2n_closed_january):
    api_client.force_authenticate(finance)
    posts = {
        "/api/v1/invoices/": {"number": "A-1", "account": "WMT", "date": "2025-01-15", "amount": "100.00"},
        "/api/v1/credit-notes/": {"number": "A-CN", "account": "WMT", "date": "2025-01-15", "amount": "10.00",
                                  "reason": "退货"},
        "/api/v1/deductions/": {"invoice": g2n_closed_january.pk, "date": "2025-01-15", "kind": "tg",
                                "amount": "10.00", "reason": "堆头费"},
    }  # fmt: skip
    for url, body in posts.items():
        response = api_client.post(url, body, format="json")
        assert response.status_code == 400 and response.json()["code"] == "month.closed", url
    assert Invoice.objects.count() == 1 and not CreditNote.objects.exists() and not Deduction.objects.exists()


# --- the months page and the API --------------------------------------------------------------------------------


def test_months_page_and_close_with_confirmation(client, finance, g2n_account):
    invoice(g2n_account, date(2025, 1, 3), "5000.00")
    client.force_login(finance)
    page = client.get(reverse("tradespend:months"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-month="2025-01"' in page and "5,000.00" in page
    assert f"{reverse('tradespend:month-close')}?month=2025-01" in page
    assert "?month=2025-02" not in page  # January first: months close in order
    preview = client.get(reverse("tradespend:month-close"), {"month": "2025-01"}, HTTP_ACCEPT_LANGUAGE="en")
    text = preview.content.decode()
    assert 'data-account="WMT"' in text and "5,000.00" in text and "for good" in text
    assert not ClosedMonth.objects.exists()
    client.post(reverse("tradespend:month-close"), {"month": "2025-01"})
    assert ClosedMonth.objects.get().closed_by == finance
    page = client.get(reverse("tradespend:months"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "?month=2025-02" in page


def test_close_page_shows_the_refusal(client, finance, g2n_account):
    invoice(g2n_account, date(2025, 1, 3), "5000.00")
    client.force_login(finance)
    text = client.get(reverse("tradespend:month-close"), {"month": "2025-03"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "2025-01 is still open" in text.content.decode()
    response = client.post(reverse("tradespend:month-close"), {"month": "2025-03"}, follow=True)
    assert not ClosedMonth.objects.exists() and response.status_code == 200


def test_manager_reads_months_but_cannot_close(client, manager, g2n_account):
    client.force_login(manager)
    page = client.get(reverse("tradespend:months")).content.decode()
    assert 'data-testid="close-month"' not in page
    assert client.get(reverse("tradespend:month-close"), {"month": "2025-01"}).status_code == 403
    assert client.post(reverse("tradespend:month-close"), {"month": "2025-01"}).status_code == 403
    assert not ClosedMonth.objects.exists()


def test_api_closes_a_month_once_per_key(api_client, finance, g2n_account):
    invoice(g2n_account, date(2025, 1, 3), "5000.00")
    api_client.force_authenticate(finance)
    key = str(uuid.uuid4())
    first = api_client.post("/api/v1/closed-months/", {"month": "2025-01"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api_client.post("/api/v1/closed-months/", {"month": "2025-01"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201 and again.status_code == 201 and again.json() == first.json()
    assert first.json()["month"] == "2025-01" and first.json()["gross"] == "5000.00"
    assert ClosedMonth.objects.count() == 1
    refused = api_client.post("/api/v1/closed-months/", {"month": "2025-01"}, format="json")
    assert refused.json()["code"] == "month.already_closed"
    listed = api_client.get("/api/v1/closed-months/").json()["results"]
    assert [(m["month"], m["closed_by"], m["net"]) for m in listed] == [("2025-01", finance.username, "5000.00")]
    assert api_client.post("/api/v1/closed-months/", {"month": "2025-1x"}, format="json").status_code == 400


def test_api_close_refusals(api_client, finance, manager, g2n_account):
    api_client.force_authenticate(manager)
    assert api_client.post("/api/v1/closed-months/", {"month": "2025-01"}, format="json").status_code == 403
    api_client.force_authenticate(finance)
    future = add_months(timezone.localdate().replace(day=1), 1)
    response = api_client.post("/api/v1/closed-months/", {"month": f"{future:%Y-%m}"}, format="json")
    assert response.json()["code"] == "month.not_over"


def test_api_report_reads_frozen_figures(api_client, finance, g2n_account):
    first = invoice(g2n_account, date(2025, 1, 3), "5000.00")
    deduction(first, date(2025, 1, 5), "100.00")
    month_close(month=JAN, by=finance, today=AFTER)
    Deduction.objects.update(matched_amount=Decimal("100.00"))
    api_client.force_authenticate(finance)
    body = api_client.get("/api/v1/reports/gross-to-net/", {"from": "2025-01", "to": "2025-02"}).json()
    assert body["closed_months"] == ["2025-01"]
    assert body["rows"][0]["figures"]["unsupported"] == "100.00"
    assert [m["closed"] for m in body["rows"][0]["months"]] == [True, False]


# --- invariants -------------------------------------------------------------------------------------------------

MONTHS = [date(2025, m, 1) for m in range(1, 7)]
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9000.00"), places=2)
month_index = st.integers(min_value=0, max_value=len(MONTHS) - 1)
account_index = st.integers(min_value=0, max_value=1)
record = st.one_of(
    st.tuples(st.just("invoice"), account_index, month_index, money),
    st.tuples(st.just("credit_note"), account_index, month_index, money),
    st.tuples(st.just("deduction"), account_index, month_index, money, st.integers(0, 100)),
    st.tuples(st.just("line"), account_index, month_index, money, st.sampled_from(["rebate", "listing", "promotion"])),
    st.tuples(st.just("adjust"), account_index, month_index, money),
    st.tuples(st.just("match"), st.integers(0, 50), st.integers(0, 100)),
)


def _record(step, accounts):
    kind, *args = step
    if kind == "match":
        deductions = list(Deduction.objects.order_by("pk"))
        if deductions:
            chosen = deductions[args[0] % len(deductions)]
            matched = (chosen.amount * args[1] / 100).quantize(Decimal("0.01"))
            Deduction.objects.filter(pk=chosen.pk).update(matched_amount=matched)
        return
    account, month = accounts[args[0]], MONTHS[args[1]]
    day = month.replace(day=min(28, 1 + int(args[2]) % 28))
    if kind == "invoice":
        invoice(account, day, args[2])
    elif kind == "credit_note":
        credit_note(account, day, args[2])
    elif kind == "deduction":
        target = Invoice.objects.filter(account=account, open_amount__gt=0).order_by("pk").first()
        if target is not None:
            amount = min(args[2], target.open_amount)
            deduction(target, day, amount, matched=str((amount * args[3] / 100).quantize(Decimal("0.01"))))
    elif kind == "line":
        if not ClosedMonth.objects.filter(month=month).exists():  # the ledger never writes into a closed month
            line(account, month, args[3], args[2])
    elif kind == "adjust":
        # Anything the database lets through later (a line in any month changed) must not move a closed month.
        found = AccrualLine.objects.filter(account=account, month=month).first()
        if found is not None:
            AccrualLine.objects.filter(pk=found.pk).update(amount=args[2])


def _all_periods(accounts):
    figures = {}
    for start in range(len(MONTHS)):
        for end in range(start, len(MONTHS)):
            report = reports.gross_to_net(accounts=accounts, month_from=MONTHS[start], month_to=MONTHS[end])
            for row in report.rows:
                figures[row.account.pk, start, end] = row.figures
    return figures


# `make test` draws 14 (7 on PostgreSQL; 25 with PROPERTY_EXAMPLES=full): an example costs about a second, and is
# itself broad: up to 30 records of six kinds before and after up to 4 closes, then every closed month and all 21
# periods of two accounts checked; each run draws new ones.
@settings(
    max_examples=examples(25, quick=14), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=st.lists(record, max_size=15), closes=st.integers(0, 4), after=st.lists(record, max_size=15))
def test_net_is_gross_less_spend_and_closed_months_never_change(before, closes, after, finance):
    with transaction.atomic():
        accounts = [KeyAccountFactory(), KeyAccountFactory()]
        queryset = KeyAccount.objects.filter(pk__in=[a.pk for a in accounts])
        for step in before:
            with contextlib.suppress(DomainError):
                _record(step, accounts)
        # months close in order from the books' first month (none before it: month.before_first_record)
        books = first_record_month()
        closed = [month for month in MONTHS[:closes] if books is not None and month >= books]
        for month in closed:
            month_close(month=month, by=finance, today=date(2025, 12, 1))
        frozen = {
            (row.account.pk, month): row.by_month.get(month)
            for month in closed
            for row in reports.gross_to_net(accounts=queryset, month_from=month, month_to=month).rows
        }
        for step in after:
            refused = False
            try:
                _record(step, accounts)
            except DomainError as error:
                assert error.code == "month.closed"
                refused = True
            kind, *args = step
            if kind in ("invoice", "credit_note", "deduction") and MONTHS[args[1]] in set(closed):
                assert refused or kind == "deduction"  # a deduction is tried only when an invoice is open
        for month in closed:
            for row in reports.gross_to_net(accounts=queryset, month_from=month, month_to=month).rows:
                assert row.by_month.get(month) == frozen[row.account.pk, month]
        for (_account, _start, _end), figures in _all_periods(queryset).items():
            spend = figures.rebates + figures.fixed_fees + figures.promotion + figures.unsupported
            assert figures.gross - spend == figures.net
            kinds = sum(figures.by_kind.values(), Decimal("0"))
            assert kinds == figures.rebates + figures.fixed_fees + figures.promotion
        transaction.set_rollback(True)


def test_the_close_page_without_a_month_opens_the_earliest_waiting_one(client, finance, g2n_account):
    """A clerk's bookmark of the close page, without ?month=: the month a close may take now, or the months page."""
    client.force_login(finance)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    invoice(g2n_account, date(2025, 3, 10), "100.00")
    invoice(g2n_account, date(2025, 5, 10), "100.00")
    answer = client.get(reverse("tradespend:month-close"))
    assert answer.status_code == 302 and answer["Location"] == reverse("tradespend:month-close") + "?month=2025-03"
    assert client.get(reverse("tradespend:month-close"), {"month": ""})["Location"].endswith("?month=2025-03")
    # every month with a record closed: the months page, saying so
    for month in (MAR, APR, date(2025, 5, 1)):
        month_close(month=month, by=finance)
    page = client.get(reverse("tradespend:month-close"), follow=True)
    assert page.redirect_chain == [(reverse("tradespend:months"), 302)]
    assert "No month is waiting to close" in page.content.decode()
    # a month that is no month is still not found
    assert client.get(reverse("tradespend:month-close"), {"month": "2025-13"}).status_code == 404


def test_api_lists_closed_months_in_pages(api_client, finance, g2n_account):
    invoice(g2n_account, date(2025, 1, 3), "5000.00")
    line(g2n_account, JAN, "rebate", "135.00")
    for month in (JAN, FEB, MAR):
        month_close(month=month, by=finance, today=AFTER)
    api_client.force_authenticate(finance)
    first = api_client.get("/api/v1/closed-months/", {"page_size": 2}).json()
    assert first["count"] == 3 and first["previous"] is None and first["next"]
    assert [(m["month"], m["gross"], m["net"]) for m in first["results"]] == [
        ("2025-03", "0.00", "0.00"),
        ("2025-02", "0.00", "0.00"),
    ]
    second = api_client.get(first["next"]).json()
    assert [(m["month"], m["gross"], m["net"]) for m in second["results"]] == [("2025-01", "5000.00", "4865.00")]
    walked = api_client.get("/api/v1/closed-months/", {"cursor": "", "page_size": 2}).json()
    assert [m["month"] for m in walked["results"]] == ["2025-03", "2025-02"]
    assert api_client.get("/api/v1/closed-months/", {"page_size": "0"}).status_code == 400
