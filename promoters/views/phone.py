"""Pages of the promoters app: a promoter's own day on the phone (issue 16) — today's shift with its store, the
check-in with the phone's position, the day's sell-out (cases/packs as on the visit page) and the check-out; below,
the coming days and the past days with their attendance. A shift of another promoter is not found."""

from datetime import timedelta
from functools import wraps
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ka_portal import bounds
from ka_portal.errors import DomainError
from ka_portal.formatting import format_distance
from ka_portal.lists import style_form_fields
from ka_portal.pages import once_per_key, queued, queued_refusal, refused, replayed, safe_next
from ka_portal.permissions import model_permission
from ka_portal.scope import promoters_for, sell_out_for, shifts_for
from stores.models import Listing
from visits.forms import CasesPacksWidget

from .. import attendance, phone_rules, phone_services, sellout_selectors
from ..appraisal import promoter_appraisal
from ..models import SellOutLine, Shift

COMING_DAYS = 14
PAST_DAYS = 31


class PositionForm(forms.Form):
    """The phone's position and time at a check-in or check-out (visits/static/visits/checkin.js fills them). The
    time is taken only from a step the phone kept and sends later (`step`)."""

    latitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, validators=bounds.LATITUDE_VALIDATORS, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, validators=bounds.LONGITUDE_VALIDATORS, widget=forms.HiddenInput
    )
    at = forms.DateTimeField(label=_("time on the phone"), required=False, widget=forms.HiddenInput)

    def step(self, request) -> dict:
        """The service's arguments: the position, and the phone's time only for a step it kept with no network and
        uploads later from its outbox (ka_portal/pages.replayed); one sent as it is made is timed by the server's
        clock (None), so a phone's clock set wrong neither dates a check-in back nor has it refused."""
        data = dict(self.cleaned_data)
        data["at"] = data.get("at") if replayed(request) else None
        return data


class CheckOutForm(PositionForm):
    """A check-out: the position and time, and whether the promoter confirmed leaving early (the second step)."""

    leave_early = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CasesPacksEntry(forms.Field):
    """The visit page's two number pads (cases, packs), passed on as typed for the service to judge
    (promoters/phone_rules.py), so a negative or broken number is refused in the API's words. Loose packs of a case
    or more are not refused but carried into cases (1 case and 12 packs of a 12-pack beer is 2 cases), as on the
    visit page since issue 14: with two fields nothing is in doubt. Only the notation in one field, the API's
    `quantity` "1/12", is refused (sell_out.quantity)."""

    widget = CasesPacksWidget

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        return value


def _parts(value) -> tuple[str, str]:
    """What the two inputs show: a typed pair as typed, a notation split at its slash."""
    if isinstance(value, str):
        cases, _slash, packs = value.partition("/")
        return cases, packs
    cases, packs = value or ("", "")
    return str(cases if cases is not None else ""), str(packs if packs is not None else "")


def _split(packs: int | None, per_case: int) -> tuple[str, str]:
    if packs is None:
        return "", ""
    cases, rest = divmod(int(packs), max(int(per_case), 1))
    return str(cases), str(rest)


def _blank(value) -> bool:
    return all(not str(part or "").strip() for part in (value if isinstance(value, tuple | list) else [value]))


ENTRIES = ("units", "shelf_stock", "price_seen")  # a sell-out row's entries
DRAWN = "_drawn"  # the suffix of the hidden field holding what an entry showed as the page was drawn


def _shown(value) -> str:
    """An entry's value as one text, to tell whether the promoter changed it: cases and packs as `cases/packs`
    ("" when both are blank), a price as typed."""
    if isinstance(value, tuple | list):
        cases, packs = (str(part if part is not None else "").strip() for part in value)
        return f"{cases}/{packs}" if cases or packs else ""
    return str(value if value is not None else "").strip()


