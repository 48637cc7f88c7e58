"""Disputes over unsupported deductions (issue 12 item 5): taken up with the chain, then recovered (the chain pays
it back: re-opened on the deduction's invoice, so receivables and aging show it) or accepted and written off
(above KA.deduction_write_off_approval_above only with the account's KA manager's approval). One the ledger has come
to support in full while it was open (the deduction matched meanwhile, or its write-off rejected for that) is closed
by finance as supported (dispute_close), a step with its name and time like the others, never by the matching on
its own: the nightly run may release a match again, and finance's list of open disputes stays theirs to close. Such
a dispute is opened again when its deduction is unsupported again.

A written-off or unresolved unsupported part stays spend: gross to net reads amount − matched_amount of each
deduction as "unsupported deductions" in the deduction's month, and each recovery as less of them in the month the
recovery is dated in (never a closed one), so a recovery of a deduction whose month is closed leaves that month's
frozen figures as they are and shows in the open month. So does the tolerance difference a recovery leaves accepted
as matched (DeductionRecovery.tolerance_difference): the deduction's matched_amount grows by it, and it counts in
the recovery's month with the amount given back.

Every step is logged here, whatever the door (the deduction's page, the API, the demo): a DisputeStep with who, when,
the status before and after and what was typed with it (``_log``). The dispute keeps only its latest note
(``outcome_note``); its steps keep each one, so what finance said to the chain is never overwritten. Read back newest
first by ``steps_of``.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from contracts.models import Deduction, Invoice
from contracts.services import _change_open_amount, check_book_date
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.money import MONEY_TOTAL, ZERO, to_money
from ka_portal.scope import user_role

from . import rules
from .matching import restate, unmatched_part
from .models import ClosedMonth, DeductionRecovery, Dispute, DisputeStep

Status = Dispute.Status
DISPUTABLE = (Deduction.State.UNSUPPORTED, Deduction.State.PARTLY_MATCHED, Deduction.State.DUPLICATE)


def still_open_expression():
    """What of a deduction is still open, as a query expression over deductions: its unsupported part (amount −
    matched − recovered: unmatched_part) unless finance accepted it and it is written off. A recovered part is not
    open (the chain paid it back), nor one written off (accepted as spend); one waiting for the write-off's approval
    still is. The deductions list's totals read it (QA: they summed full amounts)."""
    return Case(
        When(dispute__status=Status.WRITTEN_OFF, then=Value(ZERO)),
        default=F("amount") - F("matched_amount") - F("recovered_amount"),
        output_field=MONEY_TOTAL,
    )


def _finance(by, code: str = "dispute.needs_finance") -> None:
    if user_role(by) not in (Role.FINANCE, Role.ADMIN):
        raise DomainError(code, _("Only finance may do this with a dispute."))


def _note(text: str | None, code: str, message) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(code, message, field="note" if "note" in code else "reason")
    return text[:200]


def _locked(dispute: Dispute) -> tuple[Dispute, Deduction]:
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    deduction = Deduction.objects.select_for_update().get(pk=dispute.deduction_id)
    return dispute, deduction


def _must_be(dispute: Dispute, *statuses: str) -> None:
    if dispute.status not in statuses:
        raise DomainConflict(
            "dispute.status",
            _("This dispute is %(status)s: that step is not possible now."),
            status=dispute.get_status_display(),
        )


Action = DisputeStep.Action


def _log(
    dispute: Dispute,
    action: str,
    *,
    before: str,
    note: str = "",
    by,
    amount: Decimal | None = None,
    on: date | None = None,
) -> DisputeStep:
    """Keep one step of ``dispute`` (saved, its new status set): the status it had (``before``, "" for a dispute
    just opened), what was typed with the step as typed, a recovery's amount and day."""
    return DisputeStep.objects.create(
        dispute=dispute,
        action=action,
        from_status=before,
        to_status=dispute.status,
        note=(note or "").strip()[:200],
        by=by,
        amount=amount,
        on=on,
    )


