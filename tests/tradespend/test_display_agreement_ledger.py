"""A display agreement a KA manager enters by hand is in the trade-spend ledger (its fee, in the month it is payable),
so the chain's deduction for it is matched to it instead of reading unsupported; and each agreement says what the
chain's deductions cover of its fee, so the payable fees still to settle can be listed (issues 12 × 13)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import KeyAccount
from contracts.models import Deduction
from evidence.agreements import agreement_create, agreement_delete, agreement_update, agreements_evaluate
from evidence.models import DisplayAgreement
from ka_portal.errors import DomainError
from tests.contracts.factories import InvoiceFactory
from tests.evidence.agreement_data import agreement, chain, checked
from tests.tradespend.matching_data import matching_deduction
from tradespend.accruals import accruals_compute
from tradespend.models import AccrualLine, AccrualRun, DeductionMatch

pytestmark = pytest.mark.django_db


def _months():
    """Last month (where the agreements run) and this month, as first days."""
    this = timezone.localdate().replace(day=1)
    return (this - timedelta(days=1)).replace(day=1), this


@pytest.fixture
def world(manager, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account, [store] = chain(manager, rep, code="DSP")
    last, _this = _months()
    invoice = InvoiceFactory(account=account, date=last, amount=Decimal("100000.00"))
    return account, store, invoice


def _enter(manager, account, store, **fields) -> DisplayAgreement:
    """An agreement of this month (collecting evidence: one whose period is over without it is not evidenced)."""
    _last, this = _months()
    values = {"kind": "facings", "facings": 4, "start_on": this, "end_on": this + timedelta(days=40), "fee": "1500.00"}
    values.update(fields)
    values["fee"] = Decimal(values["fee"])
    return agreement_create(by=manager, account=account, store=store, **values)


def _evidenced(deal, store, rep) -> DisplayAgreement:
    checked(deal, store=store, rep=rep, day=deal.start_on, facings=deal.facings)
    agreements_evaluate(ids=[deal.pk], today=timezone.localdate())
    deal.refresh_from_db()
    assert deal.status == DisplayAgreement.Status.PAYABLE
    return deal


def _deducted(invoice, deal, amount=None, kind="display") -> Deduction:
    month = deal.start_on.replace(day=1)
    return matching_deduction(
        invoice, amount or deal.fee, kind=kind, on=month + timedelta(days=19), period_start=month, period_end=month
    )


def test_an_agreement_entered_by_hand_accrues_its_fee_in_the_month_it_is_payable(manager, world):
    account, store, _invoice = world
    facings = _enter(manager, account, store)
    end_cap = _enter(manager, account, store, kind="end_cap", facings=None, fee="2600.00")

    lines = {line.agreement_id: line for line in AccrualLine.objects.filter(source="display")}
    assert set(lines) == {facings.pk, end_cap.pk}
    line = lines[facings.pk]
    assert (line.account, line.month, line.kind, line.category, line.stage, line.amount) == (
        account, facings.start_on, "display", "fixed_fee", "accrued", Decimal("1500.00")
    )  # fmt: skip
    assert (lines[end_cap.pk].kind, lines[end_cap.pk].amount) == ("end_cap", Decimal("2600.00"))


def test_its_line_follows_the_agreement_changed_moved_to_a_later_month_and_deleted(manager, world):
    account, store, _invoice = world
    deal = _enter(manager, account, store)
    line = AccrualLine.objects.get(agreement=deal)

    deal = agreement_update(agreement=deal, by=manager, fee=Decimal("1800.00"))
    assert AccrualLine.objects.get(agreement=deal).pk == line.pk  # the same line, so its matches stay
    assert AccrualLine.objects.get(agreement=deal).amount == Decimal("1800.00")

    runs = AccrualRun.objects.count()
    agreement_update(agreement=deal, by=manager, note="主货架", evidence_visits=2)
    assert AccrualRun.objects.count() == runs  # nothing the ledger holds changed: not computed again

    _last, this = _months()
    later = this + timedelta(days=40)  # a month not yet reached accrues nothing yet
    deal = agreement_update(agreement=deal, by=manager, start_on=later, end_on=later + timedelta(days=5))
    assert not AccrualLine.objects.filter(source="display").exists()

    # back to a period running today (one over without evidence is not evidenced: from the 7th, this month's 1st–6th)
    deal = agreement_update(agreement=deal, by=manager, start_on=this, end_on=this + timedelta(days=40))
    assert AccrualLine.objects.get(agreement=deal).month == this
    agreement_delete(agreement=deal, by=manager)
    assert not AccrualLine.objects.filter(source="display").exists()


def test_a_generated_agreement_adds_no_line_of_its_own(manager, world):
    account, store, _invoice = world
    last, _this = _months()
    agreement(account, store=store, start=last, end=last + timedelta(days=9), source=DisplayAgreement.Source.TERM)
    accruals_compute(as_of=timezone.localdate())
    assert not AccrualLine.objects.filter(source="display").exists()


def test_the_chains_deduction_is_matched_to_the_fee_once_it_is_entered_and_the_fee_reads_settled(
    client, manager, finance, rep, world
):
    account, store, invoice = world
    deduction = _deducted(invoice, DisplayAgreement(start_on=_months()[1], fee=Decimal("1500.00")))
    assert deduction.state == Deduction.State.UNSUPPORTED  # nothing in the ledger for it yet

    deal = _evidenced(_enter(manager, account, store), store, rep)
    deduction.refresh_from_db()
    assert (deduction.state, deduction.matched_amount) == (Deduction.State.MATCHED, Decimal("1500.00"))
    assert DeductionMatch.objects.get(deduction=deduction).line.agreement == deal

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(finance)
    page = client.get(reverse("evidence:agreement-detail", args=[deal.pk])).content.decode()
    assert 'data-testid="fee-settled"' in page and "Deducted in full" in page
    assert reverse("tradespend:deduction-sheet", args=[deduction.pk]) in page
    assert "Deducted 1,500.00 · still to deduct 0.00" in page
    ledger = f"{reverse('tradespend:ledger')}?account=DSP&amp;month_from={deal.start_on:%Y-%m}"
    assert ledger in page  # the line in the ledger, one click away
    sheet = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk])).content.decode()
    assert reverse("evidence:agreement-detail", args=[deal.pk]) in sheet and f"Display agreement #{deal.pk}" in sheet


def test_payable_fees_not_yet_deducted_are_listed_until_the_chain_takes_them(client, manager, finance, rep, world):
    account, store, invoice = world
    deal = _evidenced(_enter(manager, account, store), store, rep)
    open_deal = _enter(manager, account, store, kind="cold_case", facings=None, fee="700.00")  # collecting evidence
    client.force_login(finance)
    url = "/api/v1/display-agreements/"

    def listed(settlement):
        rows = client.get(url, {"settlement": settlement, "account": account.code}).json()["results"]
        return {row["id"]: (row["deducted"], row["settled"]) for row in rows}

    assert listed("to_settle") == {deal.pk: ("0.00", False)}
    assert listed("settled") == {}
    page = client.get(reverse("evidence:agreement-list"), {"account": account.code}).content.decode()
    assert 'data-testid="total-to-settle">1,500.00<' in page

    _deducted(invoice, deal, amount="1000.00")  # part of it
    assert listed("to_settle") == {deal.pk: ("1000.00", False)}
    page = client.get(reverse("evidence:agreement-list"), {"account": account.code}).content.decode()
    assert 'data-testid="total-to-settle">500.00<' in page  # what is left of it, not the whole fee
    _deducted(invoice, deal, amount="500.00")
    assert listed("to_settle") == {}
    assert listed("settled") == {deal.pk: ("1500.00", True)}
    assert open_deal.pk not in listed("settled")
    page = client.get(reverse("evidence:agreement-list"), {"account": account.code}).content.decode()
    assert 'data-testid="total-to-settle">0.00<' in page and 'data-testid="fee-settled"' in page

    assert client.get(url, {"settlement": "paid"}).status_code == 400


def test_reps_see_no_deductions_and_the_ledger_names_the_agreement(client, manager, finance, rep, world):
    account, store, invoice = world
    deal = _enter(manager, account, store)
    client.force_login(rep)
    row = client.get(f"/api/v1/display-agreements/{deal.pk}/").json()
    assert (row["fee"], row["deducted"], row["settled"]) == (None, None, None)
    # nor may they ask which fees deductions cover: the filter is not theirs (ignored, as an unknown one)
    DisplayAgreement.objects.filter(pk=deal.pk).update(status=DisplayAgreement.Status.PAYABLE)
    listed = client.get("/api/v1/display-agreements/", {"settlement": "to_settle"}).json()["results"]
    assert [row["id"] for row in listed] == [deal.pk]
    assert client.get("/api/v1/display-agreements/", {"settlement": "settled"}).json()["results"] == listed
    assert 'name="settlement"' not in client.get(reverse("evidence:agreement-list")).content.decode()

    client.force_login(finance)
    lines = client.get("/api/v1/accrual-lines/", {"account": account.code}).json()["results"]
    assert [(line["source"], line["agreement"], line["amount"]) for line in lines] == [("display", deal.pk, "1500.00")]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    ledger = client.get(reverse("tradespend:ledger"), {"account": account.code}).content.decode()
    assert reverse("evidence:agreement-detail", args=[deal.pk]) in ledger


def test_a_deducted_fee_lowered_sends_what_the_ledger_no_longer_holds_back_to_unsupported(manager, rep, world):
    """QA: the deduction stayed matched to a line at 0, and gross to net counted the money nowhere."""
    account, store, invoice = world
    deal = _evidenced(_enter(manager, account, store, fee="2000.00"), store, rep)
    deduction = _deducted(invoice, deal)
    assert deduction.state == Deduction.State.MATCHED

    deal = agreement_update(agreement=deal, by=manager, fee=Decimal("1500.00"))
    deduction.refresh_from_db()
    assert (deduction.state, deduction.matched_amount) == (Deduction.State.PARTLY_MATCHED, Decimal("1500.00"))
    assert [m.amount for m in DeductionMatch.objects.filter(deduction=deduction)] == [Decimal("1500.00")]

    # deleted, it would send the deduction onto another fee of the chain: refused until finance removes the match
    with pytest.raises(DomainError) as refusal:
        agreement_delete(agreement=deal, by=manager)
    assert refusal.value.code == "agreement.deducted"
    deduction.refresh_from_db()
    assert (deduction.state, deduction.matched_amount) == (Deduction.State.PARTLY_MATCHED, Decimal("1500.00"))


def test_a_match_finance_made_by_hand_stays_and_its_line_is_flagged(manager, finance, rep, world):
    account, store, invoice = world
    deal = _enter(manager, account, store, kind="end_cap", facings=None, fee="2000.00")
    deduction = _deducted(invoice, deal, amount="3000.00", kind="tg")
    line = AccrualLine.objects.get(agreement=deal)
    assert DeductionMatch.objects.get(deduction=deduction).automatic
    DeductionMatch.objects.filter(deduction=deduction).update(automatic=False)  # as finance's hand made it

    agreement_update(agreement=deal, by=manager, fee=Decimal("1000.00"))
    line.refresh_from_db()
    assert line.amount == Decimal("1000.00")
    assert [m.amount for m in DeductionMatch.objects.filter(deduction=deduction)] == [Decimal("2000.00")]


def test_a_not_evidenced_fee_leaves_the_deduction_claiming_it_unsupported_and_its_page_names_it(
    client, manager, finance, rep, world
):
    account, store, invoice = world
    last, _this = _months()
    deal = _enter(
        manager, account, store, kind="end_cap", facings=None, fee="3600.00", start_on=last, end_on=last + timedelta(9)
    )
    assert deal.status == DisplayAgreement.Status.NOT_EVIDENCED  # its period is over without a visit
    deduction = _deducted(invoice, DisplayAgreement.objects.get(pk=deal.pk), kind="tg")
    assert deduction.state == Deduction.State.UNSUPPORTED

    assert not AccrualLine.objects.filter(source="display").exists()  # not owed: counted once, as unsupported

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(finance)
    page = client.get(reverse("evidence:agreement-detail", args=[deal.pk])).content.decode()
    assert "Not evidenced: its fee is not owed and is not in the ledger" in page
    assert 'data-testid="ledger-claiming"' in page
    assert reverse("tradespend:deduction-sheet", args=[deduction.pk]) in page


def test_a_fee_evidenced_after_all_releases_the_deduction_claiming_it_at_once(manager, rep, world):
    account, store, invoice = world
    last, _this = _months()
    deal = _enter(
        manager, account, store, kind="end_cap", facings=None, fee="3600.00", start_on=last, end_on=last + timedelta(9),
        evidence_visits=2,
    )  # fmt: skip
    checked(deal, store=store, rep=rep, day=last)
    agreements_evaluate(ids=[deal.pk])
    deduction = _deducted(invoice, DisplayAgreement.objects.get(pk=deal.pk), kind="tg")
    assert deduction.state == Deduction.State.UNSUPPORTED  # one visit of the two agreed: not evidenced

    deal = agreement_update(agreement=deal, by=manager, evidence_visits=1)  # the chain agreed to one photo after all
    assert deal.status == DisplayAgreement.Status.PAYABLE
    deduction.refresh_from_db()
    assert (deduction.state, deduction.matched_amount) == (Deduction.State.MATCHED, Decimal("3600.00"))


def test_a_matched_fee_whose_evidence_then_fails_is_taken_out_and_its_deduction_left_unsupported(manager, rep, world):
    """QA: a deduction matched while the display was collecting evidence stayed matched once it was not evidenced."""
    account, store, invoice = world
    last, _this = _months()
    deal = _enter(manager, account, store, kind="end_cap", facings=None, fee="2000.00", start_on=last,
                  end_on=last + timedelta(9), evidence_visits=1)  # fmt: skip
    checked(deal, store=store, rep=rep, day=last)
    agreements_evaluate(ids=[deal.pk])
    deduction = _deducted(invoice, DisplayAgreement.objects.get(pk=deal.pk), kind="tg")
    assert deduction.state == Deduction.State.MATCHED

    deal = agreement_update(agreement=deal, by=manager, evidence_visits=3)  # three visits were agreed, one was seen
    assert deal.status == DisplayAgreement.Status.NOT_EVIDENCED
    deduction.refresh_from_db()
    assert (deduction.state, deduction.matched_amount) == (Deduction.State.UNSUPPORTED, Decimal("0.00"))
    assert not AccrualLine.objects.filter(source="display").exists()


def test_a_generated_fee_not_evidenced_is_taken_off_its_terms_line(manager, world):
    from tests.tradespend.test_accruals import contract, term

    account, _store, _invoice = world
    last, this = _months()
    deal_term = term(contract(account, valid_from=last, valid_to=this + timedelta(days=27)), "end_cap", "fixed",
                     amount="2800.00", valid_from=last)  # fmt: skip
    for month, status in ((last, DisplayAgreement.Status.NOT_EVIDENCED), (this, DisplayAgreement.Status.OPEN)):
        agreement(account, start=month, end=month + timedelta(days=20), fee="2800.00", source="term", term=deal_term,
                  status=status)  # fmt: skip
    accruals_compute(as_of=timezone.localdate())

    lines = AccrualLine.objects.filter(term=deal_term)
    assert [(line.month, line.amount) for line in lines.order_by("month")] == [(this, Decimal("2800.00"))]


def test_money_a_lowered_fee_no_longer_holds_under_a_hand_match_counts_as_unsupported_in_gross_to_net(
    manager, finance, rep, world
):
    """QA: a hand match above a display fee later lowered stayed matched, and the difference was counted nowhere."""
    from tradespend.matching import deduction_match_add, deduction_match_remove
    from tradespend.reports import gross_to_net

    account, store, invoice = world
    deal = _evidenced(_enter(manager, account, store, fee="5000.00"), store, rep)
    deduction = _deducted(invoice, deal)
    line = AccrualLine.objects.get(agreement=deal)
    deduction_match_remove(match=deduction.matches.get(), by=finance)
    deduction_match_add(deduction=deduction, line=line, amount=Decimal("5000.00"), by=finance)  # finance's hand

    def spend():
        chain = KeyAccount.objects.filter(pk=account.pk)
        figures = gross_to_net(accounts=chain, month_from=deal.start_on, month_to=deal.start_on).rows[0].figures
        return figures.fixed_fees, figures.unsupported

    assert spend() == (Decimal("5000.00"), Decimal("0.00"))
    agreement_update(agreement=deal, by=manager, fee=Decimal("3000.00"))
    assert DeductionMatch.objects.get(deduction=deduction).amount == Decimal("5000.00")  # finance's match stays
    assert spend() == (Decimal("3000.00"), Decimal("2000.00"))  # the chain took 5,000: all of it counted
