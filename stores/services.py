"""Writes for the store sheet, products, listings and deliveries: the one path every door takes.

The page forms, the API's create and update, and the admin all save through these functions, which check
the record as it will be stored against stores/rules.py and refuse with a DomainError. The Excel import
keeps its batched writes but checks its rows with the same rule functions (stores/imports.py).
"""

from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from evidence import hooks as evidence
from ka_portal.errors import DomainConflict

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
        check_code_free(type(record), record.code, pk=record.pk)
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


def check_code_free(model: type[Store | Product], code: str, *, pk: int | None = None) -> None:
    """Refuse (store.code_taken / product.code_taken) a code another store or product already has, whatever its case
    (backed by the case-insensitive unique constraints of stores/models.py)."""
    refusal = code_taken(model, code, pk=pk)
    if refusal is not None:
        raise refusal


@transaction.atomic
def store_save(*, store: Store | None = None, **fields: Any) -> Store:
    """Create a store (no `store`) or change one: its frequency 1–7 or the grade's, both coordinates or none.
    A store closed, reopened or moved to another chain changes its chains' chain-wide display agreements (each
    needs every active store): they are re-evaluated here (visit evidence, evidence/hooks.py)."""
    before = None
    if store is not None and store.pk:  # read back: a form may have set the new values on the instance already
        before = Store.objects.filter(pk=store.pk).values_list("account_id", "active").first()
    store = _save(store or Store(), fields, rules.STORE)
    if before is not None and before != (store.account_id, store.active):
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