def steps_of(dispute: Dispute | None) -> list[DisputeStep]:
    """The steps of ``dispute``, newest first, with who took each (one query; none without a dispute)."""
    if dispute is None:
        return []
    return list(DisputeStep.objects.filter(dispute=dispute).select_related("by").order_by("-at", "-pk"))


def deduction_steps(deduction: Deduction) -> list[DisputeStep]:
    """The steps of the deduction's dispute, newest first (none when it was never disputed): one query, the
    deductions API's detail reads them."""
    steps = DisputeStep.objects.filter(dispute__deduction_id=deduction.pk).select_related("by")
    return list(steps.order_by("-at", "-pk"))


def _resolve(dispute: Dispute, status: str, note: str, by) -> None:
    dispute.status = status
    dispute.outcome_note = note
    dispute.resolved_by = by
    dispute.resolved_at = timezone.now()


@transaction.atomic
def dispute_open(*, deduction: Deduction, reason: str, owner, due_on: date | None = None, evidence=None, by) -> Dispute:
    """Take a deduction's unsupported part up with the chain (finance): unsupported, partly matched or a
    suspected duplicate; due ``due_on`` (default today + KA.dispute_due_days)."""
    _finance(by)
    reason = _note(reason, "dispute.needs_reason", _("Give the reason for the dispute."))
    deduction = Deduction.objects.select_for_update().get(pk=deduction.pk)
    # one dispute per deduction: one closed as supported is taken up again once the deduction is unsupported again
    again = Dispute.objects.select_for_update().filter(deduction=deduction).first()
    if again is not None and again.status != Status.SUPPORTED:
        raise DomainConflict("dispute.exists", _("This deduction is already disputed."))
    unsupported = unmatched_part(deduction)
    if deduction.state not in DISPUTABLE or unsupported <= 0:
        raise DomainError(
            "dispute.nothing_unsupported",
            _("This deduction is %(state)s: nothing of it is unsupported (%(unsupported)s), so there is no dispute."),
            state=deduction.get_state_display(),
            unsupported=max(unsupported, Decimal("0.00")),
        )
    today = timezone.localdate()
    due_on = due_on or today + timedelta(days=settings.KA.dispute_due_days)
    if due_on < today:
        raise DomainError(
            "dispute.due_in_past", _("The due date %(due_on)s is already past."), field="due_on", due_on=due_on
        )
    dispute = again or Dispute(deduction=deduction, created_by=by)
    before = again.status if again is not None else ""
    dispute.reason, dispute.owner, dispute.due_on, dispute.status = reason, owner or by, due_on, Status.OPEN
    dispute.outcome_note, dispute.resolved_by, dispute.resolved_at = "", None, None
    if evidence:
        dispute.evidence = evidence
    dispute.save()
    _log(dispute, Action.TAKEN_UP_AGAIN if again is not None else Action.OPENED, before=before, note=reason, by=by)
    return dispute


