"""The ledger's page and API: finance reads every account's lines with totals by category, recomputes one
account and adds adjustments (a refusal keeps what was typed); KA managers read their own accounts' lines only;
reps and supervisors reach nothing (404); the nightly task computes and then matches."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import KeyAccountFactory
from tradespend.accruals import accrual_adjust, accruals_compute
from tradespend.models import AccrualLine, AccrualRun

from .test_accruals import close, contract, invoice, plan, term

pytestmark = pytest.mark.django_db
D = Decimal
AS_OF = date(2026, 6, 15)


@pytest.fixture
def ledger_world(manager, finance):
    """Two chains: WMT (the manager's) with a 2 % rebate, a DM fee and a plan; CRF (another manager's) with a fee."""
    mine = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    other = KeyAccountFactory(code="CRF", name="家乐福")
    c = contract(mine, number="HT-WMT-1")
    term(c, "rebate", "percent", rate="2.00")
    term(c, "dm", "fixed", "once", amount="800", valid_from=date(2026, 2, 1))
    invoice(mine, date(2026, 1, 10), "10000.00")
    plan(mine, title="春节堆头", tg_fee="1500", gift_cost="300", start_on=date(2026, 3, 1))
    term(contract(other, number="HT-CRF-1"), "display", "fixed", "once", amount="450")
    accruals_compute(as_of=AS_OF)
    accrual_adjust(account=mine, month=date(2026, 4, 1), kind="dm", amount=D("50"), reason="DM费少扣", by=finance)
    return mine, other


def test_finance_sees_every_line_with_totals_by_category(client, finance, ledger_world):
    client.force_login(finance)
    page = client.get(reverse("tradespend:ledger"), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "HT-WMT-1" in text and "HT-CRF-1" in text and "春节堆头" in text and "DM费少扣" in text
    assert page.context["totals"] == [("Rebates", D("200.00")), ("Fixed fees", D("1300.00")),
                                      ("Promotion spend", D("1800.00"))]  # fmt: skip
    assert page.context["grand_total"] == D("3300.00")
    assert 'data-testid="recompute-form"' in text and reverse("tradespend:ledger-adjust") in text


def test_filters_narrow_the_lines_and_the_totals(client, finance, ledger_world):
    client.force_login(finance)
    page = client.get(reverse("tradespend:ledger"), {"account": "WMT", "category": "fixed_fee"})
    assert {(x.kind, x.amount) for x in page.context["object_list"]} == {("dm", D("800.00")), ("dm", D("50.00"))}
    assert page.context["grand_total"] == D("850.00")
    by_text = client.get(reverse("tradespend:ledger"), {"q": "春节"}).context["object_list"]
    assert {x.kind for x in by_text} == {"end_cap", "promotion"}
    months = client.get(reverse("tradespend:ledger"), {"month_from": "2026-03-20", "month_to": "2026-04-01"})
    assert {x.month for x in months.context["object_list"]} == {date(2026, 3, 1), date(2026, 4, 1)}
    by_contract = client.get(reverse("tradespend:ledger"), {"q": "HT-CRF", "stage": "accrued", "source": "term"})
    assert [x.amount for x in by_contract.context["object_list"]] == [D("450.00")]


def test_the_search_finds_the_ledgers_own_reason_as_read_in_either_language(client, api_client, finance):
    # Given a conditional rebate with no sales target: "No sales target for 2026: the lowest tier, 1.50 %."
    account = KeyAccountFactory(code="TGT", name="无目标连锁")
    term(contract(account), "rebate_conditional", "percent", rate="1.00", tiers=[(90, 1.5), (100, 2.5)])
    invoice(account, date(2026, 4, 10), "2000.00")
    accruals_compute(as_of=AS_OF)
    client.force_login(finance)
    api_client.force_authenticate(finance)
    # Then the page and the API find it by its words in either language, its parameters, a phrase across both
    for q in ("lowest tier, 1.50 %", "2026年无销售目标", "最低档"):
        page = client.get(reverse("tradespend:ledger"), {"q": q}, HTTP_ACCEPT_LANGUAGE="en")
        assert [line.rate for line in page.context["object_list"]] == [D("1.50")], q
        api = api_client.get(reverse("accrual-line-list"), {"search": q}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
        assert [row["rate"] for row in api["results"]] == ["1.50"], q
    assert not client.get(reverse("tradespend:ledger"), {"q": "year"}).context["object_list"]  # a parameter's name


def test_export_gives_the_filtered_lines(client, finance, ledger_world):
    client.force_login(finance)
    response = client.get(reverse("tradespend:ledger"), {"account": "WMT", "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("Key account", "Month") and len(rows) == 1 + 5
    assert {row[0] for row in rows[1:]} == {"WMT"}
    amount = rows[0].index("Amount")
    assert sum(D(str(row[amount])) for row in rows[1:]) == D("2850.00")  # 200 + 800 + 1500 + 300 + 50


def test_manager_reads_only_own_accounts_and_cannot_write(client, manager, ledger_world):
    mine, other = ledger_world
    client.force_login(manager)
    page = client.get(reverse("tradespend:ledger"))
    assert page.status_code == 200
    assert {x.account_id for x in page.context["object_list"]} == {mine.pk}
    assert "HT-CRF-1" not in page.content.decode() and 'data-testid="recompute-form"' not in page.content.decode()
    assert client.get(reverse("tradespend:ledger"), {"account": "CRF"}).context["object_list"].count() == 0
    assert client.post(reverse("tradespend:ledger-recompute"), {"account": "WMT"}).status_code == 403
    assert client.get(reverse("tradespend:ledger-adjust")).status_code == 403


@pytest.mark.parametrize("role", ["rep", "supervisor"])
def test_reps_and_supervisors_reach_nothing(client, api_client, request, role, ledger_world):
    user = request.getfixturevalue(role)
    client.force_login(user)
    api_client.force_authenticate(user)
    line = AccrualLine.objects.first()
    assert client.get(reverse("tradespend:ledger")).status_code == 404
    assert client.get(reverse("tradespend:ledger-adjust")).status_code == 404
    assert client.post(reverse("tradespend:ledger-recompute"), {"account": "WMT"}).status_code == 404
    assert api_client.get(reverse("accrual-line-list")).status_code == 404
    assert api_client.get(reverse("accrual-line-detail", args=[line.pk])).status_code == 404
    assert api_client.post(reverse("accrual-run-list"), {"account": "WMT"}).status_code == 404


def test_recompute_one_account_says_how_many_lines_were_written(client, finance, ledger_world):
    mine, other = ledger_world
    invoice(mine, date(2026, 5, 5), "3000.00")  # a new rebate line for May: 60
    client.force_login(finance)
    response = client.post(reverse("tradespend:ledger-recompute"), {"account": "WMT"}, HTTP_ACCEPT_LANGUAGE="en",
                           follow=True)  # fmt: skip
    assert "WMT recomputed" in response.content.decode() and "1 lines written" in response.content.decode()
    assert AccrualLine.objects.get(account=mine, month=date(2026, 5, 1)).amount == D("60.00")
    run = AccrualRun.objects.first()
    assert (run.account, run.requested_by, run.lines_written) == (mine, finance, 1)


def test_adjustment_form_keeps_what_was_typed_on_refusal(client, finance, ledger_world):
    close(date(2026, 5, 1))
    client.force_login(finance)
    form = {"account": "WMT", "month": "2026-05", "kind": "display", "amount": "88.50", "reason": "陈列费补计",
            "term": "", "plan": ""}  # fmt: skip
    refused = client.post(reverse("tradespend:ledger-adjust"), form, HTTP_ACCEPT_LANGUAGE="en")
    text = refused.content.decode()
    assert refused.status_code == 200 and "2026-05 is closed" in text
    assert 'value="88.50"' in text and "陈列费补计" in text and 'value="2026-05"' in text
    assert not AccrualLine.objects.filter(reason="陈列费补计").exists()
    saved = client.post(reverse("tradespend:ledger-adjust"), {**form, "month": "2026-06"})
    assert saved.status_code == 302
    line = AccrualLine.objects.get(reason="陈列费补计")
    assert (line.month, line.amount, line.stage, line.category) == (
        date(2026, 6, 1),
        D("88.50"),
        "adjustment",
        "fixed_fee",
    )


def test_adjustment_form_refuses_a_plan_outside_the_scope_as_not_found(client, finance, ledger_world):
    client.force_login(finance)
    form = {"account": "WMT", "month": "2026-06", "kind": "dm", "amount": "1", "reason": "x", "plan": "999999"}
    refused = client.post(reverse("tradespend:ledger-adjust"), form, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and "Not found." in refused.content.decode()


# --- API ---------------------------------------------------------------------------------------------------------


def test_api_lists_with_the_same_filters_and_scope(api_client, manager, finance, ledger_world):
    api_client.force_authenticate(manager)
    body = api_client.get(reverse("accrual-line-list"), {"kind": "end_cap"}).json()
    assert [(r["account"], r["amount"], r["stage"], r["category"]) for r in body["results"]] == [
        ("WMT", "1500.00", "forecast", "promotion")
    ]
    other_line = AccrualLine.objects.get(account__code="CRF")
    assert api_client.get(reverse("accrual-line-detail", args=[other_line.pk])).status_code == 404
    assert api_client.get(reverse("accrual-line-list"), {"account": "CRF"}).status_code == 400
    api_client.force_authenticate(finance)
    rebate = api_client.get(reverse("accrual-line-list"), {"category": "rebate"}).json()["results"]
    assert [(r["contract"], r["basis_amount"], r["rate"], r["amount"]) for r in rebate] == [
        ("HT-WMT-1", "10000.00", "2.00", "200.00")
    ]


def test_api_creates_an_adjustment_once_per_idempotency_key(api_client, finance, ledger_world):
    api_client.force_authenticate(finance)
    body = {"account": "WMT", "month": "2026-06", "kind": "promotion", "amount": "30.00", "reason": "赠品补计"}
    first = api_client.post(reverse("accrual-line-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="adj-1")
    again = api_client.post(reverse("accrual-line-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="adj-1")
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert (first.json()["month"], first.json()["stage"], first.json()["category"]) == ("2026-06", "adjustment",
                                                                                       "promotion")  # fmt: skip
    assert AccrualLine.objects.filter(reason="赠品补计").count() == 1
    refused = api_client.post(reverse("accrual-line-list"), {**body, "reason": ""}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "adjustment.needs_reason"


def test_api_refuses_adjustments_to_managers(api_client, manager, ledger_world):
    api_client.force_authenticate(manager)
    body = {"account": "WMT", "month": "2026-06-09", "kind": "dm", "amount": "5", "reason": "x"}
    assert api_client.post(reverse("accrual-line-list"), body, format="json").status_code == 403
    assert api_client.post(reverse("accrual-run-list"), {"account": "WMT"}, format="json").status_code == 403


def test_api_recomputes_one_account(api_client, finance, ledger_world):
    mine, other = ledger_world
    invoice(mine, date(2026, 5, 5), "1000.00")
    api_client.force_authenticate(finance)
    response = api_client.post(reverse("accrual-run-list"), {"account": "WMT"}, format="json")
    assert response.status_code == 201
    assert response.json()["lines_written"] == 1 and response.json()["account"] == "WMT"
    assert AccrualLine.objects.get(account=mine, month=date(2026, 5, 1)).amount == D("20.00")
    missing = api_client.post(reverse("accrual-run-list"), {"account": "NOPE"}, format="json")
    assert missing.status_code == 400


def test_nightly_task_computes_every_account_then_matches(monkeypatch, ledger_world):
    from django.utils import timezone

    from tradespend import tasks

    called = []
    monkeypatch.setattr(tasks, "deductions_match", lambda **kw: called.append(kw))
    monkeypatch.setattr(timezone, "localdate", lambda *a: AS_OF)
    mine, other = ledger_world
    invoice(mine, date(2026, 6, 2), "500.00")
    result = tasks.accruals_nightly.delay().get()
    assert result == {"run_on": "2026-06-15", "lines_written": 1, "lines_deleted": 0}
    assert called == [{}]
    assert AccrualLine.objects.get(account=mine, month=date(2026, 6, 1), kind="rebate").amount == D("10.00")


def test_the_nightly_job_is_scheduled_at_half_past_two():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["tradespend-accruals-nightly"]
    assert entry["task"] == "tradespend.tasks.accruals_nightly"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
