"""Promotion pages: the draft form with live rule messages, detail, queue, calendar, scope."""

import html
import io
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest

from accounts.roles import Role
from ka_portal.scope import promotion_plans_for
from ka_portal.templatetags.ka import money as money_text
from promotions.models import PromotionPlan
from promotions.services import ItemInput, promotion_save_draft, promotion_submit
from stores.models import Listing
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

from .conftest import TODAY, plan_input

pytestmark = pytest.mark.django_db


def form_data(world, *, start=TODAY + timedelta(days=7), days=14, price="4.50", **extra):
    data = {
        "title": "夏季啤酒店促",
        "account": world.account.code,
        "type": world.in_store.pk,
        "start_on": start.isoformat(),
        "end_on": (start + timedelta(days=days - 1)).isoformat(),
        "stores": [world.store.code],
        "dm_fee": "500",
        "tg_fee": "0",
        "promoter_fee": "0",
        "gift_cost": "0",
        "items-TOTAL_FORMS": "4",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "4",
        "items-0-product": world.beer.code,
        "items-0-promotion_price": price,
        "items-0-forecast_volume": "1000",
        "form_token": "t-1",
    }
    return {**data, **extra}


def test_the_check_puts_each_broken_rule_next_to_what_broke_it(client, world):
    client.force_login(world.rep)
    # a 10 % in-store promotion for 29 days, and the beer priced below its floors (highest: wholesale 4.10)
    html = client.post("/promotions/check/", form_data(world, days=29, price="3.90")).content.decode()
    dates_slot = html.split('id="rules-dates"')[1].split("</div>\n")[0]
    item_slot = html.split('id="rules-item-0"')[1].split("</div>\n")[0]
    assert "29" in dates_slot and "14" in dates_slot  # rule 2 beside the dates
    assert "3.90" in item_slot and "4.10" in item_slot  # rule 3 (the wholesale layer) beside the product
    assert 'id="rules-item-1" hx-swap-oob="true" class="rule-slot"></div>' in html  # other rows cleared


def test_the_check_shows_the_cost_and_says_all_is_well(client, world):
    client.force_login(world.rep)
    html = client.post("/promotions/check/", form_data(world)).content.decode()
    assert 'data-testid="rules-ok"' in html
    assert "520.00" in html  # 500 DM fee + (5.00 − 4.50) × 1000 × 4 %


def test_saving_and_submitting_from_the_form(client, world):
    client.force_login(world.supervisor)
    response = client.post("/promotions/new/", {**form_data(world), "submit": "1"})
    plan = PromotionPlan.objects.get()
    assert response.url == f"/promotions/{plan.pk}/"
    assert plan.status == PromotionPlan.Status.SUBMITTED and plan.total_cost == Decimal("520.00")


def test_a_double_tap_does_not_create_a_second_plan(client, world):
    client.force_login(world.rep)
    client.post("/promotions/new/", form_data(world))
    second = client.post("/promotions/new/", form_data(world))
    assert PromotionPlan.objects.count() == 1
    assert second.url == f"/promotions/{PromotionPlan.objects.get().pk}/"


def test_a_refused_submission_keeps_the_draft_and_says_why(client, world):
    client.force_login(world.supervisor)
    response = client.post("/promotions/new/", {**form_data(world, days=29), "submit": "1"}, follow=True)
    plan = PromotionPlan.objects.get()
    assert plan.status == PromotionPlan.Status.DRAFT
    assert "29" in response.content.decode() and response.request["PATH_INFO"] == f"/promotions/{plan.pk}/edit/"


def test_a_form_error_keeps_what_was_typed(client, world):
    client.force_login(world.rep)
    html = client.post("/promotions/new/", form_data(world, title="")).content.decode()
    assert PromotionPlan.objects.count() == 0
    assert 'value="4.50"' in html


