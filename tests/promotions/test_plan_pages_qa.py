"""A KA manager's findings on the plan pages (QA as managers on the demo): a new plan's form sent again after Back is
recognised, never a second draft; a step clicked twice is answered as the first click; the form says why a chain
offers no product; a running plan's two costs are named apart; the history names a step that keeps the state; the
list's Excel has the page's total row."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal as D

import openpyxl
import pytest
from django.utils import translation

from promotions.models import Budget, PromotionPlan, PromotionTransition
from promotions.services import (
    promotion_approve,
    promotion_reject,
    promotion_reopen,
    promotion_save_draft,
    promotion_submit,
)
from tests.factories import KeyAccountFactory, StoreFactory
from tests.promoters.factories_appraisal import promoter, shift

from .conftest import TODAY, plan_input
from .factories import PromotionItemFactory, PromotionPlanFactory
from .test_views import form_data

pytestmark = pytest.mark.django_db
Status = PromotionPlan.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
KEY = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"


def said(response) -> list[str]:
    """The messages the page shown after the post says (the redirect followed)."""
    return [str(message) for message in response.context["messages"]]


# --- 1. a new plan's form sent again -------------------------------------------------------------------------------


def test_a_new_plans_form_sent_again_as_it_was_goes_to_the_plan_it_saved(client, world):
    # given: the rep saved a new plan from the form
    client.force_login(world.rep)
    first = client.post("/promotions/new/", form_data(world, form_token=KEY), follow=True, **EN)
    plan = PromotionPlan.objects.get()
    # when: the same form is sent again (Back, then Save, the values and key the page kept)
    again = client.post("/promotions/new/", form_data(world, form_token=KEY), follow=True, **EN)
    # then: answered as the first send: the same plan, "Draft saved.", no second draft
    assert PromotionPlan.objects.count() == 1
    assert first.redirect_chain[-1][0] == again.redirect_chain[-1][0] == f"/promotions/{plan.pk}/"
    assert said(again) == ["Draft saved."]


def test_a_new_plans_form_sent_again_changed_saves_nothing_and_shows_the_way_to_the_plan_it_saved(client, world):
    # given: a plan saved from the form with its key
    client.force_login(world.rep)
    client.post("/promotions/new/", form_data(world, form_token=KEY))
    plan = PromotionPlan.objects.get()
    # when: the form comes back (Back) and is sent again with another forecast volume
    changed = form_data(world, form_token=KEY, **{"items-0-forecast_volume": "2000"})
    response = client.post("/promotions/new/", changed, **EN)
    html = response.content.decode()
    # then: nothing saved, the plan unchanged, the form keeps what was typed and says which plan it saved, with a link
    assert response.status_code == 200 and PromotionPlan.objects.count() == 1
    assert plan.items.get().forecast_volume == 1000
    notice = html[html.index('data-testid="saved-before"') :].split("</div>")[0]
    assert f"This form already saved plan no. {plan.pk} “夏季啤酒店促”" in notice and "nothing was saved" in notice
    assert f'href="/promotions/{plan.pk}/"' in notice
    assert 'name="items-0-forecast_volume" value="2000"' in html
    # and the page's new key makes saving it again another plan, as the notice says
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    assert token != KEY.replace("-", "")
    client.post("/promotions/new/", {**changed, "form_token": token})
    assert PromotionPlan.objects.count() == 2


def test_the_rules_check_of_a_sent_form_names_the_plan_it_saved(client, world):
    # given: a plan saved from the form with its key
    client.force_login(world.rep)
    client.post("/promotions/new/", form_data(world, form_token=KEY))
    plan = PromotionPlan.objects.get()
    # when: the page shown again (Back) asks the rules check with that key, and a fresh form with its own
    back = client.post("/promotions/check/", form_data(world, form_token=KEY), **EN).content.decode()
    fresh = client.post("/promotions/check/", form_data(world, form_token="another"), **EN).content.decode()
    # then: the first says, above the form (out of band), that it saved the plan and links to it; the other nothing
    assert '<div id="saved-before" hx-swap-oob="true">' in back
    assert f"This form was already saved as plan no. {plan.pk}" in back and f'href="/promotions/{plan.pk}/"' in back
    assert "saved-before" not in fresh


# --- 2. a step clicked twice ---------------------------------------------------------------------------------------


def _draft(world):
    return promotion_save_draft(user=world.rep, data=plan_input(world))


def test_a_double_click_on_submit_is_answered_as_the_first_click(client, world):
    # given: the rep's draft, its page drawn for their supervisor with a key in the submit form
    plan = _draft(world)
    client.force_login(world.supervisor)
    page = client.get(f"/promotions/{plan.pk}/").content.decode()
    submit_form = page[page.index(f'action="/promotions/{plan.pk}/submit/"') :].split("</form>")[0]
    key = re.search(r'name="request_key" value="([^"]+)"', submit_form).group(1)
    # when: the button is clicked twice (two posts with the form's key)
    first = client.post(f"/promotions/{plan.pk}/submit/", {"request_key": key}, follow=True, **EN)
    second = client.post(f"/promotions/{plan.pk}/submit/", {"request_key": key}, follow=True, **EN)
    # then: the second is answered as the first, not with "that step is not possible now"; submitted once
    assert said(first) == said(second) == ["Plan submitted."]
    assert plan.transitions.filter(to_status=Status.SUBMITTED).count() == 1


def test_every_step_form_on_the_plan_page_and_in_the_queue_carries_its_own_key(client, world):
    plan = promotion_submit(plan=_draft(world), by=world.supervisor)
    client.force_login(world.manager)
    page = client.get(f"/promotions/{plan.pk}/").content.decode()
    queue = client.get("/promotions/queue/").content.decode()
    # the account's manager may also take the plan back to draft (SPEC §1: a step of who submits)
    for html, steps in ((page, ("approve", "reject", "withdraw")), (queue, ("approve", "reject"))):
        for step in steps:
            form = html[html.index(f'action="/promotions/{plan.pk}/{step}/"') :].split("</form>")[0]
            assert 'name="request_key"' in form, step
    keys = re.findall(r'name="request_key" value="([^"]+)"', page + queue)
    assert len(keys) == len(set(keys)) == 5  # one per form drawn


@pytest.mark.parametrize("step", ["approve", "reject"])
def test_a_double_click_on_approve_or_reject_is_answered_as_the_first_click(client, world, step):
    plan = promotion_submit(plan=_draft(world), by=world.supervisor)
    client.force_login(world.manager)
    body = {"request_key": KEY, "reason": "档期冲突", "next": "/promotions/queue/"}

    first = client.post(f"/promotions/{plan.pk}/{step}/", body, follow=True, **EN)
    second = client.post(f"/promotions/{plan.pk}/{step}/", body, follow=True, **EN)

    assert said(second) == said(first) and not any("not possible" in text for text in said(second))
    assert first.redirect_chain == second.redirect_chain == [("/promotions/queue/", 302)]
    plan.refresh_from_db()
    assert plan.status == (Status.APPROVED if step == "approve" else Status.REJECTED)
    assert plan.transitions.filter(from_status=Status.SUBMITTED).count() == 1
    assert Budget.objects.get().consumed == (plan.total_cost if step == "approve" else 0)  # drawn once


def test_a_double_click_on_reopen_goes_to_the_same_new_draft(client, world):
    plan = promotion_reject(
        plan=promotion_submit(plan=_draft(world), by=world.supervisor), by=world.manager, reason="价格"
    )
    client.force_login(world.rep)

    first = client.post(f"/promotions/{plan.pk}/reopen/", {"request_key": KEY}, follow=True, **EN)
    second = client.post(f"/promotions/{plan.pk}/reopen/", {"request_key": KEY}, follow=True, **EN)

    draft = PromotionPlan.objects.get(reopened_from=plan)
    assert first.redirect_chain == second.redirect_chain == [(f"/promotions/{draft.pk}/", 302)]
    assert said(second) == ["Reopened as a new draft; the rejected plan stays on record."]


def test_a_refused_step_keeps_nothing_under_its_key(client, world):
    # given: a submitted plan whose account has no budget left for it
    plan = promotion_submit(plan=_draft(world), by=world.supervisor)
    Budget.objects.update(amount=D("100.00"))
    client.force_login(world.manager)
    refused = client.post(f"/promotions/{plan.pk}/approve/", {"request_key": KEY}, follow=True, **EN)
    assert "Budget check" in " ".join(said(refused))
    # when: the budget is raised and the same form sent again
    Budget.objects.update(amount=D("10000.00"))
    again = client.post(f"/promotions/{plan.pk}/approve/", {"request_key": KEY}, follow=True, **EN)
    # then: it approves, the refusal not replayed
    plan.refresh_from_db()
    assert plan.status == Status.APPROVED and said(again)[0].startswith("Approved.")


def test_a_double_click_on_a_new_budget_saves_one_budget(client, world):
    client.force_login(world.manager)
    body = {"account": world.account.code, "period_start": "2026-09-01", "period_end": "2026-09-30",
            "amount": "5000", "request_key": KEY}  # fmt: skip

    first = client.post("/promotions/budgets/", body, follow=True, **EN)
    second = client.post("/promotions/budgets/", body, follow=True, **EN)
    assert said(first) == said(second) == ["Budget saved."]
    assert Budget.objects.filter(account=world.account, period_start=date(2026, 9, 1)).count() == 1


# --- 4. a chain that offers no product -----------------------------------------------------------------------------


def _items_slot(html: str) -> str:
    return html.split('id="rules-items"')[1].split("</div>\n")[0]


def test_a_chain_without_stores_says_why_no_product_can_be_chosen(client, world):
    new_chain = KeyAccountFactory(code="NEW", name="新开连锁", owner=world.manager)
    client.force_login(world.manager)
    html = client.post("/promotions/check/", form_data(world, account=new_chain.code), **EN).content.decode()
    assert "has no active stores yet, so no product can be chosen: add its stores and their listings first." in (
        _items_slot(html)
    )


def test_a_chain_whose_stores_list_nothing_says_why_no_product_can_be_chosen(client, world):
    new_chain = KeyAccountFactory(code="NEW", name="新开连锁", owner=world.manager)
    StoreFactory(account=new_chain, name="新开连锁一店")
    client.force_login(world.manager)
    html = client.post("/promotions/check/", form_data(world, account=new_chain.code), **EN).content.decode()
    assert "stores has an active listing yet, so no product can be chosen: add listings" in _items_slot(html)
    # and a chain that lists products says nothing of the kind
    listed = client.post("/promotions/check/", form_data(world), **EN).content.decode()
    assert "no product can be chosen" not in listed


# --- 5. a running plan's costs, named apart ------------------------------------------------------------------------


def test_a_running_plans_cost_to_date_and_whole_plan_cost_are_named_apart(client, world):
    # given: a running plan of 14 days (25 May – 7 June), day 8 today, DM fee 700.00, with promoters' shifts
    plan = PromotionPlanFactory(
        account=world.account, type=world.in_store, start_on=date(2026, 5, 25), end_on=date(2026, 6, 7),
        status=Status.RUNNING, all_stores=True, owner=world.manager, dm_fee=D("700.00"), promoter_fee=D("200.00"),
        total_cost=D("900.00"),
    )  # fmt: skip
    PromotionItemFactory(plan=plan, product=world.beer)
    worker = promoter(supervisor=world.supervisor, stores=[world.store], daily_fee="150.00",
                      started_on=date(2026, 5, 1))  # fmt: skip
    shift(worker, world.store, date(2026, 5, 26), plan=plan, check_in="09:00", check_out="17:00")
    client.force_login(world.manager)
    # when: the manager opens it
    html = client.get(f"/promotions/{plan.pk}/", **EN).content.decode()
    # then: the evaluation's cost is the cost to date (700.00 × 8/14 + the shifts' pay 150.00 = 550.00), the costs
    # card's the whole plan's (700.00 + 150.00), each under its own name
    label = re.search(r'data-testid="evaluation-total-label">([^<]*)<', html).group(1)
    assert (label, re.search(r'data-testid="evaluation-total">([^<]*)<', html).group(1)) == (
        "Cost to date (shifts)",
        "550.00",
    )
    assert re.search(r'data-testid="plan-total-label">([^<]*)<', html).group(1) == "Total cost, whole plan (shifts)"
    assert re.search(r'data-testid="plan-total">([^<]*)<', html).group(1) == "850.00"
    assert "For the whole plan; the evaluation's cost to date counts only its days so far." in html
    assert "Total cost (actual, shifts)" not in html


def test_a_running_plan_without_shifts_names_its_cost_to_date(client, world):
    plan = PromotionPlanFactory(
        account=world.account, type=world.in_store, start_on=date(2026, 5, 25), end_on=date(2026, 6, 7),
        status=Status.RUNNING, all_stores=True, owner=world.manager, dm_fee=D("700.00"), total_cost=D("700.00"),
    )  # fmt: skip
    PromotionItemFactory(plan=plan, product=world.beer)
    client.force_login(world.manager)
    html = client.get(f"/promotions/{plan.pk}/", **EN).content.decode()
    assert re.search(r'data-testid="evaluation-total-label">([^<]*)<', html).group(1) == "Cost to date"
    assert re.search(r'data-testid="evaluation-total">([^<]*)<', html).group(1) == "400.00"  # 700.00 × 8/14
    assert "Total cost (actual)" not in html


# --- 6. the history of a step that keeps the state -----------------------------------------------------------------


def _history(client, user, plan, language) -> list[str]:
    client.force_login(user)
    html = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    lines = re.findall(r'data-testid="transition">\s*<div>(.*?)</div>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", line).split()) for line in lines]


def test_the_history_names_a_first_approval_and_a_reopening(client, world, settings):
    from dataclasses import replace

    # given: a plan above the threshold first approved, then rejected and reopened
    settings.KA = replace(settings.KA, promotion_second_approval_above=D("500.00"))
    plan = promotion_approve(
        plan=promotion_submit(plan=_draft(world), by=world.supervisor), by=world.manager, note="同意"
    )
    promotion_reject(plan=plan, by=world.manager, reason="价格")
    promotion_reopen(plan=plan, by=world.rep)
    # when: its history is read
    history = _history(client, world.manager, plan, "en")
    # then: each step says what happened; none reads as a move to the same state
    assert history == ["Draft", "Draft → Submitted", "First approval · Submitted", "Submitted → Rejected",
                       "Reopened · Rejected"]  # fmt: skip
    assert not any(line in ("Submitted → Submitted", "Rejected → Rejected") for line in history)
    assert _history(client, world.manager, plan, "zh-hans")[1] == "草稿 → 已提交"


def test_a_transition_reads_in_the_readers_language(world):
    plan = promotion_submit(plan=_draft(world), by=world.supervisor)
    submitted = PromotionTransition.objects.get(plan=plan, to_status=Status.SUBMITTED)
    with translation.override("en"):
        assert str(submitted) == "夏季啤酒店促: Draft → Submitted"
    with translation.override("zh-hans"):
        assert str(submitted) == "夏季啤酒店促: 草稿 → 已提交"


# --- 7. the list's Excel total row ---------------------------------------------------------------------------------


def test_the_plan_list_export_ends_with_the_pages_total_row(client, world):
    # given: three plans of the manager's account, one at another's
    for cost in ("1200.50", "33.33", "0.17"):
        PromotionPlanFactory(account=world.account, type=world.in_store, owner=world.manager, total_cost=D(cost),
                             start_on=TODAY + timedelta(days=7), end_on=TODAY + timedelta(days=10))  # fmt: skip
    client.force_login(world.manager)
    page = client.get("/promotions/", **EN).content.decode()
    # when: the list is exported
    response = client.get("/promotions/?export=xlsx", **EN)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows, total = list(sheet.iter_rows(values_only=True))
    # then: under the plans, the page's total row: "Total (plans: 3)" and their planned cost, 1,234.00
    cost = header.index("Total cost (planned)")
    assert len(rows) == 3 and total[0] == "Total (plans: 3)" and total[cost] == 1234.00
    assert sum(D(str(row[cost])) for row in rows) == D("1234.00")
    footer = page[page.index('data-testid="cost-total"') :].split("</tr>")[0]
    assert "Total (plans: 3)" in footer and "1,234.00" in footer
    assert sheet.cell(row=len(rows) + 2, column=1).font.b  # bold, as a total row


def test_a_double_click_on_save_and_submit_of_a_draft_is_answered_as_the_first_click(client, world):
    # given: the rep's draft, changed on its form by their supervisor and sent with "Save and submit"
    plan = _draft(world)
    client.force_login(world.supervisor)
    body = {**form_data(world, form_token=KEY, price="4.40"), "plan_id": plan.pk, "submit": "1"}
    # when: the button is clicked twice
    first = client.post(f"/promotions/{plan.pk}/edit/", body, follow=True, **EN)
    second = client.post(f"/promotions/{plan.pk}/edit/", body, follow=True, **EN)
    # then: both land on the submitted plan saying so, not "Only a draft can be changed"
    assert said(first) == said(second) == ["Plan submitted for approval."]
    assert first.redirect_chain == second.redirect_chain == [(f"/promotions/{plan.pk}/", 302)]
    assert plan.transitions.filter(to_status=Status.SUBMITTED).count() == 1


@pytest.mark.parametrize(("step", "body"), [("approve", {}), ("reject", {"reason": "档期冲突"})])
def test_an_api_step_sent_twice_with_its_key_is_answered_as_the_first(api_client, world, step, body):
    plan = promotion_submit(plan=_draft(world), by=world.supervisor)
    api_client.force_authenticate(world.manager)
    key = {"Idempotency-Key": KEY}

    first = api_client.post(f"/api/v1/promotions/{plan.pk}/{step}/", body, format="json", headers=key)
    again = api_client.post(f"/api/v1/promotions/{plan.pk}/{step}/", body, format="json", headers=key)

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    assert plan.transitions.filter(from_status=Status.SUBMITTED).count() == 1