@transaction.atomic
def dispute_recover(*, dispute: Dispute, amount: Decimal, on: date, note: str = "", by) -> Dispute:
    """The chain gives part (or all) of the unsupported part back: the deduction's recovered_amount grows, the
    amount is re-opened on its invoice from ``on``; the dispute is RECOVERED once nothing unsupported is left."""
    _finance(by)
    dispute, deduction = _locked(dispute)
    _must_be(dispute, Status.OPEN, Status.WRITE_OFF_REQUESTED)
    amount = to_money(Decimal(amount))
    if amount <= 0:
        raise DomainError("dispute.amount_not_positive", _("The amount recovered must be above zero."), field="amount")
    unsupported = unmatched_part(deduction)
    if amount > unsupported:
        raise DomainError(
            "dispute.beyond_unsupported",
            _("Only %(unsupported)s of this deduction is unsupported; %(amount)s cannot be recovered."),
            field="amount",
            unsupported=unsupported,
            amount=amount,
        )
    # the books' date rule, as a payment's: a recovery dated years ahead would re-open the invoice from a day the
    # receivables page already counts while aging and statements, read as of today, do not yet
    check_book_date(on, field="on", label=_("Recovered on"))
    if on < deduction.date:
        raise DomainError(
            "dispute.recovered_before_deduction",
            _("A recovery cannot be dated before the deduction (%(date)s)."),
            field="on",
            date=deduction.date,
        )
    rules.check_month_open(on, ClosedMonth.objects.months(), field="on")
    invoice = Invoice.objects.select_for_update().get(pk=deduction.invoice_id)
    _change_open_amount(invoice, amount)
    recovery = DeductionRecovery.objects.create(
        dispute=dispute, deduction=deduction, amount=amount, on=on, note=(note or "").strip()[:200], created_by=by
    )
    deduction.recovered_amount = to_money(deduction.recovered_amount + amount)
    deduction.recovered_on = max(on, deduction.recovered_on or on)
    deduction.save(update_fields=["recovered_amount", "recovered_on"])
    restate(deduction, recovery=recovery)  # a tolerance difference it leaves counts in its month, as it does
    dispute.recovered_amount = to_money(dispute.recovered_amount + amount)
    fields = ["recovered_amount"]
    before = dispute.status
    if unmatched_part(deduction) <= 0:
        _resolve(dispute, Status.RECOVERED, (note or "").strip()[:200], by)
        dispute.write_off_requested_by = None
        fields += ["status", "outcome_note", "resolved_by", "resolved_at", "write_off_requested_by"]
    dispute.save(update_fields=fields)
    _log(dispute, Action.RECOVERED, before=before, note=note, by=by, amount=amount, on=on)
    return dispute


@transaction.atomic
def dispute_write_off(*, dispute: Dispute, note: str, by) -> Dispute:
    """Finance accepts the unsupported part: written off at once up to KA.deduction_write_off_approval_above;
    above it, the write-off waits for the account's KA manager (dispute_write_off_approve)."""
    _finance(by)
    note = _note(note, "dispute.needs_note", _("Say why the deduction is accepted."))
    dispute, deduction = _locked(dispute)
    _must_be(dispute, Status.OPEN)
    unsupported = unmatched_part(deduction)
    if unsupported <= 0:
        raise DomainConflict("dispute.nothing_unsupported", _("Nothing of this deduction is unsupported any more."))
    if unsupported <= settings.KA.deduction_write_off_approval_above:
        _resolve(dispute, Status.WRITTEN_OFF, note, by)
        action = Action.WRITTEN_OFF
    else:
        dispute.status = Status.WRITE_OFF_REQUESTED
        dispute.outcome_note = note
        dispute.write_off_requested_by = by
        action = Action.WRITE_OFF_REQUESTED
    dispute.save()
    _log(dispute, action, before=Status.OPEN, note=note, by=by, amount=unsupported)
    return dispute


def close_refusal(dispute: Dispute, deduction: Deduction) -> DomainError | None:
    """Why ``dispute`` may not be closed as supported (None while it may): it is not open (a requested write-off is
    the approver's to reject first), or some of its deduction is still unsupported (that part is recovered or
    written off, not closed). The service refuses with it; the sheet offers the step by it."""
    if dispute.status != Status.OPEN:
        return DomainConflict(
            "dispute.status",
            _("This dispute is %(status)s: that step is not possible now."),
            status=dispute.get_status_display(),
        )
    unsupported = unmatched_part(deduction)
    if unsupported > 0:
        return DomainConflict(
            "dispute.still_unsupported",
            _(
                "%(unsupported)s of this deduction is still unsupported: record what the chain paid back or accept "
                "it and write it off; a dispute closes as supported only once the ledger supports it in full."
            ),
            unsupported=unsupported,
        )
    return None


@transaction.atomic
def dispute_close(*, dispute: Dispute, note: str = "", by) -> Dispute:
    """Finance closes an open dispute whose deduction the ledger now supports in full (matched since it was opened,
    or matched and recovered): SUPPORTED, by whom and when. Refused while some of it is unsupported
    (dispute.still_unsupported) or the dispute is not open (close_refusal)."""
    _finance(by)
    dispute, deduction = _locked(dispute)
    refusal = close_refusal(dispute, deduction)
    if refusal is not None:
        raise refusal
    _resolve(dispute, Status.SUPPORTED, (note or "").strip()[:200], by)
    dispute.save()
    _log(dispute, Action.CLOSED, before=Status.OPEN, note=note, by=by)
    return dispute


