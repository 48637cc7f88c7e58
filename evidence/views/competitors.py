"""Competitor sightings (竞品动态) pages: the visit's "Competitors seen" section (posted with htmx, swapping only
itself; without JavaScript a POST and a redirect back to #competitors), the list for KA managers, supervisors and
reps (their own stores') with its Excel export, and the per-chain summary."""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from ka_portal import excel
from ka_portal.errors import DomainError
from ka_portal.formatting import account_name, display_name
from ka_portal.lists import Column, FilteredListView
from ka_portal.pages import mark_problems, once_per_key, queued, queued_refusal, section_refused, show_refusal
from ka_portal.permissions import can, model_permission
from ka_portal.scope import competitor_sightings_for, visits_for
from visits.steps import visit_steps_for

from ..competitor_forms import CompetitorSightingFilter, CompetitorSightingForm, SummaryFilterForm, photo_thumbnail_url
from ..competitors import (
    PROMOTION_MECHANICS,
    competitor_brands,
    competitor_sighting_add,
    competitor_sighting_delete,
    competitor_sightings_list,
    summary_for,
)
from ..models import CompetitorSighting

Mechanics = CompetitorSighting.Mechanics

# --- the visit's section ----------------------------------------------------------------------------------------


def _can_record(user, visit) -> bool:
    return visit.is_open and visit.rep_id == user.pk and can(user, CompetitorSighting, "add")


def section_html(request, visit, *, form=None, saved: str = "", steps: dict | None = None, taken: bool = False) -> str:
    """The "Competitors seen" card of a visit: its sightings, and the form for the visit's rep while it is open.
    `steps`: the visit page's step numbers when drawn with the page; drawn alone, the rep's are looked up. `taken`:
    drawn after a sighting was recorded from this form, whose draft on the phone is then done."""
    editable = _can_record(request.user, visit)
    if editable and form is None:
        form = CompetitorSightingForm()
    elif form is not None and form.is_bound:
        form.mark_invalid()
    # Refused while no longer editable (checked out meanwhile): say why above the list.
    problem = " ".join(form.non_field_errors()) if form is not None and not editable else ""
    context = {
        "visit": visit,
        "sightings": [
            (sighting, photo_thumbnail_url(sighting.photo))
            for sighting in (visit.competitor_sightings.select_related("photo").order_by("id") if visit.pk else [])
        ],
        "editable": editable,
        "form": form if editable else None,
        "brands": competitor_brands(request.user) if editable else [],
        "saved": saved,
        "taken": taken,
        "problem": problem,
        "steps": (visit_steps_for(request.user, visit) if steps is None else steps) if editable else {},
    }
    return render_to_string("evidence/competitors/_visit_section.html", context, request=request)


def _visit_anchor(visit) -> str:
    return reverse("visits:visit-detail", args=[visit.pk]) + "#competitors"


def _full_visit_page(request, visit, form):
    """Without JavaScript a refused sighting re-renders the whole visit page, the section keeping what was typed."""
    from visits.views import _visit_context

    request.competitor_form = form  # picked up by the visit_competitors tag
    return render(request, "visits/visit.html", _visit_context(request, visit), status=400)


@model_permission(CompetitorSighting, get=None, post="add")
@require_POST
@once_per_key
def visit_competitor_add(request, pk: int):
    """Record a sighting at the visit: htmx gets the section back; a plain POST is redirected to it."""
    visit = get_object_or_404(visits_for(request.user).select_related("store"), pk=pk)
    if visit.rep_id != request.user.pk:
        raise PermissionDenied
    form = CompetitorSightingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            competitor_sighting_add(visit=visit, by=request.user, **form.cleaned_data)
        except DomainError as refusal:
            problems = getattr(refusal, "problems", None)  # every bad field (competitors.check_sighting)
            if problems:
                mark_problems(form, problems)
            else:
                show_refusal(form, refusal)
    if queued(request):  # from the phone's outbox, sent when the network came back
        if form.is_valid():
            return JsonResponse({"message": gettext("Competitor sighting recorded.")}, status=201)
        return queued_refusal(gettext("The competitor sighting was not recorded."), form=form)
    if form.is_valid():  # still valid: the service did not refuse
        saved = gettext("Competitor sighting recorded.")
        if not request.htmx:
            messages.success(request, saved)
            return redirect(_visit_anchor(visit))
        # the form drawn empty again, marked taken: the phone forgets its draft (drafts.js)
        return HttpResponse(section_html(request, visit, saved=saved, taken=True))
    if request.htmx:
        # 200 so htmx swaps the section in: the errors show next to the fields, with what was typed.
        return section_refused(HttpResponse(section_html(request, visit, form=form)))
    return _full_visit_page(request, visit, form)


@model_permission(CompetitorSighting, get=None, post="add")
@require_POST
def visit_competitor_add_by_uuid(request, uuid):
    """A sighting from a stop's page on the phone, posted by the visit's client uuid (see visit_checks)."""
    from visits.selectors import visit_pk_by_uuid

    return visit_competitor_add(request, visit_pk_by_uuid(request.user, uuid))


