"""Store forms: a supervisor or manager keeps the store sheet right (grade, frequency, rep, coordinates).

The forms only parse; what a value may be is stores/rules.py's, checked in `clean` on the record as it
will be saved (so the page and the admin refuse with the rule's message before the service does too).
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from ka_portal import bounds
from ka_portal.lists import choose_by_code, style_form_fields
from ka_portal.scope import accounts_for, products_for, store_reps_for

from . import rules
from .models import Listing, Product, Store
from .services import code_refusals, listing_refusals, record_values, rep_label, store_rep_refusal

CODED = (Store, Product)  # records named by a code that is unique whatever its case (stores/services.py)


class RuleCheckedForm(forms.ModelForm):
    """A ModelForm whose `clean` shows every refusal of its record's rule (`rule`, of stores/rules.py)."""

    rule: tuple[rules.Check, ...] = ()

    def clean(self):
        data = super().clean()
        # Every field's refusal at once, even beside another field that did not parse (the admin's unknown store and
        # a negative fee: the fee's own words, not the database constraint's name). A value that did not parse is
        # reported once, as such: a refusal of its field is left out (one of a pair reads as before, e.g. empty).
        refusals = rules.refusals(self.rule, {**record_values(self.instance), **data})
        model = self._meta.model
        if model in CODED and "code" in data:  # no spaces, and a code compared without case
            refusals += code_refusals(model, data["code"], pk=self.instance.pk, by=getattr(self, "user", None))
        refusals += self.more_refusals(data)
        for refusal in filter(None, refusals):
            field = refusal.field if refusal.field in self.fields else None
            if field is not None and field in self.errors:
                continue
            self.add_error(field, forms.ValidationError(refusal.detail, code=refusal.code))
        return data

    def more_refusals(self, data) -> list:
        """A record's refusals beyond its rule's, which need the database or the acting user."""
        return []


class RepChoiceMixin:
    """A store form's sales rep (store_rep_refusal, the rule of every door): the reps the acting user may give the
    store to, and the store's own rep even when it is not one of them — said beside the field — so that saving the
    form never drops a rep it did not offer (the rep is changed only by choosing another, or none)."""

    user = None

    def offer_reps(self) -> None:
        field = self.fields.get("rep")
        if field is None:
            return
        reps = store_reps_for(self.user)
        current = self.instance.rep if self.instance.pk and self.instance.rep_id else None
        if current is not None:
            reps = get_user_model().objects.filter(Q(pk__in=reps.values("pk")) | Q(pk=current.pk))
            refusal = store_rep_refusal(current, by=self.user)  # as if given now
            if refusal is not None:
                field.help_text = refusal.detail
        field.queryset = reps.order_by("username")
        field.label_from_instance = rep_label
        inner = getattr(field.widget, "widget", field.widget)  # the admin wraps the select (its + and ✎ links)
        inner.choices = field.choices

    def clean(self):
        data = super().clean()
        if "rep" in self.errors:  # the refusal is said beside the field: not twice
            self.fields["rep"].help_text = self["rep"].help_text = ""
        return data

    def more_refusals(self, data) -> list:
        if "rep" not in data:
            return []
        return [store_rep_refusal(data["rep"], by=self.user, current_rep_id=self.instance.rep_id)]


class StoreForm(RepChoiceMixin, RuleCheckedForm):
    rule = rules.STORE

    class Meta:
        model = Store
        fields = ["account", "code", "name", "grade", "visits_per_week_override", "rep", "city", "region", "address",
                  "latitude", "longitude", "opened_on", "active"]  # fmt: skip
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["account"].queryset = accounts_for(user).order_by("code")
        self.offer_reps()
        self.fields["visits_per_week_override"].widget.attrs.update(
            {"min": rules.VISITS_PER_WEEK_MIN, "max": bounds.VISITS_PER_WEEK_MAX}
        )
        style_form_fields(self)


# The admin's forms: its ModelAdmin builds the fields from the model (modelform_factory); these add the rule.
class StoreAdminForm(RepChoiceMixin, RuleCheckedForm):
    """The admin's store form; StoreAdmin.get_form gives it the acting user (`user`)."""

    rule = rules.STORE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_reps()


class ProductAdminForm(RuleCheckedForm):
    rule = rules.PRODUCT


class ListingRefusalsMixin:
    """A listing form's refusals beyond its numbers (listing_refusals: one listing a store and product, an active
    product newly listed, a purchase price not above the shelf price), on the listing as it will be saved."""

    PRICES = ("purchase_price", "shelf_price")

    def listing_as_saved(self, data) -> Listing | None:
        store = data.get("store", self.instance.store if self.instance.store_id else None)
        if store is None or "product" not in data:
            return None
        active = data.get("active", self.instance.active)
        # a price the form did not parse reads as empty (said once, as such), one it does not show as stored
        prices = {name: data.get(name) if name in self.fields else getattr(self.instance, name) for name in self.PRICES}
        return Listing(pk=self.instance.pk, store=store, product=data["product"], active=active, **prices)

    def more_refusals(self, data) -> list:
        listing = self.listing_as_saved(data)
        return listing_refusals(listing) if listing is not None else []


class ListingAdminForm(ListingRefusalsMixin, RuleCheckedForm):
    rule = rules.LISTING


class ListingForm(ListingRefusalsMixin, RuleCheckedForm):
    """The store page's "List a product": the product (a select, or past RecordChoice.MANY a box for its code that
    offers the active products the user's words find), the day it was listed, the fee and the two prices."""

    rule = rules.LISTING

    class Meta:
        model = Listing
        fields = ["product", "listed_on", "listing_fee", "purchase_price", "shelf_price"]
        widgets = {"listed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, store: Store, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.store = store
        self.fields["product"].queryset = products_for(user).active().order_by("code")
        self.fields["listed_on"].initial = timezone.localdate()
        style_form_fields(self)
        choose_by_code(self, "product", lookup={"active": "true"})


class DeliveryAdminForm(RuleCheckedForm):
    rule = rules.DELIVERY
