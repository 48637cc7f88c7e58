"""What a visit's steps, a store's change and a change of what grants display agreements set off in visit evidence
(issue 13), called explicitly by visits/services.py, stores/services.py, contracts/services.py and
promotions/services.py.

Imports are inside the functions: visits/services.py imports this module, and the evidence services import the
visit models and services.
"""


def visit_checked_in(visit) -> None:
    """After a check-in is saved (a new visit only)."""
    # Fraud signals: far from the store, no position, an impossible trip from the previous check-in.
    from . import signals

    signals.detect_check_in(visit, new=True)  # nothing to drop or update on a visit made in this transaction


def photo_added(photo) -> None:
    """After a visit photo is stored."""
    # Fraud signals: the photo's perceptual hash (computed by visit_photo_add, kept on the instance as `phash`),
    # a reused photo, a camera time before the check-in or after the upload.
    from . import signals

    signals.detect_photo(photo, value=getattr(photo, "phash", None))


def photo_signals(photo) -> list[tuple[str, str]]:
    """The fraud signals that name a visit photo, as (kind, label): the photo flagged (reused, taken outside the
    visit) or the earlier photo another visit's reused one matches. Asked before the photo is removed from its
    visit (visits.services.visit_photo_remove), which refuses then: the signal would go with the photo, and with it
    the supervisor's evidence (whatever its review: a reviewed signal is on the rep's record)."""
    from django.db.models import Q

    from .models import FraudSignal

    named = FraudSignal.objects.filter(Q(photo=photo) | Q(other_photo=photo))
    labels = dict(FraudSignal.Kind.choices)
    return [(kind, labels.get(kind, kind)) for kind in sorted(set(named.values_list("kind", flat=True)))]


def photo_removing(photo) -> list[int]:
    """Before a visit photo is removed (its rep's open visit): the plans whose display checks at the visit show it.
    Their checks keep their answer without the photo (the foreign key is set null), so photo_removed computes those
    plans' executions at the visit again. An agreement's check needs nothing more: an open visit is no agreement's
    evidence until its check-out (agreement_rules), which reads the check as it is then. The photo's hash goes with
    it: a photo no longer on any visit is nobody's evidence to be reused."""
    from .models import DisplayCheck

    checks = DisplayCheck.objects.filter(photo=photo, plan__isnull=False)
    return sorted(set(checks.values_list("plan_id", flat=True)))


def photo_removed(visit, plan_ids) -> None:
    """After a visit photo is removed, in the same transaction: the executions at the visit of the plans whose
    display checks showed it (photo_removing's answer) computed again, and the visit's rating with them."""
    if not plan_ids:
        return
    from promotions.models import PromotionPlan
    from visits.services import visit_rerate

    from .visit_checks import execution_refresh

    for plan in PromotionPlan.objects.filter(pk__in=plan_ids).order_by("pk"):
        execution_refresh(visit=visit, plan=plan)
    visit_rerate(visit=visit)


def visit_checked_out(visit) -> None:
    """After a check-out is saved."""
    # Fraud signals: a short visit; every photo's camera time against the whole visit.
    from . import signals
    from .agreements import visit_evaluate

    signals.detect_check_out(visit)
    visit_evaluate(visit)  # the display agreements this visit checked: payable once their quota is met


def visits_deleting(visit_ids) -> list[int]:
    """Before visits are deleted (their checks go with them): the display agreements they checked, for
    visits_deleted to re-evaluate once they are gone."""
    from .agreements import agreements_checked_by

    return agreements_checked_by(visit_ids)


def visits_deleted(agreement_ids) -> None:
    """After visits are deleted, in the same transaction: the agreements they checked (visits_deleting's answer)
    re-evaluated, so their stored figure and status no longer count them."""
    from .agreements import agreements_evaluate

    if agreement_ids:
        agreements_evaluate(ids=agreement_ids)


def store_changed(account_ids) -> None:
    """After a store is closed, reopened or moved to another chain, in the same transaction: a chain-wide
    agreement needs every active store of its chain, so those of the chains given are re-evaluated; a store's own
    agreements of a chain it left are marked (its visits from then on are not that chain's evidence, and the
    agreement's page says so) and re-evaluated, and unmarked when it comes back."""
    from .agreements import stores_changed

    stores_changed(account_ids)


def agreement_sources_changed(account_ids) -> None:
    """After what grants display agreements changes, in the same transaction (the contracts and promotions
    services, whatever the door: page, API, import, admin): a contract's status or validity, a term saved, imported
    or removed, a plan approved. The accounts' generated agreements are made, moved, granted again or let go at
    once, and those whose evidence that changes re-evaluated, rather than at the nightly run. (A plan's stores change
    only while it is a draft, which grants nothing.) A change that would move or re-price an agreement in a month
    finance has closed, or make one there, is refused (agreement.source_month_closed), the source's change with it:
    a closed month's agreements stay as finance closed them."""
    from .agreements import agreements_generate

    agreements_generate(account_ids=list(account_ids), refuse_closed=True)
