"""Pages for routes and visits: the rep's Today and visit flow, route planning, tasks, daily report, compliance.

Every queryset starts from ka_portal/scope.py (through visits/selectors.py): out of scope is 404.
"""

import json
import uuid
from datetime import date, timedelta
from operator import attrgetter
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, ExpressionWrapper, Prefetch, When
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from evidence import signals as fraud_signals
from evidence.models import FraudSignal
from ka_portal import downloads, once, queues
from ka_portal.errors import DomainError, KeyReused
from ka_portal.formatting import account_name, display_name, format_distance
from ka_portal.lists import Column, FilteredListView, RepsOwnListMixin
from ka_portal.middleware import BadInput
from ka_portal.models import IdempotencyKey
from ka_portal.pages import (
    once_per_key,
    queued,
    queued_refusal,
    refused,
    replayed,
    run_step,
    section_refused,
    show_refusal,
)
from ka_portal.permissions import can, model_permission, require
from ka_portal.scope import (
    accounts_for,
    route_plans_for,
    route_stops_for,
    stores_for,
    suggested_orders_for,
    tasks_for,
    visits_for,
)

from . import rules, selectors, services
from .filters import RoutePlanFilter, SuggestedOrderFilter, TaskFilter, VisitFilter
from .forms import (
    DAY_CHOICES,
    PLACE_MAX,
    PLACE_RANGE,
    AddStopForm,
    CheckInForm,
    GenerateRouteForm,
    MoveStopForm,
    PhotoForm,
    TaskEditForm,
    TaskForm,
    VisitForm,
    VisitReviewForm,
    left_at_on,
)
from .models import ReplenishmentRun, RoutePlan, RouteStop, SuggestedOrder, Task, TaskChange, Visit
from .steps import visit_steps, visit_steps_for
from .tasks import suggested_orders_run


def _day_param(request, name: str = "date") -> date:
    """The day a page is about (?date=YYYY-MM-DD), today without one; a day that does not exist is a 400."""
    text = request.GET.get(name, "") or ""
    try:
        day = parse_date(text)
    except ValueError:  # well formed but no such day: 2026-13-45
        day = None
    if text and day is None:
        raise BadInput(_("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": text})
    return day or timezone.localdate()


# --- the rep's day -----------------------------------------------------------------------------


# Not kept by the browser (no-store): Back to the rep's Today, a stop's page or a visit asks again and shows the
# visit as it now stands, not the copy from before the check-in or check-out. The service worker
# still keeps its own copy for when there is no network (templates/pwa/sw.js); a page restored whole from the
# back-forward cache reloads itself (Today: js/fresh-on-back.js; a visit: visit.js).
@model_permission(Visit)
@never_cache
def today(request):
    day = timezone.localdate()
    rows = selectors.rep_day(request.user, day)
    for row in rows:
        # One visit per stop and day (a double tap, or the offline check-in and its upload, name the same visit);
        # its page before check-in is kept on the phone, for a check-in with no network.
        row.check_in_uuid = selectors.start_uuid(request.user, row.store, day)
        row.start_url = reverse("visits:visit-start", args=[row.store.pk])
    other_stores = (
        selectors.scoped_stores(request.user).filter(rep=request.user).exclude(pk__in=[r.store.pk for r in rows])
    )
    context = {
        "day": day,
        "rows": rows,
        "done": sum(1 for row in rows if row.done),
        "other_stores": other_stores,
        "other_uuid": uuid.uuid4(),
        "sunday": day.weekday() == 6,
        # visits left open (a check-out forgotten at the last store): said at the top, with the way back to each
        "still_open": selectors.still_open(request.user),
        "week_plan": route_plans_for(request.user)
        .filter(rep=request.user, week_start=services.week_start_of(day), status=RoutePlan.Status.PUBLISHED)
        .first(),
    }
    return render(request, "visits/today.html", context)


