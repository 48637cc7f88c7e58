"""Navigation per role, shown by base.html."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

from .scope import user_role

# (label, url name, roles that see it)
_NAV = [
    (_("Home"), "home", None),
    (_("Admin"), "admin:index", {Role.ADMIN}),
    (_("API docs"), "api-docs", {Role.ADMIN, Role.MANAGER, Role.FINANCE, Role.SUPERVISOR}),
]


def navigation(request) -> dict:
    role = user_role(request.user) if hasattr(request, "user") else None
    if role is None:
        return {"nav_items": [], "user_role": None, "user_role_label": ""}
    items = [
        {"label": label, "url": reverse(name), "active": request.path == reverse(name)}
        for label, name, roles in _NAV
        if roles is None or role in roles
    ]
    return {"nav_items": items, "user_role": role, "user_role_label": Role(role).label}
