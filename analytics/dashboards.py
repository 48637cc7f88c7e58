"""Each role's home page as a dashboard (issue 15 item 3): what needs the user now, one function per role.

Every figure is read through the list it summarises: the list page's own FilterSet over the list page's scoped
queryset, with the same parameters the figure's link carries, so following a figure shows exactly the rows it
counted. The rules behind the filters live with their apps (overdue tasks, a stale stock count, a contract coming
to its end, a remittance to reconcile, …); scope comes from ka_portal/scope.py. A fixed number of queries per
dashboard, whatever the size of the data. Charts are built from the figures when the page is drawn (labels in the
reader's language); the rep's home draws none (its page weight: CSS bars only).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from accounts.roles import Role
from ka_portal import scope
from ka_portal.charts import Chart, Series
from ka_portal.db_router import reads_from_replica
from ka_portal.formatting import account_name, display_name
from ka_portal.money import ZERO, money_sum

# How many rows of a list a dashboard shows under its figure.
FEW = 5
# How many follow-ups the manager's home lists (they have no list page of their own: each account's log has its).
FOLLOW_UPS = 20


# --- figures and the lists behind them -------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number on a home page and the list behind it: ``url`` opens the list with the filters that count it."""

    count: int
    url: str
    amount: Decimal | None = None  # the rows' money, where the list has an amount


class _Asker:
    """What a FilterSet needs of a request: the user whose scope its reference filters read."""

    def __init__(self, user):
        self.user = user


def _link(url_name: str, params: dict) -> str:
    return f"{reverse(url_name)}?{urlencode(params)}" if params else reverse(url_name)


def _listed(filterset_class, queryset: QuerySet, user, params: dict) -> QuerySet:
    """The rows a list page shows for ``params``: its FilterSet over its scoped queryset."""
    filterset = filterset_class(params, queryset=queryset, request=_Asker(user))
    if not filterset.is_valid():  # a dashboard names only filters its list has
        raise ValueError(f"{filterset_class.__name__}: {filterset.errors.as_json()}")
    return filterset.qs


def _percent(done: int, planned: int) -> int:
    """A whole percentage for a CSS bar (0–100)."""
    return min(100, round(100 * done / planned)) if planned else 0


# --- the sales rep -----------------------------------------------------------------------------------------------


@dataclass
class RepDashboard:
    today: date
    stops_done: int
    stops_total: int  # Today's rows: the route's stops and any visit off the route
    week_start: date
    week_planned: int  # the published route's stops due so far this week (visits.selectors.compliance)
    week_done: int
    week_url: str
    open_tasks: Figure
    overdue_tasks: Figure
    tasks_soonest: list
    stale_stores: Figure
    stale_list: list
    stale_days: int
    negative_sales: Figure
    negative_list: list
    negative_date: date | None
    promotions: Figure
    promotion_list: list
    stores: list
    store_count: int
    stores_url: str
    grade_counts: dict
    review_comments: list  # the reviews with a comment on the rep's visits of the last days (review_comments_for_rep)
    review_days: int
    commented_url: str  # the rep's visits with a review's comment (the visit list, each with its reviews' comments)

    @property
    def today_percent(self) -> int:
        return _percent(self.stops_done, self.stops_total)

    @property
    def week_percent(self) -> int:
        return _percent(self.week_done, self.week_planned)


