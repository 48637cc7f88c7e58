"""Store, product, listing and delivery pages. Querysets start from ka_portal/scope.py: out of scope is 404."""

from datetime import date, timedelta

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ka_portal.errors import DomainError
from ka_portal.formatting import format_packs
from ka_portal.lists import Column, FilteredListView, RepsOwnListMixin
from ka_portal.pages import run_step, show_refusal
from ka_portal.permissions import can, model_permission, require
from ka_portal.scope import (
    deliveries_for,
    listings_for,
    store_sell_out_for,
    stores_for,
    suggested_orders_for,
    visits_for,
)

from . import services
from .filters import DeliveryFilter, ListingFilter, ProductFilter, StoreFilter
from .forms import ListingForm, StoreForm
from .imports import DeliveryImport, ListingImport, ProductImport, StoreImport, header_of
from .models import Delivery, Listing, Product, Store
from .selectors import delivery_unit_price, delivery_value


class StoreListView(RepsOwnListMixin, FilteredListView):
    template_name = "stores/store_list.html"
    filterset_class = StoreFilter
    export_name = _("stores")
    # Headed as the stores import reads them (and the override, not the frequency in effect, in the column it
    # reads): the exported sheet imports back, changing only what was changed in it.
    export_columns = [
        Column(header_of(StoreImport, "code"), lambda s: s.code),
        Column(header_of(StoreImport, "name"), lambda s: s.name),
        Column(header_of(StoreImport, "account_code"), lambda s: s.account.code),
        Column(header_of(StoreImport, "grade"), lambda s: s.grade),
        Column(header_of(StoreImport, "visits_per_week_override"), lambda s: s.visits_per_week_override),
        Column(header_of(StoreImport, "visits_per_week"), lambda s: s.visits_per_week),
        Column(header_of(StoreImport, "city"), lambda s: s.city),
        Column(header_of(StoreImport, "region"), lambda s: s.region),
        Column(header_of(StoreImport, "address"), lambda s: s.address),
        Column(header_of(StoreImport, "latitude"), lambda s: s.latitude, "0.000000"),
        Column(header_of(StoreImport, "longitude"), lambda s: s.longitude, "0.000000"),
        Column(header_of(StoreImport, "rep"), lambda s: s.rep.username if s.rep else ""),
        Column(header_of(StoreImport, "opened_on"), lambda s: s.opened_on, "yyyy-mm-dd"),
        Column(header_of(StoreImport, "active"), lambda s: s.active),
    ]

    def get_base_queryset(self):
        return stores_for(self.request.user).select_related("account", "rep").order_by("code")


@model_permission(Store)
def store_detail(request, pk: int):
    """A store's page; each section only for a role that may view what it shows (the API's permissions)."""
    from visits.models import SuggestedOrder, Visit

    user = request.user
    store = get_object_or_404(stores_for(user).select_related("account", "rep"), pk=pk)
    context = {
        "store": store,
        "show_listings": can(user, Listing),
        "show_deliveries": can(user, Delivery),
        "show_visits": can(user, Visit),
        "show_orders": can(user, SuggestedOrder),
        "rep_warning": services.store_rep_warning(store),  # a rep an old import gave it: pick a sales rep
        "can_list": can(user, Store, "change") and can(user, Listing, "add"),
        "can_delist": can(user, Store, "change") and can(user, Listing, "change"),
    }
    if context["show_listings"]:
        context["listings"] = store.listings.select_related("product").order_by("-active", "product__code")
    if context["show_deliveries"]:
        context["deliveries"] = (
            store.deliveries.select_related("product")
            .annotate(price=delivery_unit_price(), line_amount=delivery_value())
            .order_by("-date", "-id")[:20]
        )
    if context["show_visits"]:
        context["visits"] = (
            visits_for(user).filter(store=store).select_related("rep").order_by("-checked_in_at", "-pk")[:10]
        )
    if context["show_orders"]:
        context["suggested_orders"], context["suggested_orders_day"] = _latest_suggested_orders(user, store)
    context.update(_sell_out(user, store))  # the store's own figures: whoever reaches the store reads them
    return render(request, "stores/store_detail.html", context)