class PhoneTime(forms.DateTimeField):
    """The phone's time as a form is sent (a hidden field the page's script fills, `data-client-time`); one that
    cannot be read is left out (the server's time is taken), never a field the promoter is asked to fix."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.widget.attrs["data-client-time"] = ""

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError:
            return None


class SellOutForm(forms.Form):
    """The day's sell-out: per product listed at the store, packs sold and shelf stock at close (cases and packs)
    and the price seen. A product left blank is not reported, and an entry left as the page drew it keeps the line's
    value (`untouched`: what was reported meanwhile stays). `recent` (sellout_selectors.recent_at_store) puts
    the products sold there lately first and offers each one's last price seen."""

    def __init__(self, *args, shift: Shift, listings, recent=None, **kwargs):
        self.shift = shift
        self.recent = recent or {}
        self.products = [listing.product for listing in listings]
        lines = {line.product_id: line for line in shift.sell_out.all()}
        super().__init__(*args, prefix=f"s{shift.pk}", **kwargs)
        self.conflict = False
        self.refusal_code = None  # a refusal of the report's time: its code, as the outbox is told
        # the phone's time as the form is sent (a report kept offline goes up later, at the time it was made)
        self.fields["at"] = PhoneTime()
        for product in self.products:
            line = lines.get(product.pk)
            per_case = product.packs_per_case
            self.fields[f"p{product.pk}_units"] = CasesPacksEntry(label=_("Packs sold"))
            self.fields[f"p{product.pk}_shelf_stock"] = CasesPacksEntry(label=_("Shelf stock at close"))
            self.fields[f"p{product.pk}_price_seen"] = forms.CharField(
                label=_("Price seen"), required=False, max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )  # fmt: skip
            if line is not None:
                self.initial[f"p{product.pk}_units"] = _split(line.units, per_case)
                self.initial[f"p{product.pk}_shelf_stock"] = _split(line.shelf_stock, per_case)
                self.initial[f"p{product.pk}_price_seen"] = "" if line.price_seen is None else line.price_seen
            # what each entry showed as the page was drawn, sent back with it: an entry the promoter left as drawn
            # is not sent to the service (`inputs`), so a value reported meanwhile (a phone's shelf stock) stays
            for name in ENTRIES:
                self.fields[f"p{product.pk}_{name}{DRAWN}"] = forms.CharField(
                    required=False, widget=forms.HiddenInput, initial=_shown(self.initial.get(f"p{product.pk}_{name}"))
                )
        style_form_fields(self)
        self.reported = lines

    def rows(self):
        """One row per product: its three fields with the values shown and the part a refusal marked, and whether
        it is shown open."""
        rows = []
        for product in self.products:
            entries = {}
            for name in ("units", "shelf_stock"):
                field = self[f"p{product.pk}_{name}"]
                cases, packs = _parts(field.value())
                codes = {e.code for e in self.errors[field.name].as_data()} if field.name in self.errors else set()
                entries[name] = SimpleNamespace(
                    name=name, field=field, cases=cases, packs=packs,
                    cases_invalid=bool(codes) and codes != {"packs"}, packs_invalid=bool(codes) and codes != {"cases"},
                )  # fmt: skip
            price_seen = self[f"p{product.pk}_price_seen"]
            typed = [part for e in entries.values() for part in (e.cases, e.packs)] + [price_seen.value()]
            refused = price_seen.errors or any(e.field.errors for e in entries.values())
            rows.append(
                SimpleNamespace(
                    product=product,
                    # in view (its <details> open) once anything is typed, reported or refused; else one line
                    open=bool(refused) or product.pk in self.reported or not _blank(typed),
                    units=entries["units"],
                    shelf_stock=entries["shelf_stock"],
                    entries=[(entries["units"], _("Packs sold")), (entries["shelf_stock"], _("Shelf stock at close"))],
                    price_seen=price_seen,
                    drawn=[self[f"p{product.pk}_{name}{DRAWN}"] for name in ENTRIES],
                    line=self.reported.get(product.pk),
                    sold_lately=getattr(self.recent.get(product.pk), "units", 0) > 0,
                    last_price=getattr(self.recent.get(product.pk), "price_seen", None),
                )
            )
        return rows

    def groups(self):
        """The rows in two groups, each in code order: those in view first (sold at the store in the last days, or
        typed, reported or refused today), the rest behind one toggle. Without any such row, all are in the first
        group (a first day at a store hides nothing)."""
        rows = self.rows()
        first = [row for row in rows if row.open or row.sold_lately] or rows
        return SimpleNamespace(first=first, rest=[row for row in rows if row not in first])

    def problems(self) -> list[tuple[str, str]]:
        """Each bad field the page marks, in the rows' order, as (the product, what is wrong: the message names the
        field)."""
        return [
            (product.name, message)
            for product in self.products
            for name in ("units", "shelf_stock", "price_seen")
            for message in self[f"p{product.pk}_{name}"].errors
        ]

    def named_problems(self) -> dict[str, list[str]]:
        """Each bad field's reasons, led by its product's name (what problems() lists), by the field's name."""
        return {
            name: [gettext("%(name)s: %(message)s") % {"name": product.name, "message": message}]
            for product in self.products
            for name in (f"p{product.pk}_{field}" for field in ("units", "shelf_stock", "price_seen"))
            for message in self[name].errors
        }

    def phone_time(self, request):
        """The phone's time of the report (the form's `at`, filled as it is sent: promoters/static/promoters/
        sell_out.js) for a report the phone kept with no network and uploads later (ka_portal/pages.replayed), else
        None: one sent as it is made is timed by the server's clock."""
        return self.cleaned_data.get("at") if replayed(request) else None

    def fix_message(self) -> str:
        count = sum(1 for name in self.errors if name != NON_FIELD_ERRORS)
        return _fix_message(count) if count else ""

    def fix_count_messages(self) -> dict[int, str]:
        """The same sentence for the browser's own check before sending (visit.js), per count."""
        return {n: _fix_message(n) for n in range(1, 2 * len(self.products) + 1)}

    def untouched(self, product, name: str) -> bool:
        """Whether the promoter left an entry as the page drew it (its `…_drawn` sent back with the form): a post
        without it (a page drawn before it was added) is read as typed."""
        drawn = self.add_prefix(f"p{product.pk}_{name}{DRAWN}")
        if drawn not in self.data:
            return False
        return _shown(self.cleaned_data.get(f"p{product.pk}_{name}")) == _shown(self.data.get(drawn))

    def inputs(self) -> list[phone_services.SellOutInput]:
        """The products typed into, each entry as typed — but one left as the page drew it is left out (OMITTED)
        where the product has a line now: the line keeps its value (phone_services.sell_out_report), so a page drawn
        before a phone reported the shelf stock does not clear it with the blank it showed, nor put back a number
        the phone changed. An entry the promoter empties clears the shelf stock or the price seen."""
        data = self.cleaned_data
        inputs = []
        for product in self.products:
            typed = {name: data.get(f"p{product.pk}_{name}") for name in ENTRIES}
            if all(_blank(value) for value in typed.values()):
                continue
            if _blank(typed["shelf_stock"]):
                typed["shelf_stock"] = None  # emptied: cleared
            if product.pk in self.reported:
                typed.update({name: phone_services.OMITTED for name in ENTRIES if self.untouched(product, name)})
            inputs.append(phone_services.SellOutInput(product=product, **typed, prefix=f"p{product.pk}_"))
        return inputs

    def refuse(self, error: DomainError) -> None:
        """Put a service refusal next to its field, marking the part (cases or packs) it names: each bad field of
        the report (phone_services.sell_out_report gathers them), not only the first."""
        self.conflict = error.conflict  # the day closed meanwhile: nothing to correct
        for problem in getattr(error, "problems", None) or [error]:
            # the report's time (a kept report's) is no field to correct: said as the reason, with its code
            timed = problem.field == "at"
            field = problem.field if problem.field in self.fields and not timed else None
            if timed:
                self.refusal_code = problem.code
            self.add_error(field, ValidationError(problem.detail, code=problem.params.get("part") or "invalid"))


