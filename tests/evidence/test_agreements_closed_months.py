"""Display agreements in a month finance has closed are part of what that month's deduction sheet showed (QA: a
fee changed 1,700 → 2,000 on the page, → 2,100 with its start moved into closed October by the API, and a new
October agreement created): made, changed or deleted there, they are refused with the portal's month-closed error,
at every door. The note stays editable, and so does an end moved within open months."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from evidence.models import DisplayAgreement
from tests.evidence.agreement_data import agreement, chain
from tradespend.models import ClosedMonth

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
OCTOBER_CLOSED = "2026-10 is closed: nothing dated in it can be recorded or changed; record it in an open month."


@pytest.fixture
def world(manager, rep, finance):
    account, [store] = chain(manager, rep, code="AUCHAN")
    ClosedMonth.objects.create(month=date(2026, 10, 1), closed_by=finance)
    spanning = agreement(account, store=store, start=date(2026, 10, 15), end=date(2026, 12, 31), fee="1700.00")
    november = agreement(account, store=store, kind="floor_stack", start=date(2026, 11, 1), end=date(2026, 11, 30))
    return account, store, spanning, november


def _detail(deal):
    return reverse("display-agreement-detail", args=[deal.pk])


def test_the_api_refuses_a_fee_changed_or_a_start_moved_into_a_closed_month(api_client, manager, world):
    _account, _store, spanning, november = world
    api_client.force_authenticate(manager)

    fee = api_client.patch(_detail(spanning), {"fee": "2100.00"}, format="json", **EN)
    moved = api_client.patch(_detail(november), {"start_on": "2026-10-20"}, format="json", **EN)

    for answer in (fee, moved):
        assert answer.status_code == 400
        assert (answer.json()["code"], answer.json()["detail"]) == ("month.closed", OCTOBER_CLOSED)
    assert DisplayAgreement.objects.get(pk=spanning.pk).fee == Decimal("1700.00")
    assert DisplayAgreement.objects.get(pk=november.pk).start_on == date(2026, 11, 1)


def test_a_new_agreement_in_a_closed_month_is_refused_at_the_api_the_page_and_the_admin(
    client, api_client, manager, admin_user, world
):
    account, store, *_ = world
    body = {"account": account.code, "store": store.code, "kind": "cold_case", "start_on": "2026-10-01",
            "end_on": "2026-10-31", "fee": "900.00", "evidence_visits": 1}  # fmt: skip
    api_client.force_authenticate(manager)
    answer = api_client.post(reverse("display-agreement-list"), body, format="json", **EN)
    assert answer.status_code == 400 and answer.json()["code"] == "month.closed"

    client.force_login(manager)
    form = {**body, "account": account.pk, "facings": "", "evidence_visits": "1", "note": ""}
    page = client.post(reverse("evidence:agreement-new"), form, **EN)
    assert page.status_code == 200 and OCTOBER_CLOSED in page.content.decode()

    client.force_login(admin_user)
    admin = client.post(reverse("admin:evidence_displayagreement_add"), {**form, "store": store.pk}, **EN)
    assert admin.status_code == 200 and OCTOBER_CLOSED in admin.content.decode()
    assert not DisplayAgreement.objects.filter(kind="cold_case").exists()


def test_the_page_refuses_a_fee_change_but_keeps_the_note_editable(client, manager, world):
    account, store, spanning, _november = world
    client.force_login(manager)
    form = {"account": account.pk, "store": store.code, "kind": "end_cap", "facings": "", "start_on": "2026-10-15",
            "end_on": "2026-12-31", "fee": "2000.00", "evidence_visits": "1", "note": ""}  # fmt: skip

    page = client.post(reverse("evidence:agreement-edit", args=[spanning.pk]), form, **EN)

    assert page.status_code == 200 and OCTOBER_CLOSED in page.content.decode()
    assert DisplayAgreement.objects.get(pk=spanning.pk).fee == Decimal("1700.00")
    noted = client.post(
        reverse("evidence:agreement-edit", args=[spanning.pk]), {**form, "fee": "1700.00", "note": "十月已结账"}, **EN
    )
    assert noted.status_code == 302 and DisplayAgreement.objects.get(pk=spanning.pk).note == "十月已结账"


def test_an_end_moved_within_open_months_is_kept_and_a_delete_is_refused(api_client, manager, world):
    _account, _store, spanning, _november = world
    api_client.force_authenticate(manager)

    ended = api_client.patch(_detail(spanning), {"end_on": "2026-11-30"}, format="json")
    deleted = api_client.delete(_detail(spanning), **EN)

    assert ended.status_code == 200 and ended.json()["end_on"] == "2026-11-30"
    assert deleted.status_code == 400 and deleted.json()["code"] == "month.closed"
    assert DisplayAgreement.objects.filter(pk=spanning.pk).exists()


@pytest.mark.parametrize(
    ("before", "after", "whole", "months"),
    [
        (None, ((10, 15), (12, 31)), True, [10, 11, 12]),  # made: every month it touches
        (((10, 15), (12, 31)), None, True, [10, 11, 12]),  # deleted
        (((10, 15), (12, 31)), ((10, 15), (12, 31)), True, [10, 11, 12]),  # its fee: every month
        (((10, 15), (12, 31)), ((10, 15), (11, 30)), False, [12]),  # ended a month earlier: December only
        (((10, 15), (12, 31)), ((10, 20), (12, 31)), False, [10]),  # started later within October
        (((11, 1), (11, 30)), ((10, 31), (11, 30)), False, [10, 11]),  # its fee moves from November to October
        (((11, 1), (11, 30)), ((11, 1), (12, 5)), False, [12]),  # a longer end: its fee stays in November
    ],
)
def test_the_months_a_change_touches(before, after, whole, months):
    from evidence.agreement_rules import months_changed

    def period(days):
        return None if days is None else tuple(date(2026, month, day) for month, day in days)

    changed = months_changed(period(before), period(after), whole=whole)
    assert changed == [date(2026, month, 1) for month in months]
