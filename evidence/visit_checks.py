"""Promotions and displays checked at a visit (issue 13 part 1): reads and writes.

Selectors: the plans running at a store on a day with what they bought (``running_promotions``), the display
agreements to check there (``agreements_to_check``), everything of both as one visit saw it (``visit_checks``),
and a plan's execution per covered store (``plan_execution_by_store``).

Services: the shelf price seen per promoted product, a display found or not with its photo (a plan's or an
agreement's); each recomputes the plan's PromotionExecution (evidence/execution.py) and the visit's rating.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal import bounds
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.scope import not_found
from promotions.models import PromotionItem, PromotionPlan
from stores.models import Store
from visits.models import Visit

from . import execution as rules
from .models import DisplayAgreement, DisplayCheck, DisplayKind, PromotionCheck, PromotionExecution

# Plans that run in the stores: approved ones and those marked running.
RUNNING_STATUSES = (PromotionPlan.Status.APPROVED, PromotionPlan.Status.RUNNING)
# What a plan bought (its flags) → the display checked at the visit.
PLAN_DISPLAYS = (
    ("dm_slot", DisplayKind.DM),
    ("end_cap", DisplayKind.END_CAP),
    ("floor_stack", DisplayKind.FLOOR_STACK),
)
FACINGS_MAX = 500
# A "clear" for a product: the rep has not checked it (different from None: not found on the shelf).
NOT_CHECKED = object()


def visit_day(visit: Visit) -> date:
    return timezone.localdate(visit.checked_in_at)


def plan_displays(plan: PromotionPlan) -> list[str]:
    """The displays a plan bought, as DisplayKind values, in a fixed order."""
    return [kind.value for attr, kind in PLAN_DISPLAYS if getattr(plan, attr)]


# --- selectors ---------------------------------------------------------------------------------------------


def _covering(store: Store, on: date) -> QuerySet:
    return PromotionPlan.objects.filter(
        Q(all_stores=True) | Q(stores=store),
        account_id=store.account_id,
        status__in=RUNNING_STATUSES,
        start_on__lte=on,
        end_on__gte=on,
    ).distinct()


def running_promotions(store: Store, on: date) -> list[PromotionPlan]:
    """Approved or running plans of the store's chain covering the day and the store (all its stores or chosen
    ones), with their items (product, promotion price) and `displays` (what they bought, DisplayKind values)."""
    items = PromotionItem.objects.select_related("product").order_by("product__code", "id")
    plans = list(
        _covering(store, on)
        .select_related("type")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("start_on", "id")
    )
    for plan in plans:
        plan.displays = plan_displays(plan)
    return plans


def agreements_to_check(store: Store, on: date) -> QuerySet:
    """Display agreements covering the store (its own, or its chain's for every store) and the day: of its chain now
    (a store that moved to another chain is not asked about the old chain's displays: no visit there counts)."""
    return DisplayAgreement.objects.filter(
        Q(store=store) | Q(store__isnull=True), account_id=store.account_id, start_on__lte=on, end_on__gte=on
    ).order_by("kind", "id")


@dataclass
class DisplayAtVisit:
    kind: str
    check: DisplayCheck | None = None

    @property
    def label(self) -> str:
        return DisplayKind(self.kind).label


@dataclass
class PlanAtVisit:
    """A running plan as one visit saw it: per item its check, per bought display its check, the execution."""

    plan: PromotionPlan
    items: list[tuple[PromotionItem, PromotionCheck | None]]
    displays: list[DisplayAtVisit]
    execution: PromotionExecution | None = None

    @property
    def state(self) -> str:
        """executed, not_executed (a failure found), incomplete (only unchecked parts) or unchecked (nothing)."""
        if self.execution is None:
            return "unchecked"
        if self.execution.executed:
            return "executed"
        return "not_executed" if rules.Execution(False, self.execution.reasons).failed else "incomplete"

    @property
    def reasons(self) -> list[str]:
        return [execution_reason_text(r) for r in (self.execution.reasons if self.execution else [])]


@dataclass
class AgreementAtVisit:
    agreement: DisplayAgreement
    check: DisplayCheck | None = None


@dataclass
class VisitChecks:
    plans: list[PlanAtVisit] = field(default_factory=list)
    agreements: list[AgreementAtVisit] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.plans or self.agreements)


def visit_checks(visit: Visit) -> VisitChecks:
    """The running plans and agreements to check at a visit, with what the visit recorded (a fixed number of
    queries, however many plans, products and agreements)."""
    on = visit_day(visit)
    plans = running_promotions(visit.store, on)
    prices, displays, executions = {}, [], {}
    if visit.pk is not None:  # else a visit started on the phone, its check-in not uploaded yet: nothing recorded
        prices = {check.item_id: check for check in PromotionCheck.objects.filter(visit=visit)}
        displays = DisplayCheck.objects.filter(visit=visit).select_related("photo")
        executions = {ex.plan_id: ex for ex in PromotionExecution.objects.filter(visit=visit)}
    by_plan = {(check.plan_id, check.kind): check for check in displays if check.plan_id}
    by_agreement = {check.agreement_id: check for check in displays if check.agreement_id}
    return VisitChecks(
        plans=[
            PlanAtVisit(
                plan=plan,
                items=[(item, prices.get(item.pk)) for item in plan.items.all()],
                displays=[DisplayAtVisit(kind, by_plan.get((plan.pk, kind))) for kind in plan.displays],
                execution=executions.get(plan.pk),
            )
            for plan in plans
        ],
        agreements=[
            AgreementAtVisit(agreement, by_agreement.get(agreement.pk))
            for agreement in agreements_to_check(visit.store, on).select_related("store")
        ],
    )


def execution_reason_text(reason: Mapping) -> str:
    return rules.reason_text(reason, display_label=lambda kind: str(DisplayKind(kind).label))


@dataclass(frozen=True)
class PromotionChecks:
    """The running plans covering a visit's store and day (id → title, by start and id) and the visit's promotion
    checks with their plans: read once where a check-out asks both what is left unchecked and the rating's
    outcome."""

    running: dict[int, str]
    executions: list[PromotionExecution]


def promotion_checks(visit: Visit, *, checked: bool = True) -> PromotionChecks:
    """`checked` False: the visit has no checks yet (made in this transaction), none read."""
    running = _covering(visit.store, visit_day(visit)).order_by("start_on", "id").values_list("pk", "title")
    executions = []
    if checked:
        executions = list(visit.executions.select_related("plan").order_by("plan__start_on", "plan_id"))
    return PromotionChecks(dict(running), executions)


def promotion_outcome(
    visit: Visit, *, checked: bool = True, checks: PromotionChecks | None = None
) -> tuple[bool | None, list[dict], bool]:
    """What the visit's rating takes from the promotions: (executed, the plans not executed, whether any plan
    runs). Executed is False when a plan failed at this visit, True when every running plan was checked and
    executed, None otherwise. `checked` False: the visit has no checks yet (made in this transaction), none read.
    `checks`: promotion_checks, when the caller has read them."""
    checks = checks or promotion_checks(visit, checked=checked)
    executions = checks.executions
    plans = {**checks.running, **{ex.plan_id: ex.plan.title for ex in executions}}
    if not plans:
        return None, [], False
    failed = [
        {"plan": ex.plan.title, "plan_id": ex.plan_id}
        for ex in executions
        if not ex.executed and rules.Execution(False, ex.reasons).failed
    ]
    done = {ex.plan_id for ex in executions if ex.executed}
    if failed:
        return False, failed, True
    return (True if done >= set(plans) else None), [], True


def unchecked_promotions(visit: Visit, *, checks: PromotionChecks | None = None) -> list[int]:
    """The running plans not fully checked at the visit (a price or display not answered), by id. `checks`:
    promotion_checks, when the caller has read them."""
    if checks is not None:
        plans, executions = list(checks.running), checks.executions
    else:
        plans = list(_covering(visit.store, visit_day(visit)).order_by("start_on", "id").values_list("pk", flat=True))
        if not plans:
            return []
        executions = visit.executions.filter(plan_id__in=plans)
    checked = {ex.plan_id for ex in executions if rules.Execution(ex.executed, ex.reasons).checked}
    return [pk for pk in plans if pk not in checked]


@dataclass
class StoreExecution:
    store: Store
    execution: PromotionExecution | None = None

    @property
    def reason_texts(self) -> list[str]:
        return [execution_reason_text(r) for r in (self.execution.reasons if self.execution else [])]


@dataclass
class PlanExecutionFigures:
    stores: list[StoreExecution]
    checked: int
    executed: int
    not_executed: int
    not_visited: int


def plan_execution_by_store(plan: PromotionPlan, stores: QuerySet) -> PlanExecutionFigures:
    """Per covered store (among `stores`, the user's reach) the latest check of the plan, and the counts; three
    queries whatever the number of stores."""
    covered = Store.objects.filter(account_id=plan.account_id).filter(pk__in=stores.values("pk"))
    covered = covered.filter(active=True) if plan.all_stores else covered.filter(pk__in=plan.stores.values("pk"))
    covered = list(covered.order_by("code"))
    latest: dict[int, PromotionExecution] = {}
    executions = (
        PromotionExecution.objects.filter(plan=plan, store_id__in=[s.pk for s in covered])
        .select_related("visit__rep")
        .order_by("store_id", "-visit__checked_in_at", "-pk")
    )
    for ex in executions:
        latest.setdefault(ex.store_id, ex)
    rows = [StoreExecution(store, latest.get(store.pk)) for store in covered]
    checked = [row for row in rows if row.execution is not None]
    executed = sum(1 for row in checked if row.execution.executed)
    return PlanExecutionFigures(
        stores=rows,
        checked=len(checked),
        executed=executed,
        not_executed=len(checked) - executed,
        not_visited=len(rows) - len(checked),
    )


# --- services ----------------------------------------------------------------------------------------------


def _locked_open(visit: Visit) -> Visit:
    visit = Visit.objects.select_for_update().select_related("store").get(pk=visit.pk)
    if not visit.is_open:
        raise DomainConflict("visit.closed", _("This visit is checked out; it can no longer be changed."))
    return visit


def _running_plan(visit: Visit, plan: PromotionPlan | int) -> PromotionPlan:
    plan_id = plan.pk if isinstance(plan, PromotionPlan) else plan
    found = _covering(visit.store, visit_day(visit)).filter(pk=plan_id).first()
    if found is None:
        raise not_found("plan")
    return found


def _running_item(visit: Visit, item: PromotionItem | int) -> PromotionItem:
    item_id = item.pk if isinstance(item, PromotionItem) else item
    running = _covering(visit.store, visit_day(visit)).values("pk")
    found = PromotionItem.objects.filter(pk=item_id, plan__in=running).select_related("plan", "product").first()
    if found is None:
        raise not_found("item")
    return found


def shelf_price_reference(item: PromotionItem) -> Decimal | None:
    """What a shelf price seen of a promoted product is measured against: the plan's normal shelf price of it, else
    the product's suggested retail price; None when neither is a price (then only the money bound holds)."""
    for price in (item.normal_price, item.product.suggested_retail_price):
        if price is not None and price > 0:
            return price
    return None


def check_shelf_price(shelf_price: Decimal | None, *, reference: Decimal | None = None) -> None:
    """A shelf price seen is a price (None: not found on the shelf): more than 0, and at most
    KA.shelf_price_max_ratio × `reference` (shelf_price_reference): 99999999999 for a 5.00 beer is a typo, refused
    naming the field rather than failing the plan's execution and rating the visit red."""
    if shelf_price is None:
        return
    if shelf_price < 0:
        raise DomainError(
            "evidence.negative_price", _("A shelf price cannot be negative."), field="shelf_price", price=shelf_price
        )
    if shelf_price == 0:
        raise DomainError(
            "evidence.zero_price",
            _("A shelf price of 0 is not a price: write the price on the tag, or tick “not on the shelf”."),
            field="shelf_price",
            price=shelf_price,
        )
    ratio = settings.KA.shelf_price_max_ratio
    if reference is not None and reference > 0:
        most = (Decimal(reference) * ratio).quantize(Decimal("0.01"))
        if shelf_price > most:
            raise DomainError(
                "evidence.price_implausible",
                _(
                    "The shelf price %(price)s is more than %(ratio)s× the normal shelf price %(reference)s (at most "
                    "%(max)s); check the amount."
                ),
                field="shelf_price",
                price=Decimal(shelf_price).quantize(Decimal("0.01")),
                ratio=f"{ratio.normalize():f}",
                reference=Decimal(reference).quantize(Decimal("0.01")),
                max=most,
            )
    if shelf_price > bounds.MONEY_MAX:
        raise DomainError(
            "evidence.price_too_large",
            _("A shelf price is at most %(max)s."),
            field="shelf_price",
            max=bounds.MONEY_MAX,
        )


def _set_price(visit: Visit, item: PromotionItem, shelf_price) -> PromotionCheck | None:
    if shelf_price is NOT_CHECKED:
        PromotionCheck.objects.filter(visit=visit, item=item).delete()
        return None
    check_shelf_price(shelf_price, reference=shelf_price_reference(item))
    check, _created = PromotionCheck.objects.update_or_create(
        visit=visit, item=item, defaults={"shelf_price": shelf_price}
    )
    return check


def _photo(visit: Visit, image, caption: str):
    from visits.services import visit_photo_add

    return visit_photo_add(visit=visit, image=image, caption=caption[:200])


def _set_display(
    visit: Visit, *, present: bool | None, plan=None, kind: str = "", agreement=None, facings=None, image=None
) -> DisplayCheck | None:
    lookup = {"visit": visit, "plan": plan, "kind": kind} if plan else {"visit": visit, "agreement": agreement}
    existing = DisplayCheck.objects.filter(**lookup).first()
    if present is None and image is None:
        if existing is not None:
            existing.delete()
        return None
    if present is None:  # a photo of the display says it is there
        present = True
    check = existing or DisplayCheck(**lookup)
    check.kind = kind if plan else agreement.kind
    check.present = present
    check.facings = facings if check.kind == DisplayKind.FACINGS else None
    if image is not None:
        title = plan.title if plan else str(agreement)
        check.photo = _photo(visit, image, f"{DisplayKind(check.kind).label} · {title}")
    check.save()
    return check


def _check_facings(facings) -> None:
    if facings is not None and not (0 <= facings <= FACINGS_MAX):
        raise DomainError(
            "evidence.bad_facings",
            _("Facings are a whole number from 0 to %(max)s."),
            field="facings",
            facings=facings,
            max=FACINGS_MAX,
        )


def execution_refresh(*, visit: Visit, plan: PromotionPlan) -> PromotionExecution | None:
    """Recompute the plan's execution at the visit from its checks (none left: no execution)."""
    items = list(plan.items.select_related("product").order_by("product__code", "id"))
    prices = {check.item_id: check for check in PromotionCheck.objects.filter(visit=visit, item__plan=plan)}
    displays = {check.kind: check for check in DisplayCheck.objects.filter(visit=visit, plan=plan)}
    if not prices and not displays:
        PromotionExecution.objects.filter(visit=visit, plan=plan).delete()
        return None
    result = rules.plan_execution(
        prices=[
            rules.PriceSeen(
                product=item.product.name,
                plan_price=item.promotion_price,
                seen=prices[item.pk].shelf_price if item.pk in prices else None,
                checked=item.pk in prices,
            )
            for item in items
        ],
        displays=[
            rules.DisplaySeen(
                display=kind,
                present=displays[kind].present if kind in displays else None,
                has_photo=kind in displays and displays[kind].photo_id is not None,
            )
            for kind in plan_displays(plan)
        ],
        tolerance=settings.KA.promotion_price_tolerance,
    )
    ex, _created = PromotionExecution.objects.update_or_create(
        visit=visit,
        plan=plan,
        defaults={
            "store_id": visit.store_id,
            "executed": result.executed,
            "reasons": result.reasons,
            "checked_at": timezone.now(),
        },
    )
    return ex


def _after(visit: Visit, plan: PromotionPlan | None) -> None:
    from visits.services import visit_rerate

    if plan is not None:
        execution_refresh(visit=visit, plan=plan)
    visit_rerate(visit=visit)


@dataclass(frozen=True)
class DisplayAnswer:
    """What the rep says of one display: in place (None: not answered) and an optional new photo."""

    present: bool | None
    image: object = None


@transaction.atomic
def promotion_checks_record(
    *,
    visit: Visit,
    plan: PromotionPlan | int,
    prices: Mapping[int, Decimal | None | object] | None = None,
    displays: Mapping[str, DisplayAnswer] | None = None,
) -> PromotionExecution | None:
    """Record what the rep saw of one running plan: `prices` maps item id → the shelf price seen (None: not
    found on the shelf; NOT_CHECKED clears it), `displays` maps a bought display's kind → DisplayAnswer. All or
    nothing; then the plan's execution and the visit's rating are recomputed."""
    visit = _locked_open(visit)
    plan = _running_plan(visit, plan)
    items = {item.pk: item for item in plan.items.select_related("product")}
    for item_id in prices or {}:
        if item_id not in items:
            raise not_found("item")
    bought = plan_displays(plan)
    for kind in displays or {}:
        if kind not in bought:
            raise not_found("kind")
    if (prices is not None or displays is not None) and _nothing_answered(prices, displays):
        recorded = PromotionCheck.objects.filter(visit=visit, item__plan=plan).exists()
        if not recorded and not DisplayCheck.objects.filter(visit=visit, plan=plan).exists():
            # a save with nothing in it would change nothing and say nothing (rep finding 3); one that clears
            # what was saved before is a change, and goes through
            raise DomainError(
                "evidence.nothing_entered",
                _(
                    "Nothing entered, nothing saved: write a shelf price (or tick “not on the shelf”) or say "
                    "whether a display is in place, then save."
                ),
            )
    for item_id, price in (prices or {}).items():
        _set_price(visit, items[item_id], price)
    for kind, answer in (displays or {}).items():
        _set_display(visit, present=answer.present, plan=plan, kind=kind, image=answer.image)
    _after(visit, plan)
    return PromotionExecution.objects.filter(visit=visit, plan=plan).first()


def _nothing_answered(prices, displays) -> bool:
    """No price seen, none marked missing, no display answered or photographed."""
    return all(price is NOT_CHECKED for price in (prices or {}).values()) and all(
        answer.present is None and answer.image is None for answer in (displays or {}).values()
    )


@transaction.atomic
def promotion_check_record(*, visit: Visit, item: PromotionItem | int, shelf_price: Decimal | None) -> PromotionCheck:
    """The shelf price seen of one promoted product (None: not found on the shelf)."""
    visit = _locked_open(visit)
    item = _running_item(visit, item)
    check = _set_price(visit, item, shelf_price)
    _after(visit, item.plan)
    return check


@transaction.atomic
def display_check_record(
    *,
    visit: Visit,
    present: bool,
    plan: PromotionPlan | int | None = None,
    kind: str = "",
    agreement: DisplayAgreement | int | None = None,
    facings: int | None = None,
    image=None,
) -> DisplayCheck:
    """A display found in place or not, with an optional photo taken in the visit: one a running plan bought
    (`plan` and `kind`) or one agreed (`agreement`, covering the store and the day; `facings` seen for shelf
    facings)."""
    visit = _locked_open(visit)
    _check_facings(facings)
    if agreement is not None:
        agreement_id = agreement.pk if isinstance(agreement, DisplayAgreement) else agreement
        agreement = agreements_to_check(visit.store, visit_day(visit)).filter(pk=agreement_id).first()
        if agreement is None:
            raise not_found("agreement")
        # An agreement's check does not rate the visit: its fee is released (or not) by the evidence quota.
        return _set_display(visit, present=present, agreement=agreement, facings=facings, image=image)
    if plan is None:
        raise not_found("plan")
    plan = _running_plan(visit, plan)
    if kind not in plan_displays(plan):
        raise not_found("kind")
    check = _set_display(visit, present=present, plan=plan, kind=kind, image=image)
    _after(visit, plan)
    return check


@transaction.atomic
def agreement_check_record(
    *, visit: Visit, agreement: DisplayAgreement | int, present: bool | None, facings: int | None = None, image=None
) -> DisplayCheck | None:
    """The page's answer for an agreement: like display_check_record, and None for `present` (with no photo)
    takes the answer back."""
    if present is None and image is None:
        visit = _locked_open(visit)
        agreement_id = agreement.pk if isinstance(agreement, DisplayAgreement) else agreement
        if not agreements_to_check(visit.store, visit_day(visit)).filter(pk=agreement_id).exists():
            raise not_found("agreement")
        DisplayCheck.objects.filter(visit=visit, agreement_id=agreement_id).delete()
        return None
    return display_check_record(
        visit=visit, present=True if present is None else present, agreement=agreement, facings=facings, image=image
    )
