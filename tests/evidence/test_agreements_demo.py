"""The demo's display agreements: generated from its terms and plans, and three of a KA manager's, so that a
fresh install shows one payable, one not evidenced (its TG deduction left unsupported) and one open."""

import pytest
from django.urls import reverse

from contracts.models import Deduction
from demo.evidence import seed_agreements
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