def _fix_message(n: int) -> str:
    return ngettext("%(n)s field needs fixing", "%(n)s fields need fixing", n) % {"n": n}


def _own_shifts(user):
    return (
        shifts_for(user)
        .filter(promoter__user=user)
        .select_related("store", "store__account", "promoter", "confirmed_by")
        .prefetch_related(Prefetch("sell_out", queryset=SellOutLine.objects.select_related("product")))
    )


def _sell_out_form(shift: Shift, by, data=None) -> SellOutForm:
    """The shift's sell-out form: the store's listed products, with what the promoter sold there lately."""
    listings = Listing.objects.filter(store=shift.store).select_related("product").order_by("product__code")
    recent = sellout_selectors.recent_at_store(sell_out_for(by), store=shift.store, before=shift.day)
    return SellOutForm(data, shift=shift, listings=listings, recent=recent)


def _early_question(shift: Shift, now) -> str:
    """Why a check-out now needs the promoter's confirmation (the rule's own refusal: well before the shift's end),
    or "" when it does not."""
    try:
        phone_services.check_out_allowed(shift=shift, at=now)
    except DomainError as refusal:
        if refusal.code == phone_services.CHECK_OUT_EARLY:
            return refusal.detail
    return ""


def _early_check(ends) -> SimpleNamespace:
    """What the phone needs to ask an early check-out's question itself, before sending (promoters/static/promoters/
    shift_card.js): without a network the first tap cannot reach the server's question, and a check-out kept on the
    phone without the answer was refused when it went up. The shift's end, how early needs the answer
    (KA.promoter_early_before_minutes, as phone_rules.check_check_out counts it), and the question in the rule's
    words with the phone's time and how early left for the phone to fill ({at}, {time}: ka_portal.formatting
    hours_and_minutes's words, {m} minutes or, from two hours, {h} h {m} min)."""
    end = f"{timezone.localtime(ends):%H:%M}"
    return SimpleNamespace(
        ends=ends,
        after=settings.KA.promoter_early_before_minutes,
        question=phone_rules.CHECK_OUT_EARLY_QUESTION % {"end": end, "at": "{at}", "time": "{time}"},
        minute=ngettext("%(m)s minute", "%(m)s minutes", 1) % {"m": "{m}"},
        minutes=ngettext("%(m)s minute", "%(m)s minutes", 2) % {"m": "{m}"},
        hours=gettext("%(h)s h %(m)s min") % {"h": "{h}", "m": "{m}"},
        hours_from=120,  # minutes: from two hours on, in hours and minutes (hours_and_minutes)
    )