def rep_dashboard(user, *, today: date) -> RepDashboard:
    """A rep's day and week, their open tasks and their stores' flags: no recent stock count, a suggested order
    that found negative sales, a promotion running there to check at the visit."""
    from promotions.filters import PlanFilter
    from promotions.models import PromotionPlan
    from promotions.selectors import plan_list_for
    from stores.filters import StoreFilter
    from visits import selectors as visits
    from visits.filters import SuggestedOrderFilter, TaskFilter
    from visits.models import SuggestedOrder, Task
    from visits.services import week_start_of

    rows = visits.rep_day(user, today)
    week = week_start_of(today)
    compliance = next(iter(visits.compliance(user, week, today=today)), None)

    tasks_base = scope.tasks_for(user).select_related("store")
    open_params = {"status": Task.Status.OPEN}
    open_tasks = _listed(TaskFilter, tasks_base, user, open_params)
    overdue_params = {"overdue": "true"}

    stores_base = scope.stores_for(user)
    stale_params = {"active": "true", "stock_count_stale": "true"}
    stale = _listed(StoreFilter, stores_base, user, stale_params)

    orders_base = scope.suggested_orders_for(user)
    latest = visits.suggestions_day(stores_base, today)
    negative_params = {"flag": SuggestedOrder.Flag.NEGATIVE_SALES}
    if latest is not None:
        negative_params["date"] = latest.isoformat()
    negative = _listed(SuggestedOrderFilter, orders_base, user, negative_params)

    running_params = {"status": PromotionPlan.Status.RUNNING}
    running = _listed(PlanFilter, plan_list_for(user), user, running_params)

    active_stores = stores_base.active()
    return RepDashboard(
        today=today,
        stops_done=sum(1 for row in rows if row.done),
        stops_total=len(rows),
        week_start=week,
        week_planned=compliance.planned if compliance else 0,
        week_done=compliance.done if compliance else 0,
        week_url=_link("visits:compliance", {"week": week.isoformat()}),
        open_tasks=Figure(open_tasks.count(), _link("visits:task-list", open_params)),
        overdue_tasks=Figure(
            _listed(TaskFilter, tasks_base, user, overdue_params).count(), _link("visits:task-list", overdue_params)
        ),
        tasks_soonest=list(open_tasks.order_by("due_on", "id")[:FEW]),
        stale_stores=Figure(stale.count(), _link("stores:store-list", stale_params)),
        stale_list=list(visits.with_last_stock_count(stale).order_by("code")[:FEW]),
        stale_days=settings.KA.stock_count_stale_days,
        negative_sales=Figure(negative.count(), _link("visits:suggested-order-list", negative_params)),
        negative_list=list(negative.select_related("store", "product").order_by("store__code", "product__code")[:FEW]),
        negative_date=latest,
        promotions=Figure(running.count(), _link("promotions:plan-list", running_params)),
        promotion_list=list(running.order_by("end_on", "id")[:FEW]),
        stores=list(active_stores.select_related("account").order_by("grade", "code")[:10]),
        store_count=active_stores.count(),
        stores_url=_link("stores:store-list", {"active": "true"}),
        grade_counts=dict(active_stores.values_list("grade").annotate(n=Count("id")).order_by()),
        review_comments=list(visits.review_comments_for_rep(user, today=today)[:FEW]),
        review_days=visits.REVIEW_DAYS,
        commented_url=_link("visits:visit-list", {"commented": "true"}),
    )


# --- the KA supervisor -------------------------------------------------------------------------------------------


@dataclass
class RepWeekPlan:
    """A rep of the team and their plan for next week, if any (a draft: not published yet)."""

    rep: object
    plan: object | None
    url: str
    # a KA manager's row: the rep's week is published without the manager's stores, so there is nothing for them to
    # generate until the supervisor takes it back to draft (route.published)
    published_without_yours: bool = False


@dataclass
class SupervisorDashboard:
    today: date
    week_start: date
    compliance: list  # visits.selectors.RepCompliance per rep
    compliance_url: str
    review_since: date
    red_visits: Figure  # red visits of the queue below (not reviewed by this supervisor yet)
    yellow_visits: Figure  # yellow ones
    # the team's checked-out visits of the last days this supervisor has not reviewed yet (another reviewer's review,
    # the account's KA manager's, leaves a visit in it: visits.selectors.review_queue)
    to_review: Figure
    review_list: list
    # the checked-out visits left out of the queue, older than its days, still without their review
    # (review_overdue_params)
    older_to_review: Figure
    overdue_tasks: Figure
    overdue_list: list
    next_week: date
    unpublished: list[RepWeekPlan]
    routes_url: str
    drafts_to_submit: Figure  # the promotion drafts of the team's reps (and their own) waiting for them to submit

    @property
    def planned_total(self) -> int:
        return sum(row.planned for row in self.compliance)

    @property
    def done_total(self) -> int:
        return sum(row.done for row in self.compliance)

    @property
    def compliance_chart(self) -> Chart:
        return Chart(
            name="team-compliance",
            title=str(_("Route compliance this week")),
            labels=[display_name(row.rep) for row in self.compliance],
            series=[
                Series(str(_("Planned")), [row.planned for row in self.compliance]),
                Series(str(_("Done")), [row.done for row in self.compliance]),
            ],
            kind="horizontal",
            unit="count",
            axis_label=str(_("Sales rep")),
            links=[self.compliance_url] * len(self.compliance),
        )


