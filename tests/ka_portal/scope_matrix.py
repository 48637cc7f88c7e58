"""The scope matrix's registry and helpers: every route of the URL configuration, declared once.

Registry format — one line per route, in `ROUTES`, keyed by the name `reverse()` takes (pages carry their
app's namespace, `"visits:route-detail"`; the API's router names have none, `"route-detail"`):

    "visits:route-detail": Route(params={"pk": "route_plan"}),        # a record in the URL
    "accounts:follow-up-done": Route(params={"pk": Own("account"), "entry_pk": "contact_log"}),
    "stores:store-list": Route(rows="store", export=True),             # a list (page or API) and its .xlsx
    "visits:today": Route(),                                           # a page about the user's own work
    "login": Route(public=True),                                       # no scope: read, never written to

- `params` maps each URL kwarg to a scope key of `SCOPES`; the matrix puts a record OUTSIDE the user's scope
  there (`Own(key)`: one inside it, to reach a nested foreign record), or an id that does not exist for a role
  that reaches every record. Non-record kwargs (`kind`, `token`) name a key of `VALUES`. It also reads the
  route with records INSIDE the scope: what it shows must name nothing outside (a plan's stops elsewhere).
- `rows`: the scope key of what the list shows; the page's rows, its `?export=xlsx` (`export=True`) and the
  API's `results` must all be inside the user's scope.
- `export_footer`: rows its export writes under the records (a total row), not counted as records.
- `query`: filters sent with the list's reads and export, to keep the biggest lists small; they narrow by date
  or product, never by scope, so a row outside the scope would still show.
- `public`: a route without scope (sign-in, schema); it is read as every role, never written to.
- `skip`: a reason the matrix does not call the route at all (say why; keep it rare). An unnamed route is
  declared by its pattern, e.g. `"<unnamed ^media/(?P<path>.*)$>"`.

`SCOPES` maps a key to its model and the function of ka_portal/scope.py (or a selector built on it) that
decides who reaches which row; a role without the model's view permission reaches none. A body field named
like a key in `BODY_REFS` gets a foreign record too, so writes are tried with foreign references.

Every new route must be added here: the matrix fails on a route of the URL configuration or an operation of
the API schema that `ROUTES` does not declare.
"""

import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet

from accounts.models import CollectionTarget, Contact, ContactLog, KeyAccount, SalesTarget, StoreTarget
from contracts import selectors as contract_selectors
from contracts.models import Contract, ContractTerm, CreditNote, Deduction, Invoice, Payment
from evidence.models import CompetitorSighting, DisplayAgreement, FraudSignal
from imports.models import ImportJob
from ka_portal import scope
from ka_portal.permissions import can
from promoters.models import Promoter, PromoterTarget, SellOutLine, Shift
from promotions import selectors as promotion_selectors
from promotions.models import Budget, PromotionPlan, PromotionType
from stores.models import Delivery, Listing, Product, Store
from tradespend.models import AccrualLine, DeductionMatch, Dispute, Remittance
from visits import selectors as visit_selectors
from visits.models import ReplenishmentRun, RoutePlan, RouteStop, SuggestedOrder, Task, Visit, VisitPhoto

User = get_user_model()

ROLES = [
    "rep1", "rep2", "rep3", "rep4", "supervisor1", "supervisor2", "manager1", "manager2", "finance1", "admin",
    "promoter1",  # issue 16: reaches nothing but their own roster record, shifts, stores and reports
]  # fmt: skip


@dataclass(frozen=True)
class Scope:
    model: type[Model]
    reach: object  # user -> the queryset of rows the user reaches (None: everyone reaches every row)
    permission_model: type[Model] | None = None  # whose view permission gates it (default: model)

    def reachable(self, user) -> QuerySet:
        if not can(user, self.permission_model or self.model):
            return self.model.objects.none()
        return self.model.objects.all() if self.reach is None else self.reach(user)


def _in_accounts(model):
    return lambda user: model.objects.filter(account__in=scope.accounts_for(user))


def _at_stores(model):
    return lambda user: model.objects.filter(store__in=scope.stores_for(user))


