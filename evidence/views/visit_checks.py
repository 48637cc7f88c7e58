"""Pages: the visit page's promotions section (issue 13 part 1) — a rep records, per running plan, the shelf prices
seen and the displays found with their photos, and per display agreement whether it is in place.

Posting swaps only the section through htmx (the rest of the visit form keeps what the rep typed); without htmx
the page is posted and redirected back to the section. A refusal shows next to its field, with what was typed.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ka_portal.errors import DomainError
from ka_portal.pages import once_per_key, queued, queued_refusal, section_refused
from ka_portal.permissions import model_permission
from visits import selectors as visit_selectors
from visits.models import Visit
from visits.steps import visit_steps_for

from .. import visit_checks as checks
from ..models import DisplayKind

SECTION = "evidence/visit_checks/section.html"
ANCHOR = "promotions"
YES_NO = {"yes": True, "no": False, "": None}


def _decimal(text: str) -> Decimal:
    return Decimal(text.strip().replace(",", ".").replace("，", ".").replace("¥", ""))


def _whole(text: str) -> int:
    return int(text.strip())


class Posted:
    """What was typed into one plan's or agreement's form, and the errors next to its fields (by field name)."""

    def __init__(self, target: str, data=None, errors=None):
        self.target, self.data, self.errors = target, data or {}, errors or {}

    def value(self, name: str, default=""):
        return self.data.get(name, default)


def _plan_rows(row, posted: Posted | None):
    """The template's view of one plan: per item its input's value and error, per display its answer."""
    mine = posted if posted and posted.target == f"plan-{row.plan.pk}" else None
    items = []
    for item, check in row.items:
        saved_price = "" if check is None or check.shelf_price is None else str(check.shelf_price)
        saved_missing = check is not None and check.shelf_price is None
        items.append(
            {
                "item": item,
                "check": check,
                "name": f"price_{item.pk}",
                "missing_name": f"missing_{item.pk}",
                "value": mine.value(f"price_{item.pk}") if mine else saved_price,
                "missing": (mine.value(f"missing_{item.pk}") == "on") if mine else saved_missing,
                "error": mine.errors.get(f"price_{item.pk}") if mine else None,
            }
        )
    displays = []
    for display in row.displays:
        saved = "" if display.check is None else ("yes" if display.check.present else "no")
        displays.append(
            {
                "kind": display.kind,
                "label": display.label,
                "check": display.check,
                "name": f"present_{display.kind}",
                "photo_name": f"photo_{display.kind}",
                "value": mine.value(f"present_{display.kind}") if mine else saved,
                "error": mine.errors.get(f"photo_{display.kind}") if mine else None,
            }
        )
    return {
        "row": row,
        "items": items,
        "displays": displays,
        "error": mine.errors.get("__all__") if mine else None,
        "bound": mine is not None,  # drawn with what was posted (refused), not what the visit has: drafts.js
    }


def _agreement_rows(row, posted: Posted | None):
    mine = posted if posted and posted.target == f"agreement-{row.agreement.pk}" else None
    check = row.check
    saved = "" if check is None else ("yes" if check.present else "no")
    saved_facings = "" if check is None or check.facings is None else str(check.facings)
    return {
        "row": row,
        "asks_facings": row.agreement.kind == DisplayKind.FACINGS,
        "value": mine.value("present") if mine else saved,
        "facings": mine.value("facings") if mine else saved_facings,
        "errors": mine.errors if mine else {},
        "error": mine.errors.get("__all__") if mine else None,
        "bound": mine is not None,
    }


def section_context(
    request, visit: Visit, editable: bool, posted: Posted | None = None, steps: dict | None = None
) -> dict:
    """`steps`: the visit page's step numbers when drawn with the page; drawn alone, the rep's are looked up."""
    found = checks.visit_checks(visit)
    targets = {f"plan-{row.plan.pk}" for row in found.plans if editable}
    targets |= {f"agreement-{row.agreement.pk}" for row in found.agreements if editable}
    return {
        # A refusal for a form the section no longer shows (the plan stopped running, the visit was closed).
        "orphan_error": posted.errors.get("__all__") if posted and posted.target not in targets else None,
        "visit": visit,
        "editable": editable,
        "checks": found,
        "plans": [_plan_rows(row, posted) for row in found.plans],
        "agreements": [_agreement_rows(row, posted) for row in found.agreements],
        "request": request,
        "steps": (visit_steps_for(request.user, visit) if steps is None else steps) if editable else {},
    }


def render_section(
    request, visit: Visit, editable: bool, posted: Posted | None = None, steps: dict | None = None
) -> str:
    return render_to_string(SECTION, section_context(request, visit, editable, posted, steps), request=request)


def _own_open_visit(request, pk: int) -> Visit:
    visit = visit_selectors.visit_detail(request.user, pk)
    if visit.rep_id != request.user.pk:
        raise PermissionDenied
    return visit


def _answer(request, visit: Visit, posted: Posted | None, success: str):
    """htmx: the section again (with the errors, or fresh); else back to the visit at the section, or the whole
    page with the errors (400)."""
    editable = visit.is_open and visit.rep_id == request.user.pk
    if queued(request):  # from the phone's outbox, sent when the network came back
        if posted is None:
            return JsonResponse({"message": str(success)})
        general = posted.errors.get("__all__")
        fields = {name: [text] for name, text in posted.errors.items() if name != "__all__"}
        return queued_refusal(general or _("Not saved: please correct the fields marked."), fields)
    if request.htmx:
        section = render(request, SECTION, section_context(request, visit, editable, posted))
        return section if posted is None else section_refused(section)
    if posted is None:
        messages.success(request, success)
        return redirect(reverse("visits:visit-detail", args=[visit.pk]) + f"#{ANCHOR}")
    from visits.views import _visit_context

    messages.error(request, _("Not saved: please correct the fields marked below. Everything you typed is kept."))
    context = {**_visit_context(request, visit), "visit_checks_posted": posted}
    return render(request, "visits/visit.html", context, status=400)


@model_permission(Visit, get=None, post="change")
@require_POST
@once_per_key
def plan_checks_save(request, pk: int, plan_pk: int):
    """One running plan's prices and displays, as the rep found them."""
    visit = _own_open_visit(request, pk)
    target = f"plan-{plan_pk}"
    data = {key: request.POST.get(key, "") for key in request.POST}
    errors: dict[str, str] = {}
    prices: dict[int, object] = {}
    displays: dict[str, checks.DisplayAnswer] = {}
    row = next((r for r in checks.visit_checks(visit).plans if r.plan.pk == plan_pk), None)
    if row is None or not visit.is_open:
        # Not running here (or closed): the service says so, in its words.
        try:
            checks.promotion_checks_record(visit=visit, plan=plan_pk)
        except DomainError as refusal:
            return _answer(request, visit, Posted(target, data, {"__all__": refusal.detail}), "")
        return _answer(request, visit, None, _("Promotion check saved."))
    for item, _check in row.items:
        text = data.get(f"price_{item.pk}", "").strip()
        if data.get(f"missing_{item.pk}") == "on" and not text:
            prices[item.pk] = None
        elif text:
            try:
                price = _decimal(text)
                checks.check_shelf_price(price, reference=checks.shelf_price_reference(item))
                price = price.quantize(Decimal("0.01"))  # a price is in cents: 4.999 is 5.00
            except (InvalidOperation, ValueError):
                errors[f"price_{item.pk}"] = _("Write the price as a number, e.g. 12.90.")
            except DomainError as refusal:
                errors[f"price_{item.pk}"] = refusal.detail
            else:
                prices[item.pk] = price
        else:
            prices[item.pk] = checks.NOT_CHECKED
    for display in row.displays:
        image = request.FILES.get(f"photo_{display.kind}")
        present = YES_NO.get(data.get(f"present_{display.kind}", ""))
        displays[display.kind] = checks.DisplayAnswer(present=present, image=image)
    if errors:
        return _answer(request, visit, Posted(target, data, errors), "")
    try:
        checks.promotion_checks_record(visit=visit, plan=plan_pk, prices=prices, displays=displays)
    except DomainError as refusal:
        key = "__all__"
        if refusal.field == "image":  # a photo refused (too large): next to the first photo sent
            key = next((f"photo_{kind}" for kind in displays if displays[kind].image is not None), key)
        return _answer(request, visit, Posted(target, data, {key: refusal.detail}), "")
    return _answer(request, visit, None, _("Promotion check saved."))