def _card(
    shift: Shift, *, now, by, form: SellOutForm | None = None, saved: bool = False, leave_early: bool = False
) -> SimpleNamespace:
    """What a shift's card shows and offers: its reading, and the steps open to the promoter now (`leave_early`:
    the check-out was refused as early, so the card asks to confirm it)."""
    today = timezone.localdate(now)
    reading = attendance.reading(shift, now=now)
    can_check_in = shift.day == today and shift.checked_in_at is None
    can_check_out = shift.checked_in_at is not None and shift.checked_out_at is None
    starts, ends = attendance.shift_bounds(shift.day, shift.starts_at, shift.ends_at)
    opens = starts - timedelta(minutes=settings.KA.promoter_check_in_before_minutes)
    can_report = shift.checked_in_at is not None and not shift.is_closed
    # Before the check-in, the sell-out and the check-out are drawn hidden: a check-in made without a network waits
    # on the phone (the outbox), and the phone opens them beside it (promoters/static/promoters/shift_card.js), so
    # the day's sell-out and the check-out go up after the check-in, each at the phone's time.
    after_check_in = can_check_in and not shift.is_closed
    if form is not None:  # a refused report shows its reason, whatever the shift's state
        can_report = True
    elif can_report or after_check_in:
        form = _sell_out_form(shift, by)
    return SimpleNamespace(
        shift=shift,
        reading=reading,
        can_check_in=can_check_in,
        check_in_opens=opens if can_check_in and now < opens else None,
        can_check_out=can_check_out,
        after_check_in=after_check_in,  # the check-out (and the sell-out unless refused) wait for the check-in
        sell_out_hidden=after_check_in and not can_report,
        early_question=_early_question(shift, now) if can_check_out and leave_early else "",
        early=_early_check(ends) if can_check_out or after_check_in else None,
        can_report=can_report,
        form=form if can_report or after_check_in else None,
        lines=list(shift.sell_out.all()),
        far=shift.check_in_distance_m is not None and reading.off_site,
        page=_shift_page(shift).split("#")[0],  # where a step kept offline leads: the card's page as kept on the phone
        # the shift as its forms name it to the phone's outbox: a kept check-in refused holds the shift's later writes
        key=f"shift-{shift.pk}",
        saved=saved,  # the sell-out was just saved: said inside the card, where the page lands
    )