@model_permission(CompetitorSighting, get=None, post="change")
@require_POST
def visit_competitor_delete(request, pk: int):
    """Take a sighting back while the visit is open."""
    sighting = get_object_or_404(competitor_sightings_for(request.user).select_related("visit"), pk=pk)
    visit = sighting.visit
    saved = ""
    try:
        competitor_sighting_delete(sighting=sighting, by=request.user)
    except DomainError as refusal:
        if not request.htmx:
            messages.error(request, refusal.detail)
            return redirect(_visit_anchor(visit))
        saved = refusal.detail
    else:
        saved = gettext("Competitor sighting removed.")
        if not request.htmx:
            messages.success(request, saved)
            return redirect(_visit_anchor(visit))
    return HttpResponse(section_html(request, visit, saved=saved))


# --- the list ---------------------------------------------------------------------------------------------------


def _depth_cell(sighting):
    return float(sighting.depth) if sighting.depth is not None else None


class CompetitorListView(FilteredListView):
    """Every sighting the user may read: by chain, store, brand, promotion, period and text; .xlsx of them all."""

    model = CompetitorSighting
    template_name = "evidence/competitors/list.html"
    filterset_class = CompetitorSightingFilter
    export_name = _("competitor-sightings")
    export_columns = [
        Column(_("Seen on"), lambda s: s.seen_on),
        Column(_("Key account"), lambda s: s.account.code),
        Column(_("Store code"), lambda s: s.store.code),
        Column(_("Store"), lambda s: s.store.name),
        Column(_("Brand"), lambda s: s.brand),
        Column(_("Product"), lambda s: s.product),
        Column(_("Shelf price"), lambda s: s.shelf_price, excel.MONEY_FORMAT),
        Column(_("Regular price"), lambda s: s.regular_price, excel.MONEY_FORMAT),
        Column(_("Depth"), _depth_cell, excel.PERCENT_FORMAT),
        Column(_("Promotion"), lambda s: str(s.get_mechanics_display()) if s.mechanics else ""),
        Column(_("Promotion details"), lambda s: s.mechanics_note),
        Column(_("Display"), lambda s: str(s.get_display_display()) if s.display else ""),
        Column(_("Note"), lambda s: s.note),
        Column(_("Sales rep"), lambda s: display_name(s.visit.rep)),
        Column(_("Photo"), lambda s: "✓" if s.photo_id else ""),
    ]

    def get_base_queryset(self):
        return competitor_sightings_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [(s, photo_thumbnail_url(s.photo)) for s in context["object_list"]]
        context["brands"] = competitor_brands(self.request.user)
        return context


# --- the summary ------------------------------------------------------------------------------------------------


def _products_text(row) -> str:
    return "; ".join(f"{p.product or '—'} {p.lowest_shelf_price}" for p in row.products)


@model_permission(CompetitorSighting)
@require_safe
def competitor_summary_page(request):
    """Per chain: which competitor promoted what, when and how deep, in a period (and .xlsx of the same rows)."""
    form = SummaryFilterForm(request.GET or None, user=request.user)
    rows = []
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        rows = summary_for(request.user, start=data.get("from"), end=data.get("to"), account=data.get("account"))
    mechanics = [(value, label) for value, label in Mechanics.choices if value in PROMOTION_MECHANICS]
    if request.GET.get("export") == "xlsx" and (not form.is_bound or form.is_valid()):
        headers = [
            gettext("Key account"),
            gettext("Brand"),
            gettext("Sightings"),
            gettext("Stores"),
            gettext("First seen"),
            gettext("Last seen"),
            gettext("Promotions"),
            *[str(label) for _value, label in mechanics],
            gettext("Deepest cut"),
            gettext("Average depth"),
            gettext("Lowest shelf price per product"),
        ]
        first_depth = 7 + len(mechanics)
        formats = {first_depth: excel.PERCENT_FORMAT, first_depth + 1: excel.PERCENT_FORMAT}
        lines = (
            [
                row.account_code,
                row.brand,
                row.sightings,
                row.stores,
                row.first_seen,
                row.last_seen,
                row.promotions,
                *[row.by_mechanics[value] for value, _label in mechanics],
                float(row.deepest) if row.deepest is not None else None,
                float(row.average_depth) if row.average_depth is not None else None,
                _products_text(row),
            ]
            for row in rows
        )
        stamp = timezone.localdate().isoformat()
        name = gettext("competitor-summary")
        return excel.xlsx_response(f"{name}-{stamp}.xlsx", name, headers, lines, formats)
    chains: dict[str, dict] = {}
    for row in rows:
        name = account_name(SimpleNamespace(name=row.account_name, name_en=row.account_name_en))
        chain = chains.setdefault(row.account_code, {"code": row.account_code, "name": name, "rows": []})
        chain["rows"].append(row)
    context = {
        "form": form,
        "chains": list(chains.values()),
        "filters_active": any(v for k, v in request.GET.items() if k != "export"),
    }
    return render(request, "evidence/competitors/summary.html", context)


urlpatterns = [
    path("competitors/", CompetitorListView.as_view(), name="competitor-list"),
    path("competitors/summary/", competitor_summary_page, name="competitor-summary"),
    path("visits/<int:pk>/competitors/", visit_competitor_add, name="visit-competitor-add"),
    path("visits/u/<uuid:uuid>/competitors/", visit_competitor_add_by_uuid, name="visit-competitor-add-uuid"),
    path("competitors/<int:pk>/delete/", visit_competitor_delete, name="competitor-delete"),
]
