"""The workflow notes written before they were codes: a note that is one of the sentences the workflow wrote
(in Chinese or in English, whichever the step ran in) becomes its code and parameters; the part a person typed
(a withdrawal's reason) stays the note. A note not recognised is left as it is."""

import re

from django.db import migrations

# (code, pattern) per language the sentence was written in; the patterns match the whole note.
EXACT = {
    "promotion.first_approval": ("First approval; an admin's approval is needed.", "一审通过；还需管理员审批。"),
    "promotion.start_reached": ("Start date reached.", "已到开始日期。"),
    "promotion.end_passed": ("End date passed.", "已过结束日期。"),
}
PATTERNS = [
    ("promotion.reopened_from", re.compile(r"Reopened from plan no\. (?P<id>\d+), rejected: (?P<reason>.*)", re.S)),
    ("promotion.reopened_from", re.compile(r"由编号 (?P<id>\d+) 的方案重新打开，驳回原因：(?P<reason>.*)", re.S)),
    ("promotion.reopened_as", re.compile(r"Reopened as draft no\. (?P<id>\d+)\.")),
    ("promotion.reopened_as", re.compile(r"已重新打开为编号 (?P<id>\d+) 的草稿。")),
]
# A withdrawal wrote "<reason> <the void sentence>"; the approver's name is found among the users' names.
VOID = ("The first approval by {who} no longer holds.", "{who} 的第一次审批不再有效。")
ZH_BACK = {
    "promotion.first_approval": "一审通过；还需管理员审批。",
    "promotion.start_reached": "已到开始日期。",
    "promotion.end_passed": "已过结束日期。",
    "promotion.first_approval_void": "%(who)s 的第一次审批不再有效。",
    "promotion.reopened_from": "由编号 %(id)s 的方案重新打开，驳回原因：%(reason)s",
    "promotion.reopened_as": "已重新打开为编号 %(id)s 的草稿。",
}


def _recognise(note: str, names: list[str]) -> tuple[str, str, dict] | None:
    """(the note a person typed, code, params) for a note the workflow wrote, else None."""
    for code, sentences in EXACT.items():
        if note in sentences:
            return "", code, {}
    for code, pattern in PATTERNS:
        match = pattern.fullmatch(note)
        if match:
            params = match.groupdict()
            params["id"] = int(params["id"])
            return "", code, params
    for template in VOID:
        for who in names:
            sentence = template.format(who=who)
            if note == sentence or note.endswith(" " + sentence):
                return note[: -len(sentence)].strip(), "promotion.first_approval_void", {"who": who}
    return None


def forwards(apps, schema_editor):
    Transition = apps.get_model("promotions", "PromotionTransition")
    User = apps.get_model("auth", "User")
    names = None
    for line in Transition.objects.exclude(note="").filter(message="").iterator():
        if names is None and ("第一次审批不再有效" in line.note or "no longer holds" in line.note):
            # longest first, so "伟 张" is not taken for "张" (get_full_name, else the username)
            full = [f"{u.first_name} {u.last_name}".strip() for u in User.objects.all()]
            names = sorted({n for n in full + list(User.objects.values_list("username", flat=True)) if n}, key=len)[::-1]
        found = _recognise(line.note, names or [])
        if found:
            line.note, line.message, line.params = found
            line.save(update_fields=["note", "message", "params"])


def backwards(apps, schema_editor):
    Transition = apps.get_model("promotions", "PromotionTransition")
    for line in Transition.objects.exclude(message="").iterator():
        template = ZH_BACK.get(line.message)
        if template:
            line.note = " ".join(part for part in (line.note, template % line.params) if part)
            line.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [
        ("promotions", "0008_transition_message_code"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
