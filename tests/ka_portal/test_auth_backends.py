"""A user's permission set kept in the worker while the auth tables stand still (ka_portal/auth_backends.py): a
request checks permissions with one query instead of two, and a revoked permission counts from the next request,
whatever the door that revoked it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.roles import Role
from ka_portal import auth_backends
from tests.factories import make_user

# The keep stores only what was read outside a transaction's own writes: the test's rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

VIEW_STORE = "stores.view_store"


def _fresh(user):
    """The user as the next request loads it (no permission set cached on the object)."""
    return get_user_model().objects.get(pk=user.pk)


def _checked(user, perm=VIEW_STORE) -> tuple[bool, int]:
    user = _fresh(user)
    with CaptureQueriesContext(connection) as queries:
        allowed = user.has_perm(perm)
    return allowed, len(queries)


def test_a_repeat_check_reads_the_revisions_only_and_answers_the_same():
    rep = make_user(Role.REP, username="kept_rep")
    assert _checked(rep) == (True, 3)  # the revisions, the user's own permissions, the groups'
    assert _checked(rep) == (True, 1)  # the revisions only
    assert _fresh(rep).get_all_permissions() == auth_backends.KeptPermissionsBackend().get_all_permissions(_fresh(rep))


def test_permissions_revoked_or_granted_count_from_the_next_check():
    rep = make_user(Role.REP, username="kept_rep")
    other = make_user(Role.REP, username="other_rep")
    assert _checked(rep)[0] and _checked(other)[0]
    group = Group.objects.get(user=rep)
    group.permissions.remove(Permission.objects.get(codename="view_store", content_type__app_label="stores"))
    assert _checked(rep)[0] is False
    assert _checked(other)[0] is False  # the same role
    rep.user_permissions.add(Permission.objects.get(codename="view_store", content_type__app_label="stores"))
    assert _checked(rep)[0] is True
    assert _checked(other)[0] is False


def test_a_write_by_plain_sql_is_seen():
    rep = make_user(Role.REP, username="kept_rep")
    assert _checked(rep)[0]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM auth_user_groups WHERE user_id = %s", [rep.pk])
    assert _checked(rep)[0] is False


def test_a_set_read_with_its_own_uncommitted_writes_is_not_kept():
    rep = make_user(Role.REP, username="kept_rep")
    auth_backends.forget()
    with transaction.atomic():
        rep.user_permissions.add(Permission.objects.get(codename="add_store", content_type__app_label="stores"))
        assert _fresh(rep).has_perm("stores.add_store")
        transaction.set_rollback(True)
    assert auth_backends._kept == {}
    assert _fresh(rep).has_perm("stores.add_store") is False


def test_the_api_refuses_from_the_next_request_once_the_role_loses_the_permission():
    rep = make_user(Role.REP, username="kept_rep")
    _, token = AuthToken.objects.create(rep)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/stores/").status_code == 200
    assert client.get("/api/v1/stores/").status_code == 200
    Group.objects.get(user=rep).permissions.remove(
        Permission.objects.get(codename="view_store", content_type__app_label="stores")
    )
    assert client.get("/api/v1/stores/").status_code == 403
    get_user_model().objects.filter(pk=rep.pk).update(is_active=False)
    assert client.get("/api/v1/stores/").status_code in (401, 403)
