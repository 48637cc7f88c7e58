"""A KA supervisor's home says how many promotion drafts wait for them to submit (SPEC §1: the team's reps draft
requests, the supervisor submits them), linked to the promotions list's "Drafts to submit" (?status=draft), which
shows exactly the drafts counted; with none it says so, calmly, and links nowhere.

Today is 2026-06-01 (tests/promotions/conftest.py); the rep rep_w works in the supervisor sup_w's team."""

import html
import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from promotions.services import promotion_save_draft, promotion_submit
from tests.factories import StoreFactory, make_user

from .conftest import plan_input

pytestmark = [pytest.mark.django_db, pytest.mark.english]


def _home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def _titles(page: str) -> list[str]:
    """The plans a list page shows, by their names."""
    return sorted(html.unescape(t) for t in re.findall(r'<a href="/promotions/\d+/">([^<]*)</a>', page))


def test_the_supervisors_home_counts_the_drafts_to_submit_and_links_to_them(client, world):
    # Given two drafts of the team (the rep's request and the supervisor's own), one plan already submitted, and a
    # draft of a rep in another team
    promotion_save_draft(user=world.rep, data=plan_input(world, title="冰啤店促"))
    promotion_save_draft(user=world.supervisor, data=plan_input(world, title="薯片店促"))
    promotion_submit(
        plan=promotion_save_draft(user=world.rep, data=plan_input(world, title="已提交")), by=world.supervisor
    )
    other_rep = make_user(Role.REP, username="rep_other", supervisor=make_user(Role.SUPERVISOR, username="sup_other"))
    other_store = StoreFactory(account=world.account, rep=other_rep, code="S-OTHER")
    promotion_save_draft(user=other_rep, data=plan_input(world, title="别队草稿", stores=[other_store]))

    # When the supervisor opens their home
    page = _home(client, world.supervisor)

    # Then it says two drafts wait for them, linked to the list's drafts to submit
    card = page.split('data-testid="drafts-to-submit"')[1].split("</a>")[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", card.split(">", 1)[1]).split())
    assert text == "2 promotion drafts wait for you to submit. Drafts to submit →"
    link = re.search(r'<a [^>]*href="([^"]+)"[^>]*data-testid="drafts-to-submit"', page).group(1)
    assert link == "/promotions/?status=draft"
    assert 'data-testid="drafts-to-submit-none"' not in page
    # and following the link shows those two, no other
    assert _titles(client.get(link).content.decode()) == ["冰啤店促", "薯片店促"]


def test_one_draft_is_said_in_the_singular(client, world):
    promotion_save_draft(user=world.rep, data=plan_input(world))

    page = _home(client, world.supervisor)

    assert "1</strong> promotion draft waits for you to submit." in page


def test_with_no_draft_to_submit_the_home_says_none_calmly(client, world):
    # Given only a submitted plan of the team
    promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)

    page = _home(client, world.supervisor)

    assert 'data-testid="drafts-to-submit"' not in page and "/promotions/?status=draft" not in page
    none = re.search(r'data-testid="drafts-to-submit-none">([^<]*)<', page).group(1)
    assert none == "No promotion drafts wait for you to submit."
