"""The demo's display agreements: generated from its terms and plans, and three of a KA manager's, so that a
fresh install shows one payable, one not evidenced (its TG deduction left unsupported) and one open."""

import pytest
from django.urls import reverse

from contracts.models import Deduction
from demo.evidence import seed_agreements
from evidence.agreements import agreement_evidence
from evidence.models import DisplayAgreement

pytestmark = pytest.mark.django_db


def test_the_demo_has_payable_not_evidenced_and_open_agreements(demo_company, client):
    manual = DisplayAgreement.objects.filter(source="manual")
    assert set(manual.values_list("status", flat=True)) == {"payable", "not_evidenced", "open"}
    assert set(DisplayAgreement.objects.values_list("source", flat=True)) >= {"term", "plan", "manual"}
    assert seed_agreements(today=demo_company) == 0

    deduction = Deduction.objects.get(reference="TG-EVID-1")
    assert deduction.state == Deduction.State.UNSUPPORTED
    missed = manual.get(status="not_evidenced")
    client.force_login(missed.account.owner)
    page = client.get(reverse("tradespend:deduction-sheet", args=[deduction.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "not evidenced — 1 of 3 visits with a photo" in page.content.decode()
    page = client.get(reverse("evidence:agreement-list"), {"source": "manual"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.content.decode().count('data-testid="agreement-row"') == len(
        manual.filter(account__owner=missed.account.owner)
    )


def test_an_agreements_page_and_its_store_card_say_the_same_as_its_stored_figure(demo_company, client):
    # Given the demo's agreements, evaluated by the seed (the rest of the seed has moved some visits off site)
    agreements = list(DisplayAgreement.objects.select_related("store"))
    # Then each stored figure is the one its evidence gives (none went stale behind the evaluation's back)
    assert [(a.pk, a.evidenced_visits) for a in agreements] == [
        (a.pk, agreement_evidence(a).evidenced) for a in agreements
    ]
    # and the not-evidenced end cap's page says "1 of 3" in its facts and on its store's card
    missed = DisplayAgreement.objects.get(source="manual", status="not_evidenced")
    client.force_login(missed.account.owner)
    page = client.get(
        reverse("evidence:agreement-detail", args=[missed.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    facts = page.split('data-testid="agreement-evidence">')[1].split("</dd>")[0]
    card = page.split('data-testid="store-evidence"')[1].split("</h2>")[0]
    assert facts.startswith("1 of 3 visits with a photo") and "1 of 3</span>" in card
    assert 'data-testid="agreement-stale"' not in page


def test_the_demos_deducted_facings_agreement_is_not_deleted_and_its_deduction_stays_on_it(demo_company, client):
    """QA: deleting it answered "deleted", and deduction DISP-EVID-1 read matched 1,200.00 against the chain's
    floor stack for every store (0 of 2 visits) instead."""
    from tradespend.models import DeductionMatch

    deduction = Deduction.objects.get(reference="DISP-EVID-1")
    payable = DisplayAgreement.objects.get(source="manual", status="payable")
    assert [m.line.agreement_id for m in DeductionMatch.objects.filter(deduction=deduction)] == [payable.pk]
    client.force_login(payable.account.owner)

    page = client.post(
        reverse("evidence:agreement-delete", args=[payable.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert f"陈列协议 #{payable.pk} 不能删除" in page or "cannot be deleted" in page  # the catalogue may lag
    assert "陈列协议已删除。" not in page
    assert DisplayAgreement.objects.filter(pk=payable.pk).exists()
    deduction.refresh_from_db()
    assert (deduction.state, deduction.matched_amount) == (Deduction.State.MATCHED, payable.fee)
    assert [m.line.agreement_id for m in DeductionMatch.objects.filter(deduction=deduction)] == [payable.pk]
