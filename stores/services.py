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

from accounts.roles import Role
from evidence import hooks as evidence
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.formatting import display_name
from ka_portal.scope import store_reps_for, user_role

from . import rules
from .models import Delivery, Listing, Product, Store

Record = TypeVar("Record", bound=models.Model)


def record_values(record: models.Model) -> dict[str, Any]:
    """A record's stored values by field name (a foreign key as its id), for the rules to read."""
    return {field.name: getattr(record, field.attname) for field in record._meta.concrete_fields}


def _save(record: Record, fields: dict[str, Any], rule: tuple[rules.Check, ...]) -> Record:
    for name, value in fields.items():
        setattr(record, name, value)
    rules.enforce(rule, record_values(record))
    if isinstance(record, Store | Product):
        for refusal in code_refusals(type(record), record.code, pk=record.pk):
            raise refusal
    record.save()
    return record


CODE_TAKEN = {
    Store: _("The code %(value)s is already store %(taken)s's (codes are compared without case)."),
    Product: _("The code %(value)s is already product %(taken)s's (codes are compared without case)."),
}


def code_taken(model: type[Store | Product], code: str, *, pk: int | None = None) -> DomainConflict | None:
    """The refusal of a store's or a product's code that another one (not `pk`) already has, compared without case
    (`p001` is `P001`: the import and the API find either by it), naming the code as stored; None when it is free."""
    code = code or ""
    same = Exact(Lower("code"), Lower(Value(code)))  # as the constraint compares (its index serves the lookup)
    taken = model.objects.filter(same).exclude(pk=pk).values_list("code", flat=True).first()
    if taken is None:
        return None
    name = model._meta.model_name
    return DomainConflict(f"{name}.code_taken", CODE_TAKEN[model], field="code", value=code, taken=taken)


def code_refusals(model: type[Store | Product], code: str, *, pk: int | None = None) -> list[DomainError]:
    """What refuses a store's or a product's code as it will be stored: spaces inside a new or changed code
    (rules.check_code; a code stored before keeps serving as the record's key until it is changed), and a code
    another record has whatever its case (code_taken)."""
    found = []
    stored = model.objects.filter(pk=pk).values_list("code", flat=True).first() if pk else None
    if code != stored:
        try:
            rules.check_code(code)
        except DomainError as refusal:
            found.append(refusal)
    taken = code_taken(model, code, pk=pk)
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

    A store's rep is a sales rep (SPEC §1: the role that has stores, a route and visits): a supervisor, a KA manager,
    finance or a promoter never is, whoever wrote it — every save of the store refuses it until it is changed. A rep
    newly given (`current_rep_id` is the store's rep as stored) must also have an active account and, when `by` (the
    acting user) is given, be one `by` may give stores to (ka_portal.scope.store_reps_for: a supervisor their own
    team's reps); `reachable`, the ids of those, when a batch has looked them up at once. The rep the store already has
    stays on a save that keeps it, even once their account is disabled or they changed team: an edit of the city never
    drops the rep, and no one is made to reassign a store to change its name."""
    if rep is None:
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
    if rep.pk == current_rep_id:
        return None
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
    store = _save(store, {}, rules.STORE)
    if before is not None and before[:2] != (store.account_id, store.active):
        evidence.store_changed({before[0], store.account_id})
    elif before is None and store.active:
        evidence.store_changed({store.account_id})  # a new active store has no evidence yet
    return store


@transaction.atomic
def product_save(*, product: Product | None = None, **fields: Any) -> Product:
    """Create or change a product: packs per case 1 … the bound, prices not negative."""
    return _save(product or Product(), fields, rules.PRODUCT)


@transaction.atomic
def listing_save(*, listing: Listing | None = None, **fields: Any) -> Listing:
    """List a product at a store or change the listing: fee and prices not negative."""
    return _save(listing or Listing(), fields, rules.LISTING)


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
