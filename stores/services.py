"""Writes for the store sheet, products, listings and deliveries: the one path every door takes.

The page forms, the API's create and update, and the admin all save through these functions, which check
the record as it will be stored against stores/rules.py and refuse with a DomainError. The Excel import
keeps its batched writes but checks its rows with the same rule functions (stores/imports.py).
"""

from collections.abc import Container
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from accounts.roles import Role
from evidence import hooks as evidence
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.formatting import display_name
from ka_portal.scope import accounts_for, products_for, store_reps_for, stores_for, user_role

from . import rules
from .models import Delivery, Listing, Product, Store

Record = TypeVar("Record", bound=models.Model)


def record_values(record: models.Model) -> dict[str, Any]:
    """A record's stored values by field name (a foreign key as its id), for the rules to read."""
    return {field.name: getattr(record, field.attname) for field in record._meta.concrete_fields}


def _save(record: Record, fields: dict[str, Any], rule: tuple[rules.Check, ...], *, by=None) -> Record:
    for name, value in fields.items():
        setattr(record, name, value)
    rules.enforce(rule, record_values(record))
    if isinstance(record, Store | Product):
        for refusal in code_refusals(type(record), record.code, pk=record.pk, by=by):
            raise refusal
    record.save()
    return record


CODE_TAKEN = {
    Store: _("The code %(value)s is already store %(taken)s's (codes are compared without case)."),
    Product: _("The code %(value)s is already product %(taken)s's (codes are compared without case)."),
    KeyAccount: _("The code %(value)s is already key account %(taken)s's (codes are compared without case)."),
}
# A code another chain's store (or account) has, said to a user who cannot see that record: that it is used, not whose
# (SPEC §1: an out-of-scope record reads like a missing one; a uniqueness refusal cannot hide that the code is taken).
CODE_USED = _("The code %(value)s is already in use: choose another (codes are compared without case).")
CODE_PREFIX = {Store: "store", Product: "product", KeyAccount: "account"}  # the refusal's code: account.code_taken
Coded = Store | Product | KeyAccount


def _in_reach(model: type[Coded], by) -> models.QuerySet:
    """The records of `model` the user `by` reaches (ka_portal/scope.py)."""
    reach = {Store: stores_for, Product: products_for, KeyAccount: accounts_for}[model]
    return reach(by)


def code_taken(model: type[Coded], code: str, *, pk: int | None = None, by=None) -> DomainConflict | None:
    """The refusal of a store's, a product's or a key account's code that another one (not `pk`) already has, compared
    without case (`p001` is `P001`: the import and the API find either by it); None when it is free. It names the
    record by its code as stored to whoever may see it; to a user `by` who may not (another chain's store to a KA
    manager), it says only that the code is in use (CODE_USED), as typed. `by` None: the system's own writes."""
    code = code or ""
    same = Exact(Lower("code"), Lower(Value(code)))  # as the constraint compares (its index serves the lookup)
    taken = model.objects.filter(same).exclude(pk=pk).values_list("pk", "code").first()
    if taken is None:
        return None
    refusal_code = f"{CODE_PREFIX[model]}.code_taken"
    if by is not None and not _in_reach(model, by).filter(pk=taken[0]).exists():
        return DomainConflict(refusal_code, CODE_USED, field="code", value=code)
    return DomainConflict(refusal_code, CODE_TAKEN[model], field="code", value=code, taken=taken[1])


def code_refusals(model: type[Coded], code: str, *, pk: int | None = None, by=None) -> list[DomainError]:
    """What refuses a store's, a product's or a key account's code as it will be stored: spaces inside a new or changed
    code (rules.check_code; a code stored before keeps serving as the record's key until it is changed), and a code
    another record has whatever its case (code_taken: naming it only to a user `by` who may see it)."""
    found = []
    stored = model.objects.filter(pk=pk).values_list("code", flat=True).first() if pk else None
    if code != stored:
        try:
            rules.check_code(code)
        except DomainError as refusal:
            found.append(refusal)
    taken = code_taken(model, code, pk=pk, by=by)
    if taken is not None:
        found.append(taken)
    return found


def rep_label(user) -> str:
    """A user as a refusal about a store's rep names them: 张伟 (rep1)."""
    return f"{display_name(user)} ({user.username})"


