"""Who may reach what: the one place that decides a user's data scope (SPEC §1).

Every page and API view starts its queryset here, so a record outside a user's scope is simply
not found (404). Roles: a rep reaches their own stores; a supervisor their team's stores (the reps
whose profile names them, and their own); a manager the accounts they own and those accounts'
stores, and of routes, visits, reports and tasks only what happens at those stores (a rep's week
elsewhere stays out of view); finance and admin everything. A promoter (issue 16) reaches no store, visit or
account as such: only their own roster record, their shifts (and the stores and products of those) and reports.
What a role may do at all (view, add, change, delete) is the role's model permissions (accounts/roles.py), checked by
ka_portal/permissions.py for pages and ka_portal/api.py for the API.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import CollectionTarget, Contact, ContactLog, KeyAccount, SalesTarget, StoreTarget
from accounts.roles import Role
from stores.models import Delivery, Listing, Product, Store

from .errors import DomainError

User = get_user_model()

_EVERYTHING = {Role.ADMIN, Role.FINANCE}


# What a refusal says about a reference outside the user's scope: the same as for one that does not exist,
# never its name or code (a curious colleague learns nothing from guessing ids or codes).
NOT_FOUND_TEXT = _("Not found.")


def not_found(field: str | None = None) -> DomainError:
    """The refusal of a referenced record outside the user's scope (or missing): "Not found.", naming nothing."""
    return DomainError("not_found", NOT_FOUND_TEXT, field=field)


