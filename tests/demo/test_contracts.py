"""Demo finance data: every finance page has something to show, the books reconcile, a second run adds nothing."""

import random
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import KeyAccount
from contracts.models import Contract, ContractReminder, Deduction, Invoice, Payment
from contracts.receivables import Bucket
from contracts.selectors import account_reconciliation, aging_report
from demo.contracts import seed_contracts

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def _counts():
    return [m.objects.count() for m in (Contract, Invoice, Payment, Deduction, ContractReminder)]


def test_demo_books_fill_every_finance_page_and_reconcile(demo_company, client):
    assert demo_company == TODAY
    finance = get_user_model().objects.get(username="finance1")
    before = _counts()
    assert seed_contracts(today=TODAY, rng=random.Random(1)) == 0
    assert _counts() == before

    assert all(account_reconciliation(account).reconciles for account in KeyAccount.objects.all())
    report = aging_report(finance, as_of=TODAY)
    assert all(report.total.buckets[bucket] > 0 for bucket in Bucket.values)  # overdue in each bucket
    assert len(report.rows) == KeyAccount.objects.count()
    assert ContractReminder.objects.exists()
    assert Payment.objects.filter(reversed_at__isnull=False).exists()
    assert Invoice.objects.filter(status=Invoice.Status.WRITTEN_OFF).exists()

    client.force_login(finance)
    wmt = KeyAccount.objects.get(code="WMT")
    pages = {
        reverse("contracts:contract-list"): "HT-DEMO",
        reverse("contracts:receivables"): "沃尔玛",
        reverse("contracts:receivables-account", args=[wmt.pk]): "FP",
        reverse("contracts:aging"): "沃尔玛",
        f"{reverse('contracts:statement')}?account={wmt.code}&date_from=2026-06-01&date_to=2026-10-31": "FP",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url