def store_rep_refusal(
    rep, *, by=None, current_rep_id: int | None = None, reachable: Container[int] | None = None
) -> DomainError | None:
    """Why `rep` may not be a store's sales rep, or None: the one rule of the page, the API, the admin and the import.

    A rep newly given (`current_rep_id` is the store's rep as stored; None for a new store) is a sales rep (SPEC §1:
    the role that has stores, a route and visits): a supervisor, a KA manager, finance or a promoter never is, whoever
    writes it. They must also have an active account and, when `by` (the acting user) is given, be one `by` may give
    stores to (ka_portal.scope.store_reps_for: a supervisor their own team's reps); `reachable`, the ids of those, when
    a batch has looked them up at once. The rep the store already has stays on a save that keeps it — even one who is
    no sales rep (an old import wrote supervisors), disabled or moved to another team: an edit of the name or the
    address goes through, and the store's page warns until a sales rep is picked (store_rep_warning)."""
    if rep is None or rep.pk == current_rep_id:
        return None
    role = user_role(rep)
    if role != Role.REP:
        return DomainError(
            "store.rep_not_a_rep",
            _("%(rep)s is not a sales rep (%(role)s): a store's rep is a sales rep, who visits it on their route."),
            field="rep",
            rep=rep_label(rep),
            role=Role(role).label if role else _("no role"),
        )
    if not rep.is_active:
        return DomainError(
            "store.rep_inactive",
            _("%(rep)s's account is disabled: give the store to a rep who is still working."),
            field="rep",
            rep=rep_label(rep),
        )
    if by is not None:
        allowed = rep.pk in reachable if reachable is not None else store_reps_for(by).filter(pk=rep.pk).exists()
        if not allowed:
            return DomainError(
                "store.rep_out_of_scope",
                _("%(rep)s is not in your team: give the store to one of your team's sales reps."),
                field="rep",
                rep=rep_label(rep),
            )
    return None


def store_rep_warning(store: Store) -> DomainError | None:
    """Why the store's rep as stored would not be taken now, or None: the store's page says it, so that a manager
    picks a sales rep (a supervisor written by an old import keeps the store off every rep's route)."""
    return store_rep_refusal(store.rep) if store.rep_id else None


@transaction.atomic
def store_save(*, store: Store | None = None, by=None, **fields: Any) -> Store:
    """Create a store (no `store`) or change one: its frequency 1–7 or the grade's, both coordinates or none, a code
    without spaces, and a sales rep `by` may give it to (store_rep_refusal; `by` is the acting user, None for the
    system's own writes).
    A store closed, reopened or moved to another chain changes its chains' chain-wide display agreements (each
    needs every active store): they are re-evaluated here (visit evidence, evidence/hooks.py)."""
    before = None
    if store is not None and store.pk:  # read back: a form may have set the new values on the instance already
        before = Store.objects.filter(pk=store.pk).values_list("account_id", "active", "rep_id").first()
    store = store or Store()
    for name, value in fields.items():
        setattr(store, name, value)
    refusal = store_rep_refusal(store.rep, by=by, current_rep_id=before[2] if before else None)
    if refusal is not None:
        raise refusal
    store = _save(store, {}, rules.STORE, by=by)
    if before is not None and before[:2] != (store.account_id, store.active):
        evidence.store_changed({before[0], store.account_id})
    elif before is None and store.active:
        evidence.store_changed({store.account_id})  # a new active store has no evidence yet
    return store


@transaction.atomic
def product_save(*, product: Product | None = None, **fields: Any) -> Product:
    """Create or change a product: packs per case 1 … the bound, prices not negative."""
    return _save(product or Product(), fields, rules.PRODUCT)


def product_label(product: Product) -> str:
    """A product as a refusal names it: P001 纯生啤酒."""
    return f"{product.code} {product.name}"


def listing_refusals(listing: Listing) -> list[DomainError]:
    """What refuses a listing as it will be stored, beyond its numbers (rules.LISTING): a second listing of one product
    at one store (`listing.duplicate`: the store has one listing a product, changed, delisted or listed again — the
    import updates it on that key), an inactive product newly listed, listed again or put on a listing
    (`listing.product_inactive`; a listing that stays as it was keeps its product after it was made inactive), and a
    purchase price above the shelf price (`listing.purchase_above_shelf`, listing_price_refusal)."""
    found: list[DomainError] = []
    if listing.store_id is None or listing.product_id is None:
        return found
    other = Listing.objects.filter(store_id=listing.store_id, product_id=listing.product_id).exclude(pk=listing.pk)
    other_active = other.values_list("active", flat=True).first()
    if other_active is not None:
        message = (
            _("%(product)s is already listed at %(store)s: change that listing instead.")
            if other_active
            else _("%(product)s was listed at %(store)s and delisted: list it again from the store's page instead.")
        )
        found.append(
            DomainConflict(
                "listing.duplicate",
                message,
                field="product",
                product=product_label(listing.product),
                store=str(listing.store),
            )
        )
    if listing.active and not listing.product.active:
        before = (
            Listing.objects.filter(pk=listing.pk).values_list("product_id", "active").first() if listing.pk else None
        )
        if before != (listing.product_id, True):
            found.append(product_inactive_refusal(listing.product))
    refusal = listing_price_refusal(listing)
    if refusal is not None:
        found.append(refusal)
    return found


