"""Display agreements (陈列协议, issue 13 item 2): services (create, update, delete, generate, evaluate) and
selectors (the evidence behind an agreement, the not-evidenced agreements a deduction may claim).

Where agreements come from:
- contract terms of kind END_CAP and DISPLAY (fixed amounts) of active, expired or terminated contracts (a
  terminated one's up to its termination month, that month included: the months after it are let go, and come back
  when the termination is undone, those not over by then — one over is as a period generation never met, below):
  one agreement per
  period the term pays for (a month, quarter or year of its validity, or the whole validity for a one-off fee),
  chain-wide, with the term's amount as fee. END_CAP → end cap; DISPLAY → "other display" (a term does not say
  which display; the KA manager may set the kind and store on the agreement, which generation then keeps);
- promotion plans approved, running, ended or evaluated that bought an end cap (fee: the plan's TG fee) or a floor
  stack (no fee of its own in a plan: fee 0, the evidence is still tracked): one agreement per plan store (the TG
  fee split across them) or one chain-wide for a plan on all stores. A TG fee is the end cap's (TG = 端架, SPEC §5;
  a TG deduction claims end-cap agreements): promotions refuses a TG fee without the end cap ticked, and a plan
  approved with one before that still gets its end-cap agreement carrying the fee, so the money is held to
  evidence. A DM slot is a flyer, not a display in the store: no agreement (its execution is the plan's, checked at
  the visit);
- a KA manager, by hand: one per store (or chain), display and day — an agreement entered or changed by hand whose
  period overlaps a live one (one its source still grants) for the same display at the same store, or a chain-wide
  one over the store's (either way round: a chain-wide agreement pays for every store of the chain), is refused,
  naming that one, which the manager changes instead (the fee of one display is not committed twice). A new
  agreement for a closed store is refused. Generated agreements are their sources' (a contract's end cap and a
  plan's may both pay for one store's end cap).

A period that had already ended when generation first meets it makes no agreement: its fee was earned or paid
before anyone could collect evidence for it, and judging it "not evidenced" would flag the chain's old deductions
(switching the feature on, or a term entered late, would otherwise fill the list with past periods nobody checked).
Once made, an agreement stays through the end of its period and after.

Generation is idempotent on ``source_key`` (a term's: the calendar period it pays for, not the day it starts, so a
term whose start moves keeps its agreement and the visits that checked it): running it again updates the period and
fee (which belong to the source) and never duplicates; the kind, store, facings, quota and note of an existing
agreement are left as the manager set them — unless the source's own chain or kind of fee changed (_source_changes):
a contract moved to another chain takes its agreements there (a store of the chain it left chosen on one goes: every
store of the new chain), and a term changed between an end cap's TG fee and a display fee makes its agreements that
kind's display (deductions of different kinds claim them). Generation for some chains brings along their sources'
agreements wherever they were, so a contract moved is never made twice nor let go. An agreement whose source no longer
grants it is deleted when no visit has checked it yet, else kept (with its evidence) and flagged (`source_gone`: its
page says so in the reader's language). By hand, a generated agreement's period and
fee cannot be changed (they are edited at their source) and it cannot be deleted. Nor is one entered by hand that
something rests on (agreement_delete): one deductions are matched to (agreement.deducted — its ledger line would fall
to nothing, and the automatic matching would move those deductions, unseen, onto another display fee of the chain
that month: finance removes the matches first), or one visits checked (agreement.has_evidence — its checks would go
with it: it is ended early instead).

Evaluation: see `agreements_evaluate` and evidence/agreement_rules.py (`evidence_problem`). It runs nightly, by
the button, and in the transaction of every write that changes an agreement's evidence once its visits are
checked out (evidence/hooks.py, evidence/signals.py): a check-out, a visit deleted, an agreement edited or its
period moved at its source, a store of its chain closed, reopened, added or moved, a fraud signal of a visit that
checked it reviewed. A visit's checks, position and times are fixed at check-out; a visit a supervisor confirmed a
fraud signal of is withdrawn from every agreement's evidence (its page says which and why), and counts again if the
signal is dismissed after all. A store agreement whose store moved to another chain is marked (`store_left_at`):
its visits from then on do not count; its note and period stay editable (it is refused nothing it was allowed
before), and its page says so, as it does of a store closed.

Closed months: an agreement made, deleted or changed (beyond its note, or its period in open months only) in a
month finance has closed is refused with the portal's month-closed error (tradespend.rules.check_month_open).
A generated one stays as finance closed it too, whatever its source does: a source change (a term's fee, dates or
kind, a contract's status or validity, a plan approved) that would move or re-price a generated agreement in a
closed month (or move it to another chain or display: every month of it), by the same months as by hand
(agreement_rules.months_changed), or make one there, is refused at its
door naming the month and the agreement (agreement.source_month_closed: contracts.services' checks for the page, API
and admin, the terms' import row by row, and the hook's generation behind them all, plan approvals included); the
correction is an adjustment in an open month, or the line ended and a new one added from the first open month. One
its source no longer grants is kept, flagged, even unchecked (it holds the month's withheld fee); the nightly job
leaves such agreements as they were (``frozen``).
An agreement's fee counts in the month its period starts (agreement_rules.payable_month): the list's month totals;
a deduction claims the agreements whose fee is payable in a month it claims (claimed_by), as the ledger dates it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from accounts.roles import Role
from contracts.models import Contract, ContractTerm
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.scope import user_role
from promotions.models import PromotionPlan
from stores.models import Store
from tradespend.rules import term_accrues_through

from . import agreement_rules as rules
from .models import DisplayAgreement, DisplayCheck, DisplayKind, FraudSignal

Source = DisplayAgreement.Source
Status = DisplayAgreement.Status

# Fields a generated agreement takes from its source: refused by hand.
SOURCE_FIELDS = ("account", "start_on", "end_on", "fee")
EDITABLE_FIELDS = ("account", "store", "kind", "facings", "start_on", "end_on", "fee", "evidence_visits", "note")

TERM_KINDS = {ContractTerm.Kind.END_CAP: DisplayKind.END_CAP, ContractTerm.Kind.DISPLAY: DisplayKind.OTHER}
PLAN_STATUSES = (
    PromotionPlan.Status.APPROVED,
    PromotionPlan.Status.RUNNING,
    PromotionPlan.Status.ENDED,
    PromotionPlan.Status.EVALUATED,
)
# A terminated contract's terms grant the periods up to its termination month, that month included (_term_wanted).
CONTRACT_STATUSES = (Contract.Status.ACTIVE, Contract.Status.EXPIRED, Contract.Status.TERMINATED)


# --- by hand ----------------------------------------------------------------------------------------------------


def _may_manage(by, account: KeyAccount) -> None:
    """A KA manager manages the agreements of their own chains; an admin any; nobody else."""
    if by is None:
        return
    role = user_role(by)
    if role == Role.ADMIN or (role == Role.MANAGER and account.owner_id == by.pk):
        return
    raise DomainError(
        "agreement.not_your_account",
        _("Only the KA manager of %(account)s manages its display agreements."),
        field="account",
        account=account.name,
    )


def _check(agreement: DisplayAgreement, before: dict | None = None) -> None:
    """Every reason the agreement cannot be as it stands, the first raised with all of them (rules.refuse).
    ``before``: what is stored (_stored), None for a new one. Its store is asked about only when it is
    chosen (_store_problems)."""
    problems = rules.agreement_problems(
        kind=agreement.kind,
        facings=agreement.facings,
        start_on=agreement.start_on,
        end_on=agreement.end_on,
        fee=agreement.fee,
        evidence_visits=agreement.evidence_visits,
    )
    saved = None if before is None else (before["store_id"], before["account_id"])
    if agreement.store_id is not None and agreement.account_id is not None:
        problems += _store_problems(agreement.store, agreement.account, saved)
    rules.refuse(problems)


def store_problems(*, store: Store | None, account: KeyAccount | None, saved: DisplayAgreement | None = None):
    """Why the store cannot be the agreement's (a store of another chain, a closed store), for a form that says it
    with its other errors (the page's, the admin's): what ``_check`` refuses. ``saved``: the agreement being changed,
    whose store is asked about only when chosen again (another store or chain)."""
    if store is None or account is None:
        return []
    return _store_problems(store, account, None if saved is None else (saved.store_id, saved.account_id))


def _store_problems(store: Store, account: KeyAccount, saved: tuple | None) -> list[DomainError]:
    """A store chosen (a new agreement, another store or chain; ``saved``: the stored (store, chain), None for a
    new one) that is another chain's or closed. One whose store has since moved to another chain or closed keeps
    its note and its ending editable — it says so on its page, and its visits from the move on do not count."""
    if saved == (store.pk, account.pk):
        return []
    if store.account_id != account.pk:
        return [
            DomainError(
                "agreement.store_account",
                _("Store %(store)s is not a store of %(account)s."),
                field="store",
                store=store.name,
                account=account.name,
            )
        ]
    if not store.active:
        return [
            DomainError(
                "agreement.store_closed",
                _("Store %(store)s (%(store_code)s) is closed: no visit can evidence a display there."),
                field="store",
                store=store.name,
                store_code=store.code,
            )
        ]
    return []


def _closed_months() -> frozenset:
    from tradespend.models import ClosedMonth

    return ClosedMonth.objects.months()


def _refuse_closed_months(before: dict | None, after: DisplayAgreement | None) -> None:
    """An agreement is part of what a month's deduction sheet and figures showed when finance closed it: one made,
    deleted, or changed (its fee, display, store, chain, quota, or the days it covers) in a closed month is refused
    with the portal's month-closed error (tradespend.rules.check_month_open), at every door. ``before``: what is
    stored (_stored), None for a new one; ``after``: None for one deleted. Its note stays editable, and so does a
    period changed only in open months (an agreement ended earlier in an open month)."""
    from tradespend.rules import check_month_open

    closed = _closed_months()
    if not closed:
        return
    old = (before["start_on"], before["end_on"]) if before is not None else None
    new = (after.start_on, after.end_on) if after is not None else None
    if new is not None and (None in new or new[1] < new[0]):
        return  # refused as such (agreement.period, a date missing)
    whole = old is None or new is None or any(before[name] != getattr(after, name) for name in WHOLE_FIELDS)
    only_end = not whole and old[0] == new[0]
    for month in rules.months_changed(old, new, whole=whole):
        check_month_open(month, closed, field="end_on" if only_end else "start_on")


def _stored(agreement: DisplayAgreement) -> dict:
    return {name: getattr(agreement, name) for name in STORED_FIELDS}


# What makes an agreement the same display as another: the chain, the store (or every store), the display, the days.
IDENTITY_FIELDS = ("account_id", "store_id", "kind", "start_on", "end_on")
# What a change of counts in every month of the agreement's period (a closed month's sheet shows them all).
WHOLE_FIELDS = ("account_id", "store_id", "kind", "facings", "fee", "evidence_visits")
STORED_FIELDS = (*IDENTITY_FIELDS, "facings", "fee", "evidence_visits")
# What the ledger's line of an agreement entered by hand holds: its chain, fee, month (its start) and kind of spend.
LEDGER_FIELDS = ("account_id", "kind", "start_on", "fee")


def overlapping(agreement: DisplayAgreement) -> DisplayAgreement | None:
    """The live agreement (one its source still grants) for the same display of the same chain whose period shares a
    day with this one's and that pays for a store this one pays for, if any (the earliest): for a store's agreement,
    one of that store or a chain-wide one (which pays for every store of the chain); for a chain-wide agreement, any
    of the chain's (a store's, or chain-wide). A visit there would make both payable: the display paid twice."""
    if not (agreement.account_id and agreement.kind and agreement.start_on and agreement.end_on):
        return None
    if agreement.end_on < agreement.start_on:
        return None  # refused as such (agreement.period)
    same = DisplayAgreement.objects.filter(
        account_id=agreement.account_id,
        kind=agreement.kind,
        start_on__lte=agreement.end_on,
        end_on__gte=agreement.start_on,
        source_gone=False,
    ).select_related("store")
    if agreement.store_id is not None:
        same = same.filter(Q(store_id=agreement.store_id) | Q(store__isnull=True))
    if agreement.pk:
        same = same.exclude(pk=agreement.pk)
    return same.order_by("start_on", "pk").first()


def _refuse_overlap(agreement: DisplayAgreement, *, lock: bool = False) -> None:
    """One agreement per store (or chain), display and day: a second one entered by hand for days an agreement
    already covers pays the same display twice (a manager saving the same form twice doubled the
    fees under evidence). The existing one is named, so the manager changes it (its fee, its quota) instead. Where
    ``lock``, the chain's row is locked first, so two saves at once cannot both find the days free."""
    if lock:
        KeyAccount.objects.select_for_update().filter(pk=agreement.account_id).first()
    existing = overlapping(agreement)
    if existing is None:
        return
    where = f"{existing.store.name} ({existing.store.code})" if existing.store_id else _("every store of the chain")
    raise DomainConflict(
        "agreement.overlap",
        _(
            "Display agreement #%(agreement)s already covers %(where)s for this display (%(kind)s) from %(start)s "
            "to %(end)s, overlapping this period: change that agreement rather than entering a second one."
        ),
        agreement=existing.pk,
        where=where,
        kind=DisplayKind(existing.kind).label,
        start=existing.start_on.isoformat(),
        end=existing.end_on.isoformat(),
    )