def test_another_reps_plan_is_not_found(client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    stranger = make_user(Role.REP, username="rep_far")
    client.force_login(stranger)
    assert client.get(f"/promotions/{plan.pk}/").status_code == 404
    assert client.post(f"/promotions/{plan.pk}/submit/").status_code == 404
    assert client.get(f"/promotions/accounts/{world.account.pk}/calendar/").status_code == 404


def test_the_manager_approves_from_the_queue_and_sees_the_budget_left(client, world):
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)
    client.force_login(world.manager)
    queue = client.get("/promotions/queue/").content.decode()
    left = queue.split('data-testid="budget-left">')[1].split("<")[0]
    assert plan.title in queue and left == "10,000.00"
    # the budget's period says its year (next year's first quarter is listed beside this one's)
    assert queue.split('data-testid="budget-period">')[1].split("<")[0] == "2026-06-01 – 2026-08-31"
    page = client.post(f"/promotions/{plan.pk}/approve/", {"next": "/promotions/queue/"}, follow=True)
    html = page.content.decode()
    assert html.split('data-testid="budget-left">')[1].split("<")[0] == "9,480.00"
    # the message names the chain once, by its name ("KA001 连锁1" read as the chain said twice)
    assert f"已批准。{world.account.name}预算还剩 9,480.00。" in html
    assert 'data-testid="queue-plan"' not in html
    assert PromotionPlan.objects.get(pk=plan.pk).status == PromotionPlan.Status.APPROVED


def test_on_the_plan_page_the_note_goes_with_the_approval_and_the_reason_with_the_rejection(client, world):
    # Given a submitted plan the manager opens
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)
    client.force_login(world.manager)
    html = client.get(f"/promotions/{plan.pk}/").content.decode()
    # Then the approval has its own note box and the rejection its reason, each above its button
    approve = html.split('data-testid="approve-form"')[1].split("</form>")[0]
    reject = html.split('data-testid="reject-form"')[1].split("</form>")[0]
    assert 'name="note"' in approve and "审批意见（选填）" in approve and 'name="reason"' not in approve
    assert 'name="reason"' in reject and "驳回原因" in reject
    # When they approve with a note, the plan's history keeps it
    client.post(f"/promotions/{plan.pk}/approve/", {"note": "DM档期已确认"})
    assert plan.transitions.order_by("pk").last().note == "DM档期已确认"


def test_finance_reads_but_has_no_buttons(client, world, finance):
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)
    client.force_login(finance)
    html = client.get(f"/promotions/{plan.pk}/").content.decode()
    assert plan.title in html and "/approve/" not in html
    # the products read as cards on a phone (.ka-stack), their English headers capitalised like other headers
    en = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    products = en.split('data-testid="plan-products"')[1].split("</table>")[0]
    assert 'class="table mb-0 align-middle ka-stack"' in en and 'data-label="Normal shelf price"' in products
    assert ">Normal shelf price<" in products and ">normal shelf price<" not in en
    assert client.post(f"/promotions/{plan.pk}/approve/").status_code == 403
    assert client.get("/promotions/queue/").status_code == 403
    # its captions read as labels, in sentence case: the owner, the displays bought, the stores, the budget left
    assert "Owner: " in en and ">owner<" not in en
    reach = en.split('data-testid="plan-reach"')[1].split("</dl>")[0]
    assert ">Displays</dt>" in reach and ">Stores</dt>" in reach and ">沃尔玛五角场店</dd>" in reach
    assert "Budget 2026-06-01 – 2026-08-31: <strong>10,000.00</strong> left of 10,000.00" in en
    zh = html.split('data-testid="plan-reach"')[1].split("</dl>")[0]
    assert "负责人：" in html and ">陈列</dt>" in zh and ">门店</dt>" in zh
    assert "预算 2026-06-01 – 2026-08-31：余额 <strong>10,000.00</strong> / 10,000.00" in html
    assert "/promotions/new/" not in client.get("/promotions/").content.decode()


