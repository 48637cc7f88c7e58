"""Trade-spend pages: matching (issue 12 item 5) — the deductions list, a deduction's validation sheet (the spend
lines behind it, its matches, a manual match, its dispute) and the disputes list.

Finance writes; KA managers read their accounts' chains and approve write-offs above the threshold; reps and
supervisors are answered 404. Routes are this module's `urlpatterns`, included by tradespend/urls.py."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from contracts import selectors as contract_selectors
from contracts.forms import DATE_INPUT, MONEY_INPUT, StyledForm, offer_book_dates
from contracts.models import Deduction
from contracts.views import FinanceMixin, finance_page
from evidence import agreements as agreement_selectors
from evidence.agreement_rules import DEDUCTION_AGREEMENT_KINDS
from ka_portal.days import IsoDayField
from ka_portal.errors import DomainError
from ka_portal.formatting import account_name, display_name
from ka_portal.lists import Column, FilteredListView
from ka_portal.money import ZERO, money_sum
from ka_portal.once import Invalid, new_key, once
from ka_portal.pages import run_step, show_refusal
from ka_portal.permissions import require
from ka_portal.scope import accrual_lines_for, disputes_for
from ka_portal.templatetags.ka import money

from .. import disputes as dispute_services
from .. import matching as services
from .. import releases, rules
from ..filters import DeductionMatchingFilter, DisputeFilter
from ..models import AccrualLine, DeductionMatch, Dispute, DisputeStep
from ..rules import DEDUCTION_SPEND_KIND

# --- forms -------------------------------------------------------------------------------------------------------


def line_source_name(line) -> str:
    """What names a line's source to a clerk: a term its contract's number, a plan its title, promoters' pay the
    plan's title or the promoter's name, a display agreement its number, an adjustment its reason (names as typed,
    the same in every language)."""
    if line.source == AccrualLine.Source.TERM and line.term_id:
        return line.term.contract.number
    if line.source == AccrualLine.Source.PLAN and line.plan_id:
        return line.plan.title
    if line.source == AccrualLine.Source.PROMOTER:
        name = line.plan.title if line.plan_id else (line.reason_params or {}).get("promoter", "")
        return f"{line.get_source_display()}: {name}" if name else line.get_source_display()
    if line.source == AccrualLine.Source.DISPLAY and line.agreement_id:
        return f"{line.get_source_display()} #{line.agreement_id}"
    return f"{line.get_source_display()}: {line.reason}" if line.reason else line.get_source_display()


class LineChoiceField(forms.ModelChoiceField):
    deduction = None

    def label_from_instance(self, line):
        # Month · kind · source · what is left of what was accrued, money as everywhere else (5,477.50); a line
        # outside the months the deduction claims says so before it is chosen.
        left = gettext("left %(remaining)s of %(accrued)s") % {
            "remaining": money(line.remaining),
            "accrued": money(line.amount),
        }
        parts = [f"{line.month:%Y-%m}", line.get_kind_display(), line_source_name(line), left]
        if self.deduction is not None and rules.months_outside(line.month, *services.claimed_span(self.deduction)):
            parts.append(gettext("outside the months claimed"))
        return " · ".join(parts)


class ManualMatchForm(StyledForm):
    line = LineChoiceField(label=_("Spend line"), queryset=AccrualLine.objects.none())
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, widget=MONEY_INPUT)

    def __init__(self, *args, lines=None, deduction=None, **kwargs):
        super().__init__(*args, **kwargs)
        if lines is not None:
            self.fields["line"].queryset = lines
        self.fields["line"].deduction = deduction


class DisputeOpenForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)
    due_on = IsoDayField(label=_("Due date"), required=False, widget=DATE_INPUT)
    evidence = forms.FileField(label=_("Evidence"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # said where it is left empty, not found out afterwards (tradespend.disputes.dispute_open)
        days = settings.KA.dispute_due_days
        self.fields["due_on"].help_text = ngettext(
            "Leave empty: %(days)s day from today.", "Leave empty: %(days)s days from today.", days
        ) % {"days": days}


class RecoverForm(StyledForm):
    amount = forms.DecimalField(label=_("Amount recovered"), max_digits=14, decimal_places=2, widget=MONEY_INPUT)
    on = IsoDayField(label=_("Recovered on"), widget=DATE_INPUT, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_book_dates(self, "on")  # the days dispute_recover takes (contracts.rules.check_book_date)


class NoteForm(StyledForm):
    note = forms.CharField(label=_("Why it is accepted"), max_length=200)


# --- the deductions list -----------------------------------------------------------------------------------------


def dispute_status(dispute: Dispute) -> str:
    """A dispute's status as people read it ("Open" alone is an invoice's word in Chinese: 未收)."""
    if dispute.status == Dispute.Status.OPEN:
        return pgettext("dispute", "Open")
    return dispute.get_status_display()


def deduction_state_text(deduction) -> str:
    """A deduction's state as its badges on the pages read it (tradespend/_deduction_state.html): an unsupported
    part accepted and written off says so instead of "Unsupported", beside "Partly matched" when part is matched."""
    written_off = hasattr(deduction, "dispute") and deduction.dispute.status == Dispute.Status.WRITTEN_OFF
    if deduction.state in (Deduction.State.UNSUPPORTED, Deduction.State.PARTLY_MATCHED) and written_off:
        outcome = deduction.dispute.get_status_display()
        if deduction.state == Deduction.State.UNSUPPORTED:
            return str(outcome)
        return f"{deduction.get_state_display()} · {outcome}"
    return str(deduction.get_state_display())


def _unsupported(deduction) -> Decimal:
    return services.unmatched_part(deduction)


@dataclass(frozen=True)
class StateTotal:
    """One card on top of the deductions list: a state, how many, their full amount and what of it is still open."""

    state: Deduction.State
    count: int
    amount: Decimal
    still_open: Decimal
    caption: str  # what the open figure is, said beside it; "" for matched (its card shows the full amount)


# What the open figure of a state's card is, as the card says it.
_STATE_CAPTIONS = {
    Deduction.State.PARTLY_MATCHED: _("unmatched, still open"),
    Deduction.State.UNSUPPORTED: _("unsupported, still open"),
    Deduction.State.DUPLICATE: _("unsupported, still open"),
}


class DeductionListView(FinanceMixin, FilteredListView):
    """Every deduction the user may read with its matching state; counts and amounts per state on top."""

    template_name = "tradespend/deduction_list.html"
    filterset_class = DeductionMatchingFilter
    export_name = _("deductions")
    export_columns = [
        Column(_("Date"), lambda d: d.date),
        Column(_("Key account"), lambda d: account_name(d.account)),
        Column(_("Invoice"), lambda d: d.invoice.number),
        Column(_("Chain reference"), lambda d: d.reference),
        Column(_("Kind"), lambda d: d.get_kind_display()),
        Column(_("Period from"), lambda d: f"{d.period_start:%Y-%m}" if d.period_start else ""),
        Column(_("Period to"), lambda d: f"{d.period_end:%Y-%m}" if d.period_end else ""),
        Column(_("Amount"), lambda d: d.amount, "#,##0.00"),
        Column(_("State"), deduction_state_text),
        Column(_("Matched"), lambda d: d.matched_amount, "#,##0.00"),
        Column(_("Recovered"), lambda d: d.recovered_amount, "#,##0.00"),
        Column(_("Unsupported"), _unsupported, "#,##0.00"),
        Column(_("Dispute"), lambda d: dispute_status(d.dispute) if hasattr(d, "dispute") else ""),
        Column(_("Matched by hand"), lambda d: gettext("yes") if hasattr(d, "matched_by_hand") else ""),
        Column(_("Over-deducted"), lambda d: gettext("yes") if d.over_deducted else ""),
        Column(_("Moved to another line"), lambda d: gettext("yes") if d.moved else ""),
        Column(_("Reason"), lambda d: d.reason_text),
    ]

    def get_base_queryset(self):
        deductions = contract_selectors.deductions_for(self.request.user).select_related("dispute", "matched_by_hand")
        # over-deducted (matched above what a ledger line now holds): derived with the rows, never stored; moved
        # (a line released under it, and matched again to another: releases.py), read with the rows too
        deductions = deductions.annotate(over_deducted=services.over_deducted_q(), moved=releases.moved_q())
        return deductions.order_by("-date", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = (
            self.object_list.order_by()
            .values("state")
            .annotate(
                count=Count("pk"),
                # named apart from the fields: the open part reads the deductions' own amount
                full_amount=money_sum("amount"),
                still_open=money_sum(dispute_services.still_open_expression()),
            )
        )
        found = {row["state"]: row for row in rows}
        # per state its count, its full amount and what of it is still open (unsupported or unmatched, less what was
        # recovered or accepted and written off): a full amount alone overstated the open work (QA)
        context["state_totals"] = [
            StateTotal(
                state=state,
                count=found.get(state.value, {}).get("count", 0),
                amount=found.get(state.value, {}).get("full_amount") or ZERO,
                still_open=max(found.get(state.value, {}).get("still_open") or ZERO, ZERO),
                caption=_STATE_CAPTIONS.get(state, ""),
            )
            for state in Deduction.State
        ]
        context["can_match"] = self.request.user.has_perm("tradespend.add_deductionmatch")
        return context


@finance_page
def deductions_match_all(request):
    """Finance runs automatic matching over every account they see (it is idempotent)."""
    if request.method != "POST":
        raise Http404
    require(request.user, DeductionMatch, "add")
    accounts = contract_selectors.finance_accounts(request.user)
    if request.POST.get("account"):  # one account, by code: one outside the user's is not found
        accounts = accounts.filter(pk=get_object_or_404(accounts, code=request.POST["account"]).pk)
    accounts = list(accounts.values_list("pk", flat=True))

    def done(summary):
        text = gettext("Matched automatically: %(changed)s of %(count)s deductions changed, %(amount)s newly matched.")
        return text % {
            "changed": summary.changed,
            "count": summary.deductions,
            "amount": money(summary.matched_now),
        }

    return run_step(
        request,
        lambda: services.deductions_match(account_ids=accounts),
        success=done,
        then=reverse("tradespend:deductions"),
        follow_next=True,
    )


# --- the validation sheet ----------------------------------------------------------------------------------------

_STEPS = {
    # action: (model, permission)
    "match_add": (DeductionMatch, "add"),
    "match_remove": (DeductionMatch, "delete"),
    "not_duplicate": (DeductionMatch, "add"),
    "match_automatically": (DeductionMatch, "add"),
    "dispute_open": (Dispute, "add"),
    "recover": (Dispute, "change"),
    "write_off": (Dispute, "change"),
    "close": (Dispute, "change"),
    "approve": (Dispute, "change"),
    "reject": (Dispute, "change"),
}


def _sheet_lines(user, deduction):
    """The lines that could pay for the deduction (its account, its kind, its months) and those it is matched to,
    with what is accrued, deducted by other deductions, remaining and the over-deducted flag."""
    kind = DEDUCTION_SPEND_KIND.get(deduction.kind, deduction.kind)
    start = deduction.period_start or deduction.date.replace(day=1)
    end = deduction.period_end or start
    candidates = Q(kind=kind, month__gte=start, month__lte=end)
    lines = services.lines_with_matches(
        accrual_lines_for(user).filter(account=deduction.account).filter(candidates | Q(matches__deduction=deduction))
    )
    mine = dict(deduction.matches.values_list("line_id", "amount"))
    rows = list(lines.distinct().select_related("term__contract", "plan").order_by("month", "kind", "pk"))
    for line in rows:
        line.this_deduction = mine.get(line.pk, ZERO)
        line.by_others = line.deducted - line.this_deduction
    return rows


def _visit_evidence(user, deduction) -> dict:
    """The display agreements the deduction's kind and months cover (issue 13), and a sentence for each one whose
    visit evidence was not met (why matching left the deduction unsupported)."""
    agreements = list(agreement_selectors.agreements_for_deduction(user, deduction))
    return {
        "evidence_kind": deduction.kind in DEDUCTION_AGREEMENT_KINDS,
        "evidence_agreements": agreements,
        "evidence_problems": [
            agreement_selectors.evidence_sentence(a)
            for a in agreement_selectors.claimed_by(deduction, agreements)
            if a.status == a.Status.NOT_EVIDENCED
        ],
    }


@finance_page
def deduction_sheet(request, pk):
    """One deduction against the ledger: what it claims, the spend lines behind it, its matches and its dispute."""
    deductions = contract_selectors.deductions_for(request.user).select_related("invoice", "account", "duplicate_of")
    deductions = deductions.annotate(over_deducted=services.over_deducted_q(), moved=releases.moved_q())
    deduction = get_object_or_404(deductions, pk=pk)
    dispute = (
        Dispute.objects.filter(deduction=deduction)
        .select_related("owner", "write_off_requested_by", "write_off_rejected_by", "resolved_by")
        .first()
    )
    # The deduction's kind of spend only, unless the clerk asks for every kind (?kinds=all, kept by the form's POST).
    other_kinds = request.GET.get("kinds") == "all"
    open_lines = services.manual_match_lines(
        services.lines_with_matches(accrual_lines_for(request.user)), deduction, other_kinds=other_kinds
    ).select_related("term__contract", "plan")
    step = request.POST.get("action") if request.method == "POST" else None
    forms_ = {
        "match_form": ManualMatchForm(
            request.POST if step == "match_add" else None, lines=open_lines, deduction=deduction, prefix="match"
        ),
        "dispute_form": DisputeOpenForm(
            request.POST if step == "dispute_open" else None,
            request.FILES if step == "dispute_open" else None,
            prefix="dispute",
        ),
        "recover_form": RecoverForm(request.POST if step == "recover" else None, prefix="recover"),
        "note_form": NoteForm(request.POST if step == "write_off" else None, prefix="writeoff"),
    }
    if step is not None:
        if step not in _STEPS:
            raise Http404
        model, action = _STEPS[step]
        require(request.user, model, action)
        answer = _run(request, step, deduction, dispute, forms_)
        if answer is not None:
            return answer
    matches = list(deduction.matches.select_related("line", "created_by").order_by("line__month", "pk"))
    for match in matches:  # a line outside the months claimed, or of another kind: matched, and said so
        match.notes = services.match_note_sentences(deduction, services.match_notes(deduction, match.line))
    matched_sum = sum((m.amount for m in matches), ZERO)
    by_hand = [m for m in matches if not m.automatic]
    user = request.user
    lines = _sheet_lines(user, deduction)
    owner_id = deduction.account.owner_id
    unsupported = services.unmatched_part(deduction)
    open_dispute = dispute is not None and dispute.status == Dispute.Status.OPEN
    context = {
        "deduction": deduction,
        "remittances": deduction.remittances.all(),
        "lines": lines,
        "matches": matches,
        "matched_sum": matched_sum,
        "tolerance_difference": deduction.matched_amount - matched_sum
        if deduction.state == Deduction.State.MATCHED
        else ZERO,
        "unsupported": unsupported,
        **_visit_evidence(user, deduction),
        # the ledger released its matches (a line lowered under them) and matched it again: from where, to where, why
        "releases": releases.history(deduction),
        "dispute": dispute,
        # every step of the dispute, newest first: who, when, the change of status and what was typed with it
        "dispute_steps": dispute_services.steps_of(dispute),
        # open with nothing unsupported left (matched meanwhile, or its write-off rejected for that): finance closes
        # it as supported, where recovering and writing off have nothing to take
        "closable": open_dispute and dispute_services.close_refusal(dispute, deduction) is None,
        # closed as supported, and its deduction unsupported again (a match released): taken up again
        "dispute_again": dispute is not None and dispute.status == Dispute.Status.SUPPORTED and unsupported > 0,
        "can_match": user.has_perm("tradespend.add_deductionmatch"),
        # dated in a closed month: its matches can no longer change, so the sheet says why instead of offering them
        "matches_frozen": services.matches_frozen(deduction),
        # finance changed its matches by hand: automatic matching leaves them alone until handed back
        "matched_by_hand": services.matched_by_hand(deduction),
        # what "Match automatically again" releases: said before the clerk confirms it
        "hand_matches": len(by_hand),
        "hand_matched_sum": sum((m.amount for m in by_hand), ZERO),
        # its lines now hold less than is matched to them (the ledger lowered one after the match)
        "over_deducted_lines": sum(1 for line in lines if line.over_deducted and line.this_deduction),
        "can_dispute": user.has_perm("tradespend.add_dispute"),
        "offer_dispute": user.has_perm("tradespend.add_dispute")
        and unsupported > 0
        and (dispute is None or dispute.status == Dispute.Status.SUPPORTED),
        "can_resolve": user.has_perm("tradespend.add_dispute") and user.has_perm("tradespend.change_dispute"),
        "can_approve": user.has_perm("tradespend.change_dispute")
        and dispute_services.may_approve_write_off(user, owner_id),
        # supported in full since the write-off was asked: the approver is told so instead of offered the approval
        "write_off_refusal": dispute_services.write_off_approval_refusal(deduction)
        if dispute is not None and dispute.status == Dispute.Status.WRITE_OFF_REQUESTED
        else None,
        "open_step": step,
        "other_kinds": other_kinds,
        "request_key": new_key,  # called once per form drawn: each form its own key
        **forms_,
    }
    return render(request, "tradespend/deduction_sheet.html", context)


# The steps posted with a form of the sheet, and that form.
_FORM_STEPS = {
    "match_add": "match_form",
    "dispute_open": "dispute_form",
    "recover": "recover_form",
    "write_off": "note_form",
}


def _run(request, step, deduction, dispute, forms_):
    """Run one step of the sheet once per request key (ka_portal/once.py); a redirect when it is done (or
    refused as a message), None to show a form's refusal next to its field."""
    here = reverse("tradespend:deduction-sheet", args=[deduction.pk])
    if step in ("recover", "write_off", "close", "approve", "reject") and dispute is None:
        raise Http404
    form = forms_[_FORM_STEPS[step]] if step in _FORM_STEPS else None
    step_on = f"tradespend.{step}:deduction={deduction.pk}"
    try:
        said = once(request, step_on, lambda: _step(request, step, deduction, dispute, form))
    except Invalid:
        return None
    except DomainError as error:
        if form is not None:
            show_refusal(form, error)
            return None
        messages.error(request, error.detail)
        return redirect(here)
    for level, text in said:
        messages.add_message(request, level, text)
    return redirect(here)


