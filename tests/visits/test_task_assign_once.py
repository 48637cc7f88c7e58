"""Assigning a task runs once per form (QA, as supervisor1): a double click on 交办, or 交办 again after the browser's
Back, answered the first post's task again instead of adding a second and a third. The form carries a key drawn with it
(`request_key`, ka_portal/once.py): the same post again is answered as the first; the same key with something
else typed adds nothing and says which task the form already assigned."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import StoreFactory, make_user
from visits.models import Task

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def supervisor(client):
    supervisor = make_user(Role.SUPERVISOR, username="sup_once")
    rep = make_user(Role.REP, username="rep_once", supervisor=supervisor)
    StoreFactory(rep=rep, code="ONCE-1", name="一次店")
    client.force_login(supervisor)
    return supervisor


def form_key(page: str) -> str:
    """The key the task form was drawn with."""
    found = re.search(r'<form[^>]*data-testid="task-form".*?name="request_key" value="([^"]+)"', page, re.S)
    assert found, "the task form carries no key"
    return found.group(1)


def assign(client, key: str, title: str = "检查端架陈列", **kwargs):
    body = {"request_key": key, "store": "ONCE-1", "title": title, "description": "", "due_on": timezone.localdate()}
    return client.post(reverse("visits:task-list"), body, **EN, **kwargs)


def test_assign_sent_twice_adds_one_task_and_the_second_answer_says_so(client, supervisor):
    # given the task list's form, as drawn
    key = form_key(client.get(reverse("visits:task-list")).content.decode())
    # when Assign is sent twice (a double click), then once more (Back, and Assign again with the same text)
    first = assign(client, key)
    again = [assign(client, key, follow=True) for _ in range(2)]
    # then one task, and each repeat goes to the list saying it was not added again
    assert Task.objects.count() == 1
    assert first.status_code == 302 and first["Location"] == reverse("visits:task-list")
    for answer in again:
        assert answer.redirect_chain == [(reverse("visits:task-list"), 302)]
        assert "This form was sent more than once: task “检查端架陈列” is assigned once." in answer.content.decode()


def test_every_form_drawn_has_its_own_key_so_two_tasks_are_two(client, supervisor):
    first_key = form_key(client.get(reverse("visits:task-list")).content.decode())
    assign(client, first_key)
    # the list drawn again after the save: a new form, a new key
    second_key = form_key(client.get(reverse("visits:task-list")).content.decode())
    assert second_key != first_key
    assign(client, second_key)
    assert Task.objects.count() == 2


def test_the_same_form_sent_again_changed_adds_nothing_names_its_task_and_keeps_what_was_typed(client, supervisor):
    key = form_key(client.get(reverse("visits:task-list")).content.decode())
    assign(client, key)
    # when Back, the title changed, and Assign again under the form's key
    answer = assign(client, key, title="补价签")
    # then nothing is added: the form comes back as sent, saying which task it already assigned and what to do
    page = answer.content.decode()
    assert answer.status_code == 400
    assert list(Task.objects.values_list("title", flat=True)) == ["检查端架陈列"]
    assert "This form already assigned the task “检查端架陈列”" in page and "press Assign again" in page
    assert 'value="补价签"' in page
    # and Assign once more (the form drawn again has a key of its own) adds it as another task
    assert form_key(page) != key
    assign(client, form_key(page), title="补价签")
    assert sorted(Task.objects.values_list("title", flat=True)) == ["检查端架陈列", "补价签"]


def test_a_refused_form_keeps_nothing_so_it_is_sent_again_corrected(client, supervisor):
    key = form_key(client.get(reverse("visits:task-list")).content.decode())
    # an empty title (the form's refusal), then a day already past (the service's)
    empty = assign(client, key, title="  ")
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    past = {"due_on": timezone.localdate() - timedelta(days=1)}
    refused = client.post(
        reverse("visits:task-list"), {"request_key": key, "store": "ONCE-1", "title": "检查端架陈列", **past}, **EN
    )
    assert refused.status_code == 400 and "is already past" in refused.content.decode()
    assert not Task.objects.exists()
    # the same key, corrected: written (a refusal claims no key)
    assert assign(client, key).status_code == 302
    assert Task.objects.count() == 1


def test_the_second_click_while_the_first_is_still_saving_goes_to_the_list_and_adds_nothing(client, supervisor):
    # given a form whose first post is still being saved (its key claimed, not yet answered)
    from ka_portal.idempotency import _digest, field_hashes
    from ka_portal.models import IdempotencyKey

    key = form_key(client.get(reverse("visits:task-list")).content.decode())
    body = {"store": "ONCE-1", "title": "检查端架陈列", "description": "", "due_on": timezone.localdate().isoformat()}
    hashes = field_hashes(body)
    IdempotencyKey.objects.create(
        user=supervisor, scope="visits.task_create", key=key, fingerprint=_digest(hashes), field_hashes=hashes
    )
    # when the second post of a double click arrives
    answer = assign(client, key, follow=True)
    # then it goes to the list (where the first one's task shows once saved), not to a form to be sent a third time
    assert answer.redirect_chain == [(reverse("visits:task-list"), 302)]
    assert "This form was sent more than once: task “检查端架陈列” is assigned once." in answer.content.decode()
    assert not Task.objects.exists()