def _my_day(request, *, refused: SellOutForm | None = None, status: int = 200):
    now = timezone.now()
    today = timezone.localdate(now)
    mine = _own_shifts(request.user)
    saved = request.GET.get("saved", "")
    leave_early = request.GET.get("leave_early", "")
    cards = [
        _card(
            shift,
            now=now,
            by=request.user,
            form=refused if refused is not None and refused.shift.pk == shift.pk else None,
            saved=saved == str(shift.pk),
            leave_early=leave_early == str(shift.pk),
        )
        for shift in mine.filter(day=today).order_by("starts_at")
    ]
    coming = mine.filter(day__gt=today, day__lte=today + timedelta(days=COMING_DAYS)).order_by("day", "starts_at")
    past = [
        SimpleNamespace(shift=shift, reading=attendance.reading(shift, now=now))
        for shift in mine.filter(day__lt=today, day__gte=today - timedelta(days=PAST_DAYS)).order_by(
            "-day", "-starts_at"
        )
    ]
    context = {"today": today, "cards": cards, "coming": coming, "past": past, "month": _my_month(request.user, now)}
    return render(request, "promoters/my_day.html", context, status=status)


def _my_month(user, now):
    """The promoter's month so far as the appraisal reads it (promoters/appraisal.py): sell-out against their target
    and shifts attended. Not the score or the pay: those are the supervisor's appraisal."""
    month = timezone.localdate(now).replace(day=1)
    rows = promoter_appraisal(promoters=promoters_for(user).filter(user=user), month=month, now=now)
    return rows[0] if rows else None


# Not kept by the browser (no-store), like the rep's Today (visits/views.py): Back to the promoter's day or a
# shift after a check-in or check-out asks again and shows the shift as it now stands, not the copy with the
# check-out buttons; a page restored whole from the back-forward cache reloads itself (static/js/fresh-on-back.js,
# on the pages' `data-fresh-on-back`).
@model_permission(Shift, get="view")
@never_cache
def my_day(request):
    """The promoter's day: today's shift(s), the coming days' schedule and the past days' attendance."""
    return _my_day(request)


@model_permission(Shift, get="view")
@never_cache
def my_shift(request, pk):
    """One of the promoter's own shifts (a coming or past day) with its attendance and sell-out."""
    shift = get_object_or_404(_own_shifts(request.user), pk=pk)
    now = timezone.now()
    saved = request.GET.get("saved") == str(shift.pk)
    leave_early = request.GET.get("leave_early") == str(shift.pk)
    card = _card(shift, now=now, by=request.user, saved=saved, leave_early=leave_early)
    context = {"card": card, "today": timezone.localdate(now)}
    return render(request, "promoters/my_shift.html", context)


