"""The admin greets its user by the name the portal shows (family and given name, 陈静), not by Django's given name
alone ("欢迎，静"; the demo's administrator read "欢迎，理员")."""

import pytest

from accounts.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_admin_greets_by_the_whole_name(client):
    admin = make_user(Role.ADMIN, username="boss", first_name="理员", last_name="管", is_staff=True, is_superuser=True)
    client.force_login(admin)

    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "<strong>管理员</strong>" in page and "<strong>理员</strong>" not in page