SCOPES: dict[str, Scope] = {
    "account": Scope(KeyAccount, scope.accounts_for),
    "finance_account": Scope(KeyAccount, contract_selectors.finance_accounts, Invoice),
    "contact": Scope(Contact, _in_accounts(Contact)),
    "contact_log": Scope(ContactLog, _in_accounts(ContactLog)),
    "target": Scope(SalesTarget, _in_accounts(SalesTarget)),
    "store": Scope(Store, scope.stores_for),
    "rep": Scope(User, scope.team_for, Store),
    "product": Scope(Product, None),
    "listing": Scope(Listing, _at_stores(Listing)),
    "delivery": Scope(Delivery, _at_stores(Delivery)),
    "route_plan": Scope(RoutePlan, scope.route_plans_for),
    "route_stop": Scope(RouteStop, scope.route_stops_for, RoutePlan),
    "visit": Scope(Visit, scope.visits_for),
    "visit_photo": Scope(VisitPhoto, visit_selectors.visit_photos_for, Visit),
    "task": Scope(Task, scope.tasks_for),
    "suggested_order": Scope(SuggestedOrder, scope.suggested_orders_for),
    "replenishment_run": Scope(ReplenishmentRun, None),
    "promotion_plan": Scope(PromotionPlan, scope.promotion_plans_for),
    "promotion_type": Scope(PromotionType, None),
    "budget": Scope(Budget, promotion_selectors.budgets_for),
    "contract": Scope(Contract, contract_selectors.contracts_for),
    "contract_term": Scope(ContractTerm, contract_selectors.contract_terms_for),
    "invoice": Scope(Invoice, contract_selectors.invoices_for),
    "payment": Scope(Payment, contract_selectors.payments_for),
    "deduction": Scope(Deduction, contract_selectors.deductions_for),
    "credit_note": Scope(CreditNote, contract_selectors.credit_notes_for),
    # trade spend: matching (issue 12 item 5)
    "dispute": Scope(Dispute, scope.disputes_for),
    "accrual_line": Scope(AccrualLine, scope.accrual_lines_for),
    "deduction_match": Scope(
        DeductionMatch,
        lambda user: DeductionMatch.objects.filter(deduction__account__in=scope.finance_accounts_for(user)),
    ),
    # Every user may have jobs of their own (no model permission gates them): gated like stores, seen by all.
    "import_job": Scope(ImportJob, scope.import_jobs_for, Store),
    # --- trade spend: remittances (issue 12 item 6)
    "remittance": Scope(Remittance, scope.remittances_for),
    # --- visit evidence (issue 13)
    "display_agreement": Scope(DisplayAgreement, scope.display_agreements_for),
    "competitor_sighting": Scope(CompetitorSighting, scope.competitor_sightings_for),
    "fraud_signal": Scope(FraudSignal, scope.fraud_signals_for),
    # --- store and collection targets (issue 15)
    "store_target": Scope(StoreTarget, scope.store_targets_for),
    "collection_target": Scope(CollectionTarget, scope.collection_targets_for),
    # --- in-store promoters (issue 16)
    "promoter": Scope(Promoter, scope.promoters_for),
    "shift": Scope(Shift, scope.shifts_for),
    "sell_out_line": Scope(SellOutLine, scope.sell_out_for),
    "promoter_target": Scope(PromoterTarget, scope.promoter_targets_for),
}

# URL kwargs that are not records: the value the matrix sends.
# `visit_uuid`: a visit's client uuid that names no visit (404 for every role); another rep's visit by its uuid is
# tested in tests/visits/test_visit_offline_doors.py, since the matrix puts records in URLs by their ids.
VALUES = {"kind": "stores", "token": "no-such-token", "visit_uuid": "0b0e8c9a-3f4d-4a5e-9c1b-2d3e4f5a6b7c"}

# Body fields that reference a record: a foreign one is sent (an id, a list of ids, or a code where the API
# names the record by its code).
BODY_REFS = {
    "account": "account",
    "store": "store",
    "stores": "store",
    "contact": "contact",
    "rep": "rep",
    "visit": "visit",
    "route_stop": "route_stop",
    "stop": "route_stop",
    "task": "task",
    "plan": "promotion_plan",
    "contract": "contract",
    "invoice": "invoice",
    "payment": "payment",
    "deduction": "deduction",
    "line": "accrual_line",
    "promoter": "promoter",
    "shift": "shift",
}


