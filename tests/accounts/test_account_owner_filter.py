"""The key accounts list's "KA manager" filter offers only the managers owning an account the user reaches (QA: a
manager was offered the other managers, and choosing one emptied the list); with one such manager, as for a manager
whose list is all theirs, the page leaves the filter off. ?owner= stays for links and the API, within that scope."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user

pytestmark = pytest.mark.django_db
LIST = reverse("accounts:account-list")


@pytest.fixture
def world(db):
    first = make_user(Role.MANAGER, username="manager_one")
    second = make_user(Role.MANAGER, username="manager_two")
    idle = make_user(Role.MANAGER, username="manager_idle")  # owns nothing
    rep = make_user(Role.REP, username="rep_both")
    walmart = KeyAccountFactory(code="WMT", owner=first)
    carrefour = KeyAccountFactory(code="CRF", owner=second)
    StoreFactory(account=walmart, rep=rep)
    StoreFactory(account=carrefour, rep=rep)
    return first, second, idle, rep


def _offered(page) -> list[str]:
    form = page.context["filter"].form
    return sorted(user.username for user in form.fields["owner"].queryset) if "owner" in form.fields else []


def test_a_manager_is_not_offered_other_managers(client, world):
    # given a manager owning Walmart, and another owning Carrefour
    first, _second, _idle, _rep = world
    client.force_login(first)
    # when the manager opens the key accounts
    page = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    # then no "KA manager" filter is offered: its one choice could not narrow the list
    assert page.status_code == 200
    assert "owner" not in page.context["filter"].form.fields
    assert 'name="owner"' not in page.content.decode()
    assert [account.code for account in page.context["object_list"]] == ["WMT"]


def test_another_managers_name_is_refused_not_answered_with_an_empty_list(client, api_client, world):
    first, second, _idle, _rep = world
    client.force_login(first)

    page = client.get(LIST, {"owner": second.username}, HTTP_ACCEPT_LANGUAGE="en")

    assert page.context["filter"].errors.get("owner"), "the other manager was taken as a filter"
    assert 'name="owner"' in page.content.decode()  # shown with its refusal
    api_client.force_authenticate(first)
    assert api_client.get(reverse("account-list"), {"owner": second.username}).status_code == 400
    mine = api_client.get(reverse("account-list"), {"owner": first.username}).json()["results"]
    assert [row["code"] for row in mine] == ["WMT"]


def test_others_are_offered_only_the_managers_of_the_accounts_they_reach(client, world, admin_user):
    first, second, _idle, rep = world

    client.force_login(rep)  # a rep with stores of both chains: the choice narrows their list
    assert _offered(client.get(LIST)) == sorted([first.username, second.username])
    client.force_login(admin_user)  # everything: a manager who owns nothing matches nothing
    assert _offered(client.get(LIST)) == sorted([first.username, second.username])
    narrowed = client.get(LIST, {"owner": second.username})
    assert [account.code for account in narrowed.context["object_list"]] == ["CRF"]
