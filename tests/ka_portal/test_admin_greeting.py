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


def test_the_sign_in_lockouts_and_api_tokens_read_in_chinese(client):
    """django-axes ships no Chinese and django-rest-knox names nothing for translation: their admin sections, models
    and a token's columns read in the portal's catalogue (ka_portal/third_party.py)."""
    from knox.models import AuthToken

    admin = make_user(Role.ADMIN, username="boss", is_staff=True, is_superuser=True)
    AuthToken.objects.create(user=admin)
    client.force_login(admin)

    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    tokens = client.get("/admin/knox/authtoken/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "登录锁定" in index and "访问尝试" in index and "API 令牌" in index
    assert "Access attempts" not in index and "Auth tokens" not in index and "Knox" not in index
    assert "登录时间" in tokens and "到期" in tokens
    assert "Sign-in lockouts" in english and "API tokens" in english