@model_permission(Visit, get=None, post="change")
@require_POST
@once_per_key
def agreement_check_save(request, pk: int, agreement_pk: int):
    """Whether an agreed display is in place, with its photo (and the facings seen, for shelf facings)."""
    visit = _own_open_visit(request, pk)
    target = f"agreement-{agreement_pk}"
    data = {key: request.POST.get(key, "") for key in request.POST}
    facings = None
    if data.get("facings", "").strip():
        try:
            facings = _whole(data["facings"])
        except ValueError:
            return _answer(
                request, visit, Posted(target, data, {"facings": _("Write the facings as a whole number.")}), ""
            )
    try:
        checks.agreement_check_record(
            visit=visit,
            agreement=agreement_pk,
            present=YES_NO.get(data.get("present", "")),
            facings=facings,
            image=request.FILES.get("photo"),
        )
    except DomainError as refusal:
        field = refusal.field if refusal.field in ("facings", "photo") else "__all__"
        if refusal.field == "image":
            field = "photo"
        return _answer(request, visit, Posted(target, data, {field: refusal.detail}), "")
    return _answer(request, visit, None, _("Display check saved."))


@model_permission(Visit, get=None, post="change")
@require_POST
def plan_checks_save_by_uuid(request, uuid, plan_pk: int):
    return plan_checks_save(request, visit_selectors.visit_pk_by_uuid(request.user, uuid), plan_pk)


@model_permission(Visit, get=None, post="change")
@require_POST
def agreement_check_save_by_uuid(request, uuid, agreement_pk: int):
    return agreement_check_save(request, visit_selectors.visit_pk_by_uuid(request.user, uuid), agreement_pk)


urlpatterns = [
    path("visits/<int:pk>/promotions/<int:plan_pk>/", plan_checks_save, name="visit-plan-checks"),
    path("visits/<int:pk>/agreements/<int:agreement_pk>/", agreement_check_save, name="visit-agreement-check"),
    path("visits/u/<uuid:uuid>/promotions/<int:plan_pk>/", plan_checks_save_by_uuid, name="visit-plan-checks-uuid"),
    path(
        "visits/u/<uuid:uuid>/agreements/<int:agreement_pk>/",
        agreement_check_save_by_uuid,
        name="visit-agreement-check-uuid",
    ),
]
