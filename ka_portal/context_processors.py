"""Navigation per role, shown by base.html."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

from .scope import user_role

_FIELD = {Role.REP, Role.SUPERVISOR}
_LEADS = {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}
_OFFICE = {Role.MANAGER, Role.FINANCE, Role.ADMIN}

# (label, url name, roles that see it). Each app owns its url names; an entry whose page does not
# exist yet is left out, so apps can be added one at a time.
_NAV = [
    (_("Home"), "home", None),
    (_("Today"), "visits:today", _FIELD),
    (_("Routes"), "visits:route-list", _LEADS),
    (_("Visits"), "visits:visit-list", _LEADS),
    (_("Tasks"), "visits:task-list", _LEADS | {Role.REP}),
    (_("Suggested orders"), "visits:suggested-order-list", _LEADS),
    (_("Key accounts"), "accounts:account-list", _LEADS | _OFFICE),
    (_("Performance"), "accounts:performance", _OFFICE | {Role.SUPERVISOR}),
    (_("Stores"), "stores:store-list", None),
    (_("Products"), "stores:product-list", None),
    (_("Promotions"), "promotions:plan-list", _LEADS | _OFFICE | {Role.REP}),
    (_("Contracts"), "contracts:contract-list", _OFFICE),
    (_("Receivables"), "contracts:receivables", _OFFICE),
    (_("Trade spend"), "tradespend:gross-to-net", _OFFICE),
    (_("Field evidence"), "evidence:home", _LEADS | _OFFICE),
    (_("Imports"), "imports:import", {Role.MANAGER, Role.ADMIN}),
    (_("Admin"), "admin:index", {Role.ADMIN}),
    (_("API docs"), "api-docs", {Role.ADMIN, Role.MANAGER, Role.FINANCE, Role.SUPERVISOR}),
]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request) -> dict:
    role = user_role(request.user) if hasattr(request, "user") else None
    if role is None:
        return {"nav_items": [], "user_role": None, "user_role_label": ""}
    items = []
    for label, name, roles in _NAV:
        url = _url(name) if roles is None or role in roles else None
        if url:
            items.append({"label": label, "url": url, "active": False})
    # The entry whose address is the longest prefix of this page's is the one we are in.
    within = [
        item
        for item in items
        if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if within:
        max(within, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items, "user_role": role, "user_role_label": Role(role).label}
