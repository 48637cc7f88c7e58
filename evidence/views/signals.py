"""Pages of the fraud-signal queue (issue 13 part 4): the queue with its filters, a signal's page, the review
(confirm or dismiss with a note, in place with htmx, a plain form without JavaScript) and the photos a signal
shows, served through the signal's own scope (the earlier photo of a reused one may be of a visit the
supervisor does not otherwise reach)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ka_portal import downloads
from ka_portal.errors import DomainError
from ka_portal.formatting import display_name
from ka_portal.lists import Column, FilteredListView, style_form_fields
from ka_portal.pages import safe_next, show_refusal
from ka_portal.permissions import model_permission
from ka_portal.scope import reviews_fraud_signals

from .. import signals
from ..models import FraudSignal
from ..signal_filters import FraudSignalQueueFilter


class SignalReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (FraudSignal.Status.CONFIRMED, gettext_lazy("Confirm")),
            (FraudSignal.Status.DISMISSED, gettext_lazy("Dismiss")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=signals.NOTE_MAX,
        help_text=gettext_lazy("Required to confirm: what you found."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form_fields(self)


def can_review(user) -> bool:
    return reviews_fraud_signals(user) and user.has_perm("evidence.change_fraudsignal")


class SignalListView(FilteredListView):
    """The review queue: the signals to review by default, newest visit first, each with its evidence."""

    template_name = "evidence/signals/signal_list.html"
    filterset_class = FraudSignalQueueFilter
    paginate_by = 20
    export_name = gettext_lazy("fraud signals")
    export_columns = [
        Column(gettext_lazy("Checked in at"), lambda s: s.visit.checked_in_at),
        Column(gettext_lazy("Sales rep"), lambda s: display_name(s.rep)),
        Column(gettext_lazy("Store"), lambda s: s.visit.store.name),
        Column(gettext_lazy("Signal"), lambda s: s.get_kind_display()),
        Column(gettext_lazy("Evidence"), signals.describe),
        Column(gettext_lazy("Status"), lambda s: s.get_status_display()),
        Column(gettext_lazy("Reviewed by"), lambda s: display_name(s.reviewed_by) if s.reviewed_by else ""),
        Column(gettext_lazy("Review note"), lambda s: s.review_note),
    ]

    def get_base_queryset(self):
        return signals.signal_list_for(self.request.user)

    def get_filtered_queryset(self):
        # Always bound: without a status chosen the queue shows the signals still to review.
        self.filterset = self.filterset_class(self.request.GET, queryset=self.get_base_queryset(), request=self.request)
        if not self.filterset.is_valid():
            return self.get_base_queryset().none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_review"] = can_review(self.request.user)
        context["review_form"] = SignalReviewForm() if context["can_review"] else None
        context["filters_active"] = any(k not in ("page", "o", "status") and v for k, v in self.request.GET.items())
        return context


def _signal(request, pk: int) -> FraudSignal:
    return get_object_or_404(signals.signal_list_for(request.user), pk=pk)


@model_permission(FraudSignal)
def signal_detail(request, pk: int):
    signal = _signal(request, pk)
    review = can_review(request.user)
    context = {"signal": signal, "can_review": review, "review_form": SignalReviewForm() if review else None}
    return render(request, "evidence/signals/signal_detail.html", context)


@model_permission(FraudSignal, get=None, post="change")
@require_POST
def signal_review(request, pk: int):
    """Confirm or dismiss: htmx swaps the signal's card; without JavaScript, back to where the form was."""
    signal = _signal(request, pk)
    if not can_review(request.user):
        raise PermissionDenied
    form = SignalReviewForm(request.POST)
    if form.is_valid():
        try:
            signal = signals.signal_review(signal=signal, by=request.user, **form.cleaned_data)
        except DomainError as refusal:
            show_refusal(form, refusal)
    if form.is_valid():
        if not request.htmx:
            messages.success(request, _("Signal reviewed."))
            return redirect(safe_next(request, reverse("evidence:signal-detail", args=[signal.pk])))
        signal = _signal(request, pk)
        form = SignalReviewForm()
        reviewed = True
    else:
        reviewed = False
    context = {"signal": signal, "can_review": True, "review_form": form, "reviewed_now": reviewed}
    if request.htmx:
        # the card on the signal's own page is its heading, not a link to itself
        context["alone"] = request.htmx.current_url_abs_path == reverse("evidence:signal-detail", args=[signal.pk])
        # htmx swaps only a 2xx answer: a refusal comes back as the card with the message next to the field.
        return render(request, "evidence/signals/_signal.html", context)
    return render(request, "evidence/signals/signal_detail.html", context, status=400)


def _photo_response(photo, full: bool):
    if photo is None:
        from django.http import Http404

        raise Http404
    if full or not photo.thumbnail:
        return downloads.file_response(photo.image, filename=photo.download_name, max_age=downloads.UNCHANGING_MAX_AGE)
    return downloads.file_response(
        photo.thumbnail, filename=photo.thumbnail_download_name, max_age=downloads.UNCHANGING_MAX_AGE
    )


@model_permission(FraudSignal)
def signal_photo(request, pk: int):
    """The signal's photo (its thumbnail; `?full=1` the photo itself), for whoever sees the signal."""
    return _photo_response(_signal(request, pk).photo, request.GET.get("full") == "1")


@model_permission(FraudSignal)
def signal_other_photo(request, pk: int):
    """The earlier photo a reused one matches, for whoever sees the signal."""
    return _photo_response(_signal(request, pk).other_photo, request.GET.get("full") == "1")


urlpatterns = [
    path("signals/", SignalListView.as_view(), name="signal-list"),
    path("signals/<int:pk>/", signal_detail, name="signal-detail"),
    path("signals/<int:pk>/review/", signal_review, name="signal-review"),
    path("signals/<int:pk>/photo/", signal_photo, name="signal-photo"),
    path("signals/<int:pk>/earlier-photo/", signal_other_photo, name="signal-other-photo"),
]
