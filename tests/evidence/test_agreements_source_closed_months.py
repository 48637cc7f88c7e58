"""A generated display agreement in a month finance has closed stays as it was when its source changes (QA: a term's
fee or dates edited, or a plan approved, rewrote a closed month's agreement and fee): a change that would move or
re-price one there, or make one there, is refused at every door naming the closed month and the agreement
(agreement.source_month_closed); one its source no longer grants is kept, flagged; the nightly job leaves it as it
was. A change of the open months alone (an end moved, a contract's later agreements) goes through."""

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from contracts import services as contract_services
from contracts.models import ContractTerm
from evidence.models import DisplayAgreement
from ka_portal.errors import DomainError
from promotions.models import PromotionPlan
from promotions.services import promotion_approve, promotion_save_draft, promotion_submit
from tests.contracts.factories import ContractFactory
from tests.evidence.agreement_data import chain
from tests.promotions.conftest import plan_input, world  # noqa: F401 (the fixture)
from tests.promotions.factories import BudgetFactory
from tradespend.models import ClosedMonth

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
APRIL, MAY = date(2026, 4, 1), date(2026, 5, 1)
CLOSED_APRIL = "2026-04 is closed: this change would change display agreement #"


@pytest.fixture(autouse=True)
def _on_june_first_in_english(time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    with translation.override("en"):
        yield


@pytest.fixture
def quarters(manager, rep, finance):
    """An end cap paid per quarter all year (its April–June, July–September and October–December agreements made
    while they were open), then April and May closed."""
    account, [store] = chain(manager, rep, code="CLQ")
    contract = ContractFactory(account=account, number="HT-Q-1")
    term = contract_services.contract_term_create(
        contract=contract, kind="end_cap", basis="fixed", period="quarter", amount=Decimal("3000.00"),
        settlement="deducted",
    )  # fmt: skip
    for month in (APRIL, MAY):
        ClosedMonth.objects.create(month=month, closed_by=finance)
    return account, term


def _agreements(term) -> list[tuple]:
    rows = DisplayAgreement.objects.filter(source_key__startswith=f"term:{term.pk}:").order_by("start_on")
    return [(a.start_on, a.end_on, a.fee, a.source_gone) for a in rows]


SECOND_QUARTER = (date(2026, 4, 1), date(2026, 6, 30), Decimal("3000.00"), False)
LATER = [
    (date(2026, 7, 1), date(2026, 9, 30), Decimal("3000.00"), False),
    (date(2026, 10, 1), date(2026, 12, 31), Decimal("3000.00"), False),
]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": Decimal("3600.00")}, "amount"),  # every quarter's fee, the one payable in closed April too
        ({"valid_from": date(2026, 5, 15)}, "valid_from"),  # the second quarter would start in closed May
    ],
)
def test_a_terms_change_reaching_a_closed_months_agreement_is_refused_and_nothing_changes(quarters, change, field):
    _account, term = quarters

    with pytest.raises(DomainError) as refused:
        contract_services.contract_term_update(term=term, **change)

    assert refused.value.code == "agreement.source_month_closed" and refused.value.field == field
    assert refused.value.detail.startswith(CLOSED_APRIL)
    second = DisplayAgreement.objects.get(source_key__startswith=f"term:{term.pk}:", start_on=APRIL)
    assert refused.value.detail.startswith(
        f"{CLOSED_APRIL}{second.pk} from the TG fee line of contract HT-Q-1 (End cap / TG at every store of the "
        "chain, 2026-04-01 to 2026-06-30, fee 3,000.00) in that month, whose agreements stay as finance closed them."
    )
    assert "Make the change from 2026-06 on (end the line before it and add a new one from it)" in refused.value.detail
    term.refresh_from_db()
    assert (term.amount, term.valid_from) == (Decimal("3000.00"), date(2026, 1, 1))
    assert _agreements(term) == [SECOND_QUARTER, *LATER]


def test_an_end_moved_within_open_months_goes_through_and_the_closed_quarter_keeps_its_period(quarters):
    _account, term = quarters

    contract_services.contract_term_update(term=term, valid_to=date(2026, 8, 31))

    assert _agreements(term) == [SECOND_QUARTER, (date(2026, 7, 1), date(2026, 8, 31), Decimal("3000.00"), False)]


def test_the_page_the_api_and_the_admin_refuse_it_next_to_the_amount(client, api_client, admin_user, finance, quarters):
    _account, term = quarters
    form = {"kind": "end_cap", "basis": "fixed", "period": "quarter", "rate": "", "amount": "3600.00", "tiers": "",
            "valid_from": "2026-01-01", "valid_to": "2026-12-31", "settlement": "deducted", "note": ""}  # fmt: skip

    client.force_login(finance)
    page = client.post(reverse("contracts:term-edit", args=[term.pk]), form, **EN)
    api_client.force_authenticate(finance)
    api = api_client.patch(reverse("contract-term-detail", args=[term.pk]), {"amount": "3600.00"}, format="json")
    client.force_login(admin_user)
    admin = client.post(
        reverse("admin:contracts_contractterm_change", args=[term.pk]), {"contract": term.contract_id, **form}, **EN
    )

    assert page.status_code == 200 and CLOSED_APRIL in page.context["form"].errors["amount"][0]
    assert api.status_code == 400
    assert (api.json()["code"], api.json()["field"]) == ("agreement.source_month_closed", "amount")
    assert admin.status_code == 200 and CLOSED_APRIL in admin.context["adminform"].form.errors["amount"][0]
    assert ContractTerm.objects.get(pk=term.pk).amount == Decimal("3000.00")
    assert _agreements(term) == [SECOND_QUARTER, *LATER]


