"""Store and product codes become unique whatever their case (`p001` is `P001`): the import, the API and the pages
find a record by its code without case, so two codes differing only by case would name two records at once.

Codes that already differ only by case stop the migration, named: which record keeps the code is a person's call
(merge the two, or give one another code), then migrate again.
"""

from collections import defaultdict

import django.db.models.functions.text
from django.db import migrations, models


def codes_differing_by_case(codes) -> list[list[str]]:
    """The groups of codes that are one code compared without case: [["P001", "p001"], …]."""
    groups = defaultdict(list)
    for code in codes:
        groups[code.lower()].append(code)
    return [sorted(group) for group in groups.values() if len(group) > 1]


def refuse_codes_differing_by_case(apps, schema_editor):
    for name in ("Store", "Product"):
        model = apps.get_model("stores", name)
        clashes = codes_differing_by_case(model.objects.values_list("code", flat=True).iterator())
        if clashes:
            raise RuntimeError(
                f"{name} codes that differ only by case: {clashes}. Merge the records or give one of each group "
                "another code, then migrate again."
            )


def _unique_without_case(model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        django.db.models.functions.text.Lower("code"),
        name=f"{model}_code_unique_without_case",
        violation_error_code=f"{model}.code_taken",
        violation_error_message="This code is already taken (codes are compared without case).",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0007_listing_active_pair"),
    ]

    operations = [
        migrations.RunPython(refuse_codes_differing_by_case, migrations.RunPython.noop),
        migrations.AddConstraint(model_name="product", constraint=_unique_without_case("product")),
        migrations.AddConstraint(model_name="store", constraint=_unique_without_case("store")),
    ]
