"""Writes for promotions: drafting, the approval workflow against the budget, date moves, evaluation.

Every entry point (pages, API, admin, the daily task) goes through these functions, and every
check of SPEC §5's rules goes through promotions/rules.py via `selectors.plan_violations`.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from accounts.roles import Role
from ka_portal import bounds
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.formatting import display_name
from ka_portal.money import CENT
from ka_portal.scope import accounts_for, not_found, stores_for, team_for, user_role
from promoters.sellout_selectors import plan_sell_out
from stores.models import Product, Store

from . import notes, selectors
from .evaluation import Evaluation, SellOutEvaluation, days_through, plan_cost_so_far
from .models import Budget, PromotionEvaluation, PromotionItem, PromotionPlan, PromotionTransition, PromotionType
from .rules import (
    ItemFacts,
    blocking,
    budget_period_problem,
    budget_shortfall,
    money,
    product_named_twice,
    reversed_dates,
    start_passed,
    store_of_another_account,
    supply_price_violation,
    tg_fee_without_end_cap,
    too_many_products,
)

Status = PromotionPlan.Status


@dataclass
class ItemInput:
    product: Product
    promotion_price: Decimal
    forecast_volume: int = 0
    promo_supply_price: Decimal | None = None  # the maker's promotional supply price (促销供价), when agreed


@dataclass
class PlanInput:
    account: KeyAccount
    type: PromotionType
    title: str
    start_on: date
    end_on: date
    items: list[ItemInput]
    all_stores: bool = True
    stores: list[Store] = field(default_factory=list)
    mechanics: str = ""
    dm_slot: bool = False
    end_cap: bool = False
    floor_stack: bool = False
    dm_fee: Decimal = Decimal("0")
    tg_fee: Decimal = Decimal("0")
    promoter_fee: Decimal = Decimal("0")
    gift_cost: Decimal = Decimal("0")
    company_share: Decimal | None = None
    price_floor_override_reason: str = ""


# --- who may do what ---------------------------------------------------------------------------


def can_edit(user, plan: PromotionPlan) -> bool:
    """A draft may be edited by its owner, the owner's supervisor, the account's manager, an admin (and submitted by
    them, a sales rep excepted: can_submit)."""
    return plan.status == Status.DRAFT and _works_on(user, plan)


def _works_on(user, plan: PromotionPlan) -> bool:
    """Whose plan this is to work on, whatever its status: its owner, the owner's supervisor, the account's KA
    manager, an admin (each step asks its status and, for submitting and withdrawing, the user's role too)."""
    if not user.has_perm("promotions.change_promotionplan"):
        return False
    role = user_role(user)
    if role == Role.ADMIN or plan.owner_id == user.pk:
        return True
    if role == Role.MANAGER:
        return plan.account.owner_id == user.pk
    if role == Role.SUPERVISOR:
        return team_for(user).filter(pk=plan.owner_id).exists()
    return False


def can_submit(user, plan: PromotionPlan) -> bool:
    """Whether submitting this draft is the user's step: whoever may edit it, but a sales rep (submit_refusal)."""
    return can_edit(user, plan) and submit_refusal(user, plan) is None


def submit_refusal(user, plan: PromotionPlan | None = None) -> DomainError | None:
    """SPEC §1: a sales rep drafts promotion requests; the supervisor drafts and submits plans, and the account's
    KA manager may too. A rep's draft reaches the manager through them: the refusal names who submits it (the
    rep's supervisor, else the account's manager). Asked at every door by promotion_submit; the pages ask it to
    offer the button or say who submits instead (of a plan, or of any: it depends on the user's role alone)."""
    return _left_to_who_submits(
        user,
        "promotion.rep_cannot_submit",
        _("A sales rep drafts promotion requests; your supervisor, %(supervisor)s, submits them for approval."),
        _("A sales rep drafts promotion requests; the account's KA manager submits them for approval."),
    )


def withdraw_refusal(user, plan: PromotionPlan | None = None) -> DomainError | None:
    """SPEC §1: submitting a plan is the supervisor's step (or the account's KA manager's), and so is taking it back:
    a sales rep does not withdraw a submitted plan, their request included, but asks who submits it. The refusal names
    who withdraws it (the rep's supervisor, else the account's manager). Asked at every door by promotion_withdraw;
    the plan page says it instead of the button (of a plan, or of any: it depends on the user's role alone)."""
    return _left_to_who_submits(
        user,
        "promotion.rep_cannot_withdraw",
        _(
            "A sales rep cannot withdraw a submitted plan; your supervisor, %(supervisor)s, or the account's KA "
            "manager withdraws it to draft for you to change."
        ),
        _(
            "A sales rep cannot withdraw a submitted plan; the account's KA manager withdraws it to draft for you to "
            "change."
        ),
    )


def _left_to_who_submits(user, code: str, by_supervisor, by_manager) -> DomainError | None:
    """A step a sales rep leaves to who submits: refused naming the rep's supervisor (`by_supervisor`, with
    %(supervisor)s), or, for a rep without one, the account's KA manager (`by_manager`); None for anyone else."""
    if user_role(user) != Role.REP:
        return None
    supervisor = getattr(getattr(user, "profile", None), "supervisor", None)
    if supervisor is not None:
        return DomainError(code, by_supervisor, supervisor=display_name(supervisor))
    return DomainError(code, by_manager)


def can_decide(user, plan: PromotionPlan) -> bool:
    """Approve or reject: the account's KA manager, or an admin."""
    if not user.has_perm("promotions.approve_promotionplan"):
        return False
    return user_role(user) == Role.ADMIN or plan.account.owner_id == user.pk


def can_reject(user, plan: PromotionPlan) -> bool:
    """Whether rejecting is this user's step now: a submitted plan they decide (promotion_reject)."""
    return plan.status == Status.SUBMITTED and can_decide(user, plan)


def gives_second_approval(user, plan: PromotionPlan) -> bool:
    """Above the threshold, the approval after the first is an admin's, and not the one who gave the first."""
    return user_role(user) == Role.ADMIN and plan.first_approved_by_id != user.pk


def can_approve(user, plan: PromotionPlan) -> bool:
    """Whether approving is this user's step now: a submitted plan they decide, unless it has its first approval
    and waits for a second one that is not theirs to give (promotion_approve refuses it; the pages offer nothing)."""
    if plan.status != Status.SUBMITTED or not can_decide(user, plan):
        return False
    if needs_second_approval(plan) and plan.first_approved_by_id is not None:
        return gives_second_approval(user, plan)
    return True


def can_override_floor(user, account) -> bool:
    role = user_role(user)
    return role == Role.ADMIN or (role == Role.MANAGER and account.owner_id == user.pk)


def needs_second_approval(plan: PromotionPlan) -> bool:
    return plan.total_cost > Decimal(str(settings.KA.promotion_second_approval_above))


def all_stores_refusal(user, account: KeyAccount) -> DomainError | None:
    """A plan for all of a chain's stores is drafted only by who reaches every active store of it (a rep who covers
    some of them chooses theirs). Saving refuses it (_check_drafting_scope) and the plan form's live check says it
    beside the all-stores box, in these words."""
    outside = Store.objects.active().filter(account=account).exclude(pk__in=stores_for(user).values("pk"))
    if not outside.exists():
        return None
    return DomainError(
        "promotion.stores_out_of_scope",
        _("%(account)s has stores outside your reach: choose your stores instead of all stores."),
        field="stores",
        account=str(account),
    )


def _check_drafting_scope(user, data: PlanInput) -> None:
    if not accounts_for(user).filter(pk=data.account.pk).exists():
        raise not_found("account")  # outside the user's scope: as if it did not exist, named nowhere
    reach = stores_for(user)
    if data.all_stores:
        refusal = all_stores_refusal(user, data.account)
        if refusal is not None:
            raise refusal
        return
    if not data.stores:
        raise DomainError("promotion.no_stores", _("Choose at least one store."), field="stores")
    for store in data.stores:
        if not reach.filter(pk=store.pk).exists():
            raise not_found("stores")  # another rep's or manager's store: named nowhere
        other = store_of_another_account(store, data.account)  # one the user sees, of another chain: said whose
        if other:
            raise other


# --- drafting ----------------------------------------------------------------------------------


def _already_saved(plan: PromotionPlan) -> DomainConflict:
    return DomainConflict(
        "promotion.already_saved",
        _("This form was already sent: it saved plan no. %(id)s."),
        id=plan.pk,
    )


@transaction.atomic
def promotion_save_draft(
    *, user, data: PlanInput, plan: PromotionPlan | None = None, client_key: str = ""
) -> PromotionPlan:
    """Create or change a draft; the plan's shape (dates, products) is refused here, the rules of SPEC §5
    are shown while drafting and enforced on submitting.

    `client_key` (the page form's key) makes creating safe to send twice: a second send with the same key
    is refused with promotion.already_saved naming the first plan, and writes nothing."""
    if plan is None:
        if not user.has_perm("promotions.add_promotionplan"):
            raise PermissionDenied
        first = PromotionPlan.objects.filter(owner=user, client_key=client_key).first() if client_key else None
        if first is not None:
            raise _already_saved(first)
        plan = PromotionPlan(owner=user, client_key=client_key)
    else:
        plan = PromotionPlan.objects.select_for_update().get(pk=plan.pk)
        if not can_edit(user, plan):
            raise DomainError(
                "promotion.not_editable",
                _("Only a draft can be changed, by its owner, their supervisor or the account's manager."),
            )
    _check_drafting_scope(user, data)
    reversed_ = reversed_dates(data.start_on, data.end_on)
    if reversed_ is not None:
        raise reversed_.as_error(field="end_on")
    if not data.items:
        raise DomainError("promotion.no_products", _("Add at least one product."), field="items")
    too_many = too_many_products(len(data.items))
    if too_many is not None:
        raise too_many.as_error()
    twice = product_named_twice(item.product.pk for item in data.items)
    if twice is not None:
        raise twice.as_error()
    for item in data.items:
        bounds.check_packs(item.forecast_volume, field="items")
    unbought = tg_fee_without_end_cap(data.end_cap, data.tg_fee)
    if unbought is not None:
        raise unbought.as_error(field="tg_fee")
    for name in (
        "account",
        "type",
        "title",
        "start_on",
        "end_on",
        "all_stores",
        "mechanics",
        "dm_slot",
        "end_cap",
        "floor_stack",
        "dm_fee",
        "tg_fee",
        "promoter_fee",
        "gift_cost",
        "company_share",
    ):
        setattr(plan, name, getattr(data, name))
    reason = data.price_floor_override_reason.strip()
    if reason != plan.price_floor_override_reason:
        # The override is the manager's word: anyone else's reason is not recorded as one.
        if reason and not can_override_floor(user, data.account):
            raise DomainError(
                "promotion.override_not_allowed",
                _("Only the account's KA manager may override the price floor."),
                field="price_floor_override_reason",
            )
        plan.price_floor_override_reason = reason
        plan.price_floor_override_by = user if reason else None
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        # The same form sent twice at once: the other send holds the key and its plan.
        first = PromotionPlan.objects.filter(owner=user, client_key=client_key).first() if client_key else None
        if first is None:
            raise
        raise _already_saved(first) from None
    plan.stores.set([] if data.all_stores else data.stores)
    prices = selectors.item_prices(
        account=data.account, all_stores=data.all_stores, stores=data.stores, products=[i.product for i in data.items]
    )
    _check_supply_prices(data.items, prices)
    plan.items.all().delete()
    PromotionItem.objects.bulk_create(
        PromotionItem(
            plan=plan,
            product=item.product,
            normal_price=prices[item.product.pk]["normal"],
            promotion_price=item.promotion_price,
            forecast_volume=item.forecast_volume,
            normal_supply_price=prices[item.product.pk]["purchase"],
            promo_supply_price=item.promo_supply_price,
        )
        for item in data.items
    )
    _recompute_costs(plan)
    if plan.transitions.count() == 0:
        _log(plan, "", Status.DRAFT, user)
    return plan


def _check_supply_prices(items: list[ItemInput], prices: dict[int, dict]) -> None:
    """A promotional supply price is refused while drafting when it is not below the normal purchase price
    (rule 3's promotion.supply_price, the same words as on submitting)."""
    for index, item in enumerate(items):
        if item.promo_supply_price is None:
            continue
        bounds.check_money(item.promo_supply_price, field=f"item-{index}", label=_("The promotional supply price"))
        facts = ItemFacts(
            product_id=item.product.pk,
            product=f"{item.product.code} {item.product.name}",
            promotion_price=item.promotion_price,
            normal_price=None,
            store_purchase_price=prices[item.product.pk]["purchase"],
            promo_supply_price=item.promo_supply_price,
        )
        violation = supply_price_violation(index, facts)
        if violation is not None:
            raise violation.as_error()


def supply_funding(items, volumes: dict[int, int] | None = None) -> Decimal:
    """Σ (normal − promotional supply price) × volume over the funded items (SPEC §5 with issue 12): the
    forecast volume, or `volumes` by product id (the packs actually sold in, for the evaluation)."""
    total = Decimal("0")
    for item in items:
        if item.promo_supply_price is None or item.normal_supply_price is None:
            continue
        volume = item.forecast_volume if volumes is None else volumes.get(item.product_id, 0)
        total += max(item.normal_supply_price - item.promo_supply_price, Decimal("0")) * volume
    return total.quantize(CENT)


def price_support(items, share: Decimal | None) -> Decimal:
    """Σ (normal − promotion price) × forecast volume × company share (SPEC §5)."""
    if share is None:
        return Decimal("0.00")
    total = sum(
        (max(item.normal_price - item.promotion_price, Decimal("0")) * item.forecast_volume for item in items),
        Decimal("0"),
    )
    return (total * share).quantize(CENT)


def _recompute_costs(plan: PromotionPlan) -> None:
    # Each fee fits its column; their sum and the support computed from volumes may not (refused, naming it).
    items = list(plan.items.all())
    plan.price_support = bounds.check_money(
        price_support(items, plan.share), field="price_support", label=_("The price support")
    )
    plan.supply_funding = bounds.check_money(
        supply_funding(items), field="supply_funding", label=_("The supply price funding")
    )
    plan.total_cost = bounds.check_money(
        plan.dm_fee + plan.tg_fee + plan.promoter_fee + plan.gift_cost + plan.price_support + plan.supply_funding,
        field="total_cost",
        label=_("The plan's total cost"),
    )
    plan.save(update_fields=["price_support", "supply_funding", "total_cost"])


# --- the workflow ------------------------------------------------------------------------------


def _log(
    plan: PromotionPlan, from_status: str, to_status: str, by, note: str = "", message: str = "", **params
) -> None:
    """Log a step: `note` is what a person typed; `message` a code of promotions.notes with its `params`, the
    system's own words, made a sentence in the reader's language when read."""
    PromotionTransition.objects.create(
        plan=plan, from_status=from_status, to_status=to_status, by=by, note=note, message=message, params=params
    )


def _move(plan: PromotionPlan, to_status: str, by, note: str = "", fields=(), message: str = "", **params) -> None:
    from_status = plan.status
    plan.status = to_status
    plan.save(update_fields=["status", *fields])
    _log(plan, from_status, to_status, by, note, message, **params)


def _locked(plan: PromotionPlan) -> PromotionPlan:
    # of=("self",): lock the plan row only; the budget row is what serialises approvals.
    return PromotionPlan.objects.select_for_update(of=("self",)).select_related("account", "type").get(pk=plan.pk)


def _require_status(plan: PromotionPlan, *allowed: str) -> None:
    if plan.status not in allowed:
        raise DomainError(
            "promotion.wrong_status",
            _("This plan is %(status_label)s; that step is not possible now."),
            status=plan.status,  # the code, for a client (the same in every language); the message names it
            status_label=plan.get_status_display(),
        )


def _enforce_rules(plan: PromotionPlan) -> None:
    """No entry point passes a plan on while a rule is broken: the first broken rule is the refusal."""
    if plan.share is None:
        raise DomainError(
            "promotion.share_missing",
            _("A %(type)s has no standard company share: enter the agreed share."),
            field="company_share",
            type=plan.type.local_name,
        )
    unbought = tg_fee_without_end_cap(plan.end_cap, plan.tg_fee)  # a draft saved before the rule
    if unbought is not None:
        raise unbought.as_error(field="tg_fee")
    broken = blocking(selectors.plan_violations(plan))
    if broken:
        raise broken[0].as_error()


@transaction.atomic
def promotion_submit(*, plan: PromotionPlan, by, today: date | None = None) -> PromotionPlan:
    """Send a draft for approval: by whoever may edit it, a sales rep excepted (submit_refusal), before its start,
    with no rule broken."""
    plan = _locked(plan)
    if not can_edit(by, plan):
        if plan.status != Status.DRAFT:
            _require_status(plan, Status.DRAFT)
        raise PermissionDenied
    not_theirs = submit_refusal(by, plan)
    if not_theirs is not None:
        raise not_theirs
    passed = start_passed(plan.start_on, today or _today())
    if passed is not None:
        raise passed.as_error()
    _enforce_rules(plan)
    _move(plan, Status.SUBMITTED, by)
    return plan


@transaction.atomic
def promotion_approve(*, plan: PromotionPlan, by, note: str = "") -> PromotionPlan:
    """Approve against the account's budget for the plan's start; the budget row is locked first, so
    two managers approving at the same moment cannot spend it twice. Above the threshold the first
    approval waits for an admin's second one, and only that one consumes the budget."""
    plan = _locked(plan)
    if not can_decide(by, plan):
        raise PermissionDenied
    _require_status(plan, Status.SUBMITTED)
    _enforce_rules(plan)
    budget = _lock_budget(plan)
    second_needed = needs_second_approval(plan)
    if second_needed and plan.first_approved_by_id is None:
        plan.first_approved_by = by
        plan.save(update_fields=["first_approved_by"])
        _log(plan, Status.SUBMITTED, Status.SUBMITTED, by, note, "" if note else notes.FIRST_APPROVAL)
        return plan
    if second_needed and not gives_second_approval(by, plan):
        raise DomainError(
            "promotion.second_approval",
            _("Above %(threshold)s a second approval by another person, an admin, is needed."),
            threshold=money(Decimal(str(settings.KA.promotion_second_approval_above))),
        )
    budget.consumed += plan.total_cost
    budget.save(update_fields=["consumed"])
    plan.budget = budget
    _move(plan, Status.APPROVED, by, note, fields=["budget"])
    if plan.start_on <= _today():
        # Approved on or after its start day: running now, not from the next night's date move on.
        _move(plan, Status.RUNNING, None, message=notes.START_REACHED)
    from evidence import hooks as evidence

    evidence.agreement_sources_changed([plan.account_id])  # the end caps and floor stacks it bought: agreements now
    return plan


def _lock_budget(plan: PromotionPlan) -> Budget:
    budget = selectors.budget_for(account=plan.account, on=plan.start_on)
    if budget is not None:
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
    shortfall = budget_shortfall(cost=plan.total_cost, budget=budget, account=str(plan.account), on=plan.start_on)
    if shortfall is not None:
        raise shortfall.as_error(field=None, conflict=True)
    return budget


# The longest rejection reason (promotion.reason_too_long): a few sentences for the planner, as a visit review's
# comment (visits.models.VisitReview.COMMENT_MAX); the plan's page and its history show it whole.
REASON_MAX = 1000


@transaction.atomic
def promotion_reject(*, plan: PromotionPlan, by, reason: str) -> PromotionPlan:
    plan = _locked(plan)
    if not can_decide(by, plan):
        raise PermissionDenied
    _require_status(plan, Status.SUBMITTED)
    if not reason.strip():
        raise DomainError("promotion.reason_required", _("Give the reason for the rejection."), field="reason")
    if len(reason.strip()) > REASON_MAX:
        raise DomainError(
            "promotion.reason_too_long",
            _("The reason has %(length)s characters; a rejection's reason has at most %(max)s."),
            field="reason",
            length=len(reason.strip()),
            max=REASON_MAX,
        )
    plan.rejection_reason = reason.strip()
    _move(plan, Status.REJECTED, by, plan.rejection_reason, fields=["rejection_reason"])
    return plan


# --- undoing a step -----------------------------------------------------------------------------


def can_withdraw(user, plan: PromotionPlan) -> bool:
    """A submitted plan may be taken back to draft, before the decision, by who submits it (SPEC §1): the owner's
    supervisor, the account's KA manager, an admin, or its owner when not a sales rep (withdraw_refusal)."""
    return plan.status == Status.SUBMITTED and _works_on(user, plan) and withdraw_refusal(user, plan) is None


def can_reopen(user, plan: PromotionPlan) -> bool:
    """A rejected plan may be reopened as a new draft by its owner, once."""
    return plan.status == Status.REJECTED and _is_owner(user, plan) and selectors.reopened_as(plan) is None


def _is_owner(user, plan: PromotionPlan) -> bool:
    # Reopening is the owner's alone: the new draft is theirs, and a supervisor drafts for the team but the plan
    # stays its owner's.
    return plan.owner_id == user.pk and user.has_perm("promotions.change_promotionplan")


def _owners_step(plan: PromotionPlan, by, status: str, code: str, message) -> PromotionPlan:
    """Lock the plan for a step only its owner may take, and only from `status`; refuse otherwise."""
    plan = _locked(plan)
    if not _is_owner(by, plan):
        raise PermissionDenied
    if plan.status != status:
        raise DomainError(code, message, status=plan.status, status_label=plan.get_status_display())
    return plan


@transaction.atomic
def promotion_withdraw(*, plan: PromotionPlan, by, reason: str = "") -> PromotionPlan:
    """Who submits a plan takes it back to draft before the decision, to change it and submit again: the owner's
    supervisor, the account's KA manager, an admin, or the owner unless a sales rep (withdraw_refusal, SPEC §1).

    The budget is untouched: only the final approval consumes it, and a submitted plan has none. A first
    approval above the threshold goes with the withdrawal: the changed plan is decided afresh."""
    plan = _locked(plan)
    if not _works_on(by, plan):
        raise PermissionDenied
    if plan.status != Status.SUBMITTED:
        raise DomainError(
            "promotion.withdraw_status",
            _("This plan is %(status_label)s: only a submitted plan awaiting its decision can be withdrawn."),
            status=plan.status,
            status_label=plan.get_status_display(),
        )
    not_theirs = withdraw_refusal(by, plan)
    if not_theirs is not None:
        raise not_theirs
    void = {}
    if plan.first_approved_by_id is not None:
        who = display_name(plan.first_approved_by)
        void = {"message": notes.FIRST_APPROVAL_VOID, "who": who}
        plan.first_approved_by = None
    _move(plan, Status.DRAFT, by, reason.strip(), fields=["first_approved_by"], **void)
    return plan


@transaction.atomic
def promotion_reopen(*, plan: PromotionPlan, by) -> PromotionPlan:
    """The owner reopens a rejected plan as a new draft with the same account, stores, products and costs.

    The rejected plan stays as it was decided, with its log; the new draft points back to it
    (``reopened_from``) and both logs say so. The drafting rules apply again (the owner's scope today,
    today's shelf prices); a price floor override is the manager's word for the old plan and is not
    carried over. Nothing touches the budget."""
    plan = _owners_step(
        plan,
        by,
        Status.REJECTED,
        "promotion.reopen_status",
        _("This plan is %(status_label)s: only a rejected plan can be reopened."),
    )
    already = selectors.reopened_as(plan)
    if already is not None:
        raise DomainConflict(
            "promotion.already_reopened",
            _("This plan was already reopened as draft %(title)s (no. %(id)s)."),
            title=already.title,
            id=already.pk,
        )
    items = [
        ItemInput(item.product, item.promotion_price, item.forecast_volume, item.promo_supply_price)
        for item in plan.items.select_related("product").order_by("id")
    ]
    data = PlanInput(
        account=plan.account,
        type=plan.type,
        title=plan.title,
        start_on=plan.start_on,
        end_on=plan.end_on,
        items=items,
        all_stores=plan.all_stores,
        stores=list(plan.stores.all()),
        mechanics=plan.mechanics,
        dm_slot=plan.dm_slot,
        end_cap=plan.end_cap,
        floor_stack=plan.floor_stack,
        dm_fee=plan.dm_fee,
        tg_fee=plan.tg_fee,
        promoter_fee=plan.promoter_fee,
        gift_cost=plan.gift_cost,
        company_share=plan.company_share,
    )
    draft = promotion_save_draft(user=by, data=data)
    draft.reopened_from = plan
    draft.save(update_fields=["reopened_from"])
    draft.transitions.filter(from_status="", to_status=Status.DRAFT).update(
        message=notes.REOPENED_FROM, params={"id": plan.pk, "reason": plan.rejection_reason}
    )
    _log(plan, Status.REJECTED, Status.REJECTED, by, message=notes.REOPENED_AS, id=draft.pk)
    return draft


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


@transaction.atomic
def promotions_advance_by_date(*, today: date | None = None) -> dict[str, int]:
    """The daily move: approved plans start on their start date, running ones end after their end date,
    ended ones are evaluated once late deliveries had time to arrive. Safe to run twice."""
    today = today or _today()
    counts = {"running": 0, "ended": 0, "evaluated": 0}
    for plan in PromotionPlan.objects.select_for_update().filter(status=Status.APPROVED, start_on__lte=today):
        _move(plan, Status.RUNNING, None, message=notes.START_REACHED)
        counts["running"] += 1
    for plan in PromotionPlan.objects.select_for_update().filter(status=Status.RUNNING, end_on__lt=today):
        _move(plan, Status.ENDED, None, message=notes.END_PASSED)
        counts["ended"] += 1
    wait = timedelta(days=settings.KA.promotion_evaluate_after_days)
    for plan in PromotionPlan.objects.filter(status=Status.ENDED, end_on__lt=today - wait):
        promotion_evaluate(plan=plan, by=None)
        counts["evaluated"] += 1
    return counts


def evaluation_figures(plan: PromotionPlan, *, through: date | None = None) -> Evaluation:
    """The figures after the end. The supply price funding is counted on the packs actually sold in during the
    promotion (the chain bought them at the promotional supply price), so the actual cost replaces the forecast
    funding with it; fees and price support stay as planned.

    With ``through`` (on or after the start), the figures so far: the plan's days from its start through that day,
    capped at its end (evaluation.days_through), against as many days just before the start, sell-in and sell-out
    alike; the cost is what was spent to date (evaluation.plan_cost_so_far: the plan's fees and costs for the share
    of its days so far, the funding on the packs sold in so far), so the expense ratio and the cost per extra pack
    weigh the cost of the days whose sales they count."""
    days = plan.days if through is None else days_through(plan.start_on, plan.end_on, through)
    if days < 1:
        raise ValueError("through is before the plan's start: there are no figures so far")
    last = plan.start_on + timedelta(days=days - 1)
    units, amount = selectors.sales_between(plan, plan.start_on, last)
    before_end = plan.start_on - timedelta(days=1)
    base_units, base_amount = selectors.sales_between(plan, plan.start_on - timedelta(days=days), before_end)
    funding = supply_funding(plan.items.all(), selectors.units_by_product(plan, plan.start_on, last))
    cost = plan_cost_so_far(plan, days=days, funding=funding)  # all of it over the whole period
    # what shoppers bought, where promoters reported (issue 16): compared per reported store-day
    sell_out = SellOutEvaluation.of(plan_sell_out([plan], through=through)[plan.pk], cost)
    return Evaluation(
        days, units, amount, base_units, base_amount, cost, funding, sell_out, through=None if through is None else last
    )


def evaluation_so_far(plan: PromotionPlan, *, today: date | None = None) -> Evaluation | None:
    """A running plan's preliminary figures over its days so far (its start through today in the company's time
    zone, capped at its end); None for a plan not running or not started yet. Read only: nothing is kept (the
    kept evaluation is the one after the end, promotion_evaluate). The plan page and the API show these."""
    today = today or _today()
    if plan.status != Status.RUNNING or today < plan.start_on:
        return None
    return evaluation_figures(plan, through=today)


def sell_out_fields(sell_out: SellOutEvaluation) -> dict:
    """The evaluation's sell-out columns from the pure figures."""
    return {
        "sell_out_units": sell_out.units,
        "sell_out_amount": sell_out.amount,
        "sell_out_store_days": sell_out.store_days,
        "sell_out_compared_units": sell_out.compared_units,
        "sell_out_compared_days": sell_out.compared_days,
        "sell_out_baseline_units": sell_out.baseline_units,
        "sell_out_baseline_days": sell_out.baseline_days,
        "sell_out_uplift": sell_out.uplift,
        "sell_out_incremental_units": sell_out.incremental_units,
        "sell_out_cost_per_incremental_unit": sell_out.cost_per_incremental_unit,
    }


@transaction.atomic
def promotion_evaluate(*, plan: PromotionPlan, by) -> PromotionEvaluation:
    plan = _locked(plan)
    _require_status(plan, Status.ENDED, Status.EVALUATED)
    figures = evaluation_figures(plan)
    evaluation, _created = PromotionEvaluation.objects.update_or_create(
        plan=plan,
        defaults={
            "days": figures.days,
            "sales_units": figures.sales_units,
            "sales_amount": figures.sales_amount,
            "baseline_units": figures.baseline_units,
            "baseline_amount": figures.baseline_amount,
            "uplift": figures.uplift,
            "total_cost": figures.total_cost,
            "supply_funding": figures.supply_funding,
            "cost_per_incremental_unit": figures.cost_per_incremental_unit,
            "expense_ratio": figures.expense_ratio,
            **sell_out_fields(figures.sell_out),
        },
    )
    if plan.status == Status.ENDED:
        _move(plan, Status.EVALUATED, by)
    return evaluation


# --- budgets -----------------------------------------------------------------------------------


@transaction.atomic
def budget_save(
    *, user, account: KeyAccount, period_start: date, period_end: date, amount: Decimal, budget: Budget | None = None
) -> Budget:
    """Set an account's budget for a period (a month or a quarter); never below what approved plans consumed."""
    if not user.has_perm("promotions.change_budget" if budget else "promotions.add_budget"):
        raise PermissionDenied
    if user_role(user) != Role.ADMIN and account.owner_id != user.pk:
        raise not_found("account")  # another manager's account: as if it did not exist
    if budget is not None:
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
    problem = budget_problem(
        account=account, period_start=period_start, period_end=period_end, amount=amount, budget=budget
    )
    if problem:
        raise problem
    budget = budget or Budget(account=account)
    budget.account, budget.period_start, budget.period_end, budget.amount = account, period_start, period_end, amount
    budget.save()
    return budget


def budget_problem(
    *, account: KeyAccount, period_start: date, period_end: date, amount: Decimal, budget: Budget | None
) -> DomainError | None:
    """What is wrong with a budget as entered, the first of budget_problems, or None."""
    problems = budget_problems(
        account=account, period_start=period_start, period_end=period_end, amount=amount, budget=budget
    )
    return problems[0] if problems else None


def budget_problems(
    *,
    account: KeyAccount | None,
    period_start: date | None,
    period_end: date | None,
    amount: Decimal | None,
    budget: Budget | None,
) -> list[DomainError]:
    """Everything wrong with a budget as entered, at most one refusal per thing entered (the period, the account's
    place, the amount), so a form names every bad field at once (the page's and the admin's forms ask this; the
    service refuses the first). What is None (not entered, or not readable) is not asked about."""
    problems = []
    period = _budget_period_problem(account=account, period_start=period_start, period_end=period_end, budget=budget)
    if period:
        problems.append(period)
    consumed = budget.consumed if budget is not None else Decimal("0")
    if amount is not None and amount < consumed:
        problems.append(
            DomainError(
                "budget.below_consumed",
                _("Approved plans already use %(consumed)s of this budget; it cannot be lower."),
                field="amount",
                consumed=money(consumed),
            )
        )
    return problems


def _budget_period_problem(
    *, account: KeyAccount | None, period_start: date | None, period_end: date | None, budget: Budget | None
) -> DomainError | None:
    """The period's first problem: reversed, not a whole month or quarter, over another budget, or leaving out
    the plans drawn on it (each asked only once the one before holds: they measure a well-formed period)."""
    if period_start is None or period_end is None:
        return None
    if period_end < period_start:
        return DomainError("budget.period_reversed", _("The period ends before it starts."), field="period_end")
    shape = budget_period_problem(period_start, period_end)
    if shape or account is None:
        return shape
    overlapping = Budget.objects.filter(account=account, period_start__lte=period_end, period_end__gte=period_start)
    if budget is not None and budget.pk:
        overlapping = overlapping.exclude(pk=budget.pk)
    other = overlapping.first()
    if other:
        return DomainError(
            "budget.overlap",
            _("%(account)s already has a budget for %(start)s–%(end)s."),
            field="period_start",
            account=str(account),
            start=other.period_start.isoformat(),
            end=other.period_end.isoformat(),
        )
    return _plans_left_outside(budget, account=account, period_start=period_start, period_end=period_end)


def _plans_left_outside(
    budget: Budget | None, *, account: KeyAccount, period_start: date, period_end: date
) -> DomainError | None:
    """The plans approved on a budget drew on it for their start dates: a budget keeps its account and a period
    that holds them, or they would go on consuming a budget that no longer covers them while the budget that
    does shows nothing spent."""
    if budget is None or not budget.pk:
        return None
    drawing = list(budget.plans.order_by("start_on", "pk").only("title", "start_on"))
    if not drawing:
        return None
    if account.pk != budget.account_id:
        return DomainError(
            "budget.plans_outside",
            _("Approved plans draw on this budget (%(plans)s): it stays with %(account)s."),
            field="account",
            plans=_plan_names(drawing),
            account=str(budget.account),
        )
    outside = [plan for plan in drawing if not period_start <= plan.start_on <= period_end]
    if not outside:
        return None
    return DomainError(
        "budget.plans_outside",
        _("Approved plans on this budget start outside %(start)s–%(end)s: %(plans)s. The period must hold them."),
        field="period_start" if outside[0].start_on < period_start else "period_end",
        plans=_plan_names(outside),
        start=period_start.isoformat(),
        end=period_end.isoformat(),
    )


def _plan_names(plans: list[PromotionPlan]) -> str:
    """“Title” (start), … for a refusal: the first three, then an ellipsis."""
    names = ", ".join(f"“{plan.title}” ({plan.start_on.isoformat()})" for plan in plans[:3])
    return names + " …" if len(plans) > 3 else names


# --- promotion types -----------------------------------------------------------------------------

TYPE_FIELDS = ("code", "kind", "name", "typical_price_ratio", "max_days", "periods_allowed", "company_share")


@transaction.atomic
def promotion_type_save(*, user, values: dict, promotion_type: PromotionType | None = None) -> PromotionType:
    """Create or change a promotion type and its norms (admins); `values` holds the fields of TYPE_FIELDS."""
    if not user.has_perm("promotions.change_promotiontype" if promotion_type else "promotions.add_promotiontype"):
        raise PermissionDenied
    if promotion_type is not None:
        promotion_type = PromotionType.objects.select_for_update().get(pk=promotion_type.pk)
    else:
        promotion_type = PromotionType()
    for name in TYPE_FIELDS:
        if name in values:
            setattr(promotion_type, name, values[name])
    taken = PromotionType.objects.filter(code=promotion_type.code).exclude(pk=promotion_type.pk).exists()
    if taken:
        raise DomainError(
            "promotion_type.code_taken", _("The code %(code)s is taken."), field="code", code=promotion_type.code
        )
    if promotion_type.periods_allowed < 1:
        raise DomainError(
            "promotion_type.periods", _("A type runs at least one period back to back."), field="periods_allowed"
        )
    promotion_type.save()
    return promotion_type


@transaction.atomic
def promotion_type_delete(*, user, promotion_type: PromotionType) -> None:
    """Delete a type no plan uses; a type in use stays (the plans' record names it)."""
    if not user.has_perm("promotions.delete_promotiontype"):
        raise PermissionDenied
    used = promotion_type.plans.count()
    if used:
        raise DomainConflict(
            "promotion_type.in_use",
            _("%(type)s is used by %(count)s plan(s); it cannot be deleted."),
            type=promotion_type.local_name,
            count=used,
        )
    promotion_type.delete()
