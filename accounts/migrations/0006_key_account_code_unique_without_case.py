"""Key-account codes become unique whatever their case (`wmt` is `WMT`), as store and product codes are: the API, the
imports and the filters find an account by its code, so two codes differing only by case would name two chains.

Codes that already differ only by case stop the migration, named: which account keeps the code is a person's call
(merge the two, or give one another code), then migrate again.
"""

from collections import defaultdict

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


def refuse_codes_differing_by_case(apps, schema_editor):
    groups = defaultdict(list)
    for code in apps.get_model("accounts", "KeyAccount").objects.values_list("code", flat=True).iterator():
        groups[code.lower()].append(code)
    clashes = [sorted(group) for group in groups.values() if len(group) > 1]
    if clashes:
        raise RuntimeError(
            f"Key-account codes that differ only by case: {clashes}. Merge the accounts or give one of each group "
            "another code, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_promoter_role"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_codes_differing_by_case, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="keyaccount",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("code"),
                name="keyaccount_code_unique_without_case",
                violation_error_code="account.code_taken",
                violation_error_message="This code is already taken (codes are compared without case).",
            ),
        ),
    ]
