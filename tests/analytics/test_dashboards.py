"""Each role's home is a dashboard (issue 15 item 3): every figure counts what its link's list shows, within the
user's scope, in a fixed number of queries whatever the size of the data.

The worked examples are set on Wednesday 25 November 2026 (Asia/Shanghai): the week began on Monday the 23rd."""

import html
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from analytics import dashboards
from contracts.models import Contract, Deduction, Payment
from ka_portal.errors import DomainError
from promotions.models import PromotionPlan
from promotions.selectors import approval_queue_for
from tests.contracts.factories import ContractFactory, InvoiceFactory
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.promotions.factories import BudgetFactory, PromotionPlanFactory
from tests.visits.factories import (
    RoutePlanFactory,
    RouteStopFactory,
    StockCountFactory,
    SuggestedOrderFactory,
    TaskFactory,
    VisitFactory,
)
from tradespend.disputes import dispute_write_off_approve
from tradespend.models import ClosedMonth, Dispute, Remittance
from visits.models import RoutePlan, SuggestedOrder, Task, Visit

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = date(2026, 11, 25)
MONDAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def listed(client, url: str) -> int:
    """How many rows the list page behind a figure shows (every page of it)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


# --- the sales rep -----------------------------------------------------------------------------------------------


def rep_world():
    rep = make_user(Role.REP, username="rep_dash")
    other = make_user(Role.REP, username="rep_other")
    account = KeyAccountFactory(name="沃尔玛")
    stores = {name: StoreFactory(rep=rep, account=account, name=name) for name in ("A店", "B店", "C店", "D店")}
    theirs = StoreFactory(rep=other, account=account, name="别人的店")
    return rep, other, stores, theirs


def test_rep_sees_todays_stops_and_this_weeks_visits_done_against_planned(client):
    rep, _other, stores, _theirs = rep_world()
    plan = RoutePlanFactory(rep=rep, week_start=MONDAY)
    # Monday: A and B planned, A visited. Wednesday (today): C and D planned, C visited. Thursday: not due yet.
    RouteStopFactory(plan=plan, day=0, store=stores["A店"])
    RouteStopFactory(plan=plan, day=0, store=stores["B店"])
    RouteStopFactory(plan=plan, day=2, store=stores["C店"])
    RouteStopFactory(plan=plan, day=2, store=stores["D店"])
    RouteStopFactory(plan=plan, day=3, store=stores["A店"])
    VisitFactory(rep=rep, store=stores["A店"], checked_in_at=at(MONDAY), checked_out_at=at(MONDAY, 11))
    VisitFactory(
        rep=rep,
        store=stores["C店"],
        checked_in_at=at(WEDNESDAY, 9),
        checked_out_at=at(WEDNESDAY, 9) + timedelta(minutes=30),
    )

    board = dashboards.rep_dashboard(rep, today=WEDNESDAY)

    assert (board.stops_done, board.stops_total) == (1, 2)  # today: C done of C and D
    assert (board.week_done, board.week_planned) == (2, 4)  # Monday and Wednesday's stops, Thursday not due
    assert board.week_percent == 50
    client.force_login(rep)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 of 2 stops visited" in page
    assert "2 of 4 planned visits done so far" in page
    assert 'aria-valuenow="50"' in page
    assert "chart.umd" not in page  # the rep's home loads no chart library: CSS bars


def test_rep_open_and_overdue_tasks_are_the_task_list_filtered_alike(client):
    rep, _other, stores, theirs = rep_world()
    TaskFactory(store=stores["A店"], title="逾期", due_on=WEDNESDAY - timedelta(days=1))
    TaskFactory(store=stores["B店"], title="今天到期", due_on=WEDNESDAY)
    TaskFactory(store=stores["C店"], title="下周", due_on=WEDNESDAY + timedelta(days=7))
    TaskFactory(
        store=stores["D店"],
        title="已完成",
        due_on=WEDNESDAY - timedelta(days=3),
        status=Task.Status.DONE,
        done_at=at(MONDAY),
    )
    TaskFactory(store=theirs, title="别人的", due_on=WEDNESDAY - timedelta(days=3))

    board = dashboards.rep_dashboard(rep, today=WEDNESDAY)

    assert board.open_tasks.count == 3
    assert board.overdue_tasks.count == 1  # due today is not overdue
    assert [task.title for task in board.tasks_soonest] == ["逾期", "今天到期", "下周"]
    client.force_login(rep)
    assert listed(client, board.open_tasks.url) == 3
    assert listed(client, board.overdue_tasks.url) == 1


@pytest.mark.parametrize(("days_ago", "stale"), [(14, False), (15, True)])
def test_a_stock_count_is_recent_for_the_setting_s_days(client, days_ago, stale):
    rep, _other, stores, _theirs = rep_world()
    ListingFactory(store=stores["A店"])
    visit = VisitFactory(rep=rep, store=stores["A店"], checked_in_at=at(WEDNESDAY - timedelta(days=days_ago), 8))
    StockCountFactory(visit=visit)

    board = dashboards.rep_dashboard(rep, today=WEDNESDAY)

    assert board.stale_days == 14
    assert [store.name for store in board.stale_list] == (["A店"] if stale else [])


def test_rep_stores_without_a_recent_stock_count_are_the_store_list_filtered_alike(client):
    rep, other, stores, theirs = rep_world()
    for store in (*stores.values(), theirs):
        ListingFactory(store=store)
    recent = VisitFactory(rep=rep, store=stores["A店"], checked_in_at=at(WEDNESDAY - timedelta(days=3)))
    StockCountFactory(visit=recent)
    old = VisitFactory(rep=rep, store=stores["B店"], checked_in_at=at(WEDNESDAY - timedelta(days=20)))
    StockCountFactory(visit=old)
    stores["D店"].active = False  # closed: nothing to count there
    stores["D店"].save()
    # B counted 20 days ago and C never: two stale; A is recent, D inactive, the other rep's store is not mine.

    board = dashboards.rep_dashboard(rep, today=WEDNESDAY)

    assert board.stale_stores.count == 2
    assert [(s.name, s.last_counted_at is None) for s in board.stale_list] == [("B店", False), ("C店", True)]
    client.force_login(rep)
    assert listed(client, board.stale_stores.url) == 2


def test_rep_negative_sales_are_the_latest_suggested_orders_flagged(client):
    rep, _other, stores, theirs = rep_world()
    negative = SuggestedOrder.Flag.NEGATIVE_SALES
    SuggestedOrderFactory(store=stores["A店"], date=WEDNESDAY, flag=negative, suggested_cases=0, suggested_packs=0)
    SuggestedOrderFactory(store=stores["B店"], date=WEDNESDAY)
    older = SuggestedOrderFactory(store=stores["C店"], date=WEDNESDAY - timedelta(days=1), flag=negative)
    SuggestedOrderFactory(store=stores["C店"], product=older.product, date=WEDNESDAY)  # no longer negative
    SuggestedOrderFactory(store=theirs, date=WEDNESDAY, flag=negative)

    board = dashboards.rep_dashboard(rep, today=WEDNESDAY)

    assert board.negative_sales.count == 1
    assert board.negative_date == WEDNESDAY
    assert [order.store.name for order in board.negative_list] == ["A店"]
    client.force_login(rep)
    assert listed(client, board.negative_sales.url) == 1


def test_rep_promotions_running_are_those_at_their_stores(client):
    rep, other, stores, theirs = rep_world()
    elsewhere = StoreFactory(rep=other, name="别的连锁的店")
    running = PromotionPlan.Status.RUNNING
    PromotionPlanFactory(
        account=stores["A店"].account, title="沃尔玛DM", status=running, start_on=WEDNESDAY, end_on=WEDNESDAY
    )
    PromotionPlanFactory(account=elsewhere.account, title="别处的DM", status=running, owner=other)
    PromotionPlanFactory(account=stores["A店"].account, title="已批准", status=PromotionPlan.Status.APPROVED)

    board = dashboards.rep_dashboard(rep, today=WEDNESDAY)

    assert [plan.title for plan in board.promotion_list] == ["沃尔玛DM"]
    client.force_login(rep)
    assert listed(client, board.promotions.url) == board.promotions.count == 1


def test_rep_with_nothing_sees_the_empty_states_in_english(client):
    rep = make_user(Role.REP, username="rep_new")
    client.force_login(rep)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No stops planned today." in page
    assert "No visits planned so far this week." in page
    assert "No open tasks" in page
    assert "Nothing to flag at your stores." in page


def test_rep_home_lists_ten_stores_and_links_to_all_of_them(client):
    rep = make_user(Role.REP, username="rep_many")
    for number in range(12):
        StoreFactory(rep=rep, name=f"店{number:02d}")
    StoreFactory(rep=rep, name="关店", active=False)
    StoreFactory(rep=make_user(Role.REP, username="rep_else"), name="别人的店")
    client.force_login(rep)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = response.content.decode()
    board = response.context["d"]
    assert len(board.stores) == 10 and board.store_count == 12
    assert sum(store.name in page for store in board.stores) == 10
    assert "我的全部 12 家门店" in page
    assert listed(client, board.stores_url) == 12  # the link's list: every active store of the rep, no other


def test_rep_home_with_few_stores_has_no_link_to_more(client):
    rep = make_user(Role.REP, username="rep_few")
    StoreFactory(rep=rep, name="唯一的店")
    client.force_login(rep)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "唯一的店" in page
    assert 'data-testid="all-my-stores"' not in page


# --- the KA supervisor -------------------------------------------------------------------------------------------


def team_world():
    supervisor = make_user(Role.SUPERVISOR, username="sup_dash")
    reps = [make_user(Role.REP, username=f"rep_team{i}", supervisor=supervisor) for i in (1, 2)]
    stranger = make_user(Role.REP, username="rep_stranger", supervisor=make_user(Role.SUPERVISOR, username="sup_x"))
    return supervisor, reps, stranger


def test_supervisor_compliance_by_rep_this_week(client):
    supervisor, (first, second), stranger = team_world()
    store1, store2 = StoreFactory(rep=first), StoreFactory(rep=second)
    plan = RoutePlanFactory(rep=first, week_start=MONDAY)
    RouteStopFactory(plan=plan, day=0, store=store1)
    RouteStopFactory(plan=plan, day=1, store=store1)
    VisitFactory(rep=first, store=store1, checked_in_at=at(MONDAY), checked_out_at=at(MONDAY, 11))
    plan2 = RoutePlanFactory(rep=second, week_start=MONDAY)
    RouteStopFactory(plan=plan2, day=2, store=store2)

    board = dashboards.supervisor_dashboard(supervisor, today=WEDNESDAY)

    rows = {row.rep.username: (row.planned, row.done) for row in board.compliance}
    assert rows == {"rep_team1": (2, 1), "rep_team2": (1, 0)}
    assert (board.done_total, board.planned_total) == (1, 3)
    chart = board.compliance_chart
    assert chart.kind == "horizontal"
    assert [row["values"] for row in chart.rows] == [["2", "1"], ["1", "0"]]


def checked_out(rep, rating, day: date):
    """A visit of the rep on the day, checked out an hour later and rated (a visit is rated at its check-out)."""
    return VisitFactory(rep=rep, rating=rating, checked_in_at=at(day), checked_out_at=at(day, 11))


def test_supervisor_reviews_the_teams_checked_out_visits_of_the_last_seven_days(client):
    supervisor, (first, second), stranger = team_world()
    checked_out(first, Visit.Rating.RED, WEDNESDAY)
    checked_out(second, Visit.Rating.RED, WEDNESDAY - timedelta(days=6))  # 7th day back
    checked_out(second, Visit.Rating.RED, WEDNESDAY - timedelta(days=7))  # too old
    checked_out(first, Visit.Rating.YELLOW, MONDAY)
    checked_out(first, Visit.Rating.GREEN, MONDAY)
    VisitFactory(rep=first, checked_in_at=at(WEDNESDAY, 9))  # still open: not reported yet
    checked_out(stranger, Visit.Rating.RED, WEDNESDAY)  # another team

    board = dashboards.supervisor_dashboard(supervisor, today=WEDNESDAY)

    assert (board.red_visits.count, board.yellow_visits.count, board.to_review.count) == (2, 1, 4)
    assert [visit.rating for visit in board.review_list] == ["red", "red", "yellow", "green"]
    client.force_login(supervisor)
    assert listed(client, board.red_visits.url) == 2
    assert listed(client, board.yellow_visits.url) == 1
    assert listed(client, board.to_review.url) == 4


def test_supervisor_overdue_tasks_are_the_teams(client):
    supervisor, (first, _second), stranger = team_world()
    TaskFactory(store=StoreFactory(rep=first), due_on=WEDNESDAY - timedelta(days=2))
    TaskFactory(store=StoreFactory(rep=first), due_on=WEDNESDAY)
    TaskFactory(store=StoreFactory(rep=stranger), due_on=WEDNESDAY - timedelta(days=2))

    board = dashboards.supervisor_dashboard(supervisor, today=WEDNESDAY)

    assert board.overdue_tasks.count == 1
    client.force_login(supervisor)
    assert listed(client, board.overdue_tasks.url) == 1


def test_supervisor_sees_each_rep_without_a_published_plan_for_next_week(client):
    supervisor, (first, second), stranger = team_world()
    next_monday = MONDAY + timedelta(days=7)
    RoutePlanFactory(rep=first, week_start=next_monday, status=RoutePlan.Status.PUBLISHED)
    draft = RoutePlanFactory(rep=second, week_start=next_monday, status=RoutePlan.Status.DRAFT)
    third = make_user(Role.REP, username="rep_team3", supervisor=supervisor)

    board = dashboards.supervisor_dashboard(supervisor, today=WEDNESDAY)

    assert board.next_week == next_monday
    assert [(row.rep.username, row.plan) for row in board.unpublished] == [("rep_team2", draft), (third.username, None)]
    client.force_login(supervisor)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/visits/routes/{draft.pk}/" in page and "rep_stranger" not in page
    # the card's 2 leads to the two reps it counts, named below (one has no plan, so the list of plans would show 1)
    card = page.split('data-testid="fig-unpublished"')[0].rsplit("<a ", 1)[1]
    assert 'href="#next-week-routes"' in card and 'data-testid="fig-unpublished-count">2<' in page
    section = page.split('id="next-week-routes"')[1]
    assert section.count('class="list-group-item') == 2 and 'data-testid="week-route-plans"' in section


# --- the KA manager ----------------------------------------------------------------------------------------------


def manager_world():
    manager = make_user(Role.MANAGER, username="mgr_dash")
    rival = make_user(Role.MANAGER, username="mgr_rival")
    mine = KeyAccountFactory(owner=manager, name="大润发", name_en="RT-Mart", code="RTM")
    theirs = KeyAccountFactory(owner=rival, name="欧尚", name_en="Auchan", code="AUC")
    return manager, rival, mine, theirs


def test_manager_sees_plans_to_approve_with_their_accounts_budget_left(client):
    manager, rival, mine, theirs = manager_world()
    BudgetFactory(
        account=mine,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 12, 31),
        amount=Decimal("30000"),
        consumed=Decimal("12000"),
    )
    PromotionPlanFactory(
        account=mine, status=PromotionPlan.Status.SUBMITTED, title="大润发DM", start_on=date(2026, 12, 3)
    )
    PromotionPlanFactory(account=mine, status=PromotionPlan.Status.DRAFT)
    PromotionPlanFactory(account=theirs, status=PromotionPlan.Status.SUBMITTED)

    board = dashboards.manager_dashboard(manager, today=WEDNESDAY)

    assert board.approvals.count == 1
    assert board.approval_list[0].queue_budget.remaining == Decimal("18000.00")
    client.force_login(manager)
    queue = client.get(board.approvals.url)
    assert [plan.title for plan in queue.context["plans"]] == ["大润发DM"]
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "budget left 18,000.00" in page
    assert f'data-testid="plan-cost">planned cost {board.approval_list[0].total_cost:,.2f}<' in page  # says what it is


def test_manager_achievement_by_account_this_month_and_year_to_date(client):
    from accounts.models import SalesTarget

    manager, rival, mine, theirs = manager_world()
    SalesTarget.objects.create(account=mine, year=2026, month=1, amount=Decimal("10000"))
    SalesTarget.objects.create(account=mine, year=2026, month=11, amount=Decimal("4000"))
    InvoiceFactory(account=mine, date=date(2026, 1, 10), amount=Decimal("6000"))
    InvoiceFactory(account=mine, date=date(2026, 11, 2), amount=Decimal("5000"))
    InvoiceFactory(account=theirs, date=date(2026, 11, 2), amount=Decimal("9000"))

    board = dashboards.manager_dashboard(manager, today=WEDNESDAY)

    # This month: 5,000 of 4,000 = 125 %; year to date: 11,000 of 14,000 = 78.6 %.
    chart = board.achievement_chart
    assert chart.labels == ["大润发"]
    assert chart.rows[0]["values"] == ["125.0 %", "78.6 %"]


def test_manager_plans_to_approve_are_those_the_manager_may_still_decide(client, settings):
    # Given two submitted plans above the second-approval threshold, one the manager has already approved first
    settings.KA = replace(settings.KA, promotion_second_approval_above=Decimal("1000.00"))
    manager, rival, mine, theirs = manager_world()
    BudgetFactory(account=mine, period_start=date(2026, 11, 1), period_end=date(2026, 12, 31), amount=Decimal("9000"))
    Status = PromotionPlan.Status
    waiting = {"account": mine, "status": Status.SUBMITTED, "start_on": date(2026, 12, 3), "total_cost": 3000}
    PromotionPlanFactory(title="等经理审批", **waiting)
    PromotionPlanFactory(title="等管理员复审", first_approved_by=manager, **waiting)

    board = dashboards.manager_dashboard(manager, today=WEDNESDAY)

    # Then the home counts and lists only the one waiting for them, as the queue behind the figure does
    assert board.approvals.count == 1 and [plan.title for plan in board.approval_list] == ["等经理审批"]
    client.force_login(manager)
    assert [plan.title for plan in client.get(board.approvals.url).context["plans"]] == ["等经理审批"]
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "等经理审批" in page and "等管理员复审" not in page
    # and the admin who gives the second approval still finds it in theirs
    assert "等管理员复审" in [plan.title for plan in approval_queue_for(make_user(Role.ADMIN, username="adm_dash"))]


def test_manager_achievement_totals_are_the_performance_pages_totals(client):
    from accounts.models import SalesTarget

    # Given an account closed this autumn that sold in and had a target this year, beside an open one
    manager, rival, mine, theirs = manager_world()
    closed = KeyAccountFactory(owner=manager, name="好又多", name_en="Trust-Mart", code="TRUST", active=False)
    for account, target, sold in ((mine, "10000", "6000"), (closed, "10000", "9000")):
        SalesTarget.objects.create(account=account, year=2026, month=3, amount=Decimal(target))
        InvoiceFactory(account=account, date=date(2026, 3, 10), amount=Decimal(sold))
    SalesTarget.objects.create(account=mine, year=2026, month=11, amount=Decimal("4000"))
    InvoiceFactory(account=mine, date=date(2026, 11, 2), amount=Decimal("1000"))

    board = dashboards.manager_dashboard(manager, today=WEDNESDAY)

    # Then "All accounts" reads what the performance page behind each figure totals: 16,000 of 24,000 this year
    client.force_login(manager)
    for total, url in ((board.year_total, board.performance_url), (board.month_total, board.month_url)):
        listed_total = client.get(url).context["total"]
        assert (total.target, total.actual) == (listed_total.target, listed_total.actual)
    assert (board.year_total.actual, board.year_total.target) == (Decimal("16000"), Decimal("24000"))
    # November: the closed account has no target, so the month is compared over the account that has one
    assert board.month_total.compared.achievement == Decimal("0.25")
    # and each of the two figures links to its own period, under the performance page's own names for it
    totals = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode().split('data-testid="achievement-totals">')[1]
    month_link = "/accounts/performance/?month_from=2026-11&amp;month_to=2026-11"
    year_link = "/accounts/performance/?month_from=2026-01&amp;month_to=2026-11"
    assert f'<a href="{month_link}">25.0 % this month</a>' in totals
    assert f'<a href="{year_link}">66.7 % year to date</a>' in totals
    assert "start=" not in totals and "end=" not in totals
    # followed, the page shows that period: in its month boxes and in the sentence under them
    for link, first in ((month_link, "2026-11"), (year_link, "2026-01")):
        page = client.get(html.unescape(link), HTTP_ACCEPT_LANGUAGE="en")
        shown = page.content.decode()
        assert f'name="month_from" value="{first}"' in shown and 'name="month_to" value="2026-11"' in shown
        assert f"{first} to 2026-11, in CNY." in shown


def test_manager_sees_a_month_without_a_target_said_so(client):
    from accounts.models import SalesTarget

    manager, rival, mine, theirs = manager_world()
    SalesTarget.objects.create(account=mine, year=2026, month=1, amount=Decimal("10000"))
    InvoiceFactory(account=mine, date=date(2026, 1, 10), amount=Decimal("5000"))
    client.force_login(manager)
    totals = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode().split('data-testid="achievement-totals">')[1]
    assert ">no target this month</a>" in totals and ">50.0 % year to date</a>" in totals and "—" not in totals


def test_manager_whose_accounts_have_no_target_nor_plan_sees_what_to_do(client):
    # Given a manager's account with sell-in this year but no target, no plan, no contract, no deduction
    manager, rival, mine, theirs = manager_world()
    InvoiceFactory(account=mine, date=date(2026, 3, 10), amount=Decimal("5000"))
    client.force_login(manager)

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # Then the achievement card says why there is nothing to draw and where targets are set, not "—" and an empty
    # chart; the account is there with its sell-in
    card = page.split('data-testid="no-targets"')[1].split("</ul>")[0]
    assert "No sales target is set at your accounts for 2026 so far" in card
    assert "RT-Mart" in card and "sell-in 5,000.00" in card
    assert f'href="/accounts/{mine.pk}/targets/?year=2026">Set targets</a>' in card
    assert 'data-testid="chart-account-achievement"' not in page and "—" not in card
    # and every figure reads 0 and still leads to its list
    for testid in ("fig-approvals", "fig-expiring", "fig-write-offs", "fig-unsupported"):
        figure = page.split(f'data-testid="{testid}"')[0].rsplit("<a ", 1)[1]
        assert 'href="/' in figure
        assert f'data-testid="{testid}-count">0<' in page


@pytest.mark.parametrize(("due", "more"), [(20, False), (21, True)])
def test_manager_is_told_when_more_follow_ups_are_due_than_listed(client, due, more):
    from tests.factories import ContactLogFactory

    # Given twenty or twenty-one follow-ups due at the manager's account
    manager, rival, mine, theirs = manager_world()
    for n in range(due):
        ContactLogFactory(account=mine, follow_up_on=WEDNESDAY + timedelta(days=n % 7), next_step=f"跟进{n}")
    client.force_login(manager)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Then twenty are listed, and the home says when more wait behind them (it used to drop them without a word)
    listed = page.split('data-testid="follow-ups"')[1].split("</ul>")[0]
    assert listed.count("<li ") == 20
    assert ('data-testid="more-follow-ups"' in page) is more
    if more:
        assert "The first 20 are shown and more are due" in page


def test_manager_contracts_ending_within_sixty_days_are_the_ledger_filtered_alike(client):
    manager, rival, mine, theirs = manager_world()
    ContractFactory(account=mine, valid_to=WEDNESDAY + timedelta(days=10))
    ContractFactory(account=mine, valid_to=WEDNESDAY + timedelta(days=60))  # the 60th day is within
    ContractFactory(account=mine, valid_to=WEDNESDAY + timedelta(days=61))
    ContractFactory(account=mine, valid_to=WEDNESDAY - timedelta(days=1))  # ended yesterday: expired today
    ContractFactory(account=mine, valid_to=WEDNESDAY + timedelta(days=5), status=Contract.Status.DRAFT)
    ContractFactory(account=theirs, valid_to=WEDNESDAY + timedelta(days=10))

    board = dashboards.manager_dashboard(manager, today=WEDNESDAY)

    assert board.expiring.count == 2
    client.force_login(manager)
    assert listed(client, board.expiring.url) == 2


def test_manager_unsupported_deductions_are_their_chains(client):
    manager, rival, mine, theirs = manager_world()
    invoice = InvoiceFactory(account=mine)
    deduction = {"invoice": invoice, "date": date(2026, 10, 5), "kind": Deduction.Kind.LISTING, "reason": "进场费"}
    Deduction.objects.create(account=mine, amount=Decimal("600.00"), **deduction)
    Deduction.objects.create(account=mine, amount=Decimal("400.00"), **deduction)
    Deduction.objects.create(account=mine, amount=Decimal("900.00"), state=Deduction.State.MATCHED, **deduction)
    Deduction.objects.create(
        account=theirs, amount=Decimal("700.00"), **{**deduction, "invoice": InvoiceFactory(account=theirs)}
    )

    board = dashboards.manager_dashboard(manager, today=WEDNESDAY)

    assert (board.unsupported.count, board.unsupported.amount) == (2, Decimal("1000.00"))
    client.force_login(manager)
    assert listed(client, board.unsupported.url) == 2


def _may_approve(dispute: Dispute, user) -> bool:
    """Whether the approval service takes this write-off from the user (tried, then undone)."""
    try:
        with transaction.atomic():
            dispute_write_off_approve(dispute=Dispute.objects.get(pk=dispute.pk), by=user)
            transaction.set_rollback(True)
    except DomainError:
        return False
    return True


def test_write_offs_to_approve_are_those_the_user_may_approve(client):
    # Given a write-off waiting on the manager's chain and one on a rival's
    manager, rival, mine, theirs = manager_world()
    finance = make_user(Role.FINANCE, username="fin_write_offs")
    admin = make_user(Role.ADMIN, username="adm_write_offs")
    waiting = [
        Dispute.objects.create(
            deduction=Deduction.objects.create(
                account=account,
                invoice=InvoiceFactory(account=account),
                date=date(2026, 10, 5),
                kind=Deduction.Kind.DM,
                amount=Decimal(amount),
                reason="DM",
            ),
            reason="无依据",
            due_on=date(2026, 12, 20),
            status=Dispute.Status.WRITE_OFF_REQUESTED,
            write_off_requested_by=finance,
        )
        for account, amount in ((mine, "6800.00"), (theirs, "5200.00"))
    ]

    # When each counts the write-offs waiting for them
    figures = {user: dashboards._write_offs_to_approve(user) for user in (manager, rival, admin, finance)}

    # Then each counts those the approval takes from them: a manager their chain's, an administrator every one
    for user, expected in ((manager, 1), (rival, 1), (admin, 2), (finance, 0)):
        assert figures[user].count == sum(_may_approve(dispute, user) for dispute in waiting) == expected, user
    assert figures[admin].amount == Decimal("12000.00") and figures[manager].amount == Decimal("6800.00")
    client.force_login(admin)
    assert listed(client, figures[admin].url) == 2


def test_manager_home_shows_only_their_chains(client):
    manager, rival, mine, theirs = manager_world()
    client.force_login(manager)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "RT-Mart" in page and "Auchan" not in page
    assert page.count("chart.umd") == 1


# --- finance and the administrator -------------------------------------------------------------------------------


def test_finance_overdue_buckets_equal_the_aging_report_and_its_invoices(client):
    from contracts.selectors import aging_report

    finance = make_user(Role.FINANCE, username="fin_dash")
    account = KeyAccountFactory()
    for days_past_due, amount in ((-5, "500"), (10, "1000"), (45, "2000"), (100, "3000")):
        due = WEDNESDAY - timedelta(days=days_past_due)
        InvoiceFactory(account=account, date=due - timedelta(days=60), due_on=due, amount=Decimal(amount))

    board = dashboards.finance_dashboard(finance, today=WEDNESDAY)

    chart = board.aging_chart
    assert [row["values"][0] for row in chart.rows] == ["1,000.00", "2,000.00", "0.00", "3,000.00"]
    assert board.overdue_total == Decimal("6000.00")  # the 500 not due yet is not overdue
    report = aging_report(finance, as_of=WEDNESDAY)
    assert [amount for _v, _l, amount, _u in board.overdue_buckets] == [
        report.total.buckets[b] for b in ("1_30", "31_60", "61_90", "over_90")
    ]
    client.force_login(finance)
    for _value, _label, amount, url in board.overdue_buckets:
        assert client.get(url).context["total"] == amount


def test_finance_open_disputes_remittances_to_reconcile_and_months_to_close(client):
    finance = make_user(Role.FINANCE, username="fin_dash")
    account = KeyAccountFactory()
    august, september = (
        InvoiceFactory(account=account, date=date(2026, 8, 3)),
        InvoiceFactory(account=account, date=date(2026, 9, 3)),
    )
    ClosedMonth.objects.create(month=date(2026, 8, 1))
    common = {
        "invoice": september,
        "account": account,
        "date": date(2026, 9, 20),
        "kind": Deduction.Kind.DM,
        "reason": "DM",
    }
    disputed = Deduction.objects.create(amount=Decimal("300"), **common)
    settled = Deduction.objects.create(amount=Decimal("200"), state=Deduction.State.MATCHED, **common)
    Dispute.objects.create(deduction=disputed, reason="无依据", due_on=date(2026, 12, 20))
    Dispute.objects.create(
        deduction=Deduction.objects.create(amount=Decimal("100"), **common),
        reason="已收回",
        due_on=date(2026, 12, 20),
        status=Dispute.Status.RECOVERED,
    )
    paid = {"account": account, "date": date(2026, 10, 8)}
    full = Payment.objects.create(amount=Decimal("1000"), allocated_amount=Decimal("1000"), **paid)
    partial = Payment.objects.create(amount=Decimal("1000"), allocated_amount=Decimal("800"), **paid)
    explained = Payment.objects.create(amount=Decimal("500"), allocated_amount=Decimal("500"), **paid)
    Remittance.objects.create(reference="R1", cash=Decimal("1000"), payment=full, **paid)
    Remittance.objects.create(reference="R2", cash=Decimal("1000"), payment=partial, **paid)  # 200 unallocated
    with_unsupported = Remittance.objects.create(reference="R3", cash=Decimal("500"), payment=explained, **paid)
    with_unsupported.deductions.set([disputed, settled])  # one deduction still unsupported

    board = dashboards.finance_dashboard(finance, today=WEDNESDAY)

    assert board.open_disputes.count == 1
    assert board.to_reconcile.count == 2
    # August is closed; September (invoice, deductions) and October (nothing but payments) … only months with records.
    assert board.months_to_close == [date(2026, 9, 1)]
    client.force_login(finance)
    assert listed(client, board.open_disputes.url) == 1
    assert listed(client, board.to_reconcile.url) == 2
    assert [row["month"] for row in client.get(board.months_url).context["rows"]] == board.months_to_close
    assert august.account == account


def test_admin_sees_the_finance_dashboard_and_the_counts(client):
    admin = make_user(Role.ADMIN, username="admin_dash")
    StoreFactory()
    StoreFactory(active=False)

    board = dashboards.admin_dashboard(admin, today=WEDNESDAY)

    assert board.stores.count == 1
    client.force_login(admin)
    assert listed(client, board.stores.url) == 1
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="chart-table-overdue-aging"' in page
    assert "逾期应收" in page


# --- a fixed number of queries ------------------------------------------------------------------------------------


def world(size: int, tag: str):
    """One team, one manager's chains and finance, whose every list on the dashboards holds ``size`` rows per kind."""
    supervisor = make_user(Role.SUPERVISOR, username=f"sup_{tag}")
    manager = make_user(Role.MANAGER, username=f"mgr_{tag}")
    finance = make_user(Role.FINANCE, username=f"fin_{tag}")
    rep = make_user(Role.REP, username=f"rep_{tag}", supervisor=supervisor)
    plan = RoutePlanFactory(rep=rep, week_start=MONDAY)
    for n in range(size):
        make_user(Role.REP, username=f"rep_{tag}_{n}", supervisor=supervisor)
        account = KeyAccountFactory(owner=manager)
        store = StoreFactory(rep=rep, account=account)
        ListingFactory(store=store, product=ProductFactory())
        TaskFactory(store=store, due_on=WEDNESDAY - timedelta(days=1))
        RouteStopFactory(plan=plan, day=2, store=store)
        VisitFactory(rep=rep, store=store, rating=Visit.Rating.RED, checked_in_at=at(WEDNESDAY, 8))
        SuggestedOrderFactory(store=store, date=WEDNESDAY, flag=SuggestedOrder.Flag.NEGATIVE_SALES)
        PromotionPlanFactory(account=account, status=PromotionPlan.Status.RUNNING, start_on=MONDAY, end_on=WEDNESDAY)
        PromotionPlanFactory(account=account, status=PromotionPlan.Status.SUBMITTED)
        BudgetFactory(account=account)
        ContractFactory(account=account, valid_to=WEDNESDAY + timedelta(days=20))
        invoice = InvoiceFactory(account=account, date=date(2026, 8, 1), due_on=date(2026, 9, 1))
        Deduction.objects.create(
            account=account, invoice=invoice, date=date(2026, 9, 5), kind=Deduction.Kind.DM, amount=10, reason="DM"
        )
    return {
        "rep": rep,
        "supervisor": supervisor,
        "manager": manager,
        "finance": finance,
        "admin": make_user(Role.ADMIN, username=f"adm_{tag}"),
    }


@pytest.mark.parametrize("role", ["rep", "supervisor", "manager", "finance", "admin"])
def test_a_dashboard_runs_the_same_number_of_queries_whatever_the_size(client, role):
    counts = []
    for size, tag in ((1, "small"), (4, "large")):  # finance and the administrator see both worlds the second time
        client.force_login(world(size, tag)[role])
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
