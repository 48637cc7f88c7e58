"""The flagged suggested orders in an index of their own (a few in a hundred rows).

The chain page counts its stores' flags in force, and a rep's home their negative sales. Both read every pair's
rows through the (store, product, date) index, and a pair keeps a row for every change: after a year of weekly
counts some fifty, so the chain page took 1.3 s instead of 0.25 s on the issue-15 bench (docs/performance.md). The
condition names `flag` only, which superseding a row never changes, so superseding stays a HOT update (migration
0017); a row written flagged pays one more index entry.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stores', '0007_listing_active_pair'),
        ('visits', '0022_visit_open_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='suggestedorder',
            index=models.Index(condition=models.Q(('flag', ''), _negated=True), fields=['store', 'flag'], name='suggestedorder_flagged'),
        ),
    ]