def _shift_page(shift: Shift) -> str:
    """Where a shift's card is: My day for today's shift, else the shift's own page."""
    if shift.day == timezone.localdate():
        return f"{reverse('promoters:my-day')}#shift-{shift.pk}"
    return reverse("promoters:my-shift", args=[shift.pk])


def _posted_only(view):
    """A step the shift's card posts to (check-in, check-out, sell-out). Its address opened by itself (a reload of a
    refused sell-out's page, whose address is the post's; the language switched there; a bookmark) goes to the
    shift's card, as visits.views.route_generate goes to its form; another's shift is not found. The typed values
    a refused post drew are on the post's own page only: the card's form keeps them on the phone (drafts.js)."""

    @wraps(view)
    def step(request, pk):
        if request.method == "POST":
            return view(request, pk)
        return redirect(_shift_page(get_object_or_404(_own_shifts(request.user), pk=pk)))

    return step


def _check_in_said(shift: Shift, reading: attendance.Reading) -> str:
    """What a check-in the supervisor will see as off site or late says to the promoter (with how far and how
    late, as the attendance page shows them), or "" for one in time at the store."""
    off_site = ""
    if reading.off_site and shift.check_in_distance_m is None:
        off_site = _("off site (the phone sent no position)")
    elif reading.off_site:
        off_site = _("off site (%(distance)s from the store, the limit is %(limit)s)") % {
            "distance": format_distance(shift.check_in_distance_m),
            "limit": format_distance(settings.KA.checkin_max_distance_m),
        }
    if off_site and reading.late_minutes:
        return _("Check-in recorded. Your supervisor will see it as %(off_site)s and %(late)s.") % {
            "off_site": off_site,
            "late": reading.late_text,
        }
    if off_site or reading.late_minutes:
        return _("Check-in recorded. Your supervisor will see it as %(reading)s.") % {
            "reading": off_site or reading.late_text
        }
    return ""


# The three steps are posted from the shift's card as forms (the phone's position and time with a check-in or
# check-out, checkin.js), and with no network the service worker keeps such a post in the phone's outbox (ka_portal/
# pwa.py queued_posts, visits/static/visits/outbox.js) with an Idempotency-Key, and shows My day as kept on the phone.
# Uploaded later (`X-Queue: 1`, and `X-Queue-Replay: 1`: ka_portal/pages.replayed) a step is answered in JSON: where it
# leads, or why it was refused (the outbox lists the reasons on My day). Only such an upload is timed by the phone's
# `at` (held by phone_services._phone_time); a step sent as it is made is timed by the server's clock. Sent twice
# under one key (its answer lost on the way) it is recorded once (pages.once_per_key).


def _done(request, shift: Shift, message: str = "", level=messages.success):
    """A step recorded: in JSON for the outbox (the page it leads to), else the message and back to the card."""
    if queued(request):
        return JsonResponse({"url": _shift_page(shift).split("#")[0], "message": message})
    if message:
        level(request, message)
    return redirect(safe_next(request, reverse("promoters:my-day")))


def _step_refused(request, message: str, status: int = 400, form=None, code: str | None = None):
    """A step refused: in JSON for the outbox (with the refusal's code), else the reason on My day (the key kept for
    nothing: pages.refused)."""
    if queued(request):
        return queued_refusal(message, status=status, form=form, code=code)
    messages.error(request, message)
    return refused(redirect(safe_next(request, reverse("promoters:my-day"))))


@require_http_methods(["GET", "HEAD", "POST"])
@model_permission(Shift, get="view", post="change")
@_posted_only
@once_per_key
def check_in(request, pk):
    """Check in. One the supervisor will see as off site or late says so, as a warning, not "have a good shift"
    (the rep's visit warns the same way when checked in far from the store)."""
    shift = get_object_or_404(_own_shifts(request.user), pk=pk)
    form = PositionForm(request.POST)
    if not form.is_valid():
        return _step_refused(request, _("The phone's position or time could not be read; try again."), form=form)
    try:
        shift = phone_services.shift_check_in(shift=shift, by=request.user, **form.step(request))
    except DomainError as refusal:
        return _step_refused(request, refusal.detail, status=refusal.status_code, code=refusal.code)
    said = _check_in_said(shift, attendance.reading(shift, now=timezone.now()))
    if said:
        return _done(request, shift, said, messages.warning)
    return _done(request, shift, _("Checked in. Have a good shift."))


