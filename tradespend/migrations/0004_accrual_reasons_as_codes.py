"""The ledger's reasons written before they were codes: a computed line whose reason is one of the sentences the
ledger wrote (in the site's language, Chinese, or in English) becomes its code and parameters; an adjustment's
reason, typed by finance, stays as typed, and so does any reason not recognised."""

import re

from django.db import migrations

NUMBER = r"-?[\d.]+"
THRESHOLD = r"-?[\d.]+|—"
PATTERNS = [
    ("accrual.no_target", rf"No sales target for (?P<year>\d+): the lowest tier, (?P<rate>{NUMBER}) %\."),
    ("accrual.no_target", rf"(?P<year>\d+)年无销售目标：按最低档 (?P<rate>{NUMBER}) %。"),
    (
        "accrual.year_achieved",
        rf"Year (?P<year>\d+) achieved (?P<achievement>{NUMBER}) % of target: "
        rf"tier (?P<threshold>{THRESHOLD}) % → (?P<rate>{NUMBER}) %\.",
    ),
    (
        "accrual.year_achieved",
        rf"(?P<year>\d+)年目标达成 (?P<achievement>{NUMBER}) %：(?P<threshold>{THRESHOLD}) % 档 → (?P<rate>{NUMBER}) %。",
    ),
    (
        "accrual.expected_tier",
        rf"Expected tier: (?P<achievement>{NUMBER}) % of target to (?P<through>\d{{4}}-\d{{2}}) → "
        rf"tier (?P<threshold>{THRESHOLD}) %, (?P<rate>{NUMBER}) %\.",
    ),
    (
        "accrual.expected_tier",
        rf"预计档位：截至 (?P<through>\d{{4}}-\d{{2}}) 目标达成 (?P<achievement>{NUMBER}) % → "
        rf"(?P<threshold>{THRESHOLD}) % 档，(?P<rate>{NUMBER}) %。",
    ),
    ("accrual.true_up", rf"Closed months are owed (?P<amount>{NUMBER}) more \(negative: less\) than they hold\."),
    ("accrual.true_up", rf"已关账月份应计比已入账多 (?P<amount>{NUMBER})（负数为少）。"),
    ("accrual.no_longer_due", r"No longer due; kept at 0 as deductions are matched to it\."),
    ("accrual.no_longer_due", r"已不再应计；因已有扣款核销到此行，保留为 0。"),
]
COMPILED = [(code, re.compile(pattern)) for code, pattern in PATTERNS]
ZH_BACK = {
    "accrual.no_target": "%(year)s年无销售目标：按最低档 %(rate)s %%。",
    "accrual.year_achieved": "%(year)s年目标达成 %(achievement)s %%：%(threshold)s %% 档 → %(rate)s %%。",
    "accrual.expected_tier": "预计档位：截至 %(through)s 目标达成 %(achievement)s %% → %(threshold)s %% 档，%(rate)s %%。",
    "accrual.true_up": "已关账月份应计比已入账多 %(amount)s（负数为少）。",
    "accrual.no_longer_due": "已不再应计；因已有扣款核销到此行，保留为 0。",
}


def recognise(reason: str) -> tuple[str, dict] | None:
    for code, pattern in COMPILED:
        match = pattern.fullmatch(reason)
        if match:
            params = match.groupdict()
            if "year" in params:
                params["year"] = int(params["year"])
            return code, params
    return None


def forwards(apps, schema_editor):
    AccrualLine = apps.get_model("tradespend", "AccrualLine")
    for line in AccrualLine.objects.exclude(reason="").exclude(source="adjustment").filter(reason_code="").iterator():
        found = recognise(line.reason)
        if found:
            line.reason_code, line.reason_params = found
            line.reason = ""
            line.save(update_fields=["reason", "reason_code", "reason_params"])


def backwards(apps, schema_editor):
    AccrualLine = apps.get_model("tradespend", "AccrualLine")
    for line in AccrualLine.objects.exclude(reason_code="").iterator():
        template = ZH_BACK.get(line.reason_code)
        if template and not line.reason:
            line.reason = template % line.reason_params
            line.save(update_fields=["reason"])


class Migration(migrations.Migration):
    dependencies = [("tradespend", "0003_accrual_reason_code")]

    operations = [migrations.RunPython(forwards, backwards)]
