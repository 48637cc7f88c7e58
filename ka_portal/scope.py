"""Who may reach what: the one place that decides a user's data scope (SPEC §1).

Every page and API view starts its queryset here, so a record outside a user's scope is simply
not found (404). Roles: a rep reaches their own stores; a supervisor their team's stores (the reps
whose profile names them, and their own); a manager the accounts they own and those accounts'
stores; finance and admin everything.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from accounts.models import KeyAccount
from accounts.roles import Role
from stores.models import Store

User = get_user_model()

_EVERYTHING = {Role.ADMIN, Role.FINANCE}


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


def team_for(user) -> QuerySet:
    """The reps a user leads: for a supervisor their team and themself; for others just themself."""
    role = user_role(user)
    if role == Role.SUPERVISOR:
        return User.objects.filter(Q(pk=user.pk) | Q(profile__supervisor=user))
    if role in _EVERYTHING:
        return User.objects.all()
    if role == Role.MANAGER:
        return User.objects.filter(
            Q(pk=user.pk) | Q(stores__account__owner=user) | Q(profile__supervisor__stores__account__owner=user)
        ).distinct()
    return User.objects.filter(pk=user.pk)


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
    """Route plans a user may reach: a rep their own published ones; leads their team's, drafts included."""
    from visits.models import RoutePlan

    role = user_role(user)
    if role in _EVERYTHING:
        return RoutePlan.objects.all()
    if role == Role.REP:
        return RoutePlan.objects.filter(rep=user, status=RoutePlan.Status.PUBLISHED)
    if role in (Role.SUPERVISOR, Role.MANAGER):
        return RoutePlan.objects.filter(rep__in=team_for(user))
    return RoutePlan.objects.none()


def tasks_for(user) -> QuerySet:
    """Tasks (交办事项) for the stores a user may reach."""
    from visits.models import Task

    return Task.objects.filter(store__in=stores_for(user))


def suggested_orders_for(user) -> QuerySet:
    """Suggested orders for the stores a user may reach."""
    from visits.models import SuggestedOrder

    return SuggestedOrder.objects.filter(store__in=stores_for(user))


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


def sees_finance(user) -> bool:
    """Whether a user may open finance pages at all (contracts, receivables): finance, admin and KA managers.

    Reps and supervisors are answered 404 on every finance page and endpoint, as if it did not exist.
    """
    return user_role(user) in (*_EVERYTHING, Role.MANAGER)