def may_approve_write_off(user, owner_id: int | None) -> bool:
    """Who approves a write-off above the threshold: an administrator, or the KA manager who owns the account (the
    service's rule; the deduction sheet offers the button by it)."""
    role = user_role(user)
    return role == Role.ADMIN or (role == Role.MANAGER and owner_id == user.pk)


def approvable_by(user, disputes):
    """`disputes` narrowed to those whose write-off `user` may approve (may_approve_write_off, as a filter)."""
    role = user_role(user)
    if role == Role.ADMIN:
        return disputes
    return disputes.filter(deduction__account__owner=user) if role == Role.MANAGER else disputes.none()


def _check_approver(dispute: Dispute, by) -> None:
    owner_id = Deduction.objects.filter(pk=dispute.deduction_id).values_list("account__owner_id", flat=True).first()
    if may_approve_write_off(by, owner_id):
        return
    raise DomainError(
        "dispute.approval_needs_owner",
        _(
            "A write-off above %(threshold)s needs the approval of the account's KA manager (or an administrator); "
            "finance cannot approve it."
        ),
        threshold=settings.KA.deduction_write_off_approval_above,
    )


def write_off_approval_refusal(deduction: Deduction) -> DomainError | None:
    """Why a requested write-off of ``deduction`` may no longer be approved (None while it may): the deduction has
    become supported in full since finance asked (matched to the ledger, by hand or automatically, or matched and
    recovered), so there is nothing left to write off and an approval would accept spend the ledger already holds.
    The approver rejects the request instead. The service refuses with it; the sheet says it where the approver acts
    instead of offering the approval."""
    if unmatched_part(deduction) > 0:
        return None
    return DomainConflict(
        "dispute.supported_since_request",
        _(
            "This deduction of %(amount)s has been supported in full since the write-off was asked (%(matched)s "
            "matched to the ledger, %(recovered)s recovered): nothing is left to write off. Reject the request "
            "instead."
        ),
        amount=deduction.amount,
        matched=deduction.matched_amount,
        recovered=deduction.recovered_amount,
    )


@transaction.atomic
def dispute_write_off_approve(*, dispute: Dispute, by) -> Dispute:
    """The account's KA manager (KeyAccount.owner) or an administrator approves a requested write-off; refused
    (dispute.supported_since_request) once the deduction is supported in full (write_off_approval_refusal)."""
    dispute, deduction = _locked(dispute)
    _must_be(dispute, Status.WRITE_OFF_REQUESTED)
    _check_approver(dispute, by)
    refusal = write_off_approval_refusal(deduction)
    if refusal is not None:
        raise refusal
    _resolve(dispute, Status.WRITTEN_OFF, dispute.outcome_note, by)
    dispute.save()
    # the approval adds no words of its own: finance's note stays on the request's step
    _log(dispute, Action.WRITE_OFF_APPROVED, before=Status.WRITE_OFF_REQUESTED, by=by, amount=unmatched_part(deduction))
    return dispute


@transaction.atomic
def dispute_write_off_reject(*, dispute: Dispute, reason: str, by) -> Dispute:
    """The approver sends a requested write-off back: the dispute is open again, with the reason; who rejected it and
    when are kept (write_off_rejected_by, write_off_rejected_at: the last rejection, kept whatever follows —
    another request, its approval, the dispute taken up again)."""
    reason = _note(reason, "dispute.needs_reason", _("Say why the write-off is rejected."))
    dispute, _deduction = _locked(dispute)
    _must_be(dispute, Status.WRITE_OFF_REQUESTED)
    _check_approver(dispute, by)
    dispute.status = Status.OPEN
    dispute.outcome_note = reason
    dispute.write_off_requested_by = None
    dispute.write_off_rejected_by = by
    dispute.write_off_rejected_at = timezone.now()
    dispute.save()
    _log(dispute, Action.WRITE_OFF_REJECTED, before=Status.WRITE_OFF_REQUESTED, note=reason, by=by)
    return dispute
