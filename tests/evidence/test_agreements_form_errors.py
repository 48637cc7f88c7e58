"""The display agreement form names every bad field at once, keeping what was typed (QA: only the period's error
showed for end before start, a negative fee and 0 visits; with facings −2 and a fee of −100.555 the period and the
visits were not flagged at all). The API lists them all too."""

import pytest
from django.urls import reverse

from evidence.models import DisplayAgreement
from tests.evidence.agreement_data import chain

pytestmark = pytest.mark.django_db
NEW = reverse("evidence:agreement-new")


@pytest.fixture
def world(manager, rep):
    account, [store] = chain(manager, rep, code="WMT")
    return account, store


def _errors(page) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in page.context["form"].errors.items()}


def test_end_before_start_a_negative_fee_and_no_visits_are_all_named(client, manager, world):
    # given the manager's form with three bad values the rule refuses
    account, store = world
    client.force_login(manager)
    data = {"account": account.pk, "store": store.code, "kind": "end_cap", "facings": "", "start_on": "2026-12-31",
            "end_on": "2026-12-07", "fee": "-100", "evidence_visits": "0", "note": "端架"}  # fmt: skip
    # when it is saved
    page = client.post(NEW, data, HTTP_ACCEPT_LANGUAGE="en")
    # then each is named next to its field, in one go, and what was typed is kept
    errors = _errors(page)
    assert page.status_code == 200
    assert errors == {
        "end_on": ["The period ends (2026-12-07) before it starts (2026-12-31)."],
        "fee": ["The fee cannot be negative."],
        "evidence_visits": ["At least one visit with a photo is required as evidence."],
    }
    text = page.content.decode()
    assert 'value="-100"' in text and 'value="2026-12-31"' in text and 'value="0"' in text and "端架" in text
    assert not DisplayAgreement.objects.exists()


def test_unreadable_values_and_rule_breaks_are_named_together(client, manager, world):
    # given facings −2 and a fee with three decimals (they do not read), 0 visits and the end before the start
    account, store = world
    client.force_login(manager)
    data = {"account": account.pk, "store": store.code, "kind": "facings", "facings": "-2", "start_on": "2026-12-31",
            "end_on": "2026-12-07", "fee": "-100.555", "evidence_visits": "0", "note": ""}  # fmt: skip

    page = client.post(NEW, data, HTTP_ACCEPT_LANGUAGE="en")

    # then all four fields are flagged, each once
    errors = _errors(page)
    assert set(errors) == {"facings", "fee", "end_on", "evidence_visits"}
    assert all(len(messages) == 1 for messages in errors.values())
    assert errors["end_on"] == ["The period ends (2026-12-07) before it starts (2026-12-31)."]
    assert errors["evidence_visits"] == ["At least one visit with a photo is required as evidence."]
    text = page.content.decode()
    assert 'value="-2"' in text and 'value="-100.555"' in text
    assert not DisplayAgreement.objects.exists()


def test_the_api_answers_the_first_code_and_lists_every_field(api_client, manager, world):
    account, store = world
    api_client.force_authenticate(manager)
    body = {"account": account.code, "store": store.code, "kind": "facings", "facings": -2,
            "start_on": "2026-12-31", "end_on": "2026-12-07", "fee": "-100.00", "evidence_visits": 0}  # fmt: skip

    answer = api_client.post(reverse("display-agreement-list"), body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "agreement.facings_range"
    assert set(body["errors"]) == {"facings", "end_on", "fee", "evidence_visits"}
    assert not DisplayAgreement.objects.exists()


def test_the_admin_names_them_all_too(client, admin_user, world):
    account, store = world
    client.force_login(admin_user)
    data = {"account": account.pk, "store": store.pk, "kind": "end_cap", "facings": "", "start_on": "2026-12-31",
            "end_on": "2026-12-07", "fee": "-100", "evidence_visits": "0", "note": ""}  # fmt: skip

    page = client.post(reverse("admin:evidence_displayagreement_add"), data, HTTP_ACCEPT_LANGUAGE="en")

    errors = page.context["adminform"].form.errors
    assert {"end_on", "fee", "evidence_visits"} <= set(errors)
    assert "The period ends (2026-12-07) before it starts (2026-12-31)." in errors["end_on"]
    assert not DisplayAgreement.objects.exists()


@pytest.fixture
def two_chains(manager, rep, world):
    """The manager's 沃尔玛 and 家乐福, a store each."""
    walmart, _walmart_store = world
    carrefour, [yangpu] = chain(manager, rep, code="CRF")
    return walmart, carrefour, yangpu


def test_a_store_of_another_chain_is_named_with_the_other_errors_in_one_round(client, manager, two_chains):
    """QA: "Store 家乐福杨浦店 is not a store of 沃尔玛" came only after the other errors were put right."""
    walmart, _carrefour, yangpu = two_chains
    client.force_login(manager)
    data = {"account": walmart.pk, "store": yangpu.code, "kind": "end_cap", "facings": "", "start_on": "2026-12-31",
            "end_on": "2026-12-07", "fee": "", "evidence_visits": "1", "note": ""}  # fmt: skip

    page = client.post(NEW, data, HTTP_ACCEPT_LANGUAGE="en")

    assert _errors(page) == {
        "store": [f"Store {yangpu.name} is not a store of {walmart.name}."],
        "end_on": ["The period ends (2026-12-07) before it starts (2026-12-31)."],
        "fee": ["This field is required."],
    }
    assert not DisplayAgreement.objects.exists()


def test_the_admin_names_the_other_chains_store_in_the_same_round(client, admin_user, two_chains):
    walmart, _carrefour, yangpu = two_chains
    client.force_login(admin_user)
    data = {"account": walmart.pk, "store": yangpu.pk, "kind": "end_cap", "facings": "", "start_on": "2026-12-31",
            "end_on": "2026-12-07", "fee": "", "evidence_visits": "1", "note": ""}  # fmt: skip

    page = client.post(reverse("admin:evidence_displayagreement_add"), data, HTTP_ACCEPT_LANGUAGE="en")

    errors = page.context["adminform"].form.errors
    assert errors["store"] == [f"Store {yangpu.name} is not a store of {walmart.name}."]
    assert {"end_on", "fee"} <= set(errors)  # a fee left empty: the form's own error, beside the rule's
    assert not DisplayAgreement.objects.exists()


def test_each_store_says_its_chain_for_the_script_that_offers_only_the_chosen_chains(client, manager, two_chains):
    walmart, carrefour, yangpu = two_chains
    client.force_login(manager)

    page = client.get(NEW).content.decode()

    store_select = page.split('name="store"')[1].split("</select>")[0]
    assert 'data-follows="account"' in page
    assert f'value="{yangpu.code}" data-account="{carrefour.pk}"' in store_select
    assert f'value="WMT1" data-account="{walmart.pk}"' in store_select
    assert f'value="{walmart.pk}" data-code="WMT"' in page
    assert "evidence/agreement-form" in page  # the script, served from static/ like every asset