def _identity_changed(before: dict, agreement: DisplayAgreement) -> bool:
    return any(before[name] != getattr(agreement, name) for name in IDENTITY_FIELDS)


@transaction.atomic
def agreement_create(
    *,
    by,
    account: KeyAccount,
    kind: str,
    start_on: date,
    end_on: date,
    fee: Decimal,
    store: Store | None = None,
    facings: int | None = None,
    evidence_visits: int = 1,
    note: str = "",
) -> DisplayAgreement:
    """A KA manager enters an agreement for a store of their chain, or for all its stores (store empty)."""
    _may_manage(by, account)
    agreement = DisplayAgreement(
        account=account, store=store, kind=kind, facings=facings or None, start_on=start_on, end_on=end_on,
        fee=fee, evidence_visits=evidence_visits, note=note or "", source=Source.MANUAL, created_by=by,
    )  # fmt: skip
    _check(agreement)
    _refuse_closed_months(None, agreement)
    _refuse_overlap(agreement, lock=True)
    agreement.save()
    agreements_evaluate(ids=[agreement.pk])
    agreement.refresh_from_db()
    _ledger(agreement, by=by)
    return agreement


def _ledger(agreement: DisplayAgreement, *, by, before: dict | None = None) -> None:
    """A fee entered by hand is the trade-spend ledger's (tradespend/accruals.py, source DISPLAY): its chain's ledger
    (and, moved, the one it left) is computed again in the same transaction and its deductions matched again, as the
    nightly job does, so a deduction claiming the fee is matched to its line at once (when its evidence allows), and
    its change or removal is in the ledger too. A generated agreement's fee is its source's line."""
    if agreement.source != Source.MANUAL:
        return
    if before is not None and not any(before[name] != getattr(agreement, name) for name in LEDGER_FIELDS):
        return  # its note, quota, store or facings: the ledger holds none of them
    _ledgers(sorted({agreement.account_id, before["account_id"] if before else agreement.account_id}), by=by)