def _step(request, step, deduction, dispute, form) -> list[tuple[int, str]]:
    """The step itself: its form validated (`Invalid` when it is not), its service called; what the page says after
    it, as (message level, text)."""
    user = request.user
    data = {}
    if form is not None:
        if not form.is_valid():
            raise Invalid
        data = form.cleaned_data
    if step == "match_add":
        match = services.deduction_match_add(deduction=deduction, line=data["line"], amount=data["amount"], by=user)
        text = gettext("%(amount)s matched to the %(month)s line.") % {
            "amount": money(data["amount"]),
            "month": f"{data['line'].month:%Y-%m}",
        }
        # what is unusual about a manual match, said after it is done
        notes = services.match_note_sentences(deduction, match.notes)
        return [(messages.SUCCESS, text), *((messages.WARNING, str(note)) for note in notes)]
    if step == "dispute_open":
        opened = dispute_services.dispute_open(
            deduction=deduction,
            reason=data["reason"],
            owner=user,
            due_on=data["due_on"],
            evidence=data["evidence"],
            by=user,
        )
        # one dispute per deduction: one closed as supported is taken up again, as its History says (its newest step)
        newest = opened.steps.order_by("-pk").values_list("action", flat=True).first()
        if newest == DisputeStep.Action.TAKEN_UP_AGAIN:
            text = gettext("Dispute taken up again, due on %(due_on)s.")
        else:
            text = gettext("Dispute opened, due on %(due_on)s.")
        return [(messages.SUCCESS, text % {"due_on": opened.due_on})]
    if step == "recover":
        dispute_services.dispute_recover(
            dispute=dispute, amount=data["amount"], on=data["on"], note=data["note"], by=user
        )
        text = gettext("%(amount)s recovered: re-opened on invoice %(number)s.") % {
            "amount": money(data["amount"]),
            "number": deduction.invoice.number,
        }
        return [(messages.SUCCESS, text)]
    if step == "write_off":
        done = dispute_services.dispute_write_off(dispute=dispute, note=data["note"], by=user)
        text = (
            gettext("Written off.")
            if done.status == Dispute.Status.WRITTEN_OFF
            else gettext("Write-off requested: the account's KA manager approves it.")
        )
        return [(messages.SUCCESS, text)]
    if step == "close":
        # no form of its own: a refusal (the sheet was open while a match was released) is said on the sheet
        dispute_services.dispute_close(dispute=dispute, note=request.POST.get("note", ""), by=user)
        return [(messages.SUCCESS, gettext("Dispute closed: the ledger supports the deduction in full."))]
    if step == "match_remove":
        match = get_object_or_404(DeductionMatch.objects.filter(deduction=deduction), pk=request.POST.get("match"))
        services.deduction_match_remove(match=match, by=user)
        return [(messages.SUCCESS, gettext("Match removed."))]
    if step == "not_duplicate":
        cleared = services.deduction_not_duplicate(deduction=deduction, by=user)
        return [(messages.SUCCESS, gettext("Not a duplicate: now %(state)s.") % {"state": cleared.get_state_display()})]
    if step == "match_automatically":
        again = services.deduction_match_automatically(deduction=deduction, by=user)
        text = gettext("Matched automatically afresh: now %(state)s, %(matched)s matched.") % {
            "state": again.get_state_display(),
            "matched": money(again.matched_amount),
        }
        return [(messages.SUCCESS, text)]
    if step == "approve":
        dispute_services.dispute_write_off_approve(dispute=dispute, by=user)
        return [(messages.SUCCESS, gettext("Write-off approved."))]
    reason = request.POST.get("reason", "")
    dispute_services.dispute_write_off_reject(dispute=dispute, reason=reason, by=user)
    return [(messages.SUCCESS, gettext("Write-off rejected: the dispute is open again."))]


