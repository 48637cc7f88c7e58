"""A delivery's `updated_at`, set by every write of it, for the API's ?updated_since= (integrations pull what changed
since their last pull) with its (updated_at, id) index. A delivery has no time of its own it was recorded at: the
ones already recorded take the moment of this migration (an integration's first pull reads them all anyway)."""

import django.db.models.functions.datetime
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0008_codes_unique_without_case"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, db_default=django.db.models.functions.datetime.Now(), verbose_name="updated at"
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["updated_at", "id"], name="delivery_updated_at_id"),
        ),
    ]
