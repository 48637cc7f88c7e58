"""One display agreement per store (or chain), display and day: a second one entered by hand for days a live one
already covers is refused, naming that one (QA: the same end cap saved twice doubled the fees under evidence) — at
the service, the page (with a link to it), the API (409 with its number) and the admin."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from evidence import agreements as services
from evidence.models import DisplayAgreement
from ka_portal.errors import DomainError
from tests.evidence.agreement_data import agreement, chain
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

DEC7, DEC31 = date(2026, 12, 7), date(2026, 12, 31)
FORM = {"kind": "end_cap", "facings": "", "start_on": "2026-12-07", "end_on": "2026-12-31", "fee": "1234.50",
        "evidence_visits": "2", "note": ""}  # fmt: skip


@pytest.fixture
def world(manager, rep):
    account, [store] = chain(manager, rep, code="WMT")
    return account, store


def _create(manager, account, store, **changes):
    values = {"account": account, "store": store, "kind": "end_cap", "start_on": DEC7, "end_on": DEC31,
              "fee": Decimal("1234.50"), "evidence_visits": 2, **changes}  # fmt: skip
    return services.agreement_create(by=manager, **values)


def test_the_same_agreement_twice_is_refused_naming_the_first(manager, world):
    # given an end cap at the store for December
    account, store = world
    first = _create(manager, account, store)
    # when the same is entered again
    with pytest.raises(DomainError) as refused:
        _create(manager, account, store)
    # then it is refused, naming the one that covers those days, and nothing is added
    assert refused.value.code == "agreement.overlap"
    assert refused.value.params["agreement"] == first.pk
    with translation.override("en"):
        assert "WMT门店1 (WMT1)" in refused.value.detail and "End cap / TG" in refused.value.detail
        assert f"#{first.pk}" in refused.value.detail and "2026-12-07 to 2026-12-31" in refused.value.detail
    assert refused.value.detail.startswith(f"陈列协议 #{first.pk} 已涵盖WMT门店1 (WMT1)的同一陈列")  # and in Chinese
    assert DisplayAgreement.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [
        (date(2026, 12, 31), date(2027, 1, 31), True),  # shares its last day
        (date(2026, 11, 1), date(2026, 12, 7), True),  # shares its first day
        (date(2026, 12, 10), date(2026, 12, 20), True),  # inside
        (date(2027, 1, 1), date(2027, 1, 31), False),  # the next period
        (date(2026, 11, 1), date(2026, 12, 6), False),  # the day before
    ],
)
def test_a_period_sharing_a_day_is_refused_the_next_one_is_not(manager, world, start, end, refused):
    account, store = world
    _create(manager, account, store)

    if refused:
        with pytest.raises(DomainError) as overlap:
            _create(manager, account, store, start_on=start, end_on=end)
        assert overlap.value.code == "agreement.overlap"
    else:
        _create(manager, account, store, start_on=start, end_on=end)
    assert DisplayAgreement.objects.count() == (1 if refused else 2)


def test_another_display_or_another_store_is_not_the_same_agreement(manager, world):
    account, store = world
    other = StoreFactory(account=account, code="WMT2")
    _create(manager, account, store)

    _create(manager, account, store, kind="floor_stack")
    _create(manager, account, other)
    _create(manager, account, None, kind="cold_case")  # every store of the chain, another display

    assert DisplayAgreement.objects.count() == 4
    with translation.override("en"), pytest.raises(DomainError, match="every store of the chain"):
        _create(manager, account, None, kind="cold_case", start_on=date(2026, 12, 20))


def test_a_generated_agreement_counts_one_its_source_let_go_does_not(manager, world):
    # given a plan's end cap at the store in December, and one a terminated contract no longer grants
    account, store = world
    plan_agreement = agreement(account, store=store, start=DEC7, end=DEC31, source="plan", source_key="plan:1:x")
    with pytest.raises(DomainError) as refused:
        _create(manager, account, store)
    assert refused.value.params["agreement"] == plan_agreement.pk
    plan_agreement.source_gone = True
    plan_agreement.save()
    # when it is let go, the manager may enter the display by hand
    assert _create(manager, account, store).source == DisplayAgreement.Source.MANUAL


def test_moving_an_agreement_onto_another_is_refused_editing_its_fee_is_not(manager, world):
    account, store = world
    december = _create(manager, account, store)
    january = _create(manager, account, store, start_on=date(2027, 1, 1), end_on=date(2027, 1, 31))

    with pytest.raises(DomainError) as refused:
        services.agreement_update(agreement=january, by=manager, start_on=date(2026, 12, 20))
    assert refused.value.params["agreement"] == december.pk
    january.refresh_from_db()
    assert january.start_on == date(2027, 1, 1)
    # two agreements that overlap from before the rule keep being edited: a fee or a note changes no days
    DisplayAgreement.objects.filter(pk=january.pk).update(start_on=date(2026, 12, 20))
    services.agreement_update(agreement=january, by=manager, fee=Decimal("99.00"), note="补录")
    assert DisplayAgreement.objects.get(pk=january.pk).fee == Decimal("99.00")


def test_the_page_refuses_the_second_save_with_a_link_and_the_fees_stay(client, manager, world):
    # given the manager saved an end cap (the QA scenario)
    account, store = world
    client.force_login(manager)
    form = {"account": account.pk, "store": store.code, **FORM}
    saved = client.post(reverse("evidence:agreement-new"), form, HTTP_ACCEPT_LANGUAGE="en")
    first = DisplayAgreement.objects.get()
    assert saved.status_code == 302
    # when the same form is saved again
    page = client.post(reverse("evidence:agreement-new"), form, HTTP_ACCEPT_LANGUAGE="en")
    # then the form comes back as typed, saying which agreement covers those days, with a link to it
    text = page.content.decode()
    assert page.status_code == 200
    assert f"Display agreement #{first.pk} already covers" in text
    assert f'href="{reverse("evidence:agreement-detail", args=[first.pk])}"' in text
    assert 'data-testid="overlapping-agreement"' in text and 'value="1234.50"' in text
    # and the list has one row: the fees under evidence are one fee
    listed = client.get(reverse("evidence:agreement-list"), {"account": "WMT"}, HTTP_ACCEPT_LANGUAGE="en")
    assert listed.content.decode().count('data-testid="agreement-row"') == 1
    assert "1,234.50" in listed.content.decode() and "2,469.00" not in listed.content.decode()


def test_the_api_answers_409_naming_the_agreement(api_client, manager, world):
    account, store = world
    api_client.force_authenticate(manager)
    body = {"account": account.code, "store": store.code, "kind": "end_cap", "start_on": "2026-12-07",
            "end_on": "2026-12-31", "fee": "1234.50", "evidence_visits": 2}  # fmt: skip

    first = api_client.post(reverse("display-agreement-list"), body, format="json")
    again = api_client.post(reverse("display-agreement-list"), body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert first.status_code == 201
    assert again.status_code == 409
    answer = again.json()
    assert answer["code"] == "agreement.overlap" and answer["params"]["agreement"] == first.json()["id"]
    assert DisplayAgreement.objects.count() == 1


def test_the_admin_refuses_it_too(client, admin_user, world):
    account, store = world
    existing = agreement(account, store=store, start=DEC7, end=DEC31)
    client.force_login(admin_user)

    page = client.post(
        reverse("admin:evidence_displayagreement_add"),
        {"account": account.pk, "store": store.pk, **FORM},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert page.status_code == 200 and f"Display agreement #{existing.pk} already covers" in page.content.decode()
    assert DisplayAgreement.objects.count() == 1


# --- a store's agreement and a chain-wide one pay for the same display at that store (QA: both made payable by
# one visit) ---------------------------------------------------------------------------------------------------


def test_a_store_agreement_under_a_chain_wide_one_is_refused_naming_it(manager, world):
    # given the chain's end cap for December at every store (a contract term's, say)
    account, store = world
    chain_wide = agreement(account, start=date(2026, 12, 1), end=DEC31, source="term", source_key="term:9:20261201")
    # when the manager enters the end cap at one of its stores for days it covers
    with pytest.raises(DomainError) as refused:
        _create(manager, account, store)
    # then it is refused, naming the chain-wide agreement, and nothing is added
    assert (refused.value.code, refused.value.params["agreement"]) == ("agreement.overlap", chain_wide.pk)
    with translation.override("en"):
        assert "already covers every store of the chain" in refused.value.detail
    assert DisplayAgreement.objects.count() == 1
    # another display, or the month after, is another deal
    _create(manager, account, store, kind="floor_stack")
    _create(manager, account, store, start_on=date(2027, 1, 1), end_on=date(2027, 1, 31))


def test_a_chain_wide_agreement_over_a_stores_is_refused_naming_it(manager, world):
    account, store = world
    at_store = _create(manager, account, store)

    with pytest.raises(DomainError) as refused:
        _create(manager, account, None, start_on=date(2026, 12, 1))

    assert (refused.value.code, refused.value.params["agreement"]) == ("agreement.overlap", at_store.pk)
    with translation.override("en"):
        assert "WMT门店1 (WMT1)" in refused.value.detail
    assert DisplayAgreement.objects.count() == 1


def test_the_api_and_the_page_refuse_a_store_agreement_under_the_chains(client, api_client, manager, world):
    account, store = world
    chain_wide = agreement(account, kind="floor_stack", start=date(2026, 12, 1), end=DEC31)
    body = {"account": account.code, "store": store.code, "kind": "floor_stack", "start_on": "2026-12-07",
            "end_on": "2026-12-31", "fee": "1234.50", "evidence_visits": 2}  # fmt: skip
    api_client.force_authenticate(manager)

    answer = api_client.post(reverse("display-agreement-list"), body, format="json")

    assert answer.status_code == 409
    assert (answer.json()["code"], answer.json()["params"]["agreement"]) == ("agreement.overlap", chain_wide.pk)
    client.force_login(manager)
    form = {"account": account.pk, "store": store.code, **FORM, "kind": "floor_stack"}
    page = client.post(reverse("evidence:agreement-new"), form, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Display agreement #{chain_wide.pk} already covers every store of the chain" in page
    assert f'href="{reverse("evidence:agreement-detail", args=[chain_wide.pk])}"' in page
    assert DisplayAgreement.objects.count() == 1