@require_http_methods(["GET", "HEAD", "POST"])
@model_permission(Shift, get="view", post="change")
@_posted_only
@once_per_key
def check_out(request, pk):
    """Check out; well before the shift's end the first tap is a question, not a check-out: the page comes back with
    the shift's card asking to confirm leaving early (how early, and a second button that sends `leave_early`).
    Uploaded from the outbox, such a check-out is refused with the question, for the promoter to answer on My
    day."""
    shift = get_object_or_404(_own_shifts(request.user), pk=pk)
    form = CheckOutForm(request.POST)
    if not form.is_valid():
        return _step_refused(request, _("The phone's position or time could not be read; try again."), form=form)
    try:
        phone_services.shift_check_out(shift=shift, by=request.user, **form.step(request))
    except DomainError as refusal:
        if refusal.code != phone_services.CHECK_OUT_EARLY or queued(request):
            return _step_refused(request, refusal.detail, status=refusal.status_code, code=refusal.code)
        if shift.day == timezone.localdate():
            page = reverse("promoters:my-day")
        else:
            page = reverse("promoters:my-shift", args=[shift.pk])
        return refused(redirect(f"{page}?leave_early={shift.pk}#check-out-{shift.pk}"))  # the question in view
    return _done(request, shift, _("Checked out. Thank you."))


@require_http_methods(["GET", "HEAD", "POST"])
@model_permission(SellOutLine, get="view", post="add")
@_posted_only
@once_per_key
def sell_out(request, pk):
    """Save the day's sell-out, timed by the server's clock, or at the phone's time for a report kept offline that
    goes up later (SellOutForm.phone_time); a refusal re-draws the page with what was typed and the field marked
    (uploaded from the outbox: each product's reason in JSON)."""
    shift = get_object_or_404(_own_shifts(request.user), pk=pk)
    form = _sell_out_form(shift, request.user, request.POST)
    if form.is_valid():
        try:
            at = form.phone_time(request)
            phone_services.sell_out_report(shift=shift, lines=form.inputs(), by=request.user, at=at)
        except DomainError as error:
            form.refuse(error)
        else:
            if queued(request):
                return _done(request, shift)
            # Not a message at the top of the page: the promoter is at the card's form, where the page lands.
            page = "promoters:my-day" if shift.day == timezone.localdate() else "promoters:my-shift"
            args = [] if page == "promoters:my-day" else [shift.pk]
            return redirect(f"{reverse(page, args=args)}?saved={shift.pk}#sell-out-{shift.pk}")
    if queued(request):
        # each bad field named with its product (the outbox lists the reasons on My day; the values stay in the
        # form's draft, drafts.js)
        message = " ".join(str(error) for error in form.non_field_errors()) or form.fix_message()
        status = 409 if form.conflict else 400
        return queued_refusal(message, errors=form.named_problems(), status=status, code=form.refusal_code)
    if shift.day != timezone.localdate():
        return render(
            request,
            "promoters/my_shift.html",
            {"card": _card(shift, now=timezone.now(), by=request.user, form=form), "today": timezone.localdate()},
            status=400,
        )
    return _my_day(request, refused=form, status=400)


urlpatterns = [
    path("my/", my_day, name="my-day"),
    path("my/shifts/<int:pk>/", my_shift, name="my-shift"),
    path("my/shifts/<int:pk>/check-in/", check_in, name="my-check-in"),
    path("my/shifts/<int:pk>/check-out/", check_out, name="my-check-out"),
    path("my/shifts/<int:pk>/sell-out/", sell_out, name="my-sell-out"),
]
