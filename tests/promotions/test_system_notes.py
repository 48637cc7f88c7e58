"""The notes the promotion workflow writes itself are kept as a code with parameters and read in the reader's
language; what a person typed stays as typed; the notes written as sentences before are converted."""

import importlib
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from promotions.models import PromotionPlan
from promotions.services import (
    promotion_approve,
    promotion_reject,
    promotion_reopen,
    promotion_save_draft,
    promotion_submit,
    promotion_withdraw,
    promotions_advance_by_date,
)

from .conftest import TODAY, plan_input

pytestmark = pytest.mark.django_db
Status = PromotionPlan.Status

migration = importlib.import_module("promotions.migrations.0009_system_notes_as_codes")


def _history(client, user, plan, language):
    client.force_login(user)
    page = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert page.count('class="list-group-item"') >= 1
    return page


def test_the_nightly_start_is_read_in_the_readers_language(client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world, start=TODAY + timedelta(days=1)))
    plan = promotion_approve(plan=promotion_submit(plan=plan, by=world.supervisor), by=world.manager)
    promotions_advance_by_date(today=TODAY + timedelta(days=1))

    started = plan.transitions.get(to_status=Status.RUNNING)
    assert (started.note, started.message, started.by) == ("", "promotion.start_reached", None)
    assert "Start date reached." in _history(client, world.manager, plan, "en")
    assert "已到开始日期。" in _history(client, world.manager, plan, "zh-hans")
    client.force_login(world.manager)
    api = client.get(f"/api/v1/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert api["transitions"][-1] | {"at": None} == {
        "from_status": "approved", "to_status": "running", "step": "Approved → Running", "by": None, "at": None,
        "note": "Start date reached.", "message": "promotion.start_reached", "params": {},
    }  # fmt: skip


def test_a_withdrawal_keeps_the_reason_as_typed_and_names_the_voided_approval(client, world, settings):
    settings.KA = replace(settings.KA, promotion_second_approval_above=Decimal("500.00"))
    world.manager.first_name, world.manager.last_name = "静", "陈"
    world.manager.save()
    plan = promotion_approve(plan=promotion_submit(
        plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor), by=world.manager
    )  # fmt: skip
    first = plan.transitions.last()
    assert (first.note, first.message) == ("", "promotion.first_approval")

    plan = promotion_withdraw(plan=plan, by=world.supervisor, reason="价格再议")
    line = plan.transitions.last()
    assert (line.note, line.message, line.params) == ("价格再议", "promotion.first_approval_void", {"who": "陈静"})
    assert "价格再议 The first approval by 陈静 no longer holds." in _history(client, world.manager, plan, "en")
    assert "价格再议 陈静 的第一次审批不再有效。" in _history(client, world.manager, plan, "zh-hans")


def test_a_reopened_plan_points_both_ways_in_english(client, world):
    plan = promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor)
    plan = promotion_reject(plan=plan, by=world.manager, reason="档期冲突")
    draft = promotion_reopen(plan=plan, by=world.rep)
    assert f"Reopened as draft no. {draft.pk}." in _history(client, world.manager, plan, "en")
    assert f"Reopened from plan no. {plan.pk}, rejected: 档期冲突" in _history(client, world.manager, draft, "en")


@pytest.mark.parametrize(
    ("note", "found"),
    [
        ("已到开始日期。", ("", "promotion.start_reached", {})),
        ("End date passed.", ("", "promotion.end_passed", {})),
        ("一审通过；还需管理员审批。", ("", "promotion.first_approval", {})),
        ("已重新打开为编号 12 的草稿。", ("", "promotion.reopened_as", {"id": 12})),
        (
            "由编号 7 的方案重新打开，驳回原因：档期冲突，\n下月再报",
            ("", "promotion.reopened_from", {"id": 7, "reason": "档期冲突，\n下月再报"}),
        ),
        ("价格再议 静 陈 的第一次审批不再有效。", ("价格再议", "promotion.first_approval_void", {"who": "静 陈"})),
        ("The first approval by mgr_a no longer holds.", ("", "promotion.first_approval_void", {"who": "mgr_a"})),
        ("同意", None),  # typed by a person: left as it is
        ("已到开始日期。请跟进", None),
    ],
)
def test_the_migration_recognises_the_sentences_the_workflow_wrote(note, found):
    assert migration._recognise(note, ["静 陈", "mgr_a", "陈"]) == found


def test_the_migration_converts_the_stored_lines_and_leaves_typed_ones(world):
    from django.apps import apps

    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    old = plan.transitions.create(from_status="approved", to_status="running", note="已到开始日期。")
    typed = plan.transitions.create(from_status="submitted", to_status="draft", note="价格再议")
    migration.forwards(apps, None)
    old.refresh_from_db()
    typed.refresh_from_db()
    assert (old.note, old.message, old.text) == ("", "promotion.start_reached", "已到开始日期。")
    assert (typed.note, typed.message) == ("价格再议", "")