def _ledgers(account_ids: list[int], by=None) -> None:
    """The chains' trade-spend ledgers computed again as of today, then their deductions matched (the nightly job's
    two steps, for these chains only)."""
    from tradespend.accruals import accruals_compute
    from tradespend.matching import deductions_match

    today = timezone.localdate()
    for account in KeyAccount.objects.filter(pk__in=account_ids).order_by("pk"):
        accruals_compute(as_of=today, account=account, by=by)
    deductions_match(account_ids=account_ids)


@transaction.atomic
def agreement_update(*, agreement: DisplayAgreement, by, **fields) -> DisplayAgreement:
    """Change an agreement. A generated one (from a term or a plan) keeps its source's period and fee."""
    agreement = DisplayAgreement.objects.select_for_update().select_related("account").get(pk=agreement.pk)
    _may_manage(by, agreement.account)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"agreement_update: not editable: {', '.join(sorted(unknown))}")
    _check_source_fields(agreement, fields)
    if "facings" in fields:
        fields["facings"] = fields["facings"] or None
    if "note" in fields:
        fields["note"] = fields["note"] or ""
    before = _stored(agreement)
    for name, value in fields.items():
        setattr(agreement, name, value)
    _may_manage(by, agreement.account)  # moved to another chain: it must be theirs too
    _check(agreement, before)
    _refuse_closed_months(before, agreement)
    if _identity_changed(before, agreement):  # a note or a fee changed overlaps nothing new
        _refuse_overlap(agreement, lock=True)
    agreement.save()
    agreements_evaluate(ids=[agreement.pk])
    agreement.refresh_from_db()
    _ledger(agreement, by=by, before=before)
    return agreement


def _check_source_fields(agreement: DisplayAgreement, fields: dict) -> None:
    """A generated agreement's period and fee belong to its source: refused when changed by hand."""
    if agreement.source == Source.MANUAL:
        return
    for name in SOURCE_FIELDS:
        if name in fields and _differs(getattr(agreement, name), fields[name]):
            raise DomainError(
                "agreement.generated",
                _("This agreement comes from %(source)s: change its period and fee there."),
                field=name,
                source=_source_label(agreement),
            )


def agreement_check(agreement: DisplayAgreement) -> None:
    """Everything create and update refuse, for a form that checks before saving (the admin): ``agreement`` holds
    the new values, unsaved; an existing one is compared with what is stored."""
    before = None
    if agreement.pk:
        stored = DisplayAgreement.objects.select_related("term__contract", "plan").get(pk=agreement.pk)
        _check_source_fields(stored, {name: getattr(agreement, name) for name in SOURCE_FIELDS})
        before = _stored(stored)
    _check(agreement, before)
    _refuse_closed_months(before, agreement)
    if before is None or _identity_changed(before, agreement):
        _refuse_overlap(agreement)


def _differs(current, new) -> bool:
    if isinstance(current, KeyAccount) or isinstance(new, KeyAccount):
        return getattr(current, "pk", current) != getattr(new, "pk", new)
    if isinstance(current, Decimal) and new is not None:
        return current != Decimal(str(new))
    return current != new


def _source_label(agreement: DisplayAgreement) -> str:
    if agreement.term_id:
        term = agreement.term
        return gettext("contract %(contract)s (%(kind)s)") % {
            "contract": term.contract.number,
            "kind": term.get_kind_display(),
        }
    if agreement.plan_id:
        return gettext("promotion plan %(plan)s") % {"plan": agreement.plan.title}
    return str(agreement.get_source_display())


@transaction.atomic
def agreement_delete(*, agreement: DisplayAgreement, by) -> None:
    """Remove an agreement entered by hand that nothing rests on yet; a generated one is removed at its source. One
    deductions are matched to (agreement.deducted) or visits checked (agreement.has_evidence) stays: finance
    removes the matches first, or the manager ends it early."""
    agreement = DisplayAgreement.objects.select_for_update().select_related("account").get(pk=agreement.pk)
    _may_manage(by, agreement.account)
    if agreement.source != Source.MANUAL:
        raise DomainError(
            "agreement.generated_delete",
            _("This agreement comes from %(source)s: it goes when its source no longer grants it."),
            source=_source_label(agreement),
        )
    _refuse_closed_months(_stored(agreement), None)
    _refuse_deducted(agreement)
    _refuse_evidenced(agreement)
    agreement.delete()
    _ledger(agreement, by=by)


def _refuse_deducted(agreement: DisplayAgreement) -> None:
    """An agreement whose fee the chain's deductions are matched to is not deleted: its ledger line would fall to
    nothing and the automatic matching would move those deductions, unseen, onto another display fee of the chain
    that month (any agreement, any store: matching pays a chain's fees by kind and month). Finance removes the
    matches first (the deduction's page), deciding where the money goes; then it may go."""
    from tradespend.models import DeductionMatch

    matches = DeductionMatch.objects.filter(line__agreement_id=agreement.pk).select_related("deduction")
    deductions = {match.deduction_id: match.deduction for match in matches.order_by("deduction__date", "deduction")}
    if not deductions:
        return
    raise DomainConflict(
        "agreement.deducted",
        _(
            "Display agreement #%(agreement)s cannot be deleted: deductions are matched to its fee (%(deductions)s; "
            "%(amount)s in all), and deleting it would move them onto another fee of the chain. Ask finance to "
            "remove those matches on the deduction's page first."
        ),
        agreement=agreement.pk,
        deductions=", ".join(deduction.reference or f"#{deduction.pk}" for deduction in deductions.values()),
        amount=sum((match.amount for match in matches), Decimal("0.00")),
    )


def _refuse_evidenced(agreement: DisplayAgreement) -> None:
    """An agreement visits checked is not deleted: its checks would go with it, and with them the proof the display
    was (or was not) there — what the fee is paid on. One that should no longer run is ended early instead (its end
    date), which keeps its visits; a generated one is kept, flagged, for the same reason."""
    visits = DisplayCheck.objects.filter(agreement_id=agreement.pk).values("visit").distinct().count()
    if not visits:
        return
    raise DomainConflict(
        "agreement.has_evidence",
        _(
            "Display agreement #%(agreement)s cannot be deleted: visits checked it (%(visits)s), and deleting it "
            "would throw that evidence away. End it early instead: set its end date to the last day it ran."
        ),
        agreement=agreement.pk,
        visits=visits,
    )


