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