def user_role(user) -> str | None:
    """The user's role, or None for an anonymous user or one without a profile."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def has_role(user, *roles: str) -> bool:
    return user_role(user) in roles


def _reaching(queryset: QuerySet, path: str, reach: QuerySet) -> QuerySet:
    """The rows of `queryset` whose `path` (a__b) is one of `reach`'s rows.

    When `reach` is every row of its model (finance's and an administrator's scope) and `path` is a chain of
    foreign keys the database holds to existing rows (not null, with a constraint), every row qualifies: the
    filter would only add `WHERE x_id IN (SELECT id FROM <every row>)`, which the database still runs (a scan of
    the referenced table and a join or hash for every list, count and report of those users) to remove nothing,
    so it is left out. A key without a constraint (a suggested order's store, kept when its store goes) or one
    that may be null keeps the filter: there it does remove rows."""
    if _is_every_row(reach) and _always_refers(queryset.model, path, reach.model):
        return queryset
    return queryset.filter(**{f"{path}__in": reach})


def _is_every_row(queryset: QuerySet) -> bool:
    query = queryset.query
    return not query.where and not query.is_sliced and not query.combinator and not query.distinct_fields


def _always_refers(model, path: str, target) -> bool:
    """Whether every row of `model` refers, through `path`, to an existing row of `target` (by its key)."""
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if not ((field.many_to_one or field.one_to_one) and field.concrete) or field.null or not field.db_constraint:
            return False
        related = field.related_model
        if field.remote_field.field_name != related._meta.pk.name:
            return False
        model = related
    return model is target


def team_for(user) -> QuerySet:
    """The people a user reports on: for a supervisor their team and themself; for a manager themself and the
    reps working at their accounts' stores (whose records the manager sees only at those stores); for a rep
    just themself; finance and admin everyone."""
    role = user_role(user)
    if role == Role.SUPERVISOR:
        return User.objects.filter(Q(pk=user.pk) | Q(profile__supervisor=user))
    if role in _EVERYTHING:
        return User.objects.all()
    if role == Role.MANAGER:
        return User.objects.filter(Q(pk=user.pk) | Q(pk__in=stores_for(user).values("rep_id")))
    if role == Role.REP:
        return User.objects.filter(pk=user.pk)
    return User.objects.none()


def stores_for(user) -> QuerySet:
    """The stores a user may reach."""
    role = user_role(user)
    stores = Store.objects.all()
    if role in _EVERYTHING:
        return stores
    if role == Role.MANAGER:
        return stores.filter(account__owner=user)
    if role == Role.SUPERVISOR:
        return stores.filter(Q(rep=user) | Q(rep__profile__supervisor=user))
    if role == Role.REP:
        return stores.filter(rep=user)
    return stores.none()


def products_for(user) -> QuerySet:
    """The products a user may name: the whole catalogue for anyone with a role (products are shared master data;
    whether a store lists one is a rule of the service that uses it); a promoter only those listed at the stores of
    their roster (what they may report selling)."""
    role = user_role(user)
    if role == Role.PROMOTER:
        return Product.objects.filter(listings__store__in=promoter_stores_for(user)).distinct()
    return Product.objects.all() if role else Product.objects.none()


def accounts_for(user) -> QuerySet:
    """The key accounts a user may reach: owned ones for a manager; those of their stores for reps and supervisors."""
    role = user_role(user)
    accounts = KeyAccount.objects.all()
    if role in _EVERYTHING:
        return accounts
    if role == Role.MANAGER:
        return accounts.filter(owner=user)
    if role in (Role.SUPERVISOR, Role.REP):
        return accounts.filter(pk__in=stores_for(user).values("account_id"))
    return accounts.none()


def account_owners_for(user) -> QuerySet:
    """The users a key account may name as its owner: the KA managers (only an admin changes an owner:
    accounts.services.account_owner_check)."""
    if not user.is_authenticated:
        return User.objects.none()
    return User.objects.filter(profile__role=Role.MANAGER)


def store_reps_for(user) -> QuerySet:
    """The users a store may be given to by this user (stores.services.store_rep_refusal, at every door): sales reps
    whose account is active — the only role that visits stores, follows a route and logs visits (SPEC §1). A KA
    manager or an administrator gives a store to any of them (reps are not tied to a manager's chains, and a new
    chain has none yet); a supervisor only to their own team's; no one else gives stores out. Never a supervisor,
    manager, finance or promoter: their stores would drop out of every route."""
    role = user_role(user)
    reps = User.objects.filter(profile__role=Role.REP, is_active=True)
    if role in (Role.ADMIN, Role.MANAGER):
        return reps
    if role == Role.SUPERVISOR:
        return reps.filter(profile__supervisor=user)
    return reps.none()


def contacts_for(user) -> QuerySet:
    """The contacts (key persons) of the accounts a user may reach."""
    return _reaching(Contact.objects.all(), "account", accounts_for(user))


def contact_logs_for(user) -> QuerySet:
    """The contact-log entries of the accounts a user may reach."""
    return _reaching(ContactLog.objects.all(), "account", accounts_for(user))


def targets_for(user) -> QuerySet:
    """The sales targets of the accounts a user may reach."""
    return _reaching(SalesTarget.objects.all(), "account", accounts_for(user))


def store_targets_for(user) -> QuerySet:
    """Store targets of the stores a user may reach: a rep their own stores', a supervisor their team's, a manager
    their chains' stores', finance and admin all (who may change them is the role's permission: managers, admins)."""
    return _reaching(StoreTarget.objects.all(), "store", stores_for(user))


def collection_targets_for(user) -> QuerySet:
    """Collection targets (回款指标) of the accounts whose receivables a user sees: finance and admin all, a KA
    manager their own; reps and supervisors none, as they see no receivables (SPEC §1)."""
    return _reaching(CollectionTarget.objects.all(), "account", finance_accounts_for(user))


def listings_for(user) -> QuerySet:
    """The listings (store × product) at the stores a user may reach."""
    return _reaching(Listing.objects.all(), "store", stores_for(user))


def deliveries_for(user) -> QuerySet:
    """The deliveries (sell-in) to the stores a user may reach."""
    return _reaching(Delivery.objects.all(), "store", stores_for(user))


def finance_accounts_for(user) -> QuerySet:
    """Accounts whose contracts and receivables a user may see: finance and admin all, managers their own, reps none."""
    role = user_role(user)
    if role in _EVERYTHING:
        return KeyAccount.objects.all()
    if role == Role.MANAGER:
        return KeyAccount.objects.filter(owner=user)
    return KeyAccount.objects.none()


def visits_for(user) -> QuerySet:
    from visits.models import Visit

    role = user_role(user)
    if role in _EVERYTHING:
        return Visit.objects.all()
    if role == Role.REP:
        return Visit.objects.filter(rep=user)
    return Visit.objects.filter(store__in=stores_for(user))


def route_plans_for(user) -> QuerySet:
    """Route plans a user may reach: a rep their own published ones; a supervisor their team's, drafts included;
    a manager the plans with a stop at their accounts' stores (and of those only these stops: route_stops_for)."""
    from visits.models import RoutePlan, RouteStop

    role = user_role(user)
    if role in _EVERYTHING:
        return RoutePlan.objects.all()
    if role == Role.REP:
        return RoutePlan.objects.filter(rep=user, status=RoutePlan.Status.PUBLISHED)
    if role == Role.SUPERVISOR:
        return RoutePlan.objects.filter(rep__in=team_for(user))
    if role == Role.MANAGER:
        at_my_stores = RouteStop.objects.filter(store__in=stores_for(user)).values("plan_id")
        return RoutePlan.objects.filter(pk__in=at_my_stores)
    return RoutePlan.objects.none()


def route_stops_for(user) -> QuerySet:
    """Route stops a user may reach: the stops of their reachable plans that are at stores they reach."""
    from visits.models import RouteStop

    role = user_role(user)
    if role in _EVERYTHING:
        return RouteStop.objects.all()
    if role == Role.MANAGER:
        # a stop at their stores puts its plan in their reach: the same stops, without the detour through the plans
        return RouteStop.objects.filter(store__in=stores_for(user))
    return RouteStop.objects.filter(plan__in=route_plans_for(user), store__in=stores_for(user))


def tasks_for(user) -> QuerySet:
    """Tasks (交办事项) for the stores a user may reach."""
    from visits.models import Task

    return _reaching(Task.objects.all(), "store", stores_for(user))


def import_jobs_for(user) -> QuerySet:
    """Import jobs a user may reach: their own; an administrator's, everyone's (another user's job is not found)."""
    from imports.models import ImportJob

    if user_role(user) == Role.ADMIN:
        return ImportJob.objects.all()
    return ImportJob.objects.filter(user=user)


def suggested_orders_for(user) -> QuerySet:
    """Suggested orders for the stores a user may reach."""
    from visits.models import SuggestedOrder

    return _reaching(SuggestedOrder.objects.all(), "store", stores_for(user))


def promotion_plans_for(user) -> QuerySet:
    """Promotion plans a user may reach: all for finance and admin; a manager's accounts' plans;
    for a supervisor or rep the plans they or their team drafted, and the plans beyond draft that
    touch their stores (chosen stores, or all the stores of an account they work in)."""
    from promotions.models import PromotionPlan

    role = user_role(user)
    plans = PromotionPlan.objects.all()
    if role in _EVERYTHING:
        return plans
    if role == Role.MANAGER:
        return plans.filter(account__owner=user)
    if role in (Role.SUPERVISOR, Role.REP):
        my_stores = stores_for(user)
        at_my_stores = Q(stores__in=my_stores) | Q(all_stores=True, account__in=accounts_for(user))
        shared = at_my_stores & ~Q(status=PromotionPlan.Status.DRAFT)
        return plans.filter(Q(owner__in=team_for(user)) | shared).distinct()
    return plans.none()


def budgets_for(user) -> QuerySet:
    """Promotion budgets a user may reach: a supervisor those of their team's accounts (to see what is left);
    otherwise those of the accounts whose finances they see (finance and admin all, a manager their own)."""
    from promotions.models import Budget

    accounts = accounts_for(user) if user_role(user) == Role.SUPERVISOR else finance_accounts_for(user)
    return _reaching(Budget.objects.all(), "account", accounts)


def sees_finance(user) -> bool:
    """Whether a user may open finance pages at all (contracts, receivables): finance, admin and KA managers.

    Reps and supervisors are answered 404 on every finance page and endpoint, as if it did not exist.
    """
    return user_role(user) in (*_EVERYTHING, Role.MANAGER)


# --- trade spend (issue 12): finance and admin every account, a KA manager their own chains, reps and supervisors none


def accrual_lines_for(user) -> QuerySet:
    """The trade-spend ledger lines of the accounts whose finances a user sees."""
    from tradespend.models import AccrualLine

    return _reaching(AccrualLine.objects.all(), "account", finance_accounts_for(user))


def disputes_for(user) -> QuerySet:
    """Disputes over the deductions of the accounts whose finances a user sees."""
    from tradespend.models import Dispute

    return _reaching(Dispute.objects.all(), "deduction__account", finance_accounts_for(user))


def remittances_for(user) -> QuerySet:
    """Head-office remittances of the accounts whose finances a user sees."""
    from tradespend.models import Remittance

    return _reaching(Remittance.objects.all(), "account", finance_accounts_for(user))


# --- visit evidence (issue 13)


def display_agreements_for(user) -> QuerySet:
    """Display agreements a user may reach: finance and admin all; a KA manager those of their chains; a rep or
    supervisor those at their stores, and the chain-wide ones of the chains those stores belong to (to check)."""
    from evidence.models import DisplayAgreement

    role = user_role(user)
    agreements = DisplayAgreement.objects.all()
    if role in _EVERYTHING:
        return agreements
    if role == Role.MANAGER:
        return agreements.filter(account__owner=user)
    if role in (Role.SUPERVISOR, Role.REP):
        return agreements.filter(Q(store__in=stores_for(user)) | Q(store__isnull=True, account__in=accounts_for(user)))
    return agreements.none()


def competitor_sightings_for(user) -> QuerySet:
    """Competitor sightings at the stores a user may reach."""
    from evidence.models import CompetitorSighting

    return _reaching(CompetitorSighting.objects.all(), "store", stores_for(user))


def fraud_signals_for(user) -> QuerySet:
    """Fraud signals a user may see: a supervisor their team's; a KA manager those of visits at their chains'
    stores; finance and admin all; a rep none (signals are for those who review them)."""
    from evidence.models import FraudSignal

    role = user_role(user)
    if role in _EVERYTHING:
        return FraudSignal.objects.all()
    if role == Role.SUPERVISOR:
        return FraudSignal.objects.filter(rep__in=team_for(user).exclude(pk=user.pk))
    if role == Role.MANAGER:
        return FraudSignal.objects.filter(visit__store__in=stores_for(user))
    return FraudSignal.objects.none()


def reviews_fraud_signals(user) -> bool:
    """Who confirms or dismisses a signal: a supervisor (their team's) and an administrator."""
    return user_role(user) in (Role.SUPERVISOR, Role.ADMIN)


# --- in-store promoters (issue 16): a supervisor leads the promoters they are named on and those working at their
# team's stores; a KA manager reads those at their chains' stores; finance and admin everyone; a promoter only
# themself. Shifts, sell-out and targets follow the promoter, and for a supervisor or manager also the store.


def promoters_for(user):
    """Roster records a user may reach."""
    from promoters.models import Promoter

    role = user_role(user)
    promoters = Promoter.objects.all()
    if role in _EVERYTHING:
        return promoters
    if role == Role.SUPERVISOR:
        at_my_stores = Promoter.stores.through.objects.filter(store__in=stores_for(user)).values("promoter_id")
        return promoters.filter(Q(supervisor=user) | Q(pk__in=at_my_stores))
    if role == Role.MANAGER:
        at_my_stores = Promoter.stores.through.objects.filter(store__in=stores_for(user)).values("promoter_id")
        return promoters.filter(pk__in=at_my_stores)
    if role == Role.PROMOTER:
        return promoters.filter(user=user)
    return promoters.none()


def promoter_stores_for(user) -> QuerySet:
    """The stores a promoter works at (their roster's stores and those of their shifts); for any other role, the
    stores they reach (stores_for)."""
    if user_role(user) != Role.PROMOTER:
        return stores_for(user)
    from promoters.models import Shift

    mine = promoters_for(user)
    rostered = Store.promoters.through.objects.filter(promoter__in=mine).values("store_id")
    scheduled = Shift.objects.filter(promoter__in=mine).values("store_id")
    return Store.objects.filter(Q(pk__in=rostered) | Q(pk__in=scheduled))


def shifts_for(user) -> QuerySet:
    """Shifts a user may reach: a promoter their own; a supervisor those of the promoters they lead and those at
    their team's stores; a KA manager those at their chains' stores; finance and admin all."""
    from promoters.models import Shift

    role = user_role(user)
    shifts = Shift.objects.all()
    if role in _EVERYTHING:
        return shifts
    if role == Role.SUPERVISOR:
        return shifts.filter(Q(promoter__supervisor=user) | Q(store__in=stores_for(user)))
    if role == Role.MANAGER:
        return shifts.filter(store__in=stores_for(user))
    if role == Role.PROMOTER:
        return shifts.filter(promoter__user=user)
    return shifts.none()


def sell_out_for(user) -> QuerySet:
    """Sell-out lines of the shifts a user may reach."""
    from promoters.models import SellOutLine

    return _reaching(SellOutLine.objects.all(), "shift", shifts_for(user))


def store_sell_out_for(user) -> QuerySet:
    """Sell-out reported at the stores a user reaches, for the store page's figures per product (naming no
    promoter): a rep sees what shoppers bought at their stores even though promoters' records are not theirs."""
    from promoters.models import SellOutLine

    return _reaching(SellOutLine.objects.all(), "shift__store", stores_for(user))


def promoter_targets_for(user) -> QuerySet:
    """Monthly sell-out targets of the promoters a user may reach (a promoter sees their own)."""
    from promoters.models import PromoterTarget

    return _reaching(PromoterTarget.objects.all(), "promoter", promoters_for(user))