def listing_price_refusal(listing: Listing) -> DomainError | None:
    """A purchase price above the shelf price (rules.check_purchase_within_shelf), naming both prices, the product and
    the store, when either price is new or changed: a listing stored so before the rule (its prices as they were)
    is still delisted, listed again or given another fee, and exported and imported back (the import compares the
    same way, stores.imports), until its prices are corrected."""
    stored = (
        Listing.objects.filter(pk=listing.pk).values_list("purchase_price", "shelf_price").first()
        if listing.pk
        else None
    )
    if stored == (listing.purchase_price, listing.shelf_price):
        return None
    try:
        rules.check_purchase_within_shelf(
            listing.purchase_price,
            listing.shelf_price,
            store=str(listing.store),
            product=product_label(listing.product),
        )
    except DomainError as refusal:
        return refusal
    return None


def listing_price_warning(listing: Listing) -> str:
    """What a save of a listing that keeps a purchase price above its shelf price says once it went through (its
    prices unchanged: listing_price_refusal lets it be delisted, listed again or given another fee): the prices are
    still to be corrected, and how. Empty for any other listing."""
    if not listing.purchase_above_shelf:
        return ""
    return str(
        _("The store purchase price %(purchase_price)s of %(product)s at %(store)s is still above its shelf price "
          "%(shelf_price)s, as it was stored before that was refused: correct its prices (export the listings, "
          "correct them and import the sheet back).")
        % {
            "purchase_price": rules._cents(listing.purchase_price),
            "shelf_price": rules._cents(listing.shelf_price),
            "product": product_label(listing.product),
            "store": str(listing.store),
        }
    )  # fmt: skip


def product_inactive_refusal(product: Product) -> DomainError:
    return DomainError(
        "listing.product_inactive",
        _("%(product)s is inactive: only an active product is listed at a store."),
        field="product",
        product=product_label(product),
    )


@transaction.atomic
def listing_save(*, listing: Listing | None = None, **fields: Any) -> Listing:
    """List a product at a store or change the listing (`active` False delists it, True lists it again): fee and
    prices not negative, one listing a store and product, an active product newly listed, a purchase price not above
    the shelf price (listing_refusals)."""
    listing = listing or Listing()
    for name, value in fields.items():
        setattr(listing, name, value)
    rules.enforce(rules.LISTING, record_values(listing))
    for refusal in listing_refusals(listing):
        raise refusal
    listing.save()
    return listing


@transaction.atomic
def delivery_save(*, delivery: Delivery | None = None, **fields: Any) -> Delivery:
    """Record a delivery (sell-in) or correct one: whole packs 1 … the bound, a price not negative, and at most
    one delivery per store, product, date and delivery note (the natural key the import upserts on)."""
    delivery = delivery or Delivery()
    for name, value in fields.items():
        setattr(delivery, name, value)
    key = {"store_id": delivery.store_id, "product_id": delivery.product_id, "date": delivery.date}
    if Delivery.objects.filter(**key, reference=delivery.reference).exclude(pk=delivery.pk).exists():
        raise DomainConflict(
            "delivery.duplicate",
            _("This delivery is already recorded (the same store, product, date and note %(reference)s); "
              "correct that one instead."),
            field="reference",
            reference=delivery.reference or "—",
        )  # fmt: skip
    return _save(delivery, {}, rules.DELIVERY)


def products_with_history(product_ids) -> set[int]:
    """The products among these that past records count in packs read as cases by its packs per case: deliveries,
    stock counts and promoters' sell-out. A few queries."""
    from promoters.models import SellOutLine  # lazy: visits and promoters build on stores
    from visits.models import StockCount

    ids = set(product_ids) - {None}
    found: set[int] = set()
    for model in (Delivery, StockCount, SellOutLine):
        if ids - found:
            found |= set(model.objects.filter(product__in=ids - found).values_list("product_id", flat=True).distinct())
    return found


def case_size_warning(product: Product, old_packs_per_case: int | None) -> str:
    """What a change of a product's packs per case says once saved, when past records count it (deliveries, stock
    counts, sell-out: products_with_history): they are kept in packs, and read in cases with the new size from now
    on. A warning, not a refusal: a case size typed wrong must stay correctable. Empty for any other change."""
    if old_packs_per_case in (None, product.packs_per_case) or not products_with_history([product.pk]):
        return ""
    return str(CASE_SIZE_CHANGED % {"product": product_label(product), "old": old_packs_per_case,
                                    "new": product.packs_per_case})  # fmt: skip


CASE_SIZE_CHANGED = _(
    "%(product)s has past records (deliveries, stock counts or sell-out): with its packs per case changed from "
    "%(old)s to %(new)s, the cases of those records are re-read with the new size (their packs stay as they are)."
)