SELL_OUT_DAYS = 28


def _sell_out(user, store: Store) -> dict:
    """What promoters reported selling here over the last four weeks, per product (issue 16): one query."""
    from promoters.sellout_selectors import sell_out_by_store_product

    end = timezone.localdate()
    start = end - timedelta(days=SELL_OUT_DAYS - 1)
    rows = sell_out_by_store_product(store_sell_out_for(user), start=start, end=end, stores=[store])
    return {"sell_out": rows, "sell_out_start": start, "sell_out_end": end}


@model_permission(Store, get="view", post="view")  # then add or change, below
def store_edit(request, pk: int | None = None):
    """Add or change a store on the store sheet; the store must stay within the user's scope."""
    store = get_object_or_404(stores_for(request.user), pk=pk) if pk else None
    require(request.user, Store, "change" if store else "add")
    form = StoreForm(request.POST or None, instance=store, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.store_save(store=store, by=request.user, **form.cleaned_data)
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, gettext("Store %(code)s saved.") % {"code": saved.code})
            return redirect("stores:store-detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "stores/store_form.html", {"form": form, "store": store}, status=status)


def _store_to_change(request, pk: int) -> Store:
    """A store of the user's scope (else 404) that their role may change (else 403): listing and delisting its
    products is editing the store."""
    store = get_object_or_404(stores_for(request.user).select_related("account"), pk=pk)
    require(request.user, Store, "change")
    return store


@model_permission(Listing, get="add", post="add")
def listing_add(request, pk: int):
    """List a product at a store (the store's page's "List a product"), through the service the API and the admin
    save through: one listing a store and product, an active product, the fee and prices not negative."""
    store = _store_to_change(request, pk)
    form = ListingForm(request.POST or None, store=store, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_save(store=store, **form.cleaned_data)
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(
                request,
                gettext("%(product)s listed at this store.") % {"product": services.product_label(listing.product)},
            )
            return redirect("stores:store-detail", pk=store.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "stores/listing_form.html", {"form": form, "store": store}, status=status)


@model_permission(Listing, get=None, post="change")
@require_POST
def listing_active(request, pk: int, listing_pk: int):
    """Delist a product at a store (`active=0`: the listing ends, kept with its prices), or list it again (`1`)."""
    store = _store_to_change(request, pk)
    listing = get_object_or_404(
        listings_for(request.user).select_related("product", "store"), pk=listing_pk, store=store
    )
    active = request.POST.get("active") == "1"
    label = services.product_label(listing.product)
    answer = run_step(
        request,
        lambda: services.listing_save(listing=listing, active=active),
        success=(
            gettext("%(product)s listed again at this store.")
            if active
            else gettext("%(product)s delisted at this store.")
        )
        % {"product": label},
        then=reverse("stores:store-detail", args=[store.pk]),
    )
    warning = services.listing_price_warning(listing)  # its prices as stored before the rule: still to be corrected
    if warning:
        messages.warning(request, warning)
    return answer


def _latest_suggested_orders(user, store) -> tuple[list, date | None]:
    """The store's suggested order in force today, product by product, and the day it stands as computed."""
    from visits.selectors import suggestions_day

    today = timezone.localdate()
    orders = suggested_orders_for(user).filter(store=store)
    day = suggestions_day(Store.objects.filter(pk=store.pk), today)
    if day is None:
        return [], None
    rows = orders.in_force_on(today).select_related("product").order_by("-suggested_cases", "product__code")
    return list(rows), day


class ProductListView(FilteredListView):
    template_name = "stores/product_list.html"
    filterset_class = ProductFilter
    export_name = _("products")
    export_columns = [  # headed as the products import reads them: the sheet imports back
        Column(header_of(ProductImport, "code"), lambda p: p.code),
        Column(header_of(ProductImport, "barcode"), lambda p: p.barcode),
        Column(header_of(ProductImport, "name"), lambda p: p.name),
        Column(header_of(ProductImport, "brand"), lambda p: p.brand),
        Column(header_of(ProductImport, "category"), lambda p: p.category),
        Column(header_of(ProductImport, "packs_per_case"), lambda p: p.packs_per_case),
        Column(header_of(ProductImport, "suggested_retail_price"), lambda p: p.suggested_retail_price),
        Column(header_of(ProductImport, "distributor_price"), lambda p: p.distributor_price),
        Column(header_of(ProductImport, "wholesale_price"), lambda p: p.wholesale_price),
        Column(header_of(ProductImport, "active"), lambda p: p.active),
    ]

    def get_base_queryset(self):
        stores = stores_for(self.request.user)
        return Product.objects.annotate(
            store_total=Count("listings", filter=Q(listings__active=True, listings__store__in=stores))
        ).order_by("code")


class ListingListView(FilteredListView):
    template_name = "stores/listing_list.html"
    filterset_class = ListingFilter
    export_name = _("listings")
    export_columns = [  # headed as the listings import reads them (the names for reference): the sheet imports back
        Column(header_of(ListingImport, "store_code"), lambda x: x.store.code),
        Column(header_of(ListingImport, "store_name"), lambda x: x.store.name),
        Column(header_of(ListingImport, "product_code"), lambda x: x.product.code),
        Column(header_of(ListingImport, "product_name"), lambda x: x.product.name),
        Column(header_of(ListingImport, "listed_on"), lambda x: x.listed_on, "yyyy-mm-dd"),
        Column(header_of(ListingImport, "listing_fee"), lambda x: x.listing_fee),
        Column(header_of(ListingImport, "purchase_price"), lambda x: x.purchase_price),
        Column(header_of(ListingImport, "shelf_price"), lambda x: x.shelf_price),
        Column(header_of(ListingImport, "active"), lambda x: x.active),
    ]

    def get_base_queryset(self):
        return (
            listings_for(self.request.user).select_related("store", "product").order_by("store__code", "product__code")
        )


class DeliveryListView(FilteredListView):
    template_name = "stores/delivery_list.html"
    filterset_class = DeliveryFilter
    export_name = _("deliveries")
    # Headed as the deliveries import reads them, the delivery's own price (empty: the listing's) apart from the price
    # it is valued at: the sheet imports back, changing only what was changed in it.
    export_columns = [
        Column(header_of(DeliveryImport, "date"), lambda d: d.date, "yyyy-mm-dd"),
        Column(header_of(DeliveryImport, "store_code"), lambda d: d.store.code),
        Column(header_of(DeliveryImport, "store_name"), lambda d: d.store.name),
        Column(header_of(DeliveryImport, "product_code"), lambda d: d.product.code),
        Column(header_of(DeliveryImport, "product_name"), lambda d: d.product.name),
        Column(header_of(DeliveryImport, "quantity"), lambda d: d.quantity),
        Column(
            header_of(DeliveryImport, "quantity_cases"), lambda d: format_packs(d.quantity, d.product.packs_per_case)
        ),
        Column(header_of(DeliveryImport, "unit_price"), lambda d: d.unit_price),
        Column(header_of(DeliveryImport, "price"), lambda d: d.price),
        Column(header_of(DeliveryImport, "amount"), lambda d: d.line_amount),
        Column(header_of(DeliveryImport, "reference"), lambda d: d.reference),
    ]
    # what the columns read: an export of every delivery (80,000 at a month's end) reads these values, no instances
    export_fields = (
        "date",
        "store__code",
        "store__name",
        "product__code",
        "product__name",
        "quantity",
        "product__packs_per_case",
        "unit_price",
        "price",
        "line_amount",
        "reference",
    )

    def get_base_queryset(self):
        return (
            deliveries_for(self.request.user)
            .select_related("store", "product")
            .annotate(price=delivery_unit_price(), line_amount=delivery_value())
            .order_by("-date", "-id")
        )