# --- generated --------------------------------------------------------------------------------------------------


@dataclass
class GenerateSummary:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept: int = 0
    frozen: int = 0  # left as they were: their source would change a month finance has closed


def _wanted_from_terms(account_ids, term_ids=()) -> dict[str, dict]:
    """What the terms of the accounts' contracts (all: None) grant, and the terms given wherever their contract is."""
    terms = ContractTerm.objects.filter(
        kind__in=list(TERM_KINDS), contract__status__in=CONTRACT_STATUSES, amount__isnull=False
    ).select_related("contract")
    if account_ids is not None:
        terms = terms.filter(Q(contract__account_id__in=account_ids) | Q(pk__in=list(term_ids)))
    wanted = {}
    for term in terms:
        wanted.update(_term_wanted(term.pk, term.contract, _term_values(term)))
    return wanted


# What of a term line its agreements are cut from.
TERM_SOURCE_FIELDS = ("kind", "period", "amount", "valid_from", "valid_to")


def _term_values(term) -> dict:
    return {name: getattr(term, name) for name in TERM_SOURCE_FIELDS}


def _term_wanted(term_id: int | None, contract: Contract, term: dict) -> dict[str, dict]:
    """The agreements a term line grants (its values ``term``, saved or not, under ``contract`` as it is or would
    be): one per period it pays for, keyed by that period (rules.term_period_key). A terminated contract's terms
    grant the periods up to its termination month, that month whole (tradespend.rules.term_accrues_through, as its
    accruals pay for it): the months after it are let go (undoing the termination grants them again)."""
    if term["kind"] not in TERM_KINDS or contract.status not in CONTRACT_STATUSES or term["amount"] is None:
        return {}
    if None in (term["valid_from"], term["valid_to"], contract.valid_from, contract.valid_to):
        return {}  # refused as such (a date missing)
    terminated_on = contract.terminated_on if contract.status == Contract.Status.TERMINATED else None
    start = max(term["valid_from"], contract.valid_from)
    end = term_accrues_through(min(term["valid_to"], contract.valid_to), terminated_on)
    if end < start:
        return {}
    return {
        rules.term_period_key(term_id, first, term["period"]): {
            "account_id": contract.account_id,
            "store_id": None,
            "kind": TERM_KINDS[term["kind"]],
            "start_on": first,
            "end_on": last,
            "fee": term["amount"],
            "source": Source.TERM,
            "term_id": term_id,
            "plan_id": None,
        }
        for first, last in rules.term_periods(start, end, term["period"])
    }


def _wanted_from_plans(account_ids, plan_ids=()) -> dict[str, dict]:
    """What the accounts' plans (all: None) grant, and the plans given wherever they are."""
    plans = PromotionPlan.objects.filter(status__in=PLAN_STATUSES).filter(
        Q(end_cap=True) | Q(floor_stack=True) | Q(tg_fee__gt=0)
    )
    if account_ids is not None:
        plans = plans.filter(Q(account_id__in=account_ids) | Q(pk__in=list(plan_ids)))
    wanted = {}
    for plan in plans.prefetch_related("stores"):
        bought = []
        if plan.end_cap or plan.tg_fee > 0:  # a TG fee is an end cap's (promotions refuses one without it)
            bought.append((DisplayKind.END_CAP, plan.tg_fee))
        if plan.floor_stack:
            bought.append((DisplayKind.FLOOR_STACK, Decimal("0.00")))
        store_ids = [None] if plan.all_stores else sorted(s.pk for s in plan.stores.all())
        for kind, total in bought:
            for store_id, fee in zip(store_ids, rules.split_fee(total, len(store_ids)), strict=True):
                key = f"plan:{plan.pk}:{kind}" + (f":{store_id}" if store_id else "")
                wanted[key] = {
                    "account_id": plan.account_id, "store_id": store_id, "kind": kind, "start_on": plan.start_on,
                    "end_on": plan.end_on, "fee": fee, "source": Source.PLAN, "term_id": None, "plan_id": plan.pk,
                }  # fmt: skip
    return wanted


@transaction.atomic
def agreements_generate(
    *, account: KeyAccount | None = None, account_ids=None, refuse_closed: bool = False
) -> GenerateSummary:
    """Bring the generated agreements of one account (or of the accounts given, or all) up to date with their
    sources: contract terms and promotion plans (see the module's docstring). Idempotent.

    A closed month's agreements stay as finance closed them (the module's docstring): ``refuse_closed`` (a source
    changed at a door: agreement_sources_changed) refuses, before anything is written, a run that would move or
    re-price one or make one there (agreement.source_month_closed); without it (the nightly job) they are left as
    they were and the run goes on with the rest (``summary.frozen``)."""
    if account is not None:
        account_ids = [account.pk]
    account_ids = list(account_ids) if account_ids is not None else None
    generated = DisplayAgreement.objects.select_for_update().exclude(source=Source.MANUAL).exclude(source_key="")
    if account_ids is None:
        wanted = {**_wanted_from_terms(None), **_wanted_from_plans(None)}
        existing = {a.source_key: a for a in generated}
    else:
        # the chains' agreements and what their sources grant wherever they are now, and the chains' sources'
        # agreements wherever they were: a contract moved to another chain takes its agreements with it, whichever
        # of the two chains is brought up to date (never one made twice, nor one let go as no longer granted)
        mine = list(generated.filter(account_id__in=account_ids))
        wanted = {
            **_wanted_from_terms(account_ids, {a.term_id for a in mine if a.term_id}),
            **_wanted_from_plans(account_ids, {a.plan_id for a in mine if a.plan_id}),
        }
        elsewhere = generated.exclude(account_id__in=account_ids).filter(source_key__in=list(wanted))
        existing = {a.source_key: a for a in [*mine, *elsewhere]}
    summary = GenerateSummary()
    moved = []  # existing agreements whose period changed (other visits may now count), or granted again
    today = timezone.localdate()
    closed = _closed_months()
    frozen = _frozen_steps(existing, wanted, closed, today)
    if refuse_closed:
        _refuse_frozen(existing, wanted, frozen, closed=closed)
    summary.frozen = len(frozen)
    for key, values in wanted.items():
        agreement = existing.get(key)
        if agreement is None:
            if values["end_on"] < today or key in frozen:
                continue  # ended before anyone could collect evidence for it (the module's docstring), or closed
            agreement = DisplayAgreement(source_key=key, **values)
            agreement.save()
            summary.created += 1
            continue
        changes = {}
        if key not in frozen:  # a closed month's agreement keeps its period, fee, chain and display
            changes = _source_changes(agreement, values)
        for name, value in changes.items():
            setattr(agreement, name, value)
        changed = list(changes)
        if agreement.source_gone:  # its source grants it again (a contract made active again): no longer kept only
            agreement.source_gone = False
            changed.append("source_gone")
        if changed:
            agreement.save(update_fields=changed)
            summary.updated += 1
            if set(EVIDENCE_CHANGES) & set(changed):
                moved.append(agreement.pk)
    vanished = [a for key, a in existing.items() if key not in wanted]
    checked = set(
        DisplayCheck.objects.filter(agreement__in=[a.pk for a in vanished]).values_list("agreement_id", flat=True)
    )
    for agreement in vanished:
        # kept (flagged) when a visit checked it, or when it is in a closed month, whose figures it is part of
        if agreement.pk in checked or _closed_touched(agreement.start_on, agreement.end_on, closed):
            if not agreement.source_gone:
                agreement.source_gone = True
                agreement.save(update_fields=["source_gone"])
            summary.kept += 1
        else:
            agreement.delete()
            summary.deleted += 1
    # A new agreement is not evaluated here: it collects evidence (open) until the next evaluation (the nightly
    # run, a check-out, the button). One whose period moved, or that its source grants again, is, in this
    # transaction: the visits that count are others now, and its stored figure (the list, the deduction sheet, the
    # API) must say so before the night.
    if moved:
        agreements_evaluate(ids=moved)
    return summary


