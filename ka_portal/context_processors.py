"""Navigation per role, shown by base.html: a few links and menus, so the desktop bar is one line in every
language."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.roles import Role

from .scope import user_role

_FIELD = {Role.REP, Role.SUPERVISOR}
_LEADS = {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}
_OFFICE = {Role.MANAGER, Role.FINANCE, Role.ADMIN}
_STAFF = _FIELD | _OFFICE  # everyone but a promoter, who sees only their own day (issue 16)


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    roles: frozenset | None = None  # None: every role
    section: str = ""  # a path prefix this entry also stands for (its app's other pages)


@dataclass(frozen=True)
class Menu:
    label: str
    links: tuple[Link, ...]


def _link(label, url_name, roles=None, section=""):
    return Link(label, url_name, frozenset(roles) if roles is not None else None, section)


# Each app owns its url names; an entry whose page does not exist yet is left out, so apps can be added one
# at a time. A menu with no entry for a role is not shown, and a menu with one entry shows as that link.
# The analysis pages' labels carry the context "navigation" so the menu's words stay apart from their titles.
_NAV: list[Link | Menu] = [
    _link(_("Home"), "home", _STAFF),
    _link(_("Today"), "visits:today", _FIELD),
    _link(_("My day"), "promoters:my-day", {Role.PROMOTER}, section="/promoters/my/"),
    Menu(
        _("Field"),
        (
            _link(_("Routes"), "visits:route-list", _LEADS),
            _link(_("Visits"), "visits:visit-list", _LEADS | {Role.REP}),
            _link(_("Tasks"), "visits:task-list", _LEADS | {Role.REP}),
            _link(_("Suggested orders"), "visits:suggested-order-list", _LEADS | {Role.REP}),
            _link(_("Field evidence"), "evidence:home", _LEADS | _OFFICE, section="/evidence/"),
            _link(_("Promoters"), "promoters:roster", _LEADS | _OFFICE, section="/promoters/roster/"),
            _link(_("Promoter shifts"), "promoters:week", _LEADS, section="/promoters/shifts/"),
            _link(_("Promoter attendance"), "promoters:attendance", _LEADS | _OFFICE, section="/promoters/attendance/"),
        ),
    ),
    Menu(
        _("Accounts"),
        (
            _link(_("Key accounts"), "accounts:account-list", _LEADS | _OFFICE),
            _link(_("Stores"), "stores:store-list", _STAFF),
            _link(_("Products"), "stores:product-list", _STAFF),
            _link(_("Promotions"), "promotions:plan-list", _LEADS | _OFFICE | {Role.REP}, section="/promotions/"),
        ),
    ),
    Menu(
        _("Analysis"),
        (
            _link(_("Performance"), "accounts:performance", _OFFICE | {Role.SUPERVISOR}),
            _link(_("Gross to net"), "tradespend:gross-to-net", _OFFICE),
            _link(pgettext_lazy("navigation", "Channel mix"), "analytics:channel-mix", _OFFICE),
            _link(pgettext_lazy("navigation", "Promotion expense"), "analytics:promotion-expense", _OFFICE),
            _link(pgettext_lazy("navigation", "Store P&L"), "analytics:store-pnl", _OFFICE),
            _link(pgettext_lazy("navigation", "Targets"), "analytics:targets", _OFFICE),
            _link(pgettext_lazy("navigation", "Promoter appraisal"), "promoters:appraisal", _LEADS | _OFFICE),
        ),
    ),
    Menu(
        _("Finance"),
        (
            _link(_("Contracts"), "contracts:contract-list", _OFFICE, section="/contracts/"),
            _link(_("Receivables"), "contracts:receivables", _OFFICE),
            _link(_("Trade spend"), "tradespend:ledger", _OFFICE, section="/trade-spend/"),
        ),
    ),
    Menu(
        _("Admin"),
        (
            _link(_("Imports"), "imports:import", {Role.MANAGER, Role.ADMIN}),
            _link(_("Admin"), "admin:index", {Role.ADMIN}),
            _link(_("API docs"), "api-docs", {Role.ADMIN, Role.MANAGER, Role.FINANCE, Role.SUPERVISOR}),
        ),
    ),
]

# A role with this many entries or fewer (a rep: eight) keeps a plain row of links: no menu to open on the phone.
FLAT_UP_TO = 8


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _entry(link: Link, role: str) -> dict | None:
    if link.roles is not None and role not in link.roles:
        return None
    url = _url(link.url_name)
    if not url:
        return None
    return {"label": link.label, "url": url, "section": link.section or url, "active": False}


def _mark_active(path: str, entries: list[dict]) -> None:
    """The entry whose address (or section) is the longest prefix of this page's is the one we are in."""

    def reach(entry: dict) -> int:
        best = -1
        for prefix in (entry["url"], entry["section"]):
            if path == prefix or (prefix != "/" and path.startswith(prefix)):
                best = max(best, len(prefix))
        return best

    within = [entry for entry in entries if reach(entry) >= 0]
    if within:
        max(within, key=reach)["active"] = True


def nav_for(role: str, path: str) -> list[dict]:
    """The bar for a role: links ({label, url, active}) and menus ({label, menu_id, links, active})."""
    groups: list[dict] = []
    for item in _NAV:
        links = item.links if isinstance(item, Menu) else (item,)
        entries = [entry for entry in (_entry(link, role) for link in links) if entry]
        if entries:
            groups.append({"label": item.label, "entries": entries, "is_menu": isinstance(item, Menu)})
    _mark_active(path, [entry for group in groups for entry in group["entries"]])
    flat = sum(len(group["entries"]) for group in groups) <= FLAT_UP_TO
    items: list[dict] = []
    for index, group in enumerate(groups):
        if flat or not group["is_menu"] or len(group["entries"]) == 1:
            items.extend(group["entries"])
        else:
            active = any(entry["active"] for entry in group["entries"])
            items.append(
                {"label": group["label"], "menu_id": f"nav-menu-{index}", "links": group["entries"], "active": active}
            )
    return items


def navigation(request) -> dict:
    role = user_role(request.user) if hasattr(request, "user") else None
    if role is None:
        return {"nav_items": [], "user_role": None, "user_role_label": ""}
    return {"nav_items": nav_for(role, request.path), "user_role": role, "user_role_label": Role(role).label}