def test_the_import_refuses_the_row_naming_its_amount(finance, quarters):
    from imports.registry import kind_named
    from imports.runner import ImportRejected, run_import
    from tests.imports.xlsx import xlsx_upload

    _account, term = quarters
    headers = ["contract number", "kind", "basis", "period", "amount", "valid from", "valid to", "settlement"]
    row = ["HT-Q-1", "end_cap", "fixed", "quarter", "3600.00", "2026-01-01", "2026-12-31", "deducted"]

    with pytest.raises(ImportRejected) as rejected:
        run_import(kind=kind_named("contract-terms"), source=xlsx_upload(headers, [row]), user=finance)

    [problem] = rejected.value.errors
    assert problem.field == "amount" and CLOSED_APRIL in problem.message
    with translation.override("zh-hans"):  # kept as its msgid and words: its words read in the reader's language
        from imports.texts import render

        assert f"的{ContractTerm.Kind.END_CAP.label}条款" in render(json.loads(problem.text))  # 的TG费条款
    assert ContractTerm.objects.get(pk=term.pk).amount == Decimal("3000.00")


def test_a_contract_moved_into_the_closed_quarter_is_refused_and_one_made_a_draft_keeps_it(quarters):
    _account, term = quarters
    contract = term.contract

    # its validity would start the second quarter in closed May: refused first because its line would then run
    # before the contract (term.outside_contract from the contract's side); a change of the line itself that would
    # move its agreements in a closed month is agreement.source_month_closed's (the tests above)
    with pytest.raises(DomainError) as refused:
        contract_services.contract_update(contract=contract, valid_from=date(2026, 5, 10))
    assert refused.value.code == "term.outside_contract"

    contract_services.contract_update(contract=contract, status="draft")  # its terms grant nothing now

    # the closed months' agreement is kept as it was, flagged, though no visit checked it; the open ones go
    # (a contract terminated keeps its agreements up to its termination month: test_agreements_contract_terminated)
    assert _agreements(term) == [(*SECOND_QUARTER[:3], True)]
    contract_services.contract_update(contract=contract, status="active")  # granted again: nothing in April changes
    assert _agreements(term) == [SECOND_QUARTER, *LATER]


def test_a_term_removed_keeps_the_closed_months_agreement(quarters):
    _account, term = quarters
    second = DisplayAgreement.objects.get(term=term, start_on=APRIL)

    contract_services.contract_term_delete(term=term)

    assert list(DisplayAgreement.objects.values_list("pk", "source_gone")) == [(second.pk, True)]


def test_the_nightly_job_leaves_a_closed_months_agreement_as_it_was(quarters):
    from evidence.tasks import agreements_nightly

    _account, term = quarters
    ContractTerm.objects.filter(pk=term.pk).update(amount=Decimal("3600.00"))  # behind the services' back

    result = agreements_nightly.delay().get()

    assert result["frozen"] == 1
    assert _agreements(term) == [SECOND_QUARTER] + [(*row[:2], Decimal("3600.00"), False) for row in LATER]


def test_approving_a_plan_whose_end_cap_would_be_in_a_closed_month_is_refused(world, finance):  # noqa: F811
    BudgetFactory(account=world.account, period_start=MAY, period_end=date(2026, 5, 31), amount=Decimal("10000"))
    data = plan_input(world, start=date(2026, 5, 25), end_cap=True, tg_fee=Decimal("800.00"))
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=data), by=world.supervisor, today=MAY)
    ClosedMonth.objects.create(month=MAY, closed_by=finance)

    with pytest.raises(DomainError) as refused:
        promotion_approve(plan=plan, by=world.manager)

    assert refused.value.code == "agreement.source_month_closed"
    assert refused.value.detail.startswith(
        "2026-05 is closed: this change would make a display agreement from promotion plan 夏季啤酒店促 (End cap / TG "
        f"at 沃尔玛五角场店 ({world.store.code}), 2026-05-25 to 2026-06-07) in that month"
    )
    assert PromotionPlan.objects.get(pk=plan.pk).status == PromotionPlan.Status.SUBMITTED
    assert not DisplayAgreement.objects.exists()


def test_the_months_a_generated_agreement_would_change(quarters):
    """The rule behind it (evidence.agreements._frozen_steps): the months an agreement's period or fee changes, as
    for one changed by hand (agreement_rules.months_changed), and every month of one made."""
    from evidence.agreements import _frozen_steps

    _account, term = quarters
    second = DisplayAgreement.objects.get(term=term, start_on=APRIL)
    closed = frozenset({APRIL, MAY})
    values = {"start_on": second.start_on, "end_on": second.end_on, "fee": second.fee}

    def steps(**change):
        return _frozen_steps({"k": second}, {"k": {**values, **change}}, closed, date(2026, 6, 1))

    assert steps() == {}
    assert steps(end_on=date(2026, 6, 20)) == {}  # June's days only
    assert steps(fee=Decimal("1.00")) == {"k": [APRIL, MAY]}
    assert steps(start_on=date(2026, 4, 2)) == {"k": [APRIL]}
    made = _frozen_steps({}, {"k": {**values}}, closed, date(2026, 6, 1))
    ended = _frozen_steps({}, {"k": {**values, "end_on": date(2026, 5, 31)}}, closed, date(2026, 6, 1))
    assert (made, ended) == ({"k": [APRIL, MAY]}, {})  # a period over before generation met it makes none anyway