# What generation changes that makes other visits count, or counts them otherwise: evaluated again at once.
EVIDENCE_CHANGES = ("start_on", "end_on", "source_gone", "account_id", "store_id", "kind", "facings")


def _source_changes(agreement: DisplayAgreement, values: dict) -> dict:
    """What generation writes over an existing agreement from what its source grants (``values``): its period and fee,
    and its chain and display where the source's changed (the module's docstring). A contract moved to another chain
    takes its agreements there, a store the KA manager chose of the chain it left going with it (every store of the
    new chain, as generated); a term changed to another kind of fee (an end cap's TG fee ↔ a display fee, which
    deductions of different kinds claim) makes its agreement that kind's display, a facings count going with shelf
    facings. Otherwise the display, store and facings the KA manager set stay."""
    changes = {name: values[name] for name in ("start_on", "end_on", "fee") if getattr(agreement, name) != values[name]}
    account_id = values.get("account_id", agreement.account_id)
    if account_id != agreement.account_id:
        changes["account_id"] = account_id
        if agreement.store_id is not None and agreement.store.account_id != account_id:
            changes.update(store_id=values.get("store_id"), store_left_at=None)
    kind = values.get("kind", agreement.kind)
    if (kind == DisplayKind.END_CAP) != (agreement.kind == DisplayKind.END_CAP):
        changes["kind"] = kind
        if agreement.facings is not None and kind != DisplayKind.FACINGS:
            changes["facings"] = None
    return changes


def term_release(term: ContractTerm) -> None:
    """Before a term is deleted: its agreements nobody checked go with it; one a visit checked, or one in a month
    finance has closed (part of that month's figures), is kept, unlinked from the term (the term's key keeps it from
    being generated twice; generation then flags it as no longer granted)."""
    agreements = DisplayAgreement.objects.filter(term=term)
    unchecked = agreements.filter(checks__isnull=True)
    closed = _closed_months()
    gone = [a.pk for a in unchecked if not _closed_touched(a.start_on, a.end_on, closed)]
    DisplayAgreement.objects.filter(pk__in=gone).delete()
    agreements.update(term=None)


# --- generated agreements in closed months ----------------------------------------------------------------------


def _closed_touched(start_on: date, end_on: date, closed) -> list[date]:
    """The closed months among those a period touches."""
    if not closed:
        return []
    return [month for month in rules.months_touched(start_on, end_on) if month in closed]


def _frozen_months(agreement: DisplayAgreement | None, values: dict, closed) -> list[date]:
    """The closed months generation would change in writing ``values`` (what its source grants) over ``agreement``
    (None: it would make one): every month a new agreement touches; for one that exists, the months its period or
    fee changes (rules.months_changed, as for an agreement changed by hand: its fee in every month of its period,
    its end moved only in the months whose days differ)."""
    if not closed:
        return []
    if agreement is None:
        return _closed_touched(values["start_on"], values["end_on"], closed)
    changes = _source_changes(agreement, values)
    if not changes:
        return []
    old, new = (agreement.start_on, agreement.end_on), (values["start_on"], values["end_on"])
    whole = bool(set(changes) - {"start_on", "end_on"})  # its fee, chain or display: every month of its period
    return [month for month in rules.months_changed(old, new, whole=whole) if month in closed]


def _frozen_steps(existing: dict, wanted: dict, closed, today: date) -> dict[str, list[date]]:
    """Of what generation would write (``wanted`` over ``existing``, both by source key), the steps that change a
    closed month, with those months: an agreement moved or re-priced there, or one made there (a period that ended
    before generation met it makes none anyway). An agreement its source no longer grants is kept, never a step."""
    steps = {}
    for key, values in wanted.items():
        agreement = existing.get(key)
        if agreement is None and values["end_on"] < today:
            continue
        months = _frozen_months(agreement, values, closed)
        if months:
            steps[key] = months
    return steps


# The refusals of a source change reaching a closed month's agreement (agreement.source_month_closed), by what grants
# it and whether it would make one or change one: each names the month, the source and the agreement, and what to do.
SOURCE_MONTH_CLOSED = {
    ("term", True): _(
        "%(month)s is closed: this change would make a display agreement from the %(line)s line of contract "
        "%(contract)s (%(kind)s at %(where)s, %(start)s to %(end)s) in that month, whose agreements stay as finance "
        "closed them. Start the line in an open month, or correct the spend with an adjustment in an open month."
    ),
    ("term", False): _(
        "%(month)s is closed: this change would change display agreement #%(agreement)s from the %(line)s line of "
        "contract %(contract)s (%(kind)s at %(where)s, %(start)s to %(end)s, fee %(fee)s) in that month, whose "
        "agreements stay as finance closed them. Make the change from %(open)s on (end the line before it and add "
        "a new one from it), or correct the spend with an adjustment in an open month."
    ),
    ("plan", True): _(
        "%(month)s is closed: this change would make a display agreement from promotion plan %(plan)s (%(kind)s at "
        "%(where)s, %(start)s to %(end)s) in that month, whose agreements stay as finance closed them. Plan the "
        "display from an open month on, or correct the spend with an adjustment in an open month."
    ),
    ("plan", False): _(
        "%(month)s is closed: this change would change display agreement #%(agreement)s from promotion plan "
        "%(plan)s (%(kind)s at %(where)s, %(start)s to %(end)s, fee %(fee)s) in that month, whose agreements stay "
        "as finance closed them. Correct the spend with an adjustment in an open month."
    ),
}