@dataclass(frozen=True)
class Own:
    """A URL kwarg filled with a record INSIDE the user's scope (so the nested foreign record is what's tried)."""

    key: str


@dataclass(frozen=True)
class Route:
    params: dict = field(default_factory=dict)
    rows: str | None = None
    export: bool = False
    export_footer: int = 0
    public: bool = False
    skip: str = ""
    query: dict = field(default_factory=dict)


_ = Route  # short declarations below
ROUTES: dict[str, Route] = {
    # --- project pages and the API's own routes
    "home": Route(),
    "login": Route(public=True),
    "manifest": Route(public=True),  # the web app manifest: names and icons, nothing of anyone's
    "service-worker": Route(public=True),  # the offline worker's script: static URLs and page patterns
    "favicon": Route(public=True),  # the app's icon, for a browser that asks /favicon.ico by itself
    "logout": Route(skip="signs the user out (POST only); nothing in scope"),
    "set_language": Route(skip="sets the language cookie; nothing in scope"),
    "api-schema": Route(public=True),
    "api-docs": Route(public=True),
    "api-root": Route(public=True),
    "api-token": Route(skip="the sign-in endpoint (POST signs in, DELETE revokes): tests/ka_portal/test_tokens.py"),
    "api-tokens": Route(public=True),  # the user's own tokens; its DELETE signs out everywhere (test_tokens.py)
    "api-me": Route(public=True),
    # --- accounts
    "accounts:account-list": Route(rows="account", export=True),
    "accounts:performance": Route(),
    "accounts:account-detail": Route(params={"pk": "account"}),
    "accounts:account-add": Route(),
    "accounts:account-edit": Route(params={"pk": "account"}),
    "accounts:targets-edit": Route(params={"pk": "account"}),
    "accounts:month-targets-edit": Route(params={"pk": "account"}),
    "accounts:contact-log-add": Route(params={"pk": "account"}),
    "accounts:follow-up-done": Route(params={"pk": Own("account"), "entry_pk": "contact_log"}),
    "accounts:contact-add": Route(params={"pk": "account"}),
    "accounts:contact-edit": Route(params={"pk": Own("account"), "contact_pk": "contact"}),
    "api-account-performance": Route(),
    "account-list": Route(rows="account"),
    "account-detail": Route(params={"pk": "account"}),
    "contact-list": Route(rows="contact"),
    "contact-detail": Route(params={"pk": "contact"}),
    "contact-log-list": Route(rows="contact_log"),
    "contact-log-detail": Route(params={"pk": "contact_log"}),
    "contact-log-follow-up-done": Route(params={"pk": "contact_log"}),
    "target-list": Route(rows="target"),
    "target-detail": Route(params={"pk": "target"}),
    # --- stores
    "stores:store-list": Route(rows="store", export=True),
    "stores:store-add": Route(),
    "stores:store-detail": Route(params={"pk": "store"}),
    "stores:store-edit": Route(params={"pk": "store"}),
    "stores:listing-add": Route(params={"pk": "store"}),
    "stores:listing-active": Route(params={"pk": Own("store"), "listing_pk": "listing"}),
    "stores:product-list": Route(rows="product", export=True),
    "stores:listing-list": Route(rows="listing", export=True, query={"product": "P001"}),
    "stores:delivery-list": Route(rows="delivery", export=True, query={"date_from": "2026-10-01"}),
    "store-list": Route(rows="store"),
    "store-detail": Route(params={"pk": "store"}),
    "product-list": Route(rows="product"),
    "product-detail": Route(params={"pk": "product"}),
    "listing-list": Route(rows="listing"),
    "listing-detail": Route(params={"pk": "listing"}),
    "delivery-list": Route(rows="delivery"),
    "delivery-detail": Route(params={"pk": "delivery"}),
    # --- imports
    "imports:import": Route(),
    "imports:import-template": Route(params={"kind": "kind"}),
    "imports:job": Route(params={"pk": "import_job"}),
    "imports:job-status": Route(params={"pk": "import_job"}),
    "imports:job-problems": Route(params={"pk": "import_job"}),
    "imports:job-import": Route(params={"pk": "import_job"}),
    "imports:job-changes": Route(params={"pk": "import_job"}),
    "api-import": Route(params={"kind": "kind"}),
    "api-import-template": Route(params={"kind": "kind"}),
    "api-import-jobs": Route(rows="import_job"),
    "api-import-job": Route(params={"pk": "import_job"}),
    "api-import-job-import": Route(params={"pk": "import_job"}),
    "api-import-job-changes": Route(params={"pk": "import_job"}),
    # --- visits
    "visits:today": Route(),
    "visits:check-in": Route(),
    "visits:visit-list": Route(rows="visit", export=True),
    "visits:visit-detail": Route(params={"pk": "visit"}),
    "visits:visit-start": Route(params={"store_pk": "store"}),  # a stop's page before check-in: the rep's own stores
    "visits:visit-uuid": Route(params={"uuid": "visit_uuid"}),
    "visits:visit-photo-uuid": Route(params={"uuid": "visit_uuid"}),
    "visits:visit-photo": Route(params={"pk": "visit"}),
    "visits:visit-check-out": Route(params={"pk": "visit"}),
    "visits:visit-review": Route(params={"pk": "visit"}),  # a reviewer's review of a checked-out visit (SPEC §1)
    "visits:photo": Route(params={"pk": "visit_photo"}),
    "visits:photo-remove": Route(params={"pk": "visit_photo"}),  # the rep's own open visit's photo
    "visits:route-list": Route(rows="route_plan", export=True),
    "visits:route-generate": Route(),
    "visits:route-detail": Route(params={"pk": "route_plan"}),
    "visits:route-stop-add": Route(params={"pk": "route_plan"}),
    "visits:route-publish": Route(params={"pk": "route_plan"}),
    "visits:route-stop-move": Route(params={"pk": "route_stop"}),
    "visits:route-stop-remove": Route(params={"pk": "route_stop"}),
    "visits:task-list": Route(rows="task", export=True),
    "visits:daily-report": Route(),
    "visits:compliance": Route(),
    "visits:suggested-order-list": Route(rows="suggested_order", export=True),
    "visits:replenishment-run-list": Route(rows="replenishment_run"),
    "visits:store-suggested-orders": Route(params={"pk": "store"}),
    "visits:replenishment-run-start": Route(skip="starts the nightly job (admins only); tested in tests/visits"),
    "route-list": Route(rows="route_plan"),
    "route-detail": Route(params={"pk": "route_plan"}),
    # a planner's writes, as on the route pages (visits.api.RoutePlanViewSet)
    "route-generate": Route(),
    "route-stops": Route(params={"pk": "route_plan"}),
    "route-stop": Route(params={"pk": "route_plan", "stop_pk": "route_stop"}),
    "route-publish": Route(params={"pk": "route_plan"}),
    "route-unpublish": Route(params={"pk": "route_plan"}),
    "visit-list": Route(rows="visit"),
    "visit-detail": Route(params={"pk": "visit"}),
    "visit-check-out": Route(params={"pk": "visit"}),
    "visit-review": Route(params={"pk": "visit"}),  # POST a review, PATCH its comment
    "visit-photo": Route(params={"pk": "visit", "photo_pk": "visit_photo"}),
    "task-list": Route(rows="task"),
    "task-detail": Route(params={"pk": "task"}),
    "task-complete": Route(params={"pk": "task"}),
    "visits:task-not-done": Route(params={"pk": "task"}),
    "visits:task-done": Route(params={"pk": "task"}),
    "visits:task-edit": Route(params={"pk": "task"}),
    "visits:task-delete": Route(params={"pk": "task"}),
    "suggested-order-list": Route(rows="suggested_order"),
    "suggested-order-detail": Route(params={"pk": "suggested_order"}),
    # --- promotions
    "promotions:plan-list": Route(rows="promotion_plan", export=True, export_footer=1),  # the total row
    "promotions:plan-create": Route(),
    "promotions:plan-check": Route(),
    "promotions:approval-queue": Route(),
    "promotions:budget-list": Route(),
    "promotions:budget-edit": Route(params={"pk": "budget"}),
    "promotions:account-calendar": Route(params={"pk": "account"}),
    "promotions:plan-detail": Route(params={"pk": "promotion_plan"}),
    "promotions:plan-edit": Route(params={"pk": "promotion_plan"}),
    "promotions:plan-submit": Route(params={"pk": "promotion_plan"}),
    "promotions:plan-withdraw": Route(params={"pk": "promotion_plan"}),
    "promotions:plan-reopen": Route(params={"pk": "promotion_plan"}),
    "promotions:plan-approve": Route(params={"pk": "promotion_plan"}),
    "promotions:plan-reject": Route(params={"pk": "promotion_plan"}),
    "promotions:plan-evaluate": Route(params={"pk": "promotion_plan"}),
    "promotion-type-list": Route(rows="promotion_type"),
    "promotion-type-detail": Route(params={"pk": "promotion_type"}),
    "promotion-list": Route(rows="promotion_plan"),
    "promotion-detail": Route(params={"pk": "promotion_plan"}),
    "promotion-approve": Route(params={"pk": "promotion_plan"}),
    "promotion-reject": Route(params={"pk": "promotion_plan"}),
    "promotion-submit": Route(params={"pk": "promotion_plan"}),
    "promotion-withdraw": Route(params={"pk": "promotion_plan"}),
    "promotion-reopen": Route(params={"pk": "promotion_plan"}),
    "budget-list": Route(rows="budget"),
    "budget-detail": Route(params={"pk": "budget"}),
    # --- contracts and receivables
    "contracts:contract-list": Route(rows="contract", export=True),
    "contracts:contract-create": Route(),
    "contracts:contract-detail": Route(params={"pk": "contract"}),
    "contracts:contract-edit": Route(params={"pk": "contract"}),
    "contracts:contract-attachment": Route(params={"pk": "contract"}),
    "contracts:term-list": Route(rows="contract_term", export=True),
    "contracts:term-create": Route(params={"contract_pk": "contract"}),
    "contracts:term-edit": Route(params={"pk": "contract_term"}),
    "contracts:term-delete": Route(params={"pk": "contract_term"}),
    "contracts:receivables": Route(),
    "contracts:receivables-account": Route(params={"pk": "finance_account"}),
    "contracts:payment-reverse": Route(params={"pk": "payment"}),
    "contracts:payment-allocate": Route(params={"pk": "payment"}),
    "contracts:invoice-write-off": Route(params={"pk": "invoice"}),
    "contracts:aging": Route(),
    "contracts:aging-invoices": Route(),
    "contracts:statement": Route(),
    "contract-list": Route(rows="contract"),
    "contract-detail": Route(params={"pk": "contract"}),
    "contract-attachment": Route(params={"pk": "contract"}),
    "contract-term-list": Route(rows="contract_term"),
    "contract-term-detail": Route(params={"pk": "contract_term"}),
    "invoice-list": Route(rows="invoice"),
    "invoice-detail": Route(params={"pk": "invoice"}),
    "invoice-write-off": Route(params={"pk": "invoice"}),
    "payment-list": Route(rows="payment"),
    "payment-detail": Route(params={"pk": "payment"}),
    "payment-allocate": Route(params={"pk": "payment"}),
    "payment-reverse": Route(params={"pk": "payment"}),
    "deduction-list": Route(rows="deduction"),
    "deduction-detail": Route(params={"pk": "deduction"}),
    "credit-note-list": Route(rows="credit_note"),
    "credit-note-detail": Route(params={"pk": "credit_note"}),
    "report-aging": Route(),
    "report-statement": Route(),
    # --- trade spend: gross to net and month close (helper g2n). The chain page takes the account's code: the
    # matrix's ids are no code, so both the foreign and the own call answer 404; tests/tradespend covers scope.
    "tradespend:gross-to-net": Route(),
    "tradespend:gross-to-net-account": Route(params={"code": "finance_account"}),
    "tradespend:months": Route(),
    "tradespend:month-close": Route(),
    "report-gross-to-net": Route(),
    "closed-month-list": Route(),
    # --- analysis: the chain page and its API (issue 15), by the account's code like gross to net's chain page:
    # tests/analytics/test_chain.py reads them in and out of scope ---
    "analytics:chain": Route(params={"code": "finance_account"}),
    "account-overview": Route(params={"code": "finance_account"}),
    # --- trade spend: matching (issue 12 item 5) ---
    "tradespend:deductions": Route(rows="deduction", export=True),
    "tradespend:deductions-match-all": Route(),
    "tradespend:deduction-sheet": Route(params={"pk": "deduction"}),
    "tradespend:disputes": Route(rows="dispute", export=True),
    "deduction-matches": Route(params={"pk": "deduction"}),
    "deduction-match-remove": Route(params={"pk": "deduction", "match_id": "deduction_match"}),
    "deduction-not-duplicate": Route(params={"pk": "deduction"}),
    "deduction-match-automatically": Route(params={"pk": "deduction"}),
    "deduction-matching": Route(),
    "dispute-list": Route(rows="dispute"),
    "dispute-detail": Route(params={"pk": "dispute"}),
    "dispute-recover": Route(params={"pk": "dispute"}),
    "dispute-write-off": Route(params={"pk": "dispute"}),
    "dispute-close": Route(params={"pk": "dispute"}),
    "dispute-approve": Route(params={"pk": "dispute"}),
    "dispute-reject": Route(params={"pk": "dispute"}),
    # --- trade spend: the accrual ledger (issue 12 item 4)
    "tradespend:ledger": Route(rows="accrual_line", export=True),
    "tradespend:ledger-recompute": Route(),
    "tradespend:ledger-adjust": Route(),
    "accrual-line-list": Route(rows="accrual_line"),
    "accrual-line-detail": Route(params={"pk": "accrual_line"}),
    "accrual-run-list": Route(),
    # --- trade spend: remittances (issue 12 item 6)
    "tradespend:remittances": Route(rows="remittance", export=True),
    "tradespend:remittance-new": Route(),
    "tradespend:remittance-template": Route(),
    "tradespend:remittance-detail": Route(params={"pk": "remittance"}),
    "remittance-list": Route(rows="remittance"),
    "remittance-detail": Route(params={"pk": "remittance"}),
    "remittance-import": Route(),
    # --- visit evidence (issue 13)
    "evidence:home": Route(),
    # --- visit evidence: promotions and displays in the visit (helper checks)
    "evidence:visit-plan-checks": Route(params={"pk": "visit", "plan_pk": "promotion_plan"}),
    "evidence:visit-agreement-check": Route(params={"pk": "visit", "agreement_pk": "display_agreement"}),
    # by a visit's client uuid, from a stop's page kept on the phone (see VALUES' visit_uuid)
    "evidence:visit-plan-checks-uuid": Route(params={"uuid": "visit_uuid", "plan_pk": "promotion_plan"}),
    "evidence:visit-agreement-check-uuid": Route(params={"uuid": "visit_uuid", "agreement_pk": "display_agreement"}),
    "visit-promotion-checks": Route(params={"pk": "visit"}),
    "visit-display-checks": Route(params={"pk": "visit"}),
    "promotion-plan-execution": Route(params={"pk": "promotion_plan"}),
    # --- visit evidence: display agreements (helper agreements)
    "evidence:agreement-list": Route(rows="display_agreement", export=True),
    "evidence:agreement-new": Route(),
    "evidence:agreement-detail": Route(params={"pk": "display_agreement"}),
    "evidence:agreement-edit": Route(params={"pk": "display_agreement"}),
    "evidence:agreement-delete": Route(params={"pk": "display_agreement"}),
    "evidence:agreement-evaluate": Route(params={"pk": "display_agreement"}),
    "display-agreement-list": Route(rows="display_agreement"),
    "display-agreement-detail": Route(params={"pk": "display_agreement"}),
    "display-agreement-evaluate": Route(params={"pk": "display_agreement"}),
    # --- visit evidence: competitor sightings (helper competitors)
    "evidence:competitor-list": Route(rows="competitor_sighting", export=True),
    "evidence:competitor-summary": Route(),
    "evidence:visit-competitor-add": Route(params={"pk": "visit"}),
    "evidence:visit-competitor-add-uuid": Route(params={"uuid": "visit_uuid"}),
    "evidence:competitor-delete": Route(params={"pk": "competitor_sighting"}),
    "competitor-sighting-list": Route(rows="competitor_sighting"),
    "competitor-sighting-detail": Route(params={"pk": "competitor_sighting"}),
    "api-competitor-summary": Route(),
    # --- visit evidence: fraud signals (helper signals)
    "evidence:signal-list": Route(rows="fraud_signal", export=True, query={"status": "all"}),
    "evidence:signal-detail": Route(params={"pk": "fraud_signal"}),
    "evidence:signal-review": Route(params={"pk": "fraud_signal"}),
    "evidence:signal-photo": Route(params={"pk": "fraud_signal"}),
    "evidence:signal-other-photo": Route(params={"pk": "fraud_signal"}),
    "fraud-signal-list": Route(rows="fraud_signal"),
    "fraud-signal-detail": Route(params={"pk": "fraud_signal"}),
    "fraud-signal-review": Route(params={"pk": "fraud_signal"}),
    # --- analysis (issue 15): channel mix and promotion expense ratio (helper mix); finance pages, reps and
    # supervisors 404; a KA manager's figures are of their own chains (tests/analytics covers the figures' scope)
    "analytics:channel-mix": Route(),
    "analytics:promotion-expense": Route(),
    "report-channel-mix": Route(),
    "report-promotion-expense-ratio": Route(),
    "visits:photo-thumb": Route(params={"pk": "visit_photo"}),
    "visit-photos": Route(params={"pk": "visit"}),
    "visit-photo-thumb": Route(params={"pk": "visit", "photo_pk": "visit_photo"}),
    # --- analysis: store and collection targets, store P&L (helper pnl). The targets drill-down takes the account's
    # code: the matrix's ids are no code, so both calls answer 404; tests/accounts/test_store_targets.py covers scope.
    "analytics:targets": Route(),
    "analytics:targets-account": Route(params={"code": "finance_account"}),
    "analytics:store-pnl": Route(),
    "api-store-pnl": Route(),
    "store-target-list": Route(rows="store_target"),
    "store-target-detail": Route(params={"pk": "store_target"}),
    "collection-target-list": Route(rows="collection_target"),
    "collection-target-detail": Route(params={"pk": "collection_target"}),
    # --- promoters: the monthly appraisal (issue 16, helper appraisal): rows are promoters_for's (a promoter 404);
    # tests/promoters/test_appraisal_pages.py checks who sees whom.
    "promoters:appraisal": Route(query={"month": "2026-09"}),
    "report-promoter-appraisal": Route(query={"month": "2026-09"}),
    # --- promoters (issue 16): a promoter's own day (helper phone); another promoter's shift is not found, and the
    # supervisors' attendance and sell-out pages are closed to promoters (403)
    "promoters:my-day": Route(),
    "promoters:my-shift": Route(params={"pk": "shift"}),
    "promoters:my-check-in": Route(params={"pk": "shift"}),
    "promoters:my-check-out": Route(params={"pk": "shift"}),
    "promoters:my-sell-out": Route(params={"pk": "shift"}),
    "shift-check-in": Route(params={"pk": "shift"}),
    "shift-check-out": Route(params={"pk": "shift"}),
    "shift-sell-out": Route(params={"pk": "shift"}),
    "sell-out-report": Route(),
    "my-shifts": Route(rows="shift"),
    "sell-out-line-list": Route(rows="sell_out_line"),
    "sell-out-line-detail": Route(params={"pk": "sell_out_line"}),
    # --- promoters: attendance (helper phone)
    "promoters:attendance": Route(),
    "promoters:attendance-shifts": Route(rows="shift", export=True),
    "promoters:attendance-confirm": Route(params={"pk": "shift"}),
    "promoters:attendance-confirm-day": Route(),
    "promoters:sell-out": Route(rows="sell_out_line", export=True),
    "shift-confirm": Route(params={"pk": "shift"}),
    "promoter-attendance-report": Route(),
    # --- promoters: the roster, targets and the week's shifts (issue 16, helper roster)
    "promoters:roster": Route(rows="promoter", export=True),
    "promoters:promoter-new": Route(),
    "promoters:targets": Route(),
    "promoters:promoter-detail": Route(params={"pk": "promoter"}),
    "promoters:promoter-edit": Route(params={"pk": "promoter"}),
    "promoters:week": Route(),
    "promoters:week-copy": Route(),
    "promoters:shift-edit": Route(params={"pk": "shift"}),
    "promoters:shift-delete": Route(params={"pk": "shift"}),
    "promoter-list": Route(rows="promoter"),
    "promoter-detail": Route(params={"pk": "promoter"}),
    "shift-list": Route(rows="shift"),
    "shift-detail": Route(params={"pk": "shift"}),
    "shift-week": Route(),
    "promoter-target-list": Route(rows="promoter_target"),
    "promoter-target-detail": Route(params={"pk": "promoter_target"}),
}

