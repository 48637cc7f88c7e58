"""The task list's search finds tasks by what they ask (QA, as supervisor1: ?q=端架 found nothing, as the search read
stores only), and still by their store or chain; the page, its export and the API's ?q= alike."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from visits.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(client):
    supervisor = make_user(Role.SUPERVISOR, username="sup_q")
    rep = make_user(Role.REP, username="rep_q", supervisor=supervisor)
    walmart = StoreFactory(rep=rep, name="沃尔玛五角场店", account=KeyAccountFactory(code="WMT", name="沃尔玛"))
    carrefour = StoreFactory(rep=rep, name="家乐福古北店", account=KeyAccountFactory(code="CRF", name="家乐福"))
    today = timezone.localdate()
    for store, title, description in (
        (walmart, "检查端架陈列", ""),
        (carrefour, "补价签", "端架上的价签缺了"),
        (carrefour, "清点库存", ""),
    ):
        Task.objects.create(store=store, title=title, description=description, due_on=today, assigned_by=supervisor)
    client.force_login(supervisor)
    return supervisor


def titles_on_page(client, q: str) -> list[str]:
    page = client.get(reverse("visits:task-list"), {"q": q}).content.decode()
    return sorted(
        title for title in ("检查端架陈列", "补价签", "清点库存") if f'data-testid="task-title">{title}<' in page
    )


def test_a_word_of_the_task_finds_it_in_its_title_or_description(client, tasks):
    assert titles_on_page(client, "端架") == ["检查端架陈列", "补价签"]
    assert titles_on_page(client, "库存") == ["清点库存"]


def test_the_store_and_the_chain_still_find_their_tasks(client, tasks):
    assert titles_on_page(client, "家乐福") == ["清点库存", "补价签"]
    assert titles_on_page(client, "WMT") == ["检查端架陈列"]


def test_the_api_searches_alike(client, tasks):
    found = client.get("/api/v1/tasks/", {"search": "端架"}).json()["results"]
    assert sorted(row["title"] for row in found) == ["检查端架陈列", "补价签"]