@reads_from_replica()
def supervisor_dashboard(user, *, today: date) -> SupervisorDashboard:
    """The team's route compliance this week, the visits of the last week to review (checked out, not reviewed by
    them yet: red, then yellow, then green), the team's overdue tasks, the reps without a published route plan for
    next week, and the promotion drafts to submit."""
    from visits import selectors as visits
    from visits.filters import TaskFilter, VisitFilter
    from visits.models import Visit
    from visits.services import week_start_of

    week = week_start_of(today)
    # the review queue (SPEC §1: a supervisor reviews visit reports), as the visit page's "Review next" takes it
    review_params = visits.review_queue_params(today)
    since = date.fromisoformat(review_params["since"])
    visits_base = scope.visits_for(user).select_related("store", "rep")
    red_params = {**review_params, "rating": Visit.Rating.RED}
    yellow_params = {**review_params, "rating": Visit.Rating.YELLOW}
    red = _listed(VisitFilter, visits_base, user, red_params)
    yellow = _listed(VisitFilter, visits_base, user, yellow_params)
    to_review = visits.review_queue(user, visits_base, today=today)
    older_params = visits.review_overdue_params(today)
    older = _listed(VisitFilter, visits_base, user, older_params)

    tasks_base = scope.tasks_for(user).select_related("store")
    overdue_params = {"overdue": "true"}
    overdue = _listed(TaskFilter, tasks_base, user, overdue_params)

    next_week = week + timedelta(days=7)
    unpublished = _unpublished_next_week(user, list(visits.reps_for(user)), next_week)
    return SupervisorDashboard(
        today=today,
        week_start=week,
        compliance=visits.compliance(user, week, today=today),
        compliance_url=_link("visits:compliance", {"week": week.isoformat()}),
        review_since=since,
        red_visits=Figure(red.count(), _link("visits:visit-list", red_params)),
        yellow_visits=Figure(yellow.count(), _link("visits:visit-list", yellow_params)),
        to_review=Figure(to_review.count(), _link("visits:visit-list", review_params)),
        review_list=list(to_review[:FEW]),
        older_to_review=Figure(older.count(), _link("visits:visit-list", older_params)),
        overdue_tasks=Figure(overdue.count(), _link("visits:task-list", overdue_params)),
        overdue_list=list(overdue.order_by("due_on", "id")[:FEW]),
        next_week=next_week,
        unpublished=unpublished,
        routes_url=_link("visits:route-list", {"week_start": next_week.isoformat()}),
        drafts_to_submit=_drafts_to_submit(user),
    )


def _drafts_to_submit(user) -> Figure:
    """The promotion drafts this user submits (SPEC §1: their team's reps' requests and their own), as the
    promotions list's "Drafts to submit" button counts and opens them (?status=draft)."""
    from promotions.filters import PlanFilter
    from promotions.selectors import drafts_to_submit_for

    params = {"status": "draft"}
    drafts = _listed(PlanFilter, drafts_to_submit_for(user), user, params)
    return Figure(drafts.count(), _link("promotions:plan-list", params))


def _unpublished_next_week(user, reps: list, next_week: date) -> list[RepWeekPlan]:
    """The reps whose plan for next week the user reaches is missing or still a draft: a draft links to its page,
    a missing one to the route plans' Generate form ready for that rep and week (?rep=…&week_start=…)."""
    from visits.models import RoutePlan

    plans = {
        plan.rep_id: plan
        for plan in scope.route_plans_for(user).filter(week_start=next_week, rep__in=[rep.pk for rep in reps])
    }
    return [
        RepWeekPlan(
            rep=rep,
            plan=plans.get(rep.pk),
            url=_link("visits:route-list", {"rep": rep.get_username(), "week_start": next_week.isoformat()}),
        )
        for rep in reps
        if rep.pk not in plans or plans[rep.pk].status != RoutePlan.Status.PUBLISHED
    ]


# --- the KA manager ----------------------------------------------------------------------------------------------


@dataclass
class AccountAchievement:
    account: KeyAccount
    month: object  # accounts.selectors.Performance
    year: object