# Whole namespaces declared at once: Django's admin is for administrators only (the only staff users).
NAMESPACES = {"admin": "Django admin: only administrators are staff; other roles are sent to its login"}

# Matrix cases that fail for a reason another part of issue 10 fixes: (route, method, role) → why; the id probe's
# cases are keyed "<route> (bad id)". A test whose only failures are listed here is xfail (not strict), so it
# passes again once the fix is merged; then delete its lines. Never a loosened assertion.
KNOWN_SERVER_ERRORS: dict[tuple[str, str, str], str] = {}


# --- walking the URL configuration ------------------------------------------------------------


def url_routes() -> dict[str, str]:
    """Every named route (namespace:name) → its pattern, from django.urls.get_resolver(); unnamed ones by pattern."""
    from django.urls import URLResolver, get_resolver

    found: dict[str, str] = {}

    def walk(resolver, prefix: str, namespace: str | None) -> None:
        for pattern in resolver.url_patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(pattern, text, f"{namespace}:{inner}" if namespace and inner else inner or namespace)
                continue
            if namespace and namespace.split(":")[0] in NAMESPACES:
                continue
            if "format" in pattern.pattern.regex.groupindex:
                continue  # DRF's `.json` suffix variant of a route already listed
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            found.setdefault(name or f"<unnamed {text}>", text)

    walk(get_resolver(), "", None)
    return found


