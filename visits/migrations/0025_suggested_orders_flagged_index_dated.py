"""The index of flagged suggested orders carries each row's two dates (date, superseded_on).

The chain page counts its stores' flags in force on a day: whether a flagged row is in force is its dates, which were
on its heap row, so the count visited a random page for every flagged row of the chain's history (some 20,000 for
the biggest chain of the issue-15 bench after a year: 260 ms of its page). With the dates in the index the count is
an index-only scan. Superseding a row already writes new entries in every index (migration 0024), so carrying
`superseded_on` here costs a night nothing more (docs/performance.md).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0024_suggested_orders_in_force_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='suggestedorder',
            name='suggestedorder_flagged',
        ),
        migrations.AddIndex(
            model_name='suggestedorder',
            index=models.Index(condition=models.Q(('flag', ''), _negated=True), fields=['store', 'flag'], include=('date', 'superseded_on'), name='suggestedorder_flagged_dated'),
        ),
    ]