@dataclass
class ManagerDashboard:
    today: date
    approvals: Figure
    approval_list: list  # submitted plans, each with queue_budget (promotions.selectors.with_queue_budgets)
    achievement: list[AccountAchievement]
    month_total: object
    year_total: object
    performance_url: str  # the year to date on the performance page
    month_url: str  # this month on the performance page
    follow_ups: list  # the first FOLLOW_UPS due
    more_follow_ups: bool  # more are due than shown
    birthdays: list
    expiring: Figure
    expiring_list: list
    expiry_days: int
    unsupported: Figure
    unsupported_list: list
    write_offs: Figure
    # Listings stored with a purchase price above their shelf price before that was refused: prices to correct
    # (said on the home only when there are some)
    listings_above_shelf: Figure
    # The reps working at the manager's accounts' stores, and those whose next week has no plan there yet (or a
    # draft): a KA manager plans routes at their accounts' stores too (SPEC §1)
    next_week: date
    route_reps: int
    unpublished: list[RepWeekPlan]

    @property
    def has_targets(self) -> bool:
        """A target set this year at one of the accounts: without one there is no achievement to draw."""
        return bool(self.year_total.target)

    @property
    def achievement_chart(self) -> Chart:
        return Chart(
            name="account-achievement",
            title=str(_("Achievement by account")),
            labels=[account_name(row.account) for row in self.achievement],
            series=[
                # over the months with a target (Performance.compared), as the performance page behind it reads
                Series(str(_("This month")), [_achievement(row.month) for row in self.achievement]),
                Series(str(_("Year to date")), [_achievement(row.year) for row in self.achievement]),
            ],
            kind="horizontal",
            unit="percent",
            axis_label=str(_("Key account")),
            links=[reverse("accounts:account-detail", args=[row.account.pk]) for row in self.achievement],
        )


def _achievement(performance) -> Decimal | None:
    """Achievement over the months with a target (accounts.selectors.Performance.compared); None without one."""
    compared = performance.compared
    return None if compared is None else compared.achievement


@reads_from_replica()
def manager_dashboard(user, *, today: date) -> ManagerDashboard:
    """Plans waiting for the manager's approval (and what is left of each one's budget), achievement by account
    this month and this year, follow-ups and birthdays, contracts coming to their end, unsupported deductions."""
    from accounts.selectors import Period, account_performance, birthdays_soon, follow_ups_due
    from promotions.selectors import approval_queue_for, with_queue_budgets
    from visits import selectors as visit_selectors
    from visits.services import week_start_of

    queue = approval_queue_for(user)
    month = date(today.year, today.month, 1)
    # The accounts the performance page behind the totals reads (an account closed this year still sold in it), so
    # "All accounts" here is its total row.
    accounts = scope.accounts_for(user)
    by_month, month_total = account_performance(user=user, period=Period(month, month), accounts=accounts, today=today)
    by_year, year_total = account_performance(
        user=user, period=Period(date(today.year, 1, 1), month), accounts=accounts, today=today
    )
    year_of = {row.account.pk: row for row in by_year}
    achievement = sorted(
        (AccountAchievement(row.account, row, year_of[row.account.pk]) for row in by_month),
        key=lambda row: (row.account.tier, row.account.code),
    )
    contracts, expiring = _expiring_contracts(user, today)
    unsupported = _unsupported_deductions(user)
    next_week = week_start_of(today) + timedelta(days=7)
    # the reps the manager can plan: with an active store at their accounts (route.no_stores otherwise)
    reps = list(visit_selectors.reps_for(user).filter(pk__in=scope.stores_for(user).active().values("rep_id")))
    unpublished = _unpublished_next_week(user, reps, next_week)
    _mark_published_without_yours(unpublished, next_week)
    follow_ups = list(follow_ups_due(user=user, today=today, days=7)[: FOLLOW_UPS + 1])  # one more: are there more?
    return ManagerDashboard(
        today=today,
        approvals=Figure(queue.count(), reverse("promotions:approval-queue")),
        approval_list=with_queue_budgets(user, list(queue.order_by("start_on", "id")[:FEW])),
        achievement=achievement,
        month_total=month_total,
        year_total=year_total,
        # the performance page's own names for its period (PeriodForm: month_from/month_to)
        performance_url=_link("accounts:performance", {"month_from": f"{today:%Y}-01", "month_to": f"{today:%Y-%m}"}),
        month_url=_link("accounts:performance", {"month_from": f"{today:%Y-%m}", "month_to": f"{today:%Y-%m}"}),
        follow_ups=follow_ups[:FOLLOW_UPS],
        more_follow_ups=len(follow_ups) > FOLLOW_UPS,
        birthdays=birthdays_soon(user=user, today=today, days=7),
        expiring=expiring,
        expiring_list=list(contracts.order_by("valid_to", "number")[:FEW]),
        expiry_days=settings.KA.contract_expiry_horizon_days,
        unsupported=unsupported,
        unsupported_list=list(_listed_deductions(user, UNSUPPORTED_OPEN).order_by("date", "pk")[:FEW]),
        write_offs=_write_offs_to_approve(user),
        listings_above_shelf=_listings_above_shelf(user),
        next_week=next_week,
        route_reps=len(reps),
        unpublished=unpublished,
    )