def _source_month_closed(
    agreement: DisplayAgreement | None,
    values: dict,
    month: date,
    *,
    closed=frozenset(),
    field: str | None = None,
    contract: Contract | None = None,
    term_kind: str | None = None,
) -> DomainError:
    """The refusal of a source change that would change a closed month's agreement (None: make one there), naming
    the month, the agreement and its source, and what to do instead. Its words are kept as msgids (a contract's
    number, a plan's title and a store's name as typed), so an import's problem reads in its reader's language.
    ``closed``: the closed months (the first open one after ``month`` is named); ``contract`` and ``term_kind``: an
    unsaved term line's (else read from ``values``' term)."""
    store = Store.objects.filter(pk=values["store_id"]).first() if values["store_id"] else None
    params = {
        "month": f"{month:%Y-%m}",
        "kind": DisplayKind(values["kind"] if agreement is None else agreement.kind).label,
        "where": f"{store.name} ({store.code})" if store else _("every store of the chain"),
    }
    if values["plan_id"]:
        source = "plan"
        params["plan"] = PromotionPlan.objects.values_list("title", flat=True).get(pk=values["plan_id"])
    else:
        source = "term"
        if contract is None:
            term = ContractTerm.objects.select_related("contract").get(pk=values["term_id"])
            contract, term_kind = term.contract, term.kind
        params.update(contract=contract.number, line=ContractTerm.Kind(term_kind).label)
        if agreement is not None:
            following = rules._add_months(month, 1)
            while following in closed:
                following = rules._add_months(following, 1)
            params["open"] = f"{following:%Y-%m}"
    if agreement is None:
        params.update(start=values["start_on"].isoformat(), end=values["end_on"].isoformat())
    else:
        params.update(
            agreement=agreement.pk,
            start=agreement.start_on.isoformat(),
            end=agreement.end_on.isoformat(),
            fee=agreement.fee,
        )
    message = SOURCE_MONTH_CLOSED[(source, agreement is None)]
    return DomainError("agreement.source_month_closed", message, field=field, **params)


def _refuse_frozen(existing: dict, wanted: dict, steps: dict, *, closed, field=None, **source) -> None:
    """Raise the refusal of the first step that would change a closed month (_frozen_steps), if any. ``field``: a
    function of the agreement and its values naming the source's field the refusal is shown next to; ``closed``: the
    closed months; ``source``: an unsaved term line's contract and kind (_source_month_closed)."""
    for key, months in steps.items():
        agreement, values = existing.get(key), wanted[key]
        named = field(agreement, values) if field else None
        raise _source_month_closed(agreement, values, months[0], closed=closed, field=named, **source)


def _term_field(agreement: DisplayAgreement | None, values: dict) -> str:
    """The term line's field a refusal is shown next to: its kind for another display, its amount for a fee
    changed, else the date that moves."""
    if agreement is not None and "kind" in _source_changes(agreement, values):
        return "kind"
    if agreement is None or agreement.start_on != values["start_on"]:
        return "valid_from"
    return "amount" if agreement.fee != values["fee"] else "valid_to"


def _contract_field(agreement: DisplayAgreement | None, values: dict) -> str | None:
    """The contract's field a refusal is shown next to: its chain when it moves the agreement to another."""
    return "account" if agreement is not None and agreement.account_id != values["account_id"] else None


def check_term_change(*, contract: Contract, term_id: int | None, values: dict, closed=None) -> None:
    """Before a term line is added or changed (contracts.services.contract_term_check — page, API, admin — and the
    terms' import, row by row): refuse the line as it would be when it would move or re-price one of its display
    agreements in a month finance has closed, or make one there (agreement.source_month_closed, next to the
    amount or the date). ``values``: the line's TERM_SOURCE_FIELDS; ``closed``: the closed months, when the caller
    has them."""
    closed = _closed_months() if closed is None else closed
    if not closed:
        return
    wanted = _term_wanted(term_id, contract, values)
    existing = {a.source_key: a for a in DisplayAgreement.objects.filter(source_key__in=list(wanted))}
    steps = _frozen_steps(existing, wanted, closed, timezone.localdate())
    _refuse_frozen(
        existing, wanted, steps, closed=closed, field=_term_field, contract=contract, term_kind=values["kind"]
    )


def check_contract_change(contract: Contract) -> None:
    """Before a contract is changed (contracts.services.contract_check — page, API, admin): refuse its status or
    validity as they would be when they would move or re-price one of its terms' display agreements in a month
    finance has closed, or make one there (agreement.source_month_closed). One it would no longer grant is kept."""
    if contract.pk is None:
        return
    closed = _closed_months()
    if not closed:
        return
    wanted = {}
    for term in ContractTerm.objects.filter(contract_id=contract.pk, kind__in=list(TERM_KINDS)):
        wanted.update(_term_wanted(term.pk, contract, _term_values(term)))
    existing = {a.source_key: a for a in DisplayAgreement.objects.filter(source_key__in=list(wanted))}
    steps = _frozen_steps(existing, wanted, closed, timezone.localdate())
    _refuse_frozen(existing, wanted, steps, closed=closed, field=_contract_field)


# --- evaluation -------------------------------------------------------------------------------------------------


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _evidence(check: DisplayCheck, withdrawn: bool = False) -> rules.VisitEvidence:
    visit, photo = check.visit, check.photo
    return rules.VisitEvidence(
        visit_day=_local_day(visit.checked_in_at),
        checked_in_at=visit.checked_in_at,
        checked_out_at=visit.ended_by,
        has_position=visit.latitude is not None and visit.longitude is not None,
        far_from_store=visit.far_from_store,
        distance_m=visit.distance_m,
        present=check.present,
        facings_seen=check.facings,
        has_photo=photo is not None,
        photo_of_this_visit=photo is not None and photo.visit_id == visit.pk,
        photo_taken_at=photo.taken_at if photo else None,
        photo_uploaded_at=photo.uploaded_at if photo else None,
        fraud_confirmed=withdrawn,
    )


def _problem(check: DisplayCheck, agreement: DisplayAgreement, withdrawn: bool = False) -> str | None:
    return rules.evidence_problem(
        _evidence(check, withdrawn),
        start_on=agreement.start_on,
        end_on=agreement.end_on,
        facings_agreed=agreement.facings if agreement.kind == DisplayKind.FACINGS else None,
        max_distance_m=settings.KA.checkin_max_distance_m,
        store_left_at=agreement.store_left_at if agreement.store_id else None,
    )


def _checks(agreement_ids) -> QuerySet:
    return DisplayCheck.objects.filter(agreement_id__in=agreement_ids).select_related("visit", "photo")


def _confirmed_visits(agreement_ids) -> set[int]:
    """The visits, among those that checked the agreements given, with a fraud signal a supervisor confirmed (one
    query): withdrawn from every agreement's evidence."""
    return set(
        FraudSignal.objects.filter(
            status=FraudSignal.Status.CONFIRMED, visit__display_checks__agreement_id__in=list(agreement_ids)
        ).values_list("visit_id", flat=True)
    )