def api_operations() -> list[tuple[str, str, str]]:
    """(route name, schema path, method) for every operation of the API schema (drf-spectacular's generator)."""
    from django.urls import resolve

    from tests.api_schema import api_schema

    schema = api_schema()
    operations = []
    for path, methods in schema["paths"].items():
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        for method in methods:
            if method.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                operations.append((name, path, method.upper()))
    return operations


def api_request_fields(path: str, method: str) -> dict[str, dict]:
    """The request body's properties of an API operation, from the schema (for foreign references)."""
    from tests.api_schema import api_schema

    schema = _schema_cache.get("schema")
    if schema is None:
        schema = _schema_cache["schema"] = api_schema()
    operation = schema["paths"][path][method.lower()]
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref", "")
    component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}) if ref else content.get("schema", {})
    return component.get("properties", {})


_schema_cache: dict = {}


# --- what a user must never see ---------------------------------------------------------------


def foreign_markers(user) -> re.Pattern | None:
    """A pattern matching the codes and names of stores, and the phones and e-mails of contacts, outside the
    user's scope: none of them may appear in what the user gets (lists, exports, error bodies)."""
    stores = Store.objects.exclude(pk__in=SCOPES["store"].reachable(user).values("pk"))
    if scope.user_role(user) == scope.Role.PROMOTER:  # a promoter's own stores are theirs to see (their shifts')
        stores = stores.exclude(pk__in=scope.promoter_stores_for(user).values("pk"))
    contacts = Contact.objects.exclude(pk__in=SCOPES["contact"].reachable(user).values("pk"))
    parts = []
    for code, name in stores.values_list("code", "name"):
        parts.append(rf"(?<![\w-]){re.escape(code)}(?![\w-])")
        parts.append(rf"{re.escape(name)}(?![0-9A-Za-z])")
    for phone, email in contacts.values_list("phone", "email"):
        parts += [re.escape(value) for value in (phone, email) if value and len(value) >= 6]
    return re.compile("|".join(parts)) if parts else None