def _mark_published_without_yours(rows: list[RepWeekPlan], next_week: date) -> None:
    """Mark the rows whose rep's week is published with none of its stops at the manager's stores: generating it
    would be refused (a published plan is taken back to draft first), so the row says so instead of offering it.
    Only the status is read, never the plan's stops."""
    from visits.models import RoutePlan

    planless = [row.rep.pk for row in rows if row.plan is None]
    if not planless:
        return
    published = set(
        RoutePlan.objects.filter(rep__in=planless, week_start=next_week, status=RoutePlan.Status.PUBLISHED).values_list(
            "rep_id", flat=True
        )
    )
    for row in rows:
        row.published_without_yours = row.plan is None and row.rep.pk in published


def _expiring_contracts(user, today: date) -> tuple[QuerySet, Figure]:
    """Contracts active today that end within KA.contract_expiry_horizon_days: the ledger's expires_within=…"""
    from contracts.filters import ContractFilter
    from contracts.selectors import contracts_for

    params = {"expires_within": settings.KA.contract_expiry_horizon_days}
    contracts = _listed(ContractFilter, contracts_for(user), user, params)
    return contracts, Figure(contracts.count(), _link("contracts:contract-list", params))


def _listed_deductions(user, params: dict) -> QuerySet:
    from contracts.selectors import deductions_for
    from tradespend.filters import DeductionMatchingFilter

    return _listed(DeductionMatchingFilter, deductions_for(user), user, params)


# Unsupported and still to be dealt with: an unsupported part accepted and written off is decided (it stays spend in
# gross to net, but nobody has anything left to do about it).
UNSUPPORTED_OPEN = {"state": "unsupported", "written_off": "false"}


def _unsupported_deductions(user) -> Figure:
    """The deductions matching left unsupported (tradespend/matching.py) and not written off, their count and
    amount."""
    params = UNSUPPORTED_OPEN
    totals = _listed_deductions(user, params).aggregate(count=Count("pk"), amount=money_sum("amount"))
    return Figure(totals["count"], _link("tradespend:deductions", params), totals["amount"] or ZERO)


LISTINGS_ABOVE_SHELF = {"purchase_above_shelf": "true", "active": "true"}


def _listings_above_shelf(user) -> Figure:
    """The active listings in the user's scope stored with a purchase price above their shelf price (before the rule
    listing.purchase_above_shelf refused it), counted as the listings' list filtered so shows them."""
    from stores.filters import ListingFilter

    listings = _listed(ListingFilter, scope.listings_for(user), user, LISTINGS_ABOVE_SHELF)
    return Figure(listings.count(), _link("stores:listing-list", LISTINGS_ABOVE_SHELF))


def _write_offs_to_approve(user) -> Figure:
    """Write-offs of deductions waiting for an approval this user may give (tradespend/disputes.py: the account's KA
    manager approves, or an administrator any), their count and unsupported amount, linked to the disputes list."""
    from contracts.selectors import deduction_unsupported
    from tradespend.disputes import approvable_by
    from tradespend.filters import DisputeFilter
    from tradespend.models import Dispute

    params = {"status": Dispute.Status.WRITE_OFF_REQUESTED}
    waiting = approvable_by(user, _listed(DisputeFilter, scope.disputes_for(user), user, params))
    totals = waiting.aggregate(
        count=Count("pk"),
        amount=money_sum(deduction_unsupported("deduction__"), default=ZERO),
    )
    return Figure(totals["count"], _link("tradespend:disputes", params), totals["amount"])


# --- finance (and the administrator) -----------------------------------------------------------------------------