@transaction.atomic
def agreements_evaluate(*, ids=None, account_ids=None, today: date | None = None, ledger: bool = True) -> int:
    """Work out the evidenced visits and status of the agreements given (ids, or those of the accounts given, or
    all), set-based: one query for the agreements, one for their checks with visit and photo, one for the visits
    among them a supervisor confirmed a fraud signal of, one for the active stores of the chains with chain-wide
    agreements, then one UPDATE per outcome (status and count). Visits on the same day at the same store count once.
    Fees are paid on evidence (tradespend/accruals.py): an agreement with a fee that becomes not evidenced, or is no
    longer (a fraud signal confirmed or dismissed, its quota changed, its period over), changes what its chain's
    ledger owes, so the chain's ledger is computed again and its deductions matched again at once, not at the night
    (``ledger=False``: the nightly run, which the nightly ledger and matching follow for every chain).
    Returns how many agreements changed status or count."""
    today = today or timezone.localdate()
    agreements = DisplayAgreement.objects.select_for_update()
    if ids is not None:
        agreements = agreements.filter(pk__in=list(ids))
    if account_ids is not None:
        agreements = agreements.filter(account_id__in=list(account_ids))
    agreements = {a.pk: a for a in agreements}
    if not agreements:
        return 0
    checks: dict[int, list[DisplayCheck]] = defaultdict(list)
    for check in _checks(list(agreements)):
        checks[check.agreement_id].append(check)
    withdrawn = _confirmed_visits(list(agreements)) if checks else set()
    chains = {a.account_id for a in agreements.values() if a.store_id is None}
    chain_stores: dict[int, list[int]] = defaultdict(list)
    for store_id, account_id in Store.objects.active().filter(account_id__in=chains).values_list("pk", "account_id"):
        chain_stores[account_id].append(store_id)
    now = timezone.now()
    changed = 0
    owed: set[int] = set()  # the chains of agreements with a fee that became, or are no longer, not evidenced
    outcome: dict[tuple[str, int], list[int]] = defaultdict(list)  # (status, evidenced) → agreements
    for agreement in agreements.values():
        by_store = _rows_by_store(agreement, checks[agreement.pk], withdrawn)
        evidenced = _evidenced(agreement, by_store, chain_stores)
        status = rules.status_for(
            evidenced=evidenced, required=agreement.evidence_visits, end_on=agreement.end_on, today=today
        )
        if (status, evidenced) != (agreement.status, agreement.evidenced_visits):
            changed += 1
        if agreement.fee > 0 and Status.NOT_EVIDENCED in (agreement.status, status) and agreement.status != status:
            owed.add(agreement.account_id)
        outcome[(status, evidenced)].append(agreement.pk)
    for (status, evidenced), pks in outcome.items():  # one UPDATE per outcome, not per agreement
        for start in range(0, len(pks), 1000):
            DisplayAgreement.objects.filter(pk__in=pks[start : start + 1000]).update(
                status=status, evidenced_visits=evidenced, evaluated_at=now
            )
    if owed and ledger:
        _ledgers(sorted(owed))
    return changed


def agreement_evaluate(agreement: DisplayAgreement, today: date | None = None) -> DisplayAgreement:
    """Evaluate one agreement now (the page's and API's button)."""
    agreements_evaluate(ids=[agreement.pk], today=today)
    agreement.refresh_from_db()
    return agreement


def agreements_checked_by(visit_ids) -> list[int]:
    """The display agreements the visits given checked (one query)."""
    checks = DisplayCheck.objects.filter(visit_id__in=list(visit_ids), agreement__isnull=False)
    return sorted(set(checks.values_list("agreement_id", flat=True)))


def visit_evaluate(visit) -> None:
    """After a check-out, or a supervisor's review of one of its fraud signals: the agreements this visit checked."""
    ids = agreements_checked_by([visit.pk])
    if ids:
        agreements_evaluate(ids=ids)


def chain_wide_evaluate(account_ids) -> None:
    """The chain-wide agreements of the accounts given (their figure is the fewest of the chain's active stores),
    after a store of theirs opened, closed or changed chain."""
    chain_wide = DisplayAgreement.objects.filter(account_id__in=list(account_ids), store__isnull=True)
    ids = list(chain_wide.values_list("pk", flat=True))
    if ids:
        agreements_evaluate(ids=ids)


def stores_moved(account_ids) -> list[int]:
    """After stores of the accounts given (None: all, the nightly run) moved chain: their store agreements whose store
    is now another chain's are marked with the moment (`store_left_at`: the visits from then on are not this chain's
    evidence, and the agreement's page says so to its KA manager); those whose store came back are unmarked. Returns
    the agreements marked or unmarked, to re-evaluate."""
    mine = DisplayAgreement.objects.filter(store__isnull=False)
    if account_ids is not None:
        mine = mine.filter(account_id__in=list(account_ids))
    elsewhere = mine.filter(store_left_at__isnull=True).exclude(store__account_id=F("account_id"))
    left = list(elsewhere.values_list("pk", flat=True))
    returned = mine.filter(store_left_at__isnull=False, store__account_id=F("account_id"))
    back = list(returned.values_list("pk", flat=True))
    if left:
        DisplayAgreement.objects.filter(pk__in=left).update(store_left_at=timezone.now())
    if back:
        DisplayAgreement.objects.filter(pk__in=back).update(store_left_at=None)
    return left + back


def stores_changed(account_ids) -> None:
    """After a store of the accounts given opened, closed or changed chain (evidence/hooks.py): its store agreements
    follow the move (stores_moved), and those and the chains' chain-wide agreements are re-evaluated at once."""
    moved = stores_moved(account_ids)
    chain_wide = DisplayAgreement.objects.filter(account_id__in=list(account_ids), store__isnull=True)
    ids = [*moved, *chain_wide.values_list("pk", flat=True)]
    if ids:
        agreements_evaluate(ids=ids)


# --- selectors --------------------------------------------------------------------------------------------------


@dataclass
class EvidenceRow:
    check: DisplayCheck
    problem: str | None
    signals: list = field(default_factory=list)  # the visit's fraud signals to review or confirmed (the page's)

    @property
    def counts(self) -> bool:
        return self.problem is None

    @property
    def withdrawn(self) -> bool:
        return self.problem == "fraud_confirmed"

    @property
    def reason(self) -> str:
        return str(rules.REASONS[self.problem]) if self.problem else gettext("Counts")

    @property
    def confirmed_signals(self) -> list:
        return [signal for signal in self.signals if signal.status == FraudSignal.Status.CONFIRMED]

    @property
    def open_signals(self) -> list:
        return [signal for signal in self.signals if signal.status == FraudSignal.Status.OPEN]


def _rows_by_store(agreement: DisplayAgreement, checks, withdrawn: set[int]) -> dict[int, list[EvidenceRow]]:
    """The agreement's checks per store, each with why it does or does not count (a check at another store than
    the agreement's own is none of its evidence; ``withdrawn``: visits with a confirmed fraud signal)."""
    by_store: dict[int, list[EvidenceRow]] = defaultdict(list)
    for check in checks:
        if agreement.store_id is not None and check.visit.store_id != agreement.store_id:
            continue
        problem = _problem(check, agreement, check.visit_id in withdrawn)
        by_store[check.visit.store_id].append(EvidenceRow(check, problem))
    return by_store


def _evidenced_days(rows: list[EvidenceRow]) -> int:
    """A store's evidenced visits: the days with a visit that counts (visits on the same day count once)."""
    return len({_local_day(row.check.visit.checked_in_at) for row in rows if row.counts})


def _evidenced(agreement: DisplayAgreement, by_store: dict[int, list[EvidenceRow]], chain_stores) -> int:
    """The agreement's evidenced visits, the one figure evaluation stores and the agreement's page shows: its
    store's, or for a chain-wide agreement the fewest of the chain's active stores (``chain_stores``: account →
    active store ids)."""
    per_store = {store_id: _evidenced_days(rows) for store_id, rows in by_store.items()}
    if agreement.store_id is None:
        return rules.chain_evidenced(per_store, chain_stores[agreement.account_id])
    return per_store.get(agreement.store_id, 0)