# --- disputes ----------------------------------------------------------------------------------------------------


def _overdue():
    today = timezone.localdate()
    unresolved = Q(status__in=Dispute.UNRESOLVED)
    return ExpressionWrapper(unresolved & Q(due_on__lt=today), output_field=BooleanField())


class DisputeListView(FinanceMixin, FilteredListView):
    """Disputes the user may read: overdue first, then by due date; owner, due date, status."""

    template_name = "tradespend/dispute_list.html"
    filterset_class = DisputeFilter
    export_name = _("disputes")
    export_columns = [
        Column(_("Key account"), lambda d: account_name(d.deduction.account)),
        Column(_("Invoice"), lambda d: d.deduction.invoice.number),
        Column(_("Kind"), lambda d: d.deduction.get_kind_display()),
        Column(_("Amount"), lambda d: d.deduction.amount, "#,##0.00"),
        Column(_("Unsupported"), lambda d: services.unmatched_part(d.deduction), "#,##0.00"),
        Column(_("Reason"), lambda d: d.reason),
        Column(_("Owner"), lambda d: display_name(d.owner) if d.owner else ""),
        Column(_("Due date"), lambda d: d.due_on),
        Column(_("Status"), lambda d: dispute_status(d)),
        Column(_("Recovered"), lambda d: d.recovered_amount, "#,##0.00"),
        # who resolved it and when (an approved write-off: its approver, beside who asked for it), as the sheet shows
        Column(capfirst(_("write-off requested by")), lambda d: _name(d.write_off_requested_by)),
        Column(capfirst(_("resolved by")), lambda d: _name(d.resolved_by)),
        Column(capfirst(_("resolved at")), lambda d: d.resolved_at),
        # the approver's last refusal of a write-off, kept whatever followed (disputes.dispute_write_off_reject)
        Column(capfirst(_("write-off rejected by")), lambda d: _name(d.write_off_rejected_by)),
        Column(capfirst(_("write-off rejected at")), lambda d: d.write_off_rejected_at),
    ]

    def get_base_queryset(self):
        disputes = disputes_for(self.request.user).select_related(
            "deduction__account",
            "deduction__invoice",
            "owner",
            "write_off_requested_by",
            "write_off_rejected_by",
            "resolved_by",
        )
        order = Case(When(is_overdue=True, then=Value(0)), default=Value(1))
        return disputes.annotate(is_overdue=_overdue()).order_by(order, "due_on", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for dispute in context["object_list"]:  # open with nothing unsupported left: finance's to close (the sheet)
            dispute.closable = dispute.status == Dispute.Status.OPEN and _unsupported(dispute.deduction) <= 0
        return context


def _name(user) -> str:
    return display_name(user) if user else ""


urlpatterns = [
    path("deductions/", DeductionListView.as_view(), name="deductions"),
    path("deductions/match/", deductions_match_all, name="deductions-match-all"),
    path("deductions/<int:pk>/", deduction_sheet, name="deduction-sheet"),
    path("disputes/", DisputeListView.as_view(), name="disputes"),
]
