"""Display agreements generated from contract terms and approved plans (idempotent), and the KA manager's own
ones through the services, with their refusals."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts import services as contract_services
from evidence.agreements import agreement_create, agreement_delete, agreement_update, agreements_generate
from evidence.models import DisplayAgreement, DisplayCheck
from ka_portal.errors import DomainError
from promotions.models import PromotionPlan
from promotions.services import promotion_approve, promotion_save_draft, promotion_submit
from tests.contracts.factories import ContractFactory
from tests.evidence.agreement_data import agreement, chain
from tests.factories import make_user
from tests.promotions.conftest import _on_today, plan_input, world  # noqa: F401
from tests.promotions.factories import PromotionPlanFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db


def _term(contract, kind="end_cap", **fields):
    values = {"kind": kind, "basis": "fixed", "period": "quarter", "amount": Decimal("3000.00"),
              "settlement": "deducted", "valid_from": date(2026, 1, 1), "valid_to": date(2026, 6, 30),
              **fields}  # fmt: skip
    return contract_services.contract_term_create(contract=contract, **values)


def test_an_end_cap_term_makes_one_agreement_per_period_and_follows_its_changes(manager, rep):
    account, _stores = chain(manager, rep)
    contract = ContractFactory(account=account)

    # today is 2026-06-01: the term pays per quarter from April to December
    term = _term(contract, valid_from=date(2026, 4, 1), valid_to=date(2026, 12, 31))  # the agreements follow at once

    rows = list(DisplayAgreement.objects.filter(term=term).order_by("start_on"))
    assert [(a.kind, a.start_on, a.end_on, a.fee, a.store_id) for a in rows] == [
        ("end_cap", date(2026, 4, 1), date(2026, 6, 30), Decimal("3000.00"), None),
        ("end_cap", date(2026, 7, 1), date(2026, 9, 30), Decimal("3000.00"), None),
        ("end_cap", date(2026, 10, 1), date(2026, 12, 31), Decimal("3000.00"), None),
    ]
    contract_services.contract_term_update(term=term, amount=Decimal("3500.00"), valid_to=date(2026, 9, 30))
    agreements_generate(account=account)  # again: nothing more

    assert list(DisplayAgreement.objects.filter(term=term).values_list("fee", "end_on").order_by("end_on")) == [
        (Decimal("3500.00"), date(2026, 6, 30)),
        (Decimal("3500.00"), date(2026, 9, 30)),
    ]


def test_a_period_that_ended_before_generation_makes_no_agreement(manager, rep):
    account, _stores = chain(manager, rep)
    contract = ContractFactory(account=account)

    # today is 2026-06-01: January to May ended before anyone could check the end cap
    term = _term(contract, period="month", valid_from=date(2026, 1, 1), valid_to=date(2026, 7, 31))

    assert list(DisplayAgreement.objects.filter(term=term).values_list("start_on", flat=True).order_by("start_on")) == [
        date(2026, 6, 1),
        date(2026, 7, 1),
    ]


def test_generation_is_idempotent_and_keeps_what_the_manager_set(manager, rep):
    account, [store] = chain(manager, rep)
    contract = ContractFactory(account=account)
    term = _term(contract, kind="display", period="once")
    [generated] = DisplayAgreement.objects.filter(term=term)
    assert generated.kind == "other" and generated.source == "term"
    agreement_update(agreement=generated, by=manager, kind="floor_stack", store=store, evidence_visits=3)

    first = agreements_generate(account=account)
    again = agreements_generate()

    assert (first.created, again.created, again.updated) == (0, 0, 0)
    generated.refresh_from_db()
    assert (generated.kind, generated.store, generated.evidence_visits) == ("floor_stack", store, 3)
    assert DisplayAgreement.objects.count() == 1


def test_a_vanished_source_removes_an_unchecked_agreement_and_keeps_a_checked_one(manager, rep):
    account, [store] = chain(manager, rep)
    contract = ContractFactory(account=account)
    _term(contract, valid_from=date(2026, 4, 1), valid_to=date(2026, 9, 30))
    first, second = DisplayAgreement.objects.order_by("start_on")
    visit = Visit.objects.create(rep=rep, store=store, checked_in_at=first.created_at)
    DisplayCheck.objects.create(visit=visit, kind="end_cap", agreement=first, present=True)

    contract_services.contract_update(contract=contract, status="draft")  # its terms grant nothing now

    assert list(DisplayAgreement.objects.all()) == [first]
    first.refresh_from_db()
    assert first.source_gone and first.note == ""  # flagged; said in the reader's language where it is shown


def test_a_plan_that_bought_displays_makes_agreements_when_approved(world):  # noqa: F811 (the fixture)
    data = plan_input(world, end_cap=True, floor_stack=True, dm_slot=True, tg_fee=Decimal("800.00"))
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=data), by=world.supervisor)
    assert not DisplayAgreement.objects.exists()

    plan = promotion_approve(plan=plan, by=world.manager)

    rows = {a.kind: a for a in DisplayAgreement.objects.filter(plan=plan)}
    assert set(rows) == {"end_cap", "floor_stack"}  # the DM slot is a flyer, not a display in the store
    assert rows["end_cap"].fee == Decimal("800.00") and rows["end_cap"].store == world.store
    assert (rows["end_cap"].start_on, rows["end_cap"].end_on) == (plan.start_on, plan.end_on)
    assert rows["floor_stack"].fee == Decimal("0.00")


def test_a_chain_wide_plan_makes_one_chain_wide_agreement_and_drafts_none(world):  # noqa: F811
    PromotionPlanFactory(account=world.account, end_cap=True, tg_fee=Decimal("500"), status=PromotionPlan.Status.DRAFT)
    plan = PromotionPlanFactory(account=world.account, end_cap=True, tg_fee=Decimal("500"), all_stores=True,
                                status=PromotionPlan.Status.RUNNING)  # fmt: skip

    agreements_generate()

    [row] = DisplayAgreement.objects.all()
    assert (row.plan, row.store, row.source_key) == (plan, None, f"plan:{plan.pk}:end_cap")


# --- by hand --------------------------------------------------------------------------------------------------


GOOD = {"kind": "end_cap", "start_on": date(2026, 9, 1), "end_on": date(2026, 9, 30), "fee": Decimal("1000")}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"kind": "facings"}, "agreement.facings_required"),
        ({"facings": 4}, "agreement.facings_only_for_facings"),
        ({"end_on": date(2026, 8, 31)}, "agreement.period"),
        ({"fee": Decimal("-1")}, "agreement.fee_negative"),
        ({"fee": None}, "agreement.fee_required"),
        ({"evidence_visits": 0}, "agreement.evidence_visits"),
        ({"kind": "dm"}, "agreement.kind"),
    ],
)
def test_the_manager_is_refused_an_agreement_that_cannot_be(manager, rep, change, code):
    account, _stores = chain(manager, rep)
    with pytest.raises(DomainError) as refusal:
        agreement_create(by=manager, account=account, **{**GOOD, **change})
    assert refusal.value.code == code
    assert not DisplayAgreement.objects.exists()


def test_only_the_chains_manager_manages_and_a_store_must_be_the_chains(manager, rep):
    account, [store] = chain(manager, rep)
    _other, [elsewhere] = chain(manager, rep, code="ELS")
    other_manager = make_user(Role.MANAGER, username="mgr_b")
    with pytest.raises(DomainError) as refusal:
        agreement_create(by=other_manager, account=account, **GOOD)
    assert refusal.value.code == "agreement.not_your_account"
    with pytest.raises(DomainError) as refusal:
        agreement_create(by=manager, account=account, store=elsewhere, **GOOD)
    assert refusal.value.code == "agreement.store_account"

    made = agreement_create(by=manager, account=account, store=store, **GOOD)
    assert (made.source, made.status, made.created_by) == ("manual", "open", manager)


def test_a_generated_agreement_keeps_its_sources_period_and_fee_and_is_not_deleted_by_hand(manager, rep):
    account, _stores = chain(manager, rep)
    _term(ContractFactory(account=account), period="once")
    generated = DisplayAgreement.objects.get()
    for change in ({"fee": Decimal("1.00")}, {"start_on": date(2026, 2, 1)}):
        with pytest.raises(DomainError) as refusal:
            agreement_update(agreement=generated, by=manager, **change)
        assert refusal.value.code == "agreement.generated"
    with pytest.raises(DomainError) as refusal:
        agreement_delete(agreement=generated, by=manager)
    assert refusal.value.code == "agreement.generated_delete"

    agreement_update(agreement=generated, by=manager, fee=generated.fee, evidence_visits=2)  # unchanged fee: fine
    manual = agreement(account, start=timezone.localdate(), end=timezone.localdate() + timedelta(days=9))
    agreement_delete(agreement=manual, by=manager)
    assert DisplayAgreement.objects.count() == 1


def test_the_nightly_task_generates_then_evaluates_and_is_scheduled(manager, rep, settings, time_machine):
    from evidence.tasks import agreements_nightly

    account, _stores = chain(manager, rep)
    ContractFactory(account=account, status="draft")
    contract = ContractFactory(account=account)
    ContractTerm = contract.terms.model
    ContractTerm.objects.create(
        contract=contract,
        kind="end_cap",
        basis="fixed",
        period="once",
        amount=Decimal("900.00"),
        valid_from=date(2026, 6, 1),
        valid_to=date(2026, 6, 30),
        settlement="deducted",
    )  # fmt: skip (made directly: only the nightly run sees it)

    result = agreements_nightly.delay().get()

    assert result["created"] == 1
    assert DisplayAgreement.objects.get().status == "open"  # June has just begun: evidence is being collected

    time_machine.move_to(datetime(2026, 7, 1, 2, 20, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    agreements_nightly.delay().get()

    assert DisplayAgreement.objects.get().status == "not_evidenced"  # June ended without a visit's proof
    entry = settings.CELERY_BEAT_SCHEDULE["evidence-agreements-nightly"]
    assert entry["task"] == "evidence.tasks.agreements_nightly"