@dataclass
class StoreEvidence:
    store: Store
    rows: list[EvidenceRow]

    @property
    def evidenced(self) -> int:
        return _evidenced_days(self.rows)


@dataclass
class AgreementEvidence:
    """An agreement's evidence: its figure (what evaluation stores, worked out from the same rows) and the visits
    per store behind it. Iterating gives the stores."""

    evidenced: int
    stores: list[StoreEvidence]

    def __iter__(self):
        return iter(self.stores)

    def __getitem__(self, index):
        return self.stores[index]

    def __len__(self) -> int:
        return len(self.stores)

    @property
    def withdrawn(self) -> list[EvidenceRow]:
        """The visits withdrawn from its evidence: a supervisor confirmed a fraud signal of theirs."""
        return [row for entry in self.stores for row in entry.rows if row.withdrawn]


def agreement_evidence(agreement: DisplayAgreement, user=None) -> AgreementEvidence:
    """The visits that checked the agreement, per store (every active store of the chain for a chain-wide one,
    checked or not), newest first, each with why it does or does not count and its fraud signals to review or
    confirmed, and the agreement's evidenced visits from them by the rule evaluation applies; given a user, only the
    stores they reach of a chain-wide agreement are listed (a rep sees its evidence at their own stores), the figure
    stays the agreement's."""
    from ka_portal.scope import stores_for

    reachable = None
    if user is not None and agreement.store_id is None:
        reachable = set(stores_for(user).values_list("pk", flat=True))
    checks = list(
        _checks([agreement.pk])
        .select_related("visit__rep", "visit__store")
        .order_by("visit__store__code", "-visit__checked_in_at")
    )
    signals: dict[int, list[FraudSignal]] = defaultdict(list)
    for signal in (
        FraudSignal.objects.filter(
            visit_id__in={check.visit_id for check in checks},
            status__in=(FraudSignal.Status.OPEN, FraudSignal.Status.CONFIRMED),
        )
        .select_related("reviewed_by")
        .order_by("pk")
    ):
        signals[signal.visit_id].append(signal)
    withdrawn = {
        visit_id
        for visit_id, found in signals.items()
        if any(signal.status == FraudSignal.Status.CONFIRMED for signal in found)
    }
    by_store = _rows_by_store(agreement, checks, withdrawn)
    for rows in by_store.values():
        for row in rows:
            row.signals = signals.get(row.check.visit_id, [])
    if agreement.store_id is not None:
        stores = [agreement.store]
        chain_stores = {}
    else:
        stores = list(Store.objects.active().filter(account_id=agreement.account_id).order_by("code"))
        chain_stores = {agreement.account_id: [s.pk for s in stores]}
        known = {s.pk for s in stores}
        stores += list(Store.objects.filter(pk__in=[pk for pk in by_store if pk not in known]).order_by("code"))
    evidenced = _evidenced(agreement, by_store, chain_stores)
    if reachable is not None and agreement.store_id is None:
        # a store agreement's own store is the agreement's (its scope): shown though it has moved out of reach
        stores = [store for store in stores if store.pk in reachable]
    return AgreementEvidence(evidenced, [StoreEvidence(store, by_store.get(store.pk, [])) for store in stores])


def not_evidenced_by_account(account_ids) -> dict[int, list[DisplayAgreement]]:
    """The not-evidenced agreements of the accounts given (one query), for deduction matching."""
    found: dict[int, list[DisplayAgreement]] = defaultdict(list)
    rows = (
        DisplayAgreement.objects.filter(account_id__in=list(account_ids), status=Status.NOT_EVIDENCED)
        .select_related("store")
        .order_by("start_on", "pk")
    )
    for agreement in rows:
        found[agreement.account_id].append(agreement)
    return found


def _months_claimed(deduction) -> tuple[date, date]:
    """The first day of the first month a deduction claims (period_start..period_end, else its date's month) and
    of the month after its last."""
    first = (deduction.period_start or deduction.date).replace(day=1)
    return first, rules._add_months((deduction.period_end or first).replace(day=1), 1)


def claimed_by(deduction, agreements) -> list[DisplayAgreement]:
    """Of the agreements given (one account's), those a deduction claims: a display kind the deduction's kind
    pays for, whose fee is payable in a month the deduction claims — the month its period starts
    (rules.payable_month), the month the ledger holds the fee in and the only one whose lines the deduction is matched
    to. Not any month its period touches: an agreement from the 31st to the end of the next month is paid in the
    first, and the next month's deduction, which pays that month's fees, is not held up by its evidence.
    ``deductions_claiming`` is the same rule as a query over deductions."""
    kinds = rules.DEDUCTION_AGREEMENT_KINDS.get(deduction.kind)
    if not kinds:
        return []
    first, after = _months_claimed(deduction)
    return [a for a in agreements if a.kind in kinds and first <= a.start_on < after]


def deductions_claiming(agreement: DisplayAgreement) -> Q:
    """The deductions claiming an agreement (claimed_by's rule, as a filter over deductions): of a kind that pays for
    its display, claiming the month its fee is payable in."""
    kinds = [kind for kind, displays in rules.DEDUCTION_AGREEMENT_KINDS.items() if agreement.kind in displays]
    month = rules.payable_month(agreement.start_on)
    after = rules._add_months(month, 1)
    in_period = Q(period_start__lt=after, period_end__gte=month)
    in_date_month = Q(period_start__isnull=True, date__gte=month, date__lt=after)
    return Q(account_id=agreement.account_id, kind__in=kinds) & (in_period | in_date_month)


def agreements_for_deduction(user, deduction) -> QuerySet:
    """The agreements (any status) a deduction claims (claimed_by's rule: its kind, their fee payable in a month it
    claims), within the user's scope: the sheet's list."""
    from ka_portal.scope import display_agreements_for

    kinds = rules.DEDUCTION_AGREEMENT_KINDS.get(deduction.kind)
    if not kinds:
        return DisplayAgreement.objects.none()
    first, after = _months_claimed(deduction)
    return (
        display_agreements_for(user)
        .filter(account_id=deduction.account_id, kind__in=kinds, start_on__gte=first, start_on__lt=after)
        .select_related("store")
        .order_by("start_on", "pk")
    )


def evidence_sentence(agreement: DisplayAgreement) -> str:
    """ "Visit evidence: end cap at store X not evidenced — 1 of 4 visits with a photo"."""
    where = agreement.store.name if agreement.store_id else gettext("every store of the chain")
    text = ngettext(
        "Visit evidence: %(kind)s at %(where)s not evidenced — %(seen)s of %(required)s visit with a photo",
        "Visit evidence: %(kind)s at %(where)s not evidenced — %(seen)s of %(required)s visits with a photo",
        agreement.evidence_visits,
    )
    return text % {
        "kind": agreement.get_kind_display(),
        "where": where,
        "seen": agreement.evidenced_visits,
        "required": agreement.evidence_visits,
    }