@dataclass
class FinanceDashboard:
    today: date
    aging: object  # contracts.selectors.AgingReport as of today
    aging_url: str
    open_disputes: Figure
    to_reconcile: Figure
    months_to_close: list[date]
    months_url: str
    expiring: Figure
    expiring_list: list
    expiry_days: int
    unsupported: Figure

    @property
    def overdue_buckets(self) -> list[tuple[str, object, Decimal, str]]:
        """Past-due buckets of the aging report (not yet due left out): (value, label, amount, invoices' URL)."""
        from contracts.receivables import Bucket

        return [
            (
                bucket.value,
                bucket.label,
                self.aging.total.buckets[bucket],
                _link("contracts:aging-invoices", {"bucket": bucket.value, "as_of": self.today.isoformat()}),
            )
            for bucket in Bucket
            if bucket != Bucket.NOT_DUE
        ]

    @property
    def overdue_total(self) -> Decimal:
        return self.aging.total.past_due

    @property
    def aging_chart(self) -> Chart:
        buckets = self.overdue_buckets
        return Chart(
            name="overdue-aging",
            title=str(_("Overdue receivables by days past due")),
            labels=[str(label) for _value, label, _amount, _url in buckets],
            series=[Series(str(_("Open amount")), [amount for _value, _label, amount, _url in buckets])],
            kind="bar",
            unit="money",
            axis_label=str(_("Days past due")),
            links=[url for _value, _label, _amount, url in buckets],
        )


@reads_from_replica()
def finance_dashboard(user, *, today: date) -> FinanceDashboard:
    """Overdue receivables by aging bucket, open disputes, remittances to reconcile, months waiting to be closed,
    contracts coming to their end and unsupported deductions."""
    from contracts.selectors import aging_report
    from tradespend.closing import months_waiting
    from tradespend.filters import DisputeFilter, RemittanceFilter
    from tradespend.models import Dispute
    from tradespend.rules import month_start

    dispute_params = {"status": Dispute.Status.OPEN}
    reconcile_params = {"to_reconcile": "true"}
    contracts, expiring = _expiring_contracts(user, today)
    return FinanceDashboard(
        today=today,
        aging=aging_report(user, as_of=today),
        aging_url=_link("contracts:aging", {"as_of": today.isoformat()}),
        open_disputes=Figure(
            _listed(DisputeFilter, scope.disputes_for(user), user, dispute_params).count(),
            _link("tradespend:disputes", dispute_params),
        ),
        to_reconcile=Figure(
            _listed(RemittanceFilter, scope.remittances_for(user), user, reconcile_params).count(),
            _link("tradespend:remittances", reconcile_params),
        ),
        months_to_close=months_waiting(month_start(today)),
        months_url=_link("tradespend:months", {"waiting": "true"}),
        expiring=expiring,
        expiring_list=list(contracts.order_by("valid_to", "number")[:FEW]),
        expiry_days=settings.KA.contract_expiry_horizon_days,
        unsupported=_unsupported_deductions(user),
    )


@dataclass
class AdminDashboard:
    finance: FinanceDashboard
    users: Figure
    stores: Figure
    accounts: Figure
    approvals: Figure


@reads_from_replica()
def admin_dashboard(user, *, today: date) -> AdminDashboard:
    """The finance dashboard, and how many people, stores, chains and plans waiting for an approval there are."""
    from promotions.selectors import approval_queue_for

    people = get_user_model().objects.filter(is_active=True)
    return AdminDashboard(
        finance=finance_dashboard(user, today=today),
        users=Figure(people.count(), reverse("admin:auth_user_changelist")),
        stores=Figure(scope.stores_for(user).active().count(), _link("stores:store-list", {"active": "true"})),
        accounts=Figure(scope.accounts_for(user).active().count(), _link("accounts:account-list", {"active": "true"})),
        approvals=Figure(approval_queue_for(user).count(), reverse("promotions:approval-queue")),
    )


DASHBOARDS = {
    Role.REP: rep_dashboard,
    Role.SUPERVISOR: supervisor_dashboard,
    Role.MANAGER: manager_dashboard,
    Role.FINANCE: finance_dashboard,
    Role.ADMIN: admin_dashboard,
}


def dashboard_for(user, *, today: date):
    """The user's role's dashboard, or None for a user without a role."""
    build = DASHBOARDS.get(scope.user_role(user))
    return build(user, today=today) if build else None
