"""The bar at the top of every page: links and menus per role, the page's own entry marked."""

import pytest
from django.utils import translation

from accounts.roles import Role
from ka_portal.context_processors import nav_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _bar(role: str, path: str = "/") -> list[tuple[str, list[str]]]:
    """(label, [menu entries]) per top-level item, in English; a plain link has no entries."""
    with translation.override("en"):
        return [
            (str(item["label"]), [str(link["label"]) for link in item.get("links", [])]) for item in nav_for(role, path)
        ]


def test_a_rep_keeps_a_plain_row_of_links():
    assert _bar(Role.REP) == [
        ("Home", []),
        ("Today", []),
        ("Visits", []),  # their own (the list scopes to the rep)
        ("Tasks", []),
        ("Suggested orders", []),  # their own stores' (the list scopes to the rep)
        ("Stores", []),
        ("Products", []),
        ("Promotions", []),
    ]


def test_an_admin_sees_menus_and_a_menu_of_one_entry_is_a_link():
    bar = dict(_bar(Role.ADMIN))
    assert list(bar)[:2] == ["Home", "Field"]
    # the promoters' entries (issue 16): the roster, the week's shifts and attendance
    assert bar["Field"] == ["Routes", "Visits", "Tasks", "Suggested orders", "Field evidence", "Promoters",
                            "Promoter shifts", "Promoter attendance"]  # fmt: skip
    assert bar["Accounts"] == ["Key accounts", "Stores", "Products", "Promotions"]
    assert bar["Analysis"] == [
        "Performance", "Gross to net", "Channel mix", "Promotion expense", "Store P&L", "Targets",
        "Promoter appraisal",
    ]  # fmt: skip
    assert bar["Finance"] == ["Contracts", "Receivables", "Trade spend"]
    assert bar["Admin"] == ["Imports", "Admin", "API docs"]
    assert "Today" not in bar  # an admin has no route


def test_a_supervisor_sees_no_finance_menu_and_single_entries_as_links():
    bar = dict(_bar(Role.SUPERVISOR))
    assert "Finance" not in bar  # no entry for a supervisor: no menu
    assert bar["API docs"] == []  # the admin menu's only entry for a supervisor, as a plain link
    # the promoters' entries (issue 16): the roster, the week's shifts and attendance
    assert bar["Field"] == ["Routes", "Visits", "Tasks", "Suggested orders", "Field evidence", "Promoters",
                            "Promoter shifts", "Promoter attendance"]  # fmt: skip


def test_only_a_rep_keeps_a_plain_row_of_links():
    # every other role but a promoter (one link) still has more entries than a plain row holds: menus as before
    for role in (Role.SUPERVISOR, Role.MANAGER, Role.FINANCE, Role.ADMIN):
        assert any(links for _, links in _bar(role)), role
    assert _bar(Role.PROMOTER) == [("My day", [])]  # named as the page it opens is headed


def test_finance_sees_field_evidence_and_the_promoters():
    bar = dict(_bar(Role.FINANCE))
    assert bar["Field"] == ["Field evidence", "Promoters", "Promoter attendance"]
    assert bar["Finance"] == ["Contracts", "Receivables", "Trade spend"]


@pytest.mark.parametrize(
    ("path", "menu", "entry"),
    [
        ("/trade-spend/deductions/", "Finance", "Trade spend"),  # the app's other pages belong to its entry
        ("/trade-spend/gross-to-net/", "Analysis", "Gross to net"),
        ("/contracts/receivables/", "Finance", "Receivables"),
        ("/evidence/competitors/", "Field", "Field evidence"),
        ("/stores/", "Accounts", "Stores"),
    ],
)
def test_the_page_marks_its_menu_and_entry(path, menu, entry):
    with translation.override("en"):
        bar = nav_for(Role.MANAGER, path)
        active = [item for item in bar if item["active"]]
        assert [str(item["label"]) for item in active] == [menu]
        assert [str(link["label"]) for link in active[0]["links"] if link["active"]] == [entry]


def test_the_page_shows_menus_as_bootstrap_dropdowns(client):
    client.force_login(make_user(Role.MANAGER))
    html = client.get("/contracts/receivables/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    nav = html.split('data-testid="main-nav"')[1].split('<div class="d-flex')[0]
    assert 'data-bs-toggle="dropdown"' in nav
    assert 'class="nav-link dropdown-toggle text-nowrap active"' in nav  # Finance, the page's menu
    assert 'class="dropdown-item active" href="/contracts/receivables/" aria-current="page">Receivables' in nav