@model_permission(Visit, get=None, post="add")
@require_POST
@once_per_key
def check_in(request):
    form = CheckInForm(request.POST)
    in_background = queued(request)
    if not form.is_valid():
        if in_background:
            return queued_refusal(_("Check-in failed: choose a store and try again."), form=form)
        messages.error(request, _("Check-in failed: choose a store and try again."))
        return refused(redirect("visits:today"))
    data = form.cleaned_data
    store = get_object_or_404(stores_for(request.user).filter(rep=request.user), pk=data["store"])
    stop = None
    if data.get("stop"):
        stop = get_object_or_404(route_stops_for(request.user), pk=data["stop"])
    try:
        visit, _created = services.visit_check_in(
            rep=request.user,
            store=store,
            uuid=data["uuid"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            route_stop=stop,
            # the phone's time only for a check-in it kept and sends later; one sent as it is made is the server's
            # (a phone's clock set wrong neither dates a visit back nor stops the rep checking in)
            at=data.get("at") if replayed(request) else None,
        )
    except DomainError as error:
        if error.code == "visit.already_open":
            return _carry_on(request, error, in_background)
        if in_background:
            return queued_refusal(error.detail, status=error.status_code, code=error.code)
        messages.error(request, error.detail)
        return refused(redirect("visits:today"))
    url = reverse("visits:visit-detail", args=[visit.pk])
    far = ""
    if visit.far_from_store:
        far = _("You checked in %(distance)s from the store's address; the visit is flagged.") % {
            "distance": format_distance(visit.distance_m)
        }
    if in_background:
        return JsonResponse({"url": url, "visit": str(visit.uuid), "message": far}, status=201)
    if far:
        messages.warning(request, far)
    return redirect(url)


def _carry_on(request, error: DomainError, in_background: bool):
    """A second tap on Check in while the visit of the first is open (the service refuses another): the rep is
    taken to that visit, as the first tap would have, and told they were already checked in."""
    visit = get_object_or_404(visits_for(request.user).filter(rep=request.user), pk=error.params["visit"])
    url = reverse("visits:visit-detail", args=[visit.pk])
    said = _("You were already checked in here since %(time)s: this is that visit.") % {"time": error.params["time"]}
    if in_background:
        return JsonResponse({"url": url, "visit": str(visit.uuid), "message": said}, status=200)
    messages.info(request, said)
    return redirect(url)


def _check_out_offline(visit: Visit) -> dict:
    """What the visit page needs to refuse a check-out it keeps offline as this view refuses it online (visit.js): the
    service's words (services.check_out_refusal_words), and what is missing that the page's fields cannot show — a
    check-in without a position (None on a stop's page before check-in: the check-in waits on the phone) and the
    running promotions not checked yet, by plan."""
    from evidence.visit_checks import promotion_checks, unchecked_promotions

    if visit.pk is None:
        plans, no_position = list(promotion_checks(visit, checked=False).running), None
    else:
        plans, no_position = unchecked_promotions(visit), visit.no_position
    return {**services.check_out_refusal_words(), "no_position_now": no_position, "promotions_unchecked": plans}


def _review_context(request, visit: Visit, review_form=None) -> dict:
    """What the visit page shows of its reviews (visits.services.visit_review_save): every review, each with its
    reviewer, to everyone who sees the visit; to a reviewer (services.reviews_visits) of a checked-out visit, the form
    (to add their own review beside the others', or to change the comment of theirs) and, once they reviewed it, the
    next visit of their queue ("Review next")."""
    reviews = list(selectors.visit_reviews(visit))  # the first first; none while the visit is open (no query)
    if not services.reviews_visits(request.user) or visit.is_open:
        return {"reviews": reviews}
    # reached through the reviewer's scope already (selectors.visit_detail): the rule's other parts are the role's
    # and the check-out's, both known here
    own = next((review for review in reviews if review.by_id == request.user.pk), None)
    if review_form is None:
        review_form = VisitReviewForm(initial={"comment": own.comment if own else ""})
    context = {"reviews": reviews, "own_review": own, "reviewer": True, "review_form": review_form}
    if own is not None:
        context["next_review"] = selectors.next_to_review(request.user, besides=visit)
        context["review_days"] = selectors.REVIEW_DAYS
    return context


def _visit_context(request, visit: Visit, form=None, photo_form=None, review_form=None) -> dict:
    listings = selectors.store_listings(visit.store)
    tasks = list(selectors.visit_form_tasks(request.user, visit)) if visit.is_open else []
    editable = visit.is_open and visit.rep_id == request.user.pk
    if editable and form is None:
        form = VisitForm(visit=visit, listings=listings, tasks=tasks, previous=selectors.previous_counts(visit))
    return {
        **_review_context(request, visit, review_form),
        "visit": visit,
        "form": form if editable else None,
        "photo_form": photo_form or (PhotoForm() if editable else None),
        "editable": editable,
        "orders": selectors.visit_suggested_orders(visit),
        "tasks_done": selectors.visit_tasks_answered(visit),
        "listings": listings,
        "steps": visit_steps(has_tasks=bool(tasks)) if editable else {},
        # the rep's other visits still open (checked in here without checking out there): said above the form
        "still_open": selectors.still_open(request.user, besides=visit) if editable else [],
        "check_out_offline": _check_out_offline(visit) if editable else None,
    }


@model_permission(Visit, post="change")
@never_cache
@once_per_key
def visit_detail(request, pk: int):
    visit = selectors.visit_detail(request.user, pk)
    if request.method == "POST":
        return _visit_post(request, visit)
    return render(request, "visits/visit.html", _visit_context(request, visit))


# Whoever reads visits knocks; who reviews is the service's rule (a rep is refused there, naming who reviews).
@model_permission(Visit, get="view", post="view")
@require_http_methods(["GET", "POST"])
def visit_review(request, pk: int):
    """The visit page's review form: a reviewer marks the checked-out visit reviewed, with an optional comment for
    the rep, or changes the comment they wrote (visits.services.visit_review_save); then back to the visit's review,
    which offers the next visit of their queue. Sent twice, the visit is reviewed once. A refusal is said on the
    visit page, the comment kept as typed. Opened (the address of a refusal shared, reloaded, or come back to), it
    leads to the visit's review, scoped as the visit is."""
    visit = selectors.visit_detail(request.user, pk)
    if request.method == "GET":
        return redirect(reverse("visits:visit-detail", args=[visit.pk]) + "#review")
    form = VisitReviewForm(request.POST)
    form.is_valid()  # an optional text: always valid; the service decides
    try:
        _review, created = services.visit_review_save(
            visit=visit, by=request.user, comment=form.cleaned_data.get("comment", "")
        )
    except DomainError as error:
        if error.field in form.fields:  # said next to the comment too, which stays as typed
            show_refusal(form, error)
        messages.error(request, error.detail)
        visit = selectors.visit_detail(request.user, pk)  # as it now stands
        status = 403 if error.status_code == 403 else 400  # a role refused (a sales rep), as the API answers it
        return render(request, "visits/visit.html", _visit_context(request, visit, review_form=form), status=status)
    messages.success(request, _("Visit reviewed.") if created else _("Your review is saved."))
    return redirect(reverse("visits:visit-detail", args=[visit.pk]) + "#review")


@model_permission(Visit, post="change")
@once_per_key
def visit_by_uuid(request, uuid):
    """A visit by its client uuid: what a visit page started on the phone (checked in with no network) posts to,
    before it knows the visit's number. Out of scope, or not uploaded yet, is 404."""
    if request.method == "POST":
        return _visit_post(request, selectors.visit_detail(request.user, uuid=uuid))
    return redirect("visits:visit-detail", pk=selectors.visit_pk_by_uuid(request.user, uuid))


@model_permission(Visit, get="add")
@never_cache
def visit_start(request, store_pk: int):
    """A stop's visit page before check-in, kept on the phone from Today: with no network the rep checks in on it
    (the check-in waits in the outbox) and records the visit there. With a visit at the store today, that visit."""
    day = timezone.localdate()
    store = get_object_or_404(stores_for(request.user).filter(rep=request.user).select_related("account"), pk=store_pk)
    today = selectors.visits_on(request.user, day).filter(rep=request.user, store=store)
    first = today.order_by("checked_in_at").first()
    if first is not None:
        return redirect("visits:visit-detail", pk=first.pk)
    stop = selectors.todays_stop(request.user, store, day)
    visit = Visit(
        uuid=selectors.start_uuid(request.user, store, day),
        rep=request.user,
        store=store,
        route_stop=stop,
        checked_in_at=timezone.now(),
    )
    listings = selectors.store_listings(store)
    tasks = list(selectors.visit_form_tasks(request.user, visit))
    form = VisitForm(visit=visit, listings=listings, tasks=tasks, previous=selectors.previous_counts(visit))
    context = {
        "visit": visit,
        "start": True,
        "form": form,
        "photo_form": PhotoForm(),
        "editable": True,
        "orders": [],
        "listings": listings,
        "steps": visit_steps(has_tasks=bool(tasks)),
        "still_open": selectors.still_open(request.user),
        "check_out_offline": _check_out_offline(visit),
    }
    return render(request, "visits/visit.html", context)


def _visit_post(request, visit: Visit):
    """The visit form's save, "All OK" and check-out, from the page or from the outbox (then answered in JSON)."""
    in_background = queued(request)
    if visit.rep_id != request.user.pk:
        raise PermissionDenied
    action = request.POST.get("action")
    if not visit.is_open:
        if not in_background:  # a repeated tap on "check out": the visit is already closed, show it
            shown = redirect("visits:visit-detail", pk=visit.pk)
            return shown if action == "check_out" else refused(shown)  # a save to it is not recorded
        if action == "check_out":  # a repeated check-out: done already
            return JsonResponse({"url": reverse("visits:visit-detail", args=[visit.pk]), "checked_out": True})
        return queued_refusal(_("The visit was closed before this save arrived: it was not recorded."), status=409)
    listings = selectors.store_listings(visit.store)
    tasks = list(selectors.visit_form_tasks(request.user, visit))
    previous = selectors.previous_counts(visit)
    form = VisitForm(request.POST, visit=visit, listings=listings, tasks=tasks, previous=previous)
    if not form.is_valid():
        if in_background:
            return queued_refusal(form.fix_message() or _("Not saved: please correct the fields marked."), form=form)
        messages.error(request, _("Not saved: please correct the fields marked below. Everything you typed is kept."))
        return render(request, "visits/visit.html", _visit_context(request, visit, form=form), status=400)
    findings = form.record_kwargs(all_ok=action == "all_ok")
    try:
        if action == "check_out":
            # the phone's time only for a check-out it kept and sends later, as the check-in's
            at = form.cleaned_data.get("at") if replayed(request) else None
            services.visit_record_and_check_out(visit=visit, at=at, left_at=form.left_at_moment(), **findings)
        else:
            services.visit_record(visit=visit, **findings)
    except DomainError as error:
        show_refusal(form, error)
        if isinstance(error, services.VisitIncomplete):
            # Said at each gap too (the reason field is at the end of a long page).
            for item in error.missing.checklist:
                form.add_error(f"check_{item}", services.ITEM_UNANSWERED)
            for product_id in error.missing.products:
                form.add_error(f"stock_{product_id}", services.PRODUCT_NOT_COUNTED)
        if in_background:
            return queued_refusal(error.detail, form=form, status=error.status_code, code=error.code)
        if isinstance(error, services.VisitIncomplete):
            messages.error(request, error.detail)  # said at the top too
            return render(request, "visits/visit.html", _visit_context(request, visit, form=form), status=400)
        messages.error(request, _("Not saved: please correct the fields marked below. Everything you typed is kept."))
        return render(request, "visits/visit.html", _visit_context(request, visit, form=form), status=400)
    if in_background:
        return _queued_saved(request, visit, checked_out=action == "check_out", shown=form.shown_counts())
    if action == "check_out":
        messages.success(request, _("Checked out. The visit is saved."))
        return redirect("visits:today")
    if action == "all_ok":
        messages.success(request, _("Every unanswered item is marked OK: now mark the exceptions."))
        return redirect(reverse("visits:visit-detail", args=[visit.pk]) + "#checklist")
    messages.success(request, _("Saved."))
    return redirect(reverse("visits:visit-detail", args=[visit.pk]) + "#suggested-order")


def _queued_saved(request, visit: Visit, *, checked_out: bool, shown: dict[str, str]) -> JsonResponse:
    """A background save's answer: where the visit is, and after a save what it changed on the page (the suggested
    order, the rating), which visit.js swaps in, with the state of the visit the page now shows (`revision`) and
    how it writes the counts recorded (`shown`: 36 packs typed are 3 cases 0 packs); a check-out's page shows it is
    done instead."""
    answer = {
        "url": reverse("visits:visit-detail", args=[visit.pk]),
        "checked_out": checked_out,
        "message": _("Checked out. The visit is saved.") if checked_out else _("Saved."),
    }
    if not checked_out:
        visit.refresh_from_db(fields=["rating", "rating_reasons", "updated_at"])
        answer["revision"] = visit.revision  # what the page now shows (visit.js keeps it in the form)
        answer["shown"] = shown
        context = {"visit": visit, "orders": selectors.visit_suggested_orders(visit)}
        answer["sections"] = {
            "suggested-order": render_to_string("visits/includes/suggested_order.html", context, request=request),
            "visit-rating": render_to_string("visits/includes/visit_rating.html", context, request=request),
        }
    return JsonResponse(answer)


@model_permission(Visit)
def visit_photo_thumb(request, pk: int):
    """A visit photo's thumbnail (a small JPEG made on upload), scoped like the photo; a photo kept before
    thumbnails were made answers with itself."""
    photo = get_object_or_404(selectors.visit_photos_for(request.user), pk=pk)
    if not photo.thumbnail:
        return downloads.file_response(photo.image, filename=photo.download_name, max_age=downloads.UNCHANGING_MAX_AGE)
    return downloads.file_response(
        photo.thumbnail, filename=photo.thumbnail_download_name, max_age=downloads.UNCHANGING_MAX_AGE
    )


@model_permission(Visit, get=None, post="change")
@require_POST
@once_per_key
def visit_photo(request, pk: int):
    return _photo_post(request, selectors.visit_detail(request.user, pk))


@model_permission(Visit, get=None, post="change")
@require_POST
@once_per_key
def visit_photo_by_uuid(request, uuid):
    """A photo of a visit by its client uuid: taken on a stop's page before the check-in reached the server, it
    waits in the phone's outbox behind that check-in. Out of scope, or not uploaded yet, is 404."""
    return _photo_post(request, selectors.visit_detail(request.user, uuid=uuid))


def _photo_post(request, visit: Visit):
    in_background = queued(request)
    if visit.rep_id != request.user.pk:
        raise PermissionDenied
    if not visit.is_open:
        if in_background:
            return queued_refusal(_("The visit was closed before this photo arrived: it was not added."), status=409)
        raise PermissionDenied
    photo_form = PhotoForm(request.POST, request.FILES)
    # photos.js uploads one resized photo at a time in the background: it gets the gallery back (201) or the
    # refusal as JSON (400), and the rest of the page (the form, its queue, the visit's typed values) stays.
    uploaded = request.headers.get("X-Photo-Upload") == "1"
    if photo_form.is_valid():
        try:
            photo = services.visit_photo_add(visit=visit, **photo_form.add_kwargs())
        except DomainError as error:
            show_refusal(photo_form, error)
        else:
            visit = selectors.visit_detail(request.user, visit.pk)  # with the new photo
            # the same file on the visit already (services.visit_photo_add): that photo, nothing added (200)
            code = 200 if photo.already_added else 201
            if in_background:  # from the phone's outbox: the gallery, for a page still open
                gallery = render_to_string("visits/_photo_gallery.html", {"visit": visit}, request=request)
                return JsonResponse(
                    {"url": reverse("visits:visit-detail", args=[visit.pk]), "gallery": gallery,
                     "already_added": photo.already_added},
                    status=code,
                )  # fmt: skip
            if uploaded:
                return render(request, "visits/_photo_gallery.html", {"visit": visit}, status=code)
            if request.htmx:  # only the photos section: what the rep typed in the visit's form stays
                context = {"visit": visit, "photo_form": PhotoForm(), "editable": True, "photo_added": True}
                context["photo_already_added"] = photo.already_added
                context["steps"] = visit_steps_for(request.user, visit)
                return render(request, "visits/_photos.html", context)
            if photo.already_added:
                messages.info(request, _("This photo is on the visit already: it was not added again."))
                return redirect(reverse("visits:visit-detail", args=[visit.pk]) + "#photos")
            messages.success(request, _("Photo added."))
            return redirect(reverse("visits:visit-detail", args=[visit.pk]) + "#photos")
    if in_background:
        return queued_refusal(_("The photo was not added."), form=photo_form)
    if uploaded:
        errors = [str(message) for messages_ in photo_form.errors.values() for message in messages_]
        return JsonResponse({"errors": errors}, status=400)
    if request.htmx:  # htmx swaps only a 2xx answer: the section with the refusal next to the field
        context = {"visit": visit, "photo_form": photo_form, "editable": True}
        return render(request, "visits/_photos.html", {**context, "steps": visit_steps_for(request.user, visit)})
    return render(request, "visits/visit.html", _visit_context(request, visit, photo_form=photo_form), status=400)


@model_permission(Visit)
def visit_photo_file(request, pk: int):
    """A visit photo, for whoever may read visits (the role's permission, else 403) and reach this one
    (scope, else 404); never from a public /media/ URL."""
    photo = get_object_or_404(selectors.visit_photos_for(request.user), pk=pk)
    # A photo never changes behind its URL: the browser may keep it instead of fetching it on every page.
    return downloads.file_response(photo.image, filename=photo.download_name, max_age=downloads.UNCHANGING_MAX_AGE)


@model_permission(Visit, get=None, post="change")
@require_POST
@once_per_key
def visit_photo_remove(request, pk: int):
    """Take a photo off the rep's own open visit (the gallery's Remove: visits.services.visit_photo_remove). With htmx
    the gallery comes back in place, a refusal said above it; a plain post goes back to the visit's photos, the
    outcome said in a message. Another user's visit is 403 (out of scope: 404)."""
    photo = get_object_or_404(selectors.visit_photos_for(request.user).select_related("visit"), pk=pk)
    if photo.visit.rep_id != request.user.pk:
        raise PermissionDenied
    refusal = None
    try:
        services.visit_photo_remove(photo=photo, by=request.user)
    except DomainError as error:
        refusal = error.detail
    if request.htmx:
        visit = selectors.visit_detail(request.user, photo.visit_id)
        answer = render(request, "visits/_photo_gallery.html", {"visit": visit, "photo_refusal": refusal})
        return section_refused(answer) if refusal else answer
    back = redirect(reverse("visits:visit-detail", args=[photo.visit_id]) + "#photos")
    if refusal:
        messages.error(request, refusal)
        return refused(back)
    messages.success(request, _("Photo removed."))
    return back


@model_permission(Visit, get=None, post="change")
@require_POST
def visit_check_out(request, pk: int):
    visit = selectors.visit_detail(request.user, pk)
    if visit.rep_id != request.user.pk:
        raise PermissionDenied
    left_at = forms.TimeField(required=False)
    try:
        left_at = left_at_on(visit, left_at.clean(request.POST.get("left_at", "")))
    except ValidationError:
        messages.error(request, _("Give the time you left as hours and minutes, such as 18:30."))
        return redirect("visits:visit-detail", pk=visit.pk)
    try:
        services.visit_check_out(visit=visit, reason=request.POST.get("checkout_reason", ""), left_at=left_at)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("visits:visit-detail", pk=visit.pk)
    return redirect("visits:today")


def _reviewers(visit: Visit) -> str:
    """Who reviewed the visit, the first first (its reviews prefetched): the export's column."""
    return ", ".join(display_name(review.by) for review in visit.reviews.all())


def _first_reviewed_at(visit: Visit):
    """When the visit was first reviewed (by anyone); None while it is not."""
    return next((review.reviewed_at for review in visit.reviews.all()), None)


def _review_comments(visit: Visit) -> str:
    """The reviews' comments for the rep, each after its reviewer's name with the language's colon, one a line
    ("王强：价签问题")."""
    return "\n".join(
        _("%(label)s: %(value)s") % {"label": display_name(review.by), "value": review.comment}
        for review in visit.reviews.all()
        if review.comment
    )


class VisitListView(RepsOwnListMixin, FilteredListView):
    template_name = "visits/visit_list.html"
    filterset_class = VisitFilter
    export_name = gettext_lazy("visits")
    export_columns = [
        Column(gettext_lazy("Checked in at"), lambda v: v.checked_in_at),
        # a visit closed on a later day without the time the rep left has none (its flags say "Not checked out")
        Column(gettext_lazy("Checked out at"), lambda v: None if v.not_checked_out else v.checked_out_at),
        Column(gettext_lazy("Sales rep"), lambda v: display_name(v.rep)),
        Column(gettext_lazy("Store"), lambda v: v.store.name),
        Column(gettext_lazy("Rating"), lambda v: v.rating_shown),  # "In progress" for a visit still open
        Column(gettext_lazy("Rating reasons"), lambda v: "; ".join(v.rating_reason_texts)),
        Column(gettext_lazy("Flags"), lambda v: ", ".join(str(flag) for flag in v.flags)),
        Column(gettext_lazy("Reason at check-out"), lambda v: v.checkout_reason),
        Column(gettext_lazy("Minutes"), lambda v: v.minutes_in_store),
        Column(gettext_lazy("Distance from store (m)"), lambda v: v.distance_m),
        Column(gettext_lazy("Problems"), lambda v: v.problems),
        Column(gettext_lazy("Actions"), lambda v: v.actions),
        # the reviews (SPEC §1): who reviewed the visit, when it was first reviewed, and each reviewer's comment for
        # the rep; empty while not reviewed
        Column(pgettext_lazy("visit review", "Reviewed by"), _reviewers),
        Column(gettext_lazy("Reviewed at"), _first_reviewed_at),
        Column(gettext_lazy("Review comment"), _review_comments),
    ]

    def get_base_queryset(self):
        return (
            visits_for(self.request.user)
            .select_related("store", "rep")
            .prefetch_related(Prefetch("reviews", queryset=selectors.visit_reviews()))
            .order_by("-checked_in_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not services.reviews_visits(self.request.user) and self.filterset is not None:
            # "reviewed by you" asks nothing of a role that never reviews (a rep): the API keeps it
            self.filterset.form.fields.pop("reviewed_by_me", None)
        return context


# --- route plans -------------------------------------------------------------------------------


class RouteListView(FilteredListView):
    template_name = "visits/route_list.html"
    filterset_class = RoutePlanFilter
    # the page's columns, for the plans the filters select within the user's scope (the counts: the stops they reach)
    export_name = gettext_lazy("route plans")
    export_columns = [
        Column(gettext_lazy("Week starting"), lambda p: p.week_start),
        Column(gettext_lazy("Sales rep"), lambda p: display_name(p.rep)),
        Column(gettext_lazy("Status"), lambda p: p.get_status_display()),
        Column(gettext_lazy("Stores"), lambda p: p.store_count),
        Column(gettext_lazy("Visits planned"), lambda p: p.stop_count),
    ]

    def get_base_queryset(self):
        return (
            route_plans_for(self.request.user)
            .select_related("rep")
            .annotate(
                stop_count=selectors.reachable_stop_count(self.request.user),
                store_count=selectors.reachable_store_count(self.request.user),
            )
            .order_by("-week_start", "rep__username")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("visits.add_routeplan"):
            # Opened from the home page's "No plan yet" (?rep=…&week_start=…), the form is ready for that rep and week.
            # Its own ids: the filter form on the same page has a rep and a week too.
            reps = selectors.reps_for(user)
            filters = getattr(self, "filterset", None)
            wanted = filters.form.cleaned_data if filters is not None and filters.form.is_valid() else {}
            next_monday = services.week_start_of(timezone.localdate()) + timedelta(days=7)
            context["generate_form"] = kwargs.get("generate_form") or GenerateRouteForm(
                reps=reps,
                initial={"rep": wanted.get("rep"), "week_start": wanted.get("week_start") or next_monday},
                auto_id="generate_%s",
            )
        context["week_limit"] = settings.KA.route_stops_per_week
        return context


@model_permission(RoutePlan, post="add")
@require_http_methods(["GET", "HEAD", "POST"])
def route_generate(request):
    """The route plans' "Generate" form posts here; this address opened by itself (a bookmark, a reload after the
    form was answered, a filter or a page of the list drawn here after a refusal) goes to the route plans, where the
    form is, with what it asked. A refusal draws the route plans again with the form as it was sent (the rep and
    the week kept), the message under the field it is about."""
    if request.method != "POST":
        query = request.GET.urlencode()
        return redirect(reverse("visits:route-list") + (f"?{query}" if query else ""))
    form = GenerateRouteForm(request.POST, reps=selectors.reps_for(request.user), auto_id="generate_%s")
    if form.is_valid():
        try:
            week = services.route_plan_generate(
                rep=form.cleaned_data["rep"], week_start=form.cleaned_data["week_start"], by=request.user
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            # a week over capacity is said once, by the plan's page, in the words it keeps while stops are moved
            messages.success(request, _("Route plan generated. Check it, change what you need, then publish it."))
            if week.kept_by_hand:
                messages.info(request, kept_by_hand_message(week.kept_by_hand))
            return redirect("visits:route-detail", pk=week.plan.pk)
    plans = RouteListView()
    plans.setup(request)
    plans.object_list = plans.get_queryset()
    return plans.render_to_response(plans.get_context_data(generate_form=form), status=400)


def kept_by_hand_message(count: int) -> str:
    """What a planner is told when a regenerated week kept stops placed by hand (the page's message, the API's)."""
    return ngettext(
        "%(count)s stop placed by hand was kept on its day; the rest of the week was planned around it.",
        "%(count)s stops placed by hand were kept on their days; the rest of the week was planned around them.",
        count,
    ) % {"count": count}


def _over_capacity(load) -> list[str]:
    """What is over capacity, and only that: the week's visits beyond its limit, each day beyond a day's."""
    lines = []
    if load.visits > load.week_limit:
        lines.append(
            _("Over capacity: %(visits)s visits for a week of %(limit)s.")
            % {"visits": load.visits, "limit": load.week_limit}
        )
    for value, label in DAY_CHOICES:
        if load.per_day[value] > load.day_limit:
            lines.append(
                _("%(day)s has %(stops)s stops for a day of %(limit)s.")
                % {"day": label, "stops": load.per_day[value], "limit": load.day_limit}
            )
    return lines


@model_permission(RoutePlan)
def route_detail(request, pk: int):
    plan = get_object_or_404(route_plans_for(request.user).select_related("rep"), pk=pk)
    return render(request, "visits/route_detail.html", _route_detail_context(request, plan))


def _route_detail_context(request, plan: RoutePlan, *, moving: dict | None = None) -> dict:
    """What the plan's page shows; `moving`: a stop's move refused, drawn again at that stop with what was typed
    (its stop's pk, the day and the place as sent, and why)."""
    # A manager sees only the stops at their accounts' stores; the rep's other stops are not theirs to see.
    stops = route_stops_for(request.user).filter(plan=plan).select_related("store__account").order_by("day", "position")
    # The header counts what the page lists: a manager sees only the stops at their accounts' stores, and the rep's
    # whole week (its capacity) only where the page shows all of it.
    whole_plan = selectors.sees_whole_plans(request.user)
    load = services.plan_capacity(plan)
    capacity = load if whole_plan else None
    shown = {"visits": len(stops), "stores": len({stop.store_id for stop in stops})}
    days = []
    today = timezone.localdate()
    for value, label in DAY_CHOICES:
        day_stops = [s for s in stops if s.day == value]
        on = plan.week_start + timedelta(days=value)
        days.append(
            {
                "value": value,
                "label": label,
                "date": on,
                # the record of the week (rules.check_route_day_open): shown, never changed
                "passed": on < today,
                "stops": day_stops,
                "over": load.per_day[value] > load.day_limit,
                # a manager sees only their stops: the rep's whole day beside them, where it holds more (a number,
                # no store), so a day that looks empty to them is not taken for a free one
                "rep_total": load.per_day[value] if not whole_plan and load.per_day[value] != len(day_stops) else None,
            }
        )
    open_days = [(day["value"], day["label"]) for day in days if not day["passed"]]
    can_edit = (
        request.user.has_perm("visits.change_routeplan") and plan.status == RoutePlan.Status.DRAFT and bool(open_days)
    )
    add_form = None
    if can_edit:
        add_form = AddStopForm(stores=stores_for(request.user).active().filter(rep=plan.rep))
        add_form.fields["day"].choices = open_days  # offered: today and after (a passed day is refused anyway)
    context = {
        "plan": plan,
        "days": days,
        "capacity": capacity,
        # over capacity is flagged to whoever may change the plan (SPEC §4), a manager too: numbers, no stores
        "over": _over_capacity(load)
        if load.over and (whole_plan or request.user.has_perm("visits.change_routeplan"))
        else None,
        "shown": shown,
        "can_edit": can_edit,
        "can_publish": request.user.has_perm("visits.change_routeplan"),
        # a manager whose week also holds others' stops to come is told why they cannot take it back (the service
        # refuses it anyway), rather than offered a button that only says no
        "unpublish_refusal": services.unpublish_refusal(plan, request.user, today)
        if plan.status == RoutePlan.Status.PUBLISHED and request.user.has_perm("visits.change_routeplan")
        else None,
        # who published the week, or took it back to draft, and when: the rep's week appears or goes with each
        "history": list(plan.transitions.select_related("by").order_by("at", "id")),
        "day_choices": open_days,
        "some_passed": any(day["passed"] for day in days),
        "add_form": add_form,
        "moving": moving,
    }
    return context


def _plan_for_edit(request, pk: int) -> RoutePlan:
    return get_object_or_404(route_plans_for(request.user), pk=pk)


def _stop_for_edit(request, pk: int) -> RouteStop:
    return get_object_or_404(route_stops_for(request.user).select_related("store"), pk=pk)


def _back_to_plan(plan_pk: int) -> str:
    return reverse("visits:route-detail", args=[plan_pk])


@model_permission(RoutePlan, get=None, post="change")
@require_POST
def route_stop_add(request, pk: int):
    plan = _plan_for_edit(request, pk)
    # the page offers the active stores; any of the rep's is taken here, for the service to refuse an inactive one
    # in its own words (a page open since the store was closed), as at the API's door
    form = AddStopForm(request.POST, stores=stores_for(request.user).filter(rep=plan.rep))
    if not form.is_valid():
        messages.error(request, _("Choose a store and a day."))
        return redirect("visits:route-detail", pk=plan.pk)
    return run_step(
        request,
        lambda: services.route_stop_add(plan=plan, by=request.user, **form.cleaned_data),
        then=_back_to_plan(plan.pk),
    )


@model_permission(RoutePlan, get="view", post="change")
@require_http_methods(["GET", "POST"])
def route_stop_move(request, pk: int):
    stop = _stop_for_edit(request, pk)
    if request.method != "POST":
        # the address a refused move was drawn at, opened again (a reload from the address bar, a phone's tab
        # brought back): the plan's page, not a bare "method not allowed"
        return redirect(_back_to_plan(stop.plan_id))
    form = MoveStopForm(request.POST)
    if not form.is_valid():
        # say what was wrong: the day, or the place in it (a 0 or a letter in the # box is not a day's fault); at
        # the top naming the store (a day of 30 stops scrolls it out of sight), and beside its box
        if "day" in form.errors:
            field, beside = "day", _("Choose a day from Monday to Saturday.")
            top = _("%(store)s: choose a day from Monday to Saturday.") % {"store": stop.store.name}
        else:
            field = "position"
            beside = str(PLACE_RANGE)
            top = _("%(store)s: give its place in the day as a number from 1 to %(max)s.") % {
                "store": stop.store.name,
                "max": PLACE_MAX,
            }
        return _move_refused(request, stop, top=top, beside=beside, field=field)
    position = form.cleaned_data.get("position")
    try:
        services.route_stop_move(
            stop=stop, day=form.cleaned_data["day"], position=position - 1 if position else None, by=request.user
        )
    except DomainError as refusal:
        return _move_refused(request, stop, top=refusal.detail, beside=refusal.detail, field=refusal.field)
    return redirect(_back_to_plan(stop.plan_id))


def _move_refused(request, stop: RouteStop, *, top: str, beside: str, field: str | None):
    """The plan's page drawn again with a refused move: the message at the top, and at the stop the day and the
    place as typed with why beside them, to correct rather than type again."""
    messages.error(request, top)
    moving = {
        "stop": stop.pk,
        "day": request.POST.get("day", ""),
        "position": request.POST.get("position", ""),
        "error": beside,
        "field": field,  # the box marked wrong: "day", "position", or neither (a refusal of the whole move)
    }
    plan = get_object_or_404(route_plans_for(request.user).select_related("rep"), pk=stop.plan_id)
    return render(request, "visits/route_detail.html", _route_detail_context(request, plan, moving=moving), status=400)


@model_permission(RoutePlan, get=None, post="change")
@require_POST
def route_stop_remove(request, pk: int):
    stop = _stop_for_edit(request, pk)
    response = run_step(request, lambda: services.route_stop_remove(stop=stop), then=_back_to_plan(stop.plan_id))
    if not route_plans_for(request.user).filter(pk=stop.plan_id).exists():
        # a KA manager's last stop in the week: the plan is no longer theirs to open (scope: plans with a stop at
        # their stores), so back to the week's plans, saying so, rather than to a page that is not found
        messages.info(request, _("You have no more stops in that week: it is no longer in your route plans."))
        return redirect(f"{reverse('visits:route-list')}?week_start={stop.plan.week_start.isoformat()}")
    return response


@model_permission(RoutePlan, get=None, post="change")
@require_POST
def route_publish(request, pk: int):
    plan = _plan_for_edit(request, pk)
    if request.POST.get("action") == "unpublish":
        return run_step(
            request, lambda: services.route_plan_unpublish(plan=plan, by=request.user), then=_back_to_plan(plan.pk)
        )
    return run_step(
        request, lambda: services.route_plan_publish(plan=plan, by=request.user), then=_back_to_plan(plan.pk)
    )


# --- tasks -------------------------------------------------------------------------------------


class TaskListView(FilteredListView):
    template_name = "visits/task_list.html"
    filterset_class = TaskFilter
    export_name = gettext_lazy("tasks")
    export_columns = [
        Column(gettext_lazy("Store"), lambda t: t.store.name),
        Column(gettext_lazy("Sales rep"), lambda t: display_name(t.store.rep) if t.store.rep else ""),
        Column(gettext_lazy("Title"), lambda t: t.title),
        Column(gettext_lazy("Due on"), lambda t: t.due_on),
        Column(gettext_lazy("Status"), lambda t: t.get_status_display()),
        Column(gettext_lazy("Comment"), lambda t: t.done_comment),
    ]

    def get_base_queryset(self):
        # what is still to do first (the stored values sort done < not_done < open), the earliest due at the top
        still_open = Case(When(status=Task.Status.OPEN, then=0), default=1)
        return (
            tasks_for(self.request.user)
            .select_related("store__rep", "assigned_by", "done_visit")
            # every report on a task (who, when, what), shown under it once it was answered more than once; and every
            # correction of what it asks (who changed what, when)
            .prefetch_related(
                Prefetch("transitions", queryset=selectors.task_reports()),
                Prefetch("changes", queryset=selectors.task_edits()),
            )
            # overdue as the list's own filter reads it (selectors.task_overdue_q)
            .annotate(overdue=ExpressionWrapper(selectors.task_overdue_q(), output_field=BooleanField()))
            .order_by(still_open, "due_on", "status", "id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["deleted_tasks"] = self._deleted_tasks()
        if self.request.user.has_perm("visits.add_task"):
            context["task_form"] = kwargs.get("task_form") or TaskForm(
                stores=selectors.scoped_stores(self.request.user), initial={"due_on": timezone.localdate()}
            )
            context["request_key"] = once.new_key  # called once per form drawn: each form its own key
        return context

    def post(self, request, *args, **kwargs):
        """Assign a task. The form carries a key drawn with it (once.FIELD): sent again as it was (a double click on
        Assign, Assign again after the browser's Back) it is answered as the first time and adds no second task;
        sent again changed, nothing is added and the form says which task it already assigned."""
        require(request.user, Task, "add")
        form = TaskForm(request.POST, stores=selectors.scoped_stores(request.user))
        assigned = []

        def assign():
            if not form.is_valid():
                raise once.Invalid
            task = services.task_create(by=request.user, **form.cleaned_data)
            assigned.append(task)
            return {"task": task.pk, "title": task.title}

        done = None
        try:
            done = once.once(request, "visits.task_create", assign)
        except once.Invalid:
            pass
        except KeyReused:
            form.is_valid()  # the fields as sent, kept in the form drawn again (with a new key)
            earlier = _assigned_with(request, request.POST.get(once.FIELD, ""))
            form.add_error(
                None,
                _(
                    "This form already assigned the task “%(title)s”, and what you sent now differs from it: nothing "
                    "was added. To change that task, use Edit beside it in the list; to add this one as another "
                    "task, press Assign again."
                )
                % {"title": earlier.title}
                if earlier is not None
                else _(
                    "This form was already sent and what you sent now differs: nothing was added. Press Assign "
                    "again to add this task."
                ),
            )
        except DomainError as error:
            if error.code == "idempotency.in_flight":  # sent twice at once (a double click): the first one is saving it
                done = {"title": form.data.get("title", "").strip()}
            else:
                show_refusal(form, error)
        if done is not None:
            if assigned:
                messages.success(request, _("Task assigned. The rep sees it at the next visit."))
            else:  # the same form sent again: the task it assigned the first time (this message may follow that one)
                messages.info(
                    request,
                    _("This form was sent more than once: task “%(title)s” is assigned once.")
                    % {"title": done["title"]},
                )
            return redirect("visits:task-list")
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(task_form=form), status=400)

    def _deleted_tasks(self) -> list[TaskChange]:
        """The latest tasks deleted at the stores in reach (of the store or rep the list is filtered by), with who
        deleted each: where one that left the list is looked for. Nothing while a filter is refused."""
        if self.filters_refused():
            return []
        chosen = self.filterset.form.cleaned_data if self.filterset.is_bound else {}
        deletions = selectors.task_deletions_for(self.request.user, store=chosen.get("store"), rep=chosen.get("rep"))
        return list(deletions[:DELETED_TASKS_SHOWN])


# How many deleted tasks the task list names (the admin's task changes keep every one).
DELETED_TASKS_SHOWN = 20


def _assigned_with(request, key: str) -> Task | None:
    """The task a task form's key assigned the first time (its outcome as once kept it), if still in reach."""
    body = (
        IdempotencyKey.objects.filter(user=request.user, scope="visits.task_create", key=key.strip())
        .values_list("response_body", flat=True)
        .first()
    )
    try:
        pk = json.loads(body or "{}")["outcome"]["task"]
    except (ValueError, KeyError, TypeError):
        return None
    return tasks_for(request.user).filter(pk=pk).first()


def _task_report(request, pk: int, *, done: bool, note: str, success):
    task = get_object_or_404(tasks_for(request.user), pk=pk)
    return run_step(
        request,
        lambda: services.task_complete(
            task=task, visit=None, comment=request.POST.get(note, ""), done=done, by=request.user
        ),
        success=success % {"title": task.title},
        then=reverse("visits:task-list"),
    )


@model_permission(Task, get=None, post="change")
@require_POST
def task_not_done(request, pk: int):
    """Mark a task not done, with the reason, from the task list (as the API's complete with done=false)."""
    return _task_report(request, pk, done=False, note="reason", success=_("Task %(title)s marked not done."))


@model_permission(Task, get=None, post="change")
@require_POST
def task_done(request, pk: int):
    """Mark a task done from the task list, with an optional comment: a task marked not done (by mistake, or done
    after all) is done again; the earlier reports stay in its log (as the API's complete with done=true)."""
    return _task_report(request, pk, done=True, note="comment", success=_("Task %(title)s marked done."))


def _task_reported(task: Task, *, deleting: bool = False) -> DomainError | None:
    """Why the task can no longer be corrected or deleted (reported done or not done), or None while it is open."""
    try:
        rules.task_still_open(title=task.title, status=task.status, deleting=deleting)
    except DomainError as refusal:
        return refusal
    return None


def _task_gone(request, pk: int):
    """A task no longer there: deleted at a store in reach (Back to its page after deleting it, a link kept from
    before), the task list saying who deleted it and when; never in reach, or never there at all, not found."""
    deletion = selectors.task_deletions_for(request.user).filter(params__task=pk).first()
    if deletion is None:
        raise Http404
    when = date_format(timezone.localtime(deletion.at), "SHORT_DATETIME_FORMAT")
    if deletion.by is not None:
        text = _("This task, “%(title)s”, was deleted by %(who)s on %(when)s.") % {
            "title": deletion.title,
            "who": display_name(deletion.by),
            "when": when,
        }
    else:
        text = _("This task, “%(title)s”, was deleted on %(when)s.") % {"title": deletion.title, "when": when}
    messages.info(request, text)
    return redirect("visits:task-list")


# Who assigns tasks corrects them (`add`, as the API's update asks): a rep reports a task (`change`), no more.
@model_permission(Task, get="add", post="add")
def task_edit(request, pk: int):
    """Correct what an open task asks and by when (a typo, the wrong day); one already reported is shown, not
    changed. Its store stays: a task for the wrong store is deleted and assigned again."""
    require(request.user, Task, "change")
    task = tasks_for(request.user).select_related("store__rep", "assigned_by").filter(pk=pk).first()
    if task is None:
        return _task_gone(request, pk)
    initial = {"title": task.title, "description": task.description, "due_on": task.due_on}
    form = TaskEditForm(request.POST or None, initial=initial, was=task.due_on)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.task_edit(task=task, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Task “%(title)s” saved.") % {"title": saved.title})
            return redirect("visits:task-list")
    context = {
        "task": task,
        "form": form,
        "edits": list(selectors.task_edits().filter(task=task)),
        "reported": _task_reported(task),
        "can_delete": request.user.has_perm("visits.delete_task") and task.status == Task.Status.OPEN,
    }
    return render(request, "visits/task_edit.html", context, status=400 if form.errors else 200)


@model_permission(Task, get="delete", post="delete")
def task_delete(request, pk: int):
    """Asks first (GET: the task and its store, with a button); deletes an open task on POST and says so. A task
    already reported stays (task.reported)."""
    task = tasks_for(request.user).select_related("store__rep").filter(pk=pk).first()
    if task is None:
        return _task_gone(request, pk)
    if request.method != "POST":
        return render(
            request, "visits/task_delete.html", {"task": task, "reported": _task_reported(task, deleting=True)}
        )
    return run_step(
        request,
        lambda: services.task_delete(task=task, by=request.user),
        success=_("Task “%(title)s” deleted: %(store)s no longer has it.")
        % {"title": task.title, "store": task.store.name},
        then=reverse("visits:task-list"),
    )


# --- reports -----------------------------------------------------------------------------------


@model_permission(Visit)
def daily_report(request):
    """One rep's day: ?rep= by username, as every list's rep filter (a numeric id, as older links gave, is read too);
    a rep unknown or outside the user's scope is said beside the filter, the report left out."""
    reps = selectors.reps_for(request.user)
    wanted = (request.GET.get("rep") or "").strip()
    rep_error = None
    if wanted:
        rep = reps.filter(username=wanted).first() or (reps.filter(pk=wanted).first() if wanted.isdigit() else None)
        if rep is None:
            rep_error = _("“%(rep)s” is not a sales rep you can report on: choose one from the list.") % {"rep": wanted}
    else:
        rep = reps.filter(pk=request.user.pk).first() or reps.first()
    day = _day_param(request)
    report = selectors.daily_report(request.user, rep, day) if rep else None
    # the day before and after, for the same rep: a supervisor goes through the week a day at a time
    rep_param = {"rep": rep.username} if rep else {"rep": wanted} if wanted else {}
    steps = {
        name: "?" + urlencode({**rep_param, "date": f"{day + timedelta(days=days):%Y-%m-%d}"})
        for name, days in (("previous_day", -1), ("next_day", 1))
    }
    # a stop of a day not over yet is still to come, not a miss in red (today at 09:00 every stop is unvisited)
    day_over = day < timezone.localdate()
    context = {
        "report": report, "reps": reps, "rep": rep, "rep_error": rep_error, "day": day, "day_over": day_over, **steps,
    }  # fmt: skip
    return render(request, "visits/daily_report.html", context)


@model_permission(RoutePlan)
def compliance(request):
    week = services.week_start_of(_day_param(request, "week"))
    # ?account=CODE: one chain's stores only (the chain page links here so); a chain out of scope is not found.
    chains = accounts_for(request.user).order_by("code")
    code = request.GET.get("account", "")
    account = get_object_or_404(chains, code=code) if code else None
    rows = selectors.compliance(request.user, week, account=account)
    # Fraud signals (evidence/): per rep, the confirmed ones ÷ the week's visits, and the open ones.
    show_signals = can(request.user, FraudSignal)
    if show_signals:
        start, end = selectors.day_bounds(week)[0], selectors.day_bounds(week + timedelta(days=7))[0]
        by_rep = fraud_signals.rep_signals(request.user, start, end, account=account)
        empty = fraud_signals.RepSignals(visits=0, open=0, confirmed=0)
        # the signal list's filters for a rep's week (and chain), after ?status=
        period = {"date_from": f"{week:%Y-%m-%d}", "date_to": f"{week + timedelta(days=6):%Y-%m-%d}"}
        chain = {"account": account.code} if account else {}
        for row in rows:
            row.signals = by_rep.get(row.rep.pk, empty)
            row.signal_query = urlencode({"rep": row.rep.username, **chain, **period})
    context = {
        "rows": rows,
        "week": week,
        "week_end": week + timedelta(days=5),
        "previous_week": week - timedelta(days=7),
        "next_week": week + timedelta(days=7),
        "week_last_day": week + timedelta(days=6),
        "show_signals": show_signals,
        "account": account,
        "chains": chains,
    }
    return render(request, "visits/compliance.html", context)


# --- suggested orders and the nightly job's runs -----------------------------------------------


FLAG_LABELS = dict(SuggestedOrder.Flag.choices)  # a suggestion's flag as get_flag_display() reads it


class SuggestedOrderListView(RepsOwnListMixin, FilteredListView):
    """Suggested orders (建议订货单) in the user's stores, per rep / key account / date, and their `.xlsx`."""

    template_name = "visits/suggested_order_list.html"
    filterset_class = SuggestedOrderFilter
    export_name = gettext_lazy("suggested orders")
    export_columns = [
        Column(gettext_lazy("Date"), lambda o: o.date),
        Column(gettext_lazy("Key account"), lambda o: account_name(o.store.account)),
        Column(gettext_lazy("Store code"), lambda o: o.store.code),
        Column(gettext_lazy("Store"), lambda o: o.store.name),
        Column(gettext_lazy("Sales rep"), lambda o: display_name(o.store.rep) if o.store.rep else ""),
        Column(gettext_lazy("Product code"), lambda o: o.product.code),
        Column(gettext_lazy("Product"), lambda o: o.product.name),
        *(
            Column(capfirst(SuggestedOrder._meta.get_field(name).verbose_name), attrgetter(name))
            for name in (
                "previous_packs",
                "delivered_packs",
                "current_packs",
                "actual_sales_packs",
                "safety_stock_packs",
                "suggested_packs",
            )
        ),
        Column(gettext_lazy("Order (cases)"), lambda o: o.suggested_cases),
        Column(gettext_lazy("Flag"), lambda o: FLAG_LABELS.get(o.flag, o.flag) if o.flag else ""),
    ]
    # what the columns read (values, not a suggestion, a store, its chain, its rep and a product instance a row)
    export_fields = (
        "date",
        "store__account__name",
        "store__account__name_en",
        "store__code",
        "store__name",
        "store__rep__username",
        "store__rep__first_name",
        "store__rep__last_name",
        "product__code",
        "product__name",
        "previous_packs",
        "delivered_packs",
        "current_packs",
        "actual_sales_packs",
        "safety_stock_packs",
        "suggested_packs",
        "suggested_cases",
        "flag",
    )

    def get_base_queryset(self):
        return (
            suggested_orders_for(self.request.user)
            .select_related("store__account", "store__rep", "product")
            .order_by("-date", "store_id", "product_id")
        )


class ReplenishmentRunListView(FilteredListView):
    """The nightly job's runs, newest first: when, how many pairs, how it ended (administrators)."""

    template_name = "visits/replenishment_run_list.html"

    def get_base_queryset(self):
        return ReplenishmentRun.objects.order_by("-started_at", "-pk")


@model_permission(ReplenishmentRun, get=None, post="add")
@require_POST
def replenishment_run_start(request):
    """Start today's run by hand; a second tap starts a run that replaces the first one's rows (same result).

    Its chunks go to the interactive queue: an administrator is waiting, and the nightly workers may be busy."""
    run = suggested_orders_run(on=timezone.localdate(), queue=queues.INTERACTIVE)
    messages.success(request, _("Run %(run)s started.") % {"run": run.pk})
    return redirect("visits:replenishment-run-list")


@model_permission(SuggestedOrder, get=None, post="view")
@require_POST
def store_suggested_orders_refresh(request, pk: int):
    """Compute one store's suggested order for today now (the store page's button), then back to the store."""
    store = get_object_or_404(stores_for(request.user), pk=pk)
    orders = services.suggested_orders_refresh(store=store, on=timezone.localdate())
    messages.success(request, _("Suggested order computed for %(n)s products.") % {"n": len(orders)})
    return redirect("stores:store-detail", pk=store.pk)
