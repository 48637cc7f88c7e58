"""A person's role and supervisor in the admin (/admin/accounts/profile/): the rules of accounts.rules said beside
their fields, the role's group kept in step (what the pages open to them), and existing profiles put in step."""

import html
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from accounts.roles import GROUP_NAMES, Role
from accounts.services import user_set_role
from ka_portal.errors import DomainError
from ka_portal.formatting import display_name
from tests.factories import StoreFactory, UserFactory, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def people(db):
    supervisor = make_user(Role.SUPERVISOR, username="supervisor1")
    return {
        "supervisor": supervisor,
        "rep": make_user(Role.REP, username="rep1", supervisor=supervisor),
        "finance": make_user(Role.FINANCE, username="finance1"),
        "promoter": make_user(Role.PROMOTER, username="promoter1"),
    }


@pytest.fixture
def admin_page(client, admin_user):
    client.force_login(admin_user)
    return client


def _change(admin_page, profile: Profile, language: str = "en", **fields):
    data = {
        "user": profile.user_id,
        "role": profile.role,
        "region": profile.region,
        "supervisor": profile.supervisor_id or "",
        "phone": profile.phone,
        **fields,
    }
    url = reverse("admin:accounts_profile_change", args=[profile.pk])
    return admin_page.post(url, data, HTTP_ACCEPT_LANGUAGE=language)


def _errors(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("who", "words"),
    [
        ("finance", "is not a KA supervisor (Finance)"),
        ("promoter", "is not a KA supervisor (Promoter)"),
        ("rep", "cannot be their own supervisor"),
    ],
)
def test_a_reps_supervisor_must_be_a_ka_supervisor(admin_page, people, who, words):
    profile = people["rep"].profile

    response = _change(admin_page, profile, supervisor=people[who].pk)

    assert response.status_code == 200  # the form again, with the rule beside the field
    assert words in _errors(response)
    assert Profile.objects.get(pk=profile.pk).supervisor == people["supervisor"]


def test_a_reps_supervisor_is_refused_in_chinese_too(admin_page, people):
    response = _change(admin_page, people["rep"].profile, "zh-hans", supervisor=people["finance"].pk)

    assert Profile.objects.get(pk=people["rep"].profile.pk).supervisor == people["supervisor"]
    with translation.override("zh-hans"):
        assert str(Role.FINANCE.label) in _errors(response)


def test_a_rep_who_has_stores_keeps_the_role_until_they_are_given_away(admin_page, people):
    StoreFactory(rep=people["rep"])
    StoreFactory(rep=people["rep"])

    response = _change(admin_page, people["rep"].profile, role=Role.FINANCE, supervisor="")

    assert f"Stores with {display_name(people['rep'])} as their sales rep: 2. Give them to" in _errors(response)
    assert Profile.objects.get(user=people["rep"]).role == Role.REP


def test_the_service_refuses_the_same_in_either_language(people):
    for language in ("en", "zh-hans"):
        with translation.override(language), pytest.raises(DomainError) as refused:
            user_set_role(user=people["rep"], role=Role.REP, supervisor=people["rep"])
        assert refused.value.code == "profile.supervisor_self"
    with translation.override("en"), pytest.raises(DomainError) as refused:
        user_set_role(user=people["finance"], role=Role.FINANCE, supervisor=people["supervisor"])
        assert False  # noqa: B011 (never reached)
    with translation.override("en"):
        assert refused.value.code == "profile.supervisor_not_for_role"
        assert "Only a sales rep has a supervisor" in str(refused.value.detail)


def test_a_user_set_up_in_the_admin_as_a_rep_opens_todays_visits(admin_page, client, people):
    rep5 = UserFactory(username="rep5")
    url = reverse("admin:accounts_profile_add")

    response = admin_page.post(
        url, {"user": rep5.pk, "role": Role.REP, "region": "上海", "supervisor": people["supervisor"].pk, "phone": ""}
    )

    assert response.status_code == 302
    assert list(rep5.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.REP]]
    client.force_login(rep5)
    page = client.get(reverse("visits:today"))
    assert page.status_code == 200
    assert "Not open to you" not in _errors(page) and "不向您开放" not in _errors(page)


def test_changing_the_role_in_the_admin_moves_the_group(admin_page, people):
    finance = people["finance"]

    _change(admin_page, finance.profile, role=Role.MANAGER)

    assert list(finance.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.MANAGER]]


def test_a_profile_saved_by_any_door_keeps_the_group_in_step(people):
    profile = people["finance"].profile
    profile.role = Role.SUPERVISOR
    profile.save()

    assert list(people["finance"].groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.SUPERVISOR]]


def test_the_migration_puts_existing_profiles_in_their_groups(people, capsys):
    stray = UserFactory(username="rep9")
    Profile.objects.bulk_create([Profile(user=stray, role=Role.REP)])  # no signal: as the admin left them before
    people["finance"].groups.add(Group.objects.get(name=GROUP_NAMES[Role.REP]))  # two groups
    migration = import_module("accounts.migrations.0007_role_groups_follow_profiles")

    migration.groups_follow_roles(django_apps, None)

    assert list(stray.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.REP]]
    assert list(people["finance"].groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.FINANCE]]
    assert "Put 2 user(s) in their role's group." in capsys.readouterr().out