def test_the_calendar_shows_plans_and_their_cooldown(client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    client.force_login(world.manager)
    html = client.get(f"/promotions/accounts/{world.account.pk}/calendar/").content.decode()
    assert plan.title in html and "cal-cool" in html
    assert (plan.end_on + timedelta(days=30)).isoformat() in html


def test_the_list_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(5):
        promotion_save_draft(user=world.rep, data=plan_input(world, title=f"店促{n}"))
    client.force_login(world.manager)
    # 12, and the permission set's revision read (ka_portal/auth_backends.py: a set read beside the test's own
    # uncommitted writes is read afresh, never kept)
    with django_assert_max_num_queries(15):  # and the filtered plans' count and cost, and the drafts to submit
        html = client.get("/promotions/").content.decode()
    assert html.count("店促") >= 5
    # the dates say their year and the cost column has the filtered plans' total
    plan = PromotionPlan.objects.filter(title="店促0").get()
    assert plan.start_on.isoformat() in html
    total = sum(promotion_plans_for(world.manager).values_list("total_cost", flat=True))
    assert money_text(total) in html.split('data-testid="cost-total"')[1]


def test_the_manager_sets_a_budget_on_the_page_and_a_wrong_one_keeps_the_input(client, world):
    client.force_login(world.manager)
    period = {"account": world.account.code, "period_start": "2026-09-01", "period_end": "2026-09-30"}
    response = client.post("/promotions/budgets/", {**period, "amount": "3000"})
    assert response.status_code == 302
    html = client.get("/promotions/budgets/").content.decode()
    assert "3,000.00" in html and "10,000.00" in html
    english = client.get("/promotions/budgets/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<th>Key account</th><th>Period</th>" in english and ">Budget left</th>" in english  # capitalised headers
    overlap = client.post("/promotions/budgets/", {**period, "amount": "123.45"}).content.decode()
    assert "2026-09-01–2026-09-30" in overlap and 'value="123.45"' in overlap


def test_a_rep_has_no_budget_page(client, world):
    client.force_login(world.rep)
    assert client.get("/promotions/budgets/").status_code == 403
    assert "/promotions/budgets/" not in client.get("/promotions/").content.decode()


def test_finance_sees_budgets_without_a_form(client, world, finance):
    client.force_login(finance)
    html = client.get("/promotions/budgets/").content.decode()
    assert "10,000.00" in html and '<form method="post" class="card' not in html


def _rules(html: str) -> list[str]:
    return re.findall(r'<li class="[^"]*" data-rule="[^"]*">([^<]*)</li>', html)


def test_each_queue_card_warns_as_its_plans_page_does_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    # Given five submitted plans of two products cut alike (rule 5 warns), the last on all the account's stores
    alike = [ItemInput(world.beer, Decimal("4.50"), 100), ItemInput(world.chips, Decimal("5.67"), 100)]
    plans = []
    for n in range(5):
        data = plan_input(world, title=f"排队{n}", start=TODAY + timedelta(days=1 + 50 * n), items=alike,
                          all_stores=n == 4, stores=[] if n == 4 else [world.store])  # fmt: skip
        plans.append(promotion_submit(plan=promotion_save_draft(user=world.rep, data=data), by=world.supervisor))
    # and since then the store buys the beer at more than its promotion price (rule 3, the price floor)
    Listing.objects.filter(store=world.store, product=world.beer).update(purchase_price=Decimal("4.60"))
    client.force_login(world.manager)
    # When the manager opens the queue
    with django_assert_max_num_queries(14):  # the rules read their facts for all the plans at once: 5 queries
        html = client.get("/promotions/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Then each card lists the rules its plan's own page lists, in the same words
    cards = html.split('data-testid="queue-plan"')[1:]
    assert len(cards) == 5
    for plan, card in zip(plans, cards, strict=True):
        page = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert _rules(card) == _rules(page.split('data-testid="violations"')[1]) != []
    assert _rules(cards[0]) == [
        "Rule 3: P001 纯生啤酒 at 4.50 is below the store purchase price 4.60.",
        "Rule 5 (warning): every product is cut by the same 10 %; consider varying the cuts.",
    ]


def test_the_plans_export_writes_the_owner_as_the_page_does(client, world):
    # given a plan drafted by 陈静 (family name 陈, given name 静)
    world.rep.first_name, world.rep.last_name = "静", "陈"
    world.rep.save(update_fields=["first_name", "last_name"])
    promotion_save_draft(user=world.rep, data=plan_input(world))
    client.force_login(world.manager)
    # when the manager exports the plans list
    response = client.get("/promotions/?export=xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = [list(r) for r in sheet.iter_rows(max_row=2, values_only=True)]
    # then the owner column reads 陈静, family name first, not "静 陈"
    assert row[header.index("负责人")] == "陈静"


def _negatives(world, **extra):
    """The tester's plan: row 1 fine, row 2 priced -5, the DM fee -100."""
    return form_data(
        world,
        dm_fee="-100",
        **{"items-1-product": world.chips.code, "items-1-promotion_price": "-5", "items-1-forecast_volume": "300"},
        **extra,
    )


def test_the_check_names_the_fields_and_rows_a_save_would_refuse(client, world):
    client.force_login(world.rep)
    # given a plan whose second product is priced -5 and whose DM fee is -100
    html = client.post("/promotions/check/", _negatives(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then the panel does not say all is well, and says what is wrong beside the row and the fee
    assert 'data-testid="rules-ok"' not in html
    item_slot = html.split('id="rules-item-1"')[1].split("</div></div>")[0]
    costs_slot = html.split('id="rules-costs"')[1].split("</div></div>")[0]
    assert "Product 2, Promotion price: Ensure this value is greater than or equal to 0.01." in item_slot
    assert "DM fee: Ensure this value is greater than or equal to 0." in costs_slot


def test_the_check_of_a_form_not_filled_in_yet_names_nothing(client, world):
    # A new plan's panel checks as the user types: fields not filled in yet are the save's to name, so the form does
    # not open in red; what is typed wrong is named at once.
    client.force_login(world.rep)
    blank = {"items-TOTAL_FORMS": "4", "items-INITIAL_FORMS": "0", "dm_fee": "0", "tg_fee": "0"}

    html = client.post("/promotions/check/", blank, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    typed = client.post("/promotions/check/", {**blank, "dm_fee": "-100"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "This field is required." not in html and 'data-testid="rule-summary-list"' not in html
    assert "DM fee: Ensure this value is greater than or equal to 0." in typed
    assert "This field is required." not in typed


def test_a_refused_save_and_its_check_agree(client, world):
    client.force_login(world.rep)
    # when the plan with negatives is saved, it is refused with the fields' errors
    page = client.post("/promotions/new/", _negatives(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert not PromotionPlan.objects.exists() and "greater than or equal to 0.01" in page
    # and the panel the re-rendered page loads with the same form says no tick either
    html = client.post("/promotions/check/", _negatives(world)).content.decode()
    assert 'data-testid="rules-ok"' not in html and 'data-testid="rule-summary-list"' in html


def test_the_check_says_a_start_passed_as_submitting_would(client, world):
    client.force_login(world.rep)
    html = client.post(
        "/promotions/check/", form_data(world, start=TODAY - timedelta(days=3)), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'data-testid="rules-ok"' not in html
    dates_slot = html.split('id="rules-dates"')[1].split("</div></div>")[0]
    assert "The start date 2026-05-29 has passed: move the dates before submitting." in dates_slot


def test_the_check_says_the_budget_is_short_to_whoever_sees_budgets(client, world):
    # given a budget of 10,000.00 with 8,641.04 left and a plan of 12,020.00 (12,000 DM fee + 20.00 support)
    world.budget.consumed = Decimal("1358.96")
    world.budget.save(update_fields=["consumed"])
    sent = form_data(world, dm_fee="12000")
    # when the account's manager checks it, the panel says the approval's refusal, with money as pages write it
    client.force_login(world.manager)
    html = client.post("/promotions/check/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="rules-ok"' not in html
    assert (
        "Budget check: the plan costs 12,020.00 but only 8,641.04 of the budget 2026-06-01–2026-08-31 is left."
        in html.split('id="rules-costs"')[1]
    )
    # and a rep, who sees no budgets, is told the rules only
    client.force_login(world.rep)
    html = client.post("/promotions/check/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Budget check" not in html and 'data-testid="rules-ok"' in html


def test_the_plan_page_warns_of_a_budget_too_small(client, world):
    world.budget.consumed = Decimal("9800.00")
    world.budget.save(update_fields=["consumed"])
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))  # 520.00 against 200.00 left
    client.force_login(world.manager)
    page = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shortfall = page.split('data-testid="budget-shortfall">')[1].split("</p>")[0]
    assert (
        shortfall == "Budget check: the plan costs 520.00 but only 200.00 of the budget 2026-06-01–2026-08-31 is left."
    )


def test_one_save_shows_reversed_dates_with_the_other_errors(client, world):
    client.force_login(world.rep)
    start = TODAY + timedelta(days=20)
    sent = _negatives(world, start=start, end_on=(start - timedelta(days=13)).isoformat())
    page = client.post("/promotions/new/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # each beside what broke it, in the rules' slots the page comes drawn with
    assert "The end date 2026-06-08 is before the start date 2026-06-21." in _slot(page, "dates")
    assert "Ensure this value is greater than or equal to 0.01." in _slot(page, "item-1")  # row 2's price
    assert "DM fee: Ensure this value is greater than or equal to 0." in _slot(page, "costs")
    assert not PromotionPlan.objects.exists()


def test_an_evaluated_plan_tells_planned_from_actual_total_cost(client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    PromotionPlan.objects.filter(pk=plan.pk).update(status=PromotionPlan.Status.EVALUATED)
    client.force_login(world.manager)
    page = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert re.search(r">总费用（计划）</dt><dd[^>]*>520.00<", page)
    evaluation = page.split('data-testid="evaluation"')[1]
    assert re.search(r">总费用（实际）</div><div[^>]*>", evaluation)
    assert ">总费用</" not in page  # no bare "total cost" left to guess at


def _second_chain(world):
    other = KeyAccountFactory(code="CRF", name="家乐福", owner=world.manager)
    store = StoreFactory(account=other, rep=world.rep, name="家乐福古北店")
    unlisted_at_wmt = ProductFactory(code="P900", name="家乐福专供饼干")
    ListingFactory(store=store, product=unlisted_at_wmt)
    return store, unlisted_at_wmt


def test_once_the_account_is_known_the_form_offers_its_stores_and_products_only(client, world):
    other_store, other_product = _second_chain(world)
    client.force_login(world.rep)
    # a new form, no account chosen: no store yet (a KA manager's accounts have thousands), every product saying
    # which chains list it (for the page's script)
    page = client.get("/promotions/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert other_store.name not in page and world.store.name not in page
    assert "Choose the key account: its stores are listed here." in page
    assert re.search(rf'<option value="{other_product.code}" data-accounts="CRF">', page)
    # a form sent back for WMT (a refused save): WMT's store and the products listed at WMT only
    page = client.post("/promotions/new/", form_data(world, title="")).content.decode()
    assert world.store.name in page and other_store.name not in page
    assert f'value="{world.beer.code}"' in page and f'value="{other_product.code}"' not in page
    # the rules check, as the page asks it when the account is chosen, sends that account's stores along, out of
    # band, the ticked ones kept; asked again for the same account, it does not
    sent = {**form_data(world), "stores_for": ""}
    answer = client.post("/promotions/check/", sent).content.decode()
    choices = answer.split('id="store-choices" hx-swap-oob="true">')[1]
    assert world.store.name in choices and other_store.name not in choices
    assert re.search(rf'value="{world.store.code}"[^>]*checked', choices)
    assert 'name="stores_for" value="WMT"' in choices
    answer = client.post("/promotions/check/", {**sent, "stores_for": "WMT"}).content.decode()
    assert "store-choices" not in answer


def test_a_store_or_product_of_another_chain_is_refused_beside_its_field(client, world):
    other_store, other_product = _second_chain(world)
    client.force_login(world.rep)
    sent = form_data(world, stores=[world.store.code, other_store.code], **{"items-1-product": other_product.code})
    page = client.post("/promotions/new/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert not PromotionPlan.objects.exists()
    # the store's chain named, as the API and the service say it (promotions.rules.store_of_another_account)
    chains = f"{other_store.account.name_en}, not to {world.account.name_en}"
    said = f"{other_store.name} ({other_store.code}) belongs to {chains}."
    assert said in html.unescape(page)
    assert "Select a valid choice. That choice is not one of the available choices." in page  # row 2's product


def test_the_plan_page_says_its_forecast_volume_is_in_cases_and_packs(client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))  # 1,000 packs of beer
    client.force_login(world.manager)
    page = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<th class="text-end">预估销量（箱/包）</th>' in page


def _above_the_panel(html: str) -> str:
    """The form's fields and the slots beside them: the page down to the rules panel's list."""
    return html.split('data-testid="rule-summary"')[0]


def _slot(html: str, name: str) -> str:
    return html.split(f'id="rules-{name}">')[1].split("</div></div>")[0]


def test_a_save_refused_for_reversed_dates_says_it_once_beside_the_dates(client, world):
    # Given a plan ending before it starts
    client.force_login(world.rep)
    sent = form_data(world, end_on=(TODAY + timedelta(days=3)).isoformat())
    # When it is saved
    html = client.post("/promotions/new/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Then it is refused, and the rule is said once beside the dates: in the rules' slot, not again under the field
    assert not PromotionPlan.objects.exists()
    message = "The end date 2026-06-04 is before the start date 2026-06-08."
    assert _above_the_panel(html).count(message) == 1 and message in _slot(html, "dates")
    assert 'class="invalid-feedback' not in _above_the_panel(html)
    # and the panel comes drawn with the page, as its check draws it (no tick), so it is not asked again on load
    assert 'data-testid="rule-summary-list"' in html and 'data-testid="rules-ok"' not in html
    assert 'hx-trigger="change from:#plan-form' in html


def test_a_save_refused_by_a_rule_says_it_once_beside_the_product(client, world):
    # Given the beer's promotional supply price above its normal purchase price (4.00): the draft's rule 3 refusal
    client.force_login(world.rep)
    sent = form_data(world, **{"items-0-promo_supply_price": "4.20"})
    # When it is saved
    html = client.post("/promotions/new/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Then the rule is said once, beside the product's row: no alert over the form repeating it
    assert not PromotionPlan.objects.exists()
    message = "the promotional supply price 4.20 of P001 纯生啤酒 must be below its normal store purchase price 4.00"
    assert _above_the_panel(html).count(message) == 1 and message in _slot(html, "item-0")
    assert 'class="alert alert-danger"' not in html


def test_a_save_refused_for_a_negative_fee_says_it_once_beside_the_costs(client, world):
    client.force_login(world.rep)
    html = client.post("/promotions/new/", _negatives(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    above = _above_the_panel(html)
    # the fee's and the second row's errors, each once, in the slots beside them
    assert above.count("greater than or equal to 0.01.") == 1 and "0.01." in _slot(html, "item-1")
    assert above.count("greater than or equal to 0.<") == 1
    assert _slot(html, "costs").endswith(">DM fee: Ensure this value is greater than or equal to 0.")
    assert 'class="invalid-feedback' not in above


def test_a_field_left_empty_and_a_refusal_the_panel_does_not_say_stay_under_the_form(client, world):
    # Given the same product twice (the plan's shape, said by the check as the save refuses it) and no plan name
    client.force_login(world.rep)
    twice = {"items-1-product": world.beer.code, "items-1-promotion_price": "4.60", "items-1-forecast_volume": "10"}
    html = client.post("/promotions/new/", form_data(world, **twice), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _above_the_panel(html).count("Each product may appear once.") == 1  # beside the products, once
    beside_the_products = html.split('id="rules-items" class="rule-slot">')[1].split("</div></div>")[0]
    assert "Each product may appear once." in beside_the_products
    empty = client.post("/promotions/new/", form_data(world, title=""), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _above_the_panel(empty).count("This field is required.") == 1  # under the name: the panel leaves it


def test_a_plan_saved_without_products_says_so_in_the_products_words(client, world):
    client.force_login(world.manager)
    sent = {**form_data(world), "items-0-product": "", "items-0-promotion_price": "", "items-0-forecast_volume": ""}
    page = client.post("/promotions/new/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert not PromotionPlan.objects.exists()
    assert page.count("Add at least one product with its promotion price.") == 1
    assert "submit at least" not in page  # Django's "Please submit at least 1 form."


def test_reversed_dates_do_not_leave_the_panel_asking_to_fill_in_what_is_filled(client, world):
    client.force_login(world.manager)
    start = TODAY + timedelta(days=20)
    sent = form_data(world, start=start, end_on=(start - timedelta(days=10)).isoformat())
    page = client.post("/promotions/new/", sent, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "is before the start date" in _slot(page, "dates")
    assert "rules are checked as you type" not in page
    blank = client.post("/promotions/check/", {"items-TOTAL_FORMS": "4", "items-INITIAL_FORMS": "0"}).content.decode()
    assert 'data-testid="rules-waiting"' in blank  # a form not filled in yet still says what the panel waits for
